"""Commands on negotiations, teams, ground rules, articles, proposals, packages, drafts and
notes (their reads are in web.controllers.reads)."""

from __future__ import annotations

import asyncio
from uuid import UUID

from litestar import post, put
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from negotiation.application import Negotiations
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
        negotiation_id = await asyncio.to_thread(
            negotiations.open_negotiation,
            account.actor,
            title=data.title,
            kind=data.kind,
            bargaining_unit=data.bargaining_unit,
            union_name=data.union_name,
            employer_name=data.employer_name,
            opener_party=data.my_party,
            other_chief=other,
            facilitator=facilitator,
        )
        return s.Created(id=str(negotiation_id))

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
        await asyncio.to_thread(
            negotiations.add_team_member,
            negotiation_id,
            account.actor,
            member=member,
            party=data.party,
            role=data.role,
        )
        return s.Created(id=member.account_id)

    @post(NID + "/team/{account_id:str}/remove", status_code=OK, sync_to_thread=True)
    def remove_team_member(
        self, negotiation_id: UUID, account_id: str, account: Account, negotiations: Negotiations
    ) -> s.Done:
        negotiations.remove_team_member(negotiation_id, account.actor, account_id=account_id)
        return s.Done()

    @post(NID + "/team/{account_id:str}/chief", status_code=OK, sync_to_thread=True)
    def name_chief(
        self, negotiation_id: UUID, account_id: str, account: Account, negotiations: Negotiations
    ) -> s.Done:
        negotiations.name_chief_negotiator(negotiation_id, account.actor, account_id=account_id)
        return s.Done()

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
        await asyncio.to_thread(
            negotiations.appoint_facilitator,
            negotiation_id,
            account.actor,
            facilitator=facilitator,
        )
        return s.Created(id=facilitator.account_id)

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
        offer_id = negotiations.propose_ground_rules(
            negotiation_id, account.actor, rules=rules, as_received=data.as_received
        )
        return s.Created(id=offer_id)

    @post(NID + "/ground-rules/{offer_id:str}/agree", status_code=OK, sync_to_thread=True)
    def agree_ground_rules(
        self,
        negotiation_id: UUID,
        offer_id: str,
        data: s.ActAsReceived,
        account: Account,
        negotiations: Negotiations,
    ) -> s.Done:
        negotiations.agree_ground_rules(
            negotiation_id, account.actor, offer_id=offer_id, as_received=data.as_received
        )
        return s.Done()

    # ------------------------------------------------------------------ articles
    @post(NID + "/articles", status_code=HTTP_201_CREATED, sync_to_thread=True)
    def open_article(
        self,
        negotiation_id: UUID,
        data: s.OpenArticle,
        account: Account,
        negotiations: Negotiations,
    ) -> s.Created:
        article_id = negotiations.open_article(
            negotiation_id,
            account.actor,
            number=data.number,
            title=data.title,
            category=data.category,
            current_language=data.current_language,
            as_received=data.as_received,
        )
        return s.Created(id=article_id)

    @post(NID + "/late-articles", status_code=HTTP_201_CREATED, sync_to_thread=True)
    def request_late_article(
        self,
        negotiation_id: UUID,
        data: s.OpenArticle,
        account: Account,
        negotiations: Negotiations,
    ) -> s.Created:
        """After the cut-off: ask the other party to consent to a new subject."""
        request_id = negotiations.request_late_article(
            negotiation_id,
            account.actor,
            number=data.number,
            title=data.title,
            category=data.category,
            current_language=data.current_language,
            as_received=data.as_received,
        )
        return s.Created(id=request_id)

    @post(
        NID + "/late-articles/{request_id:str}/consent",
        status_code=HTTP_201_CREATED,
        sync_to_thread=True,
    )
    def consent_to_late_article(
        self,
        negotiation_id: UUID,
        request_id: str,
        data: s.ActAsReceived,
        account: Account,
        negotiations: Negotiations,
    ) -> s.Created:
        article_id = negotiations.consent_to_late_article(
            negotiation_id, account.actor, request_id=request_id, as_received=data.as_received
        )
        return s.Created(id=article_id)

    @post(NID + "/articles/{article_id:str}/withdraw", status_code=OK, sync_to_thread=True)
    def withdraw_article(
        self,
        negotiation_id: UUID,
        article_id: str,
        data: s.ActAsReceived,
        account: Account,
        negotiations: Negotiations,
    ) -> s.Done:
        negotiations.withdraw_article(
            negotiation_id, account.actor, article_id=article_id, as_received=data.as_received
        )
        return s.Done()

    @post(NID + "/articles/{article_id:str}/reopen", status_code=OK, sync_to_thread=True)
    def consent_to_reopen(
        self,
        negotiation_id: UUID,
        article_id: str,
        data: s.ActAsReceived,
        account: Account,
        negotiations: Negotiations,
    ) -> s.ReopenView:
        """Consent to reopen a TA'd or withdrawn article; it reopens when both have consented."""
        reopened = negotiations.consent_to_reopen(
            negotiation_id, account.actor, article_id=article_id, as_received=data.as_received
        )
        return s.ReopenView(reopened=reopened)

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
        data: s.TableProposal,
        account: Account,
        negotiations: Negotiations,
    ) -> s.Created:
        """Table a proposal; a counterproposal names the other side's latest in `answers`,
        a revision of your side's unanswered proposal names it in `revises`."""
        proposal_id = negotiations.table_proposal(
            negotiation_id,
            account.actor,
            article_id=article_id,
            text=data.text,
            answers=data.answers,
            revises=data.revises,
            as_received=data.as_received,
            expected_revision=data.expected_revision,
        )
        return s.Created(id=proposal_id)

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
        data: s.ActAsReceived,
        account: Account,
        negotiations: Negotiations,
    ) -> s.Done:
        negotiations.withdraw_proposal(
            negotiation_id,
            account.actor,
            article_id=article_id,
            proposal_id=proposal_id,
            as_received=data.as_received,
        )
        return s.Done()

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
        data: s.SignTA,
        account: Account,
        negotiations: Negotiations,
    ) -> s.SignedView:
        agreed = negotiations.sign_ta(
            negotiation_id,
            account.actor,
            article_id=article_id,
            proposal_id=proposal_id,
            as_received=data.as_received,
        )
        return s.SignedView(article_agreed=agreed)

    # ------------------------------------------------------------------ packages
    @post(NID + "/packages", status_code=HTTP_201_CREATED, sync_to_thread=True)
    def table_package(
        self,
        negotiation_id: UUID,
        data: s.TablePackage,
        account: Account,
        negotiations: Negotiations,
    ) -> s.PackageCreated:
        package_id, proposal_ids = negotiations.table_package(
            negotiation_id,
            account.actor,
            items=[
                {
                    "article_id": i.article_id,
                    "text": i.text,
                    "answers": i.answers,
                    "revises": i.revises,
                }
                for i in data.items
            ],
            as_received=data.as_received,
        )
        return s.PackageCreated(id=package_id, proposal_ids=proposal_ids)

    @post(NID + "/packages/{package_id:str}/accept", status_code=OK, sync_to_thread=True)
    def accept_package(
        self,
        negotiation_id: UUID,
        package_id: str,
        data: s.ActAsReceived,
        account: Account,
        negotiations: Negotiations,
    ) -> s.Done:
        negotiations.accept_package(
            negotiation_id, account.actor, package_id=package_id, as_received=data.as_received
        )
        return s.Done()

    @post(NID + "/packages/{package_id:str}/withdraw", status_code=OK, sync_to_thread=True)
    def withdraw_package(
        self,
        negotiation_id: UUID,
        package_id: str,
        data: s.ActAsReceived,
        account: Account,
        negotiations: Negotiations,
    ) -> s.Done:
        negotiations.withdraw_package(
            negotiation_id, account.actor, package_id=package_id, as_received=data.as_received
        )
        return s.Done()

    # ------------------------------------------------------------------ drafts & notes
    @post(NID + "/drafts", status_code=HTTP_201_CREATED, sync_to_thread=True)
    def draft_proposal(
        self,
        negotiation_id: UUID,
        data: s.DraftProposal,
        account: Account,
        negotiations: Negotiations,
    ) -> s.Created:
        """Prepare a proposal privately; only your own team can see it until it is tabled."""
        draft_id = negotiations.draft_proposal(
            negotiation_id, account.actor, article_id=data.article_id, text=data.text
        )
        return s.Created(id=draft_id)

    @put(NID + "/drafts/{draft_id:str}", status_code=OK, sync_to_thread=True)
    def revise_draft(
        self,
        negotiation_id: UUID,
        draft_id: str,
        data: s.ReviseDraft,
        account: Account,
        negotiations: Negotiations,
    ) -> s.Done:
        negotiations.revise_draft(
            negotiation_id,
            account.actor,
            draft_id=draft_id,
            text=data.text,
            expected_revision=data.expected_revision,
        )
        return s.Done()

    @post(NID + "/drafts/{draft_id:str}/table", status_code=HTTP_201_CREATED, sync_to_thread=True)
    def table_draft(
        self,
        negotiation_id: UUID,
        draft_id: str,
        data: s.TableDraft,
        account: Account,
        negotiations: Negotiations,
    ) -> s.Created:
        proposal_id = negotiations.table_draft(
            negotiation_id,
            account.actor,
            draft_id=draft_id,
            answers=data.answers,
            revises=data.revises,
        )
        return s.Created(id=proposal_id)

    @post(NID + "/notes", status_code=HTTP_201_CREATED, sync_to_thread=True)
    def record_team_note(
        self,
        negotiation_id: UUID,
        data: s.RecordTeamNote,
        account: Account,
        negotiations: Negotiations,
    ) -> s.Created:
        """A private team note: visible to your own party's team only."""
        note_id = negotiations.record_team_note(
            negotiation_id,
            account.actor,
            text=data.text,
            session_id=data.session_id,
            article_id=data.article_id,
        )
        return s.Created(id=note_id)
