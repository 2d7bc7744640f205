"""Who sees what (DOMAIN.md): the one rule every view, feed, route and audit label asks.

Visibility is fixed when a thing is recorded: a proposal, note, bulletin or timeline entry
keeps the visibility its session had at that moment (`recorded_visibility`); a later change
of the session's visibility applies only to what is recorded afterwards. An article's status
and the TA count are public whatever the visibility of the moves behind them.
"""

from __future__ import annotations

from typing import Literal

import msgspec

from negotiation.domain.actors import Party
from negotiation.domain.ground_rules import Visibility

AuditLabel = Literal["public", "members", "teams", "union", "employer"]
# What an event type is, for who may see it:
#   status   anyone (who sits at the table, the rules, which subjects are open, when
#            sessions run, the whole TA)
#   members  unit members, both teams and officials
#   team     the acting party's team only (drafts and private notes)
#   session  the visibility of the session it happened in, as it was then
Scope = Literal["status", "members", "team", "session"]

IN_WRITING: Visibility = "members"  # exchanged in writing between sessions


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
        return self.party is not None  # closed (or anything unknown): the teams only

    def sees_team_private(self, party: Party | str) -> bool:
        """Drafts and private notes: own party only, never officials or administrators."""
        return self.party == party

    def sees_label(self, label: str) -> bool:
        return label in labels_seen_by(self)


PUBLIC = Audience()


def sees_agreed_language(audience: Audience, visibility: str, *, on_roll: bool = False) -> bool:
    """The agreed language of a TA'd article in a ratification document: a member on the vote's
    roll (proved by their credential) reads all of it, since a ballot is a vote on exactly that
    text; anyone else reads what the session it was tabled in allows (a closed session's stays
    with the teams, a members-only session's with the unit)."""
    return on_roll or audience.sees_session(visibility)


def recorded_visibility(session_visibility: str | None) -> Visibility:
    """The visibility a thing keeps from the moment it is recorded: its session's then, or
    members-only for what was exchanged in writing between sessions (no session)."""
    if session_visibility is None:
        return IN_WRITING
    if session_visibility in ("open", "members"):
        return session_visibility  # type: ignore[return-value]
    return "closed"


_LABEL_OF_VISIBILITY: dict[str, AuditLabel] = {
    "open": "public",
    "members": "members",
    "closed": "teams",
}


def label_of(visibility: str | None) -> AuditLabel:
    """The audit label of content recorded at this visibility (None: in writing)."""
    return _LABEL_OF_VISIBILITY[recorded_visibility(visibility)]


def team_label(party: str | None) -> AuditLabel:
    return "employer" if party == "employer" else "union"


def labels_seen_by(audience: Audience) -> list[str]:
    """The audit labels one audience may read."""
    labels = ["public"]
    if audience.sees_session("members"):
        labels.append("members")
    if audience.sees_session("closed"):
        labels.append("teams")
    if audience.party is not None:
        labels.append(audience.party)
    return labels


# A ratification vote's own steps (its audit chain, projections/audit/votes.py): the unit's
# business, read by its members, both teams and officials, as turnout is; the public sees that
# a vote was called and its certified outcome (above, on the negotiation's chain), and the
# public election record.
VOTE_AUDIT_LABEL: AuditLabel = "members"

EVENT_SCOPES: dict[str, Scope] = {
    "Opened": "status",
    "TeamMemberAdded": "status",
    "TeamMemberRemoved": "status",
    "ChiefNegotiatorNamed": "status",
    "FacilitatorAppointed": "status",
    "GroundRulesProposed": "status",
    "GroundRulesAgreed": "status",
    "GroundRulesAmended": "status",
    "LateArticleRequested": "members",
    "ArticleOpened": "status",
    "ProposalDrafted": "team",
    "DraftRevised": "team",
    "ProposalTabled": "session",
    "ProposalWithdrawn": "session",
    "ArticleWithdrawn": "session",
    "TASigned": "session",
    "ArticleTentativelyAgreed": "session",
    "ReopeningConsented": "session",
    "ArticleReopened": "session",
    "PackageTabled": "session",
    "PackageAccepted": "session",
    "PackageWithdrawn": "session",
    "TentativeAgreementReached": "status",
    "SessionScheduled": "status",
    "SessionVisibilityChanged": "status",
    "SessionOpened": "status",
    "SessionRecessed": "status",
    "SessionResumed": "status",
    "SessionClosed": "status",
    "AgendaSet": "session",
    "ArticleBroughtToTable": "session",
    "CaucusCalled": "session",
    "CaucusEnded": "session",
    "AttendanceCounted": "session",
    "TeamNoteRecorded": "team",
    "BulletinPublished": "session",
    "ReactionTotalsClosed": "session",  # card totals: whoever could watch that session
    # Livestream overlays: which graphics are on air is the stream's set-up, public; the
    # speaker lower third is content of its session.
    "OverlayGraphicHidden": "status",
    "OverlayGraphicShown": "status",
    "SpeakerTakenToAir": "session",
    "SpeakerCleared": "session",
    # Ratification: that a vote was called and its certified outcome are public.
    "RatificationVoteCalled": "status",
    "ContractRatified": "status",
    "ContractRejected": "status",
}
# Acts across the table that do not name their session: they happen in the running one.
IN_RUNNING_SESSION = frozenset(
    {
        "ProposalWithdrawn",
        "ArticleWithdrawn",
        "TASigned",
        "ArticleTentativelyAgreed",
        "ReopeningConsented",
        "ArticleReopened",
        "PackageAccepted",
        "PackageWithdrawn",
    }
)


def event_label(event_type: str, party: str | None, visibility_then: str | None) -> AuditLabel:
    """The audit label of one event: by its scope, and for acts in a session by that session's
    visibility when it was recorded (None: in writing, or in no session). A type not listed
    (yet) follows its session, like most acts."""
    scope = EVENT_SCOPES.get(event_type, "session")
    if scope == "status":
        return "public"
    if scope == "members":
        return "members"
    if scope == "team":
        return team_label(party)
    return label_of(visibility_then)
