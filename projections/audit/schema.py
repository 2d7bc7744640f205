"""The audit log's table: columns, range partitions, and the filter indexes (dropped for a
bulk load, built once after it)."""

from __future__ import annotations

import asyncpg
import msgspec

AUDIT_COLUMNS = (
    "position",
    "negotiation_id",
    "version",
    "event_type",
    "actor_id",
    "actor_name",
    "party",
    "at",
    "description",
    "message",
    "article_id",
    "session_id",
    "visibility",
    "follows_session",
    "hash",
    "prev_hash",
)

TABLE = """
CREATE TABLE IF NOT EXISTS audit_log (
    position bigint PRIMARY KEY,
    negotiation_id text COLLATE "C" NOT NULL,
    version integer NOT NULL,
    event_type text COLLATE "C" NOT NULL,
    actor_id text COLLATE "C",
    actor_name text,
    party text,
    at timestamptz NOT NULL,
    description text NOT NULL,
    message text,  -- the description as a phrase to translate (projections.describe.to_json)
    article_id text COLLATE "C",
    session_id text COLLATE "C",
    visibility text NOT NULL
        CHECK (visibility IN ('public', 'members', 'teams', 'union', 'employer')),
    follows_session boolean NOT NULL DEFAULT false,
    hash bytea NOT NULL,
    prev_hash bytea NOT NULL
) PARTITION BY RANGE (position)
"""
# The filters' indexes. Maintaining them row by row costs several times the COPY itself, so a
# bulk load into an empty log (a rebuild, or the first catch-up) drops them and builds them
# once at the end (a sort, far cheaper); queries stay correct without them, only slower.
FILTER_INDEXES: dict[str, str] = {
    "audit_log_negotiation": "(negotiation_id, position)",
    "audit_log_article": "(article_id, position) WHERE article_id IS NOT NULL",
    "audit_log_session": "(session_id, position) WHERE session_id IS NOT NULL",
    "audit_log_actor": "(actor_id, position)",
    "audit_log_actor_name": "(lower(actor_name), position)",
    "audit_log_type": "(event_type, position)",
}
# A rebuild lays the log out in partitions of this many positions (the last one open-ended,
# for what comes after) and indexes each one as soon as its rows are in, while the rest load:
# building the indexes of 1M rows at the end took ~10 s on its own (bench/replay.py).
PARTITION_POSITIONS = 100_000
MAX_PARTITIONS = 64  # a longer log gets longer partitions, so queries plan over few


class Partition(msgspec.Struct):
    name: str
    end: int | None  # first position after it; None: open-ended
    indexed: bool = False


async def create_log(conn: asyncpg.Connection, starts: list[int]) -> list[Partition]:
    """The partitioned table, a partition from each start (the first from the lowest
    position, the last to the highest); no filter indexes."""
    await conn.execute(TABLE)
    partitions = []
    for i, start in enumerate(starts):
        name = f"audit_log_from_{start}"
        end = starts[i + 1] if i + 1 < len(starts) else None
        lower = "MINVALUE" if i == 0 else str(start)
        upper = "MAXVALUE" if end is None else str(end)
        await conn.execute(
            f"CREATE TABLE {name} PARTITION OF audit_log FOR VALUES FROM ({lower}) TO ({upper})"
        )
        partitions.append(Partition(name, end))
    return partitions


def partition_starts(head: int) -> list[int]:
    size = max(PARTITION_POSITIONS, -(-head // MAX_PARTITIONS))
    return list(range(0, max(head, 1), size))


async def add_column_once(conn: asyncpg.Connection, table: str, column: str) -> None:
    """A nullable text column added to a table made before it, when it is missing."""
    present = await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass($1) "
        "AND attname = $2 AND NOT attisdropped)",
        table,
        column,
    )
    if not present:
        await conn.execute(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {column} text")


async def ensure_indexes(conn: asyncpg.Connection) -> None:
    """On the whole log: partitions indexed during a rebuild are attached, not rebuilt."""
    for name, definition in FILTER_INDEXES.items():
        await conn.execute(f"CREATE INDEX IF NOT EXISTS {name} ON audit_log {definition}")


async def index_partition(conn: asyncpg.Connection, partition: str) -> None:
    """The filter indexes of one partition, in one transaction, without parallel workers:
    this runs beside the fold, which needs the other core."""
    async with conn.transaction():
        await conn.execute("SET LOCAL max_parallel_maintenance_workers = 0")
        for name, definition in FILTER_INDEXES.items():
            index = name.replace("audit_log", partition, 1)
            await conn.execute(f"CREATE INDEX IF NOT EXISTS {index} ON {partition} {definition}")


async def drop_indexes(conn: asyncpg.Connection) -> None:
    for name in FILTER_INDEXES:
        await conn.execute(f"DROP INDEX IF EXISTS {name}")
