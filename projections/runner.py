"""Runs the persistent projections over the event log: resumable, rebuildable, exactly-once.

Each batch of events is folded in memory and written by every projection in ONE transaction
together with the projections' positions, so a crash between batches loses nothing and
repeats nothing. Across server processes only one runner writes at a time (a PostgreSQL
advisory lock); the others wait to take over. Where the audit log is written, so are the
ratification votes' own chains, from the votes' event table after the log
(projections/audit/vote_projection.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import asyncpg

from projections import board as boards
from projections.base import Projection, Write
from projections.board import Board
from projections.board_store import (
    BoardProjection,
    decode_doc,
    negotiation_index,
    wait_for_projection,
)
from projections.events import SELECT_AFTER, SELECT_HEAD, RecordedEvent, decode_row
from projections.index import IndexEntry

if TYPE_CHECKING:
    from projections.audit.vote_projection import VoteChains

log = logging.getLogger(__name__)

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


def _vote_chains(projections: Sequence[Projection]) -> VoteChains | None:
    """The votes' chains hang from the audit log's entries: kept with it, where it is kept."""
    from projections.audit.vote_projection import VoteChains

    return VoteChains() if any(p.name == "audit" for p in projections) else None


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
        self.vote_chains = _vote_chains(self.projections)
        self.vote_events = 0  # vote events read by the last catch-up or rebuild
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
            if self.vote_chains is not None:
                await self.vote_chains.create_tables(conn)

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
            self._boards[row["negotiation_id"]] = decode_doc(row["doc"])

    async def _prepare(
        self, conn: asyncpg.Connection, page: list[RecordedEvent], *, starts_group: bool
    ) -> None:
        """Before folding a page: a group starts with `prepare`; later pages of the group
        only get their page-level lookups (`prepare_more`, where a projection has them)."""
        if not starts_group:
            await _call_hook(self.projections, "prepare_more", conn, page)
            return
        for projection in self.projections:
            await projection.prepare(conn, page)

    def _fold(self, events: list[RecordedEvent]) -> None:
        for event in events:
            board = boards.apply(self._boards.get(event.negotiation_id), event)
            self._boards[event.negotiation_id] = board
            for projection in self.projections:
                projection.apply(event, board)

    async def _commit(self, conn: asyncpg.Connection, last: int) -> None:
        """Write what the group accumulated and the positions, in one transaction."""
        await _write(conn, self.projections, [p.pending() for p in self.projections], last)
        self.position = last
        if len(self._boards) > 2000:
            self._boards.clear()  # reloaded from board_docs on demand

    async def catch_up(self, *, progress: Progress | None = None) -> int:
        """Process every event after the stored position; returns how many were applied.

        Pages are read and folded until the log is exhausted or a group (`batch_size`
        events) is full, then the group's rows are committed with the positions in one
        transaction. One commit per group, not per page: each commit rewrites every board
        it touched, and while commands keep coming a page is often a handful of events.
        Nothing of an uncommitted group survives a failure, so the next call starts again
        from the last committed position.
        """
        done = 0
        async with self.pool.acquire() as conn:
            self.position = await self.load_position(conn)
            head: int = await conn.fetchval(SELECT_HEAD) if progress else 0
            total = max(0, head - self.position)
            fetched_to, in_group = self.position, 0
            try:
                while rows := await conn.fetch(SELECT_AFTER, fetched_to, self.batch_size):
                    page = [decode_row(row) for row in rows]
                    fetched_to = page[-1].position
                    await self._boards_for(conn, page)
                    await self._prepare(conn, page, starts_group=in_group == 0)
                    self._fold(page)
                    in_group += len(page)
                    if in_group >= self.batch_size:
                        await self._commit(conn, fetched_to)
                        done, in_group = done + in_group, 0
                    if progress:
                        progress(done + in_group, total)
                if in_group:
                    await self._commit(conn, fetched_to)
                    done += in_group
                await _call_hook(self.projections, "finish_bulk_load", conn)  # end of the log
                await self._chain_votes(conn)  # after the log: the calls they hang from
            except BaseException:
                # Boards in memory may hold an uncommitted group: reload what committed.
                self.forget_cached_boards()
                raise
            if progress:
                progress(done, max(total, done))
        return done

    async def _chain_votes(self, conn: asyncpg.Connection, *, isolated: bool = True) -> None:
        """The votes' chains, after the log. In a catch-up a failure here is logged, not
        raised: the log's projections have committed and go on; the chains wait (their reads
        answer 503) until the next catch-up gets them through."""
        self.vote_events = 0
        if self.vote_chains is None:
            return
        try:
            self.vote_events = await self.vote_chains.catch_up(conn)
        except Exception:
            if not isolated:
                raise
            log.exception("projections: chaining the votes' events failed; retrying")

    async def rebuild(self, *, progress: Progress | None = None) -> int:
        """Empty every projection and apply the whole log again from position zero (then the
        votes' events, into their chains); returns how many events of the log were applied."""
        async with self.pool.acquire() as conn, conn.transaction():
            for projection in self.projections:
                await projection.reset(conn)
            if self.vote_chains is not None:
                await self.vote_chains.reset(conn)
            await conn.execute(
                "UPDATE projection_positions SET position = 0 WHERE name = ANY($1)",
                [p.name for p in self.projections],
            )
        self.forget_cached_boards()
        self.position = 0
        with _cyclic_gc_paused():
            done = await self._bulk_load(progress)
        async with self.pool.acquire() as conn:
            await self._chain_votes(conn, isolated=False)
        return done

    async def _bulk_load(self, progress: Progress | None) -> int:
        """Fold the whole log into empty projections, keeping both cores busy: the next
        page is read while this one is folded, and each group of rows is written (with its
        projections' positions, in one transaction, on a second connection) while the next
        group is folded; on a third, the rows already in are sealed (the audit log indexes
        its filled partitions). Whole documents (the boards) are written once, at the end,
        while the row projections finish (index what is left).

        Each group commits rows and positions together, so a rebuild cut short resumes
        like any catch-up, from what committed."""
        streamed = [p for p in self.projections if not p.whole_documents]
        documents = [p for p in self.projections if p.whole_documents]
        async with (
            self.pool.acquire() as reader,
            self.pool.acquire() as writer,
            self.pool.acquire() as sealer,
        ):
            head: int = await reader.fetchval(SELECT_HEAD)
            done = fetched_to = in_group = written_to = 0
            writing: asyncio.Future[None] | None = None
            sealing: asyncio.Future[None] | None = None
            next_page: asyncio.Future[list[Any]] | None = None
            try:
                rows = await reader.fetch(SELECT_AFTER, 0, self.batch_size)
                while rows:
                    page = [decode_row(row) for row in rows]
                    fetched_to = page[-1].position
                    await self._prepare(reader, page, starts_group=done + in_group == 0)
                    next_page = asyncio.ensure_future(
                        reader.fetch(SELECT_AFTER, fetched_to, self.batch_size)
                    )
                    self._fold(page)
                    in_group += len(page)
                    if in_group >= BULK_GROUP and streamed:
                        if writing is not None:
                            await writing
                            sealing = _seal_soon(sealing, sealer, streamed, written_to)
                        writes = [p.pending() for p in streamed]
                        writing = asyncio.ensure_future(
                            _write(writer, streamed, writes, fetched_to)
                        )
                        written_to = fetched_to
                        done, in_group = done + in_group, 0
                    if progress:
                        progress(done + in_group, head)
                    rows = await next_page
                    next_page = None
                # The last rows, then what is left to seal and finish; meanwhile, the
                # documents.
                last = fetched_to

                async def finish_streamed() -> None:
                    if writing is not None:
                        await writing
                    await _write(writer, streamed, [p.pending() for p in streamed], last)
                    if sealing is not None:
                        await sealing  # a partition being indexed is not indexed twice
                    await _call_hook(streamed, "finish_bulk_load", writer)

                await asyncio.gather(
                    finish_streamed(),
                    _write(reader, documents, [p.pending() for p in documents], last),
                )
            except BaseException:
                for task in (next_page, writing, sealing):
                    if task is not None:
                        task.cancel()
                        with contextlib.suppress(BaseException):
                            await task
                self.forget_cached_boards()
                raise
        done += in_group
        self.position = fetched_to
        if progress:
            progress(done, max(head, done))
        return done


def _seal_soon(
    sealing: asyncio.Future[None] | None,
    conn: asyncpg.Connection,
    projections: Sequence[Projection],
    through: int,
) -> asyncio.Future[None] | None:
    """Start sealing the rows up to `through`, unless the last sealing is still running
    (the next call takes it further). A failed sealing fails the rebuild."""
    if sealing is not None:
        if not sealing.done():
            return sealing
        sealing.result()
    return asyncio.ensure_future(_call_hook(projections, "seal", conn, through))


async def _call_hook(projections: Sequence[Projection], hook: str, *args: Any) -> None:
    """Each projection's optional hook (see Projection), where it has one."""
    for projection in projections:
        method = getattr(projection, hook, None)
        if method is not None:
            await method(*args)


@contextlib.contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """A rebuild holds every board in memory: millions of objects the cyclic collector
    would walk again and again (a third of the rebuild's time in bench/replay.py). The
    fold makes no reference cycles; reference counting frees everything it drops."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


async def _write(
    conn: asyncpg.Connection, projections: Sequence[Projection], writes: list[Write], last: int
) -> None:
    """Projections' pending writes and their new position, in one transaction."""
    async with conn.transaction():
        for write in writes:
            await write(conn)
        await conn.execute(
            "UPDATE projection_positions SET position = $1 WHERE name = ANY($2)",
            last,
            [p.name for p in projections],
        )


BULK_GROUP = 20_000  # events per transaction in a rebuild


async def index_caught_up(pool: asyncpg.Pool, timeout: float = 30.0) -> list[IndexEntry]:
    """The index of negotiations as of the log's head, for a command-line tool: projected
    here when no server is writing the projections, else once the running server has."""
    projector = Projector(pool)
    await projector.create_tables()
    async with pool.acquire() as lock:
        if await lock.fetchval("SELECT pg_try_advisory_lock($1)", WRITER_LOCK):
            try:
                await projector.catch_up()
            finally:
                await lock.execute("SELECT pg_advisory_unlock($1)", WRITER_LOCK)
        else:
            head: int = await lock.fetchval(SELECT_HEAD)
            if not await wait_for_projection(pool, head, timeout):
                raise RuntimeError("The running server has not projected the log yet.")
    return await negotiation_index(pool)
