"""Two people changing the same thing at once: one wins, the other gets a 409 it can retry
after reloading; and writes from two application instances at once are never lost."""

import asyncio
import threading
from uuid import UUID

from tests.support import add_to_team, expect, open_table


async def test_simultaneous_counters_from_one_team_one_wins_the_rest_get_409(http, people):
    table = await open_table(http, people)
    teammates = [people(name=f"Employer member {i}") for i in range(8)]
    for person in teammates:
        await add_to_team(http, table, person, "employer")
    article = await expect(
        await http.post(
            f"{table.base}/articles",
            headers=table.union.headers,
            json={"number": "7", "title": "Planning time", "category": "non_economic"},
        ),
        201,
    )
    proposals = f"{table.base}/articles/{article['id']}/proposals"
    union_first = await expect(
        await http.post(
            proposals, headers=table.union.headers, json={"text": "300 minutes a week."}
        ),
        201,
    )

    responses = await asyncio.gather(
        *(
            http.post(
                proposals,
                headers=person.headers,
                json={"text": f"{200 + i} minutes a week.", "answers": union_first["id"]},
            )
            for i, person in enumerate(teammates)
        )
    )

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * 7
    refusals = [r.json() for r in responses if r.status_code == 409]
    assert {r["rule"] for r in refusals} == {"stale_write"}
    assert all("Reload" in r["detail"] for r in refusals)
    history = await expect(await http.get(f"{table.base}/articles/{article['id']}"), 200)
    assert len(history["proposals"]) == 2  # nothing merged, nothing lost


async def test_loser_of_a_draft_race_is_told_to_reload_and_can_retry(http, people):
    table = await open_table(http, people)
    colleague = people()
    await add_to_team(http, table, colleague)
    article = await expect(
        await http.post(
            f"{table.base}/articles",
            headers=table.union.headers,
            json={"number": "9", "title": "Leaves", "category": "non_economic"},
        ),
        201,
    )
    draft = await expect(
        await http.post(
            f"{table.base}/drafts",
            headers=table.union.headers,
            json={"article_id": article["id"], "text": "v1"},
        ),
        201,
    )
    url = f"{table.base}/drafts/{draft['id']}"

    first, second = await asyncio.gather(
        http.put(url, headers=table.union.headers, json={"text": "A", "expected_revision": 1}),
        http.put(url, headers=colleague.headers, json={"text": "B", "expected_revision": 1}),
    )

    assert sorted([first.status_code, second.status_code]) == [200, 409]
    loser, loser_person = (first, table.union) if first.status_code == 409 else (second, colleague)
    assert loser.json()["rule"] == "stale_write"
    view = await expect(await http.get(table.base, headers=colleague.headers), 200)
    assert view["drafts"][0]["revision"] == 2
    retried = await http.put(
        url, headers=loser_person.headers, json={"text": "merged by hand", "expected_revision": 2}
    )
    await expect(retried, 200)


async def test_two_application_instances_writing_at_once_lose_nothing(http, people, negotiations):
    """The server and a second application (like a second node) save into the same stream;
    store conflicts are retried from fresh state, so every accepted command is recorded."""
    table = await open_table(http, people)
    negotiation_id = UUID(table.negotiation_id)
    rounds = 25
    errors: list[BaseException] = []

    def direct_writes() -> None:
        try:
            for i in range(rounds):
                negotiations.record_team_note(
                    negotiation_id, table.employer.actor, text=f"direct {i}"
                )
        except BaseException as error:  # reported by the assertion below
            errors.append(error)

    thread = threading.Thread(target=direct_writes)
    thread.start()
    responses = []
    for i in range(rounds):
        responses.append(
            await http.post(
                f"{table.base}/notes", headers=table.union.headers, json={"text": f"http {i}"}
            )
        )
    await asyncio.to_thread(thread.join)

    assert errors == []
    assert [r.status_code for r in responses] == [201] * rounds, [r.text for r in responses]
    union_view = await expect(await http.get(table.base, headers=table.union.headers), 200)
    employer_view = await expect(await http.get(table.base, headers=table.employer.headers), 200)
    assert [n["text"] for n in union_view["team_notes"]] == [f"http {i}" for i in range(rounds)]
    assert [n["text"] for n in employer_view["team_notes"]] == [
        f"direct {i}" for i in range(rounds)
    ]
