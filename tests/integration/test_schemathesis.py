"""Property-based: whatever schemathesis sends that fits (or breaks) our own OpenAPI schema,
the API answers with something other than a server error."""

from datetime import UTC, datetime

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from negotiation.domain.ground_rules import GroundRules


@pytest.fixture(scope="module")
def fuzz_table(server, negotiations):
    """A real negotiation whose id is used in generated paths, so requests reach the domain."""
    union = server.person(name="Fuzz Union")
    employer = server.person(name="Fuzz Employer")
    negotiation_id = negotiations.open_negotiation(
        union.actor,
        title="Fuzzing",
        kind="collective_bargaining",
        bargaining_unit="Unit",
        union_name="Union",
        employer_name="Employer",
        opener_party="union",
        other_chief=employer.actor,
    )
    offer = negotiations.propose_ground_rules(
        negotiation_id, union.actor, rules=GroundRules(written_exchange_allowed=True)
    )
    negotiations.agree_ground_rules(negotiation_id, employer.actor, offer_id=offer)
    session_id = negotiations.schedule_session(
        negotiation_id,
        union.actor,
        title="",
        visibility="open",
        location="Hall",
        starts_at=datetime.now(UTC),
    )
    negotiations.open_session(negotiation_id, union.actor, session_id=session_id)
    negotiations.open_article(
        negotiation_id, union.actor, number="1", title="Recognition", category="non_economic"
    )
    return negotiation_id, union


@pytest.fixture(scope="module")
def api_schema(server):
    return schemathesis.openapi.from_url(f"{server.url}/schema/openapi.json")


schema = schemathesis.pytest.from_fixture("api_schema").exclude(
    # These would sign the fuzzing account out mid-run; they have their own tests.
    path_regex=r"^/api/auth/(logout|tokens/\{token_id\})$"
)


@schema.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_never_answers_with_a_server_error(case, server, fuzz_table):
    negotiation_id, chief = fuzz_table
    if case.path_parameters and "negotiation_id" in case.path_parameters:
        case.path_parameters["negotiation_id"] = str(negotiation_id)
    case.call_and_validate(base_url=server.url, headers=chief.headers, checks=[not_a_server_error])
