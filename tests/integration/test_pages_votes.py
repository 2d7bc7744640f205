"""The vote pages show what DOMAIN.md "Who sees what" allows: totals only after certification."""

from collections.abc import Iterator

import httpx
import pytest

from negotiation.voting.client import decrypt, run_ceremony
from tests.integration.test_votes import ROLL, new_election, ok, refused
from tests.support import LiveServer


@pytest.fixture
def client(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=60) as c:
        yield c


def test_the_results_page_shows_totals_only_once_they_are_certified(client, negotiations, people):
    election = new_election(client, negotiations, people)
    for member, choice in (("M1", 0), ("M2", 0), ("M3", 1)):
        ok(election.cast(member, choice), 201)
    ok(election.post("/close", json={"reason": "the count, before it is certified"}))
    context = election.context()
    for official in (election.officials[0], election.officials[2]):
        decrypt(client, election.base, official, context)
    page = election.base.replace("/api", "", 1) + "/results"
    assert ok(election.get("/results"))["counts"]["yes"] == 2  # counted, not certified

    decrypted = client.get(page, params={"lang": "en"})
    assert decrypted.status_code == 200
    assert 'class="totals"' not in decrypted.text and "Outcome" not in decrypted.text
    assert "once the officials certify the count" in decrypted.text

    ok(election.post("/certify"))
    certified = client.get(page, params={"lang": "en"})
    assert 'class="totals"' in certified.text and "Outcome" in certified.text


def _page(election, name: str) -> str:
    return election.base.replace("/api", "", 1) + "/" + name


def test_the_roll_page_is_the_officials_and_freezes_when_the_vote_opens(
    client, negotiations, people
):
    election = new_election(client, negotiations, people, roll_only=True)
    roll = _page(election, "roll")
    desk = client.get(_page(election, "officials"), headers=election.lead, params={"lang": "en"})
    assert f'href="{roll.split("/roll")[0]}/roll"' in desk.text  # the desk leads to it

    mine = client.get(roll, headers=election.lead, params={"lang": "en"})
    assert mine.status_code == 200
    assert 'id="roll-file"' in mine.text and 'id="certify-roll"' in mine.text
    assert "Eligible members on the roll: 4." in mine.text
    assert 'id="issue-credentials"' in mine.text and 'id="reissue-form" hidden' in mine.text
    for who in (election.union.headers, {}):  # the chief who called it, and no one
        other = client.get(roll, headers=who, params={"lang": "en"})
        assert other.status_code == 200
        assert 'id="roll-file"' not in other.text and "vote-roll.js" not in other.text
    assert "not an election official" in client.get(roll, headers=election.union.headers).text
    # The import's progress is the officials' too (read without the import's lock).
    assert ok(election.get("/roll/progress"))["done"]
    refused(election.get("/roll/progress", headers=election.union.headers), 403, "not_official")

    certified = ok(election.post("/roll/certify"))
    shown = client.get(roll, headers=election.lead, params={"lang": "en"}).text
    assert certified["roll_hash"] in shown and 'id="roll-certified" hidden' not in shown

    run_ceremony(client, election.base, election.officials)
    ok(election.post("/credentials"))
    ok(election.post("/open"))
    frozen = client.get(roll, headers=election.lead, params={"lang": "es"}).text
    assert 'id="roll-frozen"' in frozen and 'id="roll-file"' not in frozen
    assert 'id="certify-roll"' not in frozen and 'id="issue-credentials"' not in frozen
    assert "congelado" in frozen  # why the controls are gone, in the reader's language
    assert 'id="reissue-form">' in frozen  # a lost credential can still be replaced


def test_a_roll_imported_after_certification_must_be_certified_again(client, negotiations, people):
    election = new_election(client, negotiations, people, roll_only=True)
    refused(election.post("/credentials/M1/reissue"), 409, "vote_step_refused")  # none issued
    ok(election.post("/roll/certify"))
    ok(election.post("/roll.csv", json={"csv": ROLL}))
    refused(election.post("/credentials"), 409, "vote_step_refused")
    assert ok(election.get(""))["roll_hash"] is None
    ok(election.post("/roll/certify"))
    ok(election.post("/credentials"), 200)


def test_the_roll_pages_posts_with_the_cookie_are_refused_from_another_site(
    client, negotiations, people, server
):
    election = new_election(client, negotiations, people, roll_only=True)
    token = election.lead["Authorization"].removeprefix("Bearer ")
    with httpx.Client(
        base_url=server.url, cookies={"negotiation_session": token}, timeout=60
    ) as browser:
        for path, body in (("/roll.csv", {"csv": ROLL}), ("/roll/certify", None)):
            forged = browser.post(
                election.base + path, json=body, headers={"origin": "https://evil.example"}
            )
            assert forged.status_code == 403 and forged.json()["rule"] == "cross_site_request"
        ours = browser.post(
            election.base + "/roll.csv", json={"csv": ROLL}, headers={"origin": server.url}
        )
        assert ours.status_code == 200, ours.text
