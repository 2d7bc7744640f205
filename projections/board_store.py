"""The board projection's table: one msgpack document per negotiation, with its position."""

from __future__ import annotations

import asyncpg

from projections.base import Write
from projections.board import BOARD_DECODER, BOARD_ENCODER, Board
from projections.events import RecordedEvent

SCHEMA = """
CREATE TABLE IF NOT EXISTS board_docs (
    negotiation_id  text PRIMARY KEY,
    position        bigint NOT NULL,
    title           text NOT NULL,
    kind            text NOT NULL,
    bargaining_unit text NOT NULL,
    union_name      text NOT NULL,
    employer_name   text NOT NULL,
    opened_at       timestamptz NOT NULL,
    doc             bytea NOT NULL
);
"""

WRITE_SLICE = 100  # boards encoded and written per round trip

UPSERT = """
INSERT INTO board_docs (negotiation_id, position, title, kind, bargaining_unit, union_name,
                        employer_name, opened_at, doc)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (negotiation_id) DO UPDATE SET position = excluded.position, doc = excluded.doc
"""


async def load_board(pool: asyncpg.Pool | asyncpg.Connection, negotiation_id: str) -> Board | None:
    doc = await pool.fetchval(
        "SELECT doc FROM board_docs WHERE negotiation_id = $1", negotiation_id
    )
    return BOARD_DECODER.decode(doc) if doc is not None else None


class BoardProjection:
    """Persists the boards the runner folds; only boards touched since the last flush."""

    name = "board"
    whole_documents = True

    def __init__(self) -> None:
        self._dirty: dict[str, Board] = {}

    async def create_tables(self, conn: asyncpg.Connection) -> None:
        await conn.execute(SCHEMA)

    async def reset(self, conn: asyncpg.Connection) -> None:
        await conn.execute("TRUNCATE board_docs")
        self._dirty.clear()

    async def prepare(self, conn: asyncpg.Connection, events: list[RecordedEvent]) -> None:
        self._dirty.clear()  # a new batch: nothing from a failed one may be written

    def apply(self, event: RecordedEvent, board: Board) -> None:
        self._dirty[board.negotiation_id] = board

    def pending(self) -> Write:
        boards = list(self._dirty.values())
        self._dirty.clear()

        async def write(conn: asyncpg.Connection) -> None:
            # Whole documents, written when folding has stopped (see Projection.pending), a
            # slice at a time: encoding thousands of them must not hold the event loop.
            for start in range(0, len(boards), WRITE_SLICE):
                rows = [
                    (
                        b.negotiation_id,
                        b.position,
                        b.title,
                        b.kind,
                        b.bargaining_unit,
                        b.union_name,
                        b.employer_name,
                        b.opened_at,
                        BOARD_ENCODER.encode(b),
                    )
                    for b in boards[start : start + WRITE_SLICE]
                ]
                await conn.executemany(UPSERT, rows)

        return write
