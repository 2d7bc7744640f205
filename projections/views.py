"""What one audience sees of a board: feeds are dicts of named parts, each part a small Struct.

A feed's state is `{part name: part}`; the hub sends only the parts that changed, so the same
functions serve the HTTP snapshot, the live change, and a reconnecting client's catch-up.
Who sees what is asked of `negotiation.domain.visibility` (DOMAIN.md "Who sees what"): content
by the visibility stamped on it when it was recorded, a session's own details by its visibility
now, drafts and notes by their team. The documents the HTTP API answers with are in
`projections.documents`, built from the same board and the same rule.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, Protocol

import msgspec

from negotiation.domain.visibility import Audience
from projections.board import (
    ArticleEntry,
    Board,
    GroundRulesEntry,
    GroundRulesOfferEntry,
    LateRequestEntry,
    ProposalEntry,
    SessionEntry,
)

FeedKind = Literal["board", "session", "overlay"]
AudienceClass = Literal["public", "member", "union", "employer"]

AUDIENCE_OF_CLASS: dict[str, Audience] = {
    "public": Audience(),
    "member": Audience(unit_member=True),
    "union": Audience(party="union"),
    "employer": Audience(party="employer"),
}


class Viewer(Protocol):
    """What the read side needs to know of a signed-in person."""

    @property
    def account_id(self) -> str: ...
    @property
    def bargaining_units(self) -> tuple[str, ...]: ...
    @property
    def is_admin(self) -> bool: ...


def audience_on(board: Board, viewer: Viewer | None) -> Audience:
    """What a viewer is to this negotiation, from its board: team party, unit member,
    official (administrator or facilitator), or the public."""
    if viewer is None:
        return Audience()
    member = board.team.get(viewer.account_id)
    return Audience(
        party=member.party if member is not None else None,  # type: ignore[arg-type]
        unit_member=board.bargaining_unit in viewer.bargaining_units,
        official=viewer.is_admin or viewer.account_id in board.facilitators,
    )


def audience_class(audience: Audience) -> AudienceClass:
    """Viewers who see exactly the same thing share one class (and one encoded message)."""
    if audience.party == "union":
        return "union"
    if audience.party == "employer":
        return "employer"
    if audience.unit_member or audience.official:
        return "member"
    return "public"


def visible_proposals(board: Board, article: ArticleEntry, aud: Audience) -> list[ProposalEntry]:
    """The proposals this audience may read, each by the visibility it was tabled at."""
    return [p for p in article.proposals if aud.sees_session(p.visibility)]


def article_status(board: Board, article: ArticleEntry, aud: Audience) -> tuple[str, str | None]:
    """(status, proposed by): open / agreed / withdrawn is public; whether an open article is
    proposed or countered depends on which live proposals this audience may read."""
    if article.status != "open":
        return article.status, None
    live = [p for p in visible_proposals(board, article, aud) if p.status == "live"]
    if not live:
        return "open", None
    return ("countered" if len({p.party for p in live}) == 2 else "proposed"), live[-1].party


def ta_signers(board: Board, article: ArticleEntry, aud: Audience) -> list[str]:
    """Who has signed a TA on the article, as this audience may know it: both parties once it
    is agreed (its status); before that, one party's signature by the session it was made in.
    A pending signature is always the article's last move (every other move clears it)."""
    if not article.ta_signed_by or not visible_proposals(board, article, aud):
        return []
    move = article.last_move
    if article.status == "agreed" or (
        move is not None and move.kind == "signed" and aud.sees_session(move.visibility)
    ):
        return list(article.ta_signed_by)
    return []


# ---------------------------------------------------------------------- parts
class NegotiationPart(msgspec.Struct, frozen=True):
    negotiation_id: str
    title: str
    kind: str
    bargaining_unit: str
    union_name: str
    employer_name: str
    articles_total: int
    articles_agreed: int
    articles_withdrawn: int
    whole_ta_reached_at: datetime | None
    whole_ta_document_hash: str | None


class ArticleSummaryPart(msgspec.Struct, frozen=True):
    article_id: str
    number: str
    title: str
    category: str
    status: str  # open, proposed, countered, agreed, withdrawn
    proposed_by: str | None
    latest_version: int
    last_move: str | None
    last_move_party: str | None
    last_move_by: str | None
    last_move_at: datetime | None
    ta_signed_by: list[str]
    # The parties that consented to reopen a TA'd or withdrawn article, for the teams only
    # (a consent is an act in its session; the teams see every session).
    reopen_consents: list[str] = msgspec.field(default_factory=list)


class GroundRulesPart(msgspec.Struct, frozen=True):
    """For the teams, and the officials and members (the facilitator's console reads it): the
    ground rules in force and which party offered and agreed them, the offer now on the table,
    and the late articles asked for after the cut-off."""

    agreed: GroundRulesEntry | None
    agreed_by: list[str]  # the party that offered them, then the one that agreed
    offer: GroundRulesOfferEntry | None
    late_requests: list[LateRequestEntry]


class SessionSummaryPart(msgspec.Struct, frozen=True):
    session_id: str
    number: int
    title: str
    visibility: str
    status: str
    starts_at: datetime
    details_visible: bool
    location: str | None = None
    caucus_party: str | None = None
    article_on_table: str | None = None
    attendance: int | None = None
    capacity: int | None = None
    agenda: list[str] = msgspec.field(default_factory=list)  # article ids, in order


class PrivatePart(msgspec.Struct, frozen=True):
    kind: str  # draft or note
    item_id: str
    party: str
    text: str
    at: datetime
    by: str
    article_id: str | None
    revision: int | None = None
    tabled_as: str | None = None


def _status_move(article: ArticleEntry, kind: str) -> bool:
    """Whether a move is what gives the article its status now, which is public (DOMAIN.md,
    Visibility): opened, agreed, reopened, or the whole subject withdrawn; a withdrawn
    proposal (its kind too) leaves the article open, and stays where it was recorded."""
    if kind == "withdrawn":
        return article.status == "withdrawn"
    return kind in ("agreed", "opened", "reopened")


def _article_summary(board: Board, article: ArticleEntry, aud: Audience) -> ArticleSummaryPart:
    visible = visible_proposals(board, article, aud)
    status, proposed_by = article_status(board, article, aud)
    move = article.last_move
    move_visible = move is not None and (
        _status_move(article, move.kind) or aud.sees_session(move.visibility)
    )
    return ArticleSummaryPart(
        article_id=article.article_id,
        number=article.number,
        title=article.title,
        category=article.category,
        status=status,
        proposed_by=proposed_by,
        latest_version=visible[-1].version if visible else 0,
        last_move=move.kind if move and move_visible else None,
        last_move_party=move.party if move and move_visible else None,
        last_move_by=move.by if move and move_visible else None,
        last_move_at=move.at if move and move_visible else None,
        ta_signed_by=ta_signers(board, article, aud),
        reopen_consents=list(article.reopen_consents) if aud.party is not None else [],
    )


def _session_summary(board: Board, session: SessionEntry, aud: Audience) -> SessionSummaryPart:
    if not aud.sees_session(session.visibility):
        return SessionSummaryPart(
            session_id=session.session_id,
            number=session.number,
            title=session.title,
            visibility=session.visibility,
            status=session.status,
            starts_at=session.starts_at,
            details_visible=False,
        )
    return SessionSummaryPart(
        session_id=session.session_id,
        number=session.number,
        title=session.title,
        visibility=session.visibility,
        status=session.status,
        starts_at=session.starts_at,
        details_visible=True,
        location=session.location,
        caucus_party=session.caucus_party,
        article_on_table=session.article_on_table,
        attendance=session.attendance,
        capacity=session.capacity,
        agenda=list(session.agenda),
    )


def negotiation_part(board: Board) -> NegotiationPart:
    statuses = [a.status for a in board.articles.values()]
    whole = board.whole_ta
    return NegotiationPart(
        negotiation_id=board.negotiation_id,
        title=board.title,
        kind=board.kind,
        bargaining_unit=board.bargaining_unit,
        union_name=board.union_name,
        employer_name=board.employer_name,
        articles_total=len(statuses),
        articles_agreed=statuses.count("agreed"),
        articles_withdrawn=statuses.count("withdrawn"),
        whole_ta_reached_at=whole.reached_at if whole else None,
        whole_ta_document_hash=whole.document_hash if whole else None,
    )


def board_parts(board: Board, aud: Audience) -> dict[str, Any]:
    """The status board: every article's state, sessions, progress; drafts/notes for a team."""
    parts: dict[str, Any] = {"negotiation": negotiation_part(board)}
    for article in board.articles.values():
        parts[f"article:{article.article_id}"] = _article_summary(board, article, aud)
    for session in board.sessions.values():
        parts[f"session:{session.session_id}"] = _session_summary(board, session, aud)
    if aud.sees_label("members"):  # the rules are anyone's; a late article asked, members'
        parts["ground_rules"] = GroundRulesPart(
            agreed=board.ground_rules,
            agreed_by=list(board.ground_rules_agreed_by),
            offer=board.ground_rules_offer,
            late_requests=[r for r in board.late_requests.values() if r.status == "pending"],
        )
    for draft in board.drafts.values():
        if aud.sees_team_private(draft.party):
            parts[f"draft:{draft.draft_id}"] = PrivatePart(
                kind="draft",
                item_id=draft.draft_id,
                party=draft.party,
                text=draft.text,
                at=draft.at,
                by=draft.by,
                article_id=draft.article_id,
                revision=draft.revision,
                tabled_as=draft.tabled_as,
            )
    for note in board.notes:
        if aud.sees_team_private(note.party):
            parts[f"note:{note.note_id}"] = PrivatePart(
                kind="note",
                item_id=note.note_id,
                party=note.party,
                text=note.text,
                at=note.at,
                by=note.by,
                article_id=note.article_id,
            )
    return parts


# ---------------------------------------------------------------------- session display
class ClockPart(msgspec.Struct, frozen=True):
    status: str
    opened_at: datetime | None
    closed_at: datetime | None
    recess_started_at: datetime | None
    recess_seconds: float
    caucus_party: str | None
    caucus_since: datetime | None


class LatestProposal(msgspec.Struct, frozen=True):
    proposal_id: str
    version: int
    party: str
    text: str
    at: datetime
    by: str
    status: str


class OnTablePart(msgspec.Struct, frozen=True):
    article_id: str | None
    number: str | None
    title: str | None
    current_language: str | None
    union: LatestProposal | None
    employer: LatestProposal | None


class TimelinePart(msgspec.Struct, frozen=True):
    position: int
    at: datetime
    kind: str
    party: str | None
    by: str
    article_id: str | None
    detail: str


class SessionDetailPart(msgspec.Struct, frozen=True):
    session_id: str
    number: int
    title: str
    visibility: str
    status: str
    starts_at: datetime
    location: str
    capacity: int | None
    attendance: int | None
    livestream_url: str | None
    languages: list[str]
    agenda: list[str]


def _latest(
    board: Board, article: ArticleEntry, party: str, aud: Audience
) -> LatestProposal | None:
    for p in reversed(visible_proposals(board, article, aud)):
        if p.party == party and p.status in ("live", "agreed"):
            return LatestProposal(
                proposal_id=p.proposal_id,
                version=p.version,
                party=p.party,
                text=p.text,
                at=p.at,
                by=p.by,
                status=p.status,
            )
    return None


def session_parts(board: Board, session_id: str, aud: Audience) -> dict[str, Any]:
    session = board.sessions.get(session_id)
    if session is None:
        return {}
    parts: dict[str, Any] = {"summary": _session_summary(board, session, aud)}
    for index, bulletin in enumerate(session.bulletins):
        # By the visibility it was published at: a session closed later keeps its public
        # bulletins public (DOMAIN.md, Visibility).
        if aud.sees_session(bulletin.visibility):
            parts[f"bulletin:{index}"] = bulletin
    if not aud.sees_session(session.visibility):
        return parts
    parts["detail"] = SessionDetailPart(
        session_id=session.session_id,
        number=session.number,
        title=session.title,
        visibility=session.visibility,
        status=session.status,
        starts_at=session.starts_at,
        location=session.location,
        capacity=session.capacity,
        attendance=session.attendance,
        livestream_url=session.livestream_url,
        languages=list(session.languages),
        agenda=list(session.agenda),
    )
    parts["clock"] = ClockPart(
        status=session.status,
        opened_at=session.opened_at,
        closed_at=session.closed_at,
        recess_started_at=session.recess_started_at,
        recess_seconds=session.recess_seconds,
        caucus_party=session.caucus_party,
        caucus_since=session.caucus_since,
    )
    article = board.articles.get(session.article_on_table or "")
    parts["on_table"] = OnTablePart(
        article_id=article.article_id if article else None,
        number=article.number if article else None,
        title=article.title if article else None,
        current_language=article.current_language if article else None,
        union=_latest(board, article, "union", aud) if article else None,
        employer=_latest(board, article, "employer", aud) if article else None,
    )
    for entry in session.timeline:
        if not aud.sees_session(entry.visibility):
            continue  # recorded while the session was less public than it is now
        parts[f"timeline:{entry.position:012d}:{entry.kind}"] = TimelinePart(
            position=entry.position,
            at=entry.at,
            kind=entry.kind,
            party=entry.party,
            by=entry.by,
            article_id=entry.article_id,
            detail=entry.detail,
        )
    return parts


# ---------------------------------------------------------------------- overlays
LABELS: dict[str, dict[str, str]] = {
    "en": {
        "on_the_table": "On the table",
        "tentative_agreements": "Tentative agreements",
        "in_caucus": "In caucus",
        "recess": "Recess",
        "session": "Session",
        "closed_session": "Closed session",
        "no_session": "No session in progress",
        "union": "Union",
        "employer": "Employer",
    },
    "es": {
        "on_the_table": "En la mesa",
        "tentative_agreements": "Acuerdos tentativos",
        "in_caucus": "En caucus",
        "recess": "Receso",
        "session": "Sesión",
        "closed_session": "Sesión cerrada",
        "no_session": "No hay sesión en curso",
        "union": "Sindicato",
        "employer": "Empleador",
    },
}


class OverlayPart(msgspec.Struct, frozen=True):
    """The small, stable shape livestream overlays render (lower third, TA counter, caucus
    slate, session clock); labels in English and Spanish."""

    session_id: str | None
    session_number: int | None
    session_status: str  # none, scheduled, open, recessed, closed, hidden
    opened_at: datetime | None
    recess_started_at: datetime | None
    recess_seconds: float
    article_number: str | None
    article_title: str | None
    ta_count: int
    articles_total: int
    caucus_party: str | None
    caucus_party_name: str | None
    caucus_since: datetime | None
    union_name: str
    employer_name: str
    labels: dict[str, dict[str, str]]
    # The latest move on the article on the table (the lower third's second line), as the
    # status board shows it to this audience.
    last_move: str | None = None
    last_move_party_name: str | None = None
    # The producer's cues: graphics taken off air (shown transparent), and the speaker lower
    # third on air in this session, for an audience that may follow it.
    hidden: tuple[str, ...] = ()
    speaker_name: str | None = None
    speaker_title: str | None = None


def _overlay_session(board: Board) -> SessionEntry | None:
    running = board.running_session()
    if running is not None:
        return running
    started = [s for s in board.sessions.values() if s.opened_at is not None]
    return max(started, key=lambda s: s.opened_at or s.starts_at) if started else None


def overlay_parts(board: Board, aud: Audience) -> dict[str, Any]:
    session = _overlay_session(board)
    statuses = [a.status for a in board.articles.values()]
    visible = session is not None and aud.sees_session(session.visibility)
    article = board.articles.get(session.article_on_table or "") if session and visible else None
    caucus = session.caucus_party if session and visible else None
    summary = _article_summary(board, article, aud) if article else None
    move_party = summary.last_move_party if summary else None
    on_air = (
        session is not None
        and visible
        and session.status in ("open", "recessed")
        and session.speaker_name is not None
        and aud.sees_session(session.speaker_visibility)
    )
    return {
        "overlay": OverlayPart(
            session_id=session.session_id if session else None,
            session_number=session.number if session else None,
            session_status=("none" if session is None else session.status if visible else "hidden"),
            opened_at=session.opened_at if session and visible else None,
            recess_started_at=session.recess_started_at if session and visible else None,
            recess_seconds=session.recess_seconds if session and visible else 0.0,
            article_number=article.number if article else None,
            article_title=article.title if article else None,
            ta_count=statuses.count("agreed"),
            articles_total=len(statuses),
            caucus_party=caucus,
            caucus_party_name=board.party_name(caucus) if caucus else None,
            caucus_since=session.caucus_since if session and visible else None,
            union_name=board.union_name,
            employer_name=board.employer_name,
            labels=LABELS,
            last_move=summary.last_move if summary else None,
            last_move_party_name=board.party_name(move_party) if move_party else None,
            hidden=tuple(board.hidden_graphics),
            speaker_name=session.speaker_name if session and on_air else None,
            speaker_title=session.speaker_title if session and on_air else None,
        )
    }


def feed_parts(kind: FeedKind, board: Board, key: str | None, aud: Audience) -> dict[str, Any]:
    if kind == "board":
        return board_parts(board, aud)
    if kind == "session":
        return session_parts(board, key or "", aud)
    return overlay_parts(board, aud)


# ---------------------------------------------------------------------- article history
class ProposalPart(msgspec.Struct, frozen=True):
    proposal_id: str
    version: int
    party: str
    text: str
    at: datetime
    by: str
    status: str
    answers: str | None
    package_id: str | None
    session_id: str | None
    in_writing: bool
    as_received: bool


class ReactionTotalsPart(msgspec.Struct, frozen=True):
    """Cards held as one turn of the article on the table ended, and the peaks during it."""

    session_id: str
    turn: int
    red: int
    green: int
    peak_red: int
    peak_green: int
    at: datetime


class ArticleHistory(msgspec.Struct, frozen=True):
    article_id: str
    number: str
    title: str
    category: str
    status: str
    current_language: str
    agreed_proposal_id: str | None
    proposals: list[ProposalPart]
    hidden_proposals: int
    reactions: list[ReactionTotalsPart] = msgspec.field(default_factory=list)


def article_history(board: Board, article_id: str, aud: Audience) -> ArticleHistory | None:
    article = board.articles.get(article_id)
    if article is None:
        return None
    visible = visible_proposals(board, article, aud)
    return ArticleHistory(
        article_id=article.article_id,
        number=article.number,
        title=article.title,
        category=article.category,
        status=article_status(board, article, aud)[0],
        current_language=article.current_language,
        agreed_proposal_id=(
            article.agreed_proposal_id
            if any(p.proposal_id == article.agreed_proposal_id for p in visible)
            else None
        ),
        proposals=[
            ProposalPart(
                proposal_id=p.proposal_id,
                version=p.version,
                party=p.party,
                text=p.text,
                at=p.at,
                by=p.by,
                status=p.status,
                answers=p.answers,
                package_id=p.package_id,
                session_id=p.session_id,
                in_writing=p.in_writing,
                as_received=p.as_received,
            )
            for p in visible
        ],
        hidden_proposals=len(article.proposals) - len(visible),
        reactions=[
            ReactionTotalsPart(
                session_id=r.session_id,
                turn=r.turn,
                red=r.red,
                green=r.green,
                peak_red=r.peak_red,
                peak_green=r.peak_green,
                at=r.at,
            )
            for r in article.reactions
            if aud.sees_session(r.visibility)
        ],
    )
