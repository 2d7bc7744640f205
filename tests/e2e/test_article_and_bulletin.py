"""Tapping an article opens its history with any two versions compared; a published bulletin
has its own printable page with the audit chain head; the viewer's first load stays light."""

import pytest

from tests.support import expect, open_article, open_table

pytestmark = pytest.mark.e2e

CURRENT = "Planning time shall be 30 minutes a day."


async def post(http, path, who, body=None, status=201):
    return await expect(await http.post(path, headers=who.headers, json=body or {}), status)


async def test_tapping_an_article_shows_its_history_and_compares_any_two_versions(
    browser, server, http, people
):
    table = await open_table(http, people)
    article = await open_article(
        http, table, number="8", title="Planning", current_language=CURRENT
    )
    proposals = f"{table.base}/articles/{article['id']}/proposals"
    first = await post(
        http, proposals, table.union, {"text": "Planning time shall be 60 minutes a day."}
    )
    await post(
        http,
        proposals,
        table.employer,
        {"text": "Planning time shall be 45 minutes a day.", "answers": first["id"]},
    )
    page = await browser.new_page(viewport={"width": 390, "height": 844})
    try:
        await page.goto(
            f"{server.url}/negotiations/{table.negotiation_id}/sessions/{table.session_id}"
        )
        await page.locator(f"[data-part='article:{article['id']}'] a").click()
        await page.locator(".history li[data-proposal-id]").nth(1).wait_for()
        assert await page.locator(".history li[data-proposal-id]").count() == 2
        # By default: the latest version against the one before it.
        assert await page.locator("#compared del").inner_text() == "60"
        assert await page.locator("#compared ins").inner_text() == "45"
        await page.get_by_label("From", exact=True).select_option("current")
        await page.get_by_label("To", exact=True).select_option(first["id"])
        await page.get_by_role("button", name="Compare").click()
        await page.wait_for_url(f"**to={first['id']}*")
        assert await page.locator("#compared del").inner_text() == "30"
        assert await page.locator("#compared ins").inner_text() == "60"
    finally:
        await page.close()


async def test_a_published_bulletin_has_a_printable_page_with_its_chain_head(
    browser, server, http, people
):
    table = await open_table(http, people)
    await post(
        http,
        f"{table.base}/sessions/{table.session_id}/bulletins",
        table.union,
        {"text": "Tonight we moved on planning time."},
    )
    page = await browser.new_page()
    try:
        url = f"{server.url}/negotiations/{table.negotiation_id}/sessions/{table.session_id}"
        await page.goto(url)
        await page.locator(".bulletins a").click()
        await page.locator(".bulletin .text", has_text="Tonight we moved").wait_for()
        published = await expect(
            await http.get(f"{table.base}/sessions/{table.session_id}/bulletins"), 200
        )
        chain = (await page.locator(".chain").inner_text()).strip()
        assert chain == published[0]["chain_hash"] or published[0]["chain_hash"] is None
        await page.emulate_media(media="print")
        assert not await page.locator("header.site").is_visible()  # printed without the chrome
    finally:
        await page.close()


async def test_the_viewer_first_load_with_every_asset_is_at_most_100_kib(
    browser, server, http, people
):
    table = await open_table(http, people)
    article = await open_article(http, table, current_language=CURRENT)
    await post(
        http,
        f"{table.base}/articles/{article['id']}/proposals",
        table.union,
        {"text": "Planning time shall be 60 minutes a day."},
    )
    page = await browser.new_page(viewport={"width": 390, "height": 844})
    sizes: dict[str, int] = {}

    async def count(response):
        body = await response.body()
        sizes[response.url] = len(body)

    page.on("response", count)
    try:
        await page.goto(
            f"{server.url}/negotiations/{table.negotiation_id}/sessions/{table.session_id}"
        )
        await page.locator(".connection[data-state='live']").wait_for()
        await page.wait_for_load_state("networkidle")
        assert any(u.endswith("/static/js/feed.js") for u in sizes)
        assert sum(sizes.values()) <= 100 * 1024, sizes
    finally:
        await page.close()
