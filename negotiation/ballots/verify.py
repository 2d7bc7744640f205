"""The record verifier: re-checks every proof and recomputes the tally from the record alone.

Each problem is a sentence naming what failed — which guardian's which proof, which ballot (by
tracking code) and which of its proofs, which decryption share — so a tampered record is not just
"invalid" but says where. `verify_record` needs nothing but the ElectionRecord.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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
    guardian_public_share,
    joint_public_key,
)
from negotiation.ballots.elgamal import Ciphertext, DiscreteLogNotFound
from negotiation.ballots.group import InvalidEncoding
from negotiation.ballots.record import (
    ElectionRecord,
    ballot_from,
    ciphertext_from,
    context_of,
    guardian_from,
    share_from,
)
from negotiation.ballots.tally import (
    DecryptionShare,
    TallyError,
    combine,
    share_problems,
    sum_ballots,
)


@dataclass
class Verification:
    problems: list[str] = field(default_factory=list)
    counts: tuple[int, ...] | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_record(record: ElectionRecord) -> Verification:
    out = Verification()
    try:
        announcements = [guardian_from(g) for g in record.ceremony]
        context = context_of(record)
    except (InvalidEncoding, ValueError) as exc:
        out.problems.append(f"the record's ceremony or context cannot be read: {exc}")
        return out
    ceremony = ceremony_hash(record.election_id, record.guardians, record.quorum)
    if sorted(a.index for a in announcements) != list(range(1, record.guardians + 1)):
        out.problems.append(f"the ceremony must list guardians 1 to {record.guardians} once each")
    for a in announcements:
        try:
            check_announcement(ceremony, record.quorum, a)
        except CeremonyError as exc:
            out.problems.append(f"ceremony: {exc}")
    if joint_public_key(announcements) != context.public_key:
        out.problems.append("the election public key is not the product of the guardians' keys")

    # Ballots: proofs, no copies, and the tracking-code chain.
    q = context.hash
    accepted = []
    seen: dict[bytes, tuple[int, str]] = {}
    code = first_tracking_code(context)
    for position, r in enumerate(record.ballots, start=1):
        name = f"ballot {display_tracking_code(r.tracking_code)} (no. {position})"
        try:
            ballot = ballot_from(r)
        except InvalidEncoding as exc:
            out.problems.append(f"{name}: cannot be read ({exc})")
            continue
        out.problems += [f"{name}: {p}" for p in ballot_problems(context, ballot)]
        # A copied ciphertext is a replayed vote (its proofs still verify): refused by identity.
        for ct in ballot.ciphertexts:
            first, earlier = seen.setdefault(bytes(ct.alpha), (position, name))
            if first != position:
                out.problems.append(f"{name}: copies a ciphertext of {earlier}")
                break
        code = next_tracking_code(code, ballot_hash(context, ballot))
        if code != r.tracking_code:
            out.problems.append(f"{name}: its tracking code does not follow from the ballot chain")
            code = r.tracking_code  # report each break once, not every code after it
        accepted.append(ballot)

    # The sum, recomputed, must be the published one.
    totals = sum_ballots(accepted, len(context.options))
    try:
        published = tuple(ciphertext_from(c) for c in record.tally)
    except InvalidEncoding:
        published = ()
    if published != totals:
        out.problems.append("the published encrypted tally is not the sum of the published ballots")
    # Shares are checked against what they claim to decrypt, the published tally, so a tampered
    # ballot is reported as that ballot, not as every guardian's share.
    if len(published) == len(totals):
        totals = published

    out.counts = _decrypt(record, q, announcements, totals, out.problems)
    if out.counts is not None and list(out.counts) != record.result:
        out.problems.append(
            f"the published result {record.result} is not what the shares decrypt to "
            f"({list(out.counts)})"
        )
    return out


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
