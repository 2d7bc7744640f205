"""Who acts: parties, team roles, and the stamp every event carries about its actor."""

from __future__ import annotations

from typing import Literal

import msgspec

Party = Literal["union", "employer"]
PARTIES: tuple[Party, Party] = ("union", "employer")
TeamRole = Literal["chief", "member"]


def other_party(party: Party) -> Party:
    return "employer" if party == "union" else "union"


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


def stamp(
    actor: Actor, party: Party | None, *, as_received: bool = False, in_writing: bool = False
) -> dict[str, object]:
    """The actor record stored on every event: who did it, for which party, and how it arrived."""
    return {
        "account_id": actor.account_id,
        "name": actor.name,
        "party": party,
        "as_received": as_received,
        "in_writing": in_writing,
    }
