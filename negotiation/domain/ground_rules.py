"""Ground rules: how the parties agreed to bargain, including the proposal cut-off."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec

from negotiation.domain import errors

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

    def require_allows(self, visibility: Visibility) -> None:
        """A session more public than the ground rules allow is refused."""
        if self.allows(visibility):
            return
        if self is UNTIL_AGREED:
            raise errors.VisibilityNotAllowed(
                "Until ground rules are agreed, sessions are closed: the parties have not yet "
                "agreed who may observe."
            )
        raise errors.VisibilityNotAllowed(f"The ground rules do not allow {visibility} sessions.")

    def cutoff_passed(self, now: datetime) -> bool:
        return self.proposal_cutoff is not None and now >= self.proposal_cutoff

    def require_before_cutoff(self, now: datetime) -> None:
        """From the cut-off instant on, no new subject opens without both parties' consent."""
        if self.cutoff_passed(now):
            raise errors.ProposalCutoffPassed(
                f"The proposal cut-off ({self.proposal_cutoff:%Y-%m-%d %H:%M} UTC) has passed: "
                "no new subject can be opened without both parties' consent (request it as a "
                "late article)."
            )


UNTIL_AGREED = GroundRules(open_sessions_allowed=False, members_sessions_allowed=False)
"""What binds before the parties agree their ground rules: closed sessions only, no written
exchange, no cut-off."""


class GroundRulesOffer(msgspec.Struct):
    """Ground rules one party has put forward; they bind once the other party agrees."""

    offer_id: str
    party: str
    rules: GroundRules
