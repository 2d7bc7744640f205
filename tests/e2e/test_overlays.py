"""Livestream overlays in Chromium at 1920×1080: the caucus slate follows the caucus (and the
viewer's banner with it), the background stays transparent, and a dropped feed recovers."""

import io
import struct
import zlib

import pytest

from tests.e2e.feeds import drop_feeds
from tests.support import bring_to_table, expect, open_article, open_table

pytestmark = pytest.mark.e2e

FULL_HD = {"viewport": {"width": 1920, "height": 1080}}


async def caucus(http, table, action):
    await expect(
        await http.post(
            f"{table.base}/sessions/{table.session_id}/{action}", headers=table.employer.headers
        ),
        200,
    )


def overlay_url(server, table, graphic, lang="en"):
    return f"{server.url}/overlays/{table.negotiation_id}/{graphic}?lang={lang}"


async def test_a_caucus_shows_the_slate_and_the_banner_and_ending_it_takes_them_away(
    browser, server, http, people
):
    table = await open_table(http, people)
    context = await browser.new_context(**FULL_HD)
    overlay = await context.new_page()
    viewer = await context.new_page()
    try:
        await overlay.goto(overlay_url(server, table, "caucus", lang="es"))
        await viewer.goto(
            f"{server.url}/negotiations/{table.negotiation_id}/sessions/{table.session_id}"
        )
        await overlay.locator("body[data-feed='live']").wait_for()
        await viewer.locator(".connection[data-state='live']").wait_for()
        slate, banner = overlay.locator(".caucus-slate"), viewer.locator("#caucus")
        assert not await slate.is_visible() and not await banner.is_visible()

        await caucus(http, table, "caucus")
        await slate.wait_for(state="visible")
        await banner.wait_for(state="visible")
        assert "En caucus" in await slate.text_content()
        assert "Unified School District" in await slate.inner_text()
        assert "Unified School District" in await banner.inner_text()

        await caucus(http, table, "caucus/end")
        await slate.wait_for(state="hidden")
        await banner.wait_for(state="hidden")
    finally:
        await context.close()


def alpha_channel(png: bytes) -> tuple[int, int, list[bytes]]:
    """The alpha of every pixel of an 8-bit RGBA PNG (what Chromium's screenshots are)."""
    stream = io.BytesIO(png)
    assert stream.read(8) == b"\x89PNG\r\n\x1a\n"
    width = height = 0
    data = b""
    while True:
        length, kind = struct.unpack(">I4s", stream.read(8))
        chunk = stream.read(length)
        stream.read(4)
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", chunk[:10])
            assert (depth, colour) == (8, 6), "expected 8-bit RGBA"
        elif kind == b"IDAT":
            data += chunk
        elif kind == b"IEND":
            break
    raw = zlib.decompress(data)
    stride, rows, previous = width * 4, [], bytearray(width * 4)
    for y in range(height):
        kind, line = (
            raw[y * (stride + 1)],
            bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)]),
        )
        for i in range(stride):
            left = line[i - 4] if i >= 4 else 0
            up = previous[i]
            corner = previous[i - 4] if i >= 4 else 0
            if kind == 1:
                line[i] = (line[i] + left) & 255
            elif kind == 2:
                line[i] = (line[i] + up) & 255
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[i] = (
                    line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)
                ) & 255
        rows.append(bytes(line[3::4]))
        previous = line
    return width, height, rows


async def test_an_overlay_is_transparent_outside_its_graphic(browser, server, http, people):
    table = await open_table(http, people)
    article = await open_article(http, table)
    await bring_to_table(http, table, article["id"])
    context = await browser.new_context(**FULL_HD)
    page = await context.new_page()
    try:
        await page.goto(overlay_url(server, table, "lower-third"))
        graphic = page.locator("#graphic")
        await graphic.wait_for(state="visible")
        box = await graphic.bounding_box()
        png = await page.screenshot(omit_background=True)
        width, height, alpha = alpha_channel(png)
        assert (width, height) == (1920, 1080)
        left, top = int(box["x"]), int(box["y"])
        right, bottom = int(box["x"] + box["width"]), int(box["y"] + box["height"])
        opaque_outside = sum(
            1
            for y in range(height)
            for x in range(0, width, 4)
            if alpha[y][x] and not (left - 1 <= x <= right + 1 and top - 1 <= y <= bottom + 1)
        )
        assert opaque_outside == 0
        assert alpha[(top + bottom) // 2][(left + right) // 2] > 200  # the graphic is there
    finally:
        await context.close()


async def test_an_overlay_recovers_by_itself_after_its_feed_is_dropped(
    browser, server, http, people
):
    table = await open_table(http, people)
    context = await browser.new_context(**FULL_HD)
    page = await context.new_page()
    try:
        await page.goto(overlay_url(server, table, "ta-counter"))
        await page.locator("body[data-feed='live']").wait_for()
        assert await page.locator("#ta-count").inner_text() == "0 / 0"
        drop_feeds(server, table.negotiation_id)
        await open_article(http, table, number="4", title="Leave")
        await open_article(http, table, number="5", title="Pay")
        await page.locator("#ta-count", has_text="0 / 2").wait_for()
        assert await page.evaluate("performance.getEntriesByType('navigation').length") == 1
    finally:
        await context.close()


async def test_the_lower_third_shows_the_article_on_the_table_and_its_latest_move(
    browser, server, http, people
):
    table = await open_table(http, people)
    article = await open_article(http, table, number="12", title="Class size")
    await bring_to_table(http, table, article["id"])
    context = await browser.new_context(**FULL_HD)
    page = await context.new_page()
    try:
        await page.goto(overlay_url(server, table, "lower-third", lang="es"))
        await page.locator("body[data-feed='live']").wait_for()
        assert await page.locator("#article").inner_text() == "Art. 12 — Class size"
        await expect(
            await http.post(
                f"{table.base}/articles/{article['id']}/proposals",
                headers=table.employer.headers,
                json={"text": "Thirty students."},
            ),
            201,
        )
        await page.locator("#move", has_text="Propuesta presentada").wait_for()
        assert "Unified School District" in await page.locator("#move").inner_text()
    finally:
        await context.close()
