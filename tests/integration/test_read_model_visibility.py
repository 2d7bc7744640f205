"""The read-model routes around a closed session: the teams see its content, nobody else does
(redlines, bulletin drafts and published bulletins included)."""

import asyncio

from tests.support import expect, open_article, open_table


async def _closed_session_with_a_proposal(http, people):
    table = await open_table(http, people, visibility="closed")
    article = await open_article(
        http, table, number="4", title="Wages", category="economic", current_language="3% a year."
    )
    proposal = await expect(
        await http.post(
            f"{table.base}/articles/{article['id']}/proposals",
            headers=table.union.headers,
            json={"text": "6% a year, secretly."},
        ),
        201,
    )
    sessions = f"{table.base}/sessions/{table.session_id}"
    await expect(
        await http.post(
            f"{sessions}/bulletins",
            headers=table.union.headers,
            json={"text": "Team-only summary."},
        ),
        201,
    )
    version = (await expect(await http.get(table.base, headers=table.union.headers), 200))[
        "version"
    ]
    for _ in range(200):  # the projection is written a few times a second
        board = await http.get(f"{table.base}/board")
        if board.status_code == 200 and board.json()["version"] == version:
            break
        await asyncio.sleep(0.05)
    return table, article["id"], proposal["id"], sessions


async def test_outsiders_get_no_redline_bulletin_or_draft_of_a_closed_session(http, people):
    table, article_id, proposal_id, sessions = await _closed_session_with_a_proposal(http, people)
    member = people(units=("Educators",))
    redline = f"{table.base}/articles/{article_id}/redline"
    for headers in ({}, member.headers, people(is_admin=True).headers):
        response = await http.get(redline, headers=headers, params={"to": proposal_id})
        assert response.status_code == 404
        assert "secretly" not in response.text
        for path in ("bulletin-draft", "bulletins"):
            response = await http.get(f"{sessions}/{path}", headers=headers)
            assert response.status_code == 404, path
            assert "Team-only" not in response.text


async def test_the_other_team_sees_a_closed_sessions_redline_and_bulletin(http, people):
    table, article_id, proposal_id, sessions = await _closed_session_with_a_proposal(http, people)
    redline = await expect(
        await http.get(
            f"{table.base}/articles/{article_id}/redline",
            headers=table.employer.headers,
            params={"to": proposal_id},
        ),
        200,
    )
    assert ("insert", ", secretly") in [(s["op"], s["text"]) for s in redline["segments"]]
    published = await expect(
        await http.get(f"{sessions}/bulletins", headers=table.employer.headers), 200
    )
    assert [b["text"] for b in published] == ["Team-only summary."]
