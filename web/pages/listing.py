"""The front page's listing: negotiations and their sessions (live now, upcoming, past)."""

from __future__ import annotations

import asyncpg

from projections.board_store import negotiation_index
from projections.index import IndexEntry
from web.controllers.reads import projection_at


async def negotiation_listing(pool: asyncpg.Pool, after: int | None) -> list[IndexEntry]:
    """One place the front page gets its list from: the projection's index of negotiations,
    caught up with `after` (or the log's head). It carries every session's status only,
    which anyone may see, even of a closed session."""
    await projection_at(pool, after)
    return await negotiation_index(pool)
