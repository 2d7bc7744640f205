"""Every command the vote aggregate (ratification.py) takes, declared once, as in commands.py.

Frozen msgspec Structs with their bounds, each decided by the vote's method of that name.
"""

from __future__ import annotations

from typing import Annotated

from msgspec import Meta

from negotiation.ballots.record import BallotSubmission, DecryptionShareRecord, GuardianRecord
from negotiation.domain.commands import NO_NUL, Command, Id, Name, ShortText


class OfficialRef(Command, frozen=True, kw_only=True):
    """An account appointed as election official (and guardian), as the request names it."""

    account_id: Id
    name: Name


class AppointElectionOfficials(Command, frozen=True, kw_only=True):
    officials: Annotated[list[OfficialRef], Meta(min_length=1, max_length=9)]
    quorum: Annotated[int, Meta(ge=1, le=9)]  # k of n officials decrypt


class RecordVoterRollImported(Command, frozen=True, kw_only=True):
    """What an import left on the roll, as counts (the rows themselves stay in the store)."""

    accepted: Annotated[int, Meta(ge=0)]
    rejected: Annotated[int, Meta(ge=0)]
    eligible: Annotated[int, Meta(ge=0)]


class WriteSummary(Command, frozen=True, kw_only=True):
    """The union's plain-language summary of one TA'd article (no article: of the whole
    agreement) for the document members vote on; an empty text removes it."""

    article_id: Id | None = None
    text: Annotated[str, Meta(max_length=10_000, pattern=NO_NUL)]


class CertifyVoterRoll(Command, frozen=True, kw_only=True):
    roll_hash: Annotated[str, Meta(pattern="^[0-9a-f]{64}$")]
    eligible: Annotated[int, Meta(ge=0)]


class AnnounceGuardian(Command, frozen=True, kw_only=True):
    record: GuardianRecord


class SealedShare(Command, frozen=True, kw_only=True):
    recipient: Annotated[int, Meta(ge=1, le=9)]
    ephemeral: bytes
    nonce: bytes
    sealed: Annotated[bytes, Meta(max_length=200)]


class PostGuardianShares(Command, frozen=True, kw_only=True):
    shares: Annotated[list[SealedShare], Meta(min_length=1, max_length=9)]


class ConfirmGuardianShares(Command, frozen=True, kw_only=True):
    """Every share this guardian received checks out against its sender's commitments."""


class ChallengeGuardianShare(Command, frozen=True, kw_only=True):
    """The share `sender` sealed to this guardian does not open or does not check out."""

    sender: Annotated[int, Meta(ge=1, le=9)]


class RevealGuardianShare(Command, frozen=True, kw_only=True):
    """The answer to a challenge: the share sealed to `recipient`, in the clear (32 bytes)."""

    recipient: Annotated[int, Meta(ge=1, le=9)]
    share: Annotated[bytes, Meta(min_length=32, max_length=32)]


class PublishJointKey(Command, frozen=True, kw_only=True):
    pass


class RecordCredentialsIssued(Command, frozen=True, kw_only=True):
    count: Annotated[int, Meta(ge=0)]


class RecordCredentialReissued(Command, frozen=True, kw_only=True):
    member_id: Id


class OpenVote(Command, frozen=True, kw_only=True):
    pass


class CastBallot(Command, frozen=True, kw_only=True):
    """The ballot as the voter's browser encrypted it; the credential stays at the edge."""

    ballot: BallotSubmission


class CloseVote(Command, frozen=True, kw_only=True):
    reason: ShortText = ""


class PostPartialDecryption(Command, frozen=True, kw_only=True):
    share: DecryptionShareRecord


class CertifyTally(Command, frozen=True, kw_only=True):
    pass


class PurgeVoterData(Command, frozen=True, kw_only=True):
    pass
