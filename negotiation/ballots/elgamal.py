"""Exponential ElGamal on ristretto255: encrypt a small count, add ciphertexts, recover a total."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from negotiation.ballots.group import G, Point, Scalar


@dataclass(frozen=True, slots=True)
class Ciphertext:
    """(alpha, beta) = (g^r, g^m · K^r): m sits in the exponent, so ciphertexts add (Helios)."""

    alpha: Point
    beta: Point

    def __add__(self, other: Ciphertext) -> Ciphertext:
        return Ciphertext(self.alpha + other.alpha, self.beta + other.beta)

    def to_bytes(self) -> bytes:
        return bytes(self.alpha) + bytes(self.beta)

    @classmethod
    def from_bytes(cls, encoded: bytes) -> Ciphertext:
        return cls(Point.from_bytes(encoded[:32]), Point.from_bytes(encoded[32:]))


def encrypt(public_key: Point, message: int, nonce: Scalar) -> Ciphertext:
    """Enc(m; r) = (g^r, g^m · K^r).

    For a selection (0 or 1) g^m is picked, not computed: encrypting a no must take the same work
    as a yes (DOMAIN.md: no timing may link a member to a choice); adding the identity costs what
    adding g costs.
    """
    shared = public_key * nonce
    if message in (0, 1):
        g_m = G if message == 1 else Point.identity()
    else:
        g_m = Point.base_times(Scalar.from_int(message))
    return Ciphertext(Point.base_times(nonce), g_m + shared)


def add_all(ciphertexts: Iterable[Ciphertext]) -> Ciphertext:
    """The homomorphic sum: it encrypts the sum of the plaintexts under the sum of the nonces.
    (It starts from the first term, not from the identity: the same sum, two additions fewer.)"""
    items = iter(ciphertexts)
    first = next(items, None)
    if first is None:
        return Ciphertext(Point.identity(), Point.identity())
    alpha, beta = first.alpha, first.beta
    for c in items:
        alpha = alpha + c.alpha
        beta = beta + c.beta
    return Ciphertext(alpha, beta)


class DiscreteLogNotFound(ValueError):
    """No t up to the bound has g^t = target: the total is larger, or the decryption is wrong."""


def discrete_log(target: Point, bound: int) -> int:
    """The t in [0, bound] with g^t = target, by baby-step giant-step (≈ 2·√bound additions)."""
    if bound < 0:
        raise ValueError("the bound must not be negative")
    step = math.isqrt(bound) + 1
    baby: dict[bytes, int] = {}
    point = Point.identity()
    for j in range(step):
        baby.setdefault(bytes(point), j)
        point = point + G
    giant = point  # g^step
    gamma = target
    for i in range(step + 1):
        found = baby.get(bytes(gamma))
        if found is not None and i * step + found <= bound:
            return i * step + found
        gamma = gamma - giant
    raise DiscreteLogNotFound(f"no total between 0 and {bound} decrypts to this value")
