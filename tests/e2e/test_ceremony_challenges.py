"""The complaint round on the officials' page, in Chromium: the browser of guardian 1 finds the
forged share guardian 2 sealed to it and challenges it, answers guardian 3's challenge of its own
share by revealing it (the server checks the browser's share against the browser's commitments),
and finishes the ceremony once guardian 2 reveals the honest share. Guardians 2 and 3 are Python
guardians over HTTP."""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
import msgspec
import pytest

from negotiation.voting.client import (
    Official,
    announce_guardians,
    open_shares,
    post_shares,
    wire,
)
from tests.e2e.test_ratification import SLOW_MS, call_vote, signed_in
from tests.support import expect

pytestmark = pytest.mark.e2e


async def ceremony_until(http, vote, headers, done):
    """The ceremony view once `done(view)` holds (the browser polls; so does this)."""
    for _ in range(400):
        view = await expect(await http.get(f"{vote}/ceremony", headers=headers), 200)
        if done(view):
            return view
        await asyncio.sleep(0.3)
    raise AssertionError(f"the ceremony never got there: {view}")


@contextlib.asynccontextmanager
async def forged_share_challenged(
    browser: Any, server: Any, http: Any, negotiations: Any, people: Any, lang: str, says: Any
) -> AsyncIterator[tuple[Any, str, Official, Official, Any]]:
    """Guardian 1's desk in the browser, after guardian 2 sealed it a forged share and the
    browser challenged it: (the desk, the vote's API path, guardians 2 and 3, announcements).
    `says` holds the page's words in `lang`: make_key, waiting, challenged."""
    vote, page_base, officials, _union = await call_vote(http, negotiations, people)
    g2, g3 = (Official(headers=o.headers) for o in officials[1:])
    context = await signed_in(browser, server, officials[0])
    try:
        desk = await context.new_page()
        await desk.goto(f"{server.url}{page_base}/officials?lang={lang}")
        await desk.get_by_role("button", name=says["make_key"]).click()
        await desk.get_by_text(says["waiting"], exact=False).wait_for()
        with httpx.Client(base_url=server.url, timeout=60) as client:
            announcements = await asyncio.to_thread(announce_guardians, client, vote, [g2, g3])
            await asyncio.to_thread(post_shares, client, vote, g2, announcements, 1)
            await asyncio.to_thread(post_shares, client, vote, g3, announcements)
        await desk.get_by_text(says["challenged"]).wait_for(timeout=SLOW_MS)
        yield desk, vote, g2, g3, announcements
    finally:
        await context.close()


async def test_the_officials_browser_challenges_a_forged_share_and_answers_a_challenge(
    browser, server, http, negotiations, people
):
    says = {
        "make_key": "Make my guardian key",
        "waiting": "Waiting for the other guardians",
        "challenged": "The share from guardian 2 does not check out: your browser challenged it.",
    }
    async with forged_share_challenged(
        browser, server, http, negotiations, people, "en", says
    ) as (desk, vote, g2, g3, announcements):
        # Guardian 3 challenges the browser's (honest) share; the browser reveals it.
        await expect(
            await http.post(f"{vote}/ceremony/challenge", headers=g3.headers, json={"sender": 1}),
            200,
        )
        view = await ceremony_until(
            http,
            vote,
            g3.headers,
            lambda v: any(c["accused"] == 1 and c["revealed"] for c in v["challenges"]),
        )
        assert view["disqualified"] == []  # the browser's share matched its commitments
        assert g2.guardian is not None
        honest = {"recipient": 1, "share": bytes(g2.guardian.share_for(1))}
        answer = await http.post(f"{vote}/ceremony/reveal", headers=g2.headers, json=wire(honest))
        assert (await expect(answer, 200))["outcome"] == "revealed"
        # The browser takes the revealed share, confirms, and asks for the key file.
        await desk.get_by_label("Passphrase for your key file").wait_for(timeout=SLOW_MS)
        with httpx.Client(base_url=server.url, timeout=60) as client:
            for g in (g2, g3):
                assert await asyncio.to_thread(open_shares, client, vote, g, announcements) == []
                await expect(await http.post(f"{vote}/ceremony/confirm", headers=g.headers), 200)
        await desk.locator("#ceremony-done").wait_for(timeout=SLOW_MS)
        view = await expect(await http.get(f"{vote}/ceremony", headers=g2.headers), 200)
        assert view["public_key"] and view["confirmed"] == [1, 2, 3]
        revealed = {(c["accuser"], c["accused"]) for c in view["challenges"] if c["revealed"]}
        assert revealed == {(1, 2), (3, 1)}
        assert msgspec.convert(view["challenges"][0]["revealed"], bytes)


async def test_a_false_reveal_shows_the_disqualification_and_the_restart_in_spanish(
    browser, server, http, negotiations, people
):
    says = {
        "make_key": "Generar mi clave de custodio",
        "waiting": "Esperando a los demás custodios",
        "challenged": "La parte enviada por el custodio 2 no se verifica: su navegador la impugnó.",
    }
    async with forged_share_challenged(
        browser, server, http, negotiations, people, "es", says
    ) as (desk, vote, g2, _g3, _announcements):
        assert g2.guardian is not None
        false = {"recipient": 1, "share": bytes(g2.guardian.share_for(3))}
        answer = await http.post(f"{vote}/ceremony/reveal", headers=g2.headers, json=wire(false))
        assert (await expect(answer, 200))["outcome"] == "disqualified"
        alert = desk.get_by_role("alert")
        await alert.filter(has_text="El custodio 2 quedó descalificado").wait_for(timeout=SLOW_MS)
        assert "nombrar de nuevo a los responsables" in await alert.inner_text()
