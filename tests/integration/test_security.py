"""Cross-site requests, JSON-only bodies, security headers and the Secure cookie, over real HTTP."""

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from tests.support import PASSWORD, LiveServer, expect, open_table
from web.app import create_app
from web.settings import Settings

EVIL = "https://evil.example"


@asynccontextmanager
async def _cookie_client(server, person) -> AsyncIterator[httpx.AsyncClient]:
    """A browser signed in as `person`: only the session cookie authenticates it."""
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
        await expect(
            await client.post(
                "/api/auth/login", json={"username": person.username, "password": PASSWORD}
            ),
            200,
        )
        assert "negotiation_session" in client.cookies
        yield client


@pytest.fixture(scope="module")
def proxied(database, negotiations):
    """The app as deployed behind a reverse proxy on loopback, with one extra allowed origin."""
    settings = Settings(
        port=0,
        trusted_proxies=("127.0.0.1",),
        allowed_origins=("https://union.example",),
        login_window_seconds=60,
    )
    live = LiveServer.start(create_app(settings, database=database))
    yield live
    live.stop()


async def test_a_cross_site_text_plain_post_with_the_cookie_is_refused(http, people, server):
    table = await open_table(http, people)
    async with _cookie_client(server, table.union) as browser:
        # What a form or fetch(no-cors) on another site can send without a preflight.
        forged = await browser.post(
            f"{table.base}/notes",
            content=json.dumps({"text": "forged"}),
            headers={"content-type": "text/plain", "origin": EVIL},
        )
        assert forged.status_code == 403, forged.text
        assert forged.json()["rule"] == "cross_site_request"
        assert EVIL in forged.json()["detail"]
        recess = await browser.post(
            f"{table.base}/sessions/{table.session_id}/recess", headers={"origin": EVIL}
        )
        assert recess.status_code == 403
        with_a_query_token = await browser.post(
            f"{table.base}/sessions/{table.session_id}/recess?token=anything",
            headers={"origin": EVIL},
        )
        assert with_a_query_token.status_code == 403
        by_metadata = await browser.post(
            f"{table.base}/sessions/{table.session_id}/recess",
            headers={"sec-fetch-site": "cross-site"},
        )
        assert by_metadata.status_code == 403
    board = await expect(await http.get(table.base, headers=table.union.headers), 200)
    assert board["sessions"][0]["status"] != "recessed"


async def test_same_origin_pages_and_bearer_clients_are_unaffected(http, people, server):
    table = await open_table(http, people)
    async with _cookie_client(server, table.union) as browser:
        await expect(
            await browser.post(
                f"{table.base}/notes", json={"text": "ours"}, headers={"origin": server.url}
            ),
            201,
        )
    # A bearer token is never sent by a browser on its own: any origin may use one.
    await expect(
        await http.post(
            f"{table.base}/notes",
            json={"text": "from a scoreboard app"},
            headers={**table.union.headers, "origin": EVIL},
        ),
        201,
    )


async def test_a_json_endpoint_refuses_other_content_types_with_415(http, people):
    table = await open_table(http, people)
    response = await http.post(
        f"{table.base}/notes",
        content=json.dumps({"text": "plain"}),
        headers={**table.union.headers, "content-type": "text/plain"},
    )
    assert response.status_code == 415
    assert response.json()["rule"] == "unsupported_media_type"
    assert "application/json" in response.json()["detail"]


async def test_a_cross_site_websocket_with_the_cookie_is_refused(http, people, server):
    table = await open_table(http, people)
    async with _cookie_client(server, table.union) as browser:
        cookie = f"negotiation_session={browser.cookies['negotiation_session']}"
    url = f"ws://127.0.0.1:{server.port}/ws/negotiations/{table.negotiation_id}/?feed=board"
    with pytest.raises(InvalidStatus) as refused:
        await connect(url, additional_headers={"cookie": cookie, "origin": EVIL})
    assert refused.value.response.status_code == 403
    assert b"cross_site_request" in refused.value.response.body
    # From our own pages the same cookie opens the feed.
    async with connect(url, additional_headers={"cookie": cookie, "origin": server.url}) as feed:
        assert json.loads(await feed.recv())["type"] == "snapshot"


async def test_html_pages_carry_the_security_headers(http):
    page = await http.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    csp = page.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "same-origin"
    api = await http.get("/api/negotiations")
    assert api.headers["x-content-type-options"] == "nosniff"
    assert "strict-transport-security" not in page.headers  # plain HTTP here


async def test_the_cookie_is_secure_behind_a_trusted_https_proxy_only(people, server, proxied):
    person = people()
    login = {"username": person.username, "password": PASSWORD}
    async with httpx.AsyncClient(base_url=proxied.url) as client:
        https = await client.post(
            "/api/auth/login", json=login, headers={"x-forwarded-proto": "https"}
        )
        assert https.status_code == 200
        assert "secure" in https.headers["set-cookie"].lower()
        plain = await client.post("/api/auth/login", json=login)
        assert "secure" not in plain.headers["set-cookie"].lower()
    # The default server trusts no proxy: the same header from anyone proves nothing.
    async with httpx.AsyncClient(base_url=server.url) as client:
        spoofed = await client.post(
            "/api/auth/login", json=login, headers={"x-forwarded-proto": "https"}
        )
        assert "secure" not in spoofed.headers["set-cookie"].lower()


async def test_a_configured_origin_and_the_proxied_https_origin_are_accepted(http, people, proxied):
    table = await open_table(http, people)
    async with httpx.AsyncClient(base_url=proxied.url) as browser:
        await expect(
            await browser.post(
                "/api/auth/login",
                # Over https the cookie would be Secure, and httpx keeps it off plain http.
                json={"username": table.union.username, "password": PASSWORD},
            ),
            200,
        )
        host = f"127.0.0.1:{proxied.port}"
        for origin, proto in (("https://union.example", "http"), (f"https://{host}", "https")):
            await expect(
                await browser.post(
                    f"{table.base}/notes",
                    json={"text": origin},
                    headers={"origin": origin, "x-forwarded-proto": proto},
                ),
                201,
            )
        # Our host over plain http is another origin than the https one users see.
        refused = await browser.post(
            f"{table.base}/notes",
            json={"text": "downgraded"},
            headers={"origin": f"http://{host}", "x-forwarded-proto": "https"},
        )
        assert refused.status_code == 403


async def _sign_in(client, person, password, address=None):
    headers = {"x-forwarded-for": address} if address else {}
    return await client.post(
        "/api/auth/login",
        json={"username": person.username, "password": password},
        headers=headers,
    )


async def test_a_stranger_guessing_cannot_lock_the_owner_out(people, proxied):
    """Changed behaviour: failures used to lock the username for everyone for the window."""
    chief = people()
    async with httpx.AsyncClient(base_url=proxied.url) as client:
        for _ in range(5):
            guess = await _sign_in(client, chief, "guess-guess", "203.0.113.7")
            assert guess.status_code == 401
        stranger = await _sign_in(client, chief, PASSWORD, "203.0.113.7")
        assert stranger.status_code == 429  # that address waits, even with the right password
        assert 0 < int(stranger.headers["retry-after"]) <= 31
        owner = await _sign_in(client, chief, PASSWORD, "198.51.100.20")
        assert owner.status_code == 200, owner.text


async def test_forwarded_for_from_an_untrusted_peer_does_not_dodge_the_throttle(http, people):
    """The default server trusts no proxy: a new X-Forwarded-For per guess is still one address."""
    person = people()
    for n in range(5):
        guess = await _sign_in(http, person, "guess-guess", f"198.51.100.{n + 1}")
        assert guess.status_code == 401
    response = await _sign_in(http, person, PASSWORD, "198.51.100.99")
    assert response.status_code == 429, response.text


async def test_an_overlay_page_stays_embeddable_in_obs_and_other_pages_do_not(http, people):
    table = await open_table(http, people)
    overlay = await http.get(f"/overlays/{table.negotiation_id}/lower-third")
    assert overlay.status_code == 200, overlay.text
    assert overlay.headers["content-type"].startswith("text/html")
    assert "frame-ancestors" not in overlay.headers["content-security-policy"]
    assert "x-frame-options" not in overlay.headers
    viewer = await http.get("/")
    assert "frame-ancestors 'none'" in viewer.headers["content-security-policy"]
