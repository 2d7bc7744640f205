"""The producer's cues for the livestream overlays: who may give them, what is refused, and
what each audience's overlay then shows (hidden graphics; the speaker lower third by the
visibility of the session it went on air in)."""

import pytest

from negotiation.domain import errors
from projections.views import overlay_parts
from tests.unit.builders import (
    ADMIN,
    EMPLOYER_MEMBER,
    FACILITATOR,
    OUTSIDER,
    UNION_CHIEF,
    UNION_MEMBER,
    at_the_table,
    event_names,
    new_negotiation,
    refused,
    schedule_session,
)
from tests.unit.test_views import MEMBER, PUBLIC, UNION, Table

# ---------------------------------------------------------------- who may cue


@pytest.mark.parametrize("producer", [UNION_MEMBER, EMPLOYER_MEMBER, FACILITATOR])
def test_a_team_member_of_either_party_or_the_facilitator_hides_and_shows_a_graphic(producer):
    table = at_the_table()
    n = table.negotiation
    n.hide_overlay_graphic(producer, graphic="lower-third")
    assert n.state.hidden_graphics == ["lower-third"]
    n.show_overlay_graphic(producer, graphic="lower-third")
    assert n.state.hidden_graphics == []
    assert event_names(n)[-2:] == ["OverlayGraphicHidden", "OverlayGraphicShown"]


@pytest.mark.parametrize("someone", [OUTSIDER, ADMIN])
def test_someone_off_the_teams_cannot_cue_the_overlays(someone):
    table = at_the_table()
    n = table.negotiation
    with refused(n, errors.NotOnTeam) as refusal:
        n.hide_overlay_graphic(someone, graphic="clock")
    assert "cue the livestream overlays" in str(refusal.value)
    with refused(n, errors.NotOnTeam):
        n.take_speaker_to_air(someone, session_id=table.session_id, name="Ana", title="")
    n.take_speaker_to_air(UNION_MEMBER, session_id=table.session_id, name="Ana", title="")
    with refused(n, errors.NotOnTeam):
        n.clear_speaker(someone, session_id=table.session_id)


def test_hiding_a_hidden_graphic_or_showing_a_shown_one_is_refused_by_name():
    n = at_the_table().negotiation
    with refused(n, errors.RuleRefused) as refusal:
        n.show_overlay_graphic(UNION_MEMBER, graphic="reactions")
    assert "reaction meter is already on air" in str(refusal.value)
    n.hide_overlay_graphic(UNION_MEMBER, graphic="reactions")
    with refused(n, errors.RuleRefused) as refusal:
        n.hide_overlay_graphic(EMPLOYER_MEMBER, graphic="reactions")
    assert "already hidden" in str(refusal.value)


def test_an_unknown_graphic_is_an_invalid_request():
    n = at_the_table().negotiation
    with refused(n, errors.InvalidRequest):
        n.hide_overlay_graphic(UNION_MEMBER, graphic="speaker")


# ---------------------------------------------------------------- the speaker lower third


def test_a_speaker_goes_on_air_in_the_running_session_and_another_replaces_them():
    table = at_the_table()
    n, sid = table.negotiation, table.session_id
    n.take_speaker_to_air(UNION_MEMBER, session_id=sid, name=" Ana Ruiz ", title="President")
    n.take_speaker_to_air(FACILITATOR, session_id=sid, name="Bo Lee", title="")
    speaker = n.state.sessions[sid].speaker
    assert (speaker.name, speaker.title) == ("Bo Lee", "")
    n.clear_speaker(EMPLOYER_MEMBER, session_id=sid)
    assert n.state.sessions[sid].speaker is None
    assert event_names(n)[-3:] == ["SpeakerTakenToAir", "SpeakerTakenToAir", "SpeakerCleared"]


def test_a_speaker_needs_a_name_and_a_running_session():
    n = new_negotiation()
    scheduled = schedule_session(n)
    with refused(n, errors.InvalidRequest):
        n.take_speaker_to_air(UNION_MEMBER, session_id=scheduled, name="   ", title="")
    with refused(n, errors.SessionConflict) as refusal:
        n.take_speaker_to_air(UNION_MEMBER, session_id=scheduled, name="Ana", title="")
    assert "while the session runs" in str(refusal.value)
    with refused(n, errors.NotFound):
        n.take_speaker_to_air(UNION_MEMBER, session_id="nope", name="Ana", title="")


def test_clearing_when_no_speaker_is_on_air_is_refused():
    table = at_the_table()
    with refused(table.negotiation, errors.SessionConflict):
        table.negotiation.clear_speaker(UNION_CHIEF, session_id=table.session_id)


# ---------------------------------------------------------------- what the overlays show


def test_hidden_graphics_reach_every_audiences_overlay_and_come_back():
    t = Table()
    t.session("open")
    t.n.hide_overlay_graphic(UNION_CHIEF, graphic="ta-counter")
    assert overlay_parts(t.board, PUBLIC)["overlay"].hidden == ("ta-counter",)
    t.n.show_overlay_graphic(UNION_CHIEF, graphic="ta-counter")
    assert overlay_parts(t.board, PUBLIC)["overlay"].hidden == ()


def test_the_speaker_of_an_open_session_is_public_while_the_session_runs():
    t = Table()
    sid = t.session("open")
    t.n.take_speaker_to_air(UNION_CHIEF, session_id=sid, name="Ana Ruiz", title="President")
    part = overlay_parts(t.board, PUBLIC)["overlay"]
    assert (part.speaker_name, part.speaker_title) == ("Ana Ruiz", "President")
    t.n.clear_speaker(UNION_CHIEF, session_id=sid)
    assert overlay_parts(t.board, PUBLIC)["overlay"].speaker_name is None
    t.n.take_speaker_to_air(UNION_CHIEF, session_id=sid, name="Bo Lee", title="")
    t.n.close_session(UNION_CHIEF, session_id=sid)
    assert overlay_parts(t.board, PUBLIC)["overlay"].speaker_name is None  # off air


@pytest.mark.parametrize(
    ("visibility", "sees"),
    [("members", {"member", "union"}), ("closed", {"union"})],
)
def test_the_speaker_of_a_members_only_or_closed_session_never_reaches_the_public(visibility, sees):
    t = Table()
    sid = t.session(visibility)
    t.n.take_speaker_to_air(UNION_CHIEF, session_id=sid, name="Ana Ruiz", title="President")
    for who, aud in {"public": PUBLIC, "member": MEMBER, "union": UNION}.items():
        part = overlay_parts(t.board, aud)["overlay"]
        assert (part.speaker_name == "Ana Ruiz") == (who in sees), who


def test_a_speaker_taken_to_air_while_members_only_stays_off_the_public_overlay_once_open():
    t = Table()
    sid = t.session("members")
    t.n.take_speaker_to_air(UNION_CHIEF, session_id=sid, name="Ana Ruiz", title="")
    t.n.change_session_visibility(UNION_CHIEF, session_id=sid, visibility="open")
    assert overlay_parts(t.board, PUBLIC)["overlay"].speaker_name is None
    assert overlay_parts(t.board, MEMBER)["overlay"].speaker_name == "Ana Ruiz"
