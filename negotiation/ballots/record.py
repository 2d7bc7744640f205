"""The public election record as msgspec Structs, and conversions to and from the protocol's types.

Everything in it is public: publishing it reveals no choice (ballots stay encrypted; only the sum
is decrypted) and lets anyone re-run verify.py. Bytes fields are base64 in JSON (msgspec's rule).
"""

from __future__ import annotations

import msgspec

from negotiation.ballots.ballot import EncryptedBallot
from negotiation.ballots.ceremony import GuardianAnnouncement
from negotiation.ballots.context import ElectionContext
from negotiation.ballots.elgamal import Ciphertext
from negotiation.ballots.group import Point, Scalar
from negotiation.ballots.proofs import ChallengeProof, RangeProof
from negotiation.ballots.tally import DecryptionShare


class Frozen(msgspec.Struct, frozen=True, forbid_unknown_fields=True, gc=False):
    """Plain public data, never in a reference cycle: untracked by the garbage collector, whose
    passes over a national vote's 100,000 ballots (eight records each) took two thirds of the
    time to read the election record back (certifying hashes it)."""


class ProofRecord(Frozen, frozen=True, forbid_unknown_fields=True):
    c: bytes
    v: bytes


class RangeProofRecord(Frozen, frozen=True, forbid_unknown_fields=True):
    c0: bytes
    c1: bytes
    v0: bytes
    v1: bytes


class CiphertextRecord(Frozen, frozen=True, forbid_unknown_fields=True):
    alpha: bytes
    beta: bytes


class BallotRecord(Frozen, frozen=True, forbid_unknown_fields=True):
    """One accepted ballot, found by its tracking code (the voter's receipt)."""

    tracking_code: bytes
    ciphertexts: list[CiphertextRecord]
    range_proofs: list[RangeProofRecord]
    sum_proof: ProofRecord


class BallotSubmission(Frozen, frozen=True, forbid_unknown_fields=True):
    """What the voter's browser posts (ballot-crypto.js `ballotToWire`); the code comes later."""

    ciphertexts: list[CiphertextRecord]
    range_proofs: list[RangeProofRecord]
    sum_proof: ProofRecord


class GuardianRecord(Frozen, frozen=True, forbid_unknown_fields=True):
    index: int
    commitments: list[bytes]
    coefficient_proofs: list[ProofRecord]
    transport_key: bytes
    transport_proof: ProofRecord


class ShareChallengeRecord(Frozen, frozen=True, forbid_unknown_fields=True):
    """Guardian `accuser` challenged the share guardian `accused` sealed to it; `revealed` is the
    share P_accused(accuser) the accused published in answer (empty until it answers)."""

    accuser: int
    accused: int
    revealed: bytes = b""


class DecryptionShareRecord(Frozen, frozen=True, forbid_unknown_fields=True):
    guardian: int
    shares: list[bytes]
    proofs: list[ProofRecord]


class ElectionRecord(Frozen, frozen=True, forbid_unknown_fields=True, omit_defaults=True):
    election_id: str
    document_hash: bytes
    roll_hash: bytes
    options: list[str]
    guardians: int
    quorum: int
    ceremony: list[GuardianRecord]
    public_key: bytes
    ballots: list[BallotRecord]
    tally: list[CiphertextRecord]
    decryption_shares: list[DecryptionShareRecord]
    result: list[int]
    # The complaint round's public part; omitted when empty, so a record without challenges
    # encodes (and hashes) as it did before the round existed.
    challenges: list[ShareChallengeRecord] = []


# --- to the record -----------------------------------------------------------------------------
def proof_record(p: ChallengeProof) -> ProofRecord:
    return ProofRecord(bytes(p.c), bytes(p.v))


def ciphertext_record(ct: Ciphertext) -> CiphertextRecord:
    return CiphertextRecord(bytes(ct.alpha), bytes(ct.beta))


def ballot_record(code: bytes, b: EncryptedBallot) -> BallotRecord:
    return BallotRecord(
        code,
        [ciphertext_record(ct) for ct in b.ciphertexts],
        [
            RangeProofRecord(bytes(p.c0), bytes(p.c1), bytes(p.v0), bytes(p.v1))
            for p in b.range_proofs
        ],
        proof_record(b.sum_proof),
    )


def guardian_record(a: GuardianAnnouncement) -> GuardianRecord:
    return GuardianRecord(
        a.index,
        [bytes(k) for k in a.commitments],
        [proof_record(p) for p in a.coefficient_proofs],
        bytes(a.transport_key),
        proof_record(a.transport_proof),
    )


def share_record(s: DecryptionShare) -> DecryptionShareRecord:
    return DecryptionShareRecord(
        s.guardian, [bytes(m) for m in s.shares], [proof_record(p) for p in s.proofs]
    )


# --- from the record: every decode validates (group.InvalidEncoding on bad bytes) --------------
def proof_from(r: ProofRecord) -> ChallengeProof:
    return ChallengeProof(Scalar.from_bytes(r.c), Scalar.from_bytes(r.v))


def ciphertext_from(r: CiphertextRecord) -> Ciphertext:
    return Ciphertext(Point.from_bytes(r.alpha), Point.from_bytes(r.beta))


def ballot_from(r: BallotRecord | BallotSubmission) -> EncryptedBallot:
    return EncryptedBallot(
        tuple(ciphertext_from(c) for c in r.ciphertexts),
        tuple(
            RangeProof(*(Scalar.from_bytes(x) for x in (p.c0, p.c1, p.v0, p.v1)))
            for p in r.range_proofs
        ),
        proof_from(r.sum_proof),
    )


def guardian_from(r: GuardianRecord) -> GuardianAnnouncement:
    return GuardianAnnouncement(
        r.index,
        tuple(Point.from_bytes(k) for k in r.commitments),
        tuple(proof_from(p) for p in r.coefficient_proofs),
        Point.from_bytes(r.transport_key),
        proof_from(r.transport_proof),
    )


def share_from(r: DecryptionShareRecord) -> DecryptionShare:
    return DecryptionShare(
        r.guardian,
        tuple(Point.from_bytes(m) for m in r.shares),
        tuple(proof_from(p) for p in r.proofs),
    )


def context_of(record: ElectionRecord) -> ElectionContext:
    return ElectionContext(
        record.election_id,
        record.document_hash,
        record.roll_hash,
        Point.from_bytes(record.public_key),
        tuple(record.options),
    )
