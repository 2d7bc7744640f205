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
from datetime import datetime
from typing import Any, ClassVar, TypeVar
from uuid import UUID

import psycopg
from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import Notification, RecordConflictError, Recording, Transcoder
from psycopg_pool import ConnectionPool

from negotiation.domain import errors
from negotiation.domain.actors import Actor, Party, TeamRole
from negotiation.domain.articles import Category
from negotiation.domain.ground_rules import GroundRules, Visibility
from negotiation.domain.negotiation import Negotiation
from negotiation.transcoder import MsgspecTranscoder

T = TypeVar("T")

SAVE_ATTEMPTS = 8
LOCK_STRIPES = 256
TABLE_CREATION_LOCK = 727_004
COMMANDS_IN_FLIGHT = 8  # saves serialize on the event table's lock anyway


def _project(aggregate: Negotiation | None, events: Iterable[Any]) -> Negotiation | None:
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


class Negotiations(Application[UUID]):
    """Every bargaining table's event stream, stored in the `negotiations_events` table."""

    name = "Negotiations"
    snapshotting_intervals: ClassVar[dict[type[Any], int]] = {Negotiation: 500}
    env: ClassVar[dict[str, str]] = {
        "AGGREGATE_CACHE_MAXSIZE": "500",
        "AGGREGATE_CACHE_FASTFORWARD": "y",
    }

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        with _serialized_table_creation(env or {}):
            super().__init__(env)  # creates the event tables if they are missing
        self._locks = [threading.Lock() for _ in range(LOCK_STRIPES)]
        self._recorded_listeners: list[Callable[[list[Notification]], None]] = []
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
                max_size=COMMANDS_IN_FLIGHT,
                open=True,
                name="node-locks",
            )

    def close(self) -> None:
        if self._lock_pool is not None:
            self._lock_pool.close()
        super().close()

    def construct_transcoder(self) -> Transcoder:
        return MsgspecTranscoder()

    def on_recorded(self, listener: Callable[[list[Notification]], None]) -> None:
        """Call `listener` with the stored form of each batch of events this object records,
        once committed (from the committing thread): this process's live feeds fold them at
        once instead of reading them back from the log."""
        self._recorded_listeners.append(listener)

    def _notify(self, recordings: list[Recording[UUID]]) -> None:
        # The eventsourcing library's hook, called after each save has committed.
        if recordings and self._recorded_listeners:
            notifications = [recording.notification for recording in recordings]
            for listener in self._recorded_listeners:
                listener(notifications)

    # ------------------------------------------------------------------ plumbing
    def _lock(self, negotiation_id: UUID) -> threading.Lock:
        return self._locks[negotiation_id.int % LOCK_STRIPES]

    def _evict(self, negotiation_id: UUID) -> None:
        if self.repository.cache is not None:
            with contextlib.suppress(KeyError):
                self.repository.cache.get(negotiation_id, evict=True)

    @contextmanager
    def _node_lock(self, negotiation_id: UUID) -> Iterator[None]:
        """Serialize writers of one negotiation across server processes (nodes).

        Optimistic concurrency alone is correct, but two nodes writing one stream flat out can
        starve each other with conflicts; a session advisory lock makes them queue instead.
        It is released with the connection if the process dies.
        """
        if self._lock_pool is None:  # not PostgreSQL (in-memory persistence): one process only
            yield
            return
        key = int.from_bytes(negotiation_id.bytes[:8], "big", signed=True)
        # A pool of its own: a command holds its lock connection while the recorder's pool
        # serves the load and the save, so the two can never wait on each other.
        with self._lock_pool.connection() as connection:
            connection.execute("SELECT pg_advisory_lock(%s)", (key,))
            try:
                yield
            finally:
                connection.execute("SELECT pg_advisory_unlock(%s)", (key,))

    def _load(self, negotiation_id: UUID) -> Negotiation:
        # The cached object itself, not a copy: the striped lock means no other thread of this
        # process touches it meanwhile, and copying a long negotiation costs more than the rest.
        try:
            return self.repository.get(
                negotiation_id, projector_func=_project, deepcopy_from_cache=False
            )
        except AggregateNotFoundError:
            raise errors.NotFound(f"No negotiation {negotiation_id}.") from None

    def read(self, negotiation_id: UUID, view: Callable[[Negotiation], T]) -> T:
        """Run a read-only function on the current state (under the lock: state is shared)."""
        with self._lock(negotiation_id):
            return view(self._load(negotiation_id))

    def _act(self, negotiation_id: UUID, command: Callable[[Negotiation], T]) -> T:
        with self._lock(negotiation_id), self._node_lock(negotiation_id):
            for attempt in range(SAVE_ATTEMPTS):
                negotiation = self._load(negotiation_id)
                try:
                    result = command(negotiation)
                    self.save(negotiation)
                except RecordConflictError:
                    # Another writer saved first (one not taking the node lock): reload and let
                    # the rules decide again, after a short random pause.
                    self._evict(negotiation_id)
                    time.sleep(random.uniform(0, 0.001 * 2**attempt))
                    continue
                except BaseException:
                    # Commands check every rule before triggering any event, so a refusal has
                    # changed nothing; should one ever trigger and then fail, the cached
                    # object holds unsaved changes and is dropped.
                    if negotiation.pending_events:
                        self._evict(negotiation_id)
                    raise
                return result
        raise errors.StaleWrite(
            "Others are changing this negotiation at the same moment; please try again."
        )

    # ------------------------------------------------------------------ negotiations & teams
    def open_negotiation(
        self,
        actor: Actor,
        *,
        title: str,
        kind: str,
        bargaining_unit: str,
        union_name: str,
        employer_name: str,
        opener_party: Party,
        other_chief: Actor | None = None,
        facilitator: Actor | None = None,
    ) -> UUID:
        negotiation = Negotiation.open(
            actor=actor,
            title=title,
            kind=kind,
            bargaining_unit=bargaining_unit,
            union_name=union_name,
            employer_name=employer_name,
            opener_party=opener_party,
            other_chief=other_chief,
            facilitator=facilitator,
        )
        self.save(negotiation)
        return negotiation.id

    def add_team_member(
        self,
        negotiation_id: UUID,
        actor: Actor,
        *,
        member: Actor,
        party: Party,
        role: TeamRole = "member",
    ) -> None:
        self._act(
            negotiation_id,
            lambda n: n.add_team_member(actor, member=member, party=party, role=role),
        )

    def remove_team_member(self, negotiation_id: UUID, actor: Actor, *, account_id: str) -> None:
        self._act(negotiation_id, lambda n: n.remove_team_member(actor, account_id=account_id))

    def name_chief_negotiator(self, negotiation_id: UUID, actor: Actor, *, account_id: str) -> None:
        self._act(negotiation_id, lambda n: n.name_chief_negotiator(actor, account_id=account_id))

    def appoint_facilitator(
        self, negotiation_id: UUID, actor: Actor, *, facilitator: Actor
    ) -> None:
        self._act(negotiation_id, lambda n: n.appoint_facilitator(actor, facilitator=facilitator))

    # ------------------------------------------------------------------ ground rules
    def propose_ground_rules(
        self, negotiation_id: UUID, actor: Actor, *, rules: GroundRules, as_received: bool = False
    ) -> str:
        return self._act(
            negotiation_id,
            lambda n: n.propose_ground_rules(actor, rules=rules, as_received=as_received),
        )

    def agree_ground_rules(
        self, negotiation_id: UUID, actor: Actor, *, offer_id: str, as_received: bool = False
    ) -> None:
        self._act(
            negotiation_id,
            lambda n: n.agree_ground_rules(actor, offer_id=offer_id, as_received=as_received),
        )

    # ------------------------------------------------------------------ articles
    def open_article(
        self,
        negotiation_id: UUID,
        actor: Actor,
        *,
        number: str,
        title: str,
        category: Category,
        current_language: str = "",
        as_received: bool = False,
    ) -> str:
        return self._act(
            negotiation_id,
            lambda n: n.open_article(
                actor,
                number=number,
                title=title,
                category=category,
                current_language=current_language,
                as_received=as_received,
            ),
        )

    def request_late_article(
        self,
        negotiation_id: UUID,
        actor: Actor,
        *,
        number: str,
        title: str,
        category: Category,
        current_language: str = "",
        as_received: bool = False,
    ) -> str:
        return self._act(
            negotiation_id,
            lambda n: n.request_late_article(
                actor,
                number=number,
                title=title,
                category=category,
                current_language=current_language,
                as_received=as_received,
            ),
        )

    def consent_to_late_article(
        self, negotiation_id: UUID, actor: Actor, *, request_id: str, as_received: bool = False
    ) -> str:
        return self._act(
            negotiation_id,
            lambda n: n.consent_to_late_article(
                actor, request_id=request_id, as_received=as_received
            ),
        )

    def withdraw_article(
        self, negotiation_id: UUID, actor: Actor, *, article_id: str, as_received: bool = False
    ) -> None:
        self._act(
            negotiation_id,
            lambda n: n.withdraw_article(actor, article_id=article_id, as_received=as_received),
        )

    def consent_to_reopen(
        self, negotiation_id: UUID, actor: Actor, *, article_id: str, as_received: bool = False
    ) -> bool:
        return self._act(
            negotiation_id,
            lambda n: n.consent_to_reopen(actor, article_id=article_id, as_received=as_received),
        )

    # ------------------------------------------------------------------ drafts & proposals
    def draft_proposal(
        self, negotiation_id: UUID, actor: Actor, *, article_id: str, text: str
    ) -> str:
        return self._act(
            negotiation_id, lambda n: n.draft_proposal(actor, article_id=article_id, text=text)
        )

    def revise_draft(
        self,
        negotiation_id: UUID,
        actor: Actor,
        *,
        draft_id: str,
        text: str,
        expected_revision: int | None = None,
    ) -> None:
        self._act(
            negotiation_id,
            lambda n: n.revise_draft(
                actor, draft_id=draft_id, text=text, expected_revision=expected_revision
            ),
        )

    def table_draft(
        self,
        negotiation_id: UUID,
        actor: Actor,
        *,
        draft_id: str,
        answers: str | None = None,
        revises: str | None = None,
    ) -> str:
        return self._act(
            negotiation_id,
            lambda n: n.table_draft(actor, draft_id=draft_id, answers=answers, revises=revises),
        )

    def table_proposal(
        self,
        negotiation_id: UUID,
        actor: Actor,
        *,
        article_id: str,
        text: str,
        answers: str | None = None,
        revises: str | None = None,
        as_received: bool = False,
        expected_revision: int | None = None,
    ) -> str:
        return self._act(
            negotiation_id,
            lambda n: n.table_proposal(
                actor,
                article_id=article_id,
                text=text,
                answers=answers,
                revises=revises,
                as_received=as_received,
                expected_revision=expected_revision,
            ),
        )

    def withdraw_proposal(
        self,
        negotiation_id: UUID,
        actor: Actor,
        *,
        article_id: str,
        proposal_id: str,
        as_received: bool = False,
    ) -> None:
        self._act(
            negotiation_id,
            lambda n: n.withdraw_proposal(
                actor, article_id=article_id, proposal_id=proposal_id, as_received=as_received
            ),
        )

    def sign_ta(
        self,
        negotiation_id: UUID,
        actor: Actor,
        *,
        article_id: str,
        proposal_id: str,
        as_received: bool = False,
    ) -> bool:
        return self._act(
            negotiation_id,
            lambda n: n.sign_ta(
                actor, article_id=article_id, proposal_id=proposal_id, as_received=as_received
            ),
        )

    def table_package(
        self,
        negotiation_id: UUID,
        actor: Actor,
        *,
        items: list[dict[str, Any]],
        as_received: bool = False,
    ) -> tuple[str, list[str]]:
        return self._act(
            negotiation_id, lambda n: n.table_package(actor, items=items, as_received=as_received)
        )

    def accept_package(
        self, negotiation_id: UUID, actor: Actor, *, package_id: str, as_received: bool = False
    ) -> None:
        self._act(
            negotiation_id,
            lambda n: n.accept_package(actor, package_id=package_id, as_received=as_received),
        )

    def withdraw_package(
        self, negotiation_id: UUID, actor: Actor, *, package_id: str, as_received: bool = False
    ) -> None:
        self._act(
            negotiation_id,
            lambda n: n.withdraw_package(actor, package_id=package_id, as_received=as_received),
        )

    # ------------------------------------------------------------------ sessions
    def schedule_session(
        self,
        negotiation_id: UUID,
        actor: Actor,
        *,
        title: str,
        visibility: Visibility,
        location: str,
        starts_at: datetime,
        capacity: int | None = None,
        livestream_url: str | None = None,
        languages: tuple[str, ...] = (),
    ) -> str:
        return self._act(
            negotiation_id,
            lambda n: n.schedule_session(
                actor,
                title=title,
                visibility=visibility,
                location=location,
                starts_at=starts_at,
                capacity=capacity,
                livestream_url=livestream_url,
                languages=languages,
            ),
        )

    def change_session_visibility(
        self, negotiation_id: UUID, actor: Actor, *, session_id: str, visibility: Visibility
    ) -> None:
        self._act(
            negotiation_id,
            lambda n: n.change_session_visibility(
                actor, session_id=session_id, visibility=visibility
            ),
        )

    def open_session(self, negotiation_id: UUID, actor: Actor, *, session_id: str) -> None:
        self._act(negotiation_id, lambda n: n.open_session(actor, session_id=session_id))

    def recess_session(self, negotiation_id: UUID, actor: Actor, *, session_id: str) -> None:
        self._act(negotiation_id, lambda n: n.recess_session(actor, session_id=session_id))

    def resume_session(self, negotiation_id: UUID, actor: Actor, *, session_id: str) -> None:
        self._act(negotiation_id, lambda n: n.resume_session(actor, session_id=session_id))

    def close_session(self, negotiation_id: UUID, actor: Actor, *, session_id: str) -> None:
        self._act(negotiation_id, lambda n: n.close_session(actor, session_id=session_id))

    def set_agenda(
        self, negotiation_id: UUID, actor: Actor, *, session_id: str, article_ids: list[str]
    ) -> None:
        self._act(
            negotiation_id,
            lambda n: n.set_agenda(actor, session_id=session_id, article_ids=article_ids),
        )

    def bring_to_table(
        self, negotiation_id: UUID, actor: Actor, *, session_id: str, article_id: str
    ) -> None:
        self._act(
            negotiation_id,
            lambda n: n.bring_to_table(actor, session_id=session_id, article_id=article_id),
        )

    def call_caucus(self, negotiation_id: UUID, actor: Actor, *, session_id: str) -> None:
        self._act(negotiation_id, lambda n: n.call_caucus(actor, session_id=session_id))

    def end_caucus(self, negotiation_id: UUID, actor: Actor, *, session_id: str) -> None:
        self._act(negotiation_id, lambda n: n.end_caucus(actor, session_id=session_id))

    def count_attendance(
        self, negotiation_id: UUID, actor: Actor, *, session_id: str, count: int
    ) -> None:
        self._act(
            negotiation_id, lambda n: n.count_attendance(actor, session_id=session_id, count=count)
        )

    def record_team_note(
        self,
        negotiation_id: UUID,
        actor: Actor,
        *,
        text: str,
        session_id: str | None = None,
        article_id: str | None = None,
    ) -> str:
        return self._act(
            negotiation_id,
            lambda n: n.record_team_note(
                actor, text=text, session_id=session_id, article_id=article_id
            ),
        )

    def publish_bulletin(
        self, negotiation_id: UUID, actor: Actor, *, session_id: str, text: str
    ) -> None:
        self._act(
            negotiation_id, lambda n: n.publish_bulletin(actor, session_id=session_id, text=text)
        )
