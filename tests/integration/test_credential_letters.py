"""Credential letters over real HTTP: the officials post the credentials CSV saved at issuance
and get a PDF, one page a member, read back with pypdf (name, code, link, the QR code of the
link, the member's language); everyone else and every CSV that is not that file is refused,
and nothing of it is stored or logged."""

from __future__ import annotations

import csv
import io
import logging
from typing import Any
from uuid import UUID

import httpx
import psycopg
import pytest
import segno
from pypdf import PdfReader

from negotiation.application import Negotiations
from negotiation.database import DatabaseConfig
from negotiation.voting.client import run_ceremony
from tests.integration.test_votes import Election, _Lines, new_election, ok, refused
from tests.support import PersonFactory
from web.pages.letters_pdf import LETTERS_PER_PART

NAMES = {"M1": "Ana Ruiz", "M2": "Ben Cho", "M3": "Cy Diaz", "M9": "Gus Ho"}  # test_votes.ROLL


@pytest.fixture
def client(server: Any) -> Any:
    with httpx.Client(base_url=server.url, timeout=120) as c:
        yield c


class Issued(Election):
    csv: list[dict[str, str]]  # the credentials CSV the officials saved at issuance


@pytest.fixture
def election(client: httpx.Client, negotiations: Negotiations, people: PersonFactory) -> Issued:
    """A vote with its credentials issued (not open yet), and the CSV the officials saved."""
    made = new_election(client, negotiations, people, roll_only=True)
    ok(made.post("/roll/certify"))
    run_ceremony(client, made.base, made.officials)
    election = Issued(client, made.base, made.union, made.officials)
    election.csv = list(csv.DictReader(io.StringIO(ok(election.post("/credentials")))))
    election.codes = {r["member_id"]: r["code"] for r in election.csv}
    return election


def as_csv(rows: list[dict[str, str]], columns: list[str] | None = None) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns or list(rows[0]), extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def letters(election: Issued, text: str, headers: dict[str, str] | None = None) -> Any:
    return election.post("/credentials/letters.pdf", headers=headers, json={"csv": text})


def pages(response: httpx.Response) -> list[Any]:
    assert response.status_code == 200, (response.status_code, response.text)
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["cache-control"] == "no-store"
    return list(PdfReader(io.BytesIO(response.content)).pages)


def flat(text: str) -> str:
    return "".join(text.split())


def pdf_text(content: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)


def qr_modules(page: Any) -> list[list[int]]:
    """The page's QR code as a matrix of modules (1 dark), from its one-pixel-a-module image."""
    (image,) = page.images
    picture = image.image.convert("L")
    width, height = picture.size
    return [[int(picture.getpixel((x, y)) < 128) for x in range(width)] for y in range(height)]


def segno_modules(link: str) -> list[list[int]]:
    qr = segno.make(link, error="m")
    border = [[0] * (len(qr.matrix) + 8)] * 4
    rows = [[0] * 4 + [int(bool(v)) for v in row] + [0] * 4 for row in qr.matrix]
    return border + rows + border


def test_officials_get_one_letter_a_member_with_name_code_link_and_its_qr_code(
    election: Issued,
):
    rows = [dict(r) for r in election.csv]
    printed = pages(letters(election, as_csv(rows)))
    assert len(printed) == len(rows) == 4
    for page, row in zip(printed, rows, strict=True):
        text = page.extract_text()
        assert NAMES[row["member_id"]] in text
        assert row["code"] in text  # grouped by four, as issued
        assert row["link"] in flat(text)  # the link wraps over lines
        assert "Do you ratify the tentative agreement?" in text
        assert qr_modules(page) == segno_modules(row["link"])
    # A second official makes them too; the name and worksite come from the roll, not the file.
    second = election.officials[1].headers
    rows[0]["name"] = "Somebody Else"
    again = pages(letters(election, as_csv(rows), headers=second))
    assert "Ana Ruiz" in again[0].extract_text() and "North" in again[0].extract_text()
    assert "Somebody Else" not in again[0].extract_text()


def test_a_spanish_members_letter_is_in_spanish(election: Issued):
    rows = [dict(r) for r in election.csv]  # M1 Ana Ruiz is "es" on the roll, the others "en"
    printed = {
        r["member_id"]: p.extract_text()
        for r, p in zip(rows, pages(letters(election, as_csv(rows))), strict=True)
    }
    assert "Su código para votar sobre el acuerdo provisional" in printed["M1"]
    assert "Centro de trabajo: North" in printed["M1"]
    assert "Your code to vote" not in printed["M1"]
    assert "Your code to vote on the tentative agreement" in printed["M2"]
    assert "Worksite: North" in printed["M2"]


def test_only_the_votes_officials_make_letters(election: Issued, people: PersonFactory):
    text = as_csv([dict(r) for r in election.csv])
    refused(letters(election, text, headers=election.union.headers), 403, "not_official")
    refused(letters(election, text, headers=people(name="Stranger").headers), 403, "not_official")
    signed_out = letters(election, text, headers={})
    assert signed_out.status_code == 401, signed_out.text
    # Signed in by the session cookie (as the roll page is): only from this platform's pages.
    cookie = {"cookie": "negotiation_session=" + election.lead["Authorization"].split()[1]}
    origin = str(election.client.base_url).rstrip("/")
    forged = letters(election, text, headers={**cookie, "origin": "https://evil.example"})
    refused(forged, 403, "cross_site_request")
    assert len(pages(letters(election, text, headers={**cookie, "origin": origin}))) == 4


def _state(database: DatabaseConfig, election: Issued) -> tuple[Any, ...]:
    vote = UUID(election.base.rsplit("/", 1)[1])
    with psycopg.connect(database.dsn(), autocommit=True) as conn:
        events = conn.execute(
            "SELECT count(*) FROM votes_events WHERE originator_id = %s", (vote,)
        ).fetchone()
        credentials = conn.execute(
            "SELECT credential_hash, member_id, void FROM vote_credentials WHERE vote_id = %s "
            "ORDER BY credential_hash",
            (vote.hex,),
        ).fetchall()
    return events, credentials


def test_a_csv_that_is_not_the_credentials_csv_is_refused_naming_the_rows(
    election: Issued, client: httpx.Client, database: DatabaseConfig
):
    before = _state(database, election)
    rows = [dict(r) for r in election.csv]
    lines = _Lines()
    logging.getLogger().addHandler(lines)
    logging.getLogger("uvicorn.access").addHandler(lines)
    try:
        roll = "member_id,name,email,phone,worksite,classification,language,good_standing\n"
        detail = refused(
            letters(election, roll + "M1,Ana,a@b.org,,N,T,es,yes\n"), 422, "invalid_request"
        )
        assert "missing: code, link" in detail
        detail = refused(
            letters(election, as_csv(rows)[:60].split("\n")[0] + "\n"), 422, "invalid_request"
        )
        assert "no member" in detail

        stranger = {**rows[1], "member_id": "M404"}
        detail = refused(letters(election, as_csv([rows[0], stranger])), 422, "invalid_request")
        assert "line 3: member M404 is not on this vote's roll" in detail
        detail = refused(letters(election, as_csv([rows[0], rows[0]])), 422, "invalid_request")
        assert "line 3: member M1 is on an earlier line too" in detail

        swapped = {**rows[0], "code": rows[1]["code"]}  # a code printed for the wrong member
        detail = refused(letters(election, as_csv([swapped])), 422, "invalid_request")
        assert "line 2: the link is not this vote's ballot link" in detail
        swapped["link"] = rows[1]["link"]
        detail = refused(letters(election, as_csv([swapped])), 422, "invalid_request")
        assert "line 2: the code is not member M1's current credential" in detail
        elsewhere = {**rows[0], "link": rows[0]["link"].replace("/votes/", "/votes/0")}
        detail = refused(letters(election, as_csv([elsewhere])), 422, "invalid_request")
        assert "the link is not this vote's ballot link" in detail

        # The right path and code on another host: letters pointing members at a look-alike.
        host = rows[0]["link"].split("/negotiations/", 1)[0]
        phishing = {**rows[0], "link": rows[0]["link"].replace(host, "https://vote.example.com")}
        detail = refused(letters(election, as_csv([phishing])), 422, "invalid_request")
        assert "line 2: the link is not this vote's ballot link" in detail

        broken = {**rows[0], "link": "http://[::1/negotiations"}  # not even an address
        detail = refused(letters(election, as_csv([broken])), 422, "invalid_request")
        assert "line 2: the link is not this vote's ballot link" in detail
        huge = {**rows[0], "name": "x" * 200_000}  # beyond the csv module's field limit
        detail = refused(letters(election, as_csv([huge])), 422, "invalid_request")
        assert "cannot be read" in detail

        too_many = as_csv([rows[0]] * (LETTERS_PER_PART + 1))
        detail = refused(letters(election, too_many), 422, "invalid_request")
        assert f"{LETTERS_PER_PART + 1:,} rows" in detail

        # A reissued credential: the saved CSV's old code for that member no longer prints.
        election.codes["M3"] = ok(election.post("/credentials/M3/reissue"))["code"]
        detail = refused(letters(election, as_csv(rows)), 422, "invalid_request")
        assert "the code is not member M3's current credential (reissued since" in detail
        reissued = {**rows[2], "code": election.codes["M3"]}
        reissued["link"] = rows[2]["link"].rsplit("=", 1)[0] + "=" + election.codes["M3"]
        assert len(pages(letters(election, as_csv([reissued])))) == 1
    finally:
        logging.getLogger().removeHandler(lines)
        logging.getLogger("uvicorn.access").removeHandler(lines)
    events, credentials = _state(database, election)
    assert events[0] == before[0][0] + 1  # the reissue, and nothing for the letters
    assert len(credentials) == len(before[1]) + 1
    logged = "\n".join(lines.lines)
    codes = [r["code"] for r in rows] + [election.codes["M3"]]
    assert not [c for c in codes if c in logged or c.replace("-", "") in logged]


def test_letters_wait_for_the_credentials(
    client: httpx.Client, negotiations: Negotiations, people: PersonFactory
):
    election = new_election(client, negotiations, people, roll_only=True)
    text = "member_id,name,email,phone,language,worksite,code,link\nM1,Ana,,,es,North,X,Y\n"
    refused(letters(election, text), 409, "vote_step_refused")
