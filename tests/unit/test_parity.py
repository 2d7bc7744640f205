"""The board re-implements the aggregate's state changes: seeded random command sequences are
folded into both, and after every command they must agree on everything the board keeps."""

from __future__ import annotations

import contextlib
import random
from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any

import pytest

from negotiation.domain.actors import PLATFORM_ACTOR, Actor
from negotiation.domain.errors import NegotiationError
from negotiation.domain.ground_rules import GroundRules
from negotiation.domain.negotiation import Negotiation
from projections import board as boards
from projections.board import Board
from tests.unit.builders import ADMIN, EMPLOYER_CHIEF, FACILITATOR, UNION_CHIEF, new_negotiation
from tests.unit.recorded import EventLog

SEEDS = range(40)
STEPS = 400
EVENT_TYPES = {
    name
    for name, value in vars(Negotiation).items()
    if isinstance(value, type)
    and hasattr(value, "mutate")
    and name not in {"Snapshot", "Created", "Event"}
}


class Twin:
    """One negotiation as the aggregate keeps it and as the board folds its stored events."""

    def __init__(self) -> None:
        self.n = new_negotiation(with_members=False)
        self.log = EventLog()
        self.board: Board | None = None
        self.types: set[str] = set()  # of the events recorded
        self.fold()

    def fold(self) -> None:
        for event in self.log.take(self.n):
            self.types.add(event.type)
            self.board = boards.apply(self.board, event)


# ---------------------------------------------------------------------- the same shape from both
def _rules(r: Any) -> dict[str, Any]:
    return {
        "proposal_cutoff": r.proposal_cutoff,
        "written_exchange_allowed": r.written_exchange_allowed,
        "open_sessions_allowed": r.open_sessions_allowed,
        "members_sessions_allowed": r.members_sessions_allowed,
        "observers": r.observers,
        "interpretation_languages": list(r.interpretation_languages),
    }


def of_aggregate(n: Negotiation) -> dict[str, Any]:
    s = n.state
    offer = s.ground_rules_offer
    return {
        "version": n.version,
        "team": {a: (m.name, m.party, m.role) for a, m in s.team.items()},
        "facilitators": list(s.facilitators.values()),
        "ground_rules": _rules(s.ground_rules) if s.ground_rules else None,
        "offer": (offer.offer_id, offer.party, _rules(offer.rules)) if offer else None,
        "late": {
            r.request_id: (r.party, r.article_id, r.number, r.title, r.category, r.status)
            for r in s.late_requests.values()
        },
        "articles": {
            a.article_id: {
                "head": (a.number, a.title, a.category, a.opened_by, a.late, a.opened_at),
                "language": a.current_language,
                "status": a.status,
                "revision": a.revision,
                "agreed": a.agreed_proposal_id,
                "reopen": list(a.reopen_consents),
                # A TA by package accepted records no signatures in the aggregate; the board
                # shows both parties as signed, as it does for a TA signed by both.
                "ta": sorted(a.ta_signatures) if a.status == "open" else None,
                "proposals": [
                    (
                        p.proposal_id,
                        p.version,
                        p.party,
                        p.text,
                        p.status,
                        p.answers,
                        p.package_id,
                        p.session_id,
                        p.in_writing,
                        p.as_received,
                        p.tabled_at,
                        p.tabled_by,
                    )
                    for p in a.proposals
                ],
            }
            for a in s.articles.values()
        },
        "drafts": {
            d.draft_id: (d.article_id, d.party, d.text, d.revision, d.updated_at, d.tabled_as)
            for d in s.drafts.values()
        },
        "notes": [
            (x.note_id, x.party, x.text, x.recorded_at, x.session_id, x.article_id) for x in s.notes
        ],
        "packages": {
            p.package_id: (p.party, p.proposal_ids, p.article_ids, p.status, p.tabled_at)
            for p in s.packages.values()
        },
        "sessions": {
            x.session_id: (
                x.number,
                x.title,
                x.visibility,
                x.location,
                x.starts_at,
                x.capacity,
                x.livestream_url,
                list(x.languages),
                x.status,
                x.opened_at,
                x.closed_at,
                list(x.agenda),
                x.article_on_table,
                x.caucus.party if x.caucus else None,
                x.attendance,
                [(b.party, b.text, b.published_at) for b in x.bulletins],
            )
            for x in s.sessions.values()
        },
        "running": next((x.session_id for x in s.sessions.values() if x.running), None),
        "hidden_graphics": list(s.hidden_graphics),
        "speakers": {
            x.session_id: (x.speaker.name, x.speaker.title) if x.speaker else None
            for x in s.sessions.values()
        },
        "whole_ta": (
            (
                s.whole_ta.document_hash,
                s.whole_ta.agreed_article_ids,
                s.whole_ta.withdrawn_article_ids,
            )
            if s.whole_ta
            else None
        ),
    }


def of_board(b: Board) -> dict[str, Any]:
    offer = b.ground_rules_offer
    return {
        "version": b.version,
        "team": {a: (m.name, m.party, m.role) for a, m in b.team.items()},
        "facilitators": list(b.facilitator_names),
        "ground_rules": _rules(b.ground_rules) if b.ground_rules else None,
        "offer": (offer.offer_id, offer.party, _rules(offer.rules)) if offer else None,
        "late": {
            r.request_id: (r.party, r.article_id, r.number, r.title, r.category, r.status)
            for r in b.late_requests.values()
        },
        "articles": {
            a.article_id: {
                "head": (a.number, a.title, a.category, a.opened_by, a.late, a.opened_at),
                "language": a.current_language,
                "status": a.status,
                "revision": a.revision,
                "agreed": a.agreed_proposal_id,
                "reopen": list(a.reopen_consents),
                "ta": sorted(a.ta_signed_by) if a.status == "open" else None,
                "proposals": [
                    (
                        p.proposal_id,
                        p.version,
                        p.party,
                        p.text,
                        p.status,
                        p.answers,
                        p.package_id,
                        p.session_id,
                        p.in_writing,
                        p.as_received,
                        p.at,
                        p.by,
                    )
                    for p in a.proposals
                ],
            }
            for a in b.articles.values()
        },
        "drafts": {
            d.draft_id: (d.article_id, d.party, d.text, d.revision, d.at, d.tabled_as)
            for d in b.drafts.values()
        },
        "notes": [(x.note_id, x.party, x.text, x.at, x.session_id, x.article_id) for x in b.notes],
        "packages": {
            p.package_id: (p.party, p.proposal_ids, p.article_ids, p.status, p.tabled_at)
            for p in b.packages.values()
        },
        "sessions": {
            x.session_id: (
                x.number,
                x.title,
                x.visibility,
                x.location,
                x.starts_at,
                x.capacity,
                x.livestream_url,
                list(x.languages),
                x.status,
                x.opened_at,
                x.closed_at,
                list(x.agenda),
                x.article_on_table,
                x.caucus_party,
                x.attendance,
                [(bl.party, bl.text, bl.at) for bl in x.bulletins],
            )
            for x in b.sessions.values()
        },
        "running": b.running_session_id,
        "hidden_graphics": list(b.hidden_graphics),
        "speakers": {
            x.session_id: (x.speaker_name, x.speaker_title) if x.speaker_name else None
            for x in b.sessions.values()
        },
        "whole_ta": (
            (
                b.whole_ta.document_hash,
                b.whole_ta.agreed_article_ids,
                b.whole_ta.withdrawn_article_ids,
            )
            if b.whole_ta
            else None
        ),
    }


# ---------------------------------------------------------------------- a random table
class Driver:
    """Picks commands a table might send, from the aggregate's current state; many are
    refused (that records nothing, which the comparison checks too)."""

    def __init__(self, twin: Twin, rng: random.Random) -> None:
        self.t = twin
        self.rng = rng
        self.people = count(1)

    @property
    def n(self) -> Negotiation:
        return self.t.n

    def pick(self, items: Any) -> Any:
        items = list(items)
        return self.rng.choice(items) if items else None

    def party(self) -> str:
        return self.rng.choice(["union", "employer"])

    def member(self, party: str, *, chief: bool | None = None) -> Actor:
        team = [
            m
            for m in self.n.state.team.values()
            if m.party == party and (chief is None or (m.role == "chief") == chief)
        ]
        m = self.pick(team)
        if m is None:
            return UNION_CHIEF if party == "union" else EMPLOYER_CHIEF
        return Actor(account_id=m.account_id, name=m.name)

    def chief(self, party: str) -> Actor:
        return self.member(party, chief=True)

    def anyone(self, party: str) -> Actor:
        return self.member(party, chief=None if self.rng.random() < 0.7 else False)

    def manager(self) -> Actor:
        return FACILITATOR if self.rng.random() < 0.3 else self.chief(self.party())

    def article(self, status: str | None = None) -> Any:
        return self.pick(
            a for a in self.n.state.articles.values() if status is None or a.status == status
        )

    def session(self, *statuses: str) -> Any:
        return self.pick(
            x for x in self.n.state.sessions.values() if not statuses or x.status in statuses
        )

    def text(self) -> str:
        return f"Text {self.rng.randrange(1000)}"

    # -- the acts
    def team(self) -> None:
        party = self.party()
        roll = self.rng.random()
        if roll < 0.5:
            k = next(self.people)
            newcomer = Actor(account_id=f"p{k}", name=f"Person {k}")
            self.n.add_team_member(self.chief(party), member=newcomer, party=party)  # type: ignore[arg-type]
        elif roll < 0.7:
            m = self.member(party, chief=False)
            self.n.remove_team_member(self.chief(party), account_id=m.account_id)
        elif roll < 0.9:
            m = self.member(party, chief=False)
            self.n.name_chief_negotiator(self.chief(party), account_id=m.account_id)
        else:
            k = next(self.people)
            self.n.appoint_facilitator(
                ADMIN, facilitator=Actor(account_id=f"f{k}", name=f"Facilitator {k}")
            )

    def ground_rules(self) -> None:
        offer = self.n.state.ground_rules_offer
        if offer is not None and self.rng.random() < 0.7:
            other = "employer" if offer.party == "union" else "union"
            self.n.agree_ground_rules(self.chief(other), offer_id=offer.offer_id)
            return
        past = datetime.now(UTC) - timedelta(hours=1)
        rules = GroundRules(
            proposal_cutoff=past if self.rng.random() < 0.3 else None,
            written_exchange_allowed=self.rng.random() < 0.5,
            open_sessions_allowed=self.rng.random() < 0.8,
            members_sessions_allowed=self.rng.random() < 0.8,
            observers=self.pick(["", "members", "anyone"]),
            interpretation_languages=tuple(self.rng.sample(["es", "fr", "vi"], 2)),
        )
        self.n.propose_ground_rules(self.chief(self.party()), rules=rules)

    def open_article(self) -> None:
        if len(self.n.state.articles) >= 4:
            return
        party = self.party()
        number = str(self.rng.randrange(1, 40))
        pending = self.pick(r for r in self.n.state.late_requests.values() if r.status == "pending")
        if pending is not None and self.rng.random() < 0.5:
            other = "employer" if pending.party == "union" else "union"
            self.n.consent_to_late_article(self.chief(other), request_id=pending.request_id)
        elif self.rng.random() < 0.3:
            self.n.request_late_article(
                self.anyone(party), number=number, title=f"Late {number}", category="economic"
            )
        else:
            self.n.open_article(
                self.anyone(party),
                number=number,
                title=f"Article {number}",
                category="non_economic",
                current_language=self.text(),
            )

    def draft(self) -> None:
        party = self.party()
        own = self.pick(d for d in self.n.state.drafts.values() if d.party == party)
        roll = self.rng.random()
        if own is not None and roll < 0.4:
            self.n.revise_draft(self.anyone(party), draft_id=own.draft_id, text=self.text())
        elif own is not None and roll < 0.7:
            article = self.n.state.articles[own.article_id]
            other = article.live_proposal("employer" if party == "union" else "union")  # type: ignore[arg-type]
            self.n.table_draft(
                self.anyone(party),
                draft_id=own.draft_id,
                answers=other.proposal_id if other else None,
            )
        else:
            article = self.article("open")
            if article is not None:
                self.n.draft_proposal(
                    self.anyone(party), article_id=article.article_id, text=self.text()
                )

    def propose(self) -> None:
        article = self.article("open")
        if article is None:
            return
        party = self.party()
        other = article.live_proposal("employer" if party == "union" else "union")
        mine = article.live_proposal(party)
        answers = other.proposal_id if other and self.rng.random() < 0.9 else None
        revises = mine.proposal_id if mine and not answers else None
        self.n.table_proposal(
            self.anyone(party),
            article_id=article.article_id,
            text=self.text(),
            answers=answers,
            revises=revises,
        )

    def withdraw(self) -> None:
        article = self.article("open")
        if article is None:
            return
        party = self.party()
        if self.rng.random() < 0.2:
            self.n.withdraw_article(self.chief(party), article_id=article.article_id)
            return
        mine = article.live_proposal(party)
        if mine is not None:
            self.n.withdraw_proposal(
                self.anyone(party), proposal_id=mine.proposal_id, article_id=article.article_id
            )

    def sign(self) -> None:
        article = self.article("open")
        latest = article.latest_on_table() if article is not None else None
        if latest is None:
            return
        party = self.party()
        self.n.sign_ta(
            self.chief(party), article_id=article.article_id, proposal_id=latest.proposal_id
        )

    def reopen(self) -> None:
        article = self.article("agreed")
        if article is not None:
            self.n.consent_to_reopen(self.chief(self.party()), article_id=article.article_id)

    def package(self) -> None:
        live = self.pick(p for p in self.n.state.packages.values() if p.status == "live")
        roll = self.rng.random()
        if live is not None and roll < 0.4:
            other = "employer" if live.party == "union" else "union"
            self.n.accept_package(self.chief(other), package_id=live.package_id)
            return
        if live is not None and roll < 0.6:
            self.n.withdraw_package(self.chief(live.party), package_id=live.package_id)
            return
        party = self.party()
        articles = [a for a in self.n.state.articles.values() if a.status == "open"]
        if len(articles) < 2:
            return
        items = []
        for a in self.rng.sample(articles, 2):
            other = a.live_proposal("employer" if party == "union" else "union")  # type: ignore[arg-type]
            mine = a.live_proposal(party)  # type: ignore[arg-type]
            items.append(
                {
                    "article_id": a.article_id,
                    "text": self.text(),
                    "answers": other.proposal_id if other else None,
                    "revises": mine.proposal_id if mine and not other else None,
                }
            )
        self.n.table_package(self.anyone(party), items=items)

    def sessions(self) -> None:
        roll = self.rng.random()
        if roll < 0.15 or not self.n.state.sessions:
            self.n.schedule_session(
                self.manager(),
                title=f"Session {self.rng.randrange(99)}",
                visibility=self.pick(["open", "members", "closed"]),
                location="Room 4",
                starts_at=datetime(2026, 11, 24, 16, tzinfo=UTC)
                + timedelta(days=self.rng.randrange(30)),
                capacity=self.pick([None, 40]),
                livestream_url=self.pick([None, "https://example.org/live"]),
                languages=tuple(self.rng.sample(["en", "es"], 1)),
            )
        elif roll < 0.3:
            x = self.session("scheduled")
            if x is not None:
                self.n.open_session(self.manager(), session_id=x.session_id)
        elif roll < 0.4:
            x = self.session("open", "recessed")
            if x is not None:
                self.n.close_session(self.manager(), session_id=x.session_id)
        elif roll < 0.5:
            x = self.session("open")
            if x is not None:
                self.n.recess_session(self.manager(), session_id=x.session_id)
        elif roll < 0.58:
            x = self.session("recessed")
            if x is not None:
                self.n.resume_session(self.manager(), session_id=x.session_id)
        elif roll < 0.66:
            x = self.session("scheduled", "open", "recessed")
            if x is not None:
                self.n.change_session_visibility(
                    self.manager(),
                    session_id=x.session_id,
                    visibility=self.pick(["open", "members", "closed"]),
                )
        elif roll < 0.72:
            x = self.session()
            ids = list(self.n.state.articles)
            self.n.set_agenda(
                self.manager(), session_id=x.session_id, article_ids=self.rng.sample(ids, len(ids))
            )
        elif roll < 0.8:
            x = self.session("open")
            a = self.article()
            if x is not None and a is not None:
                self.n.bring_to_table(
                    self.manager(), session_id=x.session_id, article_id=a.article_id
                )
        elif roll < 0.88:
            x = self.session("open")
            if x is None:
                return
            party = self.party()
            if x.caucus is not None:
                self.n.end_caucus(self.anyone(x.caucus.party), session_id=x.session_id)
            else:
                self.n.call_caucus(self.anyone(party), session_id=x.session_id)
        elif roll < 0.92:
            x = self.session("open")
            if x is not None:
                self.n.count_attendance(
                    self.manager(), session_id=x.session_id, count=self.rng.randrange(100)
                )
        else:
            due = [
                (s, t, a) for s in self.n.state.sessions.values() for t, a in s.totals_due.items()
            ]
            if due:  # the platform closes the card totals of a turn that left the table
                s, turn, article_id = self.pick(due)
                self.n.close_reaction_totals(
                    PLATFORM_ACTOR,
                    session_id=s.session_id,
                    article_id=article_id,
                    turn=int(turn),
                    red=1,
                    green=2,
                    peak_red=3,
                    peak_green=4,
                )
            x = self.session("open", "recessed", "closed")
            if x is not None:
                self.n.publish_bulletin(
                    self.chief(self.party()), session_id=x.session_id, text=self.text()
                )

    def cue(self) -> None:
        """The producer's cues for the overlays: a graphic off air or back, a speaker."""
        producer = self.pick([self.anyone(self.party()), FACILITATOR, ADMIN])
        roll = self.rng.random()
        graphic = self.pick(["lower-third", "ta-counter", "caucus", "clock", "reactions"])
        if roll < 0.3:
            self.n.hide_overlay_graphic(producer, graphic=graphic)
        elif roll < 0.5:
            self.n.show_overlay_graphic(producer, graphic=graphic)
        else:
            x = self.session("open", "recessed", "scheduled")
            if x is None:
                return
            if roll < 0.8:
                name = self.pick(["Ana Ruiz", "Bo Lee"])
                title = self.pick(["", "President"])
                self.n.take_speaker_to_air(
                    producer, session_id=x.session_id, name=name, title=title
                )
            else:
                self.n.clear_speaker(producer, session_id=x.session_id)

    def note(self) -> None:
        x = self.session()
        a = self.article()
        self.n.record_team_note(
            self.anyone(self.party()),
            text=self.text(),
            session_id=x.session_id if x is not None and self.rng.random() < 0.5 else None,
            article_id=a.article_id if a is not None and self.rng.random() < 0.5 else None,
        )

    def ratify(self) -> None:
        """Call a vote on the whole TA, or record a called vote's outcome (rarely ratified:
        that ends the bargaining)."""
        ratification = self.n.state.ratification
        union = self.chief("union")
        if ratification is None:
            now = datetime.now(UTC)
            self.n.call_ratification_vote(
                union, question="Ratify?", opens_at=now, closes_at=now + timedelta(days=1)
            )
        elif ratification.status == "called":
            outcome = self.rng.choice(["rejected", "rejected", "quorum_missed", "ratified"])
            self.n.record_vote_outcome(
                union, vote_id=ratification.vote_id, outcome=outcome, counts={}, record_hash="x"
            )

    def step(self) -> None:
        act = self.rng.choices(
            [
                self.team,
                self.ground_rules,
                self.open_article,
                self.draft,
                self.propose,
                self.withdraw,
                self.sign,
                self.reopen,
                self.package,
                self.sessions,
                self.note,
                self.ratify,
                self.cue,
            ],
            weights=[3, 3, 6, 4, 14, 4, 10, 3, 5, 14, 2, 2, 2],
        )[0]
        with contextlib.suppress(NegotiationError):  # refused: nothing recorded
            act()


@pytest.mark.parametrize("seed", SEEDS)
def test_the_board_keeps_what_the_aggregate_keeps(seed: int):
    twin = Twin()
    driver = Driver(twin, random.Random(seed))
    for step in range(STEPS):
        driver.step()
        twin.fold()
        assert twin.board is not None
        assert of_board(twin.board) == of_aggregate(twin.n), f"seed {seed}, step {step}"


def test_the_seeded_runs_record_every_event_type():
    """Else the comparison proves less than it claims."""
    recorded: set[str] = set()
    for seed in SEEDS:
        twin = Twin()
        driver = Driver(twin, random.Random(seed))
        for _ in range(STEPS):
            driver.step()
            twin.fold()
        recorded |= twin.types
    assert "ProposalTabled" in EVENT_TYPES and "Opened" in EVENT_TYPES
    assert EVENT_TYPES - recorded == set()
