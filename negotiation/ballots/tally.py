"""The tally: homomorphic sum of the accepted ballots, decryption by any k guardians, the counts.

Design (ElectionGuard 2.0's thresholding, not 1.x's "missing guardian" compensation): the
ceremony already gave guardian ℓ a Shamir share s_ℓ = P(ℓ) of the joint secret s = P(0), with
P = Σ_i P_i. Each present guardian publishes M_ℓ = A^{s_ℓ} with a Chaum–Pedersen proof against
its public share g^{s_ℓ}; any k of them combine as M = Π_ℓ M_ℓ^{λ_ℓ} = A^{Σ λ_ℓ s_ℓ} = A^s, with
the Lagrange coefficients at 0, λ_ℓ = Π_{m≠ℓ} m / (m − ℓ). Then g^t = B / M, and t is a small
discrete log. Compensation needs every present guardian to work for every missing one; this needs
one share per present guardian, each checked against public data: the simpler correct design.
Why k−1 shares give nothing: P has degree k−1, so for any candidate secret s' there is exactly
one polynomial through the k−1 known points and (0, s'): every secret is equally likely.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from negotiation.ballots.ballot import EncryptedBallot
from negotiation.ballots.context import derive_nonce
from negotiation.ballots.elgamal import Ciphertext, add_all, discrete_log
from negotiation.ballots.group import Point, Scalar
from negotiation.ballots.proofs import ChallengeProof, prove_decryption, verify_decryption


class TallyError(ValueError):
    """The shares given cannot decrypt the tally (too few, duplicated, or failing their proofs)."""


@dataclass(frozen=True, slots=True)
class DecryptionShare:
    """Guardian ℓ's partial decryption M_ℓj = A_j^{s_ℓ} of each option's total, with proofs."""

    guardian: int
    shares: tuple[Point, ...]
    proofs: tuple[ChallengeProof, ...]


def sum_ballots(ballots: Iterable[EncryptedBallot], options: int) -> tuple[Ciphertext, ...]:
    """Per option, the sum of the accepted ballots' ciphertexts: it encrypts that option's count."""
    columns: list[list[Ciphertext]] = [[] for _ in range(options)]
    for b in ballots:
        for j, ct in enumerate(b.ciphertexts):
            columns[j].append(ct)
    return tuple(add_all(c) for c in columns)


@dataclass(frozen=True, slots=True)
class RunningTally:
    """The encrypted tally kept up to date as ballots are accepted (2 additions per option each).

    Summing 100,000 ballots at close costs ≈ 10–15 s of libsodium additions (each decodes two
    points and encodes one: bench/ballot_crypto.py); added one ballot at a time it costs ≈ 0.1 ms
    per ballot, beside ≈ 2 ms to verify its proofs, and the tally at close is then only the
    decryption. The verifier still recomputes the sum from the record.
    """

    totals: tuple[Ciphertext, ...]
    ballots: int = 0

    @classmethod
    def empty(cls, options: int) -> RunningTally:
        zero = Ciphertext(Point.identity(), Point.identity())
        return cls(tuple(zero for _ in range(options)), 0)

    def add(self, ballot: EncryptedBallot) -> RunningTally:
        if len(ballot.ciphertexts) != len(self.totals):
            raise TallyError("the ballot has another number of options than the tally")
        summed = tuple(t + c for t, c in zip(self.totals, ballot.ciphertexts, strict=True))
        return RunningTally(summed, self.ballots + 1)


def partial_decrypt(
    q: bytes, guardian: int, secret_share: Scalar, totals: tuple[Ciphertext, ...], seed: bytes
) -> DecryptionShare:
    """What a guardian's browser computes from its key file: one share and one proof per option."""
    pairs = [
        prove_decryption(q, guardian, secret_share, ct, derive_nonce(seed, "decrypt-u", j))
        for j, ct in enumerate(totals)
    ]
    return DecryptionShare(guardian, tuple(p[0] for p in pairs), tuple(p[1] for p in pairs))


def share_problems(
    q: bytes, public_share: Point, totals: tuple[Ciphertext, ...], share: DecryptionShare
) -> list[int]:
    """The options whose partial decryption proof fails (empty when the share is good)."""
    if len(share.shares) != len(totals) or len(share.proofs) != len(totals):
        return list(range(len(totals)))
    return [
        j
        for j, (ct, m, proof) in enumerate(zip(totals, share.shares, share.proofs, strict=True))
        if not verify_decryption(q, share.guardian, public_share, ct, m, proof)
    ]


def lagrange_at_zero(index: int, present: Iterable[int]) -> Scalar:
    """λ_ℓ = Π_{m ≠ ℓ} m / (m − ℓ) modulo L, on libsodium scalars."""
    mine = Scalar.from_int(index)
    num = Scalar.from_int(1)
    den = Scalar.from_int(1)
    for m in present:
        if m == index:
            continue
        other = Scalar.from_int(m)
        num = num * other
        den = den * (other - mine)
    return num * den.inverse()


def combine(
    totals: tuple[Ciphertext, ...], shares: list[DecryptionShare], quorum: int, bound: int
) -> tuple[int, ...]:
    """The counts from the first k shares of distinct guardians (the caller checks proofs)."""
    indices = [s.guardian for s in shares]
    if len(set(indices)) != len(indices):
        raise TallyError("each guardian's decryption share counts once")
    if len(shares) < quorum:
        raise TallyError(f"decrypting the tally needs {quorum} guardians; {len(shares)} took part")
    used = shares[:quorum]
    present = [s.guardian for s in used]
    lambdas = [lagrange_at_zero(s.guardian, present) for s in used]
    counts = []
    for j, ct in enumerate(totals):
        m = Point.identity()
        for s, lam in zip(used, lambdas, strict=True):
            m = m + s.shares[j] * lam
        counts.append(discrete_log(ct.beta - m, bound))
    return tuple(counts)
