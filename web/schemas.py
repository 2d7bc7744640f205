"""Wire types: frozen msgspec Structs; requests are <Verb><Noun>, responses <Noun>View."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from negotiation.domain import commands as c
from negotiation.domain.actors import Party, TeamRole

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
    password: Annotated[str, Meta(max_length=1_000, pattern=NO_NUL)]


class CreateAccount(Frozen, frozen=True):
    username: Annotated[str, Meta(min_length=2, max_length=64, pattern=r"^[A-Za-z0-9_.@-]+$")]
    display_name: Name
    password: Annotated[str, Meta(min_length=10, max_length=1_000, pattern=NO_NUL)]
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
