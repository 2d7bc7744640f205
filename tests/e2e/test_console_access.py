"""Who may use the console, over real HTTP: only a negotiation's teams; a team's drafts and
notes never reach the other team through the console's fragments; sign out everywhere."""

from tests.e2e.test_console import open_console, signed_in
from tests.support import expect, open_article, open_table


async def test_the_console_sends_the_public_to_sign_in(http, people):
    table = await open_table(http, people)
    response = await http.get(f"/console/{table.negotiation_id}", follow_redirects=False)
    assert response.status_code in (302, 303, 307)
    assert response.headers["location"].startswith("/sign-in?next=")


async def test_someone_off_the_teams_is_refused_with_a_sentence(http, people):
    table = await open_table(http, people)
    outsider = people(units=("Educators",))
    response = await http.get(f"/console/{table.negotiation_id}", headers=outsider.headers)
    assert response.status_code == 403
    assert "bargaining teams" in response.text


async def test_the_employers_fragments_never_carry_the_unions_draft_or_note(http, people):
    table = await open_table(http, people)
    size = await open_article(http, table)
    await expect(
        await http.post(
            f"{table.base}/drafts",
            headers=table.union.headers,
            json={"article_id": size["id"], "text": "Our secret fallback: 27."},
        ),
        201,
    )
    note = await expect(
        await http.post(
            f"{table.base}/notes", headers=table.union.headers, json={"text": "They fold at 4."}
        ),
        201,
    )
    names = {"names": f"article:{size['id']},notes,packages", "after": note["position"]}
    theirs = await http.get(
        f"/console/{table.negotiation_id}/parts", params=names, headers=table.employer.headers
    )
    ours = await http.get(
        f"/console/{table.negotiation_id}/parts", params=names, headers=table.union.headers
    )
    assert theirs.status_code == ours.status_code == 200
    assert "secret fallback" in ours.text and "They fold" in ours.text
    assert "secret fallback" not in theirs.text and "They fold" not in theirs.text
    page = await http.get(f"/console/{table.negotiation_id}", headers=table.employer.headers)
    assert "secret fallback" not in page.text and "They fold" not in page.text


async def test_sign_out_everywhere_revokes_every_token_of_the_account(http, people):
    table = await open_table(http, people)
    await expect(await http.get("/api/auth/me", headers=table.union.headers), 200)
    response = await http.post(
        "/console/sign-out", headers=table.union.headers, follow_redirects=False
    )
    assert response.status_code == 303
    assert (await http.get("/api/auth/me", headers=table.union.headers)).status_code == 401


async def test_sign_out_everywhere_from_the_console_page(browser, server, http, people):
    table = await open_table(http, people)
    context, page, _ = await signed_in(browser, server, table.union)
    try:
        await open_console(page, table)
        await page.click("form.sign-out button")
        await page.locator("form#sign-in").wait_for()
        assert (await http.get("/api/auth/me", headers=table.union.headers)).status_code == 401
        await page.goto(f"{server.url}/console/{table.negotiation_id}")
        await page.locator("form#sign-in").wait_for()  # signed out: back to sign-in
    finally:
        await context.close()


async def test_the_console_links_to_the_producers_overlay_controls_which_open_for_the_team(
    http, people
):
    table = await open_table(http, people)
    page = await http.get(f"/console/{table.negotiation_id}", headers=table.union.headers)
    link = f'href="/producer/{table.negotiation_id}"'
    assert page.status_code == 200 and link in page.text
    producer = await http.get(f"/producer/{table.negotiation_id}", headers=table.employer.headers)
    assert producer.status_code == 200
