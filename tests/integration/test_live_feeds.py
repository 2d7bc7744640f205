"""Live feeds over real websockets: snapshot then changes, resume, and who sees what."""

import pytest

from tests.live_support import FeedClient
from tests.support import (
    add_to_team,
    bring_to_table,
    expect,
    open_article,
    open_table,
    table_proposal,
    wait_for_position,
)


def ws_url(server, negotiation_id, query="feed=board"):
    return f"ws://127.0.0.1:{server.port}/ws/negotiations/{negotiation_id}/?{query}"


async def test_viewer_gets_a_snapshot_then_each_change_with_its_position(server, http, people):
    table = await open_table(http, people)
    viewer = FeedClient(ws_url(server, table.negotiation_id))
    await viewer.open()
    snapshot = await viewer.receive()
    assert snapshot["type"] == "snapshot"
    assert snapshot["parts"]["negotiation"]["articles_total"] == 0

    article = await open_article(http, table)
    await viewer.receive_until(lambda m, c: f"article:{article['id']}" in c.parts)
    part = viewer.parts[f"article:{article['id']}"]
    assert part["number"] == "12" and part["status"] == "open"

    await table_proposal(http, table, article["id"], table.union, "Cap at 24.")
    await viewer.receive_until(
        lambda m, c: c.parts[f"article:{article['id']}"]["status"] == "proposed"
    )
    assert viewer.parts[f"article:{article['id']}"]["proposed_by"] == "union"
    await viewer.close()


async def test_reconnecting_viewer_gets_exactly_what_it_missed(server, http, people):
    table = await open_table(http, people)
    viewer = FeedClient(ws_url(server, table.negotiation_id))
    await viewer.open()
    await viewer.receive()
    first = await open_article(http, table, number="1")
    await viewer.receive_until(lambda m, c: f"article:{first['id']}" in c.parts)
    await viewer.close()

    missed = [await open_article(http, table, number=str(n)) for n in (2, 3)]
    await viewer.open()  # resumes after the last position it saw
    message = await viewer.receive()
    assert message["type"] == "change"
    await viewer.drain()
    assert viewer.snapshots == 1
    assert all(f"article:{a['id']}" in viewer.parts for a in missed)
    assert len(viewer.positions_seen) == len(set(viewer.positions_seen))

    version = (await expect(await http.get(table.base), 200))["version"]

    async def projected_version() -> int:  # the projection is written a few times a second
        return (await expect(await http.get(f"{table.base}/board"), 200))["version"]

    await wait_for_position(projected_version, version, what="the board projection's version")
    projection = await expect(await http.get(f"{table.base}/board"), 200)
    assert viewer.parts == projection["parts"]
    await viewer.close()


async def test_drafts_reach_only_their_own_team_over_the_feed(server, http, people):
    table = await open_table(http, people)
    article = await open_article(http, table)
    union = FeedClient(ws_url(server, table.negotiation_id), headers=table.union.headers)
    employer = FeedClient(ws_url(server, table.negotiation_id), headers=table.employer.headers)
    public = FeedClient(ws_url(server, table.negotiation_id))
    for client in (union, employer, public):
        await client.open()
        await client.receive()
    draft = await expect(
        await http.post(
            f"{table.base}/drafts",
            headers=table.union.headers,
            json={"article_id": article["id"], "text": "our fallback: 26"},
        ),
        201,
    )
    await union.receive_until(lambda m, c: f"draft:{draft['id']}" in c.parts)
    # A later public change proves the others have read past the draft's position.
    await open_article(http, table, number="99")
    for client in (employer, public):
        await client.receive_until(
            lambda m, c: any(
                k.startswith("article:") and c.parts[k]["number"] == "99" for k in c.parts
            )
        )
        assert not any(k.startswith("draft:") for k in client.parts)
        assert "our fallback" not in str(client.parts)
    for client in (union, employer, public):
        await client.close()


async def test_going_into_closed_session_hides_the_session_from_public_viewers(
    server, http, people
):
    table = await open_table(http, people)
    article = await open_article(http, table)
    await bring_to_table(http, table, article["id"])
    url = ws_url(server, table.negotiation_id, f"feed=session&session_id={table.session_id}")
    public = FeedClient(url)
    await public.open()
    await public.receive_until(  # the hub may read the last command just after we connect
        lambda m, c: (c.parts.get("on_table") or {}).get("article_id") == article["id"]
    )

    await expect(
        await http.put(
            f"{table.base}/sessions/{table.session_id}/visibility",
            headers=table.union.headers,
            json={"visibility": "closed"},
        ),
        200,
    )
    await public.receive_until(lambda m, c: "on_table" not in c.parts)
    assert public.parts["summary"]["details_visible"] is False
    assert set(public.parts) == {"summary"}
    await public.close()


async def test_under_uvicorn_changes_take_the_broadcast_path(server, http, people):
    """One pre-built frame written to every connection, not a task and a framing per viewer."""
    table = await open_table(http, people)
    viewer = FeedClient(ws_url(server, table.negotiation_id))
    await viewer.open()
    await viewer.receive()
    hub = server.app.state.hub
    (feed,) = hub.live[table.negotiation_id].feeds.values()
    (subscription,) = feed.subscribers
    assert subscription.writer is not None
    article = await open_article(http, table)
    await viewer.receive_until(lambda m, c: f"article:{article['id']}" in c.parts)
    assert subscription.queue.empty()  # nothing went through the per-subscriber queue
    await viewer.close()


async def test_a_feed_for_no_such_negotiation_says_so_and_closes(server):
    for negotiation_id in ("not-an-id", "5f0c2a52-9a1e-4c43-a8b5-1b0c7c0c0c0c"):
        client = FeedClient(ws_url(server, negotiation_id))
        await client.open()
        message = await client.receive()
        assert message == {"type": "error", "detail": "No such negotiation."}
        await client.close()


async def _taken_off_the_team(http, table, member):
    await expect(
        await http.post(
            f"{table.base}/team/{member.account_id}/remove", headers=table.union.headers
        ),
        200,
    )


async def _signs_out(http, table, member):
    await expect(await http.post("/api/auth/logout", headers=member.headers), 200)


@pytest.mark.parametrize(
    "cut_off", [_taken_off_the_team, _signs_out], ids=["removed from the team", "signed out"]
)
async def test_a_member_cut_off_mid_stream_no_longer_gets_the_drafts(
    server, http, people, cut_off
):
    """Drafts reach only the team: someone taken off it, or signed out (the session's token
    revoked), while watching is told to resync and dropped, and what they get on
    reconnecting (with the same token) no longer carries the team's drafts."""
    table = await open_table(http, people)
    article = await open_article(http, table)
    member = people(name="Ines Park")
    await add_to_team(http, table, member)

    async def draft(text):
        return await expect(
            await http.post(
                f"{table.base}/drafts",
                headers=table.union.headers,
                json={"article_id": article["id"], "text": text},
            ),
            201,
        )

    feed = FeedClient(ws_url(server, table.negotiation_id), headers=member.headers)
    await feed.open()
    await feed.receive()
    first = await draft("our fallback: 26")
    await feed.receive_until(lambda m, c: f"draft:{first['id']}" in c.parts)

    await cut_off(http, table, member)
    await feed.receive_until(lambda m, c: m["type"] == "resync")
    await feed.close()
    await draft("our bottom line: 28")

    again = FeedClient(ws_url(server, table.negotiation_id), headers=member.headers)
    await again.open()
    await again.receive()
    await open_article(http, table, number="99")  # a public change after the second draft
    await again.receive_until(
        lambda m, c: any(k.startswith("article:") and c.parts[k]["number"] == "99" for k in c.parts)
    )
    assert not any(k.startswith(("draft:", "note:")) for k in again.parts)
    assert "fallback" not in str(again.parts) and "bottom line" not in str(again.parts)
    await again.close()
