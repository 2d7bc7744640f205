"""Ground rules: how the parties agreed to bargain, including the proposal cut-off."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec

Visibility = Literal["open", "members", "closed"]


class GroundRules(msgspec.Struct, frozen=True):
    proposal_cutoff: datetime | None = None
    written_exchange_allowed: bool = False
    open_sessions_allowed: bool = True
    members_sessions_allowed: bool = True
    observers: str = ""
    interpretation_languages: tuple[str, ...] = ()

    def allows(self, visibility: Visibility) -> bool:
        if visibility == "open":
            return self.open_sessions_allowed
        if visibility == "members":
            return self.members_sessions_allowed
        return True

    def cutoff_passed(self, now: datetime) -> bool:
        return self.proposal_cutoff is not None and now >= self.proposal_cutoff


class GroundRulesOffer(msgspec.Struct):
    """Ground rules one party has put forward; they bind once the other party agrees."""

    offer_id: str
    party: str
    rules: GroundRules
