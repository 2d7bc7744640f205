"""Runs the persistent projections over the event log: resumable, rebuildable, exactly-once.

Each batch of events is folded in memory and written by every projection in ONE transaction
together with the projections' positions, so a crash between batches loses nothing and
repeats nothing. Across server processes only one runner writes at a time (a PostgreSQL
advisory lock); the others wait to take over.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import asyncpg

from projections import board as boards
from projections.base import Projection
from projections.board import BOARD_DECODER, Board
from projections.board_store import BoardProjection
from projections.events import SELECT_AFTER, SELECT_HEAD, RecordedEvent, decode_row

POSITIONS_SCHEMA = """
CREATE TABLE IF NOT EXISTS projection_positions (
    name     text PRIMARY KEY,
    position bigint NOT NULL
);
"""
WRITER_LOCK = 727_002  # advisory lock key: the one runner that writes projections
DDL_LOCK = 727_003

Progress = Callable[[int, int], None]  # (events done, events in all)


def default_projections() -> list[Projection]:
    from projections.audit import AuditProjection

    return [BoardProjection(), AuditProjection()]


class Projector:
    def __init__(
        self,
        pool: asyncpg.Pool,
        projections: Sequence[Projection] | None = None,
        *,
        batch_size: int = 1000,
    ) -> None:
        self.pool = pool
        self.projections = list(projections if projections is not None else default_projections())
        self.batch_size = batch_size
        self.position = 0
        # Boards of recently active negotiations; this runner is their only writer.
        self._boards: dict[str, Board] = {}

    def forget_cached_boards(self) -> None:
        self._boards.clear()

    async def create_tables(self) -> None:
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1)", DDL_LOCK)
            await conn.execute(POSITIONS_SCHEMA)
            for projection in self.projections:
                await projection.create_tables(conn)
            await conn.executemany(
                "INSERT INTO projection_positions (name, position) VALUES ($1, 0) "
                "ON CONFLICT (name) DO NOTHING",
                [(p.name,) for p in self.projections],
            )

    async def load_position(self, conn: asyncpg.Connection) -> int:
        rows = await conn.fetch(
            "SELECT name, position FROM projection_positions WHERE name = ANY($1)",
            [p.name for p in self.projections],
        )
        positions: dict[str, int] = {r["name"]: r["position"] for r in rows}
        # Positions move together; the minimum is where every projection still needs events.
        return min(positions.get(p.name, 0) for p in self.projections)

    async def _boards_for(self, conn: asyncpg.Connection, events: list[RecordedEvent]) -> None:
        missing = {e.negotiation_id for e in events} - self._boards.keys()
        if not missing:
            return
        rows = await conn.fetch(
            "SELECT negotiation_id, doc FROM board_docs WHERE negotiation_id = ANY($1)",
            list(missing),
        )
        for row in rows:
            self._boards[row["negotiation_id"]] = BOARD_DECODER.decode(row["doc"])

    async def process(self, conn: asyncpg.Connection, events: list[RecordedEvent]) -> None:
        """Apply a contiguous batch (after self.position) and commit it with the positions."""
        if not events:
            return
        try:
            await self._process(conn, events)
        except BaseException:
            # The transaction rolled back, but boards in memory may hold half a batch:
            # drop them so they are reloaded from what actually committed.
            self.forget_cached_boards()
            raise

    async def _process(self, conn: asyncpg.Connection, events: list[RecordedEvent]) -> None:
        async with conn.transaction():
            await self._boards_for(conn, events)
            for projection in self.projections:
                await projection.prepare(conn, events)
            for event in events:
                board = boards.apply(self._boards.get(event.negotiation_id), event)
                self._boards[event.negotiation_id] = board
                for projection in self.projections:
                    projection.apply(event, board)
            for projection in self.projections:
                await projection.flush(conn)
            last = events[-1].position
            await conn.execute(
                "UPDATE projection_positions SET position = $1 WHERE name = ANY($2)",
                last,
                [p.name for p in self.projections],
            )
        self.position = last
        if len(self._boards) > 2000:
            self._boards.clear()  # reloaded from board_docs on demand

    async def catch_up(
        self, *, progress: Progress | None = None, flush_every: int | None = None
    ) -> int:
        """Process every event after the stored position; returns how many were applied."""
        done = 0
        async with self.pool.acquire() as conn:
            self.position = await self.load_position(conn)
            head: int = await conn.fetchval(SELECT_HEAD) if progress else 0
            total = max(0, head - self.position)
            pending: list[RecordedEvent] = []
            group = flush_every or self.batch_size
            while True:
                rows = await conn.fetch(
                    SELECT_AFTER,
                    self.position if not pending else pending[-1].position,
                    self.batch_size,
                )
                if not rows:
                    break
                pending.extend(decode_row(row) for row in rows)
                if len(pending) >= group:
                    await self.process(conn, pending)
                    done += len(pending)
                    pending = []
                    if progress:
                        progress(done, total)
            if pending:
                await self.process(conn, pending)
                done += len(pending)
            if progress:
                progress(done, max(total, done))
        return done

    async def rebuild(self, *, progress: Progress | None = None) -> int:
        """Empty every projection and apply the whole log again from position zero."""
        async with self.pool.acquire() as conn, conn.transaction():
            for projection in self.projections:
                await projection.reset(conn)
            await conn.execute(
                "UPDATE projection_positions SET position = 0 WHERE name = ANY($1)",
                [p.name for p in self.projections],
            )
        self.forget_cached_boards()
        self.position = 0
        # Large transactions: each flush rewrites every board document touched since the last.
        events = await self.catch_up(progress=progress, flush_every=100_000)
        async with self.pool.acquire() as conn:
            for projection in self.projections:
                finish = getattr(projection, "finish_rebuild", None)
                if finish is not None:  # e.g. indexes dropped for the bulk load
                    await finish(conn)
        return events
