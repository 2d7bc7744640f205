"""A ratification vote in Chromium: three officials' key ceremony, a member's ballot on a phone in
Spanish, its tracking code found in the record, two officials decrypting, results certified,
and the published record passing the server's verifier. Set-up that is not the point goes
through the API."""

import asyncio
import csv
import io
from datetime import UTC, datetime, timedelta

import httpx
import msgspec
import pytest
from pypdf import PdfReader

from negotiation.ballots.record import ElectionRecord
from negotiation.ballots.verify import verify_record
from negotiation.voting.client import Official, context_from, make_submission, run_ceremony
from tests.e2e.test_every_page import AXE, DATA_WORDS_PATTERN, VISIBLE_TEXT, english_only_words
from tests.support import expect, open_table_in

pytestmark = pytest.mark.e2e

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
CURRENT = "Class size shall not exceed 30 students."
AGREED = "Class size shall not exceed 24 students."
# Agreed in a closed session: the public never reads it; a member's credential opens it.
CLOSED_AGREED = "Each teacher has 240 minutes of planning time a week."
SUMMARY = "Classes get smaller: at most 24 students, from next fall."
PDF_READY = "() => document.getElementById('document-pdf').href.startsWith('blob:')"
PASSPHRASE = "a long guardian passphrase"
# The password hashing of a key file takes seconds in a browser: waits allow for it (no timing is
# asserted, each wait is for a visible outcome).
SLOW_MS = 120_000
SIZES = """() => performance.getEntriesByType("navigation").concat(
  performance.getEntriesByType("resource")).filter((e) => !e.name.includes("/api/"))
  .map((e) => [e.name, e.decodedBodySize, e.transferSize])"""
ROLL = [
    ("M1", "Ana Ruiz", "North", "Teacher", "es"),
    ("M2", "Ben Cho", "North", "Teacher", "en"),
    ("M3", "Cy Diaz", "South", "Aide", "en"),
]


def whole_ta(negotiations, union, employer):
    """Article 12 agreed on language tabled in an open session, article 14 on language tabled
    in a closed one."""
    negotiation_id, session_id = open_table_in(
        negotiations, union.actor, employer.actor, "Ratify in a browser"
    )
    article = negotiations.open_article(
        negotiation_id,
        union.actor,
        number="12",
        title="Class size",
        category="non_economic",
        current_language=CURRENT,
    )
    proposal = negotiations.table_proposal(
        negotiation_id, union.actor, article_id=article, text=AGREED
    )
    planning = negotiations.open_article(
        negotiation_id, union.actor, number="14", title="Planning time", category="non_economic"
    )
    negotiations.close_session(negotiation_id, union.actor, session_id=session_id)
    closed = negotiations.schedule_session(
        negotiation_id,
        union.actor,
        title="",
        visibility="closed",
        location="Back room",
        starts_at=datetime.now(UTC),
    )
    negotiations.open_session(negotiation_id, employer.actor, session_id=closed)
    in_closed = negotiations.table_proposal(
        negotiation_id, union.actor, article_id=planning, text=CLOSED_AGREED
    )
    for chief in (union, employer):
        negotiations.sign_ta(negotiation_id, chief.actor, article_id=article, proposal_id=proposal)
        negotiations.sign_ta(
            negotiation_id, chief.actor, article_id=planning, proposal_id=in_closed
        )
    return negotiation_id


async def call_vote(http, negotiations, people):
    """Called, officials appointed, roll imported and certified: ready for the ceremony."""
    union, employer = people(name="Uma Union"), people(name="Eli Employer")
    negotiation_id = whole_ta(negotiations, union, employer)
    base = f"/api/negotiations/{negotiation_id}/votes"
    now = datetime.now(UTC)
    called = await expect(
        await http.post(
            f"{base}/",
            headers=union.headers,
            json={
                "question": "Do you ratify the tentative agreement?",
                "options": ["yes", "no", "abstain"],
                "opens_at": (now - timedelta(minutes=5)).isoformat(),
                "closes_at": (now + timedelta(days=2)).isoformat(),
            },
        ),
        201,
    )
    officials = [people(name=f"Official {i}") for i in (1, 2, 3)]
    vote = f"{base}/{called['id']}"
    body = {"officials": [{"account_id": o.account_id, "name": o.display_name} for o in officials]}
    await expect(
        await http.put(f"{vote}/officials", headers=union.headers, json={**body, "quorum": 2}), 200
    )
    members = [
        {
            "member_id": m,
            "name": name,
            "email": f"{m.lower()}@example.org",
            "phone": "",
            "worksite": site,
            "classification": job,
            "language": lang,
            "good_standing": True,
        }
        for m, name, site, job, lang in ROLL
    ]
    lead = officials[0].headers
    await expect(await http.put(f"{vote}/roll", headers=lead, json={"members": members}), 200)
    await expect(await http.post(f"{vote}/roll/certify", headers=lead), 200)
    page_base = f"/negotiations/{negotiation_id}/votes/{called['id']}"
    return vote, page_base, officials, union


async def signed_in(browser, server, person):
    context = await browser.new_context(accept_downloads=True)
    await context.add_init_script(path=str(AXE))
    await context.add_cookies(
        [{"name": "negotiation_session", "value": person.token, "url": server.url}]
    )
    return context


async def no_serious_violation(page):
    # axe comes in as an init script (the contexts have it): the pages keep their real CSP.
    result = await page.evaluate("async () => await axe.run(document)")
    serious = [
        (v["id"], v["impact"], [n["html"][:120] for n in v["nodes"]][:3])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert result["passes"]
    assert serious == []


async def no_english_left(page, data):
    english = english_only_words()
    untranslated = []
    for text in await page.evaluate(VISIBLE_TEXT, "body"):
        for datum in sorted(data, key=len, reverse=True):
            text = text.replace(datum, " ")
        words = [w for w in DATA_WORDS_PATTERN.findall(text) if w.lower() in english]
        if words:
            untranslated.append((text, words))
    assert untranslated == []
    assert await page.evaluate("document.documentElement.lang") == "es"


async def test_a_vote_from_key_ceremony_to_certified_results_in_browsers(
    browser, server, http, negotiations, people, tmp_path
):
    vote, page_base, officials, union = await call_vote(http, negotiations, people)
    # --- the union's chief writes the plain-language summaries into the document
    chief = await signed_in(browser, server, union)
    try:
        prepare = await chief.new_page()
        await prepare.goto(f"{server.url}{page_base}/prepare?lang=en")
        await no_serious_violation(prepare)
        hash_before = await prepare.locator("#document-hash").inner_text()
        await prepare.get_by_label("Summary in plain words").first.fill(SUMMARY)
        await prepare.get_by_role("button", name="Save this summary").nth(1).click()
        await prepare.get_by_text("Saved. The document has a new hash.").wait_for()
        assert await prepare.locator("#document-hash").inner_text() != hash_before
    finally:
        await chief.close()
    contexts = [await signed_in(browser, server, o) for o in officials]
    desks = [await c.new_page() for c in contexts]
    try:
        # --- the key ceremony: each official's browser makes its key and shares
        for desk in desks:
            await desk.goto(f"{server.url}{page_base}/officials?lang=en")
        await no_serious_violation(desks[0])
        for desk in desks:
            await desk.get_by_role("button", name="Make my guardian key").click()
        # An official reloading mid-ceremony carries on where it was (the seed stays in the tab).
        await (
            desks[1]
            .get_by_text("Waiting for", exact=False)
            .or_(desks[1].get_by_label("Passphrase for your key file"))
            .first.wait_for()
        )
        await desks[1].reload()
        key_files = []
        for i, desk in enumerate(desks, start=1):
            await desk.get_by_label("Passphrase for your key file").wait_for(timeout=SLOW_MS)
            await desk.get_by_label("Passphrase for your key file").fill(PASSPHRASE)
            await desk.get_by_label("The same passphrase again").fill(PASSPHRASE)
            await desk.get_by_role("button", name="Make my key file").click()
            link = desk.get_by_role("link", name="Save my key file")
            await link.wait_for(timeout=SLOW_MS)
            async with desk.expect_download() as download:
                await link.click()
            path = tmp_path / f"guardian-{i}.key"
            await (await download.value).save_as(path)
            key_files.append(path)
        for desk in desks:
            await desk.locator("#ceremony-done").wait_for(timeout=SLOW_MS)
        view = await expect(await http.get(vote, headers=officials[0].headers), 200)
        assert view["public_key"]
        # The server holds only public data and sealed shares: the key files hold the secrets.
        assert all(b'"secret_share"' not in p.read_bytes() for p in key_files)

        # --- credentials out, the vote opens (API: not the point here)
        lead = officials[0].headers
        issued = await http.post(f"{vote}/credentials", headers=lead)
        codes = {r["member_id"]: r for r in csv.DictReader(io.StringIO(issued.text))}
        await expect(await http.post(f"{vote}/open", headers=lead), 200)

        # --- a member votes on a phone, in Spanish, with the link alone
        member = await browser.new_context(**PHONE, locale="es-ES")
        await member.add_init_script(path=str(AXE))
        phone = await member.new_page()
        sent: list[str] = []  # every address the phone asked for: the server's logs see these
        phone.on("request", lambda request: sent.append(request.url))
        link = codes["M1"]["link"]
        fragment = link[link.index("#") :]
        await phone.goto(f"{server.url}{page_base}/ballot?lang=es{fragment}")
        await phone.wait_for_load_state("networkidle")
        assert "credential=" not in phone.url  # the code leaves the address bar
        await no_serious_violation(phone)
        data = [
            "Do you ratify the tentative agreement?",
            "Class size",
            CURRENT,
            AGREED,
            "Planning time",
            CLOSED_AGREED,
            SUMMARY,
            "Ratify in a browser",
        ]
        # The chief's summary, above the article's language.
        await phone.locator("details summary", has_text="Class size").click()
        await phone.get_by_text(SUMMARY).wait_for()
        above = await phone.evaluate(
            """(s) => { const box = [...document.querySelectorAll('.ta-article')]
              .find((b) => b.textContent.includes(s));
              return box.querySelector('.plain-summary').compareDocumentPosition(
                box.querySelector('.redline')) === Node.DOCUMENT_POSITION_FOLLOWING; }""",
            SUMMARY,
        )
        assert above
        # The link's credential opened the language agreed in the closed session.
        await phone.locator("details summary", has_text="Planning time").click()
        await phone.get_by_text(CLOSED_AGREED).wait_for()
        # ... and the PDF link hands over the whole document, made from the same template.
        await phone.get_by_role("link", name="El documento completo en PDF").wait_for()
        await phone.wait_for_function(PDF_READY)
        async with phone.expect_download() as download:
            await phone.get_by_role("link", name="El documento completo en PDF").click()
        saved = tmp_path / "tentative-agreement.pdf"
        await (await download.value).save_as(saved)
        pdf = saved.read_bytes()
        text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
        # (the redline prints both versions: "exceed 3024" is 30 struck out, 24 underlined)
        assert CLOSED_AGREED in text and "3024 students" in text and SUMMARY.split(":")[0] in text
        hash_shown = await phone.locator("#ta-document code.hash").inner_text()
        assert hash_shown in text.replace("\n", "")
        await no_english_left(phone, data)
        await phone.get_by_role("button", name="Revisar mi elección").click()
        await phone.get_by_role("alert").filter(has_text="Primero elija una respuesta").wait_for()
        await phone.get_by_label("Sí").check()
        await phone.get_by_role("button", name="Revisar mi elección").click()
        await phone.get_by_text("Usted eligió: Sí").wait_for()
        await phone.get_by_role("button", name="Emitir mi voto").click()
        await phone.get_by_role("heading", name="Su voto está emitido").wait_for(timeout=SLOW_MS)
        code = (await phone.locator("#tracking-code").inner_text()).strip()
        assert len(code) == 24
        await no_english_left(phone, [*data, code])
        # --- and finds it in the public record
        await phone.get_by_role("link", name="Buscar mi código de seguimiento").click()
        await phone.locator("#lookup-result").filter(has_text="Encontrado").wait_for()
        await no_serious_violation(phone)
        await no_english_left(phone, [*data, code])
        # Neither the credential nor the tracking code ever travels in an address.
        assert sent and not [u for u in sent if codes["M1"]["code"] in u or code in u]
        # A second ballot with the same code is refused in place, in words.
        await phone.goto(f"{server.url}{page_base}/ballot?lang=es{fragment}")
        await phone.get_by_role("alert").filter(has_text="Ya se emitió un voto").wait_for()
        await member.close()

        # Two more members vote (through the API: the browser's part is proven above).
        context = context_from((await http.get(f"{vote}/ballot")).json())
        for m, choice in (("M2", 1), ("M3", 0)):
            body = {"credential": codes[m]["code"], "ballot": make_submission(context, choice)}
            await expect(await http.post(f"{vote}/ballots", json=body), 201)

        # --- turnout live on the desk, then close
        await desks[0].reload()
        await desks[0].get_by_text("3 of 3 members have voted").wait_for()
        await desks[0].get_by_label("Reason").fill("every member on the roll has voted")
        await desks[0].get_by_role("button", name="Close the vote").click()
        await desks[0].get_by_text("The vote is closed").wait_for()

        # --- two officials decrypt their part in their browsers, one certifies
        # A wrong passphrase is refused in place; nothing is posted.
        await desks[0].reload()
        await desks[0].get_by_label("Your key file", exact=True).set_input_files(key_files[0])
        await desks[0].get_by_label("Its passphrase").fill("not the right passphrase")
        await desks[0].get_by_role("button", name="Decrypt my part of the count").click()
        await (
            desks[0]
            .get_by_role("alert")
            .filter(has_text="The passphrase is wrong")
            .wait_for(timeout=SLOW_MS)
        )
        for desk, path in ((desks[0], key_files[0]), (desks[2], key_files[2])):
            await desk.reload()
            await desk.get_by_label("Your key file", exact=True).set_input_files(path)
            await desk.get_by_label("Its passphrase").fill(PASSPHRASE)
            await desk.get_by_role("button", name="Decrypt my part of the count").click()
            await desk.get_by_text("Your part of the count is in").wait_for(timeout=SLOW_MS)
        await desks[2].get_by_role("button", name="Certify the results").click()
        await desks[2].get_by_text("Results certified: Yes: 2, No: 1, Abstain: 0").wait_for()
        await no_serious_violation(desks[2])
    finally:
        for c in contexts:
            await c.close()

    # --- the public results page, and the record the verifier accepts
    public = await browser.new_context(**PHONE)
    await public.add_init_script(path=str(AXE))
    try:
        results = await public.new_page()
        await results.goto(f"{server.url}{page_base}/results?lang=es")
        await results.get_by_text("Ratificado").wait_for()
        await no_serious_violation(results)
        assert "Sí" in await results.locator("table.totals").inner_text()
    finally:
        await public.close()
    record = msgspec.convert((await http.get(f"{vote}/record")).json(), ElectionRecord)
    checked = verify_record(record)
    assert checked.ok, checked.problems
    assert checked.counts == (2, 1, 0)


async def ready_vote(http, negotiations, people, server):
    """A vote through its ceremony (Python guardians, over HTTP) with credentials issued."""
    vote, page_base, officials, union = await call_vote(http, negotiations, people)
    guardians = [Official(headers=o.headers) for o in officials]
    with httpx.Client(base_url=server.url, timeout=60) as client:
        await asyncio.to_thread(run_ceremony, client, vote, guardians)
    issued = await http.post(f"{vote}/credentials", headers=officials[0].headers)
    codes = {r["member_id"]: r for r in csv.DictReader(io.StringIO(issued.text))}
    return vote, page_base, officials, codes, union


async def cast_on(phone, answer="Yes"):
    await phone.get_by_label(answer, exact=True).check()
    await phone.get_by_role("button", name="Review my choice").click()
    await phone.get_by_role("button", name="Cast my ballot").click()


async def test_the_ballot_page_refuses_in_place_and_stays_light(
    browser, server, http, negotiations, people
):
    vote, page_base, officials, codes, union = await ready_vote(http, negotiations, people, server)
    member = await browser.new_context(**PHONE)
    await member.add_init_script(path=str(AXE))
    phone = await member.new_page()
    link = codes["M1"]["link"]
    try:
        # Before the vote opens: the ballot is made, and refused with the reason in words.
        await phone.goto(f"{server.url}{page_base}/ballot?lang=en{link[link.index('#') :]}")
        await phone.wait_for_load_state("networkidle")
        # What the browser fetched for the page (same-origin, so the sizes are exposed).
        sizes = await phone.evaluate(SIZES)
        total = sum(n for _url, n, _sent in sizes)
        crypto = sum(n for url, n, _sent in sizes if "/static/vendor/" in url)
        sent = sum(t for _url, _n, t in sizes)
        print(f"ballot page first load: {total} bytes ({sent} on the wire), {crypto} crypto vendor")
        assert any("/static/vendor/" in url for url, _n, _sent in sizes)
        assert total - crypto < 200 * 1024
        # /static goes out gzip-compressed: the unminified crypto is a third of itself on the wire.
        assert sent < total / 2
        await cast_on(phone)
        await (
            phone.get_by_role("alert")
            .filter(has_text="Voting is not open right now")
            .wait_for(timeout=SLOW_MS)
        )
        assert await phone.get_by_role("button", name="Review my choice").is_visible()

        # The chief's page, loaded before the vote opens; saving after it opened is refused
        # beside the summary, and what was typed stays.
        chief = await signed_in(browser, server, union)
        prepare = await chief.new_page()
        await prepare.goto(f"{server.url}{page_base}/prepare?lang=en")
        await expect(await http.post(f"{vote}/open", headers=officials[0].headers), 200)
        await prepare.get_by_label("Summary in plain words").first.fill("Too late to say.")
        await prepare.get_by_role("button", name="Save this summary").nth(1).click()
        await prepare.get_by_role("alert").filter(has_text="can no longer change").wait_for()
        assert await prepare.get_by_label("Summary in plain words").first.input_value() == (
            "Too late to say."
        )
        await prepare.reload()
        assert await prepare.get_by_label("Summary in plain words").first.is_disabled()
        await chief.close()
        # Without a credential the closed session's language is withheld, and says so; the
        # member's code, typed, opens it.
        await phone.goto(f"{server.url}{page_base}/ballot?lang=en")
        await phone.locator("details summary", has_text="Planning time").click()
        await phone.get_by_text("shown once you enter your voting code.").wait_for()
        assert CLOSED_AGREED not in await phone.content()
        pdf_link = phone.get_by_role("link", name="The whole document as a PDF")
        assert "/document.pdf?lang=en" in await pdf_link.get_attribute("href")
        await phone.get_by_label("Your voting code").fill(codes["M2"]["code"])
        await phone.get_by_label("Your voting code").press("Tab")
        await phone.get_by_text(CLOSED_AGREED).wait_for()
        assert await phone.locator("#withheld-note").count() == 0
        # A code typed wrong: not on the roll, said in place; the form stays to fix it.
        await phone.goto(f"{server.url}{page_base}/ballot?lang=en")
        await phone.get_by_label("Your voting code").fill("AAAA-BBBB-CCCC-DDDD")
        await cast_on(phone, "No")
        await (
            phone.get_by_role("alert").filter(has_text="not on the roll").wait_for(timeout=SLOW_MS)
        )
        assert await phone.get_by_label("Your voting code").is_visible()
        assert (await expect(await http.get(vote), 200))["ballots"] == 0

        # A tracking code that is not in the record is said so.
        await phone.goto(f"{server.url}{page_base}/results?lang=en")
        await phone.get_by_label("Your tracking code").fill("0000-1111-2222-3333-4444")
        await phone.get_by_role("button", name="Find it").click()
        await (
            phone.locator("#lookup-result").filter(has_text="not in the election record").wait_for()
        )
    finally:
        await member.close()


async def test_the_officials_desk_in_spanish_and_for_others(
    browser, server, http, negotiations, people
):
    _vote, page_base, officials, _codes, _union = await ready_vote(
        http, negotiations, people, server
    )
    context = await signed_in(browser, server, officials[1])
    try:
        desk = await context.new_page()
        await desk.goto(f"{server.url}{page_base}/officials?lang=es")
        await desk.get_by_text("La ceremonia terminó").wait_for()
        await desk.wait_for_load_state("networkidle")
        await no_serious_violation(desk)
        await no_english_left(
            desk,
            ["Do you ratify the tentative agreement?", "North", "South", "Teacher", "Aide", "CSV"],
        )
    finally:
        await context.close()
    stranger = await signed_in(browser, server, people(name="Not An Official"))
    try:
        desk = await stranger.new_page()
        await desk.goto(f"{server.url}{page_base}/officials?lang=en")
        await desk.get_by_text("You are not an election official of this vote.").wait_for()
    finally:
        await stranger.close()
    missing = await http.get(f"{page_base.rsplit('/', 1)[0]}/{'0' * 32}/ballot")
    assert missing.status_code == 404
