"""Audit descriptions: one past-tense sentence per event type, attributed, never leaking
private text; and the visibility label each audit entry gets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from negotiation.domain.actors import Actor
from negotiation.domain.ground_rules import GroundRules
from negotiation.domain.negotiation import Negotiation
from negotiation.domain.visibility import EVENT_SCOPES
from projections import board as boards
from projections.audit import AuditProjection, chain_hash
from projections.audit.schema import AUDIT_COLUMNS
from projections.board import Board
from projections.describe import DESCRIBERS, describe
from projections.events import RecordedEvent
from tests.unit.recorded import EventLog

MARIA = Actor(account_id="maria", name="Maria Lopez")  # union chief
JOE = Actor(account_id="joe", name="Joe Kim")  # union member
DANA = Actor(account_id="dana", name="Dana Whitfield")  # employer chief
MIRA = Actor(account_id="mira", name="Mira Chen")  # facilitator
ADMIN = Actor(account_id="admin", name="Site Admin", is_admin=True)
UNION = "Riverside Educators Association"
EMPLOYER = "Riverside Unified School District"
SECRET = "Settle at 26 if they move on prep time"


class Recorder:
    """Turns the aggregate's new events into stored RecordedEvents (as the read side sees them),
    folds the board, and remembers each event with its description."""

    def __init__(self, negotiation: Negotiation) -> None:
        self.negotiation = negotiation
        self.log = EventLog()
        self.board: Board | None = None
        self.events: list[tuple[RecordedEvent, Board, str]] = []

    def take(self) -> list[str]:
        """Descriptions of the events recorded since the last call."""
        sentences = []
        for event in self.log.take(self.negotiation):
            self.board = boards.apply(self.board, event)
            sentence = describe(event, self.board)
            self.events.append((event, self.board, sentence))
            sentences.append(sentence)
        return sentences

    def last(self) -> str:
        return self.take()[-1]


def _open(*, employer_on_platform: bool = True) -> tuple[Negotiation, Recorder]:
    negotiation = Negotiation.open(
        actor=MARIA,
        title="Teachers 2026",
        kind="collective_bargaining",
        bargaining_unit="Certificated teachers",
        union_name=UNION,
        employer_name=EMPLOYER,
        opener_party="union",
        other_chief=DANA if employer_on_platform else None,
        facilitator=MIRA,
    )
    return negotiation, Recorder(negotiation)


def _at_the_table(
    *, visibility: str = "open", written: bool = False
) -> tuple[Negotiation, Recorder, str]:
    n, rec = _open()
    n.add_team_member(MARIA, member=JOE, party="union")
    offer = n.propose_ground_rules(MARIA, rules=GroundRules(written_exchange_allowed=written))
    n.agree_ground_rules(DANA, offer_id=offer)
    session_id = n.schedule_session(
        MARIA,
        title="",
        visibility=visibility,  # type: ignore[arg-type]
        location="District office",
        starts_at=datetime(2026, 11, 24, 16, 0, tzinfo=UTC),
    )
    n.open_session(MARIA, session_id=session_id)
    rec.take()
    return n, rec, session_id


def _article(n: Negotiation, number: str = "9", title: str = "Class Size") -> str:
    return n.open_article(MARIA, number=number, title=title, category="non_economic")


# ---------------------------------------------------------------------- negotiation & teams
def test_opening_names_the_opener_and_both_parties():
    _, rec = _open()
    assert rec.take() == [
        f"Maria Lopez ({UNION}) opened the negotiation “Teachers 2026” between {UNION} and "
        f"{EMPLOYER}"
    ]


def test_team_changes_name_the_member_and_the_team():
    n, rec = _open()
    rec.take()
    n.add_team_member(MARIA, member=JOE, party="union")
    assert rec.last() == f"Maria Lopez ({UNION}) added Joe Kim to the {UNION} team"
    n.name_chief_negotiator(MARIA, account_id="joe")
    assert rec.last() == f"Maria Lopez ({UNION}) named Joe Kim chief negotiator for {UNION}"
    n.remove_team_member(JOE, account_id="maria")
    assert rec.last() == f"Joe Kim ({UNION}) removed a member from the {UNION} team"


def test_a_removed_member_is_named_when_the_name_is_known():
    n, rec = _open()
    n.add_team_member(MARIA, member=JOE, party="union")
    n.remove_team_member(MARIA, account_id="joe")
    rec.take()
    event, board, _ = rec.events[-1]
    assert describe(event, board, {"joe": "Joe Kim"}) == (
        f"Maria Lopez ({UNION}) removed Joe Kim from the {UNION} team"
    )


def test_facilitator_appointment():
    n, rec = _open()
    rec.take()
    n.appoint_facilitator(ADMIN, facilitator=Actor(account_id="f2", name="Ana Ruiz"))
    assert rec.last() == "Site Admin appointed Ana Ruiz as facilitator"


def test_ground_rules_proposed_agreed_and_amended():
    n, rec = _open()
    rec.take()
    offer = n.propose_ground_rules(MARIA, rules=GroundRules())
    assert rec.last() == f"Maria Lopez ({UNION}) proposed ground rules"
    n.agree_ground_rules(DANA, offer_id=offer)
    assert rec.last() == (
        f"Dana Whitfield ({EMPLOYER}) agreed the ground rules; they now bind both parties"
    )
    offer = n.propose_ground_rules(DANA, rules=GroundRules(written_exchange_allowed=True))
    n.agree_ground_rules(MARIA, offer_id=offer)
    assert rec.last() == (
        f"Maria Lopez ({UNION}) agreed amended ground rules; they now bind both parties"
    )


def test_an_act_recorded_as_received_names_the_party_and_the_recorder():
    n, rec = _open(employer_on_platform=False)
    rec.take()
    offer = n.propose_ground_rules(MARIA, rules=GroundRules())
    n.agree_ground_rules(MARIA, offer_id=offer, as_received=True)
    assert rec.last() == (
        f"{EMPLOYER} (recorded as received by Maria Lopez) agreed the ground rules; they now "
        "bind both parties"
    )


# ---------------------------------------------------------------------- articles & proposals
def test_article_opened_and_brought_to_the_table():
    n, rec, session_id = _at_the_table()
    article = _article(n)
    assert rec.last() == f"Maria Lopez ({UNION}) opened Article 9 — Class Size"
    n.bring_to_table(MIRA, session_id=session_id, article_id=article)
    assert rec.last() == "Mira Chen brought Article 9 — Class Size to the table"


def test_proposal_counterproposal_revision_and_withdrawal():
    n, rec, _ = _at_the_table()
    article = _article(n)
    first = n.table_proposal(MARIA, article_id=article, text="Cap at 22.")
    assert rec.last() == (
        f"Maria Lopez ({UNION}) tabled a proposal on Article 9 — Class Size (version 1)"
    )
    counter = n.table_proposal(DANA, article_id=article, text="Cap at 30.", answers=first)
    assert rec.last() == (
        f"Dana Whitfield ({EMPLOYER}) tabled a counterproposal on Article 9 — Class Size "
        "(version 2)"
    )
    revised = n.table_proposal(
        DANA, article_id=article, text="Cap at 28.", answers=first, revises=counter
    )
    assert rec.last() == (
        f"Dana Whitfield ({EMPLOYER}) revised its proposal on Article 9 — Class Size (version 3)"
    )
    n.withdraw_proposal(DANA, proposal_id=revised, article_id=article)
    assert rec.last() == (
        f"Dana Whitfield ({EMPLOYER}) withdrew version 3 of its proposal on Article 9 — Class Size"
    )


def test_acts_in_writing_say_so():
    n, rec, session_id = _at_the_table(written=True)
    n.close_session(MARIA, session_id=session_id)
    rec.take()
    article = _article(n)
    assert rec.last() == (
        f"Maria Lopez ({UNION}) opened Article 9 — Class Size, delivered in writing"
    )
    n.table_proposal(MARIA, article_id=article, text="Cap at 22.")
    assert rec.last().endswith("(version 1), delivered in writing")


def test_ta_signed_and_article_tentatively_agreed():
    n, rec, _ = _at_the_table()
    article = _article(n, "11", "Health and Safety")
    proposal = n.table_proposal(MARIA, article_id=article, text="Ventilation.")
    rec.take()
    n.sign_ta(MARIA, article_id=article, proposal_id=proposal)
    assert rec.last() == (
        f"Maria Lopez ({UNION}) signed a TA on Article 11 — Health and Safety (version 1)"
    )
    n.sign_ta(DANA, article_id=article, proposal_id=proposal)
    assert rec.take() == [
        f"Dana Whitfield ({EMPLOYER}) signed a TA on Article 11 — Health and Safety (version 1)",
        "Both parties tentatively agreed Article 11 — Health and Safety (version 1)",
        "The parties reached a tentative agreement on the whole contract (1 article agreed)",
    ]


def test_reopening_and_withdrawing_an_article():
    n, rec, _ = _at_the_table()
    article = _article(n)
    proposal = n.table_proposal(MARIA, article_id=article, text="Cap at 22.")
    n.sign_ta(MARIA, article_id=article, proposal_id=proposal)
    n.sign_ta(DANA, article_id=article, proposal_id=proposal)
    rec.take()
    n.consent_to_reopen(DANA, article_id=article)
    assert rec.last() == f"Dana Whitfield ({EMPLOYER}) consented to reopen Article 9 — Class Size"
    n.consent_to_reopen(MARIA, article_id=article)
    assert rec.take() == [
        f"Maria Lopez ({UNION}) consented to reopen Article 9 — Class Size",
        "Both parties consented: Article 9 — Class Size was reopened",
    ]
    n.withdraw_article(MARIA, article_id=article)
    assert rec.take()[0] == f"Maria Lopez ({UNION}) withdrew Article 9 — Class Size"


def test_late_article_request_and_consent():
    n, rec, _ = _at_the_table()
    offer = n.propose_ground_rules(
        MARIA, rules=GroundRules(proposal_cutoff=datetime.now(UTC) - timedelta(hours=1))
    )
    n.agree_ground_rules(DANA, offer_id=offer)
    rec.take()
    request = n.request_late_article(MARIA, number="30", title="Housing", category="common_good")
    assert rec.last() == (
        f"Maria Lopez ({UNION}) asked to open Article 30 — Housing after the proposal cut-off"
    )
    n.consent_to_late_article(DANA, request_id=request)
    assert rec.last() == (
        f"Dana Whitfield ({EMPLOYER}) consented to open Article 30 — Housing after the cut-off, "
        f"as requested by {UNION}"
    )


def test_packages_tabled_accepted_withdrawn_and_rejected():
    n, rec, _ = _at_the_table()
    a13, a14 = _article(n, "13", "Prep Time"), _article(n, "14", "Conferences")
    items = [{"article_id": a13, "text": "45 minutes."}, {"article_id": a14, "text": "Two."}]
    package, _ = n.table_package(DANA, items=items)
    rec.take()
    n.withdraw_package(DANA, package_id=package)
    assert rec.last() == f"Dana Whitfield ({EMPLOYER}) withdrew its package on Articles 13 and 14"
    package, (p13, _) = n.table_package(DANA, items=items)
    assert rec.last() == f"Dana Whitfield ({EMPLOYER}) tabled a package on Articles 13 and 14"
    n.table_proposal(MARIA, article_id=a13, text="60 minutes.", answers=p13)
    assert rec.last() == (
        f"Maria Lopez ({UNION}) tabled a counterproposal on Article 13 — Prep Time (version 3), "
        "rejecting the employer package"
    )
    package, _ = n.table_package(
        DANA,
        items=[
            {
                "article_id": a13,
                "text": "50 minutes.",
                "answers": n.state.articles[a13].live_proposal("union").proposal_id,
            },
            {
                "article_id": a14,
                "text": "Three.",
                "revises": n.state.articles[a14].live_proposal("employer").proposal_id,
            },
        ],
    )
    rec.take()
    n.accept_package(MARIA, package_id=package)
    assert rec.take()[0] == (
        f"Maria Lopez ({UNION}) accepted the employer package on Articles 13 and 14: all of "
        "them are tentatively agreed"
    )


# ---------------------------------------------------------------------- drafts and notes
def test_drafts_and_team_notes_never_carry_their_text():
    n, rec, session_id = _at_the_table()
    article = _article(n)
    rec.take()
    draft = n.draft_proposal(JOE, article_id=article, text=SECRET)
    drafted = rec.last()
    n.revise_draft(JOE, draft_id=draft, text=SECRET + " — or 27")
    revised = rec.last()
    n.record_team_note(JOE, text=SECRET, session_id=session_id, article_id=article)
    noted = rec.last()
    n.record_team_note(JOE, text=SECRET)
    plain_note = rec.last()
    assert drafted == "A union team member drafted a proposal on Article 9 — Class Size"
    assert revised == (
        "A union team member revised a draft proposal on Article 9 — Class Size (revision 2)"
    )
    assert noted == (
        "A union team member recorded a private team note on Article 9 — Class Size during "
        "Session 1"
    )
    assert plain_note == "A union team member recorded a private team note"
    for sentence in (drafted, revised, noted, plain_note):
        assert "Settle" not in sentence and "Joe Kim" not in sentence


def test_no_description_contains_proposal_or_bulletin_language():
    n, rec, session_id = _at_the_table()
    article = _article(n)
    n.table_proposal(MARIA, article_id=article, text=SECRET)
    n.publish_bulletin(MARIA, session_id=session_id, text=SECRET)
    assert all("Settle" not in sentence for sentence in rec.take())


# ---------------------------------------------------------------------- sessions
def test_session_lifecycle():
    n, rec = _open()
    offer = n.propose_ground_rules(MARIA, rules=GroundRules())
    n.agree_ground_rules(DANA, offer_id=offer)
    rec.take()
    session_id = n.schedule_session(
        MIRA,
        title="",
        visibility="open",
        location="District office",
        starts_at=datetime(2026, 11, 24, 16, 0, tzinfo=UTC),
    )
    assert (
        rec.last() == "Mira Chen scheduled Session 1 for 2026-11-24 16:00 UTC, open to the public"
    )
    n.open_session(MIRA, session_id=session_id)
    assert rec.last() == "Session 1 opened"
    n.change_session_visibility(MIRA, session_id=session_id, visibility="closed")
    assert rec.last() == "Mira Chen made Session 1 closed (teams only)"
    n.recess_session(MIRA, session_id=session_id)
    assert rec.last() == "Session 1 went into recess"
    n.resume_session(MIRA, session_id=session_id)
    assert rec.last() == "Session 1 resumed after a recess"
    n.close_session(MIRA, session_id=session_id)
    assert rec.last() == "Session 1 closed"


def test_agenda_caucus_attendance_and_bulletin():
    n, rec, session_id = _at_the_table()
    a9, a11 = _article(n), _article(n, "11", "Health and Safety")
    rec.take()
    n.set_agenda(MIRA, session_id=session_id, article_ids=[a9, a11])
    assert rec.last() == "Mira Chen set the agenda of Session 1: Articles 9 and 11"
    n.call_caucus(JOE, session_id=session_id)
    assert rec.last() == "The union went into caucus"
    n.end_caucus(MARIA, session_id=session_id)
    assert (
        rec.last() == f"Maria Lopez ({UNION}) ended the caucus; the parties are back at the table"
    )
    n.count_attendance(MIRA, session_id=session_id, count=300)
    assert rec.last() == "Mira Chen counted attendance at Session 1: 300"
    n.publish_bulletin(MARIA, session_id=session_id, text="Class size moved.")
    assert rec.last() == f"Maria Lopez ({UNION}) published a bulletin on Session 1"


def test_every_event_type_the_aggregate_records_has_a_sentence():
    recorded = {
        name
        for name, value in vars(Negotiation).items()
        if isinstance(value, type)
        and hasattr(value, "mutate")
        and name not in {"Snapshot", "Created", "Event"}
    }
    assert "ProposalTabled" in recorded and "Opened" in recorded
    assert recorded - set(DESCRIBERS) == set()


def test_every_event_type_has_a_board_handler_and_an_audit_label():
    """A new event type must say how the board folds it and who may read its audit entry."""
    recorded = {
        name
        for name, value in vars(Negotiation).items()
        if isinstance(value, type)
        and hasattr(value, "mutate")
        and name not in {"Snapshot", "Created", "Event"}
    }
    assert recorded - {"Opened"} - set(boards.HANDLERS) == set()  # Opened makes the board
    assert recorded - set(EVENT_SCOPES) == set()


def test_an_unknown_event_type_is_named_not_dumped():
    event = RecordedEvent(
        position=1,
        negotiation_id="n",
        version=1,
        topic="x:SomethingNewHappened",
        type="SomethingNewHappened",
        data={"at": datetime.now(UTC), "by": {"name": "Mira Chen"}, "red": 3},
        state=b"",
    )
    board = Board(
        negotiation_id="n",
        title="t",
        kind="collective_bargaining",
        bargaining_unit="u",
        union_name=UNION,
        employer_name=EMPLOYER,
        opened_at=datetime.now(UTC),
    )
    assert describe(event, board) == "Mira Chen recorded: something new happened"


# ---------------------------------------------------------------------- audit visibility labels
def _labels_of(rec: Recorder) -> dict[str, list[str]]:
    projection = AuditProjection()
    for event, board, _ in rec.events:
        projection.apply(event, board)
    labels: dict[str, list[str]] = {}
    for row in projection._rows:
        labels.setdefault(row[3], []).append(row[AUDIT_COLUMNS.index("visibility")])
    return labels


@pytest.mark.parametrize(
    ("visibility", "expected"), [("open", "public"), ("members", "members"), ("closed", "teams")]
)
def test_acts_in_a_session_take_its_visibility(visibility: str, expected: str):
    n, rec, session_id = _at_the_table(visibility=visibility)
    article = _article(n)
    proposal = n.table_proposal(MARIA, article_id=article, text="Cap at 22.")
    n.sign_ta(MARIA, article_id=article, proposal_id=proposal)
    n.call_caucus(JOE, session_id=session_id)
    rec.take()
    labels = _labels_of(rec)
    assert labels["ProposalTabled"] == [expected]
    assert labels["TASigned"] == [expected]
    assert labels["CaucusCalled"] == [expected]
    assert labels["SessionOpened"] == ["public"]  # status: anyone
    assert labels["ArticleOpened"] == ["public"]


def test_drafts_and_notes_are_labelled_with_their_team_only():
    n, rec, _ = _at_the_table()
    article = _article(n)
    n.draft_proposal(JOE, article_id=article, text=SECRET)
    n.record_team_note(DANA, text=SECRET)
    rec.take()
    labels = _labels_of(rec)
    assert labels["ProposalDrafted"] == ["union"]
    assert labels["TeamNoteRecorded"] == ["employer"]


def test_acts_in_writing_are_for_members():
    n, rec, session_id = _at_the_table(written=True)
    n.close_session(MARIA, session_id=session_id)
    article = _article(n)
    n.table_proposal(MARIA, article_id=article, text="Cap at 22.")
    rec.take()
    assert _labels_of(rec)["ProposalTabled"] == ["members"]


def test_who_reads_which_labels():
    from negotiation.domain.visibility import Audience, label_of, labels_seen_by

    assert labels_seen_by(Audience()) == ["public"]
    assert labels_seen_by(Audience(unit_member=True)) == ["public", "members"]
    assert labels_seen_by(Audience(official=True)) == ["public", "members"]
    assert labels_seen_by(Audience(party="union")) == ["public", "members", "teams", "union"]
    assert label_of(None) == "members"


def test_the_chain_links_each_entry_to_the_one_before():
    _, rec = _open()
    rec.take()
    projection = AuditProjection()
    for event, board, _ in rec.events:
        projection.apply(event, board)
    (row,) = projection._rows
    event = rec.events[0][0]
    assert row[-1] == bytes(32)
    assert row[-2] == chain_hash(
        bytes(32), event.position, event.negotiation_id, event.version, event.topic, event.state
    )


def test_the_chain_hash_is_the_documented_formula():
    """Copies of chain heads live outside the system, so the formula may never drift: it is
    computed here from the docstring's definition, independently of the implementation."""
    import hashlib

    prev = bytes(range(32))
    oid = "6aa4b9e0-d840-4b07-9890-973007f7b953"
    topic = "negotiation.domain.negotiation:Negotiation.ProposalTabled"
    state = b"\x82\xa2by\x80\xa4text\xa5Hello"
    expected = hashlib.sha256(
        prev
        + (123_456).to_bytes(8, "big")
        + len(oid.encode()).to_bytes(4, "big")
        + oid.encode()
        + (7).to_bytes(8, "big")
        + len(topic.encode()).to_bytes(4, "big")
        + topic.encode()
        + len(state).to_bytes(8, "big")
        + state
    ).digest()
    for _ in range(2):  # and again: a second call must not differ (nothing cached wrongly)
        assert chain_hash(prev, 123_456, oid, 7, topic, state) == expected
    other = "0e49d08b-6e9b-4bb5-bb52-531ff8e307e4"
    assert chain_hash(prev, 123_456, other, 7, topic, state) != expected


# ---------------------------------------------------------------------- livestream overlays
def test_the_producers_cues_name_the_graphic_the_speaker_and_the_session():
    n, rec, session_id = _at_the_table()
    n.hide_overlay_graphic(JOE, graphic="reactions")
    assert rec.last() == f"Joe Kim ({UNION}) hid the livestream's reaction meter"
    n.show_overlay_graphic(MIRA, graphic="reactions")
    assert rec.last() == "Mira Chen showed the livestream's reaction meter"
    n.take_speaker_to_air(JOE, session_id=session_id, name="Ana Ruiz", title="Steward")
    assert rec.last() == (
        f"Joe Kim ({UNION}) took Ana Ruiz (Steward) to air on the speaker lower third at Session 1"
    )
    n.clear_speaker(JOE, session_id=session_id)
    assert rec.last() == f"Joe Kim ({UNION}) cleared the speaker lower third at Session 1"


def test_each_sentence_reads_in_spanish_from_its_phrase():
    # given: the Spanish catalog of the pages, and acts whose sentences nest phrases
    from projections.describe import phrase_of, sentence
    from web.pages.i18n import Catalogs

    catalogs = Catalogs()

    def spanish(event: RecordedEvent, board: Board) -> str:
        return sentence(phrase_of(event, board), lambda m: catalogs.gettext("es", m))

    n, rec, session_id = _at_the_table()
    a9, a11 = _article(n), _article(n, "11", "Health and Safety")
    first = n.table_proposal(MARIA, article_id=a9, text="Cap at 22.")
    n.table_proposal(DANA, article_id=a9, text="Cap at 30.", answers=first)
    n.set_agenda(MIRA, session_id=session_id, article_ids=[a9, a11])
    n.call_caucus(JOE, session_id=session_id)
    n.recess_session(MIRA, session_id=session_id)
    rec.take()
    # when
    said = [spanish(event, board) for event, board, _ in rec.events[-5:]]
    # then
    assert said == [
        f"Maria Lopez ({UNION}) presentó una propuesta sobre el Artículo 9 — Class Size "
        "(versión 1)",
        f"Dana Whitfield ({EMPLOYER}) presentó una contrapropuesta sobre el Artículo 9 — "
        "Class Size (versión 2)",
        "Mira Chen fijó el orden del día de la Sesión 1: los Artículos 9 y 11",
        "El sindicato se retiró a caucus",
        "Sesión 1 en receso",
    ]
