"""Zero-knowledge proofs, non-interactive by Fiat–Shamir: Schnorr, Chaum–Pedersen, disjunctive CP.

Every proof is the pair (challenge, response), or two pairs for the disjunction; verification
recomputes the commitments from them and checks the challenge is the hash of the statement and the
commitments (the "strong" Fiat–Shamir: the statement is always hashed, so a proof cannot be moved
to another ciphertext). Conventions: response v = u + c·secret; check g^v = a · X^c.
Reference: the ElectionGuard 2.0 specification (key generation: Schnorr proofs of coefficients;
ballot encryption: disjunctive 0/1 proofs; decryption: Chaum–Pedersen); Helios for the 0/1 proof.
Byte layout: docs/BALLOTS.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from negotiation.ballots.context import PROTOCOL
from negotiation.ballots.elgamal import Ciphertext
from negotiation.ballots.group import G, Point, Scalar, hash_to_scalar

TAG_SCHNORR = f"{PROTOCOL}/schnorr"
TAG_RANGE = f"{PROTOCOL}/range01"
TAG_SUM = f"{PROTOCOL}/sum"
TAG_DECRYPT = f"{PROTOCOL}/decrypt"


@dataclass(frozen=True, slots=True)
class ChallengeProof:
    """(c, v): Schnorr, Chaum–Pedersen decryption and selection-sum proofs all take this form."""

    c: Scalar
    v: Scalar


@dataclass(frozen=True, slots=True)
class RangeProof:
    """The disjunctive Chaum–Pedersen proof that a ciphertext encrypts 0 or 1: (c0, c1, v0, v1)."""

    c0: Scalar
    c1: Scalar
    v0: Scalar
    v1: Scalar


# --- Schnorr proof of knowledge of a discrete log (a guardian's coefficient) -----------------
def prove_schnorr(
    context: bytes, label: tuple[int | str, ...], secret: Scalar, u: Scalar
) -> ChallengeProof:
    """Prove knowledge of a = log_g(g^a); `label` names the key (guardian, coefficient index)."""
    public = Point.base_times(secret)
    h = Point.base_times(u)
    c = hash_to_scalar(TAG_SCHNORR, context, *label, public, h)
    return ChallengeProof(c, u + c * secret)


def verify_schnorr(
    context: bytes, label: tuple[int | str, ...], public: Point, proof: ChallengeProof
) -> bool:
    if public.is_identity():
        return False
    h = Point.base_times(proof.v) - public * proof.c
    return hash_to_scalar(TAG_SCHNORR, context, *label, public, h) == proof.c


# --- disjunctive Chaum–Pedersen: the ciphertext encrypts 0 or 1 -------------------------------
def prove_range01(
    q: bytes,
    option: int,
    public_key: Point,
    ct: Ciphertext,
    plaintext: int,
    nonce: Scalar,
    u: Scalar,
    fake_c: Scalar,
    fake_v: Scalar,
) -> RangeProof:
    """CDS OR-proof: the real branch is an honest CP proof, the other one simulated from (c, v)."""
    if plaintext not in (0, 1):
        raise ValueError("a selection is 0 or 1")
    fake = 1 - plaintext
    commits: list[tuple[Point, Point]] = [(G, G), (G, G)]
    commits[plaintext] = (Point.base_times(u), public_key * u)
    commits[fake] = _range_commitments(public_key, ct, fake, fake_c, fake_v)
    c = _range_challenge(q, option, ct, commits)
    real_c = c - fake_c
    real_v = u + real_c * nonce
    if plaintext == 0:
        return RangeProof(real_c, fake_c, real_v, fake_v)
    return RangeProof(fake_c, real_c, fake_v, real_v)


def verify_range01(
    q: bytes, option: int, public_key: Point, ct: Ciphertext, proof: RangeProof
) -> bool:
    if ct.alpha.is_identity():
        return False
    commits = [
        _range_commitments(public_key, ct, 0, proof.c0, proof.v0),
        _range_commitments(public_key, ct, 1, proof.c1, proof.v1),
    ]
    return _range_challenge(q, option, ct, commits) == proof.c0 + proof.c1


def _range_commitments(
    public_key: Point, ct: Ciphertext, j: int, c: Scalar, v: Scalar
) -> tuple[Point, Point]:
    # a_j = g^v_j / alpha^c_j,  b_j = K^v_j / (beta / g^j)^c_j
    beta_j = ct.beta - G if j == 1 else ct.beta
    return Point.base_times(v) - ct.alpha * c, public_key * v - beta_j * c


def _range_challenge(
    q: bytes, option: int, ct: Ciphertext, commits: list[tuple[Point, Point]]
) -> Scalar:
    (a0, b0), (a1, b1) = commits
    return hash_to_scalar(TAG_RANGE, q, option, ct.alpha, ct.beta, a0, b0, a1, b1)


# --- Chaum–Pedersen: the sum of the selections encrypts exactly `total` -----------------------
def prove_sum(
    q: bytes, public_key: Point, ct: Ciphertext, total: int, nonce: Scalar, u: Scalar
) -> ChallengeProof:
    """Knowledge of R with A = g^R and B / g^total = K^R: the selections sum to `total`."""
    a = Point.base_times(u)
    b = public_key * u
    c = hash_to_scalar(TAG_SUM, q, total, ct.alpha, ct.beta, a, b)
    return ChallengeProof(c, u + c * nonce)


def verify_sum(
    q: bytes, public_key: Point, ct: Ciphertext, total: int, proof: ChallengeProof
) -> bool:
    a = Point.base_times(proof.v) - ct.alpha * proof.c
    g_total = G if total == 1 else Point.base_times(Scalar.from_int(total))  # 1: every ballot
    shifted = ct.beta - g_total
    b = public_key * proof.v - shifted * proof.c
    return hash_to_scalar(TAG_SUM, q, total, ct.alpha, ct.beta, a, b) == proof.c


# --- Chaum–Pedersen: a guardian's share of a decryption is A^s for its public P = g^s ----------
def prove_decryption(
    q: bytes, index: int, secret: Scalar, ct: Ciphertext, u: Scalar
) -> tuple[Point, ChallengeProof]:
    """The partial decryption M = A^s and the proof that log_g P = log_A M."""
    public = Point.base_times(secret)
    share = ct.alpha * secret
    a = Point.base_times(u)
    b = ct.alpha * u
    c = hash_to_scalar(TAG_DECRYPT, q, index, public, ct.alpha, ct.beta, share, a, b)
    return share, ChallengeProof(c, u + c * secret)


def verify_decryption(
    q: bytes, index: int, public: Point, ct: Ciphertext, share: Point, proof: ChallengeProof
) -> bool:
    a = Point.base_times(proof.v) - public * proof.c
    b = ct.alpha * proof.v - share * proof.c
    return hash_to_scalar(TAG_DECRYPT, q, index, public, ct.alpha, ct.beta, share, a, b) == proof.c
