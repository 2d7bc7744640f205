"""The guardian's key file: its secret share under a passphrase (libsodium argon2id + secretbox).

The browser module writes and opens the same bytes (ballot-crypto.js `lockKeyFile`), which the
known-answer vectors check; layout in docs/BALLOTS.md.
"""

from __future__ import annotations

import os

import msgspec
import pysodium  # type: ignore[import-untyped]

from negotiation.ballots.ceremony import CeremonyError
from negotiation.ballots.context import PROTOCOL


class KeyFileSecret(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    election_id: str
    guardian: int
    secret_share: bytes


class KeyFile(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """What the official downloads: nothing in it is readable without the passphrase."""

    format: str
    kdf: str
    opslimit: int
    memlimit: int
    salt: bytes
    nonce: bytes
    box: bytes


KEY_FILE_FORMAT = f"{PROTOCOL}/guardian-key"
_OPS_RANGE = (pysodium.crypto_pwhash_OPSLIMIT_MIN, pysodium.crypto_pwhash_OPSLIMIT_SENSITIVE)
_MEM_RANGE = (pysodium.crypto_pwhash_MEMLIMIT_MIN, pysodium.crypto_pwhash_MEMLIMIT_SENSITIVE)


def _file_key(passphrase: str, salt: bytes, opslimit: int, memlimit: int) -> bytes:
    return bytes(
        pysodium.crypto_pwhash(
            32,
            passphrase.encode("utf-8"),
            salt,
            opslimit,
            memlimit,
            pysodium.crypto_pwhash_ALG_ARGON2ID13,
        )
    )


def lock_key_file(
    secret: KeyFileSecret,
    passphrase: str,
    opslimit: int = pysodium.crypto_pwhash_OPSLIMIT_INTERACTIVE,
    memlimit: int = pysodium.crypto_pwhash_MEMLIMIT_INTERACTIVE,
    *,
    salt: bytes | None = None,
    nonce: bytes | None = None,
) -> bytes:
    """The key file's bytes; `salt` and `nonce` are random unless fixed (known-answer vectors)."""
    if len(passphrase) < 12:
        raise ValueError("a key file passphrase has at least 12 characters")
    salt = salt if salt is not None else os.urandom(pysodium.crypto_pwhash_SALTBYTES)
    nonce = nonce if nonce is not None else os.urandom(pysodium.crypto_secretbox_NONCEBYTES)
    key = _file_key(passphrase, salt, opslimit, memlimit)
    box = pysodium.crypto_secretbox(msgspec.json.encode(secret), nonce, key)
    return msgspec.json.encode(
        KeyFile(KEY_FILE_FORMAT, "argon2id13", opslimit, memlimit, salt, nonce, bytes(box))
    )


def unlock_key_file(data: bytes, passphrase: str) -> KeyFileSecret:
    """Open a key file; a wrong passphrase or a damaged file is one refusal, said plainly."""
    try:
        f = msgspec.json.decode(data, type=KeyFile)
    except msgspec.ValidationError as exc:
        raise CeremonyError("this is not a guardian key file") from exc
    if f.format != KEY_FILE_FORMAT or f.kdf != "argon2id13":
        raise CeremonyError("this is not a guardian key file of this version")
    # The limits come from the file: bound them, or a crafted file could ask for any memory.
    ops_ok = _OPS_RANGE[0] <= f.opslimit <= _OPS_RANGE[1]
    if not (ops_ok and _MEM_RANGE[0] <= f.memlimit <= _MEM_RANGE[1]):
        raise CeremonyError("this key file asks for password-hashing limits out of range")
    key = _file_key(passphrase, f.salt, f.opslimit, f.memlimit)
    try:
        plain = pysodium.crypto_secretbox_open(f.box, f.nonce, key)
    except ValueError as exc:
        raise CeremonyError("the passphrase is wrong or the key file is damaged") from exc
    return msgspec.json.decode(bytes(plain), type=KeyFileSecret)
