"""The voting service: the votes' event store, and commands across vote, roll and negotiation.

Each vote is its own stream in `votes_events` (the Votes application). Commands on one vote
are serialized like the negotiation's (striped lock in-process, advisory lock across nodes), so
ballots get their tracking codes in one order. The expensive part of casting — the ballot's
proofs — is checked before the lock, in the request's thread (libsodium releases the GIL, and
each server process has its own); the casts then waiting on the vote are saved together
(voting/batch.py): inside the lock only the chain steps, the running tally and one save (with
the credentials spent, voting/recorder.py) remain.
"""

from __future__ import annotations

import contextlib
import hashlib
import random
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar, TypeVar
from uuid import UUID

import msgspec
from eventsourcing.application import AggregateNotFoundError, Repository
from eventsourcing.persistence import IntegrityError
from eventsourcing.postgres import PostgresApplicationRecorder

from negotiation.application import (
    SAVE_ATTEMPTS,
    Negotiations,
    Recorded,
    SerializedApplication,
    replay,
)
from negotiation.ballots.context import ElectionContext
from negotiation.ballots.record import BallotRecord, BallotSubmission, ElectionRecord
from negotiation.domain import commands as nc
from negotiation.domain import errors
from negotiation.domain import vote_commands as c
from negotiation.domain.actors import Actor
from negotiation.domain.document import DocumentText
from negotiation.domain.negotiation import Negotiation
from negotiation.domain.ratification import CheckedBallot, Vote, check_ballot
from negotiation.voting.batch import CastBatches, Pending
from negotiation.voting.recorder import (
    COPIED_BALLOT,
    SECOND_BALLOT,
    Found,
    Spend,
    ballot_states,
    ballot_transaction,
)
from negotiation.voting.store import (
    NOT_ON_ROLL,
    RollMember,
    RollReport,
    VotingStore,
    credential_hash,
    roll_hash,
)

T = TypeVar("T")
PROOF_THREADS = 2  # per server process
VOTER = Actor(account_id="voter", name="a voter")  # ballots carry no one's name


class Votes(SerializedApplication[Vote]):
    """Every ratification vote's event stream, in the `votes_events` table."""

    name = "Votes"
    noun = "vote"
    snapshotting_intervals: ClassVar[dict[type[Any], int]] = {Vote: 200}
    env: ClassVar[dict[str, str]] = {
        "AGGREGATE_CACHE_MAXSIZE": "50",
        "AGGREGATE_CACHE_FASTFORWARD": "y",
    }

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        super().__init__(env)
        # The same stores without the cache: `stored` rebuilds a vote apart from the cached
        # object the commands share under the vote's lock.
        self._stored = Repository(self.events, snapshot_store=self.snapshots)

    def act(self, vote_id: UUID, command: Callable[[Vote], T]) -> Recorded[T]:
        """A command on one vote (the shared `_act`)."""
        return self._act(vote_id, command)

    def stored(self, vote_id: UUID) -> Vote:
        """The vote as stored now (saved by any process), rebuilt from its latest snapshot and
        the events after it: waits on no command's lock (a roll import holds the vote's for as
        long as it runs), read-only."""
        try:
            vote: Vote = self._stored.get(vote_id)
        except AggregateNotFoundError:
            raise errors.NotFound(f"No vote {vote_id}.") from None
        return vote

    def cast_together(
        self,
        vote_id: UUID,
        claims: Callable[[], tuple[list[bytes], list[bytes]]],
        decide: Callable[[Vote, Found], list[Spend]],
    ) -> None:
        """Save a batch of ballots in one transaction (voting/recorder.py): under this
        process's lock on the vote, `claims()` gives the batch's credential hashes and
        ciphertexts (every cast waiting by now), the database's lock is taken; `decide(vote,
        found)` casts those it accepts on the vote, brought up to date, and returns their
        spends, saved with the ballots' events. Retried from fresh state if another writer
        saved first."""
        recorder = self._postgres_recorder()
        for attempt in range(SAVE_ATTEMPTS):
            with self._lock(vote_id):
                vote = self._cached(vote_id)
                try:
                    with ballot_transaction(recorder) as transaction:
                        hashes, alphas = claims()
                        found = transaction.lock_and_find(vote_id, vote.version, hashes, alphas)
                        replay(vote, map(self.mapper.to_domain_event, found.events))
                        spends = decide(vote, found)
                        events = vote.collect_events()
                        if events:
                            stored = [self.mapper.to_stored_event(e) for e in events]
                            transaction.save(vote_id, spends, stored)
                except IntegrityError:
                    self._evict(vote_id)
                    time.sleep(random.uniform(0, 0.001 * 2**attempt))
                    continue
                except BaseException:
                    # The cached object may hold events that were never stored.
                    self._evict(vote_id)
                    raise
                self._snapshot_if_due(vote, [e.originator_version for e in events])
                return
        raise errors.StaleWrite(
            "Others are changing this vote at the same moment; please try again."
        )

    def _postgres_recorder(self) -> PostgresApplicationRecorder:
        """Ballots are saved and read with SQL of their own (voting/recorder.py)."""
        if not isinstance(self.recorder, PostgresApplicationRecorder):
            raise TypeError("Ballots are kept only in the PostgreSQL event store.")
        return self.recorder

    def _cached(self, vote_id: UUID) -> Vote:
        """The vote as this process last held it (brought up to date by the caller), or
        loaded."""
        if self.repository.cache is not None:
            with contextlib.suppress(KeyError):
                cached = self.repository.cache.get(vote_id)
                assert isinstance(cached, Vote)
                return cached
        return self._load(vote_id)

    def _snapshot_if_due(self, vote: Vote, versions: list[int]) -> None:
        """A snapshot when the batch crossed the interval, as the library's save takes one at
        each multiple (of the vote as it is now: nothing to reload)."""
        interval = self.snapshotting_intervals[Vote]
        if versions and versions[-1] // interval > (versions[0] - 1) // interval:
            assert self.snapshots is not None
            snapshot_class = getattr(type(vote), "Snapshot", None) or type(self).snapshot_class
            assert snapshot_class is not None
            self.snapshots.put([snapshot_class.take(vote)])

    def ballot_records(self, vote_id: UUID) -> list[BallotRecord]:
        """Every accepted ballot in chain order, from the vote's events (decoded straight into
        the record's structs: a national vote's record has 100,000 of them)."""
        records = []
        for state in ballot_states(self._postgres_recorder(), vote_id):
            cast = _CAST_DECODER.decode(state)
            b = cast.ballot
            records.append(
                BallotRecord(cast.tracking_code, b.ciphertexts, b.range_proofs, b.sum_proof)
            )
        return records


class _StoredCast(msgspec.Struct, gc=False):  # untracked: see record.Frozen
    """The part of a stored BallotCast the public record shows (its running tally is not)."""

    tracking_code: bytes
    ballot: BallotSubmission


_CAST_DECODER = msgspec.msgpack.Decoder(_StoredCast)


def _require_in(negotiation_id: UUID, vote_id: UUID, called_in: str) -> None:
    if called_in != str(negotiation_id):
        raise errors.NotFound(f"No vote {vote_id} in this negotiation.")


def record_hash(record: ElectionRecord) -> str:
    return hashlib.sha256(msgspec.json.encode(record)).hexdigest()


class Voting:
    """The commands of a ratification vote, across the negotiation, the vote and the roll."""

    def __init__(self, negotiations: Negotiations, votes: Votes, store: VotingStore) -> None:
        self.negotiations = negotiations
        self.votes = votes
        self.store = store
        # An open vote's election context never changes (key and roll are fixed when it
        # opens): ballots are checked against it without taking the vote's lock each time.
        self._open_contexts: dict[UUID, tuple[str, ElectionContext]] = {}
        # A certified vote's record never changes again, and it holds every ballot: it is read
        # and hashed once per process, not once per results view.
        self._certified_hashes: dict[tuple[UUID, UUID], str] = {}
        # An open vote's credentials, as hashes, read once per process: a cast with one of
        # them needs no query before its proofs (its batch asks, under the vote's lock, whether
        # it is still good). One not among them is asked about at once.
        self._credentials: dict[UUID, frozenset[bytes]] = {}
        self._credentials_read = threading.Lock()
        # The credentials this process saw spent (its batches' and those refused as spent):
        # another try with one is refused before its proofs. The batch's check under the
        # vote's lock stays the arbiter for those spent through the other processes.
        self._spent: dict[UUID, set[bytes]] = {}
        self._casts: CastBatches[UUID] = CastBatches(self.cast_batch)
        # Proofs are CPU work: more threads at them than cores only queue for the CPU and the
        # GIL, and delay the thread holding the vote's lock each time it wakes from the database.
        self._proof_threads = threading.BoundedSemaphore(PROOF_THREADS)

    # ------------------------------------------------------------------ calling, officials
    def call_vote(
        self, negotiation_id: UUID, actor: Actor, command: nc.CallRatificationVote
    ) -> Recorded[str]:
        called = self.negotiations.execute(negotiation_id, actor, command)
        vote_id: str = called.result
        document_hash = self.negotiations.read(
            negotiation_id,
            lambda n: n.state.ratification.document_hash,  # type: ignore[union-attr]
        )
        vote = Vote.call(
            vote_id=vote_id,
            negotiation_id=str(negotiation_id),
            document_hash=document_hash,
            actor=actor,
            command=command,
        )
        self.votes.save(vote)
        return called

    def vote(self, negotiation_id: UUID, vote_id: UUID, *, stored: bool = False) -> Vote:
        """The vote, read under its lock (a copy: Vote.detached); `stored`: as stored now,
        without waiting for a command on it (Votes.stored)."""
        vote = self.votes.stored(vote_id) if stored else self.votes.read(vote_id, Vote.detached)
        _require_in(negotiation_id, vote_id, vote.state.negotiation_id)
        return vote

    def require_in(self, negotiation_id: UUID, vote_id: UUID) -> None:
        """The vote is one of this negotiation's (no copy of it made under its lock)."""
        called_in = self.votes.read(vote_id, lambda v: v.state.negotiation_id)
        _require_in(negotiation_id, vote_id, called_in)

    def vote_ids(self, negotiation_id: UUID) -> list[str]:
        """The negotiation's votes, oldest first, from its RatificationVoteCalled events."""
        decode = self.negotiations.mapper.transcoder.decode
        return [
            decode(stored.state)["vote_id"]
            for stored in self.negotiations.recorder.select_events(negotiation_id)
            if stored.topic.endswith(".RatificationVoteCalled")
        ]

    def execute(
        self, negotiation_id: UUID, vote_id: UUID, actor: Actor, command: nc.Command
    ) -> Recorded[Any]:
        self.require_in(negotiation_id, vote_id)
        return self.votes.act(vote_id, lambda v: v.execute(actor, command))

    def appoint_officials(
        self,
        negotiation_id: UUID,
        vote_id: UUID,
        actor: Actor,
        command: c.AppointElectionOfficials,
    ) -> Recorded[None]:
        def allowed(negotiation: Negotiation) -> None:
            negotiation.require_ratification_caller(actor)
            for official in command.officials:
                if negotiation.party_of(official.account_id) == "employer":
                    # An official sees participation and the totals at close (DOMAIN.md).
                    raise errors.NotPermitted(
                        f"{official.name} is on the employer's team, which has no role in "
                        "ratification; appoint election officials from the union side."
                    )

        self.negotiations.read(negotiation_id, allowed)
        return self.execute(negotiation_id, vote_id, actor, command)

    def require_official(
        self, negotiation_id: UUID, vote_id: UUID, actor: Actor, *, stored: bool = False
    ) -> Vote:
        vote = self.vote(negotiation_id, vote_id, stored=stored)
        if not vote.is_official(actor.account_id):
            raise errors.NotElectionOfficial(
                f"{actor.name} is not an election official of this vote."
            )
        return vote

    # ------------------------------------------------------------------ the document
    def write_summary(
        self, negotiation_id: UUID, vote_id: UUID, actor: Actor, command: c.WriteSummary
    ) -> Recorded[str]:
        """A plain-language summary into the vote's document (the union chief's, before the
        vote opens); the answer is the document's new hash."""
        self.require_in(negotiation_id, vote_id)

        def agreement(negotiation: Negotiation) -> list[DocumentText]:
            negotiation.require_summary_writer(actor)
            return negotiation.document_texts()

        texts = self.negotiations.read(negotiation_id, agreement)
        return self.votes.act(vote_id, lambda v: v.write_summary(actor, command, texts))

    # ------------------------------------------------------------------ roll
    def replace_roll(
        self,
        negotiation_id: UUID,
        vote_id: UUID,
        actor: Actor,
        rows: Iterable[tuple[int, Mapping[str, str]]],
        total: int,
    ) -> RollReport:
        self.require_official(negotiation_id, vote_id, actor)

        def replace(vote: Vote) -> RollReport:
            # Under the vote's lock: the vote cannot open (or credentials be issued) meanwhile.
            vote.require_roll_editable()
            report = self.store.replace_roll(vote.id.hex, rows, total)
            counts = c.RecordVoterRollImported(
                accepted=report.accepted, rejected=len(report.rejected), eligible=report.eligible
            )
            vote.record_voter_roll_imported(actor, counts)
            return report

        return self.votes.act(vote_id, replace).result

    def roll_progress(self, negotiation_id: UUID, vote_id: UUID, actor: Actor) -> dict[str, Any]:
        """Rows done of the running import, for the vote's officials as stored now: the import
        holds the vote's lock while it runs, so they are read without it (an official removed
        through any process is refused at once). The figures are counts of rows."""
        self.require_official(negotiation_id, vote_id, actor, stored=True)
        return self.store.progress(vote_id.hex)

    def certify_roll(self, negotiation_id: UUID, vote_id: UUID, actor: Actor) -> Recorded[Any]:
        self.require_official(negotiation_id, vote_id, actor)
        members = self.store.members(vote_id.hex)
        command = c.CertifyVoterRoll(
            roll_hash=roll_hash(members), eligible=sum(1 for m in members if m.good_standing)
        )
        return self.votes.act(vote_id, lambda v: v.certify_voter_roll(actor, command))

    # ------------------------------------------------------------------ credentials
    def issue_credentials(
        self, negotiation_id: UUID, vote_id: UUID, actor: Actor
    ) -> list[tuple[RollMember, str]]:
        self.require_official(negotiation_id, vote_id, actor)

        def issue(vote: Vote) -> list[tuple[RollMember, str]]:
            if roll_hash(self.store.members(vote.id.hex)) != vote.state.roll_hash:
                raise errors.VoteStepRefused(
                    "The roll has changed since it was certified; certify it again first."
                )
            # The roll is the certified one (above): one credential per eligible member.
            vote.record_credentials_issued(
                actor, c.RecordCredentialsIssued(count=vote.state.eligible)
            )
            # After the rules passed and before the save: the codes exist only in this answer.
            return self.store.issue_credentials(vote.id.hex)

        return self.votes.act(vote_id, issue).result

    def reissue_credential(
        self, negotiation_id: UUID, vote_id: UUID, actor: Actor, member_id: str
    ) -> str:
        self.require_official(negotiation_id, vote_id, actor)
        command = c.RecordCredentialReissued(member_id=member_id)

        def reissue(vote: Vote) -> str:
            vote.record_credential_reissued(actor, command)
            return self.store.reissue_credential(vote.id.hex, member_id)

        return self.votes.act(vote_id, reissue).result

    # ------------------------------------------------------------------ casting
    def cast(self, negotiation_id: UUID, vote_id: UUID, code: str, command: c.CastBallot) -> bytes:
        """Check the credential, the window and the proofs, then append the ballot with the
        credential spent in the same transaction (with the other casts waiting on this vote:
        `cast_batch`). Returns the tracking code."""
        return self._casts.cast(vote_id, self.prepare_cast(negotiation_id, vote_id, code, command))

    def prepare_cast(
        self, negotiation_id: UUID, vote_id: UUID, code: str, command: c.CastBallot
    ) -> Pending:
        """What a cast checks before any lock: the vote accepts ballots, the credential is on
        the roll and unspent (a refusal that costs no proof check), the proofs verify."""

        def accepting(vote: Vote) -> tuple[str, ElectionContext]:
            vote.require_accepting(datetime.now(UTC))
            return vote.state.negotiation_id, vote.context()

        known = self._open_contexts.get(vote_id)
        if known is None:
            known = self._open_contexts[vote_id] = self.votes.read(vote_id, accepting)
        if known[0] != str(negotiation_id):
            raise errors.NotFound(f"No vote {vote_id} in this negotiation.")
        context = known[1]
        spend_hash = credential_hash(code)
        if spend_hash in self._spent.setdefault(vote_id, set()):
            raise errors.SecondBallot(SECOND_BALLOT)  # seen spent here: no proof check
        if spend_hash not in self._roll_credentials(vote_id):
            # Not on the roll as this process read it when the vote opened: issued since (a
            # reissue), or not on the roll at all (refused here, before any proof is checked).
            _, voted = self.store.credential_holder(vote_id.hex, code)
            if voted:
                raise errors.SecondBallot(SECOND_BALLOT)
        with self._proof_threads:
            checked = check_ballot(context, command.ballot)
        alphas = [bytes(ct.alpha) for ct in checked.ballot.ciphertexts]
        spend = Spend(vote_id=vote_id.hex, credential_hash=spend_hash, alphas=alphas)
        return Pending(frozenset([spend.credential_hash, *alphas]), _Cast(command, checked, spend))

    def _roll_credentials(self, vote_id: UUID) -> frozenset[bytes]:
        known = self._credentials.get(vote_id)
        if known is None:
            with self._credentials_read:  # the first casts at the opening: one read, not 30
                known = self._credentials.get(vote_id)
                if known is None:
                    known = self.store.credential_hashes(vote_id.hex)
                    self._credentials[vote_id] = known
        return known

    def cast_batch(self, vote_id: UUID, take: Callable[[], list[Pending]]) -> None:
        """Save casts whose proofs verified in one transaction on the vote, each with its own
        outcome: one whose credential is spent or whose ciphertext was accepted before is
        refused alone, the others are appended in order and saved with their credentials
        spent (no two casts of a batch share a credential or a ciphertext)."""

        def claims() -> tuple[list[bytes], list[bytes]]:
            casts = [_payload(p) for p in take()]  # under this process's lock: all waiting now
            return (
                [cast.spend.credential_hash for cast in casts],
                [a for cast in casts for a in cast.spend.alphas],
            )

        def decide(vote: Vote, found: Found) -> list[Spend]:
            spends = []
            for p in take():  # the same batch (CastBatches takes once); again on a retry
                cast = _payload(p)
                p.code = p.error = None
                if cast.spend.credential_hash in found.not_on_roll:
                    p.error = errors.NotOnRoll(NOT_ON_ROLL)
                elif cast.spend.credential_hash in found.spent:
                    self._spent.setdefault(vote_id, set()).add(cast.spend.credential_hash)
                    p.error = errors.SecondBallot(SECOND_BALLOT)
                elif not found.copied.isdisjoint(cast.spend.alphas):
                    p.error = errors.CopiedBallot(COPIED_BALLOT)
                else:
                    try:
                        p.code = vote.cast_ballot(VOTER, cast.command, cast.checked)
                    except errors.NegotiationError as refused:  # checked before any event
                        p.error = refused
                        continue
                    spends.append(cast.spend)
            return spends

        self.votes.cast_together(vote_id, claims, decide)
        self._spent.setdefault(vote_id, set()).update(
            _payload(p).spend.credential_hash for p in take() if p.code is not None
        )

    def own_status(self, negotiation_id: UUID, vote_id: UUID, code: str) -> bool:
        self.require_in(negotiation_id, vote_id)
        return self.store.credential_holder(vote_id.hex, code)[1]

    # ------------------------------------------------------------------ tally, outcome
    def certify(self, negotiation_id: UUID, vote_id: UUID, actor: Actor) -> str:
        """Certify the tally, then record the outcome on the negotiation. Running it again after
        a failure between the two records the outcome that is still missing."""
        vote = self.require_official(negotiation_id, vote_id, actor)
        if vote.state.status != "certified":
            self.votes.act(vote_id, lambda v: v.certify_tally(actor, c.CertifyTally()))
            vote = self.vote(negotiation_id, vote_id)
        pending = self.negotiations.read(negotiation_id, lambda n: _outcome_pending(n, vote_id.hex))
        if pending:
            counts = dict(zip(vote.state.options, vote.state.result or [], strict=True))
            self.negotiations.execute(
                negotiation_id,
                actor,
                nc.RecordVoteOutcome(
                    vote_id=vote_id.hex,
                    outcome=vote.state.outcome or "rejected",
                    counts=counts,
                    record_hash=self.certified_record_hash(negotiation_id, vote_id),
                ),
            )
        return vote.state.outcome or ""

    def record(self, negotiation_id: UUID, vote_id: UUID) -> ElectionRecord:
        vote = self.vote(negotiation_id, vote_id)
        s = vote.state
        certified = s.status == "certified"
        return ElectionRecord(
            election_id=vote.election_id,
            document_hash=bytes.fromhex(s.document_hash),
            roll_hash=bytes.fromhex(s.roll_hash) if s.roll_hash else b"",
            options=list(s.options),
            guardians=len(s.officials),
            quorum=s.guardian_quorum,
            ceremony=[s.announcements[i] for i in sorted(s.announcements)],
            public_key=s.public_key or b"",
            ballots=self.votes.ballot_records(vote_id),
            tally=list(s.tally) if s.status in ("closed", "certified") else [],
            decryption_shares=(
                [s.decryptions[i] for i in sorted(s.decryptions)] if certified else []
            ),
            result=list(s.result or []) if certified else [],
            challenges=list(s.challenges),
        )

    def certified_record_hash(self, negotiation_id: UUID, vote_id: UUID) -> str:
        """The SHA-256 of the certified election record (the results and the negotiation's
        outcome carry it)."""
        key = (negotiation_id, vote_id)
        known = self._certified_hashes.get(key)
        if known is None:
            if self.vote(negotiation_id, vote_id).state.status != "certified":
                raise errors.VoteStepRefused("The election record is final once certified.")
            known = self._certified_hashes[key] = record_hash(self.record(negotiation_id, vote_id))
        return known

    def purge(self, negotiation_id: UUID, vote_id: UUID, actor: Actor) -> Recorded[None]:
        self.require_official(negotiation_id, vote_id, actor)

        def purge(vote: Vote) -> None:
            vote.purge_voter_data(actor, c.PurgeVoterData())
            self.store.purge(vote.id.hex)

        return self.votes.act(vote_id, purge)


@dataclass(frozen=True)
class _Cast:
    command: c.CastBallot
    checked: CheckedBallot
    spend: Spend


def _payload(pending: Pending) -> _Cast:
    assert isinstance(pending.payload, _Cast)
    return pending.payload


def _outcome_pending(negotiation: Negotiation, vote_id: str) -> bool:
    ratification = negotiation.state.ratification
    return (
        ratification is not None
        and ratification.vote_id == vote_id
        and (ratification.status == "called")
    )
