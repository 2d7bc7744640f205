"""The edges of the live-feed protocol: a client that never reads, a resume from a position
nobody recorded, an `after` that is no position, and client messages the feed does not take."""

import asyncio
import base64
import json
import os
import select
import socket

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.live_support import FeedClient
from tests.support import expect, open_article, open_table

RECEIVE_TIMEOUT = 10  # seconds: a bound on waiting for what is due at once, not a measurement
DRAFT_TEXT = "Our fallback on wages. " * 6_000  # ~140 kB: a few fill any connection's buffers


def ws_url(server, negotiation_id, query="feed=board"):
    return f"ws://127.0.0.1:{server.port}/ws/negotiations/{negotiation_id}/?{query}"


def _connect_and_stop_reading(server, negotiation_id, headers) -> socket.socket:
    """A websocket handshake on a raw socket with a tiny receive buffer; after the response
    headers the client reads nothing more, like a phone that went to sleep mid-stream."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # before connect: the window
    sock.settimeout(10)
    sock.connect(("127.0.0.1", server.port))
    key = base64.b64encode(os.urandom(16)).decode()
    lines = [
        f"GET /ws/negotiations/{negotiation_id}/?feed=board HTTP/1.1",
        f"Host: 127.0.0.1:{server.port}",
        "Upgrade: websocket",
        "Connection: Upgrade",
        f"Sec-WebSocket-Key: {key}",
        "Sec-WebSocket-Version: 13",
        *(f"{name}: {value}" for name, value in headers.items()),
    ]
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
    response = b""
    while b"\r\n\r\n" not in response:
        response += sock.recv(1)  # byte by byte: not a byte of the feed itself
    assert response.startswith(b"HTTP/1.1 101"), response
    return sock


def _subscribers(server, negotiation_id) -> int:
    async def count() -> int:  # on the server's loop, where the hub's feeds change
        live = server.app.state.hub.live.get(negotiation_id)
        return sum(len(feed.subscribers) for feed in live.feeds.values()) if live else 0

    return server.run(count())


def _ended_by_the_server(sock: socket.socket, timeout: float) -> bool:
    """Whether the server resets the connection within `timeout`, without this client
    reading a byte (reading would drain what the server queued)."""
    poller = select.poll()
    poller.register(sock, select.POLLERR | select.POLLHUP | select.POLLRDHUP)
    return bool(poller.poll(timeout * 1000))


async def test_a_client_that_never_reads_is_disconnected_and_its_backlog_dropped(
    server, http, people
):
    table = await open_table(http, people)
    article = await open_article(http, table)
    sleeper = _connect_and_stop_reading(server, table.negotiation_id, table.union.headers)
    try:
        for _ in range(40):  # changes flood a feed whose client does not read
            await expect(
                await http.post(
                    f"{table.base}/drafts",
                    headers=table.union.headers,
                    json={"article_id": article["id"], "text": DRAFT_TEXT},
                ),
                201,
            )
            if _subscribers(server, table.negotiation_id) == 0:
                break
        assert _subscribers(server, table.negotiation_id) == 0, (
            "the feed never found the client too slow"
        )
        # Told to resync, it cannot even take the notice: the server must not keep the
        # connection (and the megabytes queued on it) for ever.
        assert _ended_by_the_server(sleeper, timeout=30), "the connection was kept open"
    finally:
        sleeper.close()


async def test_resuming_after_a_position_nobody_recorded_gets_a_snapshot_at_once(
    server, http, people, monkeypatch
):
    table = await open_table(http, people)
    await open_article(http, table)
    viewer = FeedClient(ws_url(server, table.negotiation_id))
    await viewer.open()
    snapshot = await viewer.receive()
    await viewer.close()
    hub = server.app.state.hub
    waited: list[int] = []
    wait_for = hub.wait_for

    async def noting_waits(position, timeout=5.0):
        waited.append(position)
        return await wait_for(position, timeout)

    monkeypatch.setattr(hub, "wait_for", noting_waits)

    viewer.position = snapshot["position"] + 1_000_000  # e.g. a position from another database
    await viewer.open()
    message = await viewer.receive()
    assert message["type"] == "snapshot"
    assert message["position"] <= snapshot["position"] + 1_000_000
    assert message["parts"] == snapshot["parts"]
    assert waited == []  # no node has recorded it: nothing to wait for
    await viewer.close()


@pytest.mark.parametrize("after", ["-1", "abc", str(2**63), "1e3", "+1", "", "٣"])
async def test_an_after_that_is_not_a_position_is_refused_with_a_reason(
    server, http, people, after
):
    table = await open_table(http, people)
    url = ws_url(server, table.negotiation_id, f"feed=board&after={after}")
    async with connect(url, compression=None) as client:
        message = json.loads(await asyncio.wait_for(client.recv(), RECEIVE_TIMEOUT))
        assert message["type"] == "error"
        assert "after must be a position" in message["detail"]
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(client.recv(), RECEIVE_TIMEOUT)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008
    assert "after must be a position" in closed.value.rcvd.reason


async def test_the_largest_position_is_an_after_like_any_other(server, http, people):
    table = await open_table(http, people)
    viewer = FeedClient(ws_url(server, table.negotiation_id))
    viewer.position = 2**63 - 1
    await viewer.open()
    assert (await viewer.receive())["type"] == "snapshot"
    await viewer.close()


async def test_a_card_is_taken_and_the_feed_goes_on(server, http, people):
    table = await open_table(http, people)
    viewer = FeedClient(ws_url(server, table.negotiation_id))
    await viewer.open()
    await viewer.receive()
    for card in ("red", "green", None):
        await viewer.connection.send(json.dumps({"type": "card", "card": card}))
    article = await open_article(http, table)
    await viewer.receive_until(lambda m, c: f"article:{article['id']}" in c.parts)
    await viewer.close()


@pytest.mark.parametrize(
    ("sent", "code", "reason"),
    [
        ('{"type":"wave"}', 1008, "Unknown message type 'wave'"),
        ('{"type":"card","card":"blue"}', 1008, "Malformed 'card' message"),
        ('{"type":"card","card":"red","extra":1}', 1008, "Malformed 'card' message"),
        ('{"card":"red"}', 1008, 'a JSON object with a "type"'),
        ("not json", 1008, 'a JSON object with a "type"'),
        ("[" * 100_000, 1009, "at most 1024 bytes"),
        (b"\x00\x01", 1003, "Only JSON text messages"),
    ],
    ids=["unknown type", "bad card", "unknown field", "no type", "not json", "too big", "binary"],
)
async def test_a_message_the_feed_does_not_take_closes_it_with_the_reason(
    server, http, people, sent, code, reason
):
    table = await open_table(http, people)
    async with connect(ws_url(server, table.negotiation_id), compression=None) as client:
        assert json.loads(await client.recv())["type"] == "snapshot"
        await client.send(sent)
        with pytest.raises(ConnectionClosed) as closed:
            while True:  # changes may still be on their way
                await asyncio.wait_for(client.recv(), RECEIVE_TIMEOUT)
    assert closed.value.rcvd is not None, "the server did not close the feed"
    assert closed.value.rcvd.code == code
    assert reason in closed.value.rcvd.reason
