"""Electing the one node that writes the persistent projections, and keeping it writing.

Every node may run a projector, but only the holder of a PostgreSQL advisory lock
(WRITER_LOCK, on a connection of its own) folds events into board_docs and the audit log; the
others retry every second, so when the writer's process dies its lock goes with its
connection and another node takes over from the stored positions.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

import asyncpg

from projections.runner import WRITER_LOCK, Projector

log = logging.getLogger(__name__)

RETRY_SECONDS = 1.0


class WriterElection:
    def __init__(
        self,
        projector: Projector,
        connect: Callable[[], Awaitable[asyncpg.Connection]],
        *,
        projection_interval: float = 0.2,
    ) -> None:
        self.projector = projector
        self.projection_interval = projection_interval
        self.is_writer = False
        self._connect = connect
        self._conn: asyncpg.Connection | None = None
        self._tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        self._tasks.append(asyncio.create_task(self._seek_writer_role(), name="hub-writer"))
        self._tasks.append(asyncio.create_task(self._project_periodically(), name="hub-project"))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self._conn is not None:
            with contextlib.suppress(Exception):
                await self._conn.close()  # the lock goes with it: another node takes over

    async def _seek_writer_role(self) -> None:
        """Hold the writer lock on a connection of our own; retry while another node has it."""
        while True:
            try:
                if self._conn is None or self._conn.is_closed():
                    self.is_writer = False
                    self._conn = await self._connect()
                if not self.is_writer:
                    got = await self._conn.fetchval("SELECT pg_try_advisory_lock($1)", WRITER_LOCK)
                    if got:
                        self.projector.forget_cached_boards()  # another writer may have run
                        await self.projector.catch_up()
                        self.is_writer = True
                await asyncio.sleep(RETRY_SECONDS)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("hub: projection writer failed; retrying")
                self.is_writer = False
                if self._conn is not None:
                    with contextlib.suppress(Exception):
                        await self._conn.close()
                self._conn = None
                await asyncio.sleep(RETRY_SECONDS)

    async def _project_periodically(self) -> None:
        """The writer folds new events into the persistent projections a few times a second.

        Decoupled from the live fan-out (which happens per event, at once): under a burst of
        commands, one transaction per tick instead of one per event keeps the board documents
        from being rewritten for every single event.
        """
        while True:
            await asyncio.sleep(self.projection_interval)
            if not self.is_writer:
                continue
            try:
                await self.projector.catch_up()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("hub: projecting failed; retrying")
