"""Articles, the proposals tabled on them, drafts and packages: state the aggregate mutates."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec

from negotiation.domain import errors
from negotiation.domain.actors import Party, other_party

Category = Literal["economic", "non_economic", "common_good"]
ArticleStatus = Literal["open", "agreed", "withdrawn"]
ProposalStatus = Literal["live", "superseded", "withdrawn", "agreed"]
PackageStatus = Literal["live", "accepted", "rejected", "withdrawn"]


class Proposal(msgspec.Struct):
    proposal_id: str
    article_id: str
    version: int
    party: Party
    text: str
    tabled_at: datetime
    tabled_by: str
    answers: str | None = None
    package_id: str | None = None
    session_id: str | None = None
    in_writing: bool = False
    as_received: bool = False
    status: ProposalStatus = "live"

    def require_withdrawable_by(self, party: Party) -> None:
        """Only a party's own live proposal can be withdrawn."""
        if self.party != party:
            raise errors.NotPermitted("A party can only withdraw its own proposals.")
        if self.status != "live":
            raise errors.RuleRefused(
                f"Version {self.version} is {self.status}: only your side's live "
                "proposal can be withdrawn."
            )


class Article(msgspec.Struct):
    article_id: str
    number: str
    title: str
    category: Category
    current_language: str
    opened_by: Party
    opened_at: datetime
    late: bool = False
    status: ArticleStatus = "open"
    revision: int = 1
    proposals: list[Proposal] = msgspec.field(default_factory=list)
    ta_signatures: dict[str, str] = msgspec.field(default_factory=dict)
    agreed_proposal_id: str | None = None
    reopen_consents: list[str] = msgspec.field(default_factory=list)

    def live_proposal(self, party: Party) -> Proposal | None:
        for proposal in reversed(self.proposals):
            if proposal.party == party and proposal.status == "live":
                return proposal
        return None

    def latest_on_table(self) -> Proposal | None:
        """The newest live proposal of either party: the only version a TA may be signed on."""
        for proposal in reversed(self.proposals):
            if proposal.status == "live":
                return proposal
        return None

    def proposal(self, proposal_id: str) -> Proposal | None:
        for proposal in self.proposals:
            if proposal.proposal_id == proposal_id:
                return proposal
        return None

    def agreed_text(self) -> str:
        proposal = self.proposal(self.agreed_proposal_id) if self.agreed_proposal_id else None
        return proposal.text if proposal else self.current_language

    def require_open(self, expected_revision: int | None = None) -> None:
        """Proposals, TAs and withdrawals need an open article (and, when the caller says which
        revision it saw, that one: two people changing it at once get a stale write)."""
        if expected_revision is not None and expected_revision != self.revision:
            raise errors.StaleWrite(
                f"Article {self.number} changed since you loaded it (you saw revision "
                f"{expected_revision}, it is now {self.revision}). Reload and try again."
            )
        if self.status == "agreed":
            raise errors.ArticleClosed(
                f"Article {self.number} ({self.title}) is tentatively agreed; both parties "
                "must consent to reopen it first."
            )
        if self.status == "withdrawn":
            raise errors.ArticleClosed(
                f"Article {self.number} ({self.title}) was withdrawn; both parties must "
                "consent to reopen it first."
            )

    def require_signable(self, proposal_id: str) -> Proposal:
        """A TA can only be signed on the newest live version on the table."""
        latest = self.latest_on_table()
        if latest is None or latest.proposal_id != proposal_id:
            what = f"version {latest.version}" if latest else "no live proposal"
            raise errors.NotLatestVersion(
                f"A TA can only be signed on the latest version on the table for Article "
                f"{self.number} (now {what})."
            )
        return latest

    def require_new_proposal_fits(
        self,
        party: Party,
        answers: str | None,
        revises: str | None,
        *,
        own_in_live_package: bool,
    ) -> None:
        """The rules a new proposal on this article must meet, as stated by DOMAIN.md: it
        answers the other side's live proposal if there is one (a counter), and it names the
        side's own unanswered proposal it revises. Naming both is how two team members tabling
        at the same moment are told apart from a deliberate revision."""
        theirs = self.live_proposal(other_party(party))
        ours = self.live_proposal(party)
        if theirs is not None and answers != theirs.proposal_id:
            # Countering an item of a live package rejects that package (the aggregate's part).
            raise errors.MustAnswerLatestProposal(
                f"The {theirs.party} side's latest proposal on Article {self.number} is "
                f"version {theirs.version}: a counterproposal must answer that one."
            )
        if theirs is None and answers is not None:
            raise errors.MustAnswerLatestProposal(
                f"There is no live {other_party(party)} proposal on Article {self.number} "
                "to answer."
            )
        if ours is not None:
            if own_in_live_package:
                raise errors.PackageIsLive(
                    f"Your proposal on Article {self.number} is part of a live package: "
                    "withdraw the whole package to change it."
                )
            unanswered = theirs is None or theirs.version < ours.version
            if unanswered and revises != ours.proposal_id:
                raise errors.StaleWrite(
                    f"Your side already has version {ours.version} of Article {self.number} "
                    f"on the table (tabled by {ours.tabled_by}). Reload; to revise it, table a "
                    "revision naming it."
                )
        if revises is not None and (ours is None or revises != ours.proposal_id):
            raise errors.StaleWrite(
                "You can only revise your side's latest live proposal on this article; "
                "reload and try again."
            )

    def require_unsigned_by(self, party: Party, proposal_id: str) -> None:
        if self.ta_signatures.get(party) == proposal_id:
            raise errors.TAAlreadySigned(
                f"The {party} side has already signed the TA on this version of Article "
                f"{self.number}."
            )

    def require_reopenable_by(self, party: Party) -> None:
        """A TA'd or withdrawn article reopens with both parties' consent, each given once."""
        if self.status == "open":
            raise errors.RuleRefused(f"Article {self.number} is already open.")
        if party in self.reopen_consents:
            raise errors.RuleRefused(f"The {party} side has already consented to reopen it.")


class Draft(msgspec.Struct):
    """A proposal a team is preparing; visible to that team only until tabled."""

    draft_id: str
    article_id: str
    party: Party
    text: str
    revision: int
    updated_at: datetime
    updated_by: str
    tabled_as: str | None = None

    def require_revisable(self, expected_revision: int | None) -> None:
        if self.tabled_as is not None:
            raise errors.RuleRefused("That draft has been tabled; draft a new proposal instead.")
        if expected_revision is not None and expected_revision != self.revision:
            raise errors.StaleWrite(
                f"Someone on your team edited this draft meanwhile (you saw revision "
                f"{expected_revision}, it is now {self.revision}). Reload and try again."
            )


class Package(msgspec.Struct):
    """Proposals on several articles offered together, all or nothing."""

    package_id: str
    party: Party
    proposal_ids: list[str]
    article_ids: list[str]
    tabled_at: datetime
    status: PackageStatus = "live"

    @property
    def live(self) -> bool:
        """On the table and not yet answered as a whole: its items move only together."""
        return self.status == "live"

    def require_live(self) -> None:
        if not self.live:
            raise errors.RuleRefused(f"That package is no longer live (it was {self.status}).")


class LateArticleRequest(msgspec.Struct):
    """A new subject asked for after the cut-off; opened only if the other party consents."""

    request_id: str
    party: Party
    article_id: str
    number: str
    title: str
    category: Category
    current_language: str
    requested_at: datetime
    status: Literal["pending", "consented"] = "pending"

    def require_consentable_by(self, party: Party) -> None:
        """Pending, and consented to by the other party (whose chief the aggregate checks)."""
        if self.status != "pending":
            raise errors.NotFound("No pending late-article request with that id.")
        if self.party == party:
            raise errors.RuleRefused("Only the other party can consent to a late article.")


class WholeTentativeAgreement(msgspec.Struct):
    reached_at: datetime
    document_hash: str
    agreed_article_ids: list[str]
    withdrawn_article_ids: list[str]
