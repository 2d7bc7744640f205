"""The front page lists the negotiations, in a real browser."""

import pytest

from tests.support import expect

pytestmark = pytest.mark.e2e


async def test_front_page_lists_each_negotiation_with_its_parties(browser, server, http, people):
    chief = people()
    created = await expect(
        await http.post(
            "/api/negotiations",
            headers=chief.headers,
            json={
                "title": "Browser-visible contract",
                "kind": "community_agreement",
                "bargaining_unit": "Neighbours",
                "union_name": "Tenants Alliance",
                "employer_name": "Harbor Development Corp",
                "my_party": "union",
            },
        ),
        201,
    )

    page = await browser.new_page()
    try:
        await page.goto(server.url + "/")
        item = page.locator(f"li[data-negotiation-id='{created['id']}']")
        await item.wait_for()
        text = await item.inner_text()
        assert "Browser-visible contract" in text
        assert "Tenants Alliance" in text and "Harbor Development Corp" in text
        assert "community agreement" in text
        assert await page.title() == "Negotiations"
    finally:
        await page.close()


async def test_front_page_lists_sessions_by_when_and_links_to_their_viewer(
    browser, server, http, people
):
    from tests.support import open_table

    table = await open_table(http, people)
    await expect(
        await http.post(
            f"{table.base}/sessions",
            headers=table.union.headers,
            json={
                "visibility": "open",
                "location": "Hall",
                "starts_at": "2027-01-05T16:00:00+00:00",
            },
        ),
        201,
    )
    page = await browser.new_page(locale="es-ES")
    try:
        await page.goto(server.url + "/")
        item = page.locator(f"li[data-negotiation-id='{table.negotiation_id}']")
        live = item.locator(f"li[data-session-id='{table.session_id}']")
        await live.wait_for()
        assert await item.locator("h3").all_inner_texts() == ["En directo ahora", "Próximas"]
        assert await page.title() == "Negociaciones"  # the browser's language, unasked
        await live.locator("a").click()
        await page.wait_for_url(
            f"**/negotiations/{table.negotiation_id}/sessions/{table.session_id}*"
        )
        await page.locator(".connection[data-state='live']").wait_for()
    finally:
        await page.close()
