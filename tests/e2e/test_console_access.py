"""Who may use the console, over real HTTP: only a negotiation's teams; a team's drafts and
notes never reach the other team through the console's fragments; sign out everywhere."""

from datetime import UTC, datetime, timedelta

from tests.e2e.test_console import agreed_by_both, open_console, signed_in, table_via_api
from tests.support import add_to_team, expect, open_article, open_table


async def test_the_console_sends_the_public_to_sign_in(http, people):
    table = await open_table(http, people)
    response = await http.get(f"/console/{table.negotiation_id}", follow_redirects=False)
    assert response.status_code in (302, 303, 307)
    assert response.headers["location"] == f"/sign-in?next=/console/{table.negotiation_id}"


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


CHIEFS_ACTS = {  # the button a chief has, and the line the rest of the team reads instead
    "Consent to reopen": "Your chief negotiator consents to reopening it.",
    "Sign TA on": "Your chief negotiator signs TAs.",
    "Accept the package": "Your chief negotiator accepts packages.",
    "Agree to these ground rules": "Your chief negotiator agrees to ground rules.",
    "Consent to the late article": "Your chief negotiator consents to late articles.",
}


async def test_only_the_chief_has_the_acts_that_bind_the_party_the_team_reads_who_does_them(
    http, people
):
    """Agreeing ground rules, signing a TA, accepting a package and consenting to reopen or to
    a late article are the chief's (DOMAIN.md): another member of the team is not offered a
    button the rules refuse, on the page or in the fragments the feed swaps in."""
    table = await open_table(http, people)
    mate = people(name="Mo Member")
    await add_to_team(http, table, mate)
    agreed = await open_article(http, table)
    await agreed_by_both(http, table, agreed["id"], "At most 25 students.")
    leave = await open_article(http, table, number="14", title="Leave")
    await table_via_api(http, table, leave["id"], table.employer, "Twelve days.")
    bundled = [await open_article(http, table, number=n, title=f"Art {n}") for n in ("20", "21")]
    items = [{"article_id": a["id"], "text": "Employer's package text."} for a in bundled]
    base, employer = table.base, table.employer.headers
    await expect(await http.post(f"{base}/packages", headers=employer, json={"items": items}), 201)
    cutoff = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    offer = await expect(
        await http.post(f"{base}/ground-rules", headers=employer, json={"proposal_cutoff": cutoff}),
        201,
    )
    await expect(
        await http.post(
            f"{base}/ground-rules/{offer['id']}/agree", headers=table.union.headers, json={}
        ),
        200,
    )
    late = {"number": "30", "title": "Parking", "category": "economic"}
    await expect(await http.post(f"{base}/late-articles", headers=employer, json=late), 201)
    last = await expect(
        await http.post(f"{base}/ground-rules", headers=employer, json={"observers": "B"}), 201
    )
    console = f"/console/{table.negotiation_id}"
    names = {
        "names": f"article:{agreed['id']},article:{leave['id']},packages,team",
        "after": last["position"],
    }
    for who, chief in ((table.union, True), (mate, False)):
        page = await http.get(console, params={"after": last["position"]}, headers=who.headers)
        parts = await http.get(f"{console}/parts", params=names, headers=who.headers)
        assert page.status_code == parts.status_code == 200
        for html in (page.text, parts.text):
            for button, line in CHIEFS_ACTS.items():
                assert (button in html) is chief, (who.display_name, button)
                assert (line in html) is not chief, (who.display_name, line)


SESSION_RUNNERS_ACTS = {  # the session's state: the buttons only its runners are offered
    "scheduled": ("Open the session",),
    "open": ("Recess", "Close the session", "Set the agenda"),
    "recessed": ("Resume", "Close the session", "Set the agenda"),
    "closed": ("Schedule a session",),
}
RUNNERS_LINE = {
    "scheduled": "Your chief negotiator or the facilitator opens, recesses and closes the session",
    "open": "Your chief negotiator or the facilitator opens, recesses and closes the session",
    "recessed": "Your chief negotiator or the facilitator opens, recesses and closes the session",
    "closed": "Your chief negotiator or the facilitator schedules the sessions.",
}


async def test_only_chiefs_and_the_facilitator_are_offered_the_acts_that_run_a_session(
    http, people
):
    """Scheduling, opening, recessing, resuming and closing a session and setting its agenda
    are the chiefs' and the facilitator's (DOMAIN.md); another member is not offered a button
    the rules refuse, reads who does it, and keeps the acts any member may do: calling a caucus
    and bringing an article to the table. The shortcut list offers only what the viewer may do."""
    from tests.e2e.test_console_team_acts import appointed_facilitator

    table = await open_table(http, people, open_session=False)
    mate = people(name="Mo Member")
    await add_to_team(http, table, mate)
    fay = await appointed_facilitator(http, table, people)
    console, session = (
        f"/console/{table.negotiation_id}",
        f"{table.base}/sessions/{table.session_id}",
    )
    viewers = ((table.union, True), (table.employer, True), (fay, True), (mate, False))
    for state, act in (
        ("scheduled", None),
        ("open", "open"),
        ("recessed", "recess"),
        ("closed", "close"),
    ):
        if act is not None:
            await expect(await http.post(f"{session}/{act}", headers=table.union.headers), 200)
        if state == "open":
            await open_article(http, table)
        for who, runs in viewers:
            page = await http.get(console, headers=who.headers)
            parts = await http.get(
                f"{console}/parts", params={"names": "session"}, headers=who.headers
            )
            assert page.status_code == parts.status_code == 200
            for html in (page.text, parts.text):
                for button in SESSION_RUNNERS_ACTS[state]:
                    assert (f">{button}<" in html) is runs, (state, who.display_name, button)
                assert (RUNNERS_LINE[state] in html) is not runs, (state, who.display_name)
            if state == "open" and who is not fay:  # any team member may do these
                assert ">Call a caucus<" in page.text and ">Bring to the table<" in page.text
            if who is not fay:
                assert ("sign a TA on the latest version" in page.text) is (who is not mate)
    # What the page offers is what the rules allow: the member pressing it would be refused.
    refused = await http.post(
        f"{table.base}/sessions",
        headers=mate.headers,
        json={
            "visibility": "open",
            "location": "Library",
            "starts_at": "2027-01-12T16:00:00+00:00",
        },
    )
    assert refused.status_code == 403 and "facilitator" in refused.text
