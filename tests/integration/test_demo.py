"""The demo negotiation, loaded through the commands, shows a table in mid-bargaining."""

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID, uuid4

import msgspec
import pytest

from demo import DEMO_ACCOUNTS, DEMO_TITLE, load_demo
from negotiation.application import Negotiations
from negotiation.database import drop_database, ensure_database_exists
from negotiation.domain import errors
from negotiation.domain.actors import Actor
from negotiation.domain.articles import Article
from negotiation.domain.negotiation import Negotiation, NegotiationState
from tests.support import run_cli


@dataclass(frozen=True)
class LoadedDemo:
    negotiation_id: UUID
    actors: dict[str, Actor]
    state: NegotiationState
    event_names: list[str]


def _snapshot(negotiation: Negotiation) -> NegotiationState:
    # A private copy, so the assertions never touch the application's cached aggregate.
    return msgspec.msgpack.decode(msgspec.msgpack.encode(negotiation.state), type=NegotiationState)


@pytest.fixture(scope="module")
def demo(negotiations: Negotiations) -> Iterator[LoadedDemo]:
    actors = {
        account.username: Actor(
            account_id=uuid4().hex, name=account.display_name, is_admin=account.is_admin
        )
        for account in DEMO_ACCOUNTS
    }
    negotiation_id = load_demo(negotiations, actors)
    state = negotiations.read(negotiation_id, _snapshot)
    event_names = [
        type(e).__name__ for e in negotiations.repository.event_store.get(negotiation_id)
    ]
    yield LoadedDemo(negotiation_id, actors, state, event_names)


def _by_number(state: NegotiationState, number: str) -> Article:
    return next(a for a in state.articles.values() if a.number == number)


def test_demo_accounts_cover_every_role_with_demo_passwords() -> None:
    usernames = [a.username for a in DEMO_ACCOUNTS]
    assert len(usernames) == len(set(usernames))
    assert all(u == u.lower() for u in usernames)
    assert all(len(a.password) >= 10 for a in DEMO_ACCOUNTS)
    assert sum(a.is_admin for a in DEMO_ACCOUNTS) == 1
    assert sum(bool(a.bargaining_units) for a in DEMO_ACCOUNTS) >= 5  # union team + unit members


def test_demo_is_a_collective_bargaining_table_with_both_teams(demo: LoadedDemo) -> None:
    state = demo.state
    assert state.title == DEMO_TITLE
    assert state.kind == "collective_bargaining"
    assert state.parties["union"].name == "Riverside Educators Association"
    assert state.parties["employer"].name == "Riverside Unified School District"
    parties = [m.party for m in state.team.values()]
    assert parties.count("union") == 3
    assert parties.count("employer") == 2
    assert sorted(m.role for m in state.team.values()).count("chief") == 2
    assert list(state.facilitators.values()) == ["Ruth Nakamura"]


def test_ground_rules_allow_open_sessions_and_the_cutoff_has_passed(demo: LoadedDemo) -> None:
    rules = demo.state.ground_rules
    assert rules is not None
    assert rules.open_sessions_allowed and rules.written_exchange_allowed
    assert rules.proposal_cutoff is not None and rules.proposal_cutoff < datetime.now(UTC)
    assert "GroundRulesAmended" in demo.event_names
    green = _by_number(demo.state, "28")
    assert green.late and green.title == "Green Schools"  # opened after the cut-off by consent


def test_articles_span_all_three_categories_with_current_language(demo: LoadedDemo) -> None:
    articles = list(demo.state.articles.values())
    assert len(articles) == 14
    assert {a.category for a in articles} == {"economic", "non_economic", "common_good"}
    assert "fourteen thousand four hundred dollars" in _by_number(demo.state, "17").current_language
    assert _by_number(demo.state, "25").current_language == ""  # a new subject


def test_several_articles_are_agreed_but_the_whole_ta_is_not_reached(demo: LoadedDemo) -> None:
    state = demo.state
    agreed = sorted(a.number for a in state.articles.values() if a.status == "agreed")
    assert agreed == ["10", "11", "14", "5"]
    for number in agreed:
        article = _by_number(state, number)
        assert set(article.ta_signatures.values()) == {article.agreed_proposal_id}
    assert [a.number for a in state.articles.values() if a.status == "withdrawn"] == ["6"]
    assert sum(a.status == "open" for a in state.articles.values()) == 9
    assert state.whole_ta is None


def test_proposals_change_their_language_between_versions(demo: LoadedDemo) -> None:
    class_size = _by_number(demo.state, "9")
    texts = [p.text for p in class_size.proposals]
    assert len(texts) == 5
    assert len(set(texts)) == 5
    assert "twenty (20)" in texts[0] and "twenty-four (24)" in texts[1]
    assert [p.party for p in class_size.proposals] == [
        "union",
        "employer",
        "union",
        "employer",
        "union",
    ]
    assert all(
        p.answers == prev.proposal_id
        for prev, p in zip(class_size.proposals, class_size.proposals[1:], strict=False)
    )


def test_the_district_package_was_rejected_by_a_counter_on_salary(demo: LoadedDemo) -> None:
    (package,) = demo.state.packages.values()
    assert package.party == "employer"
    assert package.status == "rejected"
    salary, health = (demo.state.articles[a] for a in package.article_ids)
    assert salary.number == "16" and health.number == "17"
    assert salary.proposals[-1].party == "union"
    assert salary.proposals[-1].answers == package.proposal_ids[0]
    # The health item stands on its own as the District's live proposal.
    standing = health.live_proposal("employer")
    assert standing is not None and standing.proposal_id == package.proposal_ids[1]


def test_a_proposal_was_withdrawn(demo: LoadedDemo) -> None:
    evaluation = _by_number(demo.state, "12")
    # The District's counter was withdrawn; its first proposal stays superseded (not revived),
    # so the Association's counter is the one version left on the table.
    assert [p.status for p in evaluation.proposals] == ["superseded", "live", "withdrawn"]
    latest = evaluation.latest_on_table()
    assert latest is not None and latest.party == "union"


def test_past_sessions_are_closed_with_bulletins_and_the_last_one_is_running(
    demo: LoadedDemo,
) -> None:
    sessions = sorted(demo.state.sessions.values(), key=lambda s: s.number)
    assert [s.status for s in sessions] == ["closed", "closed", "closed", "open"]
    assert {s.visibility for s in sessions} == {"open", "members", "closed"}
    assert all(s.bulletins and s.agenda and s.attendance for s in sessions[:3])
    live = sessions[-1]
    assert live.visibility == "open"
    assert live.livestream_url
    assert live.caucus is None
    assert live.attendance == 212
    assert live.article_on_table == _by_number(demo.state, "9").article_id
    assert live.starts_at < datetime.now(UTC)
    assert demo.event_names.count("CaucusCalled") == demo.event_names.count("CaucusEnded") >= 3


def test_each_team_keeps_private_notes_and_drafts(demo: LoadedDemo) -> None:
    state = demo.state
    assert {n.party for n in state.notes} == {"union", "employer"}
    untabled = [d for d in state.drafts.values() if d.tabled_as is None]
    assert {d.party for d in untabled} == {"union", "employer"}
    tabled = [d for d in state.drafts.values() if d.tabled_as is not None]
    assert len(tabled) == 1 and tabled[0].revision == 2


def test_a_team_cannot_reach_the_other_teams_draft(
    demo: LoadedDemo, negotiations: Negotiations
) -> None:
    district_draft = next(
        d for d in demo.state.drafts.values() if d.party == "employer" and d.tabled_as is None
    )
    with pytest.raises(errors.NotFound):
        negotiations.revise_draft(
            demo.negotiation_id,
            demo.actors["maria.lopez"],
            draft_id=district_draft.draft_id,
            text="Not ours to change.",
        )


async def test_the_demo_command_loads_the_story_from_the_demo_package_once(database) -> None:
    # given: a database of its own, as a new install has
    config = database.with_dbname(f"demo_cli_{uuid4().hex[:10]}")
    await asyncio.to_thread(ensure_database_exists, config)
    try:
        # when
        first = await run_cli(config.dsn(), "demo")
        second = await run_cli(config.dsn(), "demo")
    finally:
        await asyncio.to_thread(drop_database, config)
    # then
    assert first[0] == 0, first[1]
    assert "Loaded the demo negotiation" in first[1]
    assert all(account.username in first[1] for account in DEMO_ACCOUNTS)
    assert second[0] == 0, second[1]
    assert "The demo is already loaded." in second[1]
