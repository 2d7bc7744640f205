"""The read-model routes around a closed session: the teams see its content, nobody else does
(redlines, bulletin drafts and published bulletins included)."""

import json

from tests.live_support import FeedClient
from tests.support import expect, open_article, open_table, table_proposal


def ws_url(server, negotiation_id, query="feed=board"):
    return f"ws://127.0.0.1:{server.port}/ws/negotiations/{negotiation_id}/?{query}"


async def _closed_session_with_a_proposal(http, people):
    table = await open_table(http, people, visibility="closed")
    article = await open_article(
        http, table, number="4", title="Wages", category="economic", current_language="3% a year."
    )
    proposal = await table_proposal(http, table, article["id"], table.union, "6% a year, secretly.")
    sessions = f"{table.base}/sessions/{table.session_id}"
    await expect(
        await http.post(
            f"{sessions}/bulletins",
            headers=table.union.headers,
            json={"text": "Team-only summary."},
        ),
        201,
    )
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


async def test_what_was_tabled_while_closed_stays_with_the_teams_when_the_session_opens(
    server, http, people
):
    """DOMAIN.md: visibility is fixed when a thing is recorded. A session closed → a proposal
    and a bulletin → the session made open: the public sees the article's status and what is
    recorded afterwards, never the language tabled while it was closed (API, feed, audit)."""
    table, article_id, proposal_id, sessions = await _closed_session_with_a_proposal(http, people)
    await expect(
        await http.put(
            f"{sessions}/visibility", headers=table.union.headers, json={"visibility": "open"}
        ),
        200,
    )
    counter = await table_proposal(
        http, table, article_id, table.employer, "2% a year, in the open.", answers=proposal_id
    )
    member = people(units=("Educators",))
    for headers in ({}, member.headers):
        # the API: status and the open counter, not the closed proposal
        article = await expect(
            await http.get(f"{table.base}/articles/{article_id}", headers=headers), 200
        )
        assert [p["proposal_id"] for p in article["proposals"]] == [counter["id"]]
        assert article["hidden_proposals"] == 1
        assert article["status"] == "proposed"
        whole = await expect(await http.get(table.base, headers=headers), 200)
        (summary,) = whole["articles"]
        assert summary["status"] == "proposed" and summary["latest_party"] == "employer"
        (session,) = whole["sessions"]
        assert session["details_visible"] and session["bulletins"] == []
        for path in (f"articles/{article_id}/history", "board", f"sessions/{table.session_id}"):
            response = await expect(await http.get(f"{table.base}/{path}", headers=headers), 200)
            assert "secretly" not in json.dumps(response) and "Team-only" not in json.dumps(
                response
            ), path
        redline = await http.get(
            f"{table.base}/articles/{article_id}/redline",
            headers=headers,
            params={"to": proposal_id},
        )
        assert redline.status_code == 404
        published = await expect(await http.get(f"{sessions}/bulletins", headers=headers), 200)
        assert published == []
        # the session display (and the live feed, which sends the same parts)
        display = await expect(await http.get(f"{sessions}/display", headers=headers), 200)
        kinds = [p["kind"] for n, p in display["parts"].items() if n.startswith("timeline:")]
        assert "tabled" not in kinds and "countered" in kinds
        assert not [n for n in display["parts"] if n.startswith("bulletin:")]
        query = f"feed=session&session_id={table.session_id}"
        feed = FeedClient(ws_url(server, table.negotiation_id, query), headers=headers)
        await feed.open()
        snapshot = await feed.receive()
        await feed.close()
        assert snapshot["type"] == "snapshot"
        assert "secretly" not in json.dumps(snapshot) and "Team-only" not in json.dumps(snapshot)
        # the audit log: the closed proposal and bulletin are the teams'
        audit = await expect(
            await http.get(
                "/api/audit",
                headers=headers,
                params={"negotiation_id": table.negotiation_id, "limit": 1000},
            ),
            200,
        )
        types = [e["event_type"] for e in audit["entries"]]
        assert types.count("ProposalTabled") == 1  # the counter, in the open
        assert "BulletinPublished" not in types
    # the teams still see everything, with the labels it was recorded under
    audit = await expect(
        await http.get(
            "/api/audit",
            headers=table.employer.headers,
            params={"negotiation_id": table.negotiation_id, "limit": 1000},
        ),
        200,
    )
    labels = [(e["event_type"], e["visibility"]) for e in audit["entries"]]
    assert ("ProposalTabled", "teams") in labels and ("ProposalTabled", "public") in labels
    assert ("BulletinPublished", "teams") in labels
    article = await expect(
        await http.get(f"{table.base}/articles/{article_id}", headers=table.employer.headers),
        200,
    )
    assert [p["proposal_id"] for p in article["proposals"]] == [proposal_id, counter["id"]]


async def test_a_bulletin_published_in_the_open_stays_public_when_the_session_is_closed(
    http, people
):
    """DOMAIN.md: what was already public stays public when a session is closed — its
    bulletins on every route; the session's own details follow its visibility now."""
    table = await open_table(http, people, visibility="open")
    sessions = f"{table.base}/sessions/{table.session_id}"
    for text, visibility in (("Public summary.", "closed"), ("Team-only summary.", None)):
        await expect(
            await http.post(
                f"{sessions}/bulletins", headers=table.union.headers, json={"text": text}
            ),
            201,
        )
        if visibility:
            await expect(
                await http.put(
                    f"{sessions}/visibility",
                    headers=table.union.headers,
                    json={"visibility": visibility},
                ),
                200,
            )
    published = await expect(await http.get(f"{sessions}/bulletins"), 200)
    assert [b["text"] for b in published] == ["Public summary."]
    session = await expect(await http.get(sessions), 200)
    assert not session["details_visible"]
    assert [b["text"] for b in session["bulletins"]] == ["Public summary."]
    display = await expect(await http.get(f"{sessions}/display"), 200)
    assert "detail" not in display["parts"]
    bulletins = [p["text"] for n, p in display["parts"].items() if n.startswith("bulletin:")]
    assert bulletins == ["Public summary."]
    team = await expect(
        await http.get(f"{sessions}/bulletins", headers=table.employer.headers), 200
    )
    assert [b["text"] for b in team] == ["Public summary.", "Team-only summary."]
