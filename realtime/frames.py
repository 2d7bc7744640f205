"""The websocket frames of a live feed: what the server sends, and what a client may send back.

Server frames are a tagged union (`type` first on the wire: snapshot, change, heartbeat,
resync, error), each encoded once and shared by every subscriber it goes to. Client messages
are a tagged union too, decoded (never asserted) on input: anything that is not one of them
is refused by name, so the socket closes with a policy code and a reason instead of failing
in the handler. Protocol: docs/LIVE-FEEDS.md.
"""

from __future__ import annotations

from typing import Literal

import msgspec


class Snapshot(msgspec.Struct, frozen=True, tag_field="type", tag="snapshot"):
    """The whole feed as of `position`: the client replaces its state with it."""

    position: int
    parts: dict[str, msgspec.Raw]


class Change(msgspec.Struct, frozen=True, tag_field="type", tag="change"):
    """What one event changed in the feed, for one audience class."""

    position: int
    set: dict[str, msgspec.Raw]
    remove: list[str]


class Heartbeat(msgspec.Struct, frozen=True, tag_field="type", tag="heartbeat"):
    position: int


class Resync(msgspec.Struct, frozen=True, tag_field="type", tag="resync"):
    """Fell behind, or the audience changed: the server closes; reconnect with `after`."""


class Error(msgspec.Struct, frozen=True, tag_field="type", tag="error"):
    detail: str


ServerFrame = Snapshot | Change | Heartbeat | Resync | Error

_encoder = msgspec.json.Encoder()


def encode(frame: ServerFrame) -> str:
    return _encoder.encode(frame).decode()


def encode_part(part: object) -> bytes:
    return _encoder.encode(part)


RESYNC = encode(Resync())


# ---------------------------------------------------------------------- client to server
class Card(msgspec.Struct, frozen=True, forbid_unknown_fields=True, tag_field="type", tag="card"):
    """A viewer holds up a red or a green card, or puts it down (null). Counting them is the
    reactions' job; the feed only accepts the message."""

    card: Literal["red", "green"] | None


# Add each new client message to this union (and its tag comes with it).
ClientMessage = Card
CLIENT_TAGS = (Card.__struct_config__.tag,)
MAX_CLIENT_MESSAGE = 1024  # bytes: a card is a few dozen


class _Envelope(msgspec.Struct):
    """Only the tag: msgspec accepts a lone tagged struct without its tag, and a message
    that does not say what it is must be refused, not guessed."""

    type: str


_client_decoder = msgspec.json.Decoder(ClientMessage)
_envelope_decoder = msgspec.json.Decoder(_Envelope)


class MessageRefused(Exception):
    """A client message the feed does not take; `code` is the websocket close code."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


UNSUPPORTED_DATA = 1003  # RFC 6455 7.4.1: a kind of data the endpoint cannot accept
POLICY_VIOLATION = 1008
MESSAGE_TOO_BIG = 1009


def decode_client_message(text: str | None, data: bytes | None) -> ClientMessage:
    """The client message in a websocket frame, or MessageRefused saying what is wrong."""
    if text is None:
        raise MessageRefused(UNSUPPORTED_DATA, "Only JSON text messages are accepted.")
    raw = text.encode()
    if len(raw) > MAX_CLIENT_MESSAGE:
        raise MessageRefused(
            MESSAGE_TOO_BIG, f"A message may be at most {MAX_CLIENT_MESSAGE} bytes."
        )
    try:
        kind = _envelope_decoder.decode(raw).type
    except msgspec.DecodeError:
        raise MessageRefused(
            POLICY_VIOLATION, 'A message is a JSON object with a "type".'
        ) from None
    if kind not in CLIENT_TAGS:
        raise MessageRefused(POLICY_VIOLATION, f"Unknown message type {kind[:40]!r}.")
    try:
        return _client_decoder.decode(raw)
    except msgspec.DecodeError as error:
        raise MessageRefused(
            POLICY_VIOLATION, f"Malformed {kind!r} message: {error}."[:120]
        ) from None
