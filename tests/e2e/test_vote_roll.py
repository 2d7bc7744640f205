"""The officials' roll and credentials page in Chromium: a CSV with bad rows is imported from a
file, every rejected row shows with its reason, the fixed file is imported again, the roll is
certified (its hash shown), the credentials are issued and their CSV saved, and a lost one is
reissued, with a refusal shown next to the form. Calling the vote goes through the API."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from pypdf import PdfReader

from negotiation.voting.client import context_from, make_submission
from tests.e2e.test_ratification import (
    no_english_left,
    no_serious_violation,
    ready_vote,
    signed_in,
    whole_ta,
)
from tests.support import expect

pytestmark = pytest.mark.e2e

HEADER = "member_id,name,email,phone,worksite,classification,language,good_standing\n"
GOOD = [
    "R1,Ana Ruiz,ana@example.org,,North,Teacher,es,yes",
    "R2,Ben Cho,,+1 555 0100,North,Teacher,en,yes",
    "R3,Cy Diaz,cy@example.org,,South,Aide,en,yes",
]
BAD = [
    *GOOD,
    "R2,Ben Again,ben@example.org,,North,Teacher,en,yes",  # line 5: a duplicate
    "R5,,ed@example.org,,South,Aide,en,yes",  # line 6: no name
    "R6,Flo Gil,,,South,Aide,en,yes",  # line 7: no way to reach her
]
FIXED = [*GOOD, "R5,Ed Fox,ed@example.org,,South,Aide,en,yes"]


async def called_vote(http, negotiations, people):
    union, employer = people(name="Uma Union"), people(name="Eli Employer")
    negotiation_id = whole_ta(negotiations, union, employer)
    base = f"/api/negotiations/{negotiation_id}/votes"
    now = datetime.now(UTC)
    body = {
        "question": "Do you ratify the tentative agreement?",
        "options": ["yes", "no"],
        "opens_at": (now - timedelta(minutes=5)).isoformat(),
        "closes_at": (now + timedelta(days=2)).isoformat(),
    }
    called = await expect(await http.post(f"{base}/", headers=union.headers, json=body), 201)
    officials = [people(name=f"Official {i}") for i in (1, 2, 3)]
    vote = f"{base}/{called['id']}"
    appoint = {
        "officials": [{"account_id": o.account_id, "name": o.display_name} for o in officials],
        "quorum": 2,
    }
    await expect(await http.put(f"{vote}/officials", headers=union.headers, json=appoint), 200)
    return vote, f"/negotiations/{negotiation_id}/votes/{called['id']}", officials


def csv_file(rows):
    return {
        "name": "roll.csv",
        "mimeType": "text/csv",
        "buffer": (HEADER + "\n".join(rows)).encode(),
    }


async def test_import_fix_certify_issue_and_reissue_on_the_roll_page(
    browser, server, http, negotiations, people, tmp_path
):
    vote, page_base, officials = await called_vote(http, negotiations, people)
    context = await signed_in(browser, server, officials[0])
    try:
        page = await context.new_page()
        await page.goto(f"{server.url}{page_base}/officials?lang=en")
        await page.get_by_role("link", name="Voter roll and credentials").click()
        await page.get_by_label("The roll as a CSV file").set_input_files(csv_file(BAD))
        await page.get_by_role("button", name="Import the roll").click()

        rejected = page.get_by_role("table", name="Rejected rows")
        await rejected.wait_for()
        rows = await rejected.locator("tbody tr").all_inner_texts()
        assert [r.split("\t") for r in rows] == [
            ["5", "R2", "the same member id is on an earlier line"],
            ["6", "R5", "no name"],
            ["7", "R6", "no email or phone to reach the member"],
        ]
        summary = page.locator("#roll-summary")
        assert await summary.inner_text() == (
            "3 rows imported (3 members in good standing), 3 rejected."
        )
        assert await page.locator("#roll-progress").get_attribute("value") == "100"
        await no_serious_violation(page)

        # Fixed in the file, imported again: the report is clean.
        await page.get_by_label("The roll as a CSV file").set_input_files(csv_file(FIXED))
        await page.get_by_role("button", name="Import the roll").click()
        await page.get_by_text(
            "4 rows imported (4 members in good standing), 0 rejected"
        ).wait_for()
        assert not await rejected.is_visible()

        # Certified from the keyboard: the hash the server recorded is the one shown.
        await page.get_by_role("button", name="Certify the roll").focus()
        await page.keyboard.press("Enter")
        await page.get_by_text("Roll certified: 4 eligible members.").wait_for()
        roll_hash = (await expect(await http.get(vote, headers=officials[0].headers), 200))[
            "roll_hash"
        ]
        assert roll_hash and await page.locator("#roll-hash").inner_text() == roll_hash

        await page.get_by_role("button", name="Issue the credentials").click()
        link = page.get_by_role("link", name="Save the credentials (CSV)")
        await link.wait_for()
        async with page.expect_download() as download:
            await link.click()
        saved = tmp_path / "credentials.csv"
        await (await download.value).save_as(saved)
        issued = list(csv.DictReader(io.StringIO(saved.read_text())))
        assert sorted(r["member_id"] for r in issued) == ["R1", "R2", "R3", "R5"]
        assert all(r["code"] and r["link"].endswith("#credential=" + r["code"]) for r in issued)
        assert not await page.get_by_role("button", name="Import the roll").is_visible()
        assert await page.get_by_label("The credentials CSV you saved").is_visible()  # letters

        # A lost credential: a new code, link and QR code; an unknown member is refused in place.
        await page.get_by_label("Member id").fill("R3")
        await page.get_by_role("button", name="Reissue the credential").click()
        await page.locator("#reissued").wait_for()
        new_code = await page.locator("#reissued-code").inner_text()
        assert new_code and new_code != next(r["code"] for r in issued if r["member_id"] == "R3")
        qr = page.get_by_role("img", name="QR code of the ballot link, for the letter")
        assert (await qr.get_attribute("src") or "").startswith("data:image/svg+xml")
        # Its letter (the saved CSV still holds the old code): one page with the new one.
        await page.get_by_role("button", name="Make this member's letter (PDF)").click()
        save = page.get_by_role("link", name="Save this member's letter (PDF)")
        await save.wait_for()
        (letter,) = await saved_pdf(page, save, tmp_path / "letter-R3.pdf")
        assert "Cy Diaz" in letter.extract_text() and new_code in letter.extract_text()
        await page.get_by_label("Member id").fill("R404")
        await page.get_by_role("button", name="Reissue the credential").click()
        await page.get_by_text("Member R404 is not eligible on this vote's roll.").wait_for()
        assert await page.get_by_label("Member id").input_value() == "R404"  # kept as typed

        # In Spanish, after reloading: nothing left in English.
        await page.goto(f"{server.url}{page_base}/roll?lang=es")
        await page.get_by_text("Padrón certificado, hash:").wait_for()
        await no_serious_violation(page)
        await no_english_left(page, ["Do you ratify the tentative agreement?", roll_hash, "CSV"])
    finally:
        await context.close()


async def test_the_desk_shows_who_voted_by_day_and_exports_who_has_not(
    browser, server, http, negotiations, people, tmp_path
):
    vote, page_base, officials, codes, _union = await ready_vote(http, negotiations, people, server)
    lead = officials[0].headers
    await expect(await http.post(f"{vote}/open", headers=lead), 200)
    context = context_from(await expect(await http.get(f"{vote}/ballot"), 200))
    body = {"credential": codes["M2"]["code"], "ballot": make_submission(context, 1)}
    await expect(await http.post(f"{vote}/ballots", json=body), 201)
    browser_context = await signed_in(browser, server, officials[1])
    try:
        desk = await browser_context.new_page()
        await desk.goto(f"{server.url}{page_base}/officials?lang=en")
        await desk.get_by_text("2 members have not voted yet.").wait_for()
        await desk.get_by_text("Who has voted").click()  # opens the details
        voters = desk.get_by_role("table", name="Members who have voted")
        rows = [r.split("\t") for r in await voters.locator("tbody tr").all_inner_texts()]
        assert [r[:4] for r in rows] == [["M2", "Ben Cho", "North", "Teacher"]]
        assert ":" not in rows[0][4]  # a day, never a time
        await no_serious_violation(desk)
        async with desk.expect_download() as download:
            await desk.get_by_role("link", name="Members who have not voted yet").click()
        saved = tmp_path / "not-voted.csv"
        await (await download.value).save_as(saved)
        assert sorted(r["member_id"] for r in csv.DictReader(io.StringIO(saved.read_text()))) == [
            "M1",
            "M3",
        ]
    finally:
        await browser_context.close()


def credentials_file(rows, name="credentials.csv"):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return {"name": name, "mimeType": "text/csv", "buffer": out.getvalue().encode()}


async def saved_pdf(page, link, path):
    async with page.expect_download() as download:
        await link.click()
    await (await download.value).save_as(path)
    return PdfReader(str(path)).pages


async def test_the_roll_page_makes_the_letters_from_the_saved_csv_in_parts(
    browser, server, http, negotiations, people, tmp_path
):
    _vote, page_base, officials, codes, _union = await ready_vote(
        http, negotiations, people, server
    )
    rows = [codes[m] for m in sorted(codes)]  # the CSV saved at issuance: M1, M2 North; M3 South
    context = await signed_in(browser, server, officials[0])
    try:
        page = await context.new_page()
        await page.goto(f"{server.url}{page_base}/roll?lang=en")
        chooser = page.get_by_label("The credentials CSV you saved")

        # The roll CSV is not the credentials CSV: refused next to the form, the file kept.
        roll = [
            {k: r[k] for k in ("member_id", "name", "email", "phone", "worksite")} for r in rows
        ]
        await chooser.set_input_files(credentials_file(roll, "roll.csv"))
        await page.get_by_role("button", name="Prepare the letters").click()
        await page.get_by_text("This is not the credentials CSV").wait_for()
        assert await chooser.evaluate("input => input.files[0].name") == "roll.csv"
        await no_serious_violation(page)

        # The saved file: one part, made at once, one page a member.
        await chooser.set_input_files(credentials_file(rows))
        await page.get_by_role("button", name="Prepare the letters").click()
        link = page.get_by_role("link", name="Save Letters 1 to 3 (North – South) (PDF)")
        await link.wait_for()
        assert await page.locator("#letters-summary").inner_text() == "Members with a letter: 3."
        assert not await page.locator("#letters-error").is_visible()
        letters = await saved_pdf(page, link, tmp_path / "letters.pdf")
        texts = [p.extract_text() for p in letters]
        assert [t.split("\n")[0] for t in texts] == ["Ana Ruiz", "Ben Cho", "Cy Diaz"]
        assert [r["code"] for r in rows] == [
            next(c for c in (r["code"] for r in rows) if c in t) for t in texts
        ]
        assert "Su código para votar" in texts[0] and "Your code to vote" in texts[1]
        await no_serious_violation(page)
    finally:
        await context.close()

    # A roll larger than a part (two letters a part here): one button a part, by worksite.
    context = await signed_in(browser, server, officials[1])

    async def two_a_part(route):
        response = await route.fetch()
        body = (await response.text()).replace('"lettersPerPart": 500', '"lettersPerPart": 2')
        await route.fulfill(response=response, body=body)

    try:
        await context.route(f"**{page_base}/roll?*", two_a_part)
        page = await context.new_page()
        await page.goto(f"{server.url}{page_base}/roll?lang=en")
        await page.get_by_label("The credentials CSV you saved").set_input_files(
            credentials_file(rows[::-1])
        )
        await page.get_by_role("button", name="Prepare the letters").click()
        await page.get_by_text("Members with a letter: 3, in 2 parts").wait_for()
        parts = page.locator("#letters-parts button")
        assert await parts.all_inner_texts() == [
            "Make Letters 1 to 2 (North)",
            "Make Letters 3 to 3 (South)",
        ]
        await page.get_by_role("button", name="Make Letters 3 to 3 (South)").click()
        link = page.get_by_role("link", name="Save Letters 3 to 3 (South) (PDF)")
        await link.wait_for()
        (south,) = await saved_pdf(page, link, tmp_path / "south.pdf")
        assert south.extract_text().startswith("Cy Diaz")
        assert await page.get_by_role("button", name="Make Letters 1 to 2 (North)").is_visible()

        # In Spanish: the form and its parts, nothing left in English.
        await page.goto(f"{server.url}{page_base}/roll?lang=es")
        await page.get_by_label("El CSV de credenciales que guardó").set_input_files(
            credentials_file(rows)
        )
        await page.get_by_role("button", name="Preparar las cartas").click()
        await page.get_by_text("Miembros con carta: 3, en 2 partes").wait_for()
        await no_english_left(page, ["Do you ratify the tentative agreement?", "CSV", "PDF"])
    finally:
        await context.close()
