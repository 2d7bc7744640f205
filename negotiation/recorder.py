"""The event store's PostgreSQL recorder: saves made at the same moment share one commit.

Every save in the database takes `LOCK TABLE … IN EXCLUSIVE MODE` (so positions are assigned in
commit order: a reader tailing the log never passes a gap that fills in later) and holds it
through its COMMIT's WAL flush, so one save at a time could commit, each paying for a flush of
its own. Here saves are **group-committed**: a thread that saves while another thread of this
process is writing queues its events; when that write is done, the first one queued writes
everything that queued meanwhile, for all of them, in one transaction — one table lock, one
NOTIFY, one insert, one WAL flush. Nothing waits to make a group bigger: a lone save is written
at once, and a group is whatever arrived during the previous write (commands on one negotiation
never meet in a group: they take turns on its locks before they save).

One transaction is one message: BEGIN, the lock, the NOTIFY, the insert and COMMIT go out
together and run back to back in PostgreSQL, so the lock is never held while the committing
thread waits for Python (a thread woken, the GIL taken back from the event loop). Its NOTIFY
carries the log's last position, so a hub that has it already need not read the log.

What each caller gets is what it would have got alone:
- its own positions (notification ids), consecutive and in its events' order; positions
  increase in commit order across groups and across server processes, as before;
- its own refusal: the insert skips every save one of whose (originator_id, version) is
  already stored — another writer saved first — and only that caller gets the conflict, for the
  application to retry from fresh state. Under the table lock nobody else can insert between
  the check and the insert. Should the group still fail (two saves of one event in one group),
  each save is written again on its own;
- a lost connection fails every save of the group, each retried by its caller.

The listeners (`on_committed`) hear of each group's events once it has committed, in commit
order, from the thread that wrote it: this process's live feeds fold them without reading
them back from the log.

Not `synchronous_commit = off`, which would also spare the flushes: a command acknowledged
and then lost in a crash — a TA both chiefs saw signed — is what a bargaining table cannot
have. A group commit answers each caller only after its events are durable.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from typing import Any

import psycopg
from eventsourcing.persistence import (
    IntegrityError,
    InterfaceError,
    Notification,
    OperationalError,
    PersistenceError,
    ProgrammingError,
    StoredEvent,
)
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.utils import retry
from psycopg import pq
from psycopg.sql import SQL, Composed, Identifier

log = logging.getLogger(__name__)
Listener = Callable[[list[Notification]], None]


class _Save:
    """One caller's events waiting in the queue, and what became of them."""

    __slots__ = ("done", "error", "events", "ids", "turn")

    def __init__(self, events: Sequence[StoredEvent]) -> None:
        self.events = events
        self.ids: list[int] | None = None
        self.error: BaseException | None = None
        self.done = False
        self.turn = threading.Event()  # set when done, or when it is this save's turn to write

    def outcome(self) -> list[int]:
        if self.error is not None:
            raise self.error
        assert self.ids is not None
        return self.ids


class OneTripRecorder(PostgresApplicationRecorder):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._queue_lock = threading.Lock()
        self._queue: list[_Save] = []
        self._writing = False  # a thread of this process is writing a group
        self._listeners: list[Listener] = []

    def on_committed(self, listener: Listener) -> None:
        """Call `listener` with each group's events once committed, in commit order."""
        self._listeners.append(listener)

    def _one_trip(self, rows: int) -> Composed:
        table = SQL("{}.{}").format(
            Identifier(self.datastore.schema), Identifier(self.events_table_name)
        )
        values = SQL(", ").join([SQL("(%s, %s, %s, %s, %s, %s)")] * rows)
        return SQL("; ").join(
            [
                SQL("BEGIN"),
                *self.lock_table_statements,
                # Each save is inserted whole or not at all: a save with any event whose
                # (originator_id, originator_version) is stored already is left out.
                SQL(
                    "WITH batch (save, seq, originator_id, originator_version, topic, state) "
                    "AS (VALUES {values}), "
                    "taken AS (SELECT DISTINCT b.save FROM batch b JOIN {table} t "
                    "ON t.originator_id = b.originator_id "
                    "AND t.originator_version = b.originator_version) "
                    "INSERT INTO {table} (originator_id, originator_version, topic, state) "
                    "SELECT originator_id, originator_version, topic, state FROM batch "
                    "WHERE save NOT IN (SELECT save FROM taken) ORDER BY save, seq "
                    "RETURNING originator_id, originator_version, notification_id"
                ).format(values=values, table=table),
                # Delivered at COMMIT, with the log's last position (the group's, under the
                # lock): a hub that has it already (it took this process's events as they
                # committed) need not read the log.
                SQL("SELECT pg_notify({}, max(notification_id)::text) FROM {}").format(
                    self.channel_name, table
                ),
                SQL("COMMIT"),
            ]
        )

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        # The application passes `tracking=None` with every save; anything else (a subclass's
        # hook in the library's transaction, such as a ballot's credential) is saved alone.
        alone = any(value is not None for value in kwargs.values())
        if self.datastore.enable_db_functions or alone or not stored_events:
            ids: Sequence[int] | None = super().insert_events(stored_events, **kwargs)
            if ids:
                self._tell(self._notifications([_Save(stored_events)], [list(ids)]))
            return ids
        save = _Save(stored_events)
        with self._queue_lock:
            self._queue.append(save)
            leading = not self._writing
            self._writing = True
        if not leading:
            save.turn.wait()
            if save.done:
                return save.outcome()
        # This thread writes: everything queued by now, its own save first among them.
        with self._queue_lock:
            group, self._queue = self._queue, []
        try:
            self._write(group)
        finally:
            for other in group:  # nobody waits for ever, whatever happened while writing
                if not other.done:
                    other.error = other.error or RuntimeError("The group's write was cut short.")
                    other.done = True
                    other.turn.set()
            with self._queue_lock:
                if self._queue:
                    self._queue[0].turn.set()  # the next group's writer
                else:
                    self._writing = False
        return save.outcome()

    def _write(self, group: list[_Save]) -> None:
        """Write the group in one transaction; give every save its ids or its error."""
        try:
            for save, ids in zip(group, self._insert(group), strict=True):
                save.ids = ids
        except (InterfaceError, OperationalError) as error:
            for save in group:  # the connection failed: every save is retried by its caller
                save.error = error if save is group[0] else type(error)(*error.args)
        except PersistenceError as error:
            if len(group) == 1:
                group[0].error = error
            else:  # e.g. two saves of one event in one group: write each on its own
                for save in group:
                    try:
                        (save.ids,) = self._insert([save])
                    except BaseException as its_own:
                        save.error = its_own
        except BaseException as error:
            for save in group:
                save.error = error
        committed = [save for save in group if save.ids]
        if committed:
            self._tell(self._notifications(committed, [save.ids or [] for save in committed]))
        for save in group:
            if save.ids is None and save.error is None:
                save.error = IntegrityError(
                    "Another writer has saved these events' versions first "
                    "(unique originator_id, originator_version)."
                )
            save.done = True
            save.turn.set()

    def _insert(self, group: list[_Save]) -> list[list[int] | None]:
        """One message; for each save its ids, or None when it lost to a stored version."""
        params: list[Any] = []
        for number, save in enumerate(group):
            for seq, event in enumerate(save.events):
                params += [
                    number, seq, event.originator_id, event.originator_version,
                    event.topic, event.state,
                ]
        with self.datastore.get_connection() as conn:
            # Parameters bound here, not by the server: several statements in one message
            # need the simple query protocol.
            cursor = psycopg.ClientCursor(conn)
            try:
                cursor.execute(self._one_trip(len(params) // 6), params)
                while not (cursor.statusmessage or "").startswith("INSERT"):
                    if not cursor.nextset():
                        raise ProgrammingError("The insert's result is missing.")
                stored = {
                    (str(row["originator_id"]), row["originator_version"]): row["notification_id"]
                    for row in cursor.fetchall()
                }
            except psycopg.Error:
                if conn.info.transaction_status != pq.TransactionStatus.IDLE:
                    conn.rollback()  # the skipped COMMIT left the transaction open
                raise
            finally:
                cursor.close()
        outcomes: list[list[int] | None] = []
        for save in group:
            keys = [(str(e.originator_id), e.originator_version) for e in save.events]
            outcomes.append([stored[key] for key in keys] if keys[0] in stored else None)
        return outcomes

    @staticmethod
    def _notifications(saves: list[_Save], ids: list[list[int]]) -> list[Notification]:
        notifications = [
            Notification(
                id=position,
                originator_id=event.originator_id,
                originator_version=event.originator_version,
                topic=event.topic,
                state=event.state,
            )
            for save, positions in zip(saves, ids, strict=True)
            for event, position in zip(save.events, positions, strict=True)
        ]
        notifications.sort(key=lambda n: n.id)
        return notifications

    def _tell(self, notifications: list[Notification]) -> None:
        for listener in self._listeners:
            try:
                listener(notifications)
            except Exception:  # a listener's failure is not the save's: it has committed
                log.exception("a listener of committed events failed")
