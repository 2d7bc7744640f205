"""The negotiation board: one read document per negotiation, folded from its events.

`apply(board, event)` is a plain function of events (no I/O, no clock). Everything people watch
is a view of this document for one audience (see `projections.views`): the status board, article
histories, session displays, overlays and bulletins. Content carries what its visibility depends
on, so one document serves every audience: the team it belongs to, or the visibility its
session had when it was recorded (stamped here as the board folds the event: the board folds
in log order, so it knows the session's visibility at that moment). A later change of a
session's visibility applies to what is recorded afterwards only (DOMAIN.md, "Visibility").
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import msgspec

from negotiation.domain.visibility import recorded_visibility
from projections.events import RecordedEvent

PARTY_NAMES = ("union", "employer")


class Move(msgspec.Struct):
    kind: str  # tabled, countered, revised, withdrawn, signed, agreed, reopened, opened
    party: str | None
    by: str
    at: datetime
    position: int
    session_id: str | None
    in_writing: bool = False
    visibility: str = "closed"  # as recorded (unstamped documents: the cautious choice)


class ProposalEntry(msgspec.Struct):
    proposal_id: str
    version: int
    party: str
    text: str
    at: datetime
    by: str
    position: int
    answers: str | None = None
    package_id: str | None = None
    session_id: str | None = None
    in_writing: bool = False
    as_received: bool = False
    status: str = "live"
    visibility: str = "closed"  # as recorded


class ArticleEntry(msgspec.Struct):
    article_id: str
    number: str
    title: str
    category: str
    current_language: str
    opened_by: str
    opened_at: datetime
    session_id: str | None
    late: bool = False
    status: str = "open"  # open, agreed, withdrawn
    proposals: list[ProposalEntry] = msgspec.field(default_factory=list)
    ta_signed_by: list[str] = msgspec.field(default_factory=list)
    agreed_proposal_id: str | None = None
    last_move: Move | None = None
    revision: int = 1  # as the aggregate counts it: what a command's expected_revision names
    reopen_consents: list[str] = msgspec.field(default_factory=list)
    reactions: list[ReactionTotalsEntry] = msgspec.field(default_factory=list)

    def proposal(self, proposal_id: str) -> ProposalEntry | None:
        for proposal in self.proposals:
            if proposal.proposal_id == proposal_id:
                return proposal
        return None

    def live(self, party: str) -> ProposalEntry | None:
        for proposal in reversed(self.proposals):
            if proposal.party == party and proposal.status == "live":
                return proposal
        return None


class ReactionTotalsEntry(msgspec.Struct):
    """The red and green cards held when an article's turn on the table ended, and the most
    held at once during it (realtime/cards.py counts them; single cards are never stored)."""

    session_id: str
    turn: int
    red: int
    green: int
    peak_red: int
    peak_green: int
    at: datetime
    position: int
    visibility: str = "closed"  # its session's, when it was recorded


class TimelineEntry(msgspec.Struct):
    position: int
    at: datetime
    kind: str
    party: str | None
    by: str
    article_id: str | None = None
    proposal_id: str | None = None
    detail: str = ""
    visibility: str = "closed"  # its session's, when it was recorded


class BulletinEntry(msgspec.Struct):
    party: str
    text: str
    at: datetime
    by: str
    position: int
    visibility: str = "closed"  # its session's, when it was published
    text_es: str | None = None  # the Spanish text, when the team published one

    def text_in(self, lang: str) -> str:
        """The reader's language when the team wrote it, else the text as published."""
        return self.text_es if lang == "es" and self.text_es else self.text


class SessionEntry(msgspec.Struct):
    session_id: str
    number: int
    title: str
    visibility: str
    location: str
    starts_at: datetime
    capacity: int | None
    livestream_url: str | None
    languages: list[str]
    status: str = "scheduled"  # scheduled, open, recessed, closed
    opened_at: datetime | None = None
    closed_at: datetime | None = None
    recess_started_at: datetime | None = None
    recess_seconds: float = 0.0
    agenda: list[str] = msgspec.field(default_factory=list)
    article_on_table: str | None = None
    table_turn: int = 0  # the article on the table's turn: 1 for the first brought
    caucus_party: str | None = None
    caucus_since: datetime | None = None
    attendance: int | None = None
    bulletins: list[BulletinEntry] = msgspec.field(default_factory=list)
    timeline: list[TimelineEntry] = msgspec.field(default_factory=list)
    # The speaker lower third on air (overlays), with the visibility it was taken to air at.
    speaker_name: str | None = None
    speaker_title: str = ""
    speaker_visibility: str = "closed"


class DraftEntry(msgspec.Struct):
    draft_id: str
    article_id: str
    party: str
    text: str
    revision: int
    at: datetime
    by: str
    tabled_as: str | None = None


class NoteEntry(msgspec.Struct):
    note_id: str
    party: str
    text: str
    at: datetime
    by: str
    session_id: str | None = None
    article_id: str | None = None


class PackageEntry(msgspec.Struct):
    package_id: str
    party: str
    proposal_ids: list[str]
    article_ids: list[str]
    status: str = "live"
    tabled_at: datetime | None = None


class TeamEntry(msgspec.Struct):
    name: str
    party: str
    role: str


class WholeTA(msgspec.Struct):
    reached_at: datetime
    document_hash: str
    agreed_article_ids: list[str]
    withdrawn_article_ids: list[str] = msgspec.field(default_factory=list)


class GroundRulesEntry(msgspec.Struct):
    proposal_cutoff: datetime | None = None
    written_exchange_allowed: bool = False
    open_sessions_allowed: bool = True
    members_sessions_allowed: bool = True
    observers: str = ""
    interpretation_languages: list[str] = msgspec.field(default_factory=list)


class GroundRulesOfferEntry(msgspec.Struct):
    offer_id: str
    party: str
    rules: GroundRulesEntry


class LateRequestEntry(msgspec.Struct):
    request_id: str
    party: str
    article_id: str
    number: str
    title: str
    category: str
    status: str = "pending"  # pending, consented
    current_language: str = ""


class Board(msgspec.Struct):
    negotiation_id: str
    title: str
    kind: str
    bargaining_unit: str
    union_name: str
    employer_name: str
    opened_at: datetime
    position: int = 0  # the last event of this negotiation folded in
    version: int = 0
    team: dict[str, TeamEntry] = msgspec.field(default_factory=dict)  # by account id
    articles: dict[str, ArticleEntry] = msgspec.field(default_factory=dict)
    sessions: dict[str, SessionEntry] = msgspec.field(default_factory=dict)
    drafts: dict[str, DraftEntry] = msgspec.field(default_factory=dict)
    notes: list[NoteEntry] = msgspec.field(default_factory=list)
    packages: dict[str, PackageEntry] = msgspec.field(default_factory=dict)
    whole_ta: WholeTA | None = None
    running_session_id: str | None = None
    facilitators: list[str] = msgspec.field(default_factory=list)  # account ids
    facilitator_names: list[str] = msgspec.field(default_factory=list)
    ground_rules: GroundRulesEntry | None = None
    ground_rules_offer: GroundRulesOfferEntry | None = None
    late_requests: dict[str, LateRequestEntry] = msgspec.field(default_factory=dict)
    ground_rules_agreed_by: list[str] = msgspec.field(default_factory=list)  # offered, agreed
    hidden_graphics: list[str] = msgspec.field(default_factory=list)  # overlays off air

    @property
    def ground_rules_agreed(self) -> bool:
        return self.ground_rules is not None

    def running_session(self) -> SessionEntry | None:
        # Kept as an id by the session handlers: this is asked for every move (hot in replay).
        return self.sessions.get(self.running_session_id or "")

    def party_name(self, party: str | None) -> str:
        if party == "union":
            return self.union_name
        if party == "employer":
            return self.employer_name
        return "the facilitator"


BOARD_ENCODER = msgspec.msgpack.Encoder()
BOARD_DECODER = msgspec.msgpack.Decoder(Board)

Handler = Callable[[Board, RecordedEvent], None]


def _timeline(
    board: Board,
    event: RecordedEvent,
    kind: str,
    *,
    session_id: str | None = None,
    article_id: str | None = None,
    proposal_id: str | None = None,
    detail: str = "",
) -> None:
    """Add to the timeline of the session the act happened in (acts in writing have none)."""
    sid = session_id if session_id is not None else event.data.get("session_id")
    session = board.sessions.get(sid or "")
    if session is None:
        return
    session.timeline.append(
        TimelineEntry(
            position=event.position,
            at=event.at,
            kind=kind,
            party=event.by.get("party"),
            by=event.by.get("name", ""),
            article_id=article_id,
            proposal_id=proposal_id,
            detail=detail,
            visibility=recorded_visibility(session.visibility),
        )
    )


def _running_session_id(board: Board) -> str | None:
    running = board.running_session()
    return running.session_id if running else None


def _visibility_now(board: Board, session_id: str | None) -> str:
    """The visibility something recorded now in this session (None: in writing) keeps."""
    session = board.sessions.get(session_id or "")
    return recorded_visibility(session.visibility if session is not None else None)


def _move(board: Board, article: ArticleEntry, event: RecordedEvent, kind: str) -> None:
    by = event.by
    in_writing = bool(by.get("in_writing"))
    session_id = _running_session_id(board)
    article.last_move = Move(
        kind=kind,
        party=by.get("party"),
        by=by.get("name", ""),
        at=event.at,
        position=event.position,
        session_id=session_id,
        in_writing=in_writing,
        visibility=_visibility_now(board, None if in_writing else session_id),
    )


# ---------------------------------------------------------------------- handlers
def _facilitator_appointed(board: Board, e: RecordedEvent) -> None:
    board.facilitators.append(e.data["account_id"])
    board.facilitator_names.append(e.data.get("name", ""))


def _team_member_added(board: Board, e: RecordedEvent) -> None:
    board.team[e.data["account_id"]] = TeamEntry(
        name=e.data["name"], party=e.data["party"], role=e.data["role"]
    )


def _team_member_removed(board: Board, e: RecordedEvent) -> None:
    board.team.pop(e.data["account_id"], None)


def _chief_named(board: Board, e: RecordedEvent) -> None:
    for member in board.team.values():
        if member.party == e.data["party"] and member.role == "chief":
            member.role = "member"
    chief = board.team.get(e.data["account_id"])
    if chief is not None:
        chief.role = "chief"


def _rules(data: dict[str, Any]) -> GroundRulesEntry:
    return msgspec.convert(data, GroundRulesEntry)


def _ground_rules_proposed(board: Board, e: RecordedEvent) -> None:
    board.ground_rules_offer = GroundRulesOfferEntry(
        offer_id=e.data["offer_id"], party=e.by["party"], rules=_rules(e.data["rules"])
    )


def _ground_rules(board: Board, e: RecordedEvent) -> None:
    offer = board.ground_rules_offer
    board.ground_rules_agreed_by = [offer.party, e.by["party"]] if offer else [e.by["party"]]
    board.ground_rules = _rules(e.data["rules"])
    board.ground_rules_offer = None


def _late_article_requested(board: Board, e: RecordedEvent) -> None:
    d = e.data
    board.late_requests[d["request_id"]] = LateRequestEntry(
        request_id=d["request_id"],
        party=e.by["party"],
        article_id=d["article_id"],
        number=d["number"],
        title=d["title"],
        category=d["category"],
        current_language=d.get("current_language", ""),
    )


def _article_opened(board: Board, e: RecordedEvent) -> None:
    d = e.data
    article = ArticleEntry(
        article_id=d["article_id"],
        number=d["number"],
        title=d["title"],
        category=d["category"],
        current_language=d["current_language"],
        opened_by=d.get("requested_by") or e.by["party"],
        opened_at=e.at,
        session_id=d.get("session_id"),
        late=d["late"],
    )
    board.articles[article.article_id] = article
    request = board.late_requests.get(d.get("request_id") or "")
    if request is not None:
        request.status = "consented"
    _move(board, article, e, "opened")
    board.whole_ta = None
    _timeline(
        board,
        e,
        "article_opened",
        article_id=article.article_id,
        detail=f"Article {article.number} — {article.title}",
    )


def _table(board: Board, e: RecordedEvent, item: dict[str, Any], package_id: str | None) -> None:
    article = board.articles[item["article_id"]]
    party = e.by["party"]
    previous = article.live(party)
    kind = "countered" if item.get("answers") else ("revised" if previous else "tabled")
    if previous is not None:
        previous.status = "superseded"
    proposal = ProposalEntry(
        proposal_id=item["proposal_id"],
        version=item["version"],
        party=party,
        text=item["text"],
        at=e.at,
        by=e.by.get("name", ""),
        position=e.position,
        answers=item.get("answers"),
        package_id=package_id,
        session_id=e.data.get("session_id"),
        in_writing=bool(e.by.get("in_writing")),
        as_received=bool(e.by.get("as_received")),
        visibility=_visibility_now(board, e.data.get("session_id")),
    )
    article.proposals.append(proposal)
    article.ta_signed_by.clear()
    article.revision += 1
    _move(board, article, e, kind)
    _timeline(
        board,
        e,
        kind,
        article_id=article.article_id,
        proposal_id=proposal.proposal_id,
        detail=f"Article {article.number}, version {proposal.version}",
    )


def _proposal_tabled(board: Board, e: RecordedEvent) -> None:
    rejected = e.data.get("rejects_package")
    if rejected and rejected in board.packages:
        board.packages[rejected].status = "rejected"
    _table(board, e, e.data, None)
    draft = board.drafts.get(e.data.get("from_draft") or "")
    if draft is not None:
        draft.tabled_as = e.data["proposal_id"]


def _package_tabled(board: Board, e: RecordedEvent) -> None:
    items = e.data["proposals"]
    for item in items:
        _table(board, e, item, e.data["package_id"])
    board.packages[e.data["package_id"]] = PackageEntry(
        package_id=e.data["package_id"],
        party=e.by["party"],
        proposal_ids=[i["proposal_id"] for i in items],
        article_ids=[i["article_id"] for i in items],
        tabled_at=e.at,
    )


def _agree(board: Board, e: RecordedEvent, article_id: str, proposal_id: str) -> None:
    article = board.articles[article_id]
    article.status = "agreed"
    article.agreed_proposal_id = proposal_id
    for proposal in article.proposals:
        if proposal.proposal_id == proposal_id:
            proposal.status = "agreed"
        elif proposal.status == "live":
            proposal.status = "superseded"
    article.ta_signed_by = list(PARTY_NAMES)
    article.reopen_consents.clear()
    article.revision += 1
    _move(board, article, e, "agreed")
    _timeline(
        board,
        e,
        "agreed",
        article_id=article_id,
        proposal_id=proposal_id,
        detail=f"Article {article.number} tentatively agreed",
    )


def _package_accepted(board: Board, e: RecordedEvent) -> None:
    package = board.packages[e.data["package_id"]]
    package.status = "accepted"
    for article_id, proposal_id in zip(package.article_ids, package.proposal_ids, strict=True):
        _agree(board, e, article_id, proposal_id)


def _package_withdrawn(board: Board, e: RecordedEvent) -> None:
    package = board.packages[e.data["package_id"]]
    package.status = "withdrawn"
    for article_id, proposal_id in zip(package.article_ids, package.proposal_ids, strict=True):
        article = board.articles[article_id]
        proposal = article.proposal(proposal_id)
        if proposal is not None and proposal.status == "live":
            proposal.status = "withdrawn"
            article.ta_signed_by.clear()
            article.revision += 1
            _move(board, article, e, "withdrawn")
    _timeline(board, e, "package_withdrawn", detail="Package withdrawn")


def _proposal_withdrawn(board: Board, e: RecordedEvent) -> None:
    article = board.articles[e.data["article_id"]]
    proposal = article.proposal(e.data["proposal_id"])
    if proposal is not None:
        proposal.status = "withdrawn"
    article.ta_signed_by.clear()
    article.revision += 1
    _move(board, article, e, "withdrawn")
    _timeline(
        board,
        e,
        "proposal_withdrawn",
        article_id=article.article_id,
        proposal_id=e.data["proposal_id"],
        session_id=_running_session_id(board),
        detail=f"Article {article.number}, version "
        f"{proposal.version if proposal else '?'} withdrawn",
    )


def _article_withdrawn(board: Board, e: RecordedEvent) -> None:
    article = board.articles[e.data["article_id"]]
    article.status = "withdrawn"
    for proposal in article.proposals:
        if proposal.status == "live":
            proposal.status = "withdrawn"
    article.ta_signed_by.clear()
    article.reopen_consents.clear()
    article.revision += 1
    _move(board, article, e, "withdrawn")
    _timeline(
        board,
        e,
        "article_withdrawn",
        article_id=article.article_id,
        session_id=_running_session_id(board),
        detail=f"Article {article.number} withdrawn",
    )


def _ta_signed(board: Board, e: RecordedEvent) -> None:
    article = board.articles[e.data["article_id"]]
    article.ta_signed_by.append(e.by["party"])
    article.revision += 1
    _move(board, article, e, "signed")
    _timeline(
        board,
        e,
        "ta_signed",
        article_id=article.article_id,
        proposal_id=e.data["proposal_id"],
        session_id=_running_session_id(board),
        detail=f"TA signed on Article {article.number}",
    )


def _article_agreed(board: Board, e: RecordedEvent) -> None:
    _agree(board, e, e.data["article_id"], e.data["proposal_id"])


def _article_reopened(board: Board, e: RecordedEvent) -> None:
    article = board.articles[e.data["article_id"]]
    if article.agreed_proposal_id:
        agreed = article.proposal(article.agreed_proposal_id)
        if agreed is not None:
            article.current_language = agreed.text
            agreed.status = "live"  # the TA'd version is live again (DOMAIN.md)
    article.status = "open"
    article.agreed_proposal_id = None
    article.ta_signed_by.clear()
    article.reopen_consents.clear()
    article.revision += 1
    _move(board, article, e, "reopened")
    board.whole_ta = None
    _timeline(
        board,
        e,
        "article_reopened",
        article_id=article.article_id,
        session_id=_running_session_id(board),
        detail=f"Article {article.number} reopened",
    )


def _reopening_consented(board: Board, e: RecordedEvent) -> None:
    article = board.articles[e.data["article_id"]]
    article.reopen_consents.append(e.by["party"])
    article.revision += 1


def _whole_ta(board: Board, e: RecordedEvent) -> None:
    board.whole_ta = WholeTA(
        reached_at=e.at,
        document_hash=e.data["document_hash"],
        agreed_article_ids=list(e.data["agreed_article_ids"]),
        withdrawn_article_ids=list(e.data.get("withdrawn_article_ids", [])),
    )


def _draft(board: Board, e: RecordedEvent) -> None:
    board.drafts[e.data["draft_id"]] = DraftEntry(
        draft_id=e.data["draft_id"],
        article_id=e.data["article_id"],
        party=e.by["party"],
        text=e.data["text"],
        revision=1,
        at=e.at,
        by=e.by.get("name", ""),
    )


def _draft_revised(board: Board, e: RecordedEvent) -> None:
    draft = board.drafts[e.data["draft_id"]]
    draft.text = e.data["text"]
    draft.revision += 1
    draft.at = e.at
    draft.by = e.by.get("name", "")


def _note(board: Board, e: RecordedEvent) -> None:
    board.notes.append(
        NoteEntry(
            note_id=e.data["note_id"],
            party=e.by["party"],
            text=e.data["text"],
            at=e.at,
            by=e.by.get("name", ""),
            session_id=e.data.get("session_id"),
            article_id=e.data.get("article_id"),
        )
    )


def _session_scheduled(board: Board, e: RecordedEvent) -> None:
    d = e.data
    board.sessions[d["session_id"]] = SessionEntry(
        session_id=d["session_id"],
        number=d["number"],
        title=d["title"],
        visibility=d["visibility"],
        location=d["location"],
        starts_at=d["starts_at"],
        capacity=d["capacity"],
        livestream_url=d["livestream_url"],
        languages=list(d["languages"]),
    )


def _session(board: Board, e: RecordedEvent) -> SessionEntry:
    return board.sessions[e.data["session_id"]]


def _session_opened(board: Board, e: RecordedEvent) -> None:
    session = _session(board, e)
    session.status = "open"
    session.opened_at = e.at
    board.running_session_id = session.session_id
    _timeline(board, e, "session_opened", detail=f"Session {session.number} opened")


def _session_recessed(board: Board, e: RecordedEvent) -> None:
    session = _session(board, e)
    session.status = "recessed"
    session.recess_started_at = e.at
    _timeline(board, e, "session_recessed", detail="Recess")


def _session_resumed(board: Board, e: RecordedEvent) -> None:
    session = _session(board, e)
    session.status = "open"
    if session.recess_started_at is not None:
        session.recess_seconds += (e.at - session.recess_started_at).total_seconds()
    session.recess_started_at = None
    _timeline(board, e, "session_resumed", detail="Back from recess")


def _session_closed(board: Board, e: RecordedEvent) -> None:
    session = _session(board, e)
    if session.recess_started_at is not None:
        session.recess_seconds += (e.at - session.recess_started_at).total_seconds()
        session.recess_started_at = None
    session.status = "closed"
    session.closed_at = e.at
    if board.running_session_id == session.session_id:
        board.running_session_id = None
    session.caucus_party = None
    session.caucus_since = None
    session.article_on_table = None
    _timeline(board, e, "session_closed", detail=f"Session {session.number} closed")


def _visibility_changed(board: Board, e: RecordedEvent) -> None:
    _session(board, e).visibility = e.data["visibility"]


def _agenda_set(board: Board, e: RecordedEvent) -> None:
    _session(board, e).agenda = list(e.data["article_ids"])


def _brought_to_table(board: Board, e: RecordedEvent) -> None:
    session = _session(board, e)
    session.article_on_table = e.data["article_id"]
    session.table_turn += 1
    article = board.articles.get(e.data["article_id"])
    _timeline(
        board,
        e,
        "article_on_table",
        article_id=e.data["article_id"],
        detail=f"Article {article.number} — {article.title}" if article else "",
    )


def _caucus_called(board: Board, e: RecordedEvent) -> None:
    session = _session(board, e)
    session.caucus_party = e.by["party"]
    session.caucus_since = e.at
    _timeline(board, e, "caucus_called", detail="Caucus")


def _caucus_ended(board: Board, e: RecordedEvent) -> None:
    session = _session(board, e)
    session.caucus_party = None
    session.caucus_since = None
    _timeline(board, e, "caucus_ended", detail="Caucus over")


def _attendance(board: Board, e: RecordedEvent) -> None:
    _session(board, e).attendance = e.data["count"]


def _bulletin(board: Board, e: RecordedEvent) -> None:
    session = _session(board, e)
    session.bulletins.append(
        BulletinEntry(
            party=e.by["party"],
            text=e.data["text"],
            at=e.at,
            by=e.by.get("name", ""),
            position=e.position,
            visibility=recorded_visibility(session.visibility),
            text_es=e.data.get("text_es"),
        )
    )


def _reaction_totals(board: Board, e: RecordedEvent) -> None:
    session = _session(board, e)
    d = e.data
    article = board.articles.get(d["article_id"])
    if article is None:
        return
    article.reactions.append(
        ReactionTotalsEntry(
            session_id=session.session_id,
            turn=d["turn"],
            red=d["red"],
            green=d["green"],
            peak_red=d["peak_red"],
            peak_green=d["peak_green"],
            at=e.at,
            position=e.position,
            visibility=recorded_visibility(session.visibility),
        )
    )
    _timeline(
        board,
        e,
        "reaction_totals",
        article_id=d["article_id"],
        detail=f"Article {article.number}: {d['red']} red, {d['green']} green",
    )


def _graphic_hidden(board: Board, e: RecordedEvent) -> None:
    if e.data["graphic"] not in board.hidden_graphics:
        board.hidden_graphics.append(e.data["graphic"])


def _graphic_shown(board: Board, e: RecordedEvent) -> None:
    if e.data["graphic"] in board.hidden_graphics:
        board.hidden_graphics.remove(e.data["graphic"])


def _speaker_on_air(board: Board, e: RecordedEvent) -> None:
    session = _session(board, e)
    session.speaker_name = e.data["name"]
    session.speaker_title = e.data["title"]
    session.speaker_visibility = recorded_visibility(session.visibility)


def _speaker_cleared(board: Board, e: RecordedEvent) -> None:
    _session(board, e).speaker_name = None


def _nothing(board: Board, e: RecordedEvent) -> None:
    """An event type this board does not know (recorded by a newer version): nothing to fold."""


HANDLERS: dict[str, Handler] = {
    "TeamMemberAdded": _team_member_added,
    "TeamMemberRemoved": _team_member_removed,
    "ChiefNegotiatorNamed": _chief_named,
    "FacilitatorAppointed": _facilitator_appointed,
    "GroundRulesProposed": _ground_rules_proposed,
    "GroundRulesAgreed": _ground_rules,
    "GroundRulesAmended": _ground_rules,
    "LateArticleRequested": _late_article_requested,
    "ArticleOpened": _article_opened,
    "ProposalDrafted": _draft,
    "DraftRevised": _draft_revised,
    "ProposalTabled": _proposal_tabled,
    "ProposalWithdrawn": _proposal_withdrawn,
    "ArticleWithdrawn": _article_withdrawn,
    "TASigned": _ta_signed,
    "ArticleTentativelyAgreed": _article_agreed,
    "ReopeningConsented": _reopening_consented,
    "ArticleReopened": _article_reopened,
    "PackageTabled": _package_tabled,
    "PackageAccepted": _package_accepted,
    "PackageWithdrawn": _package_withdrawn,
    "TentativeAgreementReached": _whole_ta,
    # Ratification is the vote's own read model (its aggregate, the votes API): nothing here.
    "RatificationVoteCalled": _nothing,
    "ContractRatified": _nothing,
    "ContractRejected": _nothing,
    "SessionScheduled": _session_scheduled,
    "SessionVisibilityChanged": _visibility_changed,
    "SessionOpened": _session_opened,
    "SessionRecessed": _session_recessed,
    "SessionResumed": _session_resumed,
    "SessionClosed": _session_closed,
    "AgendaSet": _agenda_set,
    "ArticleBroughtToTable": _brought_to_table,
    "CaucusCalled": _caucus_called,
    "CaucusEnded": _caucus_ended,
    "AttendanceCounted": _attendance,
    "TeamNoteRecorded": _note,
    "BulletinPublished": _bulletin,
    "ReactionTotalsClosed": _reaction_totals,
    "OverlayGraphicHidden": _graphic_hidden,
    "OverlayGraphicShown": _graphic_shown,
    "SpeakerTakenToAir": _speaker_on_air,
    "SpeakerCleared": _speaker_cleared,
}


def new_board(event: RecordedEvent) -> Board:
    d = event.data
    return Board(
        negotiation_id=event.negotiation_id,
        title=d["title"],
        kind=d["kind"],
        bargaining_unit=d["bargaining_unit"],
        union_name=d["parties"]["union"],
        employer_name=d["parties"]["employer"],
        opened_at=event.at,
        position=event.position,
        version=event.version,
        team={
            c["account_id"]: TeamEntry(name=c["name"], party=c["party"], role="chief")
            for c in d["chiefs"]
        },
        facilitators=[d["facilitator"]["account_id"]] if d.get("facilitator") else [],
        facilitator_names=[d["facilitator"]["name"]] if d.get("facilitator") else [],
    )


def apply(board: Board | None, event: RecordedEvent) -> Board:
    """Fold one event into its negotiation's board (a no-op if already folded in)."""
    if event.type == "Opened":
        return board if board is not None else new_board(event)
    if board is None:
        raise ValueError(f"event {event.position} precedes its negotiation's opening")
    if event.position <= board.position:
        return board  # already applied: processing twice changes nothing
    handler = HANDLERS.get(event.type, _nothing)
    handler(board, event)
    board.position = event.position
    board.version = event.version
    return board
