"""Events as the read side sees them: rows of the event table, decoded once with msgspec."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

EVENTS_TABLE = "negotiations_events"
CHANNEL = "negotiations_events"  # the eventsourcing recorder NOTIFYs here after each insert

SELECT_AFTER = (
    f"SELECT notification_id, originator_id, originator_version, topic, state "
    f"FROM {EVENTS_TABLE} WHERE notification_id > $1 ORDER BY notification_id LIMIT $2"
)
SELECT_FOR_NEGOTIATION = (
    f"SELECT notification_id, originator_id, originator_version, topic, state "
    f"FROM {EVENTS_TABLE} WHERE originator_id = $1 "
    f"AND notification_id > $2 AND notification_id <= $3 "
    f"ORDER BY originator_version"
)
SELECT_HEAD = f"SELECT coalesce(max(notification_id), 0) FROM {EVENTS_TABLE}"

_decoder = msgspec.msgpack.Decoder(dict[str, Any])


class RecordedEvent(msgspec.Struct, frozen=True):
    """One stored event: its global position, its negotiation, and its decoded payload."""

    position: int
    negotiation_id: str
    version: int
    topic: str
    type: str  # the short name, e.g. "ProposalTabled"
    data: dict[str, Any]
    state: bytes  # the stored payload exactly as recorded (what the audit chain hashes)

    @property
    def at(self) -> datetime:
        at: datetime = self.data.get("at") or self.data["timestamp"]
        return at

    @property
    def by(self) -> dict[str, Any]:
        by: dict[str, Any] = self.data.get("by") or {}
        return by


def decode_row(row: Any) -> RecordedEvent:
    """From an asyncpg row (notification_id, originator_id, originator_version, topic, state)."""
    topic: str = row[3]
    state: bytes = row[4]
    return RecordedEvent(
        position=row[0],
        negotiation_id=str(row[1]),
        version=row[2],
        topic=topic,
        type=topic.rsplit(".", 1)[-1],
        data=_decoder.decode(state),
        state=state,
    )
