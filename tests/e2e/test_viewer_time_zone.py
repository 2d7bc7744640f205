"""The viewer shows times in the reader's own time zone: the server renders them in UTC (it
cannot know the zone), the page then shows every one of them, and every live one, in local
time, in a Chromium whose time zone is not UTC."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.test_viewer import PHONE, caucus, table_proposal, viewer_url
from tests.support import bring_to_table, expect, open_article, open_table

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


def hour_minute(iso: str, lang: str, zone: str = ZONE) -> str:
    """The hour and minute `Intl.DateTimeFormat(lang)` shows in `zone` (12-hour in English,
    24-hour in Spanish), without the day period or seconds that follow."""
    at = datetime.fromisoformat(iso).astimezone(ZoneInfo(zone))
    hour = at.hour % 12 or 12 if lang == "en" else at.hour
    return f"{hour}:{at.minute:02d}"


@pytest.mark.parametrize("lang", ["en", "es"])
async def test_the_time_in_a_bulletins_sentence_is_the_readers_own(
    browser, server, http, people, lang
):
    """The viewer's "Bulletin of …, <time>" and the bulletin page's "Published by … on <time>":
    the moment inside the translated sentence is local too, not the server's UTC."""
    table = await open_table(http, people)
    published = await expect(
        await http.post(
            f"{table.base}/sessions/{table.session_id}/bulletins",
            headers=table.union.headers,
            json={"text": "Tonight we moved on class size."},
        ),
        201,
    )
    assert published
    context = await browser.new_context(**PHONE, locale=lang, timezone_id=ZONE)
    page = await context.new_page()
    try:
        await page.goto(viewer_url(server, table, f"?lang={lang}"))
        await page.locator(".connection[data-state='live']").wait_for()
        for where in (".bulletins a", ".bulletin .session-meta"):
            sentence = page.locator(where)
            assert await sentence.locator("time[datetime]").count() == 1  # the moment, marked
            iso = await sentence.locator("time").get_attribute("datetime") or ""
            text = plain(await sentence.inner_text())
            assert hour_minute(iso, lang) in text, text
            assert hour_minute(iso, lang, "UTC") not in text, text
            if where == ".bulletins a":
                await sentence.click()
                # Its script (a module: run before DOMContentLoaded) has shown the time then.
                await page.wait_for_url("**/bulletins/0?*", wait_until="domcontentloaded")
    finally:
        await context.close()
