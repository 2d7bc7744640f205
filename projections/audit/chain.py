"""The hash chain over the whole log (see projections.audit for the formula)."""

from __future__ import annotations

import hashlib
import struct

ZERO_HASH = bytes(32)


def chain_hash(
    prev: bytes, position: int, originator_id: str, version: int, topic: str, state: bytes
) -> bytes:
    """SHA-256 over the previous hash and the event exactly as stored. Variable-length
    fields are length-prefixed, so no bytes can move from one field to the next unnoticed."""
    return hashlib.sha256(
        b"".join(
            (
                prev,
                _u64(position),
                _length_prefixed(originator_id),
                _u64(version),
                _length_prefixed(topic),
                _u64(len(state)),
                state,
            )
        )
    ).digest()


_u64 = struct.Struct(">Q").pack
# Negotiation ids and topics repeat event after event: each is encoded once (a rebuild hashes
# a million events; this was a third of the hashing's cost).
_PREFIXED: dict[str, bytes] = {}
_PREFIXED_LIMIT = 100_000


def _length_prefixed(text: str) -> bytes:
    prefixed = _PREFIXED.get(text)
    if prefixed is None:
        raw = text.encode()
        prefixed = len(raw).to_bytes(4, "big") + raw
        if len(_PREFIXED) >= _PREFIXED_LIMIT:
            _PREFIXED.clear()
        _PREFIXED[text] = prefixed
    return prefixed
