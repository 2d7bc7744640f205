"""Every command answers with the log position of the last event it recorded, so a client can
read its own write (`?after=position`)."""

from typing import Any
from uuid import UUID

from negotiation.application import Negotiations
from tests.support import expect, open_table


def _newest(negotiations: Negotiations, negotiation_id: str) -> tuple[int, str]:
    """The negotiation's newest stored event: its version and topic's short name."""
    (stored,) = negotiations.recorder.select_events(UUID(negotiation_id), desc=True, limit=1)
    return stored.originator_version, stored.topic.rsplit(".", 1)[-1]


def _assert_recorded_last(
    negotiations: Negotiations, negotiation_id: str, body: dict[str, Any], event: str
) -> int:
    position = body["position"]
    (notification,) = negotiations.recorder.select_notifications(start=position, limit=1)
    version, topic = _newest(negotiations, negotiation_id)
    assert notification.id == position
    assert notification.originator_id == UUID(negotiation_id)
    assert (notification.originator_version, topic) == (version, event)
    assert notification.topic.endswith(event)
    return int(position)


async def test_each_command_answers_with_the_position_of_its_last_event(http, people, negotiations):
    # given
    table = await open_table(http, people)
    nid = table.negotiation_id
    positions = []

    async def command(path: str, person: Any, body: dict[str, Any], status: int, event: str):
        answer = await expect(
            await http.post(f"{table.base}{path}", headers=person.headers, json=body), status
        )
        positions.append(_assert_recorded_last(negotiations, nid, answer, event))
        return answer

    # when / then: one command of each response shape
    article = await command(
        "/articles",
        table.union,
        {"number": "9", "title": "Class size", "category": "non_economic"},
        201,
        "ArticleOpened",
    )
    proposals = f"/articles/{article['id']}/proposals"
    first = await command(proposals, table.union, {"text": "Cap at 24."}, 201, "ProposalTabled")
    await command(f"/sessions/{table.session_id}/caucus", table.employer, {}, 200, "CaucusCalled")
    await command(
        f"/sessions/{table.session_id}/caucus/end", table.employer, {}, 200, "CaucusEnded"
    )
    signed = await command(f"{proposals}/{first['id']}/ta", table.employer, {}, 200, "TASigned")
    assert signed["article_agreed"] is False
    # The second signature records three events (signed, article agreed, whole TA reached):
    # the position is the last one's.
    agreed = await command(
        f"{proposals}/{first['id']}/ta", table.union, {}, 200, "TentativeAgreementReached"
    )
    assert agreed["article_agreed"] is True
    reopen = await command(
        f"/articles/{article['id']}/reopen", table.union, {}, 200, "ReopeningConsented"
    )
    assert reopen["reopened"] is False
    assert positions == sorted(positions) and len(set(positions)) == len(positions)


async def test_opening_a_negotiation_answers_with_the_position_of_its_first_event(
    http, people, negotiations
):
    # given
    chief = people()
    # when
    created = await expect(
        await http.post(
            "/api/negotiations",
            headers=chief.headers,
            json={
                "title": "Contract",
                "kind": "collective_bargaining",
                "bargaining_unit": "Educators",
                "union_name": "Educators Association",
                "employer_name": "Unified School District",
                "my_party": "union",
            },
        ),
        201,
    )
    # then
    _assert_recorded_last(negotiations, created["id"], created, "Opened")


async def test_a_refused_command_answers_without_a_position(http, people):
    # given
    table = await open_table(http, people)
    # when
    refused = await http.post(
        f"{table.base}/articles/nope/proposals", headers=table.union.headers, json={"text": "x"}
    )
    # then
    assert refused.status_code == 404
    assert "position" not in refused.json()
