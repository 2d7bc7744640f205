"""The contract every persistent projection keeps with the runner."""

from __future__ import annotations

from typing import Protocol

import asyncpg

from projections.board import Board
from projections.events import RecordedEvent


class Projection(Protocol):
    """A read model kept in its own tables.

    The runner calls `apply` for each new event in order (in memory, no I/O), then `flush`
    inside one transaction that also stores this projection's position: rows and position
    commit together, so an event is applied exactly once even across crashes.
    """

    name: str

    async def create_tables(self, conn: asyncpg.Connection) -> None:
        """Idempotent DDL (CREATE TABLE IF NOT EXISTS …)."""

    async def reset(self, conn: asyncpg.Connection) -> None:
        """Empty the tables for a rebuild from position zero (inside the rebuild transaction)."""

    async def prepare(self, conn: asyncpg.Connection, events: list[RecordedEvent]) -> None:
        """Start a batch: forget anything pending from a failed one, and load whatever state
        `apply` needs (e.g. the last chain hash)."""

    def apply(self, event: RecordedEvent, board: Board) -> None:
        """Fold one event; `board` is its negotiation's board *after* the event."""

    async def flush(self, conn: asyncpg.Connection) -> None:
        """Write what `apply` accumulated (inside the runner's transaction) and forget it."""
