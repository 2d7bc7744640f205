"""Who sees what (DOMAIN.md): one rule, used by every read path and live feed."""

from __future__ import annotations

import msgspec

from negotiation.domain.actors import Party
from negotiation.domain.ground_rules import Visibility


class Audience(msgspec.Struct, frozen=True):
    """What a viewer is to one negotiation: team party, unit member, official, or the public."""

    party: Party | None = None
    unit_member: bool = False
    official: bool = False  # facilitator, administrator or election official

    @property
    def is_public(self) -> bool:
        return self.party is None and not self.unit_member and not self.official

    def sees_session(self, visibility: Visibility | str) -> bool:
        """Full content of a session (not just its status) at this visibility."""
        if visibility == "open":
            return True
        if visibility == "members":
            return self.party is not None or self.unit_member or self.official
        return self.party is not None  # closed: the teams only

    def sees_team_private(self, party: Party | str) -> bool:
        """Drafts and private notes: own party only, never officials or administrators."""
        return self.party == party


PUBLIC = Audience()
