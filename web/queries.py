"""Read queries over the event table that need no projection yet."""

from __future__ import annotations

import asyncpg
import msgspec

from web import schemas as s

OPENED_TOPIC = "negotiation.domain.negotiation:Negotiation.Opened"


async def list_negotiations(pool: asyncpg.Pool) -> list[s.NegotiationSummary]:
    """Negotiations in the order they were opened, read from their creation events."""
    rows = await pool.fetch(
        "SELECT originator_id, state FROM negotiations_events WHERE topic = $1 "
        "ORDER BY notification_id",
        OPENED_TOPIC,
    )
    decoder = msgspec.msgpack.Decoder(dict)
    summaries = []
    for row in rows:
        state = decoder.decode(row["state"])
        summaries.append(
            s.NegotiationSummary(
                negotiation_id=str(row["originator_id"]),
                title=state["title"],
                kind=state["kind"],
                bargaining_unit=state["bargaining_unit"],
                union_name=state["parties"]["union"],
                employer_name=state["parties"]["employer"],
                opened_at=state["at"],
            )
        )
    return summaries
