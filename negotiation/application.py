"""The application service: verb_noun commands that load a negotiation, act, and save its events.

Concurrency: commands on one negotiation are serialized inside a process by a striped lock and
across processes by a PostgreSQL advisory lock; commands check every rule before triggering an
event, so a refusal leaves nothing half-applied. The event store's unique (originator_id,
version) stays the final arbiter: a losing save is retried from fresh state, where the domain
rules decide again (a counter that no longer answers the latest proposal is refused by name).
"""

from __future__ import annotations

import contextlib
import random
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar
from uuid import UUID

import psycopg
from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import Notification, RecordConflictError, Recording, Transcoder
from psycopg_pool import ConnectionPool

from negotiation.domain import commands as c
from negotiation.domain import errors
from negotiation.domain.actors import Actor
from negotiation.domain.negotiation import Negotiation
from negotiation.recorder import OneTripRecorder
from negotiation.transcoder import MsgspecTranscoder

T = TypeVar("T")
A = TypeVar("A", bound=Aggregate)

SAVE_ATTEMPTS = 8
LOCK_STRIPES = 256
TABLE_CREATION_LOCK = 727_004
COMMANDS_IN_FLIGHT = 8  # saves serialize on the event table's lock anyway


@dataclass(frozen=True)
class Recorded(Generic[T]):
    """What a command returned, and the log position (notification id) of its last event: a
    client that reads with `?after=position` reads its own write."""

    result: T
    position: int


def _position(recordings: list[Recording[UUID]]) -> int:
    # Every command records at least one event or is refused; the last one's id is the position.
    return recordings[-1].notification.id if recordings else 0


def replay(aggregate: A | None, events: Iterable[Any]) -> A | None:
    """Replay without the library's per-event Protocol isinstance check (half the load time)."""
    for domain_event in events:
        aggregate = domain_event.mutate(aggregate)
    return aggregate


@contextmanager
def _serialized_table_creation(env: Mapping[str, str]) -> Iterator[None]:
    """Nodes starting together on an empty database must not run CREATE TABLE IF NOT EXISTS
    at the same moment: PostgreSQL does not make that safe (duplicate pg_type rows)."""
    if "postgres" not in env.get("PERSISTENCE_MODULE", ""):
        yield
        return
    with psycopg.connect(
        host=env.get("POSTGRES_HOST"),
        port=env.get("POSTGRES_PORT") or "5432",
        dbname=env.get("POSTGRES_DBNAME"),
        user=env.get("POSTGRES_USER"),
        password=env.get("POSTGRES_PASSWORD") or "",
        autocommit=True,
    ) as connection:
        connection.execute("SELECT pg_advisory_lock(%s)", (TABLE_CREATION_LOCK,))
        try:
            yield
        finally:
            connection.execute("SELECT pg_advisory_unlock(%s)", (TABLE_CREATION_LOCK,))


def _verb(command_type: type[c.Command]) -> Callable[..., Any]:
    """`Negotiations.<handler>(negotiation_id, actor, **fields)`: the command of that name,
    from keyword fields, run through `execute`; returns what the command returned."""

    def verb(app: Negotiations, negotiation_id: UUID, actor: Actor, **fields: Any) -> Any:
        return app.execute(negotiation_id, actor, c.command_of(command_type, fields)).result

    verb.__name__ = verb.__qualname__ = command_type.handler
    return verb


class SerializedApplication(Application[UUID], Generic[A]):
    """An event store whose commands on one aggregate run one at a time: a striped lock in the
    process, an advisory lock across nodes, a retry from fresh state on a conflict (`_act`)."""

    noun: ClassVar[str] = "aggregate"  # what a missing one is called: "No negotiation …."
    lock_connections: ClassVar[int] = COMMANDS_IN_FLIGHT

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        with _serialized_table_creation(env or {}):
            super().__init__(env)  # creates the event tables if they are missing
        self._locks = [threading.Lock() for _ in range(LOCK_STRIPES)]
        self._lock_pool: ConnectionPool[Any] | None = None
        if "postgres" in self.env.get("PERSISTENCE_MODULE", ""):
            self._lock_pool = ConnectionPool(
                kwargs={
                    "host": self.env.get("POSTGRES_HOST"),
                    "port": self.env.get("POSTGRES_PORT") or "5432",
                    "dbname": self.env.get("POSTGRES_DBNAME"),
                    "user": self.env.get("POSTGRES_USER"),
                    "password": self.env.get("POSTGRES_PASSWORD") or "",
                    "autocommit": True,
                },
                min_size=1,
                max_size=self.lock_connections,
                open=True,
                name=f"{self.noun}-locks",
            )

    def close(self) -> None:
        if self._lock_pool is not None:
            self._lock_pool.close()
        super().close()

    def construct_transcoder(self) -> Transcoder:
        return MsgspecTranscoder()

    # ------------------------------------------------------------------ plumbing
    def _lock(self, aggregate_id: UUID) -> threading.Lock:
        return self._locks[aggregate_id.int % LOCK_STRIPES]

    def _evict(self, aggregate_id: UUID) -> None:
        if self.repository.cache is not None:
            with contextlib.suppress(KeyError):
                self.repository.cache.get(aggregate_id, evict=True)

    @contextmanager
    def _locked(self, aggregate_id: UUID) -> Iterator[None]:
        """The striped lock, then the node lock: writers of one aggregate take turns in this
        process, and across server processes (nodes).

        Optimistic concurrency alone is correct, but two nodes writing one stream flat out can
        starve each other with conflicts; a session advisory lock makes them queue instead.
        It is released with the connection if the process dies. On the way out the striped
        lock goes first: this process's next command on the aggregate is woken while the
        node lock's release travels to PostgreSQL, where that command then waits for it.
        """
        thread_lock = self._lock(aggregate_id)
        with contextlib.ExitStack() as held:
            thread_lock.acquire()
            held.callback(thread_lock.release)
            if self._lock_pool is None:  # not PostgreSQL (in-memory): one process only
                yield
                return
            key = int.from_bytes(aggregate_id.bytes[:8], "big", signed=True)
            # A pool of its own: a command holds its lock connection while the recorder's
            # pool serves the load and the save, so the two can never wait on each other.
            with self._lock_pool.connection() as connection:
                connection.execute("SELECT pg_advisory_lock(%s)", (key,))
                try:
                    yield
                finally:
                    held.close()  # the striped lock
                    connection.execute("SELECT pg_advisory_unlock(%s)", (key,))

    def _load(self, aggregate_id: UUID) -> A:
        # The cached object itself, not a copy: the striped lock means no other thread of this
        # process touches it meanwhile, and copying a long negotiation costs more than the rest.
        project: Callable[[A | None, Iterable[Any]], A | None] = replay
        try:
            aggregate: A = self.repository.get(
                aggregate_id, projector_func=project, deepcopy_from_cache=False
            )
        except AggregateNotFoundError:
            raise errors.NotFound(f"No {self.noun} {aggregate_id}.") from None
        return aggregate

    def read(self, aggregate_id: UUID, view: Callable[[A], T]) -> T:
        """Run a read-only function on the current state (under the lock: state is shared)."""
        with self._lock(aggregate_id):
            return view(self._load(aggregate_id))

    def _act(self, aggregate_id: UUID, command: Callable[[A], T], **save: Any) -> Recorded[T]:
        """Lock, load, decide, save (with `save` passed to the recorder), retry on a conflict."""
        with self._locked(aggregate_id):
            for attempt in range(SAVE_ATTEMPTS):
                aggregate = self._load(aggregate_id)
                try:
                    result = command(aggregate)
                except BaseException:
                    # Commands check every rule before triggering any event, so a refusal has
                    # changed nothing; should one ever trigger and then fail, the cached
                    # object holds unsaved changes and is dropped.
                    if aggregate.pending_events:
                        self._evict(aggregate_id)
                    raise
                try:
                    recordings = self.save(aggregate, **save)
                except RecordConflictError:
                    # Another writer saved first (one not taking the node lock): reload and let
                    # the rules decide again, after a short random pause.
                    self._evict(aggregate_id)
                    time.sleep(random.uniform(0, 0.001 * 2**attempt))
                    continue
                except BaseException:
                    # The save failed after the library took the pending events (a refusal by
                    # the recorder, such as the votes' second ballot, or a lost connection):
                    # the cached object holds events that were never stored.
                    self._evict(aggregate_id)
                    raise
                return Recorded(result, _position(recordings))
        raise errors.StaleWrite(
            f"Others are changing this {self.noun} at the same moment; please try again."
        )


class Negotiations(SerializedApplication[Negotiation]):
    """Every bargaining table's event stream, stored in the `negotiations_events` table."""

    name = "Negotiations"
    noun = "negotiation"
    snapshotting_intervals: ClassVar[dict[type[Any], int]] = {Negotiation: 500}
    env: ClassVar[dict[str, str]] = {
        "AGGREGATE_CACHE_MAXSIZE": "500",
        "AGGREGATE_CACHE_FASTFORWARD": "y",
    }

    def on_recorded(self, listener: Callable[[list[Notification]], None]) -> None:
        """Call `listener` with the stored form of each group of events this process records,
        once committed, in commit order (from the committing thread; negotiation/recorder.py):
        this process's live feeds fold them at once instead of reading them back from the log."""
        if not isinstance(self.recorder, OneTripRecorder):
            raise TypeError("Recorded events are told only by the PostgreSQL event store.")
        self.recorder.on_committed(listener)

    # ------------------------------------------------------------------ commands
    def start(self, actor: Actor, command: c.OpenNegotiation) -> Recorded[UUID]:
        """Open a negotiation (a new event stream)."""
        negotiation = Negotiation.open(actor=actor, command=command)
        recordings = self.save(negotiation)
        return Recorded(negotiation.id, _position(recordings))

    def execute(self, negotiation_id: UUID, actor: Actor, command: c.Command) -> Recorded[Any]:
        """Run any command on a negotiation: the one path every command takes (lock, load,
        decide, save, retry on a conflict)."""
        return self._act(negotiation_id, lambda n: n.execute(actor, command))

    # ------------------------------------------------------------------ verbs for scripts
    # The demo, benchmarks and tests call commands by name with keyword fields
    # (`app.table_proposal(nid, actor, article_id=..., text=...)`): each verb is its command
    # struct, checked as if it had come over the wire, run through `execute`, returning what
    # the command returned (an id, a flag). The web edge uses `execute` and passes on the
    # position.
    def open_negotiation(self, actor: Actor, **fields: Any) -> UUID:
        return self.start(actor, c.command_of(c.OpenNegotiation, fields)).result

    add_team_member = _verb(c.AddTeamMember)
    remove_team_member = _verb(c.RemoveTeamMember)
    name_chief_negotiator = _verb(c.NameChiefNegotiator)
    appoint_facilitator = _verb(c.AppointFacilitator)
    propose_ground_rules = _verb(c.ProposeGroundRules)
    agree_ground_rules = _verb(c.AgreeGroundRules)
    open_article = _verb(c.OpenArticle)
    request_late_article = _verb(c.RequestLateArticle)
    consent_to_late_article = _verb(c.ConsentToLateArticle)
    withdraw_article = _verb(c.WithdrawArticle)
    consent_to_reopen = _verb(c.ConsentToReopen)
    draft_proposal = _verb(c.DraftProposal)
    revise_draft = _verb(c.ReviseDraft)
    table_draft = _verb(c.TableDraft)
    table_proposal = _verb(c.TableProposal)
    withdraw_proposal = _verb(c.WithdrawProposal)
    sign_ta = _verb(c.SignTA)
    table_package = _verb(c.TablePackage)
    accept_package = _verb(c.AcceptPackage)
    withdraw_package = _verb(c.WithdrawPackage)
    schedule_session = _verb(c.ScheduleSession)
    change_session_visibility = _verb(c.ChangeSessionVisibility)
    open_session = _verb(c.OpenSession)
    recess_session = _verb(c.RecessSession)
    resume_session = _verb(c.ResumeSession)
    close_session = _verb(c.CloseSession)
    set_agenda = _verb(c.SetAgenda)
    bring_to_table = _verb(c.BringToTable)
    call_caucus = _verb(c.CallCaucus)
    end_caucus = _verb(c.EndCaucus)
    count_attendance = _verb(c.CountAttendance)
    record_team_note = _verb(c.RecordTeamNote)
    publish_bulletin = _verb(c.PublishBulletin)
