"""Stored event payloads as MessagePack through msgspec (datetimes travel as native timestamps).

Decoding gives builtins (tuples come back as lists), except each event's `by`, which comes back
as the typed `Stamp` it was recorded from: the same map whether it was stored as a Stamp or, by
older code, as a plain dict.
"""

from __future__ import annotations

from typing import Any

import msgspec
from eventsourcing.persistence import Transcoder

from negotiation.domain.actors import Stamp


def _refuse(obj: Any) -> Any:
    # Events carry builtins, datetimes and their Stamp (a Struct: msgspec stores it as a map, and
    # `decode` types it again); anything else is a programming error, caught loud.
    raise TypeError(f"{type(obj).__name__} cannot be stored in an event; convert it to builtins")


class MsgspecTranscoder(Transcoder):
    def __init__(self) -> None:
        self._encoder = msgspec.msgpack.Encoder(enc_hook=_refuse)
        self._decoder = msgspec.msgpack.Decoder()

    def encode(self, obj: Any) -> bytes:
        return self._encoder.encode(obj)

    def decode(self, data: bytes) -> Any:
        payload = self._decoder.decode(data)
        if isinstance(payload, dict):
            by = payload.get("by")
            if isinstance(by, dict):
                payload["by"] = msgspec.convert(by, Stamp)
        return payload
