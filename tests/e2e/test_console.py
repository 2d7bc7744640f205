"""The table console in Chromium: two union members and the employer's chief, each in their
own browser, run a short negotiation; every move reaches the others live, the union's drafts
and notes never reach the employer, refusals appear in place and typed text is never lost."""

import json
import socket

import pytest

from tests.e2e.feeds import serve_on_port
from tests.support import Table, add_to_team, expect, open_article, open_table
from web.app import create_app
from web.settings import Settings

pytestmark = pytest.mark.e2e

CURRENT = "Class size shall not exceed 30 students."


async def signed_in(browser, server, person, lang="en", *, bypass_csp=False):
    """A browser context signed in through the sign-in page (the session cookie); bypassing
    the page's CSP only to inject axe-core."""
    context = await browser.new_context(locale=lang, bypass_csp=bypass_csp)
    page = await context.new_page()
    frames: list[str] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda f: frames.append(str(f))))
    await page.goto(f"{server.url}/sign-in?next=/console&lang={lang}")
    await page.fill("input[name=username]", person.username)
    await page.fill("input[name=password]", person.password)
    await page.press("input[name=password]", "Enter")
    await page.locator("#console-negotiations").wait_for()
    return context, page, frames


async def open_console(page, table, lang="en"):
    await page.click(f"a[href^='/console/{table.negotiation_id}']")
    await page.locator(".connection[data-state='live']").wait_for()


def row(page, article_id):
    return page.locator(f"tr[data-article='{article_id}']")


async def test_two_union_members_and_the_employer_run_a_short_negotiation(
    browser, server, http, people
):
    table = await open_table(http, people)
    second = people(name="Sam Second")
    await add_to_team(http, table, second)
    size = await open_article(http, table, current_language=CURRENT)
    leave = await open_article(
        http, table, number="14", title="Leave", current_language="Ten days."
    )
    hours = await open_article(http, table, number="15", title="Hours", current_language="")
    chief_ctx, chief, _ = await signed_in(browser, server, table.union)
    second_ctx, mate, _ = await signed_in(browser, server, second)
    employer_ctx, employer, employer_frames = await signed_in(browser, server, table.employer)
    try:
        for page in (chief, mate, employer):
            await open_console(page, table)

        # A union draft: the teammate sees it live, the employer never.
        await row(chief, size["id"]).locator("button[data-edit='draft']").click()
        await chief.fill("#editor-text", "Class size shall not exceed 25 students.")
        assert await chief.locator("#redline-current ins").inner_text() == "25"
        await chief.click("#editor-save")
        await row(mate, size["id"]).locator(".draft").wait_for()

        # Tabled from the draft: the employer's chart shows it live.
        await chief.click("#editor-table")
        union_cell = row(employer, size["id"]).locator("td.side.union")
        await union_cell.locator("ins", has_text="25").wait_for()
        await row(mate, size["id"]).locator(".draft").wait_for(state="detached")

        # The employer counters the union's latest; the union sees it live.
        await row(employer, size["id"]).locator("button[data-edit='counter']").click()
        await employer.fill("#editor-text", "Class size shall not exceed 28 students.")
        await employer.click("#editor-table")
        await row(chief, size["id"]).locator("td.side.employer ins", has_text="28").wait_for()
        await row(chief, size["id"]).locator("td.sides del", has_text="25").wait_for()

        # A private team note reaches the teammate, not the employer.
        await chief.fill("#note-text", "Hold firm on 25; they can move.")
        await chief.click("#note-form button[type=submit]")
        await mate.locator("#notes li", has_text="Hold firm").wait_for()

        # The union accepts 28: the union chief signs, then the employer chief signs the same.
        await row(chief, size["id"]).locator("button.ta").click()
        await row(employer, size["id"]).locator(".ta-signed").wait_for()
        await row(employer, size["id"]).locator("button.ta").click()
        await row(mate, size["id"]).locator(".status", has_text="Tentatively agreed").wait_for()
        await mate.locator("#progress", has_text="1 of 3").wait_for()

        # A caucus, called by the teammate, shows on every console.
        await mate.locator("button.caucus-toggle").click()
        await employer.locator("#caucus").wait_for()

        # The caucus ends; the union offers two drafts as one package, the employer accepts.
        await mate.locator("button.caucus-toggle").click()
        await employer.locator("#caucus").wait_for(state="detached")
        for article, text in ((leave, "Twelve days."), (hours, "Seven hours a day.")):
            await row(chief, article["id"]).locator("button[data-edit='draft']").click()
            await chief.fill("#editor-text", text)
            await chief.click("#editor-save")
            await row(chief, article["id"]).locator(".draft").wait_for()
        await chief.check(f"#pkg-{leave['id']}")
        await chief.check(f"#pkg-{hours['id']}")
        await chief.click("#packages form button[type=submit]")
        await employer.locator("#packages li", has_text="2").wait_for()
        await employer.locator("#packages button", has_text="Accept the package").click()
        await mate.locator("#progress", has_text="3 of 3").wait_for()

        # The bulletin: the generated draft, edited, published for the public.
        await chief.click("#bulletin-generate")
        # the generated text arrives after the click: wait for it, not for the box
        await chief.wait_for_function("() => document.querySelector('#bulletin-text').value")
        generated = await chief.input_value("#bulletin-text")
        assert generated
        await chief.fill("#bulletin-text", generated + "\nA good day at the table.")
        async with chief.expect_response(lambda r: r.url.endswith("/bulletins")) as sent:
            await chief.click("#bulletin-form button[type=submit]")
        published = await (await sent.value).json()
        bulletins = await expect(
            await http.get(
                f"{table.base}/sessions/{table.session_id}/bulletins",
                params={"after": published["position"]},
            ),
            200,
        )
        assert "A good day at the table." in json.dumps(bulletins)

        assert "Hold firm" not in await employer.content()
        assert not [f for f in employer_frames if "Hold firm" in f or '"draft:' in f]
    finally:
        for context in (chief_ctx, second_ctx, employer_ctx):
            await context.close()


async def test_tabling_during_a_caucus_is_refused_in_place_and_the_text_stays(
    browser, server, http, people
):
    table = await open_table(http, people)
    size = await open_article(http, table, current_language=CURRENT)
    await expect(
        await http.post(
            f"{table.base}/sessions/{table.session_id}/caucus", headers=table.employer.headers
        ),
        200,
    )
    context, page, _ = await signed_in(browser, server, table.union)
    try:
        await open_console(page, table)
        await row(page, size["id"]).locator("button[data-edit='draft']").click()
        await page.fill("#editor-text", "Class size shall not exceed 20 students.")
        await page.click("#editor-table")
        refusal = page.locator("#editor-refusal")
        await refusal.wait_for()
        assert "caucus" in (await refusal.inner_text()).lower()
        assert await page.input_value("#editor-text") == "Class size shall not exceed 20 students."

        await page.reload()  # and after a reload, the typed text is still there
        await page.locator(".connection[data-state='live']").wait_for()
        await row(page, size["id"]).locator("button[data-edit='draft']").click()
        assert await page.input_value("#editor-text") == "Class size shall not exceed 20 students."
    finally:
        await context.close()


async def table_via_api(http, table, article_id, who, text, **link):
    return await expect(
        await http.post(
            f"{table.base}/articles/{article_id}/proposals",
            headers=who.headers,
            json={"text": text} | link,
        ),
        201,
    )


async def agreed_by_both(http, table, article_id, text):
    """The union tables the text and both chiefs sign a TA on it."""
    proposal = await table_via_api(http, table, article_id, table.union, text)
    for chief in (table.union, table.employer):
        await expect(
            await http.post(
                f"{table.base}/articles/{article_id}/proposals/{proposal['id']}/ta",
                headers=chief.headers,
                json={},
            ),
            200,
        )


async def test_a_counter_to_an_old_proposal_and_a_ta_on_a_stale_version_are_refused_in_place(
    browser, server, http, people
):
    table = await open_table(http, people)
    size = await open_article(http, table, current_language=CURRENT)
    first = await table_via_api(http, table, size["id"], table.union, "At most 25 students.")
    context, page, _ = await signed_in(browser, server, table.employer)
    try:
        await open_console(page, table)
        await row(page, size["id"]).locator("button[data-edit='counter']").click()
        await page.fill("#editor-text", "At most 29 students.")
        # Meanwhile the union revises: the editor's counter now answers an old proposal.
        await table_via_api(
            http, table, size["id"], table.union, "At most 24 students.", revises=first["id"]
        )
        await page.click("#editor-table")
        refusal = page.locator("#editor-refusal")
        await refusal.wait_for()
        assert await refusal.get_attribute("data-rule") == "must_answer_latest_proposal"
        assert await page.input_value("#editor-text") == "At most 29 students."
        # Reload and retry: the counter now answers the union's latest, the text unchanged.
        await page.click("#editor-retry")
        assert await page.input_value("#editor-text") == "At most 29 students."
        await page.click("#editor-table")
        await row(page, size["id"]).locator("td.side.employer ins", has_text="29").wait_for()

        # A TA on the employer's own v2, from a chart that has not caught up: the union has
        # countered it meanwhile (the feed is stopped so the page cannot see that yet).
        ta = row(page, size["id"]).locator("button.ta")
        act = await ta.get_attribute("data-act")
        await page.evaluate("window.consoleFeed.stop()")
        ours = act.split("/proposals/")[1].split("/")[0]
        await table_via_api(
            http, table, size["id"], table.union, "At most 26 students.", answers=ours
        )
        await ta.click()
        ta_refusal = row(page, size["id"]).locator(".refusal").first
        await ta_refusal.wait_for()
        assert await ta_refusal.get_attribute("data-rule") == "not_latest_version"
        assert (await ta_refusal.inner_text()).strip()
    finally:
        await context.close()


async def test_a_draft_in_the_editor_survives_a_server_restart(
    browser, server, http, people, database
):
    table = await open_table(http, people)
    size = await open_article(http, table, current_language=CURRENT)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    node = serve_on_port(create_app(Settings(port=0), database=database), port)
    context = await browser.new_context()
    page = await context.new_page()
    try:
        base = f"http://127.0.0.1:{port}"
        await page.goto(f"{base}/sign-in?next=/console")
        await page.fill("input[name=username]", table.union.username)
        await page.fill("input[name=password]", table.union.password)
        await page.press("input[name=password]", "Enter")
        await page.locator("#console-negotiations").wait_for()
        await open_console(page, table)
        await row(page, size["id"]).locator("button[data-edit='draft']").click()
        await page.fill("#editor-text", "Not one student over 22.")

        node.stop()
        await page.locator(".connection[data-state='reconnecting']").wait_for()
        node = serve_on_port(create_app(Settings(port=0), database=database), port)
        await page.reload()
        await page.locator(".connection[data-state='live']").wait_for()
        await row(page, size["id"]).locator("button[data-edit='draft']").click()
        assert await page.input_value("#editor-text") == "Not one student over 22."
    finally:
        await context.close()
        node.stop()


async def test_the_other_sides_proposal_is_recorded_as_received_from_paper(
    browser, server, http, people
):
    """Most unions run the platform alone: the employer has no team here, so the union's
    chief records the employer's counter from paper."""
    chief = people(name="Uma Union")
    created = await expect(
        await http.post(
            "/api/negotiations",
            headers=chief.headers,
            json={
                "title": "Alone at the table",
                "kind": "collective_bargaining",
                "bargaining_unit": "Educators",
                "union_name": "Educators Association",
                "employer_name": "Unified School District",
                "my_party": "union",
            },
        ),
        201,
    )
    base = f"/api/negotiations/{created['id']}"
    offer = await expect(
        await http.post(f"{base}/ground-rules", headers=chief.headers, json={}), 201
    )
    await expect(
        await http.post(
            f"{base}/ground-rules/{offer['id']}/agree",
            headers=chief.headers,
            json={"as_received": True},
        ),
        200,
    )
    session = await expect(
        await http.post(
            f"{base}/sessions",
            headers=chief.headers,
            json={
                "visibility": "open",
                "location": "Hall",
                "starts_at": "2026-11-24T16:00:00+00:00",
            },
        ),
        201,
    )
    await expect(
        await http.post(f"{base}/sessions/{session['id']}/open", headers=chief.headers), 200
    )
    table = Table(created["id"], chief, chief, session["id"])
    size = await open_article(http, table, current_language=CURRENT)
    await table_via_api(http, table, size["id"], chief, "At most 25 students.")
    context, page, _ = await signed_in(browser, server, chief)
    try:
        await open_console(page, table)
        await row(page, size["id"]).locator("button[data-edit='draft']").click()
        await page.fill("#editor-text", "At most 28 students.")
        await page.check("#editor-received")
        await page.click("#editor-table")
        employer_side = row(page, size["id"]).locator("td.side.employer")
        await employer_side.locator("ins", has_text="28").wait_for()
    finally:
        await context.close()


async def test_a_teammates_edit_of_the_draft_meanwhile_is_a_stale_write_reloaded_and_retried(
    browser, server, http, people
):
    table = await open_table(http, people)
    second = people(name="Sam Second")
    await add_to_team(http, table, second)
    size = await open_article(http, table, current_language=CURRENT)
    draft = await expect(
        await http.post(
            f"{table.base}/drafts",
            headers=table.union.headers,
            json={"article_id": size["id"], "text": "At most 26 students."},
        ),
        201,
    )
    context, page, _ = await signed_in(browser, server, table.union)
    try:
        await open_console(page, table)
        await row(page, size["id"]).locator("button[data-edit='draft']").click()
        await page.fill("#editor-text", "At most 24 students.")
        await expect(
            await http.put(
                f"{table.base}/drafts/{draft['id']}",
                headers=second.headers,
                json={"text": "At most 23 students.", "expected_revision": 1},
            ),
            200,
        )
        await row(page, size["id"]).locator(".draft[data-revision='2']").wait_for()
        await page.click("#editor-save")  # the editor saw revision 1: never overwritten silently
        refusal = page.locator("#editor-refusal")
        await refusal.wait_for()
        assert await refusal.get_attribute("data-rule") == "stale_write"
        assert "edited this draft meanwhile" in await refusal.inner_text()
        assert await page.input_value("#editor-text") == "At most 24 students."

        await page.click("#editor-retry")
        assert await page.input_value("#editor-text") == "At most 24 students."
        await page.click("#editor-save")
        await row(page, size["id"]).locator(".draft[data-revision='3']").wait_for()
        assert await row(page, size["id"]).locator(".draft").get_attribute("data-text") == (
            "At most 24 students."
        )
    finally:
        await context.close()


async def test_a_chief_runs_a_session_from_the_console(browser, server, http, people):
    table = await open_table(http, people, open_session=False)
    context, page, _ = await signed_in(browser, server, table.union)
    session = page.locator("#session")
    try:
        await open_console(page, table)
        await page.click("#session button:text-is('Open the session')")
        await session.locator("button:text-is('Recess')").wait_for()
        await page.fill("#open-article input[name=number]", "12")
        await page.fill("#open-article input[name=title]", "Class size")
        await page.fill("#open-article textarea[name=current_language]", CURRENT)
        await page.click("#open-article button[type=submit]")
        article = page.locator("#rows tr", has_text="Class size")
        await article.wait_for()
        article_id = await article.get_attribute("data-article")
        await page.select_option("#session select[name=article_ids]", [article_id])
        await page.click("#session button:text-is('Set the agenda')")
        await page.locator("#agenda", has_text="Art. 12").wait_for()
        await page.fill("#session input[name=count]", "87")
        await page.click("#session button:text-is('Record')")
        await session.locator(".session-meta", has_text="87").wait_for()
        await article.locator("button", has_text="Bring to the table").click()
        await row(page, article_id).locator(".on-table-mark").wait_for()
        await page.click("#session button:text-is('Recess')")
        await page.click("#session button:text-is('Resume')")
        await session.locator("button:text-is('Recess')").wait_for()  # open again, then close
        await page.click("#session button:text-is('Close the session')")
        await page.fill("#schedule-session input[name=location]", "Library")
        await page.fill("#schedule-session input[name=starts_at]", "2027-01-12T16:00")
        await page.click("#schedule-session button[type=submit]")
        await page.locator("#session-heading", has_text="Session 2").wait_for()
    finally:
        await context.close()


COUNT_PANEL_SWAPS = """() => {
  window.panelSwaps = 0;
  new MutationObserver((changes) => {
    for (const change of changes)
      for (const node of change.addedNodes)
        if (node.dataset?.part === "session") window.panelSwaps++;
  }).observe(document.querySelector("#session").parentNode, { childList: true });
}"""


async def test_a_live_change_replaces_only_the_parts_it_changes(browser, server, http, people):
    """A command's own refresh and the feed's echo of it both fetch the session panel; the
    second brings the same markup and leaves the panel in place (replacing it again would
    swallow a click pressed as it lands). A change made elsewhere still replaces it."""
    table = await open_table(http, people)
    context, page, _ = await signed_in(browser, server, table.union)

    async def settled_at(position):
        await page.wait_for_function("p => window.consoleFeed.position >= p", arg=position)
        await page.evaluate("window.consoleSettled()")
        return await page.evaluate("window.panelSwaps")

    try:
        await open_console(page, table)
        await page.evaluate(COUNT_PANEL_SWAPS)
        panel_fetches: list[str] = []
        page.on(
            "request",
            lambda r: "/parts?" in r.url and "session" in r.url and panel_fetches.append(r.url),
        )
        await page.fill("#session input[name=count]", "40")
        async with page.expect_response(lambda r: r.url.endswith("/attendance")) as sent:
            await page.click("#session button:text-is('Record')")
        recorded = await (await sent.value).json()
        assert await settled_at(recorded["position"]) == 1
        assert len(panel_fetches) == 1  # the feed's echo does not fetch the panel again
        counted = await http.post(
            f"{table.base}/sessions/{table.session_id}/attendance",
            headers=table.union.headers,
            json={"count": 41},
        )
        assert await settled_at((await expect(counted, 200))["position"]) == 2
        await page.locator("#session .session-meta", has_text="41").wait_for()
    finally:
        await context.close()


async def test_the_chief_adds_a_member_and_both_chiefs_reopen_an_agreed_article(
    browser, server, http, people
):
    table = await open_table(http, people)
    newcomer = people(name="Nora Newcomer")
    size = await open_article(http, table, current_language=CURRENT)
    await agreed_by_both(http, table, size["id"], "At most 25 students.")
    union_ctx, union, _ = await signed_in(browser, server, table.union)
    employer_ctx, employer, _ = await signed_in(browser, server, table.employer)
    try:
        for page in (union, employer):
            await open_console(page, table)
        await union.fill("#team input[name=username]", newcomer.username)
        await union.click("#team button:text-is('Add')")
        await union.locator("#team li", has_text="Nora Newcomer").wait_for()

        await row(union, size["id"]).locator("button", has_text="Consent to reopen").click()
        await row(union, size["id"]).locator(".consents").wait_for()
        # (The employer's chart shows the consent live: tests/e2e/test_console_team_acts.py.)
        await row(employer, size["id"]).locator("button", has_text="Consent to reopen").click()
        await row(union, size["id"]).locator("button[data-edit='draft']").wait_for()
        assert await row(union, size["id"]).get_attribute("data-status") != "agreed"
    finally:
        await union_ctx.close()
        await employer_ctx.close()
