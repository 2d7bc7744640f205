"""The audit history: every recorded event, described, attributed, and hash-chained.

Hash chain (tamper evidence), over the whole log in position order, all negotiations together:

    hash_n = sha256(hash_{n-1} || position (8 bytes, big-endian) || originator_id (UUID text,
                    UTF-8) || originator_version (8 bytes, big-endian) || topic (UTF-8) || state)

with 32 zero bytes before the first event. The chain covers the stored event bytes exactly as
recorded, so `verify_chain` recomputes it from the event table alone and compares it with the
log; the current head (position + hash) is published so copies of it live outside the system
(a log truncated or rewritten from some point on no longer ends in a head anyone has seen).

Each row's `visibility` label is decided by `negotiation.domain.visibility` (DOMAIN.md "Who sees
what") and fixed when the event is recorded:
    public   status anyone may see (negotiation, teams, ground rules, articles opened, session
             schedule and status, the whole TA)
    members  unit members, both teams and officials (late-article requests; acts exchanged in
             writing between sessions; acts in members-only sessions)
    teams    both teams only (acts in closed sessions)
    union / employer   that team only (drafts and private team notes)
Acts in a session take the visibility that session had then (`follows_session` marks them); a
later change of the session's visibility labels only what is recorded after it.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import AsyncGenerator, AsyncIterator, Iterable, Mapping
from datetime import datetime
from typing import Any

import asyncpg
import msgspec

from negotiation.domain.visibility import (
    EVENT_SCOPES,
    IN_RUNNING_SESSION,
    Audience,
    AuditLabel,
    event_label,
    label_of,
    labels_seen_by,
)
from projections.base import Write
from projections.board import Board
from projections.describe import describe
from projections.events import EVENTS_TABLE, SELECT_HEAD, RecordedEvent, decode_row

ZERO_HASH = bytes(32)
VERIFY_PAGE = 5_000
MAX_LIMIT = 1_000

AUDIT_COLUMNS = (
    "position",
    "negotiation_id",
    "version",
    "event_type",
    "actor_id",
    "actor_name",
    "party",
    "at",
    "description",
    "article_id",
    "session_id",
    "visibility",
    "follows_session",
    "hash",
    "prev_hash",
)

TABLE = """
CREATE TABLE IF NOT EXISTS audit_log (
    position bigint PRIMARY KEY,
    negotiation_id text COLLATE "C" NOT NULL,
    version integer NOT NULL,
    event_type text COLLATE "C" NOT NULL,
    actor_id text COLLATE "C",
    actor_name text,
    party text,
    at timestamptz NOT NULL,
    description text NOT NULL,
    article_id text COLLATE "C",
    session_id text COLLATE "C",
    visibility text NOT NULL
        CHECK (visibility IN ('public', 'members', 'teams', 'union', 'employer')),
    follows_session boolean NOT NULL DEFAULT false,
    hash bytea NOT NULL,
    prev_hash bytea NOT NULL
) PARTITION BY RANGE (position)
"""
# The filters' indexes. Maintaining them row by row costs several times the COPY itself, so a
# bulk load into an empty log (a rebuild, or the first catch-up) drops them and builds them
# once at the end (a sort, far cheaper); queries stay correct without them, only slower.
FILTER_INDEXES: dict[str, str] = {
    "audit_log_negotiation": "(negotiation_id, position)",
    "audit_log_article": "(article_id, position) WHERE article_id IS NOT NULL",
    "audit_log_session": "(session_id, position) WHERE session_id IS NOT NULL",
    "audit_log_actor": "(actor_id, position)",
    "audit_log_actor_name": "(lower(actor_name), position)",
    "audit_log_type": "(event_type, position)",
}
BULK_BATCH = 1_000  # a batch this big into an empty log starts a bulk load
# A rebuild lays the log out in partitions of this many positions (the last one open-ended,
# for what comes after) and indexes each one as soon as its rows are in, while the rest load:
# building the indexes of 1M rows at the end took ~10 s on its own (bench/replay.py).
PARTITION_POSITIONS = 100_000
MAX_PARTITIONS = 64  # a longer log gets longer partitions, so queries plan over few


class Partition(msgspec.Struct):
    name: str
    end: int | None  # first position after it; None: open-ended
    indexed: bool = False


async def _create_log(conn: asyncpg.Connection, starts: list[int]) -> list[Partition]:
    """The partitioned table, a partition from each start (the first from the lowest
    position, the last to the highest); no filter indexes."""
    await conn.execute(TABLE)
    partitions = []
    for i, start in enumerate(starts):
        name = f"audit_log_from_{start}"
        end = starts[i + 1] if i + 1 < len(starts) else None
        lower = "MINVALUE" if i == 0 else str(start)
        upper = "MAXVALUE" if end is None else str(end)
        await conn.execute(
            f"CREATE TABLE {name} PARTITION OF audit_log FOR VALUES FROM ({lower}) TO ({upper})"
        )
        partitions.append(Partition(name, end))
    return partitions


def partition_starts(head: int) -> list[int]:
    size = max(PARTITION_POSITIONS, -(-head // MAX_PARTITIONS))
    return list(range(0, max(head, 1), size))


async def ensure_indexes(conn: asyncpg.Connection) -> None:
    """On the whole log: partitions indexed during a rebuild are attached, not rebuilt."""
    for name, definition in FILTER_INDEXES.items():
        await conn.execute(f"CREATE INDEX IF NOT EXISTS {name} ON audit_log {definition}")


async def _index_partition(conn: asyncpg.Connection, partition: str) -> None:
    """The filter indexes of one partition, in one transaction, without parallel workers:
    this runs beside the fold, which needs the other core."""
    async with conn.transaction():
        await conn.execute("SET LOCAL max_parallel_maintenance_workers = 0")
        for name, definition in FILTER_INDEXES.items():
            index = name.replace("audit_log", partition, 1)
            await conn.execute(f"CREATE INDEX IF NOT EXISTS {index} ON {partition} {definition}")


async def _drop_indexes(conn: asyncpg.Connection) -> None:
    for name in FILTER_INDEXES:
        await conn.execute(f"DROP INDEX IF EXISTS {name}")


AuditVisibility = AuditLabel


def session_visibility(visibility: str | None) -> AuditVisibility:
    """An audit label for content of a session with this visibility (None: in writing)."""
    return label_of(visibility)


def visible_labels(audience: Audience) -> list[str]:
    """The visibility labels one audience may read (DOMAIN.md "Who sees what")."""
    return labels_seen_by(audience)


def chain_hash(
    prev: bytes, position: int, originator_id: str, version: int, topic: str, state: bytes
) -> bytes:
    """SHA-256 over the previous hash and the event exactly as stored. Variable-length
    fields are length-prefixed, so no bytes can move from one field to the next unnoticed."""
    return hashlib.sha256(
        b"".join(
            (
                prev,
                _u64(position),
                _length_prefixed(originator_id),
                _u64(version),
                _length_prefixed(topic),
                _u64(len(state)),
                state,
            )
        )
    ).digest()


_u64 = struct.Struct(">Q").pack
# Negotiation ids and topics repeat event after event: each is encoded once (a rebuild hashes
# a million events; this was a third of the hashing's cost).
_PREFIXED: dict[str, bytes] = {}
_PREFIXED_LIMIT = 100_000


def _length_prefixed(text: str) -> bytes:
    prefixed = _PREFIXED.get(text)
    if prefixed is None:
        raw = text.encode()
        prefixed = len(raw).to_bytes(4, "big") + raw
        if len(_PREFIXED) >= _PREFIXED_LIMIT:
            _PREFIXED.clear()
        _PREFIXED[text] = prefixed
    return prefixed


# ---------------------------------------------------------------------- the projection
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
        self._partitions: list[Partition] = []  # laid out by the last reset

    async def create_tables(self, conn: asyncpg.Connection) -> None:
        if not await conn.fetchval("SELECT to_regclass('audit_log') IS NOT NULL"):
            await _create_log(conn, [0])
        # (A log made before partitioning stays one table until the next rebuild.)
        # Facilitators were once kept here for the audience rule; the board carries them now.
        await conn.execute("DROP TABLE IF EXISTS audit_facilitators")
        await ensure_indexes(conn)  # also restores them after an interrupted bulk load

    async def finish_bulk_load(self, conn: asyncpg.Connection) -> None:
        """Optional hook when the end of the log is reached (a rebuild, or a catch-up): build
        the filter indexes a bulk load dropped (those of sealed partitions are attached)."""
        if self._bulk:
            await ensure_indexes(conn)
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
            await _index_partition(conn, partition.name)
            partition.indexed = True

    async def reset(self, conn: asyncpg.Connection) -> None:
        """A new, empty log, partitioned for the events there are now (see seal)."""
        head: int = await conn.fetchval(SELECT_HEAD)
        await conn.execute("DROP TABLE IF EXISTS audit_log")
        self._partitions = await _create_log(conn, partition_starts(head))
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
            await _drop_indexes(conn)  # rebuilt by finish_bulk_load, at the end of the log
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
        article_id, session_id, label, follows = _placement(event, board)
        digest = chain_hash(
            self._last_hash,
            event.position,
            event.negotiation_id,
            event.version,
            event.topic,
            event.state,
        )
        actor_id = by.get("account_id")
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
                describe(event, board, self._names),
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


def _placement(
    event: RecordedEvent, board: Board
) -> tuple[str | None, str | None, AuditVisibility, bool]:
    """(article id, session id, visibility label, follows its session) for one event."""
    data = event.data
    kind = event.type
    article_id: str | None = data.get("article_id")
    session_id: str | None = data.get("session_id")
    if kind == "DraftRevised":
        draft = board.drafts.get(data.get("draft_id", ""))
        article_id = draft.article_id if draft is not None else None
    party = event.by.get("party")
    if EVENT_SCOPES.get(kind, "session") != "session":
        return article_id, session_id, event_label(kind, party, None), False
    if kind in IN_RUNNING_SESSION and session_id is None and not event.by.get("in_writing"):
        running = board.running_session()
        session_id = running.session_id if running is not None else None
    # The board has folded this event, in log order: the session's visibility is its own
    # at the moment the event was recorded.
    session = board.sessions.get(session_id or "")
    if session is None:
        return article_id, session_id, event_label(kind, party, None), False  # in writing
    return article_id, session_id, event_label(kind, party, session.visibility), True


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


# ---------------------------------------------------------------------- verification
class VerifyResult(msgspec.Struct, frozen=True):
    ok: bool
    checked: int
    first_problem_position: int | None
    problem: str | None
    head_position: int
    head_hash: str


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

    def result(position: int | None = None, problem: str | None = None) -> VerifyResult:
        return VerifyResult(
            ok=problem is None,
            checked=checked,
            first_problem_position=position,
            problem=problem,
            head_position=head_position,
            head_hash=head_hash,
        )

    event = await anext(events, None)
    entry = await anext(audit, None)
    while event is not None or entry is not None:
        if event is not None and (entry is None or event[0] < entry[0]):
            return result(
                event[0],
                f"The event at position {event[0]} has no audit entry: an event was "
                "inserted, events were reordered, or the audit entry was removed.",
            )
        if entry is not None and (event is None or entry[0] < event[0]):
            return result(
                entry[0],
                f"The event at position {entry[0]} is missing from the event store: it "
                "was removed (or moved) after it was recorded.",
            )
        if event is None or entry is None:
            break  # unreachable: the loop runs while one of them is left
        position = event[0]
        stored_hash, stored_prev = bytes(entry[1]), bytes(entry[2])
        if stored_prev != prev:
            return result(
                position,
                f"The audit entry at position {position} does not link to the one before "
                "it: the audit log was altered.",
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
                problem = (
                    f"The audit entry's hash at position {position} was altered (the next "
                    "entry still links to the original)."
                )
            else:
                problem = (
                    f"The event at position {position} does not match its audit hash: the "
                    "stored event was changed, or events were reordered."
                )
            return result(position, problem)
        prev = recomputed
        checked += 1
        event = await anext(events, None)
        entry = await anext(audit, None)
    if prev != bytes.fromhex(head_hash):
        return result(head_position, "The audit log's head does not match the chain.")
    return result()


# ---------------------------------------------------------------------- queries
class AuditFilters(msgspec.Struct, frozen=True):
    negotiation_id: str | None = None
    article_id: str | None = None
    session_id: str | None = None
    actor: str | None = None  # account id or display name (case-insensitive)
    type: str | None = None
    after: int = 0


class AuditEntry(msgspec.Struct, frozen=True):
    position: int
    negotiation_id: str
    version: int
    event_type: str
    actor_id: str | None
    actor_name: str | None
    party: str | None
    at: datetime
    description: str
    article_id: str | None
    session_id: str | None
    visibility: str
    hash: str
    prev_hash: str


_ENTRY_COLUMNS = (
    "position, negotiation_id, version, event_type, actor_id, actor_name, party, at, "
    "description, article_id, session_id, visibility, hash, prev_hash"
)


def _where(filters: AuditFilters, labels: Iterable[str]) -> tuple[str, list[Any]]:
    args: list[Any] = [filters.after, list(labels)]
    clauses = ["position > $1", "visibility = ANY($2::text[])"]

    def add(sql: str, value: Any) -> None:
        args.append(value)
        clauses.append(sql.replace("?", f"${len(args)}"))

    if filters.negotiation_id:
        add("negotiation_id = ?", filters.negotiation_id)
    if filters.article_id:
        add("article_id = ?", filters.article_id)
    if filters.session_id:
        add("session_id = ?", filters.session_id)
    if filters.actor:
        add("(actor_id = ? OR lower(actor_name) = lower(?))", filters.actor)
    if filters.type:
        add("event_type = ?", filters.type)
    return " AND ".join(clauses), args


def _entry(row: Mapping[str, Any]) -> AuditEntry:
    return AuditEntry(
        position=row["position"],
        negotiation_id=row["negotiation_id"],
        version=row["version"],
        event_type=row["event_type"],
        actor_id=row["actor_id"],
        actor_name=row["actor_name"],
        party=row["party"],
        at=row["at"],
        description=row["description"],
        article_id=row["article_id"],
        session_id=row["session_id"],
        visibility=row["visibility"],
        hash=bytes(row["hash"]).hex(),
        prev_hash=bytes(row["prev_hash"]).hex(),
    )


async def list_entries(
    pool: asyncpg.Pool, filters: AuditFilters, labels: Iterable[str], limit: int
) -> list[AuditEntry]:
    """One page of entries after `filters.after`, in position order, of the given labels."""
    where, args = _where(filters, labels)
    args.append(max(1, min(limit, MAX_LIMIT)))
    rows = await pool.fetch(
        f"SELECT {_ENTRY_COLUMNS} FROM audit_log WHERE {where} "
        f"ORDER BY position LIMIT ${len(args)}",
        *args,
    )
    return [_entry(row) for row in rows]


async def stream_entries(
    pool: asyncpg.Pool, filters: AuditFilters, labels: Iterable[str], *, page: int = 1_000
) -> AsyncGenerator[list[AuditEntry], None]:
    """Every matching entry, a page at a time, from a server-side cursor (constant memory)."""
    where, args = _where(filters, labels)
    async with pool.acquire() as conn, conn.transaction(readonly=True):
        cursor = await conn.cursor(
            f"SELECT {_ENTRY_COLUMNS} FROM audit_log WHERE {where} ORDER BY position", *args
        )
        while True:
            rows = await cursor.fetch(page)
            if not rows:
                return
            yield [_entry(row) for row in rows]


__all__ = [
    "AuditEntry",
    "AuditFilters",
    "AuditProjection",
    "VerifyResult",
    "chain_hash",
    "chain_head",
    "list_entries",
    "stream_entries",
    "verify_chain",
    "visible_labels",
]
