"""Over HTTP, as the outside differential check found it: after both parties reopen a TA'd
article, its TA'd version is live again and bargaining continues from it."""

from tests.support import expect, open_table


async def _reopened(http, table):
    article = await expect(
        await http.post(
            f"{table.base}/articles",
            headers=table.union.headers,
            json={"number": "5", "title": "Grievance procedure", "category": "non_economic"},
        ),
        201,
    )
    proposals = f"{table.base}/articles/{article['id']}/proposals"
    agreed = await expect(
        await http.post(proposals, headers=table.union.headers, json={"text": "30 days."}), 201
    )
    for chief in (table.union, table.employer):
        await expect(
            await http.post(f"{proposals}/{agreed['id']}/ta", headers=chief.headers, json={}), 200
        )
    for chief in (table.union, table.employer):
        await expect(
            await http.post(
                f"{table.base}/articles/{article['id']}/reopen", headers=chief.headers, json={}
            ),
            200,
        )
    return proposals, agreed["id"]


async def test_a_proposal_ignoring_the_reopened_tad_version_is_refused(http, people):
    # given
    table = await open_table(http, people)
    proposals, _ = await _reopened(http, table)
    # when
    answer = await http.post(
        proposals, headers=table.employer.headers, json={"text": "45 days.", "answers": None}
    )
    # then
    assert answer.status_code == 409
    assert answer.json()["rule"] == "must_answer_latest_proposal"


async def test_a_counter_answering_the_reopened_tad_version_is_tabled(http, people):
    # given
    table = await open_table(http, people)
    proposals, agreed = await _reopened(http, table)
    # when
    counter = await http.post(
        proposals, headers=table.employer.headers, json={"text": "45 days.", "answers": agreed}
    )
    # then
    assert counter.status_code == 201


async def test_the_reopened_tad_version_can_be_withdrawn_by_its_proposer(http, people):
    # given
    table = await open_table(http, people)
    proposals, agreed = await _reopened(http, table)
    # when
    withdrawn = await http.post(
        f"{proposals}/{agreed}/withdraw", headers=table.union.headers, json={}
    )
    # then
    assert withdrawn.status_code == 200
