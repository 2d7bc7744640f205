"""Reading the audit log: filters, one page of entries, or every entry streamed for export."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Iterable, Mapping
from datetime import datetime
from typing import Any

import asyncpg
import msgspec

from projections.describe import Phrase, from_json

MAX_LIMIT = 1_000


class AuditFilters(msgspec.Struct, frozen=True):
    negotiation_id: str | None = None
    article_id: str | None = None
    session_id: str | None = None
    actor: str | None = None  # account id or display name (case-insensitive)
    type: str | None = None
    after: int = 0


class AuditEntry(msgspec.Struct, frozen=True):
    position: int
    negotiation_id: str
    version: int
    event_type: str
    actor_id: str | None
    actor_name: str | None
    party: str | None
    at: datetime
    description: str
    article_id: str | None
    session_id: str | None
    visibility: str
    hash: str
    prev_hash: str


_ENTRY_COLUMNS = (
    "position, negotiation_id, version, event_type, actor_id, actor_name, party, at, "
    "description, article_id, session_id, visibility, hash, prev_hash"
)


def _where(filters: AuditFilters, labels: Iterable[str]) -> tuple[str, list[Any]]:
    args: list[Any] = [filters.after, list(labels)]
    clauses = ["position > $1", "visibility = ANY($2::text[])"]

    def add(sql: str, value: Any) -> None:
        args.append(value)
        clauses.append(sql.replace("?", f"${len(args)}"))

    if filters.negotiation_id:
        add("negotiation_id = ?", filters.negotiation_id)
    if filters.article_id:
        add("article_id = ?", filters.article_id)
    if filters.session_id:
        add("session_id = ?", filters.session_id)
    if filters.actor:
        add("(actor_id = ? OR lower(actor_name) = lower(?))", filters.actor)
    if filters.type:
        add("event_type = ?", filters.type)
    return " AND ".join(clauses), args


def _entry(row: Mapping[str, Any]) -> AuditEntry:
    return AuditEntry(
        position=row["position"],
        negotiation_id=row["negotiation_id"],
        version=row["version"],
        event_type=row["event_type"],
        actor_id=row["actor_id"],
        actor_name=row["actor_name"],
        party=row["party"],
        at=row["at"],
        description=row["description"],
        article_id=row["article_id"],
        session_id=row["session_id"],
        visibility=row["visibility"],
        hash=bytes(row["hash"]).hex(),
        prev_hash=bytes(row["prev_hash"]).hex(),
    )


async def list_entries(
    pool: asyncpg.Pool, filters: AuditFilters, labels: Iterable[str], limit: int
) -> list[AuditEntry]:
    """One page of entries after `filters.after`, in position order, of the given labels."""
    where, args = _where(filters, labels)
    args.append(max(1, min(limit, MAX_LIMIT)))
    rows = await pool.fetch(
        f"SELECT {_ENTRY_COLUMNS} FROM audit_log WHERE {where} "
        f"ORDER BY position LIMIT ${len(args)}",
        *args,
    )
    return [_entry(row) for row in rows]


async def stream_entries(
    pool: asyncpg.Pool, filters: AuditFilters, labels: Iterable[str], *, page: int = 1_000
) -> AsyncGenerator[list[AuditEntry], None]:
    """Every matching entry, a page at a time, from a server-side cursor (constant memory)."""
    where, args = _where(filters, labels)
    async with pool.acquire() as conn, conn.transaction(readonly=True):
        cursor = await conn.cursor(
            f"SELECT {_ENTRY_COLUMNS} FROM audit_log WHERE {where} ORDER BY position", *args
        )
        while True:
            rows = await cursor.fetch(page)
            if not rows:
                return
            yield [_entry(row) for row in rows]


async def entry_phrases(pool: asyncpg.Pool, positions: list[int]) -> dict[int, Phrase]:
    """What the entries at these positions say, as phrases to translate (by position); an
    entry recorded before descriptions had phrases is left out (its description is English)."""
    rows = await pool.fetch(
        "SELECT position, message FROM audit_log "
        "WHERE position = ANY($1::bigint[]) AND message IS NOT NULL",
        positions,
    )
    return {r["position"]: from_json(r["message"]) for r in rows}
