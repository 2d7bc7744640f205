"""The votes' audit chains as a projection: kept up to date as the vote events are recorded.

Vote events are in their own table (`votes_events`), with their own notification ids, so they
are not folded with the negotiation's log: the runner (projections/runner.py) tails this table
after each catch-up of the log, a page of events per transaction together with its position
(`vote_audit_position`), so each event is chained exactly once, and a read of
a chain is a query (projections/audit/votes.py), never a hashing of the ballots.

A vote's chain hangs from the negotiation chain's entry that called it (votes.py), so a vote's
first event waits until the audit projection holds that entry. The call is recorded before
the vote's first event (voting/service.py `call_vote`), so when the negotiation's log has no
such call at all it never will: that vote (none the platform makes) gets no chain.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from projections.audit.chain import chain_hash
from projections.audit.schema import add_column_once
from projections.audit.votes import (
    POSITION_SCHEMA,
    SCHEMA,
    VOTES_TABLE,
    anchor,
    phrase,
    state_decoder,
)
from projections.describe import sentence, to_json
from projections.events import EVENTS_TABLE

PAGE = 5_000
COLUMNS = (
    "vote_id",
    "version",
    "event_type",
    "actor_name",
    "at",
    "description",
    "message",
    "hash",
    "prev_hash",
    "run",
)
_SELECT_AFTER = (
    f"SELECT notification_id, originator_id, originator_version, topic, state FROM {VOTES_TABLE} "
    "WHERE notification_id > $1 ORDER BY notification_id LIMIT $2"
)

_ANY_AFTER = f"SELECT EXISTS (SELECT 1 FROM {VOTES_TABLE} WHERE notification_id > $1)"


class VoteStep(msgspec.Struct, frozen=True):
    """What the chain's entry shows of one stored vote event."""

    kind: str
    actor_name: str | None
    at: datetime  # the day (ratification.Vote.Event), for every step alike
    data: Mapping[str, Any]  # what `phrase` reads


class _StoredBallot(msgspec.Struct):
    """A BallotCast as stored, only what its entry shows (its ciphertexts and proofs, most of
    its bytes, are skipped, not decoded)."""

    tracking_code: bytes
    timestamp: datetime


_BALLOT_DECODER = msgspec.msgpack.Decoder(_StoredBallot)


def decode_step(topic: str, state: bytes) -> VoteStep:
    """One stored vote event, as the chain's entry reads it: the one place that knows how vote
    events are stored."""
    kind = topic.rsplit(".", 1)[-1]
    if kind == "BallotCast":
        ballot = _BALLOT_DECODER.decode(state)
        return VoteStep(kind, None, ballot.timestamp, {"tracking_code": ballot.tracking_code})
    data = state_decoder.decode(state)
    by = data.get("by") or {}
    return VoteStep(kind, by.get("name"), data["timestamp"], data)


class _Chain(msgspec.Struct):
    """Where one vote's chain stands: its last entry (or its anchor, before any)."""

    version: int
    hash: bytes
    kind: str
    run: int
    options: list[str]


class VoteChains:
    """Tails `votes_events` into `vote_audit_log` (see the module)."""

    def __init__(self, page: int = PAGE) -> None:
        self.page = page
        self._orphans: set[UUID] = set()

    async def create_tables(self, conn: asyncpg.Connection) -> None:
        """Under the runner's DDL lock."""
        await conn.execute(SCHEMA)
        # Steps chained before descriptions had phrases keep NULL: pages show them in English.
        await add_column_once(conn, "vote_audit_log", "message")
        await conn.execute(POSITION_SCHEMA)

    async def reset(self, conn: asyncpg.Connection) -> None:
        """Empty, for a rebuild (inside the rebuild's first transaction)."""
        await conn.execute("TRUNCATE vote_audit_log")
        await conn.execute("UPDATE vote_audit_position SET position = 0")
        self._orphans.clear()

    async def catch_up(self, conn: asyncpg.Connection) -> int:
        """Chain every vote event after the stored position; returns how many were read."""
        if not await conn.fetchval("SELECT to_regclass($1) IS NOT NULL", VOTES_TABLE):
            return 0  # no vote yet: the Votes application makes its table when first used
        done = 0
        while True:
            read, full = await self._page(conn)
            done += read
            if not full:
                return done

    async def _page(self, conn: asyncpg.Connection) -> tuple[int, bool]:
        """One page in one transaction with its position. (read, whether to go on)."""
        seen = await conn.fetchval("SELECT position FROM vote_audit_position")
        if not await conn.fetchval(_ANY_AFTER, seen):
            return 0, False  # nothing new: no transaction, no row lock (a catch-up per tick)
        async with conn.transaction():
            position = await conn.fetchval("SELECT position FROM vote_audit_position FOR UPDATE")
            rows = await conn.fetch(_SELECT_AFTER, position, self.page)
            chains: dict[UUID, _Chain | None] = {}
            records: list[tuple[Any, ...]] = []
            reached = position
            for notification_id, vote_id, version, topic, state in rows:
                if vote_id not in chains:
                    chains[vote_id] = await self._chain(conn, vote_id)
                chain = chains[vote_id]
                if chain is None:
                    if vote_id not in self._orphans:
                        break  # its call is not in the audit log yet: the next catch-up
                elif version > chain.version:  # (at or below: chained already)
                    records.append(_record(vote_id, version, topic, state, chain))
                reached = notification_id
            if records:
                await conn.copy_records_to_table("vote_audit_log", records=records, columns=COLUMNS)
            if reached != position:
                await conn.execute("UPDATE vote_audit_position SET position = $1", reached)
        stopped = bool(rows) and reached != rows[-1][0]
        return len(rows), len(rows) == self.page and not stopped

    async def _chain(self, conn: asyncpg.Connection, vote_id: UUID) -> _Chain | None:
        """The vote's chain as stored; None when it cannot start yet (or ever: an orphan)."""
        first = await conn.fetchval(
            f"SELECT state FROM {VOTES_TABLE} WHERE originator_id = $1 AND originator_version = 1",
            vote_id,
        )
        called = state_decoder.decode(first) if first is not None else {}
        options = [str(o) for o in called.get("options", [])]
        row = await conn.fetchrow(
            "SELECT version, hash, event_type, run FROM vote_audit_log WHERE vote_id = $1 "
            "ORDER BY version DESC LIMIT 1",
            vote_id.hex,
        )
        if row is not None:
            return _Chain(row[0], bytes(row[1]), row[2], row[3], options)
        negotiation_id = str(called.get("negotiation_id"))
        start = await anchor(conn, negotiation_id, vote_id)
        if start is not None:
            return _Chain(0, start, "", 0, options)
        if not await _call_recorded(conn, negotiation_id, vote_id):
            self._orphans.add(vote_id)
        return None


def _record(
    vote_id: UUID, version: int, topic: str, state: bytes, chain: _Chain
) -> tuple[Any, ...]:
    """The entry of the vote's next event; moves `chain` on to it."""
    digest = chain_hash(chain.hash, version, str(vote_id), version, topic, state)
    step = decode_step(topic, state)
    if not (step.kind == "BallotCast" == chain.kind):
        chain.run = version
    said = phrase(step.kind, step.data, chain.options)
    record = (
        vote_id.hex,
        version,
        step.kind,
        step.actor_name,
        step.at,
        sentence(said),
        to_json(said),
        digest,
        chain.hash,
        chain.run,
    )
    chain.version, chain.hash, chain.kind = version, digest, step.kind
    return record


async def _call_recorded(conn: asyncpg.Connection, negotiation_id: str, vote_id: UUID) -> bool:
    """Whether the negotiation's log holds the RatificationVoteCalled naming this vote."""
    try:
        negotiation = UUID(negotiation_id)
    except ValueError:
        return False
    states = await conn.fetch(
        f"SELECT state FROM {EVENTS_TABLE} WHERE originator_id = $1 "
        "AND topic LIKE '%RatificationVoteCalled'",
        negotiation,
    )
    return any(str(state_decoder.decode(s[0]).get("vote_id")) == str(vote_id) for s in states)
