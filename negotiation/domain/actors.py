"""Who acts: parties, team roles, and the stamp every event carries about its actor."""

from __future__ import annotations

from typing import Literal

import msgspec

Party = Literal["union", "employer"]
PARTIES: tuple[Party, Party] = ("union", "employer")
TeamRole = Literal["chief", "member"]


def other_party(party: Party) -> Party:
    return "employer" if party == "union" else "union"


def speaks_for_party(role: str) -> bool:
    """Whether a team member in this role does the acts that bind their party (DOMAIN.md,
    Sessions and teams): the chief negotiator, no other member of the team."""
    return role == "chief"


FACILITATOR = "facilitator"
"""The role of the neutral at the table, beside a team's chief and members."""


def runs_sessions(role: str) -> bool:
    """Whether someone at the table in this role runs the sessions: schedules, opens,
    recesses, resumes and closes them and sets their agenda (DOMAIN.md, Sessions and teams):
    the facilitator or a party's chief negotiator. Any team member may call a caucus, bring an
    article to the table or count attendance."""
    return role == FACILITATOR or speaks_for_party(role)


class Actor(msgspec.Struct, frozen=True):
    """An authenticated person; what they may do in a negotiation is decided by the aggregate."""

    account_id: str
    name: str
    is_admin: bool = False


class TeamMember(msgspec.Struct):
    account_id: str
    name: str
    party: Party
    role: TeamRole


class Stamp(msgspec.Struct, frozen=True):
    """Who recorded an event, for which party, and how it arrived: stored on every event as
    `by`. Its fields and their order are the map events have always been stored with, so the
    read side (which reads stored payloads as maps) and events recorded before it was typed
    both keep decoding."""

    account_id: str | None
    name: str
    party: Party | None = None
    as_received: bool = False  # recorded by the other team, as received across the table
    in_writing: bool = False  # delivered in writing between sessions

    @property
    def team_party(self) -> Party:
        """The party of an act a team records (every such event is stamped with one)."""
        if self.party is None:
            raise ValueError(f"{self.name} recorded this for no party")
        return self.party


PLATFORM = Stamp(account_id=None, name="platform")
"""The stamp of what the platform records by itself (the whole tentative agreement)."""

PLATFORM_ACCOUNT = "platform:"  # no person's account id has a colon (they are UUIDs)
PLATFORM_ACTOR = Actor(account_id=PLATFORM_ACCOUNT, name="platform")
"""Who runs a command the platform decides by itself (closing card totals): no person."""


def stamp(
    actor: Actor, party: Party | None, *, as_received: bool = False, in_writing: bool = False
) -> Stamp:
    """The actor record stored on every event: who did it, for which party, and how it arrived."""
    return Stamp(
        account_id=actor.account_id,
        name=actor.name,
        party=party,
        as_received=as_received,
        in_writing=in_writing,
    )
