"""The election context every proof is bound to, and its hash Q (ElectionGuard's extended hash)."""

from __future__ import annotations

from dataclasses import dataclass

from negotiation.ballots.group import Point, Scalar, digest, hash_to_scalar

PROTOCOL = "ratify/v1"


@dataclass(frozen=True, slots=True)
class ElectionContext:
    """What a ballot is a vote on: this election, this document's text, under this certified roll,
    to this key, with these options.

    Every challenge hashes `hash` first, so a proof made for another election, another text of the
    tentative agreement, another roll or another key never verifies here.
    """

    election_id: str
    document_hash: bytes
    roll_hash: bytes
    public_key: Point
    options: tuple[str, ...]

    def __post_init__(self) -> None:
        if len(self.document_hash) != 32 or len(self.roll_hash) != 32:
            raise ValueError("the document and roll hashes are 32 bytes (SHA-256)")
        if not 2 <= len(self.options) <= 8 or len(set(self.options)) != len(self.options):
            raise ValueError("a ballot has between two and eight distinct options")
        if self.public_key.is_identity():
            raise ValueError("the election public key cannot be the identity")

    @property
    def hash(self) -> bytes:
        return digest(
            f"{PROTOCOL}/context",
            self.election_id,
            self.document_hash,
            self.roll_hash,
            self.public_key,
            len(self.options),
            *self.options,
        )


def derive_nonce(seed: bytes, *labels: str | int) -> Scalar:
    """A secret scalar derived from a 32-byte seed and a label (ElectionGuard's nonce sequences).

    In production the seed is 32 fresh random bytes; the known-answer vectors fix it, which is what
    lets the browser and the server reproduce each other's encodings byte for byte.
    """
    if len(seed) != 32:
        raise ValueError("a nonce seed is 32 bytes")
    return hash_to_scalar(f"{PROTOCOL}/nonce", seed, *labels)
