"""Builders for domain unit tests: the people at the table and negotiations in a given state."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
import pytest

from negotiation.domain.actors import Actor
from negotiation.domain.ground_rules import GroundRules
from negotiation.domain.negotiation import Negotiation

UNION_CHIEF = Actor(account_id="union-chief", name="Rosa Ortega")
UNION_MEMBER = Actor(account_id="union-member", name="Luis Park")
EMPLOYER_CHIEF = Actor(account_id="employer-chief", name="Dana Whitfield")
EMPLOYER_MEMBER = Actor(account_id="employer-member", name="Sam Hale")
FACILITATOR = Actor(account_id="facilitator", name="Mira Chen")
ADMIN = Actor(account_id="admin", name="Site Admin", is_admin=True)
OUTSIDER = Actor(account_id="outsider", name="Pat Nobody")


def now() -> datetime:
    return datetime.now(UTC)


def an_hour_ago() -> datetime:
    return now() - timedelta(hours=1)


def in_a_week() -> datetime:
    return now() + timedelta(days=7)


def new_negotiation(*, employer_on_platform: bool = True, with_members: bool = True) -> Negotiation:
    """A negotiation opened by the union chief; the employer chief and a facilitator named."""
    negotiation = Negotiation.open(
        actor=UNION_CHIEF,
        title="Teachers 2025",
        kind="collective_bargaining",
        bargaining_unit="Certificated teachers",
        union_name="Springfield Teachers Union",
        employer_name="Springfield Unified School District",
        opener_party="union",
        other_chief=EMPLOYER_CHIEF if employer_on_platform else None,
        facilitator=FACILITATOR,
    )
    if with_members:
        negotiation.add_team_member(UNION_CHIEF, member=UNION_MEMBER, party="union")
        if employer_on_platform:
            negotiation.add_team_member(EMPLOYER_CHIEF, member=EMPLOYER_MEMBER, party="employer")
    return negotiation


def agree_ground_rules(negotiation: Negotiation, **rules: Any) -> None:
    """The union offers the ground rules and the employer agrees (or it is recorded as received
    when the employer has no team on the platform)."""
    offer_id = negotiation.propose_ground_rules(UNION_CHIEF, rules=GroundRules(**rules))
    if negotiation.party_on_platform("employer"):
        negotiation.agree_ground_rules(EMPLOYER_CHIEF, offer_id=offer_id)
    else:
        negotiation.agree_ground_rules(UNION_CHIEF, offer_id=offer_id, as_received=True)


def schedule_session(negotiation: Negotiation, *, visibility: str = "closed") -> str:
    return negotiation.schedule_session(
        UNION_CHIEF,
        title="Session",
        visibility=visibility,  # type: ignore[arg-type]
        location="District office, room 4",
        starts_at=now(),
    )


def open_session(negotiation: Negotiation) -> str:
    session_id = schedule_session(negotiation)
    negotiation.open_session(UNION_CHIEF, session_id=session_id)
    return session_id


@dataclass
class Table:
    """A negotiation with ground rules agreed and (unless asked otherwise) a session open."""

    negotiation: Negotiation
    session_id: str | None

    def article(self, number: str = "12", *, by: Actor = UNION_CHIEF) -> str:
        return self.negotiation.open_article(
            by, number=number, title=f"Article {number}", category="non_economic"
        )

    def propose(self, article_id: str, text: str, *, by: Actor = UNION_CHIEF, **kw: Any) -> str:
        return self.negotiation.table_proposal(by, article_id=article_id, text=text, **kw)

    def agree(self, article_id: str, proposal_id: str) -> None:
        """Both chiefs sign the TA on the given version."""
        self.negotiation.sign_ta(UNION_CHIEF, article_id=article_id, proposal_id=proposal_id)
        self.negotiation.sign_ta(EMPLOYER_CHIEF, article_id=article_id, proposal_id=proposal_id)

    def article_state(self, article_id: str) -> Any:
        return self.negotiation.state.articles[article_id]

    def proposal_state(self, article_id: str, proposal_id: str) -> Any:
        return self.article_state(article_id).proposal(proposal_id)

    def last_event(self) -> Any:
        return self.negotiation.pending_events[-1]


def at_the_table(*, session: bool = True, employer_on_platform: bool = True, **rules: Any) -> Table:
    negotiation = new_negotiation(employer_on_platform=employer_on_platform)
    agree_ground_rules(negotiation, **rules)
    session_id = open_session(negotiation) if session else None
    return Table(negotiation=negotiation, session_id=session_id)


def event_names(negotiation: Negotiation) -> list[str]:
    return [type(e).__name__ for e in negotiation.pending_events]


@contextmanager
def refused(negotiation: Negotiation, error: type[BaseException]) -> Iterator[Any]:
    """Expect the command in the block to be refused with `error` and to record nothing:
    no new pending event, the same version and the same state."""
    events_before = len(negotiation.pending_events)
    version_before = negotiation.version
    state_before = msgspec.msgpack.encode(negotiation.state)
    with pytest.raises(error) as info:
        yield info
    assert len(negotiation.pending_events) == events_before, "a refused command recorded events"
    assert negotiation.version == version_before
    assert msgspec.msgpack.encode(negotiation.state) == state_before, "refusal changed the state"
    assert str(info.value).strip(), "a refusal needs a message a person understands"
