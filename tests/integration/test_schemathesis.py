"""Property-based: whatever schemathesis sends that fits (or breaks) our own OpenAPI schema, the
API answers as the schema says: every built-in check (`schemathesis run --checks all`) in-process.

Two allowances, for reasons the schema cannot carry: a 422 for schema-valid data is a domain rule
about values (an empty note, one article twice in a package), and a NUL character anywhere in a
request is refused with a 400 (PostgreSQL cannot store one; web/errors.py says so in a sentence).
"""

from datetime import UTC, datetime
from uuid import UUID

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import positive_data_acceptance

from negotiation.domain.ground_rules import GroundRules
from projections.events import SELECT_HEAD


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
    loaded = schemathesis.openapi.from_url(f"{server.url}/schema/openapi.json")
    loaded.config.checks.positive_data_acceptance.expected_statuses = [
        "2xx", "401", "403", "404", "409", "422", "429"
    ]
    # A body over the 2 MB limit is refused as too large before anyone reads it.
    negative = loaded.config.checks.negative_data_rejection
    negative.expected_statuses = [*negative.expected_statuses, "413"]
    return loaded


schema = schemathesis.pytest.from_fixture("api_schema").exclude(
    # These would sign the fuzzing account out mid-run; they have their own tests.
    path_regex=r"^/api/auth/(logout|tokens/\{token_id\})$"
)


def _is_uuid(value: object) -> bool:
    try:
        UUID(str(value))
    except ValueError:
        return False
    return value is not None


@schema.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_answers_as_its_schema_says(case, server, fuzz_table):
    negotiation_id, chief = fuzz_table
    if case.path_parameters and _is_uuid(case.path_parameters.get("negotiation_id")):
        # A well-formed id reaches the real table; a malformed one (a negative case) stays.
        case.path_parameters["negotiation_id"] = str(negotiation_id)
    after = str((case.query or {}).get("after", ""))
    if after.isdigit() and int(after) > 0:
        # A read's `after` past the log's head is refused by design (web/controllers/reads.py):
        # no command ever answered with it. The schema cannot know the head; the test can.
        head = server.run(server.identity.pool.fetchval(SELECT_HEAD))
        case.query["after"] = min(int(after), head)
    carries_nul = "\\x00" in repr((case.path_parameters, case.query, case.headers, case.body))
    case.call_and_validate(
        base_url=server.url,
        headers=chief.headers,
        additional_checks=[not_a_server_error],
        excluded_checks=[positive_data_acceptance] if carries_nul else [],
    )


async def test_the_schema_documents_each_refusal_and_closes_request_bodies(http):
    document = (await http.get("/schema/openapi.json")).json()
    note = document["paths"]["/api/negotiations/{negotiation_id}/notes"]["post"]
    for code in ("400", "401", "403", "404", "409", "415", "422"):
        body = note["responses"][code]["content"]["application/json"]["schema"]
        assert body == {"$ref": "#/components/schemas/Error"}, code
    assert document["components"]["schemas"]["Error"]["required"] == [
        "status_code",
        "rule",
        "detail",
    ]
    assert "429" in document["paths"]["/api/auth/login"]["post"]["responses"]
    account = document["components"]["schemas"]["CreateAccount"]
    assert account["additionalProperties"] is False
    assert account["properties"]["bargaining_units"]["items"]["minLength"] == 1
    (after,) = [
        p for p in document["paths"]["/api/audit"]["get"]["parameters"] if p["name"] == "after"
    ]
    assert after["schema"]["maximum"] == 2**63 - 1


async def test_options_and_405_list_every_method_of_the_path(http, people):
    person = people()
    options = await http.options("/api/auth/tokens", headers=person.headers)
    assert set(options.headers["allow"].split(", ")) == {"GET", "OPTIONS", "POST"}
    wrong = await http.patch("/api/auth/tokens", headers=person.headers)
    assert wrong.status_code == 405
    assert set(wrong.headers["allow"].split(", ")) == {"GET", "OPTIONS", "POST"}
    assert wrong.json()["rule"] == "method_not_allowed"
