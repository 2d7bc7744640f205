"""Commands on negotiations, teams, ground rules, articles, proposals, packages, drafts and
notes (their reads are in web.controllers.reads)."""

from __future__ import annotations

import asyncio
from uuid import UUID

from litestar import post, put
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from negotiation.application import Negotiations, Recorded
from negotiation.domain import commands as c
from negotiation.domain import errors
from negotiation.domain.actors import Actor
from negotiation.domain.ground_rules import GroundRules
from web import schemas as s
from web.controllers.reads import ReadController
from web.identity import Account, Identity

OK = HTTP_200_OK
NID = "/{negotiation_id:uuid}"


async def actor_named(identity: Identity, username: str) -> Actor:
    account = await identity.account_by_username(username)
    if account is None:
        raise errors.NotFound(f"No account with the username {username!r}.")
    return account.actor


class NegotiationController(ReadController):
    # The reads (web.controllers.reads) share this path: one controller serves both, as
    # Litestar cannot merge two controllers' handlers on one path.
    path = "/api/negotiations"
    tags = ("negotiations",)

    # ------------------------------------------------------------------ negotiation & teams
    # Command handlers: decode the body into its command (completed with the URL's ids), run
    # it through the one application path, answer with what it returned and its position.
    @post("/", status_code=HTTP_201_CREATED)
    async def open(
        self,
        data: s.OpenNegotiation,
        account: Account,
        negotiations: Negotiations,
        identity: Identity,
    ) -> s.Created:
        """Open a negotiation; the caller becomes chief negotiator of `my_party`."""
        other = (
            await actor_named(identity, data.other_chief_username)
            if data.other_chief_username
            else None
        )
        facilitator = (
            await actor_named(identity, data.facilitator_username)
            if data.facilitator_username
            else None
        )
        command = c.OpenNegotiation(
            title=data.title,
            kind=data.kind,
            bargaining_unit=data.bargaining_unit,
            union_name=data.union_name,
            employer_name=data.employer_name,
            opener_party=data.my_party,
            other_chief=other,
            facilitator=facilitator,
        )
        opened = await asyncio.to_thread(negotiations.start, account.actor, command)
        return s.Created(id=str(opened.result), position=opened.position)

    @post(NID + "/team", status_code=HTTP_201_CREATED)
    async def add_team_member(
        self,
        negotiation_id: UUID,
        data: s.AddTeamMember,
        account: Account,
        negotiations: Negotiations,
        identity: Identity,
    ) -> s.Created:
        member = await actor_named(identity, data.username)
        command = c.AddTeamMember(member=member, party=data.party, role=data.role)
        done = await asyncio.to_thread(negotiations.execute, negotiation_id, account.actor, command)
        return s.Created(id=member.account_id, position=done.position)

    @post(NID + "/team/{account_id:str}/remove", status_code=OK, sync_to_thread=True)
    def remove_team_member(
        self, negotiation_id: UUID, account_id: str, account: Account, negotiations: Negotiations
    ) -> s.Done:
        command = c.RemoveTeamMember(account_id=account_id)
        return _done(negotiations.execute(negotiation_id, account.actor, command))

    @post(NID + "/team/{account_id:str}/chief", status_code=OK, sync_to_thread=True)
    def name_chief(
        self, negotiation_id: UUID, account_id: str, account: Account, negotiations: Negotiations
    ) -> s.Done:
        command = c.NameChiefNegotiator(account_id=account_id)
        return _done(negotiations.execute(negotiation_id, account.actor, command))

    @post(NID + "/facilitators", status_code=HTTP_201_CREATED)
    async def appoint_facilitator(
        self,
        negotiation_id: UUID,
        data: s.AppointFacilitator,
        account: Account,
        negotiations: Negotiations,
        identity: Identity,
    ) -> s.Created:
        facilitator = await actor_named(identity, data.username)
        command = c.AppointFacilitator(facilitator=facilitator)
        done = await asyncio.to_thread(negotiations.execute, negotiation_id, account.actor, command)
        return s.Created(id=facilitator.account_id, position=done.position)

    # ------------------------------------------------------------------ ground rules
    @post(NID + "/ground-rules", status_code=HTTP_201_CREATED, sync_to_thread=True)
    def propose_ground_rules(
        self,
        negotiation_id: UUID,
        data: s.ProposeGroundRules,
        account: Account,
        negotiations: Negotiations,
    ) -> s.Created:
        rules = GroundRules(
            proposal_cutoff=data.proposal_cutoff,
            written_exchange_allowed=data.written_exchange_allowed,
            open_sessions_allowed=data.open_sessions_allowed,
            members_sessions_allowed=data.members_sessions_allowed,
            observers=data.observers,
            interpretation_languages=tuple(data.interpretation_languages),
        )
        command = c.ProposeGroundRules(rules=rules, as_received=data.as_received)
        return _created(negotiations.execute(negotiation_id, account.actor, command))

    @post(NID + "/ground-rules/{offer_id:str}/agree", status_code=OK, sync_to_thread=True)
    def agree_ground_rules(
        self,
        negotiation_id: UUID,
        offer_id: str,
        data: c.AsReceived,
        account: Account,
        negotiations: Negotiations,
    ) -> s.Done:
        command = c.with_ids(c.AgreeGroundRules, data, offer_id=offer_id)
        return _done(negotiations.execute(negotiation_id, account.actor, command))

    # ------------------------------------------------------------------ articles
    @post(NID + "/articles", status_code=HTTP_201_CREATED, sync_to_thread=True)
    def open_article(
        self,
        negotiation_id: UUID,
        data: c.OpenArticle,
        account: Account,
        negotiations: Negotiations,
    ) -> s.Created:
        return _created(negotiations.execute(negotiation_id, account.actor, data))

    @post(NID + "/late-articles", status_code=HTTP_201_CREATED, sync_to_thread=True)
    def request_late_article(
        self,
        negotiation_id: UUID,
        data: c.RequestLateArticle,
        account: Account,
        negotiations: Negotiations,
    ) -> s.Created:
        """After the cut-off: ask the other party to consent to a new subject."""
        return _created(negotiations.execute(negotiation_id, account.actor, data))

    @post(
        NID + "/late-articles/{request_id:str}/consent",
        status_code=HTTP_201_CREATED,
        sync_to_thread=True,
    )
    def consent_to_late_article(
        self,
        negotiation_id: UUID,
        request_id: str,
        data: c.AsReceived,
        account: Account,
        negotiations: Negotiations,
    ) -> s.Created:
        """The other party's chief consents: the new subject opens."""
        command = c.with_ids(c.ConsentToLateArticle, data, request_id=request_id)
        return _created(negotiations.execute(negotiation_id, account.actor, command))

    @post(NID + "/articles/{article_id:str}/withdraw", status_code=OK, sync_to_thread=True)
    def withdraw_article(
        self,
        negotiation_id: UUID,
        article_id: str,
        data: c.AsReceived,
        account: Account,
        negotiations: Negotiations,
    ) -> s.Done:
        command = c.with_ids(c.WithdrawArticle, data, article_id=article_id)
        return _done(negotiations.execute(negotiation_id, account.actor, command))

    @post(NID + "/articles/{article_id:str}/reopen", status_code=OK, sync_to_thread=True)
    def consent_to_reopen(
        self,
        negotiation_id: UUID,
        article_id: str,
        data: c.AsReceived,
        account: Account,
        negotiations: Negotiations,
    ) -> s.ReopenView:
        """Consent to reopen a TA'd or withdrawn article; it reopens when both have consented."""
        command = c.with_ids(c.ConsentToReopen, data, article_id=article_id)
        done = negotiations.execute(negotiation_id, account.actor, command)
        return s.ReopenView(reopened=done.result, position=done.position)

    # ------------------------------------------------------------------ proposals
    @post(
        NID + "/articles/{article_id:str}/proposals",
        status_code=HTTP_201_CREATED,
        sync_to_thread=True,
    )
    def table_proposal(
        self,
        negotiation_id: UUID,
        article_id: str,
        data: c.TableProposalBody,
        account: Account,
        negotiations: Negotiations,
    ) -> s.Created:
        """Table a proposal; a counterproposal names the other side's latest in `answers`,
        a revision of your side's unanswered proposal names it in `revises`."""
        command = c.with_ids(c.TableProposal, data, article_id=article_id)
        return _created(negotiations.execute(negotiation_id, account.actor, command))

    @post(
        NID + "/articles/{article_id:str}/proposals/{proposal_id:str}/withdraw",
        status_code=OK,
        sync_to_thread=True,
    )
    def withdraw_proposal(
        self,
        negotiation_id: UUID,
        article_id: str,
        proposal_id: str,
        data: c.AsReceived,
        account: Account,
        negotiations: Negotiations,
    ) -> s.Done:
        command = c.with_ids(
            c.WithdrawProposal, data, article_id=article_id, proposal_id=proposal_id
        )
        return _done(negotiations.execute(negotiation_id, account.actor, command))

    @post(
        NID + "/articles/{article_id:str}/proposals/{proposal_id:str}/ta",
        status_code=OK,
        sync_to_thread=True,
    )
    def sign_ta(
        self,
        negotiation_id: UUID,
        article_id: str,
        proposal_id: str,
        data: c.AsReceived,
        account: Account,
        negotiations: Negotiations,
    ) -> s.SignedView:
        command = c.with_ids(c.SignTA, data, article_id=article_id, proposal_id=proposal_id)
        done = negotiations.execute(negotiation_id, account.actor, command)
        return s.SignedView(article_agreed=done.result, position=done.position)

    # ------------------------------------------------------------------ packages
    @post(NID + "/packages", status_code=HTTP_201_CREATED, sync_to_thread=True)
    def table_package(
        self,
        negotiation_id: UUID,
        data: c.TablePackage,
        account: Account,
        negotiations: Negotiations,
    ) -> s.PackageCreated:
        done = negotiations.execute(negotiation_id, account.actor, data)
        package_id, proposal_ids = done.result
        return s.PackageCreated(id=package_id, proposal_ids=proposal_ids, position=done.position)

    @post(NID + "/packages/{package_id:str}/accept", status_code=OK, sync_to_thread=True)
    def accept_package(
        self,
        negotiation_id: UUID,
        package_id: str,
        data: c.AsReceived,
        account: Account,
        negotiations: Negotiations,
    ) -> s.Done:
        command = c.with_ids(c.AcceptPackage, data, package_id=package_id)
        return _done(negotiations.execute(negotiation_id, account.actor, command))

    @post(NID + "/packages/{package_id:str}/withdraw", status_code=OK, sync_to_thread=True)
    def withdraw_package(
        self,
        negotiation_id: UUID,
        package_id: str,
        data: c.AsReceived,
        account: Account,
        negotiations: Negotiations,
    ) -> s.Done:
        command = c.with_ids(c.WithdrawPackage, data, package_id=package_id)
        return _done(negotiations.execute(negotiation_id, account.actor, command))

    # ------------------------------------------------------------------ drafts & notes
    @post(NID + "/drafts", status_code=HTTP_201_CREATED, sync_to_thread=True)
    def draft_proposal(
        self,
        negotiation_id: UUID,
        data: c.DraftProposal,
        account: Account,
        negotiations: Negotiations,
    ) -> s.Created:
        """Prepare a proposal privately; only your own team can see it until it is tabled."""
        return _created(negotiations.execute(negotiation_id, account.actor, data))

    @put(NID + "/drafts/{draft_id:str}", status_code=OK, sync_to_thread=True)
    def revise_draft(
        self,
        negotiation_id: UUID,
        draft_id: str,
        data: c.ReviseDraftBody,
        account: Account,
        negotiations: Negotiations,
    ) -> s.Done:
        command = c.with_ids(c.ReviseDraft, data, draft_id=draft_id)
        return _done(negotiations.execute(negotiation_id, account.actor, command))

    @post(NID + "/drafts/{draft_id:str}/table", status_code=HTTP_201_CREATED, sync_to_thread=True)
    def table_draft(
        self,
        negotiation_id: UUID,
        draft_id: str,
        data: c.TableDraftBody,
        account: Account,
        negotiations: Negotiations,
    ) -> s.Created:
        command = c.with_ids(c.TableDraft, data, draft_id=draft_id)
        return _created(negotiations.execute(negotiation_id, account.actor, command))

    @post(NID + "/notes", status_code=HTTP_201_CREATED, sync_to_thread=True)
    def record_team_note(
        self,
        negotiation_id: UUID,
        data: c.RecordTeamNote,
        account: Account,
        negotiations: Negotiations,
    ) -> s.Created:
        """A private team note: visible to your own party's team only."""
        return _created(negotiations.execute(negotiation_id, account.actor, data))


def _created(done: Recorded[str]) -> s.Created:
    return s.Created(id=done.result, position=done.position)


def _done(done: Recorded[object]) -> s.Done:
    return s.Done(position=done.position)
