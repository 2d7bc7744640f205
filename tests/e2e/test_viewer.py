"""The live viewer of a session on a phone, in Chromium: moves tabled through the API appear
without a reload, with their redlines; a members-only session stays invisible to the public."""

import pytest

from tests.support import bring_to_table, expect, open_article, open_table, table_proposal

pytestmark = pytest.mark.e2e

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
CURRENT = "Class size shall not exceed 30 students."


async def caucus(http, table, action):
    await expect(
        await http.post(
            f"{table.base}/sessions/{table.session_id}/{action}", headers=table.union.headers
        ),
        200,
    )


def viewer_url(server, table, query=""):
    return f"{server.url}/negotiations/{table.negotiation_id}/sessions/{table.session_id}{query}"


async def test_a_proposal_and_a_counter_appear_on_a_phone_with_their_redlines(
    browser, server, http, people
):
    table = await open_table(http, people)
    article = await open_article(http, table, current_language=CURRENT)
    await bring_to_table(http, table, article["id"])
    context = await browser.new_context(**PHONE)
    page = await context.new_page()
    try:
        await page.goto(viewer_url(server, table))
        await page.locator(".connection[data-state='live']").wait_for()
        await page.evaluate("window.sameDocument = true")
        assert "Art. 12 — Class size" in await page.locator("#on-table-article").inner_text()

        union = await table_proposal(
            http, table, article["id"], table.union, "Class size shall not exceed 25 students."
        )
        union_side = page.locator("#sides [data-party='union'] .text[data-mode='sides']")
        await union_side.locator("ins", has_text="25").wait_for()
        assert await union_side.locator("del").inner_text() == "30"

        counter = await table_proposal(
            http,
            table,
            article["id"],
            table.employer,
            "Class size shall not exceed 28 students.",
            answers=union["id"],
        )
        employer_side = page.locator("#sides [data-party='employer'] .text[data-mode='sides']")
        await employer_side.locator("ins", has_text="28").wait_for()
        assert await employer_side.locator("del").inner_text() == "25"  # against the union's
        await page.locator(
            f"[data-part='article:{article['id']}'] .status", has_text="Countered by"
        ).wait_for()

        await page.get_by_label("against the current contract").check()
        against_current = page.locator("#sides [data-party='employer'] .text[data-mode='current']")
        assert await against_current.is_visible() and not await employer_side.is_visible()
        assert await against_current.locator("del").inner_text() == "30"
        assert await against_current.locator("ins").inner_text() == "28"
        timeline = await page.locator("#timeline").inner_text()
        assert "Counterproposal tabled" in timeline and "Proposal tabled" in timeline
        assert await page.evaluate("window.sameDocument") is True  # never reloaded

        # Both chiefs sign the counter: the board and the TA counter follow.
        assert (
            await page.locator("#ta-counter").inner_text() == "0 of 1 articles tentatively agreed"
        )
        for chief in (table.union, table.employer):
            await expect(
                await http.post(
                    f"{table.base}/articles/{article['id']}/proposals/{counter['id']}/ta",
                    headers=chief.headers,
                    json={},
                ),
                200,
            )
        await page.locator("#ta-counter", has_text="1 of 1").wait_for()
        row = page.locator(f"[data-part='article:{article['id']}']")
        assert await row.locator(".status").inner_text() == "Tentatively agreed"
        assert await row.locator(".move").inner_text() == ""
    finally:
        await context.close()


async def test_a_members_only_session_is_invisible_to_the_public_in_page_and_feed(
    browser, server, http, people
):
    table = await open_table(http, people, visibility="members")
    article = await open_article(http, table, current_language=CURRENT)
    await bring_to_table(http, table, article["id"])
    first = await table_proposal(
        http, table, article["id"], table.union, "Members-only language one."
    )

    context = await browser.new_context(**PHONE)
    page = await context.new_page()
    frames: list[str] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda f: frames.append(str(f))))
    try:
        await page.goto(viewer_url(server, table))
        await page.locator(".connection[data-state='live']").wait_for()
        assert await page.locator("#hidden-notice").is_visible()
        assert "Members-only language" not in await page.content()

        await table_proposal(
            http,
            table,
            article["id"],
            table.union,
            "Members-only language two.",
            revises=first["id"],
        )
        await caucus(http, table, "caucus")
        await caucus(http, table, "caucus/end")
        # The public does see that a subject was opened: once that change (recorded last)
        # is on the page, anything sent before it would have been too.
        await open_article(http, table, number="13", title="Parking")
        await page.locator("#articles li", has_text="Parking").wait_for()
        assert (
            await page.locator(f"[data-part='article:{article['id']}'] .status").inner_text()
            == "Open"
        )
        assert not any("Members-only language" in f for f in frames)
        assert not any("caucus_since" in f and '"caucus_party":"union"' in f for f in frames)
        assert "Members-only language" not in await page.content()
        assert not await page.locator("#sides").count()

        await caucus(http, table, "caucus")
        # A unit member signed in (the session cookie) sees the same session whole.
        member = people(units=("Educators",))
        await context.add_cookies(
            [{"name": "negotiation_session", "value": member.token, "url": server.url}]
        )
        await page.goto(viewer_url(server, table))
        await page.locator("#sides [data-party='union']", has_text="language two").wait_for()
        assert await page.locator("#caucus").is_visible()
    finally:
        await context.close()


async def test_a_member_signs_in_from_a_members_only_session_and_comes_back_to_it(
    browser, server, http, people
):
    table = await open_table(http, people, visibility="members")
    article = await open_article(http, table, current_language=CURRENT)
    await bring_to_table(http, table, article["id"])
    await table_proposal(http, table, article["id"], table.union, "Members see this language.")
    member = people(units=("Educators",))
    context = await browser.new_context(**PHONE)
    page = await context.new_page()
    try:
        await page.goto(viewer_url(server, table, "?lang=es"))
        await page.locator("#hidden-notice a").click()
        await page.get_by_label("Usuario").fill(member.username)
        await page.get_by_label("Contraseña").fill("not the password")
        await page.get_by_role("button", name="Iniciar sesión").click()
        await (
            page.get_by_role("alert").filter(has_text="Usuario o contraseña incorrectos").wait_for()
        )

        await page.get_by_label("Contraseña").fill(member.password)
        await page.get_by_role("button", name="Iniciar sesión").click()
        await page.locator("#sides [data-party='union']", has_text="Members see this").wait_for()
        assert f"/sessions/{table.session_id}" in page.url
        assert await page.evaluate("document.documentElement.lang") == "es"
    finally:
        await context.close()


async def test_sign_in_never_sends_anyone_to_another_site(http):
    for elsewhere in ("https://evil.example", "//evil.example", "/\\evil.example"):
        response = await http.get("/sign-in", params={"next": elsewhere})
        assert response.status_code == 200
        assert 'data-next="/"' in response.text


async def test_the_room_display_shows_the_latest_move_alone_in_large_type(
    browser, server, http, people
):
    table = await open_table(http, people)
    article = await open_article(http, table, current_language=CURRENT)
    await bring_to_table(http, table, article["id"])
    context = await browser.new_context(viewport={"width": 1920, "height": 1080})
    page = await context.new_page()
    try:
        await page.goto(viewer_url(server, table, "?display=room"))
        await page.locator(".connection[data-state='live']").wait_for()
        assert not await page.locator(".board").is_visible()
        await table_proposal(http, table, article["id"], table.union, "Class size: 20.")
        latest = page.locator("#timeline li").first
        await latest.filter(has_text="Proposal tabled").wait_for()
        assert await page.locator("#timeline li:visible").count() == 1
        size = await latest.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
        assert size >= 32  # readable from the back of the hall
    finally:
        await context.close()
