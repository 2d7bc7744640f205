"""The vote pages show what DOMAIN.md "Who sees what" allows: totals only after certification."""

from collections.abc import Iterator

import httpx
import pytest

from negotiation.voting.client import decrypt
from tests.integration.test_votes import new_election, ok
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
