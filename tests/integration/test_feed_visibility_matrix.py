"""Every feed as every role: what arrives over the websocket (and the read-model routes) is
exactly what the role may see.

Three sessions (open, members-only, closed) each with a proposal, plus a draft and a note per
team; each role subscribes to the board feed, each session feed and the overlay feed, and
reads every article's history.
"""

import uuid

import pytest

from tests.live_support import FeedClient
from tests.support import expect, open_article, open_table, table_proposal

UNIT = "Matrix Unit"
ROLES = ("public", "outsider", "member", "admin", "facilitator", "union", "employer")
SEES = {
    "public": {"open"},
    "outsider": {"open"},
    "member": {"open", "members"},
    "admin": {"open", "members"},
    "facilitator": {"open", "members"},
    "union": {"open", "members", "closed"},
    "employer": {"open", "members", "closed"},
}


@pytest.fixture(scope="module")
async def matrix(server, http_module, people_module):
    http, people = http_module, people_module
    table = await open_table(http, people, unit=UNIT, open_session=False)
    sessions, secrets, articles = {}, {}, []
    for visibility in ("open", "members", "closed"):
        session = await expect(
            await http.post(
                f"{table.base}/sessions",
                headers=table.union.headers,
                json={
                    "visibility": visibility,
                    "location": f"{visibility} room",
                    "starts_at": "2026-12-01T16:00:00+00:00",
                },
            ),
            201,
        )
        base = f"{table.base}/sessions/{session['id']}"
        await expect(await http.post(f"{base}/open", headers=table.union.headers), 200)
        article = await open_article(
            http, table, number=visibility, title=f"{visibility} subject", category="economic"
        )
        articles.append(article["id"])
        secret = f"{visibility}-language-{uuid.uuid4().hex[:6]}"
        await table_proposal(http, table, article["id"], table.union, secret)
        await expect(
            await http.post(
                f"{base}/table", headers=table.union.headers, json={"article_id": article["id"]}
            ),
            200,
        )
        if visibility != "closed":
            await expect(await http.post(f"{base}/close", headers=table.union.headers), 200)
        sessions[visibility] = session["id"]
        secrets[visibility] = secret
    for party, person in (("union", table.union), ("employer", table.employer)):
        await expect(
            await http.post(
                f"{table.base}/drafts",
                headers=person.headers,
                json={"article_id": article["id"], "text": f"{party}-draft-secret"},
            ),
            201,
        )
        await expect(
            await http.post(
                f"{table.base}/notes", headers=person.headers, json={"text": f"{party}-note-secret"}
            ),
            201,
        )
    admin, facilitator = people(is_admin=True), people()
    await expect(
        await http.post(
            f"{table.base}/facilitators",
            headers=admin.headers,
            json={"username": facilitator.username},
        ),
        201,
    )
    headers = {
        "public": {},
        "outsider": people().headers,
        "member": people(units=(UNIT,)).headers,
        "admin": admin.headers,
        "facilitator": facilitator.headers,
        "union": table.union.headers,
        "employer": table.employer.headers,
    }
    return table, sessions, secrets, headers, articles


async def _snapshot(server, table, headers, query):
    client = FeedClient(
        f"ws://127.0.0.1:{server.port}/ws/negotiations/{table.negotiation_id}/?{query}",
        headers=headers,
    )
    await client.open()
    message = await client.receive()
    await client.close()
    assert message["type"] == "snapshot"
    return str(message["parts"])


@pytest.mark.parametrize("role", ROLES)
async def test_every_feed_carries_only_what_the_role_may_see(server, http_module, matrix, role):
    table, sessions, secrets, headers, articles = matrix
    queries = ["feed=board", "feed=overlay"] + [
        f"feed=session&session_id={sid}" for sid in sessions.values()
    ]
    received = [await _snapshot(server, table, headers[role], q) for q in queries]
    for article_id in articles:
        history = await http_module.get(
            f"{table.base}/articles/{article_id}/history", headers=headers[role]
        )
        received.append(history.text)
    received = " ".join(received)

    for visibility, secret in secrets.items():
        assert (secret in received) is (visibility in SEES[role]), (role, visibility)
    for party in ("union", "employer"):
        assert (f"{party}-draft-secret" in received) is (role == party), (role, party)
        assert (f"{party}-note-secret" in received) is (role == party), (role, party)
    assert ("closed room" in received) is (role in ("union", "employer"))
    assert ("members room" in received) is ("members" in SEES[role])
