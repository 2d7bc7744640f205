"""Wire types: frozen msgspec Structs; requests are <Verb><Noun>, responses <Noun>View."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from negotiation.domain.actors import Party, TeamRole
from negotiation.domain.articles import Category
from negotiation.domain.ground_rules import Visibility

# Bounds keep absurd inputs out before they reach the domain (which checks again, in words).
# NUL cannot be stored in PostgreSQL text, so it is refused at the door.
NO_NUL = r"^[^\x00]*$"
Name = Annotated[str, Meta(min_length=1, max_length=200, pattern=NO_NUL)]
ShortText = Annotated[str, Meta(max_length=2_000, pattern=NO_NUL)]
LongText = Annotated[str, Meta(max_length=200_000, pattern=NO_NUL)]
Id = Annotated[str, Meta(min_length=1, max_length=64, pattern=NO_NUL)]
AwareDatetime = Annotated[datetime, Meta(tz=True)]
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


class ActAsReceived(Frozen, frozen=True):
    """Body of acts that need no other input; as_received records the other party's act."""

    as_received: bool = False


class OpenArticle(Frozen, frozen=True):
    number: Annotated[str, Meta(min_length=1, max_length=20)]
    title: Name
    category: Category
    current_language: LongText = ""
    as_received: bool = False


class TableProposal(Frozen, frozen=True):
    text: LongText
    answers: Id | None = None
    revises: Id | None = None
    as_received: bool = False
    expected_revision: int | None = None


class SignTA(Frozen, frozen=True):
    as_received: bool = False


class DraftProposal(Frozen, frozen=True):
    article_id: Id
    text: LongText


class ReviseDraft(Frozen, frozen=True):
    text: LongText
    expected_revision: int | None = None


class TableDraft(Frozen, frozen=True):
    answers: Id | None = None
    revises: Id | None = None


class PackageItem(Frozen, frozen=True):
    article_id: Id
    text: LongText
    answers: Id | None = None
    revises: Id | None = None


class TablePackage(Frozen, frozen=True):
    items: Annotated[list[PackageItem], Meta(min_length=2, max_length=100)]
    as_received: bool = False


class ScheduleSession(Frozen, frozen=True):
    visibility: Visibility
    location: ShortText
    starts_at: AwareDatetime
    title: Annotated[str, Meta(max_length=200, pattern=NO_NUL)] = ""
    capacity: Annotated[int, Meta(ge=0, le=1_000_000)] | None = None
    livestream_url: Annotated[str, Meta(max_length=2_000, pattern=NO_NUL)] | None = None
    languages: Annotated[
        list[Annotated[str, Meta(max_length=40, pattern=NO_NUL)]], Meta(max_length=20)
    ] = []


class ChangeSessionVisibility(Frozen, frozen=True):
    visibility: Visibility


class SetAgenda(Frozen, frozen=True):
    article_ids: Annotated[list[Id], Meta(max_length=500)]


class BringToTable(Frozen, frozen=True):
    article_id: Id


class CountAttendance(Frozen, frozen=True):
    count: Annotated[int, Meta(ge=0, le=10_000_000)]


class RecordTeamNote(Frozen, frozen=True):
    text: LongText
    session_id: Id | None = None
    article_id: Id | None = None


class PublishBulletin(Frozen, frozen=True):
    text: LongText


# ------------------------------------------------------------------ command results
class Created(Frozen, frozen=True):
    id: str


class Done(Frozen, frozen=True):
    done: bool = True


class SignedView(Frozen, frozen=True):
    article_agreed: bool


class ReopenView(Frozen, frozen=True):
    reopened: bool


class PackageCreated(Frozen, frozen=True):
    id: str
    proposal_ids: list[str]


class ErrorView(Frozen, frozen=True):
    status_code: int
    rule: str
    detail: str
