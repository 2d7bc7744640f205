"""The views of a board for each audience (public, unit member, each team, officials): what
each may read of open, members-only and closed sessions, of acts in writing, and of drafts and
notes; and that visibility stays as it was when a thing was recorded."""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec
import pytest

from negotiation.domain.actors import PLATFORM_ACTOR
from negotiation.domain.ground_rules import GroundRules
from negotiation.domain.visibility import Audience
from projections import board as boards
from projections.board import Board
from projections.bulletin import bulletin_draft
from projections.documents import article_view, negotiation_view, session_view
from projections.index import index_entry
from projections.views import article_history, board_parts, overlay_parts, session_parts
from tests.unit.builders import (
    EMPLOYER_CHIEF,
    UNION_CHIEF,
    UNION_MEMBER,
    agree_ground_rules,
    new_negotiation,
)
from tests.unit.recorded import EventLog

PUBLIC = Audience()
MEMBER = Audience(unit_member=True)
UNION = Audience(party="union")
EMPLOYER = Audience(party="employer")
OFFICIAL = Audience(official=True)
AUDIENCES = {
    "public": PUBLIC,
    "member": MEMBER,
    "union": UNION,
    "employer": EMPLOYER,
    "official": OFFICIAL,
}
STARTS = datetime(2026, 11, 24, 16, 0, tzinfo=UTC)


class Table:
    """A negotiation and its board, folded from the stored form of its events."""

    def __init__(self, *, written: bool = True) -> None:
        self.n = new_negotiation(with_members=False)
        self.n.add_team_member(UNION_CHIEF, member=UNION_MEMBER, party="union")
        agree_ground_rules(self.n, written_exchange_allowed=written)
        self._log = EventLog()
        self._board: Board | None = None

    @property
    def board(self) -> Board:
        for event in self._log.take(self.n):
            self._board = boards.apply(self._board, event)
        assert self._board is not None
        return self._board

    def session(self, visibility: str) -> str:
        session_id = self.n.schedule_session(
            UNION_CHIEF,
            title=f"A {visibility} session",
            visibility=visibility,  # type: ignore[arg-type]
            location="Room 4",
            starts_at=STARTS,
        )
        self.n.open_session(UNION_CHIEF, session_id=session_id)
        return session_id

    def article(self, number: str) -> str:
        return self.n.open_article(
            UNION_CHIEF, number=number, title=f"Article {number}", category="economic"
        )


def _texts(view: object) -> str:
    return msgspec.json.encode(view).decode()


@pytest.fixture
def table() -> Table:
    """One article per kind of moment: tabled in an open, a members-only and a closed session,
    and in writing between sessions; a draft and a note for each team."""
    t = Table()
    sessions = {}
    articles = {}
    for visibility in ("open", "members", "closed"):
        sessions[visibility] = t.session(visibility)
        articles[visibility] = t.article(visibility[0].upper())
        t.n.table_proposal(
            UNION_CHIEF, article_id=articles[visibility], text=f"Language in {visibility}"
        )
        t.n.bring_to_table(
            UNION_CHIEF, session_id=sessions[visibility], article_id=articles[visibility]
        )
        t.n.publish_bulletin(
            UNION_CHIEF, session_id=sessions[visibility], text=f"Bulletin in {visibility}"
        )
        t.n.close_session(UNION_CHIEF, session_id=sessions[visibility])
    articles["writing"] = t.article("W")
    t.n.table_proposal(UNION_CHIEF, article_id=articles["writing"], text="Language in writing")
    t.n.draft_proposal(UNION_MEMBER, article_id=articles["open"], text="Union draft")
    t.n.record_team_note(EMPLOYER_CHIEF, text="Employer note")
    t.sessions, t.articles = sessions, articles  # type: ignore[attr-defined]
    return t


SEES = {  # which article's language each audience reads
    "public": {"open"},
    "member": {"open", "members", "writing"},
    "union": {"open", "members", "closed", "writing"},
    "employer": {"open", "members", "closed", "writing"},
    "official": {"open", "members", "writing"},
}


@pytest.mark.parametrize("who", AUDIENCES)
def test_proposal_language_by_audience_in_every_view(table: Table, who: str):
    aud = AUDIENCES[who]
    board = table.board
    whole = _texts(negotiation_view(board, aud)) + _texts(board_parts(board, aud))
    for kind, article_id in table.articles.items():  # type: ignore[attr-defined]
        history = article_history(board, article_id, aud)
        view = article_view(board, article_id, aud)
        assert history is not None and view is not None
        readable = kind in SEES[who]
        assert (f"Language in {kind}" in _texts(history)) is readable, kind
        assert (f"Language in {kind}" in _texts(view)) is readable, kind
        assert view.hidden_proposals == (0 if readable else 1)
        # status is public: the article is listed for everyone, proposed only where readable
        summary = board_parts(board, aud)[f"article:{article_id}"]
        assert summary.status == ("proposed" if readable else "open"), kind
        assert view.status == summary.status == history.status
    assert "Language in closed" not in whole or who in ("union", "employer")


@pytest.mark.parametrize("who", AUDIENCES)
def test_sessions_and_bulletins_by_audience(table: Table, who: str):
    aud = AUDIENCES[who]
    board = table.board
    for visibility, session_id in table.sessions.items():  # type: ignore[attr-defined]
        readable = aud.sees_session(visibility)
        view = session_view(board.sessions[session_id], aud)
        assert view.status == "closed"  # a session's status is public
        assert view.details_visible is readable
        parts = session_parts(board, session_id, aud)
        assert ("detail" in parts) is readable
        assert (f"Bulletin in {visibility}" in _texts(parts)) is readable
        assert (bulletin_draft(board, session_id, aud) is not None) is readable


@pytest.mark.parametrize("who", AUDIENCES)
def test_drafts_and_notes_reach_their_own_team_only(table: Table, who: str):
    aud = AUDIENCES[who]
    seen = _texts(negotiation_view(table.board, aud)) + _texts(board_parts(table.board, aud))
    assert ("Union draft" in seen) is (who == "union")
    assert ("Employer note" in seen) is (who == "employer")


def test_the_viewer_says_what_the_reader_is_to_the_negotiation(table: Table):
    assert negotiation_view(table.board, PUBLIC).viewer.party is None
    assert negotiation_view(table.board, UNION).viewer.party == "union"


def test_status_and_ta_count_are_public_though_the_moves_were_closed():
    t = Table()
    session_id = t.session("closed")
    article = t.article("9")
    proposal = t.n.table_proposal(UNION_CHIEF, article_id=article, text="Closed language")
    t.n.sign_ta(UNION_CHIEF, article_id=article, proposal_id=proposal)
    t.n.sign_ta(EMPLOYER_CHIEF, article_id=article, proposal_id=proposal)
    board = t.board
    summary = board_parts(board, PUBLIC)[f"article:{article}"]
    assert summary.status == "agreed" and summary.last_move == "agreed"
    assert overlay_parts(board, PUBLIC)["overlay"].ta_count == 1
    assert "Closed language" not in _texts(negotiation_view(board, PUBLIC))
    assert "Closed language" not in _texts(session_parts(board, session_id, PUBLIC))
    assert index_entry(board).articles_agreed == 1


def test_opening_a_closed_session_later_does_not_publish_what_was_recorded_in_it():
    t = Table()
    session_id = t.session("closed")
    article = t.article("9")
    first = t.n.table_proposal(UNION_CHIEF, article_id=article, text="Tabled while closed")
    t.n.publish_bulletin(UNION_CHIEF, session_id=session_id, text="Bulletin while closed")
    t.n.change_session_visibility(UNION_CHIEF, session_id=session_id, visibility="open")
    t.n.table_proposal(EMPLOYER_CHIEF, article_id=article, text="Tabled in the open", answers=first)
    board = t.board
    for aud in (PUBLIC, MEMBER, OFFICIAL):
        seen = (
            _texts(article_history(board, article, aud))
            + _texts(session_parts(board, session_id, aud))
            + _texts(negotiation_view(board, aud))
        )
        assert "Tabled in the open" in seen
        assert "Tabled while closed" not in seen and "Bulletin while closed" not in seen
    assert "Tabled while closed" in _texts(article_history(board, article, EMPLOYER))


def test_closing_an_open_session_later_keeps_what_was_public_public():
    t = Table()
    session_id = t.session("open")
    article = t.article("9")
    t.n.table_proposal(UNION_CHIEF, article_id=article, text="Tabled in the open")
    t.n.change_session_visibility(UNION_CHIEF, session_id=session_id, visibility="closed")
    board = t.board
    assert "Tabled in the open" in _texts(article_history(board, article, PUBLIC))
    # the session's own details follow its visibility now
    assert session_view(board.sessions[session_id], PUBLIC).details_visible is False


def test_the_index_lists_sessions_as_upcoming_live_and_past():
    t = Table()
    past = t.session("closed")
    t.n.close_session(UNION_CHIEF, session_id=past)
    live = t.session("open")
    upcoming = t.n.schedule_session(
        UNION_CHIEF, title="Next", visibility="members", location="Room 4", starts_at=STARTS
    )
    entry = index_entry(t.board)
    assert [s.session_id for s in entry.past] == [past]
    assert [s.session_id for s in entry.live] == [live]
    assert [s.session_id for s in entry.upcoming] == [upcoming]


def test_closing_an_open_session_later_keeps_its_bulletins_public():
    """DOMAIN.md, Visibility: a bulletin keeps the visibility its session had when it was
    published; what was already public stays public when the session is closed."""
    t = Table()
    session_id = t.session("open")
    article = t.article("9")
    t.n.bring_to_table(UNION_CHIEF, session_id=session_id, article_id=article)
    t.n.publish_bulletin(UNION_CHIEF, session_id=session_id, text="Bulletin in the open")
    t.n.change_session_visibility(UNION_CHIEF, session_id=session_id, visibility="closed")
    t.n.publish_bulletin(UNION_CHIEF, session_id=session_id, text="Bulletin once closed")
    board = t.board
    for aud in (PUBLIC, MEMBER, OFFICIAL):
        parts = session_parts(board, session_id, aud)
        view = session_view(board.sessions[session_id], aud)
        assert "detail" not in parts and view.details_visible is False  # details: as now
        assert [p.text for n, p in parts.items() if n.startswith("bulletin:")] == [
            "Bulletin in the open"
        ]
        assert [b.text for b in view.bulletins or []] == ["Bulletin in the open"]
        assert "Bulletin once closed" not in _texts(parts) + _texts(view)
    team = session_parts(board, session_id, EMPLOYER)
    assert [p.text for n, p in team.items() if n.startswith("bulletin:")] == [
        "Bulletin in the open",
        "Bulletin once closed",
    ]


def test_a_proposal_withdrawn_in_a_closed_session_is_no_public_move():
    """Only what gives an article its public status is a public move: a proposal withdrawn
    in a closed session leaves the article open, and the act stays with the teams."""
    t = Table()
    t.session("closed")
    article = t.article("9")
    proposal = t.n.table_proposal(UNION_CHIEF, article_id=article, text="Closed language")
    t.n.withdraw_proposal(UNION_CHIEF, article_id=article, proposal_id=proposal)
    board = t.board
    for aud in (PUBLIC, MEMBER, OFFICIAL):
        summary = board_parts(board, aud)[f"article:{article}"]
        assert summary.status == "open"
        assert summary.last_move is None and summary.last_move_by is None
        assert summary.last_move_party is None and summary.last_move_at is None
    assert board_parts(board, EMPLOYER)[f"article:{article}"].last_move == "withdrawn"
    withdrawn = t.article("10")
    t.n.withdraw_article(UNION_CHIEF, article_id=withdrawn)
    summary = board_parts(t.board, PUBLIC)[f"article:{withdrawn}"]
    assert summary.status == "withdrawn" and summary.last_move == "withdrawn"  # status: public


def test_a_ta_signed_in_a_closed_session_stays_with_the_teams_until_the_article_is_agreed():
    """One party's signature is an act in the session it was made in (the audit labels it so);
    only the article's status, agreed once both have signed, is public whatever the session."""
    t = Table()
    opened = t.session("open")
    article = t.article("9")
    proposal = t.n.table_proposal(UNION_CHIEF, article_id=article, text="Open language")
    t.n.close_session(UNION_CHIEF, session_id=opened)
    t.session("closed")
    t.n.sign_ta(EMPLOYER_CHIEF, article_id=article, proposal_id=proposal)
    board = t.board
    for aud in (PUBLIC, MEMBER, OFFICIAL):
        view = article_view(board, article, aud)
        summary = board_parts(board, aud)[f"article:{article}"]
        whole = negotiation_view(board, aud).articles[0]
        assert view is not None and "Open language" in _texts(view)  # tabled in the open
        assert view.ta_signed_by == summary.ta_signed_by == whole.ta_signed_by == []
    for team in (UNION, EMPLOYER):
        assert board_parts(board, team)[f"article:{article}"].ta_signed_by == ["employer"]
        assert negotiation_view(board, team).articles[0].ta_signed_by == ["employer"]
    t.n.sign_ta(UNION_CHIEF, article_id=article, proposal_id=proposal)
    agreed = board_parts(t.board, PUBLIC)[f"article:{article}"]
    assert agreed.status == "agreed" and sorted(agreed.ta_signed_by) == ["employer", "union"]


def test_a_reopen_consent_is_for_the_teams_only_the_ground_rules_part_not_for_the_public():
    """The console shows a consent to reopen before the article reopens, through the board
    feed, to the teams alone; the ground rules offer and late requests reach the facilitator's
    console too (an official's feed, which unit members share), never the public."""
    t = Table()
    t.session("closed")
    article = t.article("9")
    proposal = t.n.table_proposal(UNION_CHIEF, article_id=article, text="Closed language")
    t.n.sign_ta(UNION_CHIEF, article_id=article, proposal_id=proposal)
    t.n.sign_ta(EMPLOYER_CHIEF, article_id=article, proposal_id=proposal)
    t.n.consent_to_reopen(EMPLOYER_CHIEF, article_id=article)
    t.n.propose_ground_rules(UNION_CHIEF, rules=GroundRules(observers="Two parents"))
    board = t.board
    for team in (UNION, EMPLOYER):
        parts = board_parts(board, team)
        assert parts[f"article:{article}"].reopen_consents == ["employer"]
        rules = parts["ground_rules"]
        assert rules.agreed_by == ["union", "employer"]
        assert rules.offer is not None and rules.offer.rules.observers == "Two parents"
    for aud in (PUBLIC, MEMBER, OFFICIAL):
        parts = board_parts(board, aud)
        assert parts[f"article:{article}"].reopen_consents == []
        if aud is PUBLIC:
            assert "ground_rules" not in parts
        else:
            assert parts["ground_rules"] == board_parts(board, UNION)["ground_rules"]


def test_a_package_tabled_in_a_closed_session_stays_with_the_teams():
    """A package is a move across the table: tabled in a closed session, which articles it
    bundles stays with the teams (DOMAIN.md, "Who sees what": closed sessions are status only),
    also once the session is opened later; one tabled in the open is everyone's."""
    t = Table()
    closed = t.session("closed")
    hidden = [t.article("1"), t.article("2")]
    t.n.table_package(UNION_CHIEF, items=[{"article_id": a, "text": f"Closed {a}"} for a in hidden])
    t.n.change_session_visibility(UNION_CHIEF, session_id=closed, visibility="open")
    shown = [t.article("3"), t.article("4")]
    t.n.table_package(UNION_CHIEF, items=[{"article_id": a, "text": f"Open {a}"} for a in shown])
    board = t.board
    for who, aud in AUDIENCES.items():
        packages = [p.article_ids for p in negotiation_view(board, aud).packages]
        assert packages == ([hidden, shown] if aud.party else [shown]), who


def test_card_totals_recorded_in_a_closed_session_stay_with_the_teams():
    """Reactions are a session's content (DOMAIN.md, "Who sees what"): the totals of a turn on
    the table that ended while the session was closed stay with the teams, in the article's
    history and in the session's bulletin draft, also once the session is opened; the totals
    recorded after that are everyone's."""
    t = Table()
    sid = t.session("closed")
    first, second, third = t.article("1"), t.article("2"), t.article("3")
    for turn, (article, red) in enumerate([(first, 3), (second, 1)], start=1):
        t.n.bring_to_table(UNION_CHIEF, session_id=sid, article_id=article)
        t.n.bring_to_table(UNION_CHIEF, session_id=sid, article_id=third)  # its turn ends
        t.n.close_reaction_totals(
            PLATFORM_ACTOR,
            session_id=sid,
            article_id=article,
            turn=2 * turn - 1,
            red=red,
            green=0,
            peak_red=red,
            peak_green=0,
        )
        if turn == 1:
            t.n.change_session_visibility(UNION_CHIEF, session_id=sid, visibility="open")
    board = t.board
    for who, aud in AUDIENCES.items():
        histories = [article_history(board, a, aud) for a in (first, second)]
        reds = [[r.red for r in h.reactions] for h in histories if h is not None]
        draft = bulletin_draft(board, sid, aud)
        assert draft is not None
        if aud.party:
            assert reds == [[3], [1]] and [r.red for r in draft.reactions] == [3, 1], who
        else:
            assert reds == [[], [1]] and [r.red for r in draft.reactions] == [1], who


def test_the_bulletin_draft_leaves_out_what_moved_while_the_session_was_closed():
    """DOMAIN.md, Visibility: a closed part stays with the teams when the session is opened.
    The draft a team edits into the public bulletin lists the moves the reader may see."""
    t = Table()
    sid = t.session("closed")
    hidden = t.article("1")
    t.n.table_proposal(UNION_CHIEF, article_id=hidden, text="Closed language")
    t.n.change_session_visibility(UNION_CHIEF, session_id=sid, visibility="open")
    shown = t.article("2")
    t.n.table_proposal(UNION_CHIEF, article_id=shown, text="Open language")
    board = t.board
    for who, aud in AUDIENCES.items():
        draft = bulletin_draft(board, sid, aud)
        assert draft is not None
        assert [i.article_id for i in draft.tabled] == (
            [hidden, shown] if aud.party else [shown]
        ), who
        assert ("Article 1 " in draft.text) is bool(aud.party), who
