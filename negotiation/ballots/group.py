"""The ristretto255 group and its scalars over libsodium (pysodium), and the protocol's hashes.

No curve arithmetic is done here: every point and scalar operation is one libsodium call. What this
module adds is types (a `Point` is never confused with a `Scalar`), clean refusal of invalid
encodings, the identity element (libsodium refuses to *produce* it from a scalar multiplication, so
multiplying by zero is answered here), and the one canonical, length-prefixed hash encoding that
every Fiat–Shamir challenge and record digest uses (docs/BALLOTS.md, "Hashing").
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterable

import pysodium  # type: ignore[import-untyped]

POINT_BYTES = 32
SCALAR_BYTES = 32
# The order of the ristretto255 group (RFC 9496): scalars are integers modulo L.
L = 2**252 + 27742317777372353535851937790883648493

_IDENTITY = bytes(POINT_BYTES)


class InvalidEncoding(ValueError):
    """Bytes that are not the canonical encoding of a group element or a reduced scalar."""


class Scalar:
    """An integer modulo L, held as its 32-byte little-endian canonical encoding."""

    __slots__ = ("_b",)

    def __init__(self, encoded: bytes) -> None:
        self._b = encoded

    @classmethod
    def from_bytes(cls, encoded: bytes) -> Scalar:
        """Decode a scalar from the wire; refuses anything but the canonical (reduced) form."""
        if not isinstance(encoded, bytes) or len(encoded) != SCALAR_BYTES:
            raise InvalidEncoding("a scalar is 32 bytes")
        if int.from_bytes(encoded, "little") >= L:
            raise InvalidEncoding("a scalar must be reduced modulo the group order")
        return cls(encoded)

    @classmethod
    def from_int(cls, value: int) -> Scalar:
        return cls((value % L).to_bytes(SCALAR_BYTES, "little"))

    @classmethod
    def random(cls) -> Scalar:
        return cls(pysodium.crypto_core_ristretto255_scalar_random())

    @classmethod
    def reduce64(cls, wide: bytes) -> Scalar:
        """The 64-byte string read as a little-endian integer, reduced modulo L (libsodium)."""
        if len(wide) != 64:
            raise InvalidEncoding("scalar reduction takes 64 bytes")
        return cls(pysodium.crypto_core_ristretto255_scalar_reduce(wide))

    def __bytes__(self) -> bytes:
        return self._b

    def __int__(self) -> int:
        return int.from_bytes(self._b, "little")

    def is_zero(self) -> bool:
        return self._b == bytes(SCALAR_BYTES)

    def __add__(self, other: Scalar) -> Scalar:
        return Scalar(pysodium.crypto_core_ristretto255_scalar_add(self._b, other._b))

    def __sub__(self, other: Scalar) -> Scalar:
        return Scalar(pysodium.crypto_core_ristretto255_scalar_sub(self._b, other._b))

    def __mul__(self, other: Scalar) -> Scalar:
        return Scalar(pysodium.crypto_core_ristretto255_scalar_mul(self._b, other._b))

    def __neg__(self) -> Scalar:
        return Scalar(pysodium.crypto_core_ristretto255_scalar_negate(self._b))

    def inverse(self) -> Scalar:
        if self.is_zero():
            raise ZeroDivisionError("zero has no inverse modulo L")
        return Scalar(pysodium.crypto_core_ristretto255_scalar_invert(self._b))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Scalar) and other._b == self._b

    def __hash__(self) -> int:
        return hash(self._b)

    def __repr__(self) -> str:
        return f"Scalar({self._b.hex()})"


class Point:
    """An element of the ristretto255 group, held as its canonical 32-byte encoding."""

    __slots__ = ("_b",)

    def __init__(self, encoded: bytes) -> None:
        self._b = encoded

    @classmethod
    def from_bytes(cls, encoded: bytes) -> Point:
        """Decode a group element from the wire; refuses non-canonical or off-group bytes."""
        if not isinstance(encoded, bytes) or len(encoded) != POINT_BYTES:
            raise InvalidEncoding("a group element is 32 bytes")
        if encoded != _IDENTITY and not pysodium.crypto_core_ristretto255_is_valid_point(encoded):
            raise InvalidEncoding("not a valid ristretto255 encoding")
        return cls(encoded)

    @classmethod
    def identity(cls) -> Point:
        return cls(_IDENTITY)

    @classmethod
    def base_times(cls, k: Scalar) -> Point:
        """g^k for the standard generator g (libsodium's base-point multiplication)."""
        if k.is_zero():
            return cls(_IDENTITY)
        return cls(pysodium.crypto_scalarmult_ristretto255_base(bytes(k)))

    def is_identity(self) -> bool:
        return self._b == _IDENTITY

    def __bytes__(self) -> bytes:
        return self._b

    def __add__(self, other: Point) -> Point:
        return Point(pysodium.crypto_core_ristretto255_add(self._b, other._b))

    def __sub__(self, other: Point) -> Point:
        return Point(pysodium.crypto_core_ristretto255_sub(self._b, other._b))

    def __mul__(self, k: Scalar) -> Point:
        # libsodium errors rather than return the identity: k = 0 and identity answered here.
        if k.is_zero() or self.is_identity():
            return Point(_IDENTITY)
        return Point(pysodium.crypto_scalarmult_ristretto255(bytes(k), self._b))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Point) and other._b == self._b

    def __hash__(self) -> int:
        return hash(self._b)

    def __repr__(self) -> str:
        return f"Point({self._b.hex()})"


G = Point.base_times(Scalar.from_int(1))

Part = bytes | str | int | Point | Scalar


def encode_parts(tag: str, parts: Iterable[Part]) -> bytes:
    """The canonical byte string hashed everywhere: the tag and each part, length-prefixed.

    Each item is `u32_be(len) || bytes`; a str is its UTF-8, an int its 8-byte big-endian form, a
    point or scalar its 32-byte encoding. Length prefixes make the encoding injective, so two
    different statements can never hash the same input (docs/BALLOTS.md, "Hashing").
    """
    out = bytearray()
    for item in (tag, *parts):
        raw = _part_bytes(item)
        out += struct.pack(">I", len(raw))
        out += raw
    return bytes(out)


def _part_bytes(item: Part) -> bytes:
    if isinstance(item, bytes):
        return item
    if isinstance(item, str):
        return item.encode("utf-8")
    if isinstance(item, bool):
        raise TypeError("booleans are not hash parts")
    if isinstance(item, int):
        return item.to_bytes(8, "big")
    return bytes(item)


def hash_to_scalar(tag: str, *parts: Part) -> Scalar:
    """SHA-512 over the canonical encoding, reduced modulo L: every Fiat–Shamir challenge."""
    return Scalar.reduce64(hashlib.sha512(encode_parts(tag, parts)).digest())


def digest(tag: str, *parts: Part) -> bytes:
    """SHA-256 over the canonical encoding: context hashes, ballot hashes, tracking codes."""
    return hashlib.sha256(encode_parts(tag, parts)).digest()
