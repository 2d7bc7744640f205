"""Two nodes (application objects) on one database: a node's cached negotiation is brought up
to date with the other node's events before a command decides on it."""

from collections.abc import Iterator
from uuid import uuid4

import pytest

from negotiation.application import Negotiations
from negotiation.database import DatabaseConfig
from negotiation.domain.actors import Actor
from tests.support import open_table_in


@pytest.fixture
def second_node(database: DatabaseConfig) -> Iterator[Negotiations]:
    app = Negotiations(env=database.eventsourcing_env())
    yield app
    app.close()


def test_a_counter_through_one_node_answers_a_proposal_tabled_through_the_other(
    negotiations: Negotiations, second_node: Negotiations
) -> None:
    # Given a table both nodes have loaded (and cached) before
    union = Actor(account_id=uuid4().hex, name="Union chief")
    employer = Actor(account_id=uuid4().hex, name="Employer chief")
    negotiation_id, _ = open_table_in(negotiations, union, employer, "Two nodes")
    article = negotiations.open_article(
        negotiation_id, union, number="7", title="Class size", category="non_economic",
        current_language="No class shall exceed 32.",
    )
    second_node.record_team_note(negotiation_id, employer, text="cached here now")
    # When the union tables through the first node, then the employer counters through the
    # second, whose cached copy has not seen the proposal
    first = negotiations.table_proposal(
        negotiation_id, union, article_id=article, text="No class shall exceed 24."
    )
    counter = second_node.table_proposal(
        negotiation_id, employer, article_id=article, text="No class shall exceed 30.",
        answers=first,
    )
    # Then the counter is accepted, and both nodes see both proposals in order
    for node in (negotiations, second_node):
        proposals = node.read(
            negotiation_id, lambda n: [p.proposal_id for p in n.state.articles[article].proposals]
        )
        assert proposals == [first, counter]
