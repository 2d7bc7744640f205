"""Runs the persistent projections over the event log: resumable, rebuildable, exactly-once.

Each batch of events is folded in memory and written by every projection in ONE transaction
together with the projections' positions, so a crash between batches loses nothing and
repeats nothing. Across server processes only one runner writes at a time (a PostgreSQL
advisory lock); the others wait to take over.
"""

from __future__ import annotations

import asyncio
import multiprocessing as mp
from collections.abc import Callable, Sequence
from typing import Any

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
        # In a rebuild every board is folded from position zero: stored documents (possibly
        # being rewritten by another rebuilding process) must not be loaded.
        self.from_scratch = False

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
        if not missing or self.from_scratch:
            return
        rows = await conn.fetch(
            "SELECT negotiation_id, doc FROM board_docs WHERE negotiation_id = ANY($1)",
            list(missing),
        )
        for row in rows:
            self._boards[row["negotiation_id"]] = BOARD_DECODER.decode(row["doc"])

    def _fold(self, events: list[RecordedEvent]) -> None:
        for event in events:
            board = boards.apply(self._boards.get(event.negotiation_id), event)
            self._boards[event.negotiation_id] = board
            for projection in self.projections:
                projection.apply(event, board)

    async def _commit(self, conn: asyncpg.Connection, last: int) -> None:
        """Write what the group accumulated and the positions, in one transaction."""
        async with conn.transaction():
            for projection in self.projections:
                await projection.flush(conn)
            await conn.execute(
                "UPDATE projection_positions SET position = $1 WHERE name = ANY($2)",
                last,
                [p.name for p in self.projections],
            )
        self.position = last
        if len(self._boards) > 2000 and not self.from_scratch:
            self._boards.clear()  # reloaded from board_docs on demand (not while rebuilding)

    async def catch_up(
        self, *, progress: Progress | None = None, flush_every: int | None = None
    ) -> int:
        """Process every event after the stored position; returns how many were applied.

        Events are read and folded a page at a time and committed every `flush_every`
        events (rows and positions together); nothing of an uncommitted group survives a
        failure, so the next call starts again from the last committed position.
        """
        group = flush_every or self.batch_size
        done = 0
        async with self.pool.acquire() as conn:
            self.position = await self.load_position(conn)
            head: int = await conn.fetchval(SELECT_HEAD) if progress else 0
            total = max(0, head - self.position)
            fetched_to, in_group = self.position, 0
            try:
                while True:
                    rows = await conn.fetch(SELECT_AFTER, fetched_to, self.batch_size)
                    if not rows:
                        break
                    page = [decode_row(row) for row in rows]
                    fetched_to = page[-1].position
                    await self._boards_for(conn, page)
                    for projection in self.projections:
                        if in_group == 0:
                            await projection.prepare(conn, page)
                        else:
                            more = getattr(projection, "prepare_more", None)
                            if more is not None:  # page-level lookups within a group
                                await more(conn, page)
                    self._fold(page)
                    in_group += len(page)
                    if in_group >= group:
                        await self._commit(conn, fetched_to)
                        done, in_group = done + in_group, 0
                    if progress:
                        progress(done + in_group, total)
                if in_group:
                    await self._commit(conn, fetched_to)
                    done += in_group
            except BaseException:
                # Boards in memory may hold an uncommitted group: reload what committed.
                self.forget_cached_boards()
                raise
            if progress:
                progress(done, max(total, done))
        return done

    async def rebuild(
        self,
        *,
        progress: Progress | None = None,
        connect_kwargs: dict[str, Any] | None = None,
    ) -> int:
        """Empty every projection and apply the whole log again from position zero.

        With `connect_kwargs`, each projection is rebuilt by a process of its own (they keep
        separate positions), so one's PostgreSQL writes overlap another's Python folding.
        """
        async with self.pool.acquire() as conn, conn.transaction():
            for projection in self.projections:
                await projection.reset(conn)
            await conn.execute(
                "UPDATE projection_positions SET position = 0 WHERE name = ANY($1)",
                [p.name for p in self.projections],
            )
        self.forget_cached_boards()
        self.position = 0
        if connect_kwargs is not None and len(self.projections) > 1:
            return await self._rebuild_in_processes(connect_kwargs, progress)
        self.from_scratch = True
        try:
            # Large transactions: each flush rewrites every board touched since the last.
            events = await self.catch_up(progress=progress, flush_every=REBUILD_GROUP)
        finally:
            self.from_scratch = False
        async with self.pool.acquire() as conn:
            await _finish_rebuild(conn, self.projections)
        return events

    async def _rebuild_in_processes(
        self, connect_kwargs: dict[str, Any], progress: Progress | None
    ) -> int:
        async with self.pool.acquire() as conn:
            head: int = await conn.fetchval(SELECT_HEAD)
        context = mp.get_context("spawn")
        counters = [context.Value("q", 0) for _ in self.projections]
        workers = [
            context.Process(
                target=_rebuild_worker,
                args=(connect_kwargs, p.name, counter),
                name=f"rebuild-{p.name}",
            )
            for p, counter in zip(self.projections, counters, strict=True)
        ]
        for worker in workers:
            worker.start()
        try:
            while any(worker.is_alive() for worker in workers):
                await asyncio.sleep(0.2)
                if progress:
                    progress(min(c.value for c in counters), head)
        finally:
            for worker in workers:
                worker.join()
        failed = [w.name for w in workers if w.exitcode != 0]
        if failed:
            raise RuntimeError(f"rebuilding failed in {', '.join(failed)}; see the log above")
        done: int = min(c.value for c in counters)
        if progress:
            progress(done, max(head, done))
        return done


REBUILD_GROUP = 100_000
ONE_GROUP = 2**62


async def _finish_rebuild(conn: asyncpg.Connection, projections: Sequence[Projection]) -> None:
    for projection in projections:
        finish = getattr(projection, "finish_rebuild", None)
        if finish is not None:  # e.g. indexes dropped for the bulk load
            await finish(conn)


def _rebuild_worker(connect_kwargs: dict[str, Any], name: str, counter: Any) -> None:
    """A child process: rebuild one projection (already reset by the parent) from zero."""

    async def main() -> None:
        pool = await asyncpg.create_pool(**connect_kwargs, min_size=1, max_size=2)
        try:
            (projection,) = [p for p in default_projections() if p.name == name]
            projector = Projector(pool, [projection])
            projector.from_scratch = True

            def report(done: int, total: int) -> None:
                counter.value = done

            # Board documents are whole: writing each once, at the end, instead of once per
            # group is most of the rebuild's database work saved (the boards stay in memory
            # anyway). Audit rows are written every group to bound memory.
            group = ONE_GROUP if name == "board" else REBUILD_GROUP
            await projector.catch_up(progress=report, flush_every=group)
            async with pool.acquire() as conn:
                await _finish_rebuild(conn, [projection])
        finally:
            await pool.close()

    asyncio.run(main())
