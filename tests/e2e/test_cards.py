"""Red and green cards in Chromium: 50 simulated viewers (websocket clients) raise and change
cards, a browser viewer's meter and the reaction overlay show exactly what they hold, the
browser's own card counts once, and the totals land in the article's history when it leaves
the table."""

import asyncio
import random

import pytest

from tests.cards_support import CardViewer, meter_reads, viewer_cookie
from tests.support import bring_to_table, expect, open_article, open_table, wait_for_position

pytestmark = pytest.mark.e2e

VIEWERS = 50
SEED = 9_091
PHONE = {"viewport": {"width": 390, "height": 844}}
FULL_HD = {"viewport": {"width": 1920, "height": 1080}}


async def test_the_meter_shows_exactly_the_cards_fifty_viewers_hold(browser, server, http, people):
    # given: an article on the table, a phone viewer and the reaction overlay open
    table = await open_table(http, people)
    first = (await open_article(http, table, number="12"))["id"]
    second = (await open_article(http, table, number="14", title="Leave"))["id"]
    await bring_to_table(http, table, first)
    n, s = table.negotiation_id, table.session_id
    phone = await browser.new_context(**PHONE)
    stream = await browser.new_context(**FULL_HD)
    try:
        viewer = await phone.new_page()
        await viewer.goto(f"{server.url}/negotiations/{n}/sessions/{s}")
        await viewer.locator(".connection[data-state='live']").wait_for()
        overlay = await stream.new_page()
        await overlay.goto(f"{server.url}/overlays/{n}/reactions?lang=es")
        await overlay.locator("body[data-feed='live']").wait_for()

        # when: 50 viewers raise cards, and most change their minds at once (throttled)
        url = f"ws://127.0.0.1:{server.port}/ws/negotiations/{n}/?feed=session&session_id={s}"
        crowd = [CardViewer(url, headers=viewer_cookie()) for _ in range(VIEWERS)]
        await asyncio.gather(*(v.open() for v in crowd))
        rng = random.Random(SEED)
        held = {}
        for index, member in enumerate(crowd):
            first_card = rng.choice(["red", "green"])
            await member.hold(first_card)
            held[index] = first_card
        for index, member in enumerate(crowd):
            if rng.random() < 0.7:
                change = rng.choice(["red", "green", None])
                await member.hold(change)
                held[index] = change
        red = sum(1 for c in held.values() if c == "red")
        green = sum(1 for c in held.values() if c == "green")

        # then: the phone's meter and the overlay read exactly that
        meter = viewer.locator(f"#meter[data-counts='{red}:{green}']")
        await meter.wait_for()
        await overlay.locator(f"body[data-counts='{red}:{green}']").wait_for()
        assert await overlay.locator("#graphic").is_visible()

        # when: the phone raises a green card (words and shape, aria-pressed)
        button = viewer.get_by_role("button", name="Green card")
        await button.click()
        assert await button.get_attribute("aria-pressed") == "true"
        await viewer.locator(f"#meter[data-counts='{red}:{green + 1}']").wait_for()
        # ...and puts it down again
        await button.click()
        assert await button.get_attribute("aria-pressed") == "false"
        await viewer.locator(f"#meter[data-counts='{red}:{green}']").wait_for()

        # when: five viewers go away, their cards drop out
        gone = crowd[:5]
        for member in gone:
            await member.close()
        red -= sum(1 for i in range(5) if held[i] == "red")
        green -= sum(1 for i in range(5) if held[i] == "green")
        await viewer.locator(f"#meter[data-counts='{red}:{green}']").wait_for()
        watcher = crowd[5]
        await watcher.receive_until(meter_reads(red, green, first), 15.0)

        # when: the next article comes to the table
        await bring_to_table(http, table, second)
        await viewer.locator("#meter[data-counts='0:0']").wait_for()

        # then: the first article's totals are in its history (page and API)
        async def recorded() -> int:
            history = await expect(await http.get(f"{table.base}/articles/{first}/history"), 200)
            return len(history["reactions"])

        await wait_for_position(recorded, 1, what="the card totals of the first article")
        history = await expect(await http.get(f"{table.base}/articles/{first}/history"), 200)
        assert (history["reactions"][0]["red"], history["reactions"][0]["green"]) == (red, green)
        await viewer.goto(f"{server.url}/negotiations/{n}/articles/{first}?lang=es")
        text = await viewer.locator("#reactions").inner_text()
        assert f"{red} rojas, {green} verdes" in text
        draft = await expect(
            await http.get(
                f"{table.base}/sessions/{s}/bulletin-draft", headers=table.union.headers
            ),
            200,
        )
        assert draft["reactions"][0]["red"] == red
        for member in crowd[5:]:
            await member.close()
    finally:
        await phone.close()
        await stream.close()
