"""An encrypted ballot: a one-hot vector over the options, each 0-or-1 and their sum 1, proved."""

from __future__ import annotations

from dataclasses import dataclass

from negotiation.ballots.context import PROTOCOL, ElectionContext, derive_nonce
from negotiation.ballots.elgamal import Ciphertext, add_all, encrypt
from negotiation.ballots.group import Scalar, digest
from negotiation.ballots.proofs import (
    ChallengeProof,
    RangeProof,
    prove_range01,
    prove_sum,
    verify_range01,
    verify_sum,
)

# A ballot selects exactly one option (ElectionGuard's selection limit of 1, no write-ins).
SELECTIONS = 1


@dataclass(frozen=True, slots=True)
class EncryptedBallot:
    ciphertexts: tuple[Ciphertext, ...]
    range_proofs: tuple[RangeProof, ...]
    sum_proof: ChallengeProof


def encrypt_ballot(context: ElectionContext, choice: int, seed: bytes) -> EncryptedBallot:
    """Encrypt the choice (an index into context.options) with all its proofs.

    Every secret (the nonce of each ciphertext, each proof's commitment nonce, the simulated
    branch) comes from `seed` by a labelled derivation, so the browser's code given the same seed
    produces the same bytes (tests/vectors/ballots.json).
    """
    if not 0 <= choice < len(context.options):
        raise ValueError("the choice is not one of the ballot's options")
    q = context.hash
    key = context.public_key
    ciphertexts = []
    proofs = []
    nonces = []
    for j in range(len(context.options)):
        selected = 1 if j == choice else 0
        r = derive_nonce(seed, "encrypt", j)
        ct = encrypt(key, selected, r)
        proof = prove_range01(
            q,
            j,
            key,
            ct,
            selected,
            r,
            u=derive_nonce(seed, "range-u", j),
            fake_c=derive_nonce(seed, "range-c", j),
            fake_v=derive_nonce(seed, "range-v", j),
        )
        ciphertexts.append(ct)
        proofs.append(proof)
        nonces.append(r)
    total_nonce = nonces[0]
    for r in nonces[1:]:
        total_nonce = total_nonce + r
    sum_proof = prove_sum(
        q, key, add_all(ciphertexts), SELECTIONS, total_nonce, derive_nonce(seed, "sum-u")
    )
    return EncryptedBallot(tuple(ciphertexts), tuple(proofs), sum_proof)


def ballot_problems(context: ElectionContext, ballot: EncryptedBallot) -> list[str]:
    """What is wrong with the ballot, each a sentence naming the proof; empty when it is valid."""
    options = context.options
    if len(ballot.ciphertexts) != len(options) or len(ballot.range_proofs) != len(options):
        return [f"the ballot must carry one encrypted selection per option ({len(options)})"]
    q = context.hash
    problems = [
        f"the proof that the selection for '{options[j]}' is 0 or 1 does not verify"
        for j, (ct, proof) in enumerate(zip(ballot.ciphertexts, ballot.range_proofs, strict=True))
        if not verify_range01(q, j, context.public_key, ct, proof)
    ]
    total = add_all(ballot.ciphertexts)
    if not verify_sum(q, context.public_key, total, SELECTIONS, ballot.sum_proof):
        problems.append("the proof that exactly one option is selected does not verify")
    return problems


def ballot_hash(context: ElectionContext, ballot: EncryptedBallot) -> bytes:
    """SHA-256 over the ballot's canonical encoding: what the tracking code chains."""
    parts: list[bytes | Scalar] = []
    for ct, p in zip(ballot.ciphertexts, ballot.range_proofs, strict=True):
        parts += [ct.to_bytes(), p.c0, p.c1, p.v0, p.v1]
    parts += [ballot.sum_proof.c, ballot.sum_proof.v]
    return digest(f"{PROTOCOL}/ballot", context.hash, len(ballot.ciphertexts), *parts)


def first_tracking_code(context: ElectionContext) -> bytes:
    """The chain's start: H(Q), so the first ballot's code is already bound to this election."""
    return digest(f"{PROTOCOL}/tracking-start", context.hash)


def next_tracking_code(previous: bytes, ballot_digest: bytes) -> bytes:
    """code_i = H(code_{i-1}, ballot hash_i): ElectionGuard's chained confirmation codes.

    The chain makes the record append-only in the eyes of every voter: removing or reordering an
    earlier ballot changes every later code, which voters hold as receipts.
    """
    return digest(f"{PROTOCOL}/tracking", previous, ballot_digest)


def display_tracking_code(code: bytes) -> str:
    """The receipt a person reads: the first 10 bytes as five groups of four hex digits."""
    h = code[:10].hex().upper()
    return "-".join(h[i : i + 4] for i in range(0, 20, 4))
