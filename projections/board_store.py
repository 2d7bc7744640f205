"""The board projection's table: one document per negotiation, with its position.

A document is the board as msgpack, zstd-compressed (level 1). Boards repeat their field
names and ids endlessly, so they shrink about 9x; compressed here, they reach PostgreSQL small
and are stored as they are (`STORAGE EXTERNAL`: no second, slower pglz attempt). Writing a
rebuild's 413 MB of boards took ~6.5 s of PostgreSQL's time with pglz; zstd does it in ~0.8 s
of ours and leaves PostgreSQL 46 MB to store. Documents written before, plain msgpack, still
load: a zstd frame starts with its magic number, a msgpack board never does.
"""

from __future__ import annotations

import asyncio

import asyncpg
import zstandard

from projections.base import Write
from projections.board import BOARD_DECODER, BOARD_ENCODER, Board
from projections.events import RecordedEvent
from projections.index import ENTRY_DECODER, ENTRY_ENCODER, IndexEntry, index_entry

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
    doc             bytea NOT NULL,
    summary         bytea  -- its entry in the index of negotiations (projections.index)
);
ALTER TABLE board_docs ADD COLUMN IF NOT EXISTS summary bytea;
"""
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_compressor = zstandard.ZstdCompressor(level=1)
_decompressor = zstandard.ZstdDecompressor()


def encode_doc(board: Board) -> bytes:
    return _compressor.compress(BOARD_ENCODER.encode(board))


def decode_doc(doc: bytes) -> Board:
    if doc[:4] == _ZSTD_MAGIC:
        doc = _decompressor.decompress(doc)
    return BOARD_DECODER.decode(doc)


WRITE_SLICE = 100  # boards encoded and written per round trip

UPSERT = """
INSERT INTO board_docs (negotiation_id, position, title, kind, bargaining_unit, union_name,
                        employer_name, opened_at, doc, summary)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
ON CONFLICT (negotiation_id) DO UPDATE
SET position = excluded.position, doc = excluded.doc, summary = excluded.summary
"""


async def load_board(pool: asyncpg.Pool | asyncpg.Connection, negotiation_id: str) -> Board | None:
    doc = await pool.fetchval(
        "SELECT doc FROM board_docs WHERE negotiation_id = $1", negotiation_id
    )
    return decode_doc(doc) if doc is not None else None


async def negotiation_index(pool: asyncpg.Pool | asyncpg.Connection) -> list[IndexEntry]:
    """Every negotiation, in the order they were opened, with its sessions. Documents stored
    before the index entry existed are read from their board."""
    rows = await pool.fetch(
        "SELECT summary, CASE WHEN summary IS NULL THEN doc END AS doc "
        "FROM board_docs ORDER BY opened_at, negotiation_id"
    )
    return [
        ENTRY_DECODER.decode(row["summary"])
        if row["summary"] is not None
        else index_entry(decode_doc(row["doc"]))
        for row in rows
    ]


async def wait_for_projection(
    pool: asyncpg.Pool, position: int, timeout: float, poll: float = 0.02
) -> bool:
    """Until the persistent board projection has folded the log up to `position` (False after
    `timeout`). One node writes it a few times a second and keeps how far it is in one row."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        reached = await pool.fetchval(
            "SELECT position FROM projection_positions WHERE name = 'board'"
        )
        if reached is not None and reached >= position:
            return True
        if loop.time() >= deadline:
            return False
        await asyncio.sleep(poll)


class BoardProjection:
    """Persists the boards the runner folds; only boards touched since the last flush."""

    name = "board"
    whole_documents = True

    def __init__(self) -> None:
        self._dirty: dict[str, Board] = {}

    async def create_tables(self, conn: asyncpg.Connection) -> None:
        await conn.execute(SCHEMA)
        storage = await conn.fetchval(
            "SELECT attstorage FROM pg_attribute "
            "WHERE attrelid = 'board_docs'::regclass AND attname = 'doc'"
        )
        if storage != "e":  # documents are compressed already (tables made before: once)
            await conn.execute("ALTER TABLE board_docs ALTER COLUMN doc SET STORAGE EXTERNAL")

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
                        encode_doc(b),
                        ENTRY_ENCODER.encode(index_entry(b)),
                    )
                    for b in boards[start : start + WRITE_SLICE]
                ]
                await conn.executemany(UPSERT, rows)

        return write
