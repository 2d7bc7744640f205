"""The record verifier: re-checks every proof and recomputes the tally from the record alone.

Each problem is a sentence naming what failed — which guardian's which proof, which ballot (by
tracking code) and which of its proofs, which decryption share — so a tampered record is not just
"invalid" but says where. `verify_record` needs nothing but the ElectionRecord;
`python -m negotiation.ballots.verify record.json` runs it on a published record file (what a
`negotiation verify-vote` command can call).
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

import msgspec

from negotiation.ballots.ballot import (
    ballot_hash,
    ballot_problems,
    display_tracking_code,
    first_tracking_code,
    next_tracking_code,
)
from negotiation.ballots.ceremony import (
    CeremonyError,
    GuardianAnnouncement,
    ceremony_hash,
    check_announcement,
    check_revealed_share,
    guardian_public_share,
    joint_public_key,
)
from negotiation.ballots.context import ElectionContext
from negotiation.ballots.elgamal import Ciphertext, DiscreteLogNotFound
from negotiation.ballots.group import InvalidEncoding, Scalar
from negotiation.ballots.record import (
    BallotRecord,
    ElectionRecord,
    ballot_from,
    ciphertext_from,
    context_of,
    guardian_from,
    share_from,
)
from negotiation.ballots.tally import (
    DecryptionShare,
    RunningTally,
    TallyError,
    combine,
    share_problems,
)


@dataclass
class Verification:
    problems: list[str] = field(default_factory=list)
    counts: tuple[int, ...] | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_record(record: ElectionRecord, processes: int = 1) -> Verification:
    """Every check, from the record alone; `processes` > 1 spreads ballot checks over cores."""
    out = Verification()
    try:
        announcements = [guardian_from(g) for g in record.ceremony]
        context = context_of(record)
        ceremony = ceremony_hash(record.election_id, record.guardians, record.quorum)
    except (InvalidEncoding, ValueError) as exc:
        out.problems.append(f"the record's ceremony or context cannot be read: {exc}")
        return out
    if sorted(a.index for a in announcements) != list(range(1, record.guardians + 1)):
        out.problems.append(f"the ceremony must list guardians 1 to {record.guardians} once each")
    for a in announcements:
        try:
            check_announcement(ceremony, record.quorum, a)
        except CeremonyError as exc:
            out.problems.append(f"ceremony: {exc}")
    if joint_public_key(announcements) != context.public_key:
        out.problems.append("the election public key is not the product of the guardians' keys")
    out.problems += _challenge_problems(record, announcements)

    # Ballots: proofs (the costly part, over `processes`), no copies, the tracking-code chain.
    checked = _check_ballots(context, record.ballots, processes)
    seen: dict[bytes, tuple[int, str]] = {}
    code = first_tracking_code(context)
    totals = RunningTally.empty(len(context.options))
    for position, (r, c) in enumerate(zip(record.ballots, checked.ballots, strict=True), start=1):
        name = f"ballot {display_tracking_code(r.tracking_code)} (no. {position})"
        out.problems += [f"{name}: {p}" for p in c.problems]
        # A copied ciphertext is a replayed vote (its proofs still verify): refused by identity.
        for alpha in c.alphas:
            first, earlier = seen.setdefault(alpha, (position, name))
            if first != position:
                out.problems.append(f"{name}: copies a ciphertext of {earlier}")
                break
        if c.digest is not None:
            code = next_tracking_code(code, c.digest)
        if code != r.tracking_code:
            if c.digest is not None:
                broken = "its tracking code does not follow from the ballot chain"
                out.problems.append(f"{name}: {broken}")
            code = r.tracking_code  # report each break once, not every code after it
    for part in checked.sums:
        totals = RunningTally(
            tuple(a + b for a, b in zip(totals.totals, part, strict=True)), totals.ballots
        )

    # The sum, recomputed, must be the published one.
    try:
        published = tuple(ciphertext_from(c) for c in record.tally)
    except InvalidEncoding:
        published = ()
    if published != totals.totals:
        out.problems.append("the published encrypted tally is not the sum of the published ballots")
    # Shares are checked against what they claim to decrypt, the published tally, so a tampered
    # ballot is reported as that ballot, not as every guardian's share.
    decrypted = published if len(published) == len(totals.totals) else totals.totals
    out.counts = _decrypt(record, context.hash, announcements, decrypted, out.problems)
    if out.counts is not None and list(out.counts) != record.result:
        out.problems.append(
            f"the published result {record.result} is not what the shares decrypt to "
            f"({list(out.counts)})"
        )
    return out


def _challenge_problems(
    record: ElectionRecord, announcements: list[GuardianAnnouncement]
) -> list[str]:
    """The complaint round: every challenge was answered with a share that passes Feldman's
    check against the accused guardian's commitments (else the key should never have formed)."""
    problems: list[str] = []
    by_index = {a.index: a for a in announcements}
    for ch in record.challenges:
        name = f"guardian {ch.accuser}'s challenge of guardian {ch.accused}'s share"
        accused = by_index.get(ch.accused)
        if accused is None or not 1 <= ch.accuser <= record.guardians:
            problems.append(f"{name}: no such guardian")
        elif not ch.revealed:
            problems.append(f"{name}: never answered, yet the election key was formed")
        else:
            try:
                check_revealed_share(accused, ch.accuser, Scalar.from_bytes(ch.revealed))
            except (CeremonyError, InvalidEncoding) as exc:
                problems.append(f"{name}: {exc}")
    return problems


def _decrypt(
    record: ElectionRecord,
    q: bytes,
    announcements: list[GuardianAnnouncement],
    totals: tuple[Ciphertext, ...],
    problems: list[str],
) -> tuple[int, ...] | None:
    good: list[DecryptionShare] = []
    for r in record.decryption_shares:
        name = f"guardian {r.guardian}'s decryption share"
        if not 1 <= r.guardian <= record.guardians:
            problems.append(f"{name}: no such guardian")
            continue
        try:
            share = share_from(r)
        except InvalidEncoding as exc:
            problems.append(f"{name}: cannot be read ({exc})")
            continue
        public = guardian_public_share(announcements, r.guardian)
        failed = share_problems(q, public, totals, share)
        problems += [
            f"{name}: the proof for '{record.options[j]}' does not verify" for j in failed
        ]
        if not failed:
            good.append(share)
    try:
        return combine(totals, good, record.quorum, bound=len(record.ballots))
    except (TallyError, DiscreteLogNotFound) as exc:
        problems.append(f"the tally cannot be decrypted: {exc}")
        return None


# --- ballot checks, in chunks that can run in other processes ----------------------------------
@dataclass
class _Checked:
    problems: list[str]
    digest: bytes | None  # the ballot hash; None when the ballot cannot be read
    alphas: list[bytes]


@dataclass
class _Chunk:
    ballots: list[_Checked]
    sums: list[tuple[Ciphertext, ...]]


def _check_chunk(args: tuple[ElectionContext, list[BallotRecord]]) -> _Chunk:
    context, ballots = args
    out = _Chunk([], [])
    running = RunningTally.empty(len(context.options))
    for r in ballots:
        try:
            ballot = ballot_from(r)
        except InvalidEncoding as exc:
            out.ballots.append(_Checked([f"cannot be read ({exc})"], None, []))
            continue
        problems = ballot_problems(context, ballot)
        alphas = [bytes(ct.alpha) for ct in ballot.ciphertexts]
        n = len(context.options)
        if len(ballot.ciphertexts) != n or len(ballot.range_proofs) != n:
            # Misshapen: named by ballot_problems; it has no hash and is not summed.
            out.ballots.append(_Checked(problems, None, alphas))
            continue
        out.ballots.append(_Checked(problems, ballot_hash(context, ballot), alphas))
        running = running.add(ballot)
    out.sums.append(running.totals)
    return out


def _check_ballots(
    context: ElectionContext, ballots: list[BallotRecord], processes: int
) -> _Chunk:
    n = len(ballots)
    if processes <= 1 or n < processes:
        return _check_chunk((context, ballots))
    parts = processes * 4
    bounds = [n * i // parts for i in range(parts + 1)]
    jobs = [(context, ballots[bounds[i] : bounds[i + 1]]) for i in range(parts)]
    # spawn, not fork: the caller may have threads (a server, a test runner) whose held locks
    # a fork would copy.
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        chunks = pool.map(_check_chunk, jobs)
    return _Chunk([b for c in chunks for b in c.ballots], [t for c in chunks for t in c.sums])


def main(argv: list[str] | None = None) -> int:
    """Verify a record file; print each problem or the counts. Exit status 0 only if it verifies.

    The ballot checks run in one process per core.
    """
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m negotiation.ballots.verify RECORD.json", file=sys.stderr)
        return 2
    try:
        record = msgspec.json.decode(Path(args[0]).read_bytes(), type=ElectionRecord)
    except (OSError, msgspec.DecodeError) as exc:
        print(f"cannot read the election record: {exc}", file=sys.stderr)
        return 2
    result = verify_record(record, processes=os.cpu_count() or 1)
    for problem in result.problems:
        print(problem)
    if not result.ok:
        print(f"the election record does not verify: {len(result.problems)} problem(s)")
        return 1
    pairs = zip(record.options, result.counts or (), strict=True)
    counts = ", ".join(f"{option}: {count}" for option, count in pairs)
    print(f"the election record verifies: {len(record.ballots)} ballots; {counts}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
