"""The audit projection: one described, attributed, hash-chained row per event, written with
COPY."""

from __future__ import annotations

from typing import Any

import asyncpg

from projections.audit import schema
from projections.audit.chain import ZERO_HASH, chain_hash
from projections.audit.labels import placement
from projections.audit.schema import AUDIT_COLUMNS
from projections.base import Write
from projections.board import Board
from projections.describe import phrase_of, sentence, to_json
from projections.events import EVENTS_TABLE, SELECT_HEAD, RecordedEvent, decode_row

BULK_BATCH = 1_000  # a batch this big into an empty log starts a bulk load


class AuditProjection:
    """Appends one described, hash-chained row per event; rows are written with COPY."""

    name = "audit"
    whole_documents = False

    def __init__(self) -> None:
        self._rows: list[tuple[Any, ...]] = []
        self._names: dict[str, str] = {}
        self._last_position = 0
        self._last_hash = ZERO_HASH
        self._bulk = False  # filter indexes dropped for a bulk load, not yet rebuilt
        self._partitions: list[schema.Partition] = []  # laid out by the last reset

    async def create_tables(self, conn: asyncpg.Connection) -> None:
        if not await conn.fetchval("SELECT to_regclass('audit_log') IS NOT NULL"):
            await schema.create_log(conn, [0])
        # (A log made before partitioning stays one table until the next rebuild.)
        # Entries recorded before descriptions had phrases keep NULL: pages show them in English.
        # Looked up first: ALTER TABLE would wait behind any open reader (a streaming export)
        # even with nothing to add, and every query on the log would queue behind it.
        await schema.add_column_once(conn, "audit_log", "message")
        # Facilitators were once kept here for the audience rule; the board carries them now.
        await conn.execute("DROP TABLE IF EXISTS audit_facilitators")
        await schema.ensure_indexes(conn)  # also restores them after an interrupted bulk load

    async def finish_bulk_load(self, conn: asyncpg.Connection) -> None:
        """Optional hook when the end of the log is reached (a rebuild, or a catch-up): build
        the filter indexes a bulk load dropped (those of sealed partitions are attached)."""
        if self._bulk:
            await schema.ensure_indexes(conn)
            self._bulk = False

    async def seal(self, conn: asyncpg.Connection, through: int) -> None:
        """Optional hook during a rebuild: every row up to `through` is in. Index each
        partition that holds only such rows (the whole log's indexes attach them later).
        Only in a bulk load: otherwise the whole log's indexes are there, and kept."""
        if not self._bulk:
            return
        for partition in self._partitions:
            if partition.indexed or partition.end is None or partition.end - 1 > through:
                continue
            await schema.index_partition(conn, partition.name)
            partition.indexed = True

    async def reset(self, conn: asyncpg.Connection) -> None:
        """A new, empty log, partitioned for the events there are now (see seal)."""
        head: int = await conn.fetchval(SELECT_HEAD)
        await conn.execute("DROP TABLE IF EXISTS audit_log")
        self._partitions = await schema.create_log(conn, schema.partition_starts(head))
        self._bulk = True  # no filter indexes yet
        self._forget()
        self._last_position, self._last_hash = 0, ZERO_HASH

    def _forget(self) -> None:
        self._rows.clear()
        self._names.clear()

    async def prepare(self, conn: asyncpg.Connection, events: list[RecordedEvent]) -> None:
        # Loaded from the table every batch, not kept from the last one: a batch whose
        # transaction rolled back must not leave its hash behind as the chain's head.
        self._forget()
        row = await conn.fetchrow(
            "SELECT position, hash FROM audit_log ORDER BY position DESC LIMIT 1"
        )
        self._last_position, self._last_hash = (row[0], row[1]) if row else (0, ZERO_HASH)
        if row is None and len(events) >= BULK_BATCH and not self._bulk:
            await schema.drop_indexes(conn)  # rebuilt by finish_bulk_load, at the end of the log
            self._bulk = True
        removed = [e for e in events if e.type == "TeamMemberRemoved"]
        if removed:
            self._names = await _member_names(conn, removed)

    async def prepare_more(self, conn: asyncpg.Connection, events: list[RecordedEvent]) -> None:
        """Another page of the same group: only the names of removed members to look up."""
        removed = [e for e in events if e.type == "TeamMemberRemoved"]
        if removed:
            self._names.update(await _member_names(conn, removed))

    def apply(self, event: RecordedEvent, board: Board) -> None:
        if event.position <= self._last_position:
            return  # already in the log: processing twice changes nothing
        by = event.by
        article_id, session_id, label, follows = placement(event, board)
        digest = chain_hash(
            self._last_hash,
            event.position,
            event.negotiation_id,
            event.version,
            event.topic,
            event.state,
        )
        actor_id = by.get("account_id")
        phrase = phrase_of(event, board, self._names)
        self._rows.append(
            (
                event.position,
                event.negotiation_id,
                event.version,
                event.type,
                str(actor_id) if actor_id is not None else None,
                by.get("name"),
                by.get("party"),
                event.at,
                sentence(phrase),
                to_json(phrase),
                article_id,
                session_id,
                label,
                follows,
                digest,
                self._last_hash,
            )
        )
        self._last_position, self._last_hash = event.position, digest

    def pending(self) -> Write:
        rows = self._rows
        self._rows = []
        self._names = {}

        async def write(conn: asyncpg.Connection) -> None:
            if rows:
                await conn.copy_records_to_table("audit_log", records=rows, columns=AUDIT_COLUMNS)

        return write


async def _member_names(conn: asyncpg.Connection, removed: list[RecordedEvent]) -> dict[str, str]:
    """Names of removed team members (the board after the event no longer lists them), from
    the events that added them. Removals are rare, so this lookup is too."""
    wanted = {e.data.get("account_id") for e in removed}
    names: dict[str, str] = {}
    for negotiation_id in {e.negotiation_id for e in removed}:
        rows = await conn.fetch(
            f"SELECT notification_id, originator_id, originator_version, topic, state "
            f"FROM {EVENTS_TABLE} WHERE originator_id = $1::uuid "
            f"AND (topic LIKE '%TeamMemberAdded' OR originator_version = 1) "
            f"ORDER BY originator_version",
            negotiation_id,
        )
        for row in rows:
            event = decode_row(row)
            if event.type == "TeamMemberAdded":
                people = [event.data]
            elif event.type == "Opened":
                people = list(event.data.get("chiefs", []))
            else:
                continue
            for person in people:
                if person.get("account_id") in wanted:
                    names[str(person["account_id"])] = str(person.get("name", ""))
    return names
