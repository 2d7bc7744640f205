"""A whole small election run in one process from fixed seeds: for the vectors, tests and benchmark.

In the product each guardian's part runs in that official's browser and each ballot in a voter's;
here one function plays everyone, which is what known-answer vectors and the verifier tests need.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from negotiation.ballots.ballot import (
    EncryptedBallot,
    ballot_hash,
    encrypt_ballot,
    first_tracking_code,
    next_tracking_code,
)
from negotiation.ballots.ceremony import (
    Guardian,
    GuardianAnnouncement,
    ceremony_hash,
    check_announcement,
    joint_public_key,
)
from negotiation.ballots.context import ElectionContext
from negotiation.ballots.group import Scalar
from negotiation.ballots.record import (
    ElectionRecord,
    ballot_record,
    ciphertext_record,
    guardian_record,
    share_record,
)
from negotiation.ballots.tally import DecryptionShare, combine, partial_decrypt, sum_ballots


def seed(label: str) -> bytes:
    """A fixed 32-byte seed named by a label (never for real elections: they use os.urandom)."""
    return hashlib.sha256(f"ratify/v1/sample-seed/{label}".encode()).digest()


@dataclass
class Ceremony:
    hash: bytes
    guardians: list[Guardian]
    announcements: list[GuardianAnnouncement]
    secret_shares: dict[int, Scalar]


def run_ceremony(election_id: str, n: int, k: int, label: str = "guardian") -> Ceremony:
    """Every guardian announces, every share is sealed, opened and checked; each sums its shares."""
    h = ceremony_hash(election_id, n, k)
    guardians = [Guardian(h, i, k, seed(f"{label}-{i}")) for i in range(1, n + 1)]
    announcements = [g.announcement() for g in guardians]
    for a in announcements:
        check_announcement(h, k, a)
    secrets: dict[int, Scalar] = {}
    for g in guardians:
        total = Scalar.from_int(0)
        for sender, a in zip(guardians, announcements, strict=True):
            sealed = sender.encrypted_share_for(announcements[g.index - 1])
            total = total + g.open_share(sealed, a)
        secrets[g.index] = total
    return Ceremony(h, guardians, announcements, secrets)


def cast(
    context: ElectionContext, choices: list[int], label: str = "ballot"
) -> list[tuple[bytes, EncryptedBallot]]:
    """Encrypt each choice and chain the tracking codes, as the server would on acceptance."""
    code = first_tracking_code(context)
    out = []
    for i, choice in enumerate(choices):
        b = encrypt_ballot(context, choice, seed(f"{label}-{i}"))
        code = next_tracking_code(code, ballot_hash(context, b))
        out.append((code, b))
    return out


def build_record(
    election_id: str,
    options: tuple[str, ...],
    choices: list[int],
    n: int = 3,
    k: int = 2,
    present: tuple[int, ...] = (1, 3),
) -> ElectionRecord:
    """The full public record of an election with these choices, decrypted by `present`."""
    ceremony = run_ceremony(election_id, n, k)
    key = joint_public_key(ceremony.announcements)
    document, roll = hashlib.sha256(b"TA text").digest(), hashlib.sha256(b"roll").digest()
    context = ElectionContext(election_id, document, roll, key, options)
    ballots = cast(context, choices)
    totals = sum_ballots([b for _, b in ballots], len(options))
    shares: list[DecryptionShare] = [
        partial_decrypt(context.hash, i, ceremony.secret_shares[i], totals, seed(f"decrypt-{i}"))
        for i in present
    ]
    counts = combine(totals, shares, k, bound=len(ballots))
    return ElectionRecord(
        election_id=election_id,
        document_hash=context.document_hash,
        roll_hash=context.roll_hash,
        options=list(options),
        guardians=n,
        quorum=k,
        ceremony=[guardian_record(a) for a in ceremony.announcements],
        public_key=bytes(key),
        ballots=[ballot_record(code, b) for code, b in ballots],
        tally=[ciphertext_record(ct) for ct in totals],
        decryption_shares=[share_record(s) for s in shares],
        result=list(counts),
    )
