"""The producer's control page in Chromium: a union team member takes the lower third off air
and puts a speaker on air; overlays already open in OBS follow without a reload, a reload
shows the same, and a refusal appears next to the control with the typed text kept."""

import pytest

from tests.e2e.test_console import signed_in
from tests.e2e.test_overlays import FULL_HD, overlay_url
from tests.support import add_to_team, bring_to_table, open_article, open_table

pytestmark = pytest.mark.e2e


async def open_producer(page, server, table, lang="en"):
    await page.goto(f"{server.url}/producer/{table.negotiation_id}?lang={lang}")
    await page.locator(".connection[data-state='live']").wait_for()


async def test_the_producer_hides_the_lower_third_and_takes_a_speaker_to_air_live(
    browser, server, http, people
):
    table = await open_table(http, people)
    article = await open_article(http, table, number="12", title="Class size")
    await bring_to_table(http, table, article["id"])
    producer_person = people(name="Pia Producer")
    await add_to_team(http, table, producer_person, "union")
    obs = await browser.new_context(**FULL_HD)  # the stream's machine: nobody signed in
    lower, speaker = await obs.new_page(), await obs.new_page()
    context, producer, _frames = await signed_in(browser, server, producer_person)
    try:
        await lower.goto(overlay_url(server, table, "lower-third"))
        await speaker.goto(overlay_url(server, table, "speaker"))
        for overlay in (lower, speaker):
            await overlay.locator("body[data-feed='live']").wait_for()
        await lower.locator("#graphic").wait_for(state="visible")
        assert not await speaker.locator("#graphic").is_visible()

        await open_producer(producer, server, table)
        row = producer.locator("li[data-graphic='lower-third']")
        assert await row.locator(".state").inner_text() == "On air"
        # Keyboard alone: focus the lower third's control and press it.
        await row.locator("button.toggle").focus()
        await producer.keyboard.press("Enter")
        await lower.locator("#graphic").wait_for(state="hidden")
        await row.locator(".state", has_text="Hidden").wait_for()
        assert await row.locator("button.toggle").inner_text() == "Show"

        await producer.fill("#speaker-name", "Ana Ruiz")
        await producer.fill("#speaker-title", "President, Local 5")
        await producer.press("#speaker-title", "Enter")
        await speaker.locator("#graphic").wait_for(state="visible")
        assert await speaker.locator("#speaker-name").inner_text() == "Ana Ruiz"
        assert await speaker.locator("#speaker-title").inner_text() == "President, Local 5"
        await producer.locator("#speaker-now", has_text="On air: Ana Ruiz").wait_for()
        for overlay in (lower, speaker):  # live: the overlays were never reloaded
            assert (
                await overlay.evaluate("performance.getEntriesByType('navigation')[0].type")
                == "navigate"
            )

        # Kept across reloads: a fresh load paints the cues as they stand.
        for overlay in (lower, speaker):
            await overlay.reload()
            await overlay.locator("body[data-feed='live']").wait_for()
        assert not await lower.locator("#graphic").is_visible()
        assert await speaker.locator("#speaker-name").inner_text() == "Ana Ruiz"
        await producer.reload()
        await producer.locator(".connection[data-state='live']").wait_for()
        assert await row.locator(".state").inner_text() == "Hidden"
        assert "Ana Ruiz" in await producer.locator("#speaker-now").inner_text()

        # Cleared: the speaker leaves the air; the lower third comes back.
        await producer.click("#speaker-clear")
        await speaker.locator("#graphic").wait_for(state="hidden")
        await row.locator("button.toggle").click()
        await lower.locator("#graphic").wait_for(state="visible")
    finally:
        await context.close()
        await obs.close()


async def test_a_refused_cue_shows_next_to_its_control_and_keeps_what_was_typed(
    browser, server, http, people
):
    table = await open_table(http, people)
    context, producer, _frames = await signed_in(browser, server, table.union, lang="es")
    try:
        await open_producer(producer, server, table, lang="es")
        await http.post(
            f"{table.base}/sessions/{table.session_id}/close", headers=table.union.headers
        )
        await producer.locator("#session-line", has_text="No hay sesión en curso").wait_for()
        await producer.fill("#speaker-name", "Ana Ruiz")
        await producer.click("#speaker-form button[type=submit]")
        refusal = producer.locator("#speaker-form .refusal")
        await refusal.wait_for(state="visible")
        assert "Session 1 is closed" in await refusal.inner_text()
        assert await producer.input_value("#speaker-name") == "Ana Ruiz"
    finally:
        await context.close()
