"""The documents the HTTP API reads answer with: a board, as one audience may see it.

Built from the same board and the same visibility rule as the live feeds (`projections.views`),
so a route and a feed never disagree on an article's status or on what a viewer may read.
"""

from __future__ import annotations

from datetime import datetime

import msgspec

from negotiation.domain.visibility import Audience
from projections.board import ArticleEntry, Board, GroundRulesEntry, SessionEntry
from projections.views import (
    ProposalPart,
    article_history,
    article_status,
    ta_signers,
    visible_proposals,
)


class TeamMemberView(msgspec.Struct, frozen=True):
    account_id: str
    name: str
    party: str
    role: str


class GroundRulesView(msgspec.Struct, frozen=True):
    proposal_cutoff: datetime | None
    written_exchange_allowed: bool
    open_sessions_allowed: bool
    members_sessions_allowed: bool
    observers: str
    interpretation_languages: list[str]


class GroundRulesOfferView(msgspec.Struct, frozen=True):
    offer_id: str
    party: str
    rules: GroundRulesView


class ProposalView(msgspec.Struct, frozen=True):
    proposal_id: str
    version: int
    party: str
    text: str
    tabled_at: datetime
    tabled_by: str
    status: str
    answers: str | None
    package_id: str | None
    session_id: str | None
    in_writing: bool
    as_received: bool


class ArticleSummaryView(msgspec.Struct, frozen=True):
    article_id: str
    number: str
    title: str
    category: str
    status: str  # open, proposed, countered, agreed, withdrawn (as on the status board)
    revision: int
    opened_by: str
    late: bool
    latest_version: int
    latest_party: str | None
    ta_signed_by: list[str]


class ArticleView(msgspec.Struct, frozen=True):
    article_id: str
    number: str
    title: str
    category: str
    status: str
    revision: int
    opened_by: str
    late: bool
    current_language: str
    proposals: list[ProposalView]
    ta_signed_by: list[str]
    agreed_proposal_id: str | None
    reopen_consents: list[str]
    hidden_proposals: int


class BulletinView(msgspec.Struct, frozen=True):
    party: str
    text: str
    published_at: datetime
    published_by: str


class SessionView(msgspec.Struct, frozen=True):
    session_id: str
    number: int
    title: str
    visibility: str
    status: str
    starts_at: datetime
    # The fields below are None for viewers who may see only a session's status (but its
    # bulletins: each by the visibility it was published at).
    location: str | None = None
    capacity: int | None = None
    livestream_url: str | None = None
    languages: list[str] | None = None
    opened_at: datetime | None = None
    closed_at: datetime | None = None
    agenda: list[str] | None = None
    article_on_table: str | None = None
    caucus_party: str | None = None
    attendance: int | None = None
    bulletins: list[BulletinView] | None = None
    details_visible: bool = False


class DraftView(msgspec.Struct, frozen=True):
    draft_id: str
    article_id: str
    party: str
    text: str
    revision: int
    updated_at: datetime
    updated_by: str
    tabled_as: str | None


class TeamNoteView(msgspec.Struct, frozen=True):
    note_id: str
    party: str
    text: str
    recorded_at: datetime
    recorded_by: str
    session_id: str | None
    article_id: str | None


class PackageView(msgspec.Struct, frozen=True):
    package_id: str
    party: str
    proposal_ids: list[str]
    article_ids: list[str]
    tabled_at: datetime | None
    status: str


class LateArticleRequestView(msgspec.Struct, frozen=True):
    request_id: str
    party: str
    number: str
    title: str
    category: str
    status: str


class WholeTAView(msgspec.Struct, frozen=True):
    reached_at: datetime
    document_hash: str
    agreed_article_ids: list[str]
    withdrawn_article_ids: list[str]


class ViewerView(msgspec.Struct, frozen=True):
    party: str | None
    unit_member: bool
    official: bool


class NegotiationView(msgspec.Struct, frozen=True):
    negotiation_id: str
    version: int
    position: int  # of the last event of this negotiation in this document
    title: str
    kind: str
    bargaining_unit: str
    union_name: str
    employer_name: str
    opened_at: datetime
    viewer: ViewerView
    team: list[TeamMemberView]
    facilitators: list[str]
    ground_rules: GroundRulesView | None
    ground_rules_offer: GroundRulesOfferView | None
    articles: list[ArticleSummaryView]
    late_article_requests: list[LateArticleRequestView]
    packages: list[PackageView]
    sessions: list[SessionView]
    whole_ta: WholeTAView | None
    drafts: list[DraftView]
    team_notes: list[TeamNoteView]


# ---------------------------------------------------------------------- builders
def _proposal(p: ProposalPart) -> ProposalView:
    return ProposalView(
        proposal_id=p.proposal_id,
        version=p.version,
        party=p.party,
        text=p.text,
        tabled_at=p.at,
        tabled_by=p.by,
        status=p.status,
        answers=p.answers,
        package_id=p.package_id,
        session_id=p.session_id,
        in_writing=p.in_writing,
        as_received=p.as_received,
    )


def _rules(rules: GroundRulesEntry) -> GroundRulesView:
    return GroundRulesView(
        proposal_cutoff=rules.proposal_cutoff,
        written_exchange_allowed=rules.written_exchange_allowed,
        open_sessions_allowed=rules.open_sessions_allowed,
        members_sessions_allowed=rules.members_sessions_allowed,
        observers=rules.observers,
        interpretation_languages=list(rules.interpretation_languages),
    )


def session_view(session: SessionEntry, aud: Audience) -> SessionView:
    """A session's status for anyone; its details for those who may see it now; bulletins by
    the visibility each was published at (a session closed later keeps its public ones)."""
    bulletins = [
        BulletinView(party=b.party, text=b.text, published_at=b.at, published_by=b.by)
        for b in session.bulletins
        if aud.sees_session(b.visibility)
    ]
    if not aud.sees_session(session.visibility):
        return SessionView(
            session_id=session.session_id,
            number=session.number,
            title=session.title,
            visibility=session.visibility,
            status=session.status,
            starts_at=session.starts_at,
            bulletins=bulletins,
        )
    return SessionView(
        session_id=session.session_id,
        number=session.number,
        title=session.title,
        visibility=session.visibility,
        status=session.status,
        starts_at=session.starts_at,
        location=session.location,
        capacity=session.capacity,
        livestream_url=session.livestream_url,
        languages=list(session.languages),
        opened_at=session.opened_at,
        closed_at=session.closed_at,
        agenda=list(session.agenda),
        article_on_table=session.article_on_table,
        caucus_party=session.caucus_party,
        attendance=session.attendance,
        bulletins=bulletins,
        details_visible=True,
    )


def _article_summary(board: Board, article: ArticleEntry, aud: Audience) -> ArticleSummaryView:
    visible = visible_proposals(board, article, aud)
    latest = visible[-1] if visible else None
    return ArticleSummaryView(
        article_id=article.article_id,
        number=article.number,
        title=article.title,
        category=article.category,
        status=article_status(board, article, aud)[0],
        revision=article.revision,
        opened_by=article.opened_by,
        late=article.late,
        latest_version=latest.version if latest else 0,
        latest_party=latest.party if latest else None,
        ta_signed_by=sorted(ta_signers(board, article, aud)),
    )


def article_view(board: Board, article_id: str, aud: Audience) -> ArticleView | None:
    """An article's whole visible history; None when there is no such article. Built from the
    history the pages and feeds show (`views.article_history`), so they read the same
    proposals, status and agreed version; the API adds what commands name (revision, consents)."""
    history = article_history(board, article_id, aud)
    if history is None:
        return None
    article = board.articles[article_id]
    return ArticleView(
        article_id=history.article_id,
        number=history.number,
        title=history.title,
        category=history.category,
        status=history.status,
        revision=article.revision,
        opened_by=article.opened_by,
        late=article.late,
        current_language=history.current_language,
        proposals=[_proposal(p) for p in history.proposals],
        ta_signed_by=sorted(ta_signers(board, article, aud)),
        agreed_proposal_id=history.agreed_proposal_id,
        reopen_consents=list(article.reopen_consents),
        hidden_proposals=history.hidden_proposals,
    )


def _package_visible(
    board: Board, proposal_ids: list[str], article_ids: list[str], aud: Audience
) -> bool:
    for article_id, proposal_id in zip(article_ids, proposal_ids, strict=True):
        proposal = board.articles[article_id].proposal(proposal_id)
        if proposal is not None and not aud.sees_session(proposal.visibility):
            return False
    return True


def negotiation_view(board: Board, aud: Audience) -> NegotiationView:
    """The whole negotiation as this audience may see it."""
    offer = board.ground_rules_offer
    whole = board.whole_ta
    return NegotiationView(
        negotiation_id=board.negotiation_id,
        version=board.version,
        position=board.position,
        title=board.title,
        kind=board.kind,
        bargaining_unit=board.bargaining_unit,
        union_name=board.union_name,
        employer_name=board.employer_name,
        opened_at=board.opened_at,
        viewer=ViewerView(party=aud.party, unit_member=aud.unit_member, official=aud.official),
        team=[
            TeamMemberView(account_id=account_id, name=m.name, party=m.party, role=m.role)
            for account_id, m in board.team.items()
        ],
        facilitators=list(board.facilitator_names),
        ground_rules=_rules(board.ground_rules) if board.ground_rules else None,
        ground_rules_offer=(
            GroundRulesOfferView(
                offer_id=offer.offer_id, party=offer.party, rules=_rules(offer.rules)
            )
            if offer
            else None
        ),
        articles=[_article_summary(board, a, aud) for a in board.articles.values()],
        late_article_requests=(
            []
            if aud.is_public
            else [
                LateArticleRequestView(
                    request_id=r.request_id,
                    party=r.party,
                    number=r.number,
                    title=r.title,
                    category=r.category,
                    status=r.status,
                )
                for r in board.late_requests.values()
            ]
        ),
        packages=[
            PackageView(
                package_id=p.package_id,
                party=p.party,
                proposal_ids=list(p.proposal_ids),
                article_ids=list(p.article_ids),
                tabled_at=p.tabled_at,
                status=p.status,
            )
            for p in board.packages.values()
            if _package_visible(board, p.proposal_ids, p.article_ids, aud)
        ],
        sessions=[session_view(x, aud) for x in board.sessions.values()],
        whole_ta=(
            WholeTAView(
                reached_at=whole.reached_at,
                document_hash=whole.document_hash,
                agreed_article_ids=list(whole.agreed_article_ids),
                withdrawn_article_ids=list(whole.withdrawn_article_ids),
            )
            if whole
            else None
        ),
        drafts=[
            DraftView(
                draft_id=d.draft_id,
                article_id=d.article_id,
                party=d.party,
                text=d.text,
                revision=d.revision,
                updated_at=d.at,
                updated_by=d.by,
                tabled_as=d.tabled_as,
            )
            for d in board.drafts.values()
            if aud.sees_team_private(d.party)
        ],
        team_notes=[
            TeamNoteView(
                note_id=n.note_id,
                party=n.party,
                text=n.text,
                recorded_at=n.at,
                recorded_by=n.by,
                session_id=n.session_id,
                article_id=n.article_id,
            )
            for n in board.notes
            if aud.sees_team_private(n.party)
        ],
    )
