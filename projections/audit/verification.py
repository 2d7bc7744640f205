"""Verifying the chain: recomputed from the event table alone, compared with the log."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import msgspec

from projections.audit.chain import ZERO_HASH, chain_hash
from projections.describe import N_, Phrase, render
from projections.events import EVENTS_TABLE

VERIFY_PAGE = 5_000


class VerifyResult(msgspec.Struct, frozen=True):
    ok: bool
    checked: int
    first_problem_position: int | None
    problem: str | None  # in English (the API, the CLI)
    head_position: int
    head_hash: str
    problem_phrase: Phrase | None = None  # the same, for a page in the reader's language


async def chain_head(conn: asyncpg.Connection) -> tuple[int, str]:
    """The last position in the audit log and its chain hash (hex); (0, zeros) when empty."""
    row = await conn.fetchrow("SELECT position, hash FROM audit_log ORDER BY position DESC LIMIT 1")
    if row is None:
        return 0, ZERO_HASH.hex()
    return int(row[0]), bytes(row[1]).hex()


async def _pages(
    conn: asyncpg.Connection, query: str, until: int, page: int
) -> AsyncIterator[asyncpg.Record]:
    """Rows in position order, `page` at a time (keyset pagination: constant memory)."""
    after = 0
    while True:
        rows = await conn.fetch(query, after, until, page)
        for row in rows:
            yield row
        if len(rows) < page:
            return
        after = rows[-1][0]


_EVENTS_PAGE = (
    f"SELECT notification_id, originator_id::text, originator_version, topic, state "
    f"FROM {EVENTS_TABLE} WHERE notification_id > $1 AND notification_id <= $2 "
    f"ORDER BY notification_id LIMIT $3"
)
_AUDIT_PAGE = (
    "SELECT position, hash, prev_hash FROM audit_log WHERE position > $1 AND position <= $2 "
    "ORDER BY position LIMIT $3"
)


async def verify_chain(conn: asyncpg.Connection, *, page: int = VERIFY_PAGE) -> VerifyResult:
    """Recompute the chain from the event table and compare it with the audit log.

    Walks both tables together in position order up to the log's last position (events after
    it are simply not projected yet). A position may be missing from both (a failed insert
    consumes a sequence value); a position present in only one of them is a problem. Runs in
    one repeatable-read snapshot, so appends while it runs are not mistaken for tampering.
    """
    if conn.is_in_transaction():
        return await _verify(conn, page)  # the caller's snapshot (e.g. a test's transaction)
    async with conn.transaction(isolation="repeatable_read", readonly=True):
        return await _verify(conn, page)


async def _verify(conn: asyncpg.Connection, page: int) -> VerifyResult:
    head_position, head_hash = await chain_head(conn)
    events = _pages(conn, _EVENTS_PAGE, head_position, page).__aiter__()
    audit = _pages(conn, _AUDIT_PAGE, head_position, page).__aiter__()
    checked = 0
    prev = ZERO_HASH

    def result(position: int | None = None, problem: Phrase | None = None) -> VerifyResult:
        return VerifyResult(
            ok=problem is None,
            checked=checked,
            first_problem_position=position,
            problem=None if problem is None else render(problem),
            head_position=head_position,
            head_hash=head_hash,
            problem_phrase=problem,
        )

    event = await anext(events, None)
    entry = await anext(audit, None)
    while event is not None or entry is not None:
        if event is not None and (entry is None or event[0] < entry[0]):
            return result(
                event[0],
                N_(
                    "The event at position %(position)s has no audit entry: an event was "
                    "inserted, events were reordered, or the audit entry was removed.",
                    position=str(event[0]),
                ),
            )
        if entry is not None and (event is None or entry[0] < event[0]):
            return result(
                entry[0],
                N_(
                    "The event at position %(position)s is missing from the event store: it "
                    "was removed (or moved) after it was recorded.",
                    position=str(entry[0]),
                ),
            )
        if event is None or entry is None:
            break  # unreachable: the loop runs while one of them is left
        position = event[0]
        stored_hash, stored_prev = bytes(entry[1]), bytes(entry[2])
        if stored_prev != prev:
            return result(
                position,
                N_(
                    "The audit entry at position %(position)s does not link to the one before "
                    "it: the audit log was altered.",
                    position=str(position),
                ),
            )
        recomputed = chain_hash(prev, position, event[1], event[2], event[3], event[4])
        if recomputed != stored_hash:
            witness = await conn.fetchval(
                "SELECT prev_hash FROM audit_log WHERE position > $1 AND position <= $2 "
                "ORDER BY position LIMIT 1",
                position,
                head_position,
            )
            if witness is not None and bytes(witness) == recomputed:
                problem = N_(
                    "The audit entry's hash at position %(position)s was altered (the next "
                    "entry still links to the original).",
                    position=str(position),
                )
            else:
                problem = N_(
                    "The event at position %(position)s does not match its audit hash: the "
                    "stored event was changed, or events were reordered.",
                    position=str(position),
                )
            return result(position, problem)
        prev = recomputed
        checked += 1
        event = await anext(events, None)
        entry = await anext(audit, None)
    if prev != bytes.fromhex(head_hash):
        return result(head_position, N_("The audit log's head does not match the chain."))
    return result()
