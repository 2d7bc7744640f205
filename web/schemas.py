"""Wire types: frozen msgspec Structs; requests are <Verb><Noun>, responses <Noun>View."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from negotiation.domain import commands as c
from negotiation.domain.actors import Party, TeamRole
from negotiation.domain.ground_rules import Visibility

# Bounds keep absurd inputs out before they reach the domain (which checks again, in words);
# the commands declare them, once.
NO_NUL = c.NO_NUL
Name = c.Name
ShortText = c.ShortText
LongText = c.LongText
Id = c.Id
AwareDatetime = c.AwareDatetime
Kind = Literal["collective_bargaining", "meet_and_confer", "community_agreement"]


class Frozen(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Base of every wire type: immutable, and unknown fields are refused rather than ignored."""


# ------------------------------------------------------------------ identity
class Login(Frozen, frozen=True):
    username: Name
    password: Annotated[str, Meta(max_length=1_000)]


class CreateAccount(Frozen, frozen=True):
    username: Annotated[str, Meta(min_length=2, max_length=64, pattern=r"^[A-Za-z0-9_.@-]+$")]
    display_name: Name
    password: Annotated[str, Meta(min_length=10, max_length=1_000)]
    is_admin: bool = False
    bargaining_units: Annotated[list[Name], Meta(max_length=50)] = []


class CreateToken(Frozen, frozen=True):
    label: Annotated[str, Meta(max_length=200, pattern=NO_NUL)] = ""


class AccountView(Frozen, frozen=True):
    account_id: str
    username: str
    display_name: str
    is_admin: bool
    bargaining_units: list[str]


class TokenView(Frozen, frozen=True):
    token_id: str
    token: str | None
    kind: str
    label: str
    expires_at: datetime | None = None


class TokenInfoView(Frozen, frozen=True):
    token_id: str
    kind: str
    label: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None


# ------------------------------------------------------------------ commands
class OpenNegotiation(Frozen, frozen=True):
    title: Name
    kind: Kind
    bargaining_unit: Name
    union_name: Name
    employer_name: Name
    my_party: Party
    other_chief_username: Name | None = None
    facilitator_username: Name | None = None


class AddTeamMember(Frozen, frozen=True):
    username: Name
    party: Party
    role: TeamRole = "member"


class AppointFacilitator(Frozen, frozen=True):
    username: Name


class ProposeGroundRules(Frozen, frozen=True):
    proposal_cutoff: AwareDatetime | None = None
    written_exchange_allowed: bool = False
    open_sessions_allowed: bool = True
    members_sessions_allowed: bool = True
    observers: ShortText = ""
    interpretation_languages: Annotated[
        list[Annotated[str, Meta(max_length=40, pattern=NO_NUL)]], Meta(max_length=20)
    ] = []
    as_received: bool = False


# The other request bodies are the domain's command structs (negotiation/domain/commands.py):
# a body decodes straight into its command, or into the command's `...Body` base, which the
# controller completes with the ids the URL names.


# ------------------------------------------------------------------ command results
# `position` is the log position (notification id) of the command's last event: pass it as
# `?after=` to a read to see your own write.
class Created(Frozen, frozen=True):
    id: str
    position: int


class Done(Frozen, frozen=True):
    position: int
    done: bool = True


class SignedView(Frozen, frozen=True):
    article_agreed: bool
    position: int


class ReopenView(Frozen, frozen=True):
    reopened: bool
    position: int


class PackageCreated(Frozen, frozen=True):
    id: str
    proposal_ids: list[str]
    position: int


class ErrorView(Frozen, frozen=True):
    status_code: int
    rule: str
    detail: str


# ------------------------------------------------------------------ reads
class NegotiationSummary(Frozen, frozen=True):
    negotiation_id: str
    title: str
    kind: str
    bargaining_unit: str
    union_name: str
    employer_name: str
    opened_at: datetime


class TeamMemberView(Frozen, frozen=True):
    account_id: str
    name: str
    party: Party
    role: TeamRole


class GroundRulesView(Frozen, frozen=True):
    proposal_cutoff: datetime | None
    written_exchange_allowed: bool
    open_sessions_allowed: bool
    members_sessions_allowed: bool
    observers: str
    interpretation_languages: list[str]


class GroundRulesOfferView(Frozen, frozen=True):
    offer_id: str
    party: str
    rules: GroundRulesView


class ProposalView(Frozen, frozen=True):
    proposal_id: str
    version: int
    party: Party
    text: str
    tabled_at: datetime
    tabled_by: str
    status: str
    answers: str | None
    package_id: str | None
    session_id: str | None
    in_writing: bool
    as_received: bool


class ArticleSummaryView(Frozen, frozen=True):
    article_id: str
    number: str
    title: str
    category: str
    status: str
    revision: int
    opened_by: Party
    late: bool
    latest_version: int
    latest_party: Party | None
    ta_signed_by: list[str]


class ArticleView(Frozen, frozen=True):
    article_id: str
    number: str
    title: str
    category: str
    status: str
    revision: int
    opened_by: Party
    late: bool
    current_language: str
    proposals: list[ProposalView]
    ta_signed_by: list[str]
    agreed_proposal_id: str | None
    reopen_consents: list[str]
    hidden_proposals: int


class BulletinView(Frozen, frozen=True):
    party: Party
    text: str
    published_at: datetime
    published_by: str


class SessionView(Frozen, frozen=True):
    session_id: str
    number: int
    title: str
    visibility: Visibility
    status: str
    starts_at: datetime
    # The fields below are None for viewers who may see only a session's status.
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


class DraftView(Frozen, frozen=True):
    draft_id: str
    article_id: str
    party: Party
    text: str
    revision: int
    updated_at: datetime
    updated_by: str
    tabled_as: str | None


class TeamNoteView(Frozen, frozen=True):
    note_id: str
    party: Party
    text: str
    recorded_at: datetime
    recorded_by: str
    session_id: str | None
    article_id: str | None


class PackageView(Frozen, frozen=True):
    package_id: str
    party: Party
    proposal_ids: list[str]
    article_ids: list[str]
    tabled_at: datetime
    status: str


class LateArticleRequestView(Frozen, frozen=True):
    request_id: str
    party: Party
    number: str
    title: str
    category: str
    status: str


class WholeTAView(Frozen, frozen=True):
    reached_at: datetime
    document_hash: str
    agreed_article_ids: list[str]
    withdrawn_article_ids: list[str]


class ViewerView(Frozen, frozen=True):
    party: Party | None
    unit_member: bool
    official: bool


class NegotiationView(Frozen, frozen=True):
    negotiation_id: str
    version: int
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
