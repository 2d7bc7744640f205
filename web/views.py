"""Read views of a negotiation, filtered for one audience (DOMAIN.md, "Who sees what").

Proposal language follows the visibility of the session it was tabled in (written exchanges
between sessions count as members-only); drafts and team notes reach their own party only.
"""

from __future__ import annotations

from negotiation.domain import errors
from negotiation.domain.articles import Article, Proposal
from negotiation.domain.ground_rules import GroundRules, Visibility
from negotiation.domain.negotiation import Negotiation
from negotiation.domain.sessions import Session
from negotiation.domain.visibility import Audience
from web import schemas as s
from web.identity import Account


def audience_of(negotiation: Negotiation, account: Account | None) -> Audience:
    if account is None:
        return Audience()
    return Audience(
        party=negotiation.party_of(account.account_id),
        unit_member=negotiation.state.bargaining_unit in account.bargaining_units,
        official=account.is_admin or negotiation.is_facilitator(account.account_id),
    )


def _proposal_visibility(negotiation: Negotiation, proposal: Proposal) -> Visibility:
    session = negotiation.state.sessions.get(proposal.session_id or "")
    return session.visibility if session is not None else "members"


def _visible_proposals(
    negotiation: Negotiation, article: Article, audience: Audience
) -> list[Proposal]:
    return [
        p for p in article.proposals if audience.sees_session(_proposal_visibility(negotiation, p))
    ]


def _proposal(p: Proposal) -> s.ProposalView:
    return s.ProposalView(
        proposal_id=p.proposal_id,
        version=p.version,
        party=p.party,
        text=p.text,
        tabled_at=p.tabled_at,
        tabled_by=p.tabled_by,
        status=p.status,
        answers=p.answers,
        package_id=p.package_id,
        session_id=p.session_id,
        in_writing=p.in_writing,
        as_received=p.as_received,
    )


def _rules(rules: GroundRules) -> s.GroundRulesView:
    return s.GroundRulesView(
        proposal_cutoff=rules.proposal_cutoff,
        written_exchange_allowed=rules.written_exchange_allowed,
        open_sessions_allowed=rules.open_sessions_allowed,
        members_sessions_allowed=rules.members_sessions_allowed,
        observers=rules.observers,
        interpretation_languages=list(rules.interpretation_languages),
    )


def session_view(session: Session, audience: Audience) -> s.SessionView:
    base = s.SessionView(
        session_id=session.session_id,
        number=session.number,
        title=session.title,
        visibility=session.visibility,
        status=session.status,
        starts_at=session.starts_at,
    )
    if not audience.sees_session(session.visibility):
        return base
    return s.SessionView(
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
        caucus_party=session.caucus.party if session.caucus else None,
        attendance=session.attendance,
        bulletins=[
            s.BulletinView(
                party=b.party, text=b.text, published_at=b.published_at, published_by=b.published_by
            )
            for b in session.bulletins
        ],
        details_visible=True,
    )


def _article_summary(
    negotiation: Negotiation, article: Article, audience: Audience
) -> s.ArticleSummaryView:
    visible = _visible_proposals(negotiation, article, audience)
    latest = visible[-1] if visible else None
    return s.ArticleSummaryView(
        article_id=article.article_id,
        number=article.number,
        title=article.title,
        category=article.category,
        status=article.status,
        revision=article.revision,
        opened_by=article.opened_by,
        late=article.late,
        latest_version=latest.version if latest else 0,
        latest_party=latest.party if latest else None,
        ta_signed_by=sorted(article.ta_signatures) if latest else [],
    )


def article_view(negotiation: Negotiation, article_id: str, audience: Audience) -> s.ArticleView:
    article = negotiation.state.articles.get(article_id)
    if article is None:
        raise errors.NotFound(f"No article {article_id!r} in this negotiation.")
    visible = _visible_proposals(negotiation, article, audience)
    return s.ArticleView(
        article_id=article.article_id,
        number=article.number,
        title=article.title,
        category=article.category,
        status=article.status,
        revision=article.revision,
        opened_by=article.opened_by,
        late=article.late,
        current_language=article.current_language,
        proposals=[_proposal(p) for p in visible],
        ta_signed_by=sorted(article.ta_signatures) if visible else [],
        agreed_proposal_id=(
            article.agreed_proposal_id
            if any(p.proposal_id == article.agreed_proposal_id for p in visible)
            else None
        ),
        reopen_consents=list(article.reopen_consents),
        hidden_proposals=len(article.proposals) - len(visible),
    )


def session_detail(negotiation: Negotiation, session_id: str, audience: Audience) -> s.SessionView:
    session = negotiation.state.sessions.get(session_id)
    if session is None:
        raise errors.NotFound(f"No session {session_id!r} in this negotiation.")
    return session_view(session, audience)


def negotiation_view(negotiation: Negotiation, audience: Audience) -> s.NegotiationView:
    state = negotiation.state
    packages = [
        s.PackageView(
            package_id=p.package_id,
            party=p.party,
            proposal_ids=list(p.proposal_ids),
            article_ids=list(p.article_ids),
            tabled_at=p.tabled_at,
            status=p.status,
        )
        for p in state.packages.values()
        if all(
            audience.sees_session(_proposal_visibility(negotiation, proposal))
            for article_id, proposal_id in zip(p.article_ids, p.proposal_ids, strict=True)
            if (proposal := state.articles[article_id].proposal(proposal_id)) is not None
        )
    ]
    offer = state.ground_rules_offer
    whole = state.whole_ta
    return s.NegotiationView(
        negotiation_id=str(negotiation.id),
        version=negotiation.version,
        title=state.title,
        kind=state.kind,
        bargaining_unit=state.bargaining_unit,
        union_name=state.parties["union"].name,
        employer_name=state.parties["employer"].name,
        opened_at=state.opened_at,
        viewer=s.ViewerView(
            party=audience.party, unit_member=audience.unit_member, official=audience.official
        ),
        team=[
            s.TeamMemberView(account_id=m.account_id, name=m.name, party=m.party, role=m.role)
            for m in state.team.values()
        ],
        facilitators=list(state.facilitators.values()),
        ground_rules=_rules(state.ground_rules) if state.ground_rules else None,
        ground_rules_offer=(
            s.GroundRulesOfferView(
                offer_id=offer.offer_id, party=offer.party, rules=_rules(offer.rules)
            )
            if offer
            else None
        ),
        articles=[_article_summary(negotiation, a, audience) for a in state.articles.values()],
        late_article_requests=[
            s.LateArticleRequestView(
                request_id=r.request_id,
                party=r.party,
                number=r.number,
                title=r.title,
                category=r.category,
                status=r.status,
            )
            for r in state.late_requests.values()
            if not audience.is_public
        ],
        packages=packages,
        sessions=[session_view(x, audience) for x in state.sessions.values()],
        whole_ta=(
            s.WholeTAView(
                reached_at=whole.reached_at,
                document_hash=whole.document_hash,
                agreed_article_ids=list(whole.agreed_article_ids),
                withdrawn_article_ids=list(whole.withdrawn_article_ids),
            )
            if whole
            else None
        ),
        drafts=[
            s.DraftView(
                draft_id=d.draft_id,
                article_id=d.article_id,
                party=d.party,
                text=d.text,
                revision=d.revision,
                updated_at=d.updated_at,
                updated_by=d.updated_by,
                tabled_as=d.tabled_as,
            )
            for d in state.drafts.values()
            if audience.sees_team_private(d.party)
        ],
        team_notes=[
            s.TeamNoteView(
                note_id=n.note_id,
                party=n.party,
                text=n.text,
                recorded_at=n.recorded_at,
                recorded_by=n.recorded_by,
                session_id=n.session_id,
                article_id=n.article_id,
            )
            for n in state.notes
            if audience.sees_team_private(n.party)
        ],
    )
