"""Killing and restarting the server: an open viewer and an overlay catch up by themselves,
with nothing missed and no reload."""

import socket

import pytest

from tests.e2e.feeds import serve_on_port
from tests.support import open_article, open_table
from web.app import create_app
from web.settings import Settings

pytestmark = pytest.mark.e2e


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_viewer_and_overlay_catch_up_after_their_server_restarts(
    browser, server, http, people, database
):
    table = await open_table(http, people)
    await open_article(http, table, number="1", title="Recognition")
    port = free_port()
    node = serve_on_port(create_app(Settings(port=0), database=database), port)
    context = await browser.new_context()
    try:
        viewer, overlay = await context.new_page(), await context.new_page()
        base = f"http://127.0.0.1:{port}"
        await viewer.goto(f"{base}/negotiations/{table.negotiation_id}/sessions/{table.session_id}")
        await overlay.goto(f"{base}/overlays/{table.negotiation_id}/ta-counter")
        await viewer.locator(".connection[data-state='live']").wait_for()
        await overlay.locator("body[data-feed='live']").wait_for()
        await viewer.evaluate("window.sameDocument = true")
        await overlay.evaluate("window.sameDocument = true")

        node.stop()  # the node goes away; the moves go on through another one
        await viewer.locator(".connection[data-state='reconnecting']").wait_for()
        await open_article(http, table, number="2", title="Wages")
        await open_article(http, table, number="3", title="Hours")
        node = serve_on_port(create_app(Settings(port=0), database=database), port)

        await overlay.locator("#ta-count", has_text="0 / 3").wait_for()
        await viewer.locator("#articles li", has_text="Hours").wait_for()
        await viewer.locator(".connection[data-state='live']").wait_for()
        titles = await viewer.locator("#articles .title").all_inner_texts()
        assert titles == ["Recognition", "Wages", "Hours"]  # each once, in order
        assert await viewer.evaluate("window.sameDocument") is True
        assert await overlay.evaluate("window.sameDocument") is True
    finally:
        await context.close()
        node.stop()
