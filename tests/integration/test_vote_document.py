"""The ratification document over HTTP: the union chief's plain-language summaries (as every
role), bound into the document hash until the vote opens, shown on the ballot above their
article's language, and prepared on the union's page."""

import base64
import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from pypdf import PdfReader

from tests.integration.test_votes import new_election, ok, refused, whole_ta
from tests.support import LiveServer, PersonFactory

SUMMARY = "Classes get smaller: at most 24 students."
OVERALL = "A fair first contract."


@pytest.fixture
def client(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=60) as c:
        yield c


class Called:
    """A vote called on a whole TA, with everyone who might try to write its summaries."""

    def __init__(self, client: httpx.Client, negotiations: Any, people: PersonFactory) -> None:
        union, employer = people(name="Uma Union"), people(name="Eli Employer")
        negotiation_id = whole_ta(negotiations, union, employer)
        negotiation = f"/api/negotiations/{negotiation_id}"
        now = datetime.now(UTC)
        body = {
            "question": "Ratify?",
            "opens_at": (now - timedelta(minutes=5)).isoformat(),
            "closes_at": (now + timedelta(days=2)).isoformat(),
        }
        vote = ok(client.post(f"{negotiation}/votes/", headers=union.headers, json=body), 201)
        self.base = f"{negotiation}/votes/{vote['id']}"
        official = people(name="Olga Official")
        ok(
            client.put(
                f"{self.base}/officials",
                headers=union.headers,
                json={
                    "officials": [{"account_id": official.account_id, "name": "Olga"}],
                    "quorum": 1,
                },
            )
        )
        self.headers: dict[str, dict[str, str]] = {
            "union_chief": union.headers,
            "employer_chief": employer.headers,
            "official": official.headers,
            "admin": people(is_admin=True).headers,
            "member": people(units=("Unit",)).headers,
            "outsider": people().headers,
            "public": {},
        }
        for party, chief in (("union", union), ("employer", employer)):
            teammate = people(name=f"{party} teammate")
            ok(
                client.post(
                    f"{negotiation}/team",
                    headers=chief.headers,
                    json={"username": teammate.username, "party": party},
                ),
                201,
            )
            self.headers[f"{party}_team"] = teammate.headers
        self.article = str(ok(client.get(self.base + "/document"))["articles"][0]["article_id"])


REFUSED = {
    "union_team": (403, "chief_negotiator_only"),
    "employer_chief": (403, "not_permitted"),
    "employer_team": (403, "not_permitted"),
    "official": (403, "not_on_team"),
    "admin": (403, "not_on_team"),
    "member": (403, "not_on_team"),
    "outsider": (403, "not_on_team"),
    "public": (401, None),
}


def test_only_the_union_chief_writes_a_summary_and_it_changes_the_document_hash(
    client, negotiations, people
):
    vote = Called(client, negotiations, people)
    before = ok(client.get(vote.base))["document_hash"]
    body = {"article_id": vote.article, "text": SUMMARY}
    for role, (status, rule) in REFUSED.items():
        response = client.put(vote.base + "/summary", headers=vote.headers[role], json=body)
        if rule is None:
            assert response.status_code == status, (role, response.text)
        else:
            detail = refused(response, status, rule)
            assert "employer" in detail if role.startswith("employer") else True
    assert ok(client.get(vote.base))["document_hash"] == before  # nothing recorded

    chief = vote.headers["union_chief"]
    done = ok(client.put(vote.base + "/summary", headers=chief, json=body))
    assert done["document_hash"] != before
    ok(client.put(vote.base + "/summary", headers=chief, json={"text": OVERALL}))
    view = ok(client.get(vote.base))
    assert view["document_hash"] not in (before, done["document_hash"])
    document = ok(client.get(vote.base + "/document"))
    assert document["articles"][0]["summary"] == SUMMARY
    assert document["overall_summary"] == OVERALL
    assert document["document_hash"] == view["document_hash"] and document["matches"]
    # Taking them out again gives the whole TA's own hash back.
    ok(client.put(vote.base + "/summary", headers=chief, json={**body, "text": ""}))
    ok(client.put(vote.base + "/summary", headers=chief, json={"text": " "}))
    assert ok(client.get(vote.base))["document_hash"] == before


def test_the_ballots_are_bound_to_the_document_with_its_summaries(client, negotiations, people):
    election = new_election(client, negotiations, people, open_it=False)
    article = ok(client.get(election.base + "/document"))["articles"][0]["article_id"]
    body = {"article_id": article, "text": SUMMARY}
    ok(client.put(election.base + "/summary", headers=election.union.headers, json=body))
    view = ok(client.get(election.base))
    context = ok(client.get(election.base + "/ballot"))
    assert base64.b64decode(context["document_hash"]).hex() == view["document_hash"]
    ok(election.post("/open"))
    assert ok(election.get("/record"))["document_hash"] == context["document_hash"]


def test_a_summary_cannot_change_once_the_vote_opens(client, negotiations, people):
    election = new_election(client, negotiations, people)
    article = ok(client.get(election.base + "/document"))["articles"][0]["article_id"]
    body = {"article_id": article, "text": SUMMARY}
    response = client.put(election.base + "/summary", headers=election.union.headers, json=body)
    assert "can no longer change" in refused(response, 409, "vote_step_refused")


def test_bad_summaries_are_refused_in_words(client, negotiations, people):
    vote = Called(client, negotiations, people)
    chief = vote.headers["union_chief"]
    unknown = client.put(
        vote.base + "/summary", headers=chief, json={"article_id": "nope", "text": "x"}
    )
    refused(unknown, 404, "not_found")
    for body in ({"text": "x" * 10_001}, {"text": "x", "extra": 1}, {"text": "a\u0000b"}, {}):
        response = client.put(vote.base + "/summary", headers=chief, json=body)
        assert response.status_code in (400, 422), (body, response.status_code)
        assert response.json()["detail"].strip()


def test_the_ballot_shows_each_summary_above_its_articles_language(client, negotiations, people):
    vote = Called(client, negotiations, people)
    chief = vote.headers["union_chief"]
    body = {"article_id": vote.article, "text": SUMMARY}
    ok(client.put(vote.base + "/summary", headers=chief, json=body))
    ok(client.put(vote.base + "/summary", headers=chief, json={"text": OVERALL}))
    page = client.get(vote.base.replace("/api", "", 1) + "/ballot", params={"lang": "en"})
    assert page.status_code == 200
    text = page.text
    assert OVERALL in text
    assert text.index(SUMMARY) < text.index("Class size 24.")
    assert ok(client.get(vote.base))["document_hash"] in text
    assert "Write the plain-language summaries" not in text
    own = client.get(vote.base.replace("/api", "", 1) + "/ballot", headers=chief)
    assert "Write the plain-language summaries" in own.text


def test_the_union_prepares_the_document_on_its_page_and_no_one_else_does(
    client, negotiations, people
):
    vote = Called(client, negotiations, people)
    for role in [*REFUSED, "union_chief"]:
        page = client.get(
            vote.base.replace("/api", "", 1) + "/prepare",
            params={"lang": "en"},
            headers=vote.headers[role],
        )
        assert page.status_code == 200
        if role == "union_chief":
            assert "<textarea" in page.text and "Save this summary" in page.text
        elif role == "public":
            assert "<textarea" not in page.text and "Sign in as the chief negotiator" in page.text
        else:
            assert "<textarea" not in page.text, role
            assert "Only the chief negotiator of the members' side writes" in page.text


def pdf_text(content: bytes) -> str:
    """The text a reader's PDF viewer shows (pypdf parses the file: it must be a valid PDF)."""
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_document_pdf_carries_each_articles_language_its_summary_and_the_hash(
    client, negotiations, people
):
    vote = Called(client, negotiations, people)
    chief = vote.headers["union_chief"]
    ok(client.put(vote.base + "/summary", headers=chief, json={"text": "Ñandú: más tiempo."}))
    body = {"article_id": vote.article, "text": SUMMARY}
    ok(client.put(vote.base + "/summary", headers=chief, json=body))
    document_hash = ok(client.get(vote.base))["document_hash"]
    page = vote.base.replace("/api", "", 1)
    ballot = client.get(page + "/ballot", params={"lang": "en"})
    assert f'href="{page}/document.pdf?lang=en"' in ballot.text
    for role in ("public", "member", "union_chief"):
        pdf = client.get(page + "/document.pdf", params={"lang": "es"}, headers=vote.headers[role])
        assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
        text = pdf_text(pdf.content)
        assert "Class size 24." in text and "Class size" in text
        assert SUMMARY.split(":")[0] in text and "Ñandú" in text  # Unicode, as typed
        assert document_hash in text.replace("\n", "")
        assert "El acuerdo provisional sometido a votación" in text
