"""The one feed client (web/static/js/feed.js) in Chromium: it resumes after the server drops
it, without a reload, with no change missed or applied twice."""

import pytest

from tests.e2e.feeds import drop_feeds
from tests.support import expect, open_article, open_table

pytestmark = pytest.mark.e2e

# Records every message the client applies and every socket it opens.
START_FEED = """async (path) => {
  window.sockets = [];
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(url) { super(url); window.sockets.push(url); }
  };
  const { Feed } = await import("/static/js/feed.js");
  window.applied = [];
  const record = (type, parts, position) =>
    window.applied.push({ type, position, names: Object.keys(parts) });
  window.feed = new Feed(path, {
    onSnapshot: (parts, position) => record("snapshot", parts, position),
    onChange: (set, remove, position) => record("change", set, position),
  }).start();
}"""


async def articles_applied(page) -> set[str]:
    log = await page.evaluate("window.applied")
    names = {n for entry in log for n in entry["names"] if n.startswith("article:")}
    return names


async def wait_for_articles(page, count: int) -> None:
    await page.wait_for_function(
        """(count) => new Set(window.applied.flatMap(e => e.names)
             .filter(n => n.startsWith("article:"))).size >= count""",
        arg=count,
    )


@pytest.mark.parametrize("resync", [False, True], ids=["dropped", "told-to-resync"])
async def test_the_feed_resumes_after_a_server_side_drop_missing_and_repeating_nothing(
    browser, server, http, people, resync
):
    table = await open_table(http, people)
    page = await browser.new_page()
    try:
        await page.goto(server.url + "/")
        await page.evaluate(START_FEED, f"/ws/negotiations/{table.negotiation_id}/?feed=board")
        # A function, not an expression: an expression is eval'd in the page, which its CSP forbids.
        await page.wait_for_function("() => window.feed.state === 'live' && window.applied.length")
        await open_article(http, table, number="1", title="Recognition")
        await wait_for_articles(page, 1)
        seen = await page.evaluate("window.feed.position")

        assert drop_feeds(server, table.negotiation_id, resync=resync) >= 1
        # Recorded after the drop: it can only arrive through the resumed connection.
        await open_article(http, table, number="2", title="Wages")
        await open_article(http, table, number="3", title="Hours")
        await wait_for_articles(page, 3)

        log = await page.evaluate("window.applied")
        sockets = await page.evaluate("window.sockets")
        assert [e["type"] for e in log].count("snapshot") == 1  # resumed, not restarted
        positions = [e["position"] for e in log]
        assert positions == sorted(set(positions))  # nothing applied twice, in order
        assert len(sockets) >= 2 and f"after={seen}" in sockets[1]
        board = await expect(await http.get(f"{table.base}/board"), 200)
        names = {n for n in board["parts"] if n.startswith("article:")}
        assert await articles_applied(page) == names
        assert await page.evaluate("window.feed.state") == "live"
    finally:
        await page.close()


async def test_the_connection_state_shows_reconnecting_while_the_server_is_away(
    browser, server, http, people
):
    table = await open_table(http, people)
    page = await browser.new_page()
    try:
        await page.goto(
            f"{server.url}/negotiations/{table.negotiation_id}/sessions/{table.session_id}"
        )
        state = page.locator(".connection")
        await page.locator(".connection[data-state='live']").wait_for()
        assert await state.inner_text() == "live"
        # Refuse the reconnects for a while: the page says so, then comes back by itself.
        blocked = True

        def gate(ws):
            if blocked:
                return ws.close()
            ws.connect_to_server()

        await page.route_web_socket("**/ws/**", gate)
        drop_feeds(server, table.negotiation_id)
        await page.locator(".connection[data-state='reconnecting']").wait_for()
        assert await state.inner_text() == "reconnecting…"
        blocked = False
        await open_article(http, table, number="9", title="Parking")
        await page.locator(".connection[data-state='live']").wait_for()
        await page.locator("#articles li", has_text="Parking").wait_for()
    finally:
        await page.close()
