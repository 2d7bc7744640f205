"""The contract every persistent projection keeps with the runner."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

import asyncpg

from projections.board import Board
from projections.events import RecordedEvent

Write = Callable[[asyncpg.Connection], Awaitable[None]]


class Projection(Protocol):
    """A read model kept in its own tables.

    The runner calls `apply` for each new event in order (in memory, no I/O), then takes
    the `pending` write and runs it inside one transaction that also stores this
    projection's position: rows and position commit together, so an event is applied
    exactly once even across crashes.

    Optional hooks: `prepare_more(conn, events)` for each later page of a group (page-level
    lookups); and for projections that bulk-load (the audit log) `seal(conn, through)` during
    a rebuild, once every row up to `through` has committed (on a connection of its own,
    beside the load), and `finish_bulk_load(conn)` when the end of the log is reached.
    """

    name: str
    # True when each write replaces whole documents (so a rebuild writes them once, at the
    # end); False when it appends rows (so a rebuild writes them group by group).
    whole_documents: bool

    async def create_tables(self, conn: asyncpg.Connection) -> None:
        """Idempotent DDL (CREATE TABLE IF NOT EXISTS …)."""

    async def reset(self, conn: asyncpg.Connection) -> None:
        """Empty the tables for a rebuild from position zero (inside the rebuild transaction)."""

    async def prepare(self, conn: asyncpg.Connection, events: list[RecordedEvent]) -> None:
        """Start a batch: forget anything pending from a failed one, and load whatever state
        `apply` needs (e.g. the last chain hash)."""

    def apply(self, event: RecordedEvent, board: Board) -> None:
        """Fold one event; `board` is its negotiation's board *after* the event."""

    def pending(self) -> Write:
        """Hand over what `apply` accumulated, as a write to run (inside the runner's
        transaction), and forget it. Rows (`whole_documents` False) are taken at once: the
        runner may go on folding while they are written, so later `apply` calls must not
        change them. Whole documents are written only when folding has stopped."""
