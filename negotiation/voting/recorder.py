"""The vote recorder: a batch of ballots, their spent credentials and their ciphertexts in one
transaction, in two round trips.

Casting is the one command that runs a hundred thousand times on one stream, so it does not go
through the library's load-and-save (an advisory lock, a load, a check, a pipeline of five
statements and an unlock: eight round trips, each a wait for the GIL on a busy server). One
connection in pipeline mode, two messages:

1. ``BEGIN``, the vote's advisory lock (a transaction lock: it conflicts with the session lock
   every other command on the vote takes, and PostgreSQL releases it at the end), then — run
   once the lock is granted — the vote's events after the version this process holds (the
   other server process's ballots), and which of the batch's credentials cannot cast any more
   and which of its ciphertexts were accepted before: asked under the lock, so nothing changes
   them before…
2. …the credentials spent and the ciphertexts claimed (`vote_spend`, which still refuses the
   whole transaction if any of them fails), the table lock, the events, the NOTIFY and COMMIT.

The vote is locked from the moment the first message's answer can be read until the second
one's COMMIT: every wake-up of the batch's thread on a busy server (the GIL, the CPU's run
queue: ≈ 5 ms each, measured) is a wait for every other writer of the vote, hence two.

So under any number of simultaneous attempts with one credential exactly one ballot is stored,
and a crash can never leave a ballot without its spent credential or a spent credential without
its ballot.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import psycopg
from eventsourcing.persistence import IntegrityError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from psycopg import pq
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Identifier, Literal

from negotiation.domain import errors

# Created with the voting store's tables (store.py SCHEMA).
SPEND_FUNCTION = """
CREATE OR REPLACE FUNCTION vote_spend(v text, hashes bytea[], alphas bytea[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE n integer;
BEGIN
    INSERT INTO vote_participation (vote_id, member_id, voted_on)
        SELECT v, member_id, current_date FROM vote_credentials
        WHERE credential_hash = ANY(hashes) AND vote_id = v AND NOT void
        ON CONFLICT DO NOTHING;
    GET DIAGNOSTICS n = ROW_COUNT;
    IF n <> cardinality(hashes) THEN
        RAISE EXCEPTION 'second_ballot';
    END IF;
    INSERT INTO vote_ciphertexts (vote_id, alpha) SELECT v, unnest(alphas)
        ON CONFLICT DO NOTHING;
    GET DIAGNOSTICS n = ROW_COUNT;
    IF n <> cardinality(alphas) THEN
        RAISE EXCEPTION 'copied_ballot';
    END IF;
END $$;
"""
SECOND_BALLOT = "A ballot has already been cast with this credential; each member votes once."
COPIED_BALLOT = "This ballot copies a ballot already accepted; it was not counted."


@dataclass(frozen=True)
class Spend:
    """What a ballot's save must also do: spend this credential, claim these ciphertexts."""

    vote_id: str
    credential_hash: bytes
    alphas: list[bytes]


@dataclass(frozen=True)
class Found:
    """What the second message found: the vote's newer events; of the batch's credentials,
    those not on the roll (or voided) and those spent; its ciphertexts accepted before."""

    events: list[StoredEvent]
    not_on_roll: set[bytes]
    spent: set[bytes]
    copied: set[bytes]


class BallotTransaction:
    """One batch's transaction on one connection in pipeline mode: the statements of each of
    the module's three messages go out together, bound by the server (binary bytea, plans
    prepared once per connection), and the batch waits only at the end of each."""

    def __init__(
        self,
        recorder: PostgresApplicationRecorder,
        conn: psycopg.Connection[Any],
        pipeline: psycopg.Pipeline,
    ) -> None:
        self._conn = conn
        self._pipeline = pipeline
        table = SQL("{}.{}").format(
            Identifier(recorder.datastore.schema), Identifier(recorder.events_table_name)
        )
        self._lock_table = recorder.lock_table_statements
        self._select_events = SQL(
            "SELECT originator_id, originator_version, topic, state FROM {} "
            "WHERE originator_id = %s AND originator_version > %s ORDER BY originator_version"
        ).format(table)
        self._insert_event = SQL(
            "INSERT INTO {} (originator_id, originator_version, topic, state) "
            "VALUES (%s, %s, %s, %b)"
        ).format(table)
        self._notify = SQL("SELECT pg_notify({}, max(notification_id)::text) FROM {}").format(
            Literal(recorder.channel_name), table
        )

    def _cursor(self) -> psycopg.Cursor[tuple[Any, ...]]:
        return self._conn.cursor(row_factory=tuple_row)

    def lock_and_find(
        self, vote_id: UUID, after: int, hashes: list[bytes], alphas: list[bytes]
    ) -> Found:
        key = int.from_bytes(vote_id.bytes[:8], "big", signed=True)  # as SerializedApplication
        self._conn.execute("BEGIN")
        self._conn.execute("SELECT pg_advisory_xact_lock(%s)", (key,))
        events = self._cursor().execute(self._select_events, (vote_id, after))
        used = self._cursor().execute(
            # ('roll', hash) for each credential not on the roll (or voided), ('spent', hash)
            # for each that has voted, ('copied', alpha) for each ciphertext accepted before.
            "SELECT CASE WHEN c.member_id IS NULL THEN 'roll' ELSE 'spent' END, h "
            "FROM unnest(%b::bytea[]) AS h LEFT JOIN vote_credentials c "
            "ON c.credential_hash = h AND c.vote_id = %s AND NOT c.void "
            "LEFT JOIN vote_participation p ON p.vote_id = c.vote_id AND p.member_id = c.member_id "
            "WHERE c.member_id IS NULL OR p.member_id IS NOT NULL "
            "UNION ALL SELECT 'copied', alpha FROM vote_ciphertexts "
            "WHERE vote_id = %s AND alpha = ANY(%b::bytea[])",
            (hashes, vote_id.hex, vote_id.hex, alphas),
        )
        self._pipeline.sync()
        stored = [
            StoredEvent(originator_id=r[0], originator_version=r[1], topic=r[2], state=r[3])
            for r in events.fetchall()
        ]
        found: dict[str, set[bytes]] = {"roll": set(), "spent": set(), "copied": set()}
        for kind, value in used.fetchall():
            found[kind].add(bytes(value))
        return Found(stored, found["roll"], found["spent"], found["copied"])

    def save(self, vote_id: UUID, spends: Sequence[Spend], events: Sequence[StoredEvent]) -> None:
        conn = self._conn
        try:
            if spends:
                conn.execute(
                    "SELECT vote_spend(%s, %b::bytea[], %b::bytea[])",
                    (
                        vote_id.hex,
                        [s.credential_hash for s in spends],
                        [a for s in spends for a in s.alphas],
                    ),
                )
            for statement in self._lock_table:
                conn.execute(statement)
            self._cursor().executemany(
                self._insert_event,
                [(e.originator_id, e.originator_version, e.topic, e.state) for e in events],
            )
            conn.execute(self._notify)
            conn.execute("COMMIT")
            self._pipeline.sync()
        except psycopg.errors.RaiseException as refused:
            # Under the vote's lock, after `find`, neither can happen; the database has the
            # last word all the same.
            if refused.diag.message_primary == "second_ballot":
                raise errors.SecondBallot(SECOND_BALLOT) from None
            raise errors.CopiedBallot(COPIED_BALLOT) from None
        except psycopg.errors.UniqueViolation as taken:
            raise IntegrityError(str(taken)) from taken


def ballot_states(recorder: PostgresApplicationRecorder, vote_id: UUID) -> list[bytes]:
    """The stored state of each accepted ballot of the vote, in chain order: the one column the
    election record needs, as plain tuples (read through `select_events` — every event, as dict
    rows and StoredEvent objects — 100,000 ballots took most of the time to certify)."""
    query = SQL(
        "SELECT state FROM {}.{} WHERE originator_id = %s AND topic LIKE %s "
        "ORDER BY originator_version"
    ).format(Identifier(recorder.datastore.schema), Identifier(recorder.events_table_name))
    # The datastore's connections are autocommit: one statement, one snapshot. Binary: bytea
    # as text is hex, twice the bytes to send and parse (0.9 s against 0.3 s for 100,000).
    with (
        recorder.datastore.get_connection() as conn,
        conn.cursor(row_factory=tuple_row, binary=True) as cursor,
    ):
        cursor.execute(query, (vote_id, "%.BallotCast"))
        return [state for (state,) in cursor.fetchall()]


@contextlib.contextmanager
def ballot_transaction(recorder: PostgresApplicationRecorder) -> Iterator[BallotTransaction]:
    """A connection of the vote store's pool for one batch; rolled back if it did not commit."""
    with recorder.datastore.get_connection() as conn:
        try:
            with conn.pipeline() as pipeline:
                yield BallotTransaction(recorder, conn, pipeline)
        finally:
            if conn.info.transaction_status != pq.TransactionStatus.IDLE:
                with contextlib.suppress(psycopg.Error):  # a lost connection has nothing to undo
                    conn.rollback()
