"""The viewer shows times in the reader's own time zone: the server renders them in UTC (it
cannot know the zone), the page then shows every one of them, and every live one, in local
time, in a Chromium whose time zone is not UTC."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.test_viewer import PHONE, caucus, table_proposal, viewer_url
from tests.support import bring_to_table, open_article, open_table

pytestmark = pytest.mark.e2e

ZONE = "America/Los_Angeles"


def local_clock(iso: str) -> str:
    """What `Intl.DateTimeFormat("en", {hour: "numeric", minute: "2-digit"})` says in ZONE."""
    at = datetime.fromisoformat(iso).astimezone(ZoneInfo(ZONE))
    return f"{at.hour % 12 or 12}:{at.minute:02d} {'AM' if at.hour < 12 else 'PM'}"


def utc_clock(iso: str) -> str:
    at = datetime.fromisoformat(iso)
    return f"{at.hour % 12 or 12}:{at.minute:02d} {'AM' if at.hour < 12 else 'PM'}"


def plain(text: str) -> str:
    return text.replace("\u202f", " ").replace("\xa0", " ").strip()


async def shown_times(page) -> list[tuple[str, str]]:
    return [
        (await t.get_attribute("datetime"), plain(await t.inner_text()))
        for t in await page.locator("time[data-clock]").all()
    ]


async def test_the_viewer_shows_first_paint_and_live_times_in_the_readers_time_zone(
    browser, server, http, people
):
    table = await open_table(http, people)
    article = await open_article(http, table)
    await bring_to_table(http, table, article["id"])
    await caucus(http, table, "caucus")
    context = await browser.new_context(**PHONE, locale="en-US", timezone_id=ZONE)
    page = await context.new_page()
    try:
        await page.goto(viewer_url(server, table, "?lang=en"))
        await page.locator(".connection[data-state='live']").wait_for()
        first = await shown_times(page)
        assert first, "the timeline has times"
        for iso, text in first:
            assert text == local_clock(iso) != utc_clock(iso)
        since = (await page.locator("#caucus").get_attribute("data-since")) or ""
        assert local_clock(since) in plain(await page.locator("#caucus").inner_text())

        await caucus(http, table, "caucus/end")
        await table_proposal(http, table, article["id"], table.union, "Twenty-five students.")
        await page.locator("#sides time[data-clock]").first.wait_for()
        live = await shown_times(page)
        assert len(live) > len(first)
        for iso, text in live:
            assert text == local_clock(iso)
    finally:
        await context.close()
