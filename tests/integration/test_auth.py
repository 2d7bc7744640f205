"""Accounts, sign-in, tokens and throttling over real HTTP."""

import httpx

from tests.support import PASSWORD, expect


async def test_login_sets_a_cookie_that_authenticates_pages_and_api(http, people, server):
    person = people(name="Cookie Person")
    response = await http.post(
        "/api/auth/login", json={"username": person.username, "password": PASSWORD}
    )
    body = await expect(response, 200)
    assert "negotiation_session" in response.cookies
    async with httpx.AsyncClient(base_url=server.url, cookies=response.cookies) as browser:
        me = await expect(await browser.get("/api/auth/me"), 200)
    assert me["username"] == person.username
    assert body["token"] != person.token


async def test_wrong_password_is_refused_with_401(http, people):
    person = people()
    response = await http.post(
        "/api/auth/login", json={"username": person.username, "password": "not it at all"}
    )
    assert response.status_code == 401
    assert response.json()["detail"] == "Wrong username or password."


async def test_repeated_failures_throttle_even_the_right_password_from_that_address(http, people):
    """From the same address only, now (tests/integration/test_security.py: not the owner's)."""
    person = people()
    for _ in range(5):
        response = await http.post(
            "/api/auth/login", json={"username": person.username, "password": "guess-guess"}
        )
        assert response.status_code == 401
    response = await http.post(
        "/api/auth/login", json={"username": person.username, "password": PASSWORD}
    )
    assert response.status_code == 429
    assert int(response.headers["retry-after"]) > 0
    assert "Too many failed sign-ins" in response.json()["detail"]


async def test_revoked_token_no_longer_authenticates(http, people):
    person = people()
    token = await expect(
        await http.post("/api/auth/tokens", headers=person.headers, json={"label": "scoreboard"}),
        201,
    )
    headers = {"Authorization": f"Bearer {token['token']}"}
    await expect(await http.get("/api/auth/me", headers=headers), 200)
    await expect(
        await http.delete(f"/api/auth/tokens/{token['token_id']}", headers=person.headers), 200
    )
    response = await http.get("/api/auth/me", headers=headers)
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


async def test_logout_revokes_the_session_token(http, people):
    person = people()
    login = await expect(
        await http.post(
            "/api/auth/login", json={"username": person.username, "password": PASSWORD}
        ),
        200,
    )
    headers = {"Authorization": f"Bearer {login['token']}"}
    await expect(await http.post("/api/auth/logout", headers=headers), 200)
    assert (await http.get("/api/auth/me", headers=headers)).status_code == 401


async def test_commands_without_sign_in_are_refused_with_401(http):
    response = await http.post(
        "/api/negotiations",
        json={
            "title": "x",
            "kind": "collective_bargaining",
            "bargaining_unit": "u",
            "union_name": "a",
            "employer_name": "b",
            "my_party": "union",
        },
    )
    assert response.status_code == 401
    assert "Sign in" in response.json()["detail"]


async def test_only_administrators_create_accounts(http, people, admin):
    person = people()
    body = {
        "username": "new.member",
        "display_name": "New Member",
        "password": "long enough password",
    }
    assert (await http.post("/api/accounts", headers=person.headers, json=body)).status_code == 403
    created = await expect(await http.post("/api/accounts", headers=admin.headers, json=body), 201)
    assert created["username"] == "new.member"
    again = await http.post("/api/accounts", headers=admin.headers, json=body)
    assert again.status_code == 409


async def test_passwords_are_stored_as_argon2_hashes(server, people):
    person = people()
    stored = server.run(
        server.identity.pool.fetchval(
            "SELECT password_hash FROM accounts WHERE username = $1", person.username
        )
    )
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


async def test_failures_older_than_the_window_are_trimmed_as_new_ones_come(http, people, server):
    person = people()
    pool = server.identity.pool
    server.run(
        pool.execute(
            "INSERT INTO login_failures (username, remote, failed_at) "
            "VALUES ($1, 'old', now() - interval '1 day')",
            person.username,
        )
    )
    response = await http.post(
        "/api/auth/login", json={"username": person.username, "password": "not it at all"}
    )
    assert response.status_code == 401
    remotes = server.run(
        pool.fetch("SELECT remote FROM login_failures WHERE username = $1", person.username)
    )
    assert [r["remote"] for r in remotes] == ["127.0.0.1"]
