"""The application service: verb_noun commands that load a negotiation, act, and save its events.

Concurrency: commands on one negotiation are serialized inside a process by a striped lock, so
the cached aggregate is never shared mid-command. Across processes the event store's unique
(originator_id, version) is the arbiter: a losing save is retried from the fresh state, where
the domain rules decide again (a counter that no longer answers the latest proposal is
refused by name rather than merged).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any, ClassVar, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import RecordConflictError, Transcoder

from negotiation.domain import errors
from negotiation.domain.actors import Actor, Party, TeamRole
from negotiation.domain.articles import Category
from negotiation.domain.ground_rules import GroundRules, Visibility
from negotiation.domain.negotiation import Negotiation
from negotiation.transcoder import MsgspecTranscoder

T = TypeVar("T")

SAVE_ATTEMPTS = 5
LOCK_STRIPES = 256


def _project(aggregate: Negotiation | None, events: Iterable[Any]) -> Negotiation | None:
    """Replay without the library's per-event Protocol isinstance check (half the load time)."""
    for domain_event in events:
        aggregate = domain_event.mutate(aggregate)
    return aggregate


class Negotiations(Application[UUID]):
    """Every bargaining table's event stream, stored in the `negotiations_events` table."""

    name = "Negotiations"
    snapshotting_intervals: ClassVar[dict[type[Any], int]] = {Negotiation: 200}
    env: ClassVar[dict[str, str]] = {
        "AGGREGATE_CACHE_MAXSIZE": "500",
        "AGGREGATE_CACHE_FASTFORWARD": "y",
        "DEEPCOPY_FROM_AGGREGATE_CACHE": "n",
    }

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        super().__init__(env)
        self._locks = [threading.Lock() for _ in range(LOCK_STRIPES)]

    def construct_transcoder(self) -> Transcoder:
        return MsgspecTranscoder()

    # ------------------------------------------------------------------ plumbing
    def _lock(self, negotiation_id: UUID) -> threading.Lock:
        return self._locks[negotiation_id.int % LOCK_STRIPES]

    def _load(self, negotiation_id: UUID) -> Negotiation:
        try:
            return self.repository.get(
                negotiation_id, projector_func=_project, deepcopy_from_cache=False
            )
        except AggregateNotFoundError:
            raise errors.NotFound(f"No negotiation {negotiation_id}.") from None

    def _evict(self, negotiation_id: UUID) -> None:
        cache = self.repository.cache
        if cache is not None:
            with contextlib.suppress(KeyError):
                cache.get(negotiation_id, evict=True)

    def read(self, negotiation_id: UUID, view: Callable[[Negotiation], T]) -> T:
        """Run a read-only function on the current state (under the lock: state is shared)."""
        with self._lock(negotiation_id):
            return view(self._load(negotiation_id))

    def _act(self, negotiation_id: UUID, command: Callable[[Negotiation], T]) -> T:
        with self._lock(negotiation_id):
            for _ in range(SAVE_ATTEMPTS):
                negotiation = self._load(negotiation_id)
                try:
                    result = command(negotiation)
                    self.save(negotiation)
                except RecordConflictError:
                    # Another process saved first: reload and let the rules decide again.
                    self._evict(negotiation_id)
                    continue
                except BaseException:
                    # A refusal happens before any event is triggered; if one slipped through,
                    # the cached object holds unsaved changes and must not be reused.
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
