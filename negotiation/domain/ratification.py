"""The ratification vote aggregate: officials, roll, key ceremony, ballots, close, tally, outcome.

One aggregate per vote (its own stream, so a negotiation never carries 100,000 ballot events).
As in the negotiation, commands check every rule and then trigger past-tense events that only
assign state. The ballot events carry no member, no credential and no fine timestamp: every
event of a vote is stamped with the day only (`Vote.Event.create_timestamp`), so the log's
timestamps cannot be matched against when a member was seen voting. Who voted (participation)
lives in the voting store, written in the same transaction as the ballot (negotiation/voting).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from typing import Any
from uuid import UUID

import msgspec
from eventsourcing.domain import Aggregate, event

from negotiation.ballots.ballot import (
    EncryptedBallot,
    ballot_hash,
    ballot_problems,
    first_tracking_code,
    next_tracking_code,
)
from negotiation.ballots.ceremony import (
    CeremonyError,
    ceremony_hash,
    check_announcement,
    check_revealed_share,
    guardian_public_share,
    joint_public_key,
)
from negotiation.ballots.context import ElectionContext
from negotiation.ballots.elgamal import Ciphertext
from negotiation.ballots.group import InvalidEncoding, Point, Scalar
from negotiation.ballots.record import (
    BallotSubmission,
    CiphertextRecord,
    DecryptionShareRecord,
    GuardianRecord,
    ShareChallengeRecord,
    ballot_from,
    ciphertext_from,
    ciphertext_record,
    guardian_from,
    share_from,
)
from negotiation.ballots.tally import TallyError, combine, share_problems
from negotiation.domain import commands as nc
from negotiation.domain import document, errors
from negotiation.domain import vote_commands as c
from negotiation.domain.actors import Actor, Stamp, stamp
from negotiation.domain.negotiation import NegotiationSnapshot

Status = str  # "called" → "open" → "closed" → "certified"


def _now() -> datetime:
    return datetime.now(UTC)


def share_of(text: str) -> Fraction:
    """'2/3' → Fraction(2, 3); 'majority' is handled by the threshold rule itself."""
    num, den = text.split("/")
    value = Fraction(int(num), int(den))
    if not 0 < value <= 1:
        raise errors.InvalidRequest(f"{text} is not a share between 0 and 1.")
    return value


def threshold_met(threshold: str, yes: int, no: int) -> bool:
    """DOMAIN.md: on yes / (yes + no); "majority" is more than half (a tie is rejected); any
    other threshold is at least that share. With no yes or no at all, nothing is ratified."""
    if yes + no == 0:
        return False
    if threshold == "majority":
        return 2 * yes > yes + no
    return Fraction(yes, yes + no) >= share_of(threshold)


def quorum_met(quorum: str | None, turnout: int, roll: int) -> bool:
    """Turnout (abstentions included) ≥ the quorum share of the roll; no quorum: always met."""
    if quorum is None:
        return True
    return turnout * share_of(quorum).denominator >= share_of(quorum).numerator * roll


def outcome_of(
    threshold: str, quorum: str | None, counts: dict[str, int], turnout: int, roll: int
) -> str:
    if not quorum_met(quorum, turnout, roll):
        return "quorum_missed"
    return "ratified" if threshold_met(threshold, counts["yes"], counts["no"]) else "rejected"


@dataclass(frozen=True)
class CheckedBallot:
    """A ballot whose proofs verified, decoded, with the hash its tracking code chains."""

    ballot: EncryptedBallot
    hash: bytes


def check_ballot(context: ElectionContext, submission: BallotSubmission) -> CheckedBallot:
    """The proofs and the hash (the expensive part, the same for every ballot of an open vote):
    run before taking the vote's lock, so only the chain step and the sum remain inside it."""
    try:
        ballot = ballot_from(submission)
    except InvalidEncoding as bad:
        raise errors.InvalidBallot(f"The ballot is not well formed: {bad}.") from None
    problems = ballot_problems(context, ballot)
    if problems:
        raise errors.InvalidBallot("The ballot was refused: " + "; ".join(problems) + ".")
    return CheckedBallot(ballot, ballot_hash(context, ballot))


class Official(msgspec.Struct):
    account_id: str
    name: str


class VoteState(msgspec.Struct):
    negotiation_id: str
    question: str
    options: list[str]
    threshold: str
    quorum: str | None
    opens_at: datetime
    closes_at: datetime
    retention_days: int
    document_hash: str  # hex, of the document: the whole TA and the summaries (document.py)
    agreement_hash: str = ""  # hex, the whole TA's alone (negotiation.document_hash)
    summaries: dict[str, str] = msgspec.field(default_factory=dict)  # article id → text
    overall_summary: str = ""
    status: Status = "called"
    officials: list[Official] = msgspec.field(default_factory=list)
    guardian_quorum: int = 0
    roll_hash: str | None = None
    eligible: int = 0
    credentials_issued: bool = False
    announcements: dict[int, GuardianRecord] = msgspec.field(default_factory=dict)
    shares: dict[int, list[c.SealedShare]] = msgspec.field(default_factory=dict)  # by sender
    confirmed: list[int] = msgspec.field(default_factory=list)  # guardians whose shares check out
    challenges: list[ShareChallengeRecord] = msgspec.field(default_factory=list)
    disqualified: list[str] = msgspec.field(default_factory=list)  # account ids, for this vote
    public_key: bytes | None = None
    ballots: int = 0
    last_code: bytes = b""
    tally: list[CiphertextRecord] = msgspec.field(default_factory=list)
    close_reason: str = ""
    closed_at: datetime | None = None
    decryptions: dict[int, DecryptionShareRecord] = msgspec.field(default_factory=dict)
    result: list[int] | None = None
    outcome: str | None = None
    purged: bool = False


class VoteSnapshot(NegotiationSnapshot):
    """The typed state as msgpack, so a snapshot decodes back into Structs (as Negotiation's)."""

    decoder = msgspec.msgpack.Decoder(VoteState)


def _builtins(value: Any) -> Any:
    """Event payloads are builtins (the transcoder's rule); bytes stay bytes (msgpack bin)."""
    return msgspec.to_builtins(value, builtin_types=(bytes, datetime))


def _day(moment: datetime) -> datetime:
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


class Vote(Aggregate):
    """One ratification vote on one whole tentative agreement."""

    state: VoteState
    Snapshot = VoteSnapshot

    class Event(Aggregate.Event):
        @staticmethod
        def create_timestamp() -> datetime:
            # Day only: the order of ballots is public (the tracking chain), their times are not.
            return _day(datetime.now(UTC))

    @staticmethod
    def create_id(vote_id: str) -> UUID:
        # The negotiation's RatificationVoteCalled names the vote first; its stream takes that id.
        return UUID(vote_id)

    def detached(self) -> Vote:
        """A copy to read outside the vote's lock: casts and the other commands change the
        shared (cached) vote in place, so a view read from it later could mix two states."""
        copied = copy.copy(self)
        copied.state = VoteSnapshot.decoder.decode(msgspec.msgpack.encode(self.state))
        # Its own (empty) list: an event triggered on the copy must never be saved with the
        # shared vote's next command.
        copied._pending_events = []
        return copied

    # ------------------------------------------------------------------ creation
    @classmethod
    def call(
        cls,
        *,
        vote_id: str,
        negotiation_id: str,
        document_hash: str,
        actor: Actor,
        command: nc.CallRatificationVote,
    ) -> Vote:
        return cls(
            vote_id=vote_id,
            negotiation_id=negotiation_id,
            question=command.question.strip(),
            options=list(command.options),
            threshold=command.threshold,
            quorum=command.quorum,
            opens_at=command.opens_at,
            closes_at=command.closes_at,
            retention_days=command.retention_days,
            document_hash=document_hash,
            by=stamp(actor, "union"),
        )

    @event("VoteCalled")
    def __init__(
        self,
        vote_id: str,
        negotiation_id: str,
        question: str,
        options: list[str],
        threshold: str,
        quorum: str | None,
        opens_at: datetime,
        closes_at: datetime,
        retention_days: int,
        document_hash: str,
        by: Stamp,
    ) -> None:
        self.state = VoteState(
            negotiation_id=negotiation_id,
            question=question,
            options=list(options),
            threshold=threshold,
            quorum=quorum,
            opens_at=opens_at,
            closes_at=closes_at,
            retention_days=retention_days,
            document_hash=document_hash,
            agreement_hash=document_hash,
        )

    # ------------------------------------------------------------------ who and what
    @property
    def election_id(self) -> str:
        return self.id.hex

    def execute(self, actor: Actor, command: nc.Command) -> Any:
        method = getattr(self, command.handler, None)
        if method is None:
            raise TypeError(f"A vote does not take {type(command).__name__} commands.")
        return method(actor, command)

    def guardian_index(self, account_id: str) -> int | None:
        for i, official in enumerate(self.state.officials, start=1):
            if official.account_id == account_id:
                return i
        return None

    def is_official(self, account_id: str) -> bool:
        return self.guardian_index(account_id) is not None

    def _require_official(self, actor: Actor) -> int:
        index = self.guardian_index(actor.account_id)
        if index is None:
            raise errors.NotElectionOfficial(
                f"{actor.name} is not an election official of this vote."
            )
        return index

    def _require_status(self, *allowed: Status, doing: str) -> None:
        if self.state.status not in allowed:
            raise errors.VoteStepRefused(
                f"The vote is {self.state.status}; {doing} is not possible now."
            )

    @property
    def n(self) -> int:
        return len(self.state.officials)

    @property
    def ceremony_hash(self) -> bytes:
        return ceremony_hash(self.election_id, self.n, self.state.guardian_quorum)

    def context(self) -> ElectionContext:
        if self.state.public_key is None or self.state.roll_hash is None:
            raise errors.VoteStepRefused(
                "The vote has no election key or certified roll yet: ballots cannot be made."
            )
        return ElectionContext(
            self.election_id,
            bytes.fromhex(self.state.document_hash),
            bytes.fromhex(self.state.roll_hash),
            Point.from_bytes(self.state.public_key),
            tuple(self.state.options),
        )

    def in_window(self, at: datetime) -> bool:
        return self.state.opens_at <= at < self.state.closes_at

    # ------------------------------------------------------------------ the document
    def write_summary(
        self, actor: Actor, command: c.WriteSummary, agreement: list[document.DocumentText]
    ) -> str:
        """A plain-language summary into the document the vote is on, while the vote is only
        called: from the opening on, ballots are bound to the document's hash. `agreement` is
        the whole TA as the negotiation holds it (who may write is the negotiation's rule, which
        the voting service checks first). Returns the document's new hash."""
        if self.state.status != "called":
            raise errors.VoteStepRefused(
                "The vote has opened: the summaries are part of the text members vote on and "
                "can no longer change."
            )
        if document.document_hash(agreement, {}) != self.state.agreement_hash:
            raise errors.VoteStepRefused(
                "The tentative agreement is not the one this vote was called on."
            )
        numbers = {a.article_id: a.number for a in agreement}
        if command.article_id is not None and command.article_id not in numbers:
            raise errors.NotFound(
                "That article is not one of the tentatively agreed articles of this vote."
            )
        text = command.text.strip()
        summaries = dict(self.state.summaries)
        overall = self.state.overall_summary
        if command.article_id is None:
            overall = text
        elif text:
            summaries[command.article_id] = text
        else:
            summaries.pop(command.article_id, None)
        new_hash = document.document_hash(agreement, summaries, overall)
        self._summary_written(
            article_id=command.article_id,
            text=text,
            document_hash=new_hash,
            at=_now(),
            by=stamp(actor, "union"),
        )
        return new_hash

    @event("SummaryWritten")
    def _summary_written(
        self, article_id: str | None, text: str, document_hash: str, at: datetime, by: Stamp
    ) -> None:
        if article_id is None:
            self.state.overall_summary = text
        elif text:
            self.state.summaries[article_id] = text
        else:
            self.state.summaries.pop(article_id, None)
        self.state.document_hash = document_hash

    # ------------------------------------------------------------------ officials and roll
    def appoint_election_officials(self, actor: Actor, command: c.AppointElectionOfficials) -> None:
        """Who may appoint is the negotiation's rule (union chief or administrator): the voting
        service checks it on the negotiation before it runs this."""
        self._require_status("called", doing="appointing the officials")
        if self.state.announcements and not self.disqualified_officials():
            raise errors.VoteStepRefused(
                "The key ceremony has begun; the officials can no longer change."
            )
        ids = [o.account_id for o in command.officials]
        if len(set(ids)) != len(ids):
            raise errors.InvalidRequest("Each official is appointed once.")
        for o in command.officials:
            if o.account_id in self.state.disqualified:
                raise errors.InvalidRequest(
                    f"{o.name} was disqualified from this vote's key ceremony (a revealed "
                    "share did not match their commitments); appoint another official."
                )
        if not 1 <= command.quorum <= len(ids):
            raise errors.InvalidRequest(
                f"The number of officials needed to decrypt ({command.quorum}) must be between "
                f"1 and the number of officials ({len(ids)})."
            )
        self._officials_appointed(
            officials=[{"account_id": o.account_id, "name": o.name} for o in command.officials],
            quorum=command.quorum,
            at=_now(),
            by=stamp(actor, "union"),
        )

    @event("ElectionOfficialsAppointed")
    def _officials_appointed(
        self, officials: list[dict[str, str]], quorum: int, at: datetime, by: Stamp
    ) -> None:
        self.state.officials = [Official(**o) for o in officials]
        self.state.guardian_quorum = quorum
        # After a disqualification this restarts the key ceremony: nothing of it carries over.
        self.state.announcements = {}
        self.state.shares = {}
        self.state.confirmed = []
        self.state.challenges = []

    def require_roll_editable(self) -> None:
        if self.state.status != "called":
            raise errors.RollFrozen(
                "The vote has opened: the voter roll is frozen and cannot change."
            )
        if self.state.roll_hash is not None and self.state.credentials_issued:
            raise errors.RollFrozen(
                "Credentials have been issued for the certified roll; it cannot change now."
            )

    def record_voter_roll_imported(self, actor: Actor, command: c.RecordVoterRollImported) -> None:
        """The voting service replaced the roll's rows (under this vote's lock): the log keeps
        the counts, and a roll certified before is no longer the one there."""
        self._require_official(actor)
        self.require_roll_editable()
        self._roll_imported(
            accepted=command.accepted,
            rejected=command.rejected,
            eligible=command.eligible,
            at=_now(),
            by=stamp(actor, None),
        )

    @event("VoterRollImported")
    def _roll_imported(
        self, accepted: int, rejected: int, eligible: int, at: datetime, by: Stamp
    ) -> None:
        self.state.roll_hash = None  # certify the new roll again before credentials
        self.state.eligible = 0

    def certify_voter_roll(self, actor: Actor, command: c.CertifyVoterRoll) -> None:
        self._require_official(actor)
        self.require_roll_editable()
        if command.eligible == 0:
            raise errors.VoteStepRefused("The roll has no eligible member to certify.")
        self._roll_certified(
            roll_hash=command.roll_hash,
            eligible=command.eligible,
            at=_now(),
            by=stamp(actor, None),
        )

    @event("VoterRollCertified")
    def _roll_certified(self, roll_hash: str, eligible: int, at: datetime, by: Stamp) -> None:
        self.state.roll_hash = roll_hash
        self.state.eligible = eligible

    # ------------------------------------------------------------------ key ceremony
    def disqualified_officials(self) -> list[int]:
        """The guardian numbers of the officials disqualified in the ceremony."""
        return [
            i
            for i, o in enumerate(self.state.officials, start=1)
            if o.account_id in self.state.disqualified
        ]

    def _require_ceremony(self, actor: Actor) -> int:
        """An official of a ceremony that is still running: the vote only called, no guardian
        disqualified (then only appointing the officials again restarts it)."""
        index = self._require_official(actor)
        self._require_status("called", doing="the key ceremony")
        disqualified = self._disqualification()
        if disqualified:
            raise errors.VoteStepRefused(disqualified)
        return index

    def _disqualification(self) -> str | None:
        for i in self.disqualified_officials():
            return (
                f"Guardian {i} ({self.state.officials[i - 1].name}) was disqualified: the share "
                "they revealed does not match their commitments. The union chief appoints the "
                "officials again, without them, to restart the key ceremony."
            )
        return None

    def _unanswered(self) -> list[ShareChallengeRecord]:
        return [ch for ch in self.state.challenges if not ch.revealed]

    def announce_guardian(self, actor: Actor, command: c.AnnounceGuardian) -> None:
        index = self._require_ceremony(actor)
        record = command.record
        if record.index != index:
            raise errors.InvalidRequest(f"You are guardian {index}, not {record.index}.")
        if index in self.state.announcements:
            raise errors.VoteStepRefused(f"Guardian {index} has already announced.")
        try:
            announcement = guardian_from(record)
            if len(announcement.commitments) != self.state.guardian_quorum:
                raise CeremonyError(
                    f"guardian {index} must commit to {self.state.guardian_quorum} coefficients"
                )
            check_announcement(self.ceremony_hash, self.state.guardian_quorum, announcement)
        except (CeremonyError, InvalidEncoding) as bad:
            raise errors.InvalidRequest(f"The announcement does not check out: {bad}.") from None
        self._guardian_announced(index=index, record=_builtins(record), by=stamp(actor, None))

    @event("GuardianAnnounced")
    def _guardian_announced(self, index: int, record: dict[str, Any], by: Stamp) -> None:
        self.state.announcements[index] = msgspec.convert(record, GuardianRecord)

    def post_guardian_shares(self, actor: Actor, command: c.PostGuardianShares) -> None:
        index = self._require_ceremony(actor)
        if len(self.state.announcements) < self.n:
            raise errors.VoteStepRefused(
                "Every guardian announces first; shares are sealed to their transport keys."
            )
        if index in self.state.shares:
            raise errors.VoteStepRefused(f"Guardian {index} has already posted its shares.")
        recipients = sorted(s.recipient for s in command.shares)
        if recipients != list(range(1, self.n + 1)):
            raise errors.InvalidRequest(
                f"Post exactly one sealed share for each guardian 1..{self.n}."
            )
        self._shares_posted(
            sender=index, shares=[_builtins(s) for s in command.shares], by=stamp(actor, None)
        )

    @event("GuardianSharesPosted")
    def _shares_posted(self, sender: int, shares: list[dict[str, Any]], by: Stamp) -> None:
        self.state.shares[sender] = [msgspec.convert(s, c.SealedShare) for s in shares]

    # The complaint round: each guardian confirms the shares it received, or challenges one;
    # a challenged guardian reveals that share, which the server checks against its commitments.
    def _require_key_unpublished(self) -> None:
        if self.state.public_key is not None:
            raise errors.VoteStepRefused("The election key is published: the key ceremony is over.")

    def confirm_guardian_shares(self, actor: Actor, command: c.ConfirmGuardianShares) -> None:
        index = self._require_ceremony(actor)
        self._require_key_unpublished()
        if len(self.state.shares) < self.n:
            raise errors.VoteStepRefused(
                "Every guardian posts its shares first; then each checks the ones it received."
            )
        if index in self.state.confirmed:
            raise errors.VoteStepRefused(f"Guardian {index} has already confirmed its shares.")
        for ch in self._unanswered():
            if ch.accuser == index:
                raise errors.VoteStepRefused(
                    f"Your challenge of guardian {ch.accused}'s share is not answered yet; "
                    "confirm once they reveal it."
                )
        self._shares_confirmed(guardian=index, by=stamp(actor, None))

    @event("GuardianSharesConfirmed")
    def _shares_confirmed(self, guardian: int, by: Stamp) -> None:
        self.state.confirmed.append(guardian)

    def challenge_guardian_share(self, actor: Actor, command: c.ChallengeGuardianShare) -> None:
        index = self._require_ceremony(actor)
        self._require_key_unpublished()
        sender = command.sender
        if sender == index:
            raise errors.InvalidRequest(
                "That share is your own: your browser made it; there is nothing to challenge."
            )
        if sender not in self.state.shares:
            raise errors.VoteStepRefused(
                f"You have received no share from guardian {sender}: only a share you "
                "received can be challenged."
            )
        if index in self.state.confirmed:
            raise errors.VoteStepRefused(
                "You have confirmed every share you received; a challenge comes before that."
            )
        if any(ch.accuser == index and ch.accused == sender for ch in self.state.challenges):
            raise errors.VoteStepRefused(f"You have already challenged guardian {sender}'s share.")
        self._share_challenged(accuser=index, accused=sender, by=stamp(actor, None))

    @event("GuardianShareChallenged")
    def _share_challenged(self, accuser: int, accused: int, by: Stamp) -> None:
        self.state.challenges.append(ShareChallengeRecord(accuser, accused))

    def reveal_guardian_share(self, actor: Actor, command: c.RevealGuardianShare) -> str:
        """Answer a challenge with the share in the clear. Returns "revealed" when it matches
        the commitments (the challenge is resolved) and "disqualified" when it does not (the
        ceremony must restart without this guardian)."""
        index = self._require_ceremony(actor)
        recipient = command.recipient
        challenge = next(
            (ch for ch in self.state.challenges if ch.accuser == recipient and ch.accused == index),
            None,
        )
        if challenge is None:
            raise errors.VoteStepRefused(
                f"Guardian {recipient} has not challenged your share: only a challenged share "
                "is revealed."
            )
        if challenge.revealed:
            raise errors.VoteStepRefused(
                f"You have already revealed your share for guardian {recipient}."
            )
        try:
            value = Scalar.from_bytes(command.share)
        except InvalidEncoding as bad:
            raise errors.InvalidRequest(f"The revealed share is not well formed: {bad}.") from None
        try:
            check_revealed_share(guardian_from(self.state.announcements[index]), recipient, value)
        except CeremonyError as wrong:
            self._guardian_disqualified(
                guardian=index,
                account_id=actor.account_id,
                accuser=recipient,
                share=command.share,
                reason=str(wrong),
                by=stamp(actor, None),
            )
            return "disqualified"
        self._share_revealed(
            accused=index, accuser=recipient, share=command.share, by=stamp(actor, None)
        )
        return "revealed"

    @event("GuardianShareRevealed")
    def _share_revealed(self, accused: int, accuser: int, share: bytes, by: Stamp) -> None:
        self.state.challenges = [
            ShareChallengeRecord(ch.accuser, ch.accused, share)
            if (ch.accuser, ch.accused) == (accuser, accused)
            else ch
            for ch in self.state.challenges
        ]

    @event("GuardianDisqualified")
    def _guardian_disqualified(
        self, guardian: int, account_id: str, accuser: int, share: bytes, reason: str, by: Stamp
    ) -> None:
        self.state.disqualified.append(account_id)

    def _ceremony_unfinished(self) -> str | None:
        """Why the election key cannot be formed yet, as a sentence; None when it can."""
        disqualified = self._disqualification()
        if disqualified:
            return disqualified
        if len(self.state.announcements) < self.n or len(self.state.shares) < self.n:
            return (
                "The key ceremony is not complete: every guardian announces and posts its shares."
            )
        for ch in self._unanswered():
            return (
                f"Guardian {ch.accuser} challenged the share guardian {ch.accused} sent it, and "
                f"guardian {ch.accused} has not revealed it yet: the election key cannot be "
                "formed while a challenge is unanswered."
            )
        waiting = [i for i in range(1, self.n + 1) if i not in self.state.confirmed]
        if waiting:
            names = ", ".join(str(i) for i in waiting)
            return (
                f"The key ceremony is not complete: guardian(s) {names} have not yet confirmed "
                "the shares they received."
            )
        return None

    def publish_joint_key(self, actor: Actor, command: c.PublishJointKey) -> bytes:
        self._require_ceremony(actor)
        if self.state.public_key is not None:
            raise errors.VoteStepRefused("The election key is already published.")
        unfinished = self._ceremony_unfinished()
        if unfinished:
            raise errors.VoteStepRefused(unfinished)
        key = joint_public_key([guardian_from(a) for a in self._announcements()])
        self._key_published(public_key=bytes(key), by=stamp(actor, None))
        return bytes(key)

    @event("JointKeyPublished")
    def _key_published(self, public_key: bytes, by: Stamp) -> None:
        self.state.public_key = public_key
        self.state.tally = [
            CiphertextRecord(bytes(Point.identity()), bytes(Point.identity()))
            for _ in self.state.options
        ]

    def _announcements(self) -> list[GuardianRecord]:
        return [self.state.announcements[i] for i in sorted(self.state.announcements)]

    # ------------------------------------------------------------------ credentials, opening
    def record_credentials_issued(self, actor: Actor, command: c.RecordCredentialsIssued) -> None:
        self._require_official(actor)
        self._require_status("called", doing="issuing credentials")
        if self.state.roll_hash is None:
            raise errors.VoteStepRefused("Certify the voter roll before issuing credentials.")
        if self.state.credentials_issued:
            raise errors.VoteStepRefused(
                "Credentials are already issued; reissue a lost one member by member."
            )
        self._credentials_issued(count=command.count, at=_now(), by=stamp(actor, None))

    @event("CredentialsIssued")
    def _credentials_issued(self, count: int, at: datetime, by: Stamp) -> None:
        self.state.credentials_issued = True

    def record_credential_reissued(self, actor: Actor, command: c.RecordCredentialReissued) -> None:
        self._require_official(actor)
        self._require_status("called", "open", doing="reissuing a credential")
        if not self.state.credentials_issued:
            raise errors.VoteStepRefused(
                "The credentials have not been issued yet: issue them first, then reissue a "
                "lost one."
            )
        self._credential_reissued(member_id=command.member_id, at=_now(), by=stamp(actor, None))

    @event("CredentialReissued")
    def _credential_reissued(self, member_id: str, at: datetime, by: Stamp) -> None:
        pass

    def open_vote(self, actor: Actor, command: c.OpenVote) -> None:
        self._require_official(actor)
        self._require_status("called", doing="opening the vote")
        if self.state.roll_hash is None:
            raise errors.VoteStepRefused("Certify the voter roll before the vote opens.")
        if self.state.public_key is None:
            raise errors.VoteStepRefused(
                " ".join(
                    (
                        "The key ceremony must publish the election key first.",
                        self._ceremony_unfinished() or "",
                    )
                ).strip()
            )
        if not self.state.credentials_issued:
            raise errors.VoteStepRefused("Issue the members' credentials before the vote opens.")
        at = _now()
        if at >= self.state.closes_at:
            raise errors.OutsideWindow("The voting window has already ended.")
        self._vote_opened(at=at, by=stamp(actor, None))

    @event("VoteOpened")
    def _vote_opened(self, at: datetime, by: Stamp) -> None:
        self.state.status = "open"

    # ------------------------------------------------------------------ ballots
    def require_accepting(self, at: datetime) -> None:
        if self.state.status != "open":
            raise errors.OutsideWindow(
                "This vote is not accepting ballots: it has not opened yet."
                if self.state.status == "called"
                else "This vote is not accepting ballots: it has closed."
            )
        if not self.in_window(at):
            raise errors.OutsideWindow(
                "Ballots are accepted only in the voting window, "
                f"{self.state.opens_at:%Y-%m-%d %H:%M} to "
                f"{self.state.closes_at:%Y-%m-%d %H:%M} UTC."
            )

    def check_ballot(self, command: c.CastBallot) -> CheckedBallot:
        return check_ballot(self.context(), command.ballot)

    def cast_ballot(self, actor: Actor, command: c.CastBallot, checked: CheckedBallot) -> bytes:
        """Append the ballot that `check_ballot` passed: next tracking code, running tally.
        Returns the tracking code. The credential is spent by the store in the same
        transaction that records this event (voting/recorder.py)."""
        self.require_accepting(_now())
        previous = self.state.last_code or first_tracking_code(self.context())
        code = next_tracking_code(previous, checked.hash)
        totals = [
            ciphertext_record(ciphertext_from(t) + ct)
            for t, ct in zip(self.state.tally, checked.ballot.ciphertexts, strict=True)
        ]
        self._ballot_cast(
            tracking_code=code,
            ballot=_builtins(command.ballot),
            tally=[_builtins(t) for t in totals],
        )
        return code

    @event("BallotCast")
    def _ballot_cast(
        self, tracking_code: bytes, ballot: dict[str, Any], tally: list[dict[str, Any]]
    ) -> None:
        # No member, no credential, no `by`, no time of day: see the module's first paragraph.
        self.state.ballots += 1
        self.state.last_code = tracking_code
        self.state.tally = [msgspec.convert(t, CiphertextRecord) for t in tally]

    # ------------------------------------------------------------------ close and tally
    def close_vote(self, actor: Actor, command: c.CloseVote) -> None:
        self._require_official(actor)
        self._require_status("called", "open", doing="closing the vote")
        at = _now()
        reason = command.reason.strip()
        if at < self.state.closes_at and not reason:
            raise errors.InvalidRequest(
                "Closing before the end of the voting window needs a reason, recorded in the log."
            )
        self._vote_closed(
            reason=reason, early=at < self.state.closes_at, at=at, by=stamp(actor, None)
        )

    @event("VoteClosed")
    def _vote_closed(self, reason: str, early: bool, at: datetime, by: Stamp) -> None:
        self.state.status = "closed"
        self.state.close_reason = reason
        self.state.closed_at = at

    def totals(self) -> tuple[Ciphertext, ...]:
        return tuple(ciphertext_from(t) for t in self.state.tally)

    def post_partial_decryption(self, actor: Actor, command: c.PostPartialDecryption) -> None:
        index = self._require_official(actor)
        self._require_status("closed", doing="decrypting the tally")
        if self.state.public_key is None:
            raise errors.VoteStepRefused("This vote never had an election key; nothing to decrypt.")
        share = command.share
        if share.guardian != index:
            raise errors.InvalidRequest(f"You are guardian {index}, not {share.guardian}.")
        if index in self.state.decryptions:
            raise errors.VoteStepRefused(f"Guardian {index} has already posted its decryption.")
        try:
            public_share = guardian_public_share(
                [guardian_from(a) for a in self._announcements()], index
            )
            bad = share_problems(
                self.context().hash, public_share, self.totals(), share_from(share)
            )
        except InvalidEncoding as wrong:
            raise errors.InvalidRequest(
                f"The decryption share is not well formed: {wrong}."
            ) from None
        if bad:
            names = ", ".join(repr(self.state.options[j]) for j in bad)
            raise errors.InvalidRequest(
                f"Guardian {index}'s decryption proof does not verify for {names}; "
                "is this the key file of this vote?"
            )
        self._decryption_posted(guardian=index, share=_builtins(share), by=stamp(actor, None))

    @event("PartialDecryptionPosted")
    def _decryption_posted(self, guardian: int, share: dict[str, Any], by: Stamp) -> None:
        self.state.decryptions[guardian] = msgspec.convert(share, DecryptionShareRecord)

    def counts(self) -> list[int]:
        """Decrypt the tally from the posted (already verified) shares."""
        shares = [share_from(self.state.decryptions[i]) for i in sorted(self.state.decryptions)]
        try:
            return list(
                combine(self.totals(), shares, self.state.guardian_quorum, self.state.ballots)
            )
        except TallyError as short:
            raise errors.VoteStepRefused(f"The tally cannot be decrypted yet: {short}.") from None

    def certify_tally(self, actor: Actor, command: c.CertifyTally) -> str:
        self._require_official(actor)
        self._require_status("closed", doing="certifying the tally")
        counts = self.counts()
        by_option = dict(zip(self.state.options, counts, strict=True))
        outcome = outcome_of(
            self.state.threshold,
            self.state.quorum,
            {"yes": 0, "no": 0, **by_option},
            self.state.ballots,
            self.state.eligible,
        )
        self._tally_certified(result=counts, outcome=outcome, at=_now(), by=stamp(actor, None))
        return outcome

    @event("TallyCertified")
    def _tally_certified(self, result: list[int], outcome: str, at: datetime, by: Stamp) -> None:
        self.state.status = "certified"
        self.state.result = list(result)
        self.state.outcome = outcome

    # ------------------------------------------------------------------ retention
    def retention_ends(self) -> datetime:
        """Voter data is kept for the retention period after the vote closed."""
        closed = self.state.closed_at or self.state.closes_at
        return closed + timedelta(days=self.state.retention_days)

    def purge_voter_data(self, actor: Actor, command: c.PurgeVoterData) -> None:
        self._require_official(actor)
        self._require_status("certified", doing="purging voter data")
        if self.state.purged:
            raise errors.VoteStepRefused("The voter data of this vote is already purged.")
        at = _now()
        if at < self.retention_ends():
            raise errors.VoteStepRefused(
                f"Voter data is kept until {self.retention_ends():%Y-%m-%d} (the retention period)."
            )
        self._voter_data_purged(at=at, by=stamp(actor, None))

    @event("VoterDataPurged")
    def _voter_data_purged(self, at: datetime, by: Stamp) -> None:
        self.state.purged = True
