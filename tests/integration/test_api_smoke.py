"""A first pass through the HTTP API: a proposal, a counter and a TA, and how the public sees it."""

from tests.support import expect, open_table


async def test_counterproposal_and_ta_close_the_article(http, people):
    table = await open_table(http, people)
    article = await expect(
        await http.post(
            f"{table.base}/articles",
            headers=table.union.headers,
            json={
                "number": "12",
                "title": "Class size",
                "category": "non_economic",
                "current_language": "No class shall exceed 32 students.",
            },
        ),
        201,
    )
    proposals = f"{table.base}/articles/{article['id']}/proposals"
    first = await expect(
        await http.post(
            proposals,
            headers=table.union.headers,
            json={"text": "No class shall exceed 24 students."},
        ),
        201,
    )
    counter = await expect(
        await http.post(
            proposals,
            headers=table.employer.headers,
            json={"text": "No class shall exceed 30 students.", "answers": first["id"]},
        ),
        201,
    )
    signed = await expect(
        await http.post(f"{proposals}/{counter['id']}/ta", headers=table.union.headers, json={}),
        200,
    )
    assert signed == {"article_agreed": False, "position": signed["position"]}
    first_signature = signed["position"]
    signed = await expect(
        await http.post(f"{proposals}/{counter['id']}/ta", headers=table.employer.headers, json={}),
        200,
    )
    assert signed == {"article_agreed": True, "position": signed["position"]}
    assert signed["position"] > first_signature > counter["position"] > first["position"]

    public = await expect(await http.get(f"{table.base}/articles/{article['id']}"), 200)
    assert public["status"] == "agreed"
    assert [p["text"] for p in public["proposals"]] == [
        "No class shall exceed 24 students.",
        "No class shall exceed 30 students.",
    ]
    whole = await expect(await http.get(table.base), 200)
    assert whole["whole_ta"]["agreed_article_ids"] == [article["id"]]
