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
