"""The k-of-n guardian key ceremony (joint Feldman VSS, after ElectionGuard) and the key file.

Each guardian i (1..n) draws a secret polynomial P_i of degree k−1, publishes commitments
K_ij = g^{a_ij} to its coefficients with Schnorr proofs, and sends every guardian ℓ the share
P_i(ℓ), encrypted to ℓ's transport key, which ℓ checks against the commitments:
g^{P_i(ℓ)} = Π_j K_ij^{ℓ^j}. Guardian ℓ's decryption key is s_ℓ = Σ_i P_i(ℓ), a Shamir share of
the joint secret s = Σ_i P_i(0) whose public key is K = Π_i K_i0. Nobody, the server included,
ever holds s; any k shares reconstruct decryptions of it (tally.py), k−1 reveal nothing about it.
Each guardian keeps s_ℓ in a passphrase-locked key file (keyfile.py).

The complaint round (ElectionGuard's "share verification"): a guardian whose share fails that
check challenges it publicly; the sender must then publish the share in the clear, which anyone
checks against the same commitments (`check_revealed_share`). A share that passes resolves the
challenge (the recipient uses it); one that fails disqualifies the sender, and the ceremony starts
again without them (docs/SECRECY.md, "The complaint round").
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pysodium  # type: ignore[import-untyped]

from negotiation.ballots.context import PROTOCOL, derive_nonce
from negotiation.ballots.group import (
    InvalidEncoding,
    Point,
    Scalar,
    digest,
    encode_parts,
)
from negotiation.ballots.proofs import ChallengeProof, prove_schnorr, verify_schnorr


class CeremonyError(ValueError):
    """A ceremony message that does not check out; the message names the guardian and what."""


def ceremony_hash(election_id: str, guardians: int, quorum: int) -> bytes:
    """The context of the ceremony's proofs and share encryption: this election, n and k."""
    if not 1 <= quorum <= guardians:
        raise ValueError("the quorum k must be between 1 and the number of guardians n")
    return digest(f"{PROTOCOL}/ceremony", election_id, guardians, quorum)


@dataclass(frozen=True, slots=True)
class GuardianAnnouncement:
    """A guardian's public ceremony data: coefficient commitments and transport key, with proofs."""

    index: int
    commitments: tuple[Point, ...]
    coefficient_proofs: tuple[ChallengeProof, ...]
    transport_key: Point
    transport_proof: ChallengeProof


@dataclass(frozen=True, slots=True)
class EncryptedShare:
    """P_sender(recipient), sealed to the recipient's transport key (ECIES, XChaCha20-Poly1305)."""

    sender: int
    recipient: int
    ephemeral: Point
    nonce: bytes
    sealed: bytes


class Guardian:
    """One guardian's ceremony secrets; they live in that official's browser (tests: here)."""

    def __init__(self, ceremony: bytes, index: int, quorum: int, seed: bytes) -> None:
        if index < 1:
            raise ValueError("guardians are numbered from 1 (0 is where the secret sits)")
        self.ceremony = ceremony
        self.index = index
        self.seed = seed
        self.coefficients = tuple(derive_nonce(seed, "coefficient", j) for j in range(quorum))
        self.transport_secret = derive_nonce(seed, "transport")

    def announcement(self) -> GuardianAnnouncement:
        proofs = tuple(
            prove_schnorr(
                self.ceremony, (self.index, j), a, derive_nonce(self.seed, "schnorr-u", j)
            )
            for j, a in enumerate(self.coefficients)
        )
        transport_proof = prove_schnorr(
            self.ceremony,
            (self.index, "transport"),
            self.transport_secret,
            derive_nonce(self.seed, "schnorr-u", "transport"),
        )
        return GuardianAnnouncement(
            self.index,
            tuple(Point.base_times(a) for a in self.coefficients),
            proofs,
            Point.base_times(self.transport_secret),
            transport_proof,
        )

    def share_for(self, recipient: int) -> Scalar:
        return evaluate(self.coefficients, recipient)

    def encrypted_share_for(self, recipient: GuardianAnnouncement) -> EncryptedShare:
        return seal_share(
            self.ceremony,
            self.index,
            recipient,
            self.share_for(recipient.index),
            ephemeral=derive_nonce(self.seed, "share-ephemeral", recipient.index),
        )

    def open_share(self, share: EncryptedShare, sender: GuardianAnnouncement) -> Scalar:
        """Decrypt a share sent to this guardian and check it against the sender's commitments."""
        if share.recipient != self.index or share.sender != sender.index:
            raise CeremonyError(f"the share from guardian {share.sender} is addressed to another")
        value = open_share(self.ceremony, self.transport_secret, share)
        if not share_matches(sender.commitments, self.index, value):
            raise CeremonyError(
                f"the share from guardian {sender.index} does not match its commitments"
            )
        return value


def evaluate(coefficients: tuple[Scalar, ...], x: int) -> Scalar:
    """P(x) = Σ_j a_j x^j modulo L, by Horner's rule on libsodium scalars."""
    xs = Scalar.from_int(x)
    acc = Scalar.from_int(0)
    for a in reversed(coefficients):
        acc = acc * xs + a
    return acc


def commitment_at(commitments: tuple[Point, ...], x: int) -> Point:
    """Π_j K_j^{x^j} = g^{P(x)}: what a share must match, computed from public data only."""
    acc = Point.identity()
    power = Scalar.from_int(1)
    xs = Scalar.from_int(x)
    for k in commitments:
        acc = acc + k * power
        power = power * xs
    return acc


def share_matches(commitments: tuple[Point, ...], recipient: int, value: Scalar) -> bool:
    """Feldman's check: g^{P_i(ℓ)} = Π_j K_ij^{ℓ^j}."""
    return Point.base_times(value) == commitment_at(commitments, recipient)


def check_revealed_share(sender: GuardianAnnouncement, recipient: int, value: Scalar) -> None:
    """The verdict on a challenged share, from public data only: P_i(ℓ), published by guardian
    i in answer to guardian ℓ's challenge, must pass Feldman's check against i's commitments."""
    if not share_matches(sender.commitments, recipient, value):
        raise CeremonyError(
            f"the share guardian {sender.index} revealed for guardian {recipient} does not "
            "match its commitments"
        )


def check_announcement(ceremony: bytes, quorum: int, a: GuardianAnnouncement) -> None:
    """Each of the k commitments and the transport key carries a valid Schnorr proof."""
    if len(a.commitments) != quorum or len(a.coefficient_proofs) != quorum:
        raise CeremonyError(f"guardian {a.index} must commit to exactly {quorum} coefficients")
    for j, (k, proof) in enumerate(zip(a.commitments, a.coefficient_proofs, strict=True)):
        if not verify_schnorr(ceremony, (a.index, j), k, proof):
            raise CeremonyError(f"guardian {a.index}'s proof for coefficient {j} does not verify")
    if not verify_schnorr(ceremony, (a.index, "transport"), a.transport_key, a.transport_proof):
        raise CeremonyError(f"guardian {a.index}'s transport key proof does not verify")


def joint_public_key(announcements: list[GuardianAnnouncement]) -> Point:
    """K = Π_i K_i0: the election public key every ballot is encrypted to."""
    key = Point.identity()
    for a in announcements:
        key = key + a.commitments[0]
    return key


def guardian_public_share(announcements: list[GuardianAnnouncement], index: int) -> Point:
    """g^{s_ℓ} = Π_i g^{P_i(ℓ)}: what guardian ℓ's partial decryptions are proved against."""
    key = Point.identity()
    for a in announcements:
        key = key + commitment_at(a.commitments, index)
    return key


# --- share transport: ECIES over ristretto255 with libsodium's XChaCha20-Poly1305 ------------
def _share_key(ephemeral: Point, recipient_key: Point, shared: Point) -> bytes:
    return digest(f"{PROTOCOL}/share-key", ephemeral, recipient_key, shared)


def _share_aad(ceremony: bytes, sender: int, recipient: int) -> bytes:
    return encode_parts(f"{PROTOCOL}/share-aad", (ceremony, sender, recipient))


def seal_share(
    ceremony: bytes,
    sender: int,
    recipient: GuardianAnnouncement,
    value: Scalar,
    ephemeral: Scalar | None = None,
    nonce: bytes | None = None,
) -> EncryptedShare:
    """Encrypt P_sender(ℓ) so that only guardian ℓ's transport secret opens it.

    The key is SHA-256 of (E, X_ℓ, X_ℓ^e); the AEAD's associated data binds the ceremony and both
    indices, so the server, which relays it, can neither read it nor pass it off as another's.
    """
    e = ephemeral if ephemeral is not None else Scalar.random()
    big_e = Point.base_times(e)
    key = _share_key(big_e, recipient.transport_key, recipient.transport_key * e)
    n = nonce if nonce is not None else os.urandom(24)
    sealed = pysodium.crypto_aead_xchacha20poly1305_ietf_encrypt(
        bytes(value), _share_aad(ceremony, sender, recipient.index), n, key
    )
    return EncryptedShare(sender, recipient.index, big_e, n, sealed)


def open_share(ceremony: bytes, transport_secret: Scalar, share: EncryptedShare) -> Scalar:
    own_key = Point.base_times(transport_secret)
    key = _share_key(share.ephemeral, own_key, share.ephemeral * transport_secret)
    try:
        plain = pysodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
            share.sealed, _share_aad(ceremony, share.sender, share.recipient), share.nonce, key
        )
        return Scalar.from_bytes(bytes(plain))
    except (ValueError, InvalidEncoding) as exc:
        raise CeremonyError(f"the share from guardian {share.sender} does not decrypt") from exc
