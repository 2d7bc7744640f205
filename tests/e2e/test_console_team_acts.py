"""The chiefs' acts in the console, in Chromium: composing ground rules and agreeing them,
asking for and consenting to a late article, packages of tabled proposals, withdrawing, the
team, and a consent to reopen that reaches the other side before the article reopens."""

from datetime import UTC, datetime, timedelta

import pytest

from tests.e2e.test_console import agreed_by_both, open_console, row, signed_in, table_via_api
from tests.e2e.test_console_keyboard import AXE
from tests.support import add_to_team, expect, open_article, open_table

pytestmark = pytest.mark.e2e


async def no_serious_axe_issue(page):
    await page.add_script_tag(path=str(AXE))
    result = await page.evaluate("async () => await axe.run(document)")
    serious = [
        (v["id"], [n["html"][:120] for n in v["nodes"]][:3])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert result["passes"]
    assert serious == []


async def appointed_facilitator(http, table, people):
    """Fay, appointed the negotiation's facilitator by an administrator."""
    admin, fay = people(is_admin=True), people(name="Fay Facilitator")
    await expect(
        await http.post(
            f"{table.base}/facilitators", headers=admin.headers, json={"username": fay.username}
        ),
        201,
    )
    return fay


async def test_a_chief_composes_ground_rules_and_the_other_chief_agrees_to_them(
    browser, server, http, people
):
    table = await open_table(http, people)
    union_ctx, union, _ = await signed_in(browser, server, table.union, bypass_csp=True)
    employer_ctx, employer, _ = await signed_in(browser, server, table.employer)
    try:
        for page in (union, employer):
            await open_console(page, table)
        form = union.locator("#ground-rules-form")
        await form.locator("input[name=proposal_cutoff]").fill("2027-03-01T17:00")
        await form.locator("input[name=written_exchange_allowed]").check()
        await form.locator("input[name=members_sessions_allowed]").uncheck()
        await form.locator("input[name=observers]").fill("Two parents from the PTA")
        await form.locator("input[name=interpretation_languages]").fill("es, vi")
        # What is typed survives a reload before it is offered.
        await union.reload()
        await union.locator(".connection[data-state='live']").wait_for()
        assert await form.locator("input[name=observers]").input_value() == (
            "Two parents from the PTA"
        )
        assert not await form.locator("input[name=members_sessions_allowed]").is_checked()
        await form.locator("button[type=submit]").click()

        # The employer sees the whole offer live, and who made it.
        offer = employer.locator("#rules-offer")
        await offer.wait_for()
        text = await offer.inner_text()
        assert "Educators Association offers these ground rules" in text
        assert "Two parents from the PTA" in text and "es, vi" in text and "3/1/27" in text
        await union.locator(
            "#rules-offer", has_text="waiting for Unified School District"
        ).wait_for()
        await no_serious_axe_issue(union)

        await offer.locator("button", has_text="Agree to these ground rules").click()
        agreed = "offered by Educators Association, agreed by Unified School District"
        for page in (union, employer):
            await page.locator(".rules-agreed", has_text=agreed).wait_for()
            await page.locator("#rules-offer").wait_for(state="detached")
        rules = await union.locator("#ground-rules dl.rules").inner_text()
        assert "Two parents from the PTA" in rules
        # Once offered, nothing is kept for it in the browser's store.
        kept = "Object.keys(localStorage).filter((k) => k.endsWith('form:ground-rules-form'))"
        assert await union.evaluate(kept) == []
    finally:
        await union_ctx.close()
        await employer_ctx.close()


async def test_agreeing_a_superseded_offer_is_refused_next_to_the_button(
    browser, server, http, people
):
    table = await open_table(http, people)
    first = await expect(
        await http.post(
            f"{table.base}/ground-rules", headers=table.union.headers, json={"observers": "A"}
        ),
        201,
    )
    context, page, _ = await signed_in(browser, server, table.employer)
    try:
        await open_console(page, table)
        await page.locator("#rules-offer").wait_for()
        await page.evaluate("window.consoleFeed.stop()")  # the page cannot see the new offer
        await expect(
            await http.post(
                f"{table.base}/ground-rules", headers=table.union.headers, json={"observers": "B"}
            ),
            201,
        )
        assert first["id"]
        await page.click("#rules-offer button")
        refusal = page.locator("#rules-offer .refusal")
        await refusal.wait_for()
        assert "no longer the ones on offer" in await refusal.inner_text()
    finally:
        await context.close()


async def test_a_late_article_is_requested_and_the_other_chief_consents_knowing_what_it_is(
    browser, server, http, people
):
    cutoff = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    table = await open_table(http, people, ground_rules={"proposal_cutoff": cutoff})
    union_ctx, union, _ = await signed_in(browser, server, table.union)
    employer_ctx, employer, _ = await signed_in(browser, server, table.employer, bypass_csp=True)
    try:
        for page in (union, employer):
            await open_console(page, table)
        # Opening it the usual way is refused in place with the cut-off's sentence.
        await union.fill("#open-article input[name=number]", "30")
        await union.fill("#open-article input[name=title]", "Parking")
        await union.click("#open-article button[type=submit]")
        refusal = union.locator("#open-article .refusal")
        await refusal.wait_for()
        assert "cut-off" in await refusal.inner_text()

        form = union.locator("#late-article-form")
        await form.locator("input[name=number]").fill("30")
        await form.locator("input[name=title]").fill("Parking")
        await form.locator("select[name=category]").select_option("economic")
        await form.locator("textarea[name=current_language]").fill("Staff park for free.")
        await form.locator("button[type=submit]").click()
        await union.locator(
            ".late-request", has_text="waiting for Unified School District"
        ).wait_for()

        request = employer.locator(".late-request")
        await request.wait_for()
        text = await request.inner_text()
        assert "Educators Association asks to open Art. 30 — Parking (economic)" in text
        assert "Staff park for free." in text
        await no_serious_axe_issue(employer)
        await request.locator("button", has_text="Consent to the late article").click()
        for page in (union, employer):
            await page.locator("#rows tr", has_text="Parking").wait_for()
            await page.locator(".late-request").wait_for(state="detached")
    finally:
        await union_ctx.close()
        await employer_ctx.close()


async def test_tabled_proposals_go_out_as_one_package_which_is_then_withdrawn(
    browser, server, http, people
):
    table = await open_table(http, people)
    size = await open_article(http, table)
    leave = await open_article(http, table, number="14", title="Leave")
    for article, text in ((size, "At most 25 students."), (leave, "Twelve days.")):
        await table_via_api(http, table, article["id"], table.union, text)
    union_ctx, union, _ = await signed_in(browser, server, table.union)
    employer_ctx, employer, _ = await signed_in(browser, server, table.employer)
    try:
        for page in (union, employer):
            await open_console(page, table)
        await union.check(f"#pkg-{size['id']}-tabled")
        await union.check(f"#pkg-{leave['id']}-tabled")
        await union.click("#packages form button[type=submit]")
        package = employer.locator("#packages li", has_text="2 articles")
        await package.wait_for()
        await row(employer, size["id"]).locator("td.side.union", has_text="in a package").wait_for()
        # A TA on one item of a live package is not offered: the package is answered whole.
        assert await row(employer, size["id"]).locator("button.ta").count() == 0

        await union.locator("#packages button", has_text="Withdraw the package").click()
        await package.wait_for(state="detached")
        await row(employer, size["id"]).locator("td.side.union .none").wait_for()
    finally:
        await union_ctx.close()
        await employer_ctx.close()


async def test_withdrawing_our_proposal_reaches_the_other_side(browser, server, http, people):
    table = await open_table(http, people)
    size = await open_article(http, table)
    await table_via_api(http, table, size["id"], table.union, "At most 25 students.")
    union_ctx, union, _ = await signed_in(browser, server, table.union)
    employer_ctx, employer, _ = await signed_in(browser, server, table.employer)
    try:
        for page in (union, employer):
            await open_console(page, table)
        await row(employer, size["id"]).locator("td.side.union ins", has_text="25").wait_for()
        await row(union, size["id"]).locator("button", has_text="Withdraw ours").click()
        await row(employer, size["id"]).locator("td.side.union .none").wait_for()
        await (
            row(union, size["id"])
            .locator("button", has_text="Withdraw ours")
            .wait_for(state="detached")
        )
    finally:
        await union_ctx.close()
        await employer_ctx.close()


async def test_the_chief_removes_a_team_member(browser, server, http, people):
    table = await open_table(http, people)
    leaving = people(name="Lee Leaving")
    await add_to_team(http, table, leaving)
    context, page, _ = await signed_in(browser, server, table.union)
    try:
        await open_console(page, table)
        member = page.locator("#team li", has_text="Lee Leaving")
        await member.locator("button", has_text="Remove").click()
        await member.wait_for(state="detached")
        team = await expect(await http.get(table.base, headers=table.union.headers), 200)
        assert "Lee Leaving" not in str(team)
    finally:
        await context.close()


async def test_a_consent_to_reopen_reaches_the_other_chief_live_before_the_article_reopens(
    browser, server, http, people
):
    table = await open_table(http, people)
    size = await open_article(http, table)
    await agreed_by_both(http, table, size["id"], "At most 25 students.")
    union_ctx, union, _ = await signed_in(browser, server, table.union)
    employer_ctx, employer, _ = await signed_in(browser, server, table.employer)
    try:
        for page in (union, employer):
            await open_console(page, table)
        await row(employer, size["id"]).locator("button", has_text="Consent to reopen").click()
        ask = row(union, size["id"]).locator(".reopen-ask")
        await ask.wait_for()
        assert "Unified School District has consented to reopen Art. 12" in await ask.inner_text()
        await row(employer, size["id"]).locator(".consents").wait_for()
        assert await row(union, size["id"]).get_attribute("data-status") == "agreed"
        await row(union, size["id"]).locator("button", has_text="Consent to reopen").click()
        await row(employer, size["id"]).locator("button[data-edit='draft']").wait_for()
    finally:
        await union_ctx.close()
        await employer_ctx.close()


async def test_the_facilitator_runs_the_session_and_sees_nothing_of_a_teams(
    browser, server, http, people
):
    table = await open_table(http, people)
    fay = await appointed_facilitator(http, table, people)
    size = await open_article(http, table)
    await table_via_api(http, table, size["id"], table.union, "At most 25 students.")
    await expect(
        await http.post(
            f"{table.base}/drafts",
            headers=table.union.headers,
            json={"article_id": size["id"], "text": "Our secret fallback: 27."},
        ),
        201,
    )
    await expect(
        await http.post(
            f"{table.base}/notes", headers=table.union.headers, json={"text": "They fold at 4."}
        ),
        201,
    )
    fay_ctx, fay_page, frames = await signed_in(browser, server, fay, "es", bypass_csp=True)
    union_ctx, union, _ = await signed_in(browser, server, table.union)
    try:
        for page in (fay_page, union):
            await open_console(page, table)
        assert "Consola del facilitador" in await fay_page.locator("h1").inner_text()
        # No editor, notes, packages, team or ground rules: nothing a party does alone.
        for piece in ("#editor", "#note-form", "#packages", "#team", "#open-article"):
            assert await fay_page.locator(piece).count() == 0
        assert await fay_page.locator("button[data-edit]").count() == 0
        # The chart shows what was tabled, as an official may read it.
        await row(fay_page, size["id"]).locator("td.side.union ins", has_text="25").wait_for()

        session = fay_page.locator("#session")
        await row(fay_page, size["id"]).locator("button", has_text="Traer a la mesa").click()
        await row(union, size["id"]).locator(".on-table-mark").wait_for()
        await fay_page.select_option("#session select[name=article_ids]", [size["id"]])
        await session.locator("form[data-method=PUT] button[type=submit]").click()
        await union.locator("#agenda", has_text="Art. 12").wait_for()
        await fay_page.fill("#session input[name=count]", "64")
        await session.locator("button:text-is('Registrar')").click()
        await union.locator("#session .session-meta", has_text="64").wait_for()

        # The union's caucus: the facilitator may end it (not call one).
        await union.locator("button.caucus-toggle").click()
        await fay_page.locator("#caucus").wait_for()
        await fay_page.locator("button.caucus-toggle").click()
        await union.locator("#caucus").wait_for(state="detached")
        await fay_page.locator("button.caucus-toggle").wait_for(state="detached")

        await session.locator("button:text-is('Receso')").click()
        await union.locator("#session-status", has_text="Recess").wait_for()
        await fay_page.keyboard.press("e")  # a team's shortcut does nothing here
        await no_serious_axe_issue(fay_page)

        # A later union draft or note reaches neither the page nor its feed.
        await expect(
            await http.post(
                f"{table.base}/notes", headers=table.union.headers, json={"text": "Walk at 5."}
            ),
            201,
        )
        await union.locator("#notes li", has_text="Walk at 5.").wait_for()
        await fay_page.reload()
        await fay_page.locator(".connection[data-state='live']").wait_for()
        html = await fay_page.content()
        for secret in ("secret fallback", "They fold", "Walk at 5"):
            assert secret not in html
            assert not [f for f in frames if secret in f]
        assert not [f for f in frames if '"draft:' in f or '"note:' in f]
    finally:
        await fay_ctx.close()
        await union_ctx.close()


async def test_the_facilitator_reads_the_ground_rules_agreed_and_offered_live_with_nothing_to_press(
    browser, server, http, people
):
    table = await open_table(http, people, ground_rules={"observers": "Two parents from the PTA"})
    fay = await appointed_facilitator(http, table, people)
    context, page, _ = await signed_in(browser, server, fay)
    try:
        await open_console(page, table)
        rules = page.locator("#ground-rules")
        agreed = "offered by Educators Association, agreed by Unified School District"
        await rules.locator(".rules-agreed", has_text=agreed).wait_for()
        assert "Two parents from the PTA" in await rules.inner_text()

        # An amendment offered reaches the facilitator's console live, read only.
        await expect(
            await http.post(
                f"{table.base}/ground-rules",
                headers=table.employer.headers,
                json={"observers": "The press"},
            ),
            201,
        )
        offer = rules.locator("#rules-offer")
        await offer.wait_for()
        text = await offer.inner_text()
        assert "Unified School District offers these ground rules" in text and "The press" in text
        assert await rules.locator("button, form, .chiefs-act").count() == 0
    finally:
        await context.close()


async def test_the_facilitator_reads_a_late_article_asked_for_live_with_nothing_to_press(
    browser, server, http, people
):
    cutoff = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    table = await open_table(http, people, ground_rules={"proposal_cutoff": cutoff})
    fay = await appointed_facilitator(http, table, people)
    context, page, _ = await signed_in(browser, server, fay)
    try:
        await open_console(page, table)
        await expect(
            await http.post(
                f"{table.base}/late-articles",
                headers=table.union.headers,
                json={"number": "30", "title": "Parking", "category": "economic"},
            ),
            201,
        )
        request = page.locator("#ground-rules .late-request")
        await request.wait_for()
        assert "asks to open Art. 30 — Parking" in await request.inner_text()
        assert await request.locator("button, form, .chiefs-act").count() == 0
        # The shortcuts listed are the facilitator's: j / k, and u to end a team's caucus.
        keys = await page.locator("#keys").inner_text()
        assert "end a team's caucus" in keys and "draft on the article" not in keys
    finally:
        await context.close()
