"""The event store's PostgreSQL recorder, saving each batch of events in one round trip.

The library's recorder takes `LOCK TABLE … IN EXCLUSIVE MODE` (so positions are assigned in
commit order: a reader tailing the log never passes a gap that fills in later), inserts, then
waits for the insert's result in Python before it sends COMMIT. Every save in the database
queues on that table lock, so each trip back to Python while holding it — a thread woken,
the GIL taken back from the event loop — is paid by every other writer (bench/README.md:
with two server processes the lock was held nearly all the time, a quarter of it waiting
for Python). Here BEGIN, the lock, the NOTIFY, the insert and COMMIT go out as one message
and run back to back in PostgreSQL: the same statements in the same order, without a wait
for the client in the middle.

A losing insert (unique (originator_id, originator_version): another writer saved first)
stops the message there; PostgreSQL skips the COMMIT, and the failed transaction is rolled
back here before the conflict is raised, as the library raises it, for the application to
retry.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg
from eventsourcing.persistence import (
    InterfaceError,
    OperationalError,
    ProgrammingError,
    StoredEvent,
)
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.utils import retry
from psycopg import pq
from psycopg.sql import SQL, Composed, Identifier


class OneTripRecorder(PostgresApplicationRecorder):
    def _one_trip(self, count: int) -> Composed:
        rows = SQL(", ").join([SQL("(%s, %s, %s, %s)")] * count)
        return SQL("; ").join(
            [
                SQL("BEGIN"),
                *self.lock_table_statements,
                SQL("NOTIFY {}").format(Identifier(self.channel_name)),
                SQL(
                    "INSERT INTO {}.{} (originator_id, originator_version, topic, state) "
                    "VALUES {} RETURNING notification_id"
                ).format(
                    Identifier(self.datastore.schema), Identifier(self.events_table_name), rows
                ),
                SQL("COMMIT"),
            ]
        )

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        if self.datastore.enable_db_functions or not stored_events:
            ids: Sequence[int] | None = super().insert_events(stored_events, **kwargs)
            return ids
        params: list[Any] = []
        for event in stored_events:
            params += [event.originator_id, event.originator_version, event.topic, event.state]
        with self.datastore.get_connection() as conn:
            # Parameters bound here, not by the server: several statements in one message
            # need the simple query protocol.
            cursor = psycopg.ClientCursor(conn)
            try:
                cursor.execute(self._one_trip(len(stored_events)), params)
                while not (cursor.statusmessage or "").startswith("INSERT"):
                    if not cursor.nextset():
                        raise ProgrammingError("The insert's result is missing.")
                return [row["notification_id"] for row in cursor.fetchall()]
            except psycopg.Error:
                if conn.info.transaction_status != pq.TransactionStatus.IDLE:
                    conn.rollback()  # the skipped COMMIT left the transaction open
                raise
            finally:
                cursor.close()
