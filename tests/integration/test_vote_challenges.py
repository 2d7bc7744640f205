"""The key ceremony's complaint round over real HTTP: a guardian challenges a forged share, the
key waits, the accused reveals it; an honest reveal lets the ceremony finish (and the challenge
goes into the public record, which verifies), a false one disqualifies until the officials are
appointed again."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest

from negotiation.application import Negotiations
from negotiation.ballots.record import ElectionRecord
from negotiation.ballots.verify import verify_record
from negotiation.voting.client import (
    announce_guardians,
    decrypt,
    open_shares,
    post_shares,
    wire,
)
from tests.integration.test_votes import (
    Election,
    client,
    new_election,
    ok,
    refused,
    verify_vote,
)
from tests.support import PersonFactory

__all__ = ["client"]


def forged_ceremony(election: Election) -> Any:
    """Three guardians announce; guardian 2 seals a wrong share to guardian 1; 2 and 3 confirm;
    guardian 1 finds the bad share and challenges it."""
    base, officials = election.base, election.officials
    announcements = announce_guardians(election.client, base, officials)
    for official in officials:
        forge_for = 1 if official.index == 2 else None
        post_shares(election.client, base, official, announcements, forge_for=forge_for)
    for official in officials[1:]:
        assert open_shares(election.client, base, official, announcements) == []
        ok(election.post("/ceremony/confirm", headers=official.headers))
    assert open_shares(election.client, base, officials[0], announcements) == [2]
    ok(election.post("/ceremony/challenge", json={"sender": 2}))
    return announcements


def reveal(election: Election, who: int, value: bytes) -> httpx.Response:
    body = wire({"recipient": 1, "share": value})
    return election.post("/ceremony/reveal", headers=election.officials[who].headers, json=body)


@pytest.fixture
def challenged(
    client: httpx.Client, negotiations: Negotiations, people: PersonFactory
) -> tuple[Election, Any]:
    election = new_election(client, negotiations, people, roll_only=True)
    ok(election.post("/roll/certify"))
    return election, forged_ceremony(election)


def test_an_honest_reveal_resolves_the_challenge_and_the_record_carries_it(
    challenged: tuple[Election, Any], tmp_path: Path
) -> None:
    election, announcements = challenged
    view = ok(election.get("/ceremony"))
    assert view["challenges"] == [{"accuser": 1, "accused": 2, "revealed": ""}]
    assert view["confirmed"] == [2, 3]
    detail = refused(election.post("/ceremony/key"), 409, "vote_step_refused")
    assert "guardian 2 has not revealed it yet" in detail
    # Guardian 3 was not challenged: its reveal is refused, nothing recorded.
    guardian3 = election.officials[2].guardian
    assert guardian3 is not None
    detail = refused(reveal(election, 2, bytes(guardian3.share_for(1))), 409, "vote_step_refused")
    assert "has not challenged your share" in detail
    refused(election.post("/ceremony/challenge", json={"sender": 9}), 409, "vote_step_refused")
    guardian2 = election.officials[1].guardian
    assert guardian2 is not None
    honest = bytes(guardian2.share_for(1))
    assert ok(reveal(election, 1, honest))["outcome"] == "revealed"
    # Guardian 1 takes the revealed share in place of the sealed one, and confirms.
    assert open_shares(election.client, election.base, election.officials[0], announcements) == []
    ok(election.post("/ceremony/confirm"))
    ok(election.post("/ceremony/key"))
    # The vote runs; guardian 1's share (built with the revealed one) helps count it.
    codes = csv.DictReader(io.StringIO(ok(election.post("/credentials"))))
    election.codes = {row["member_id"]: row["code"] for row in codes}
    ok(election.post("/open"))
    ok(election.cast("M1", 0), 201)
    ok(election.post("/close", json={"reason": "the test is over"}))
    for official in election.officials[:2]:
        decrypt(election.client, election.base, official, election.context())
    assert ok(election.post("/certify"))["counts"]["yes"] == 1
    record = msgspec.convert(ok(election.get("/record", headers={})), ElectionRecord)
    assert [(ch.accuser, ch.accused, ch.revealed) for ch in record.challenges] == [(1, 2, honest)]
    assert verify_record(record).problems == []
    # negotiation verify-vote re-checks the revealed share: a different one fails, named.
    published = tmp_path / "record.json"
    published.write_bytes(election.get("/record", headers={}).content)
    assert verify_vote(published).returncode == 0
    tampered = msgspec.json.decode(published.read_bytes())
    tampered["challenges"][0]["revealed"] = wire(bytes(guardian2.share_for(3)))
    published.write_bytes(msgspec.json.encode(tampered))
    failed = verify_vote(published)
    assert failed.returncode == 1
    assert (
        "guardian 1's challenge of guardian 2's share: the share guardian 2 revealed for "
        "guardian 1 does not match its commitments" in failed.stdout
    )


def test_a_false_reveal_disqualifies_until_the_officials_are_appointed_again(
    challenged: tuple[Election, Any],
) -> None:
    election, _ = challenged
    guardian2 = election.officials[1].guardian
    assert guardian2 is not None
    false = bytes(guardian2.share_for(3))
    assert ok(reveal(election, 1, false))["outcome"] == "disqualified"
    assert ok(election.get("/ceremony"))["disqualified"] == [2]
    for path in ("/ceremony/key", "/ceremony/confirm", "/open"):
        detail = refused(election.post(path), 409, "vote_step_refused")
        assert "Guardian 2 (Official 2) was disqualified" in detail
    refused(reveal(election, 1, bytes(guardian2.share_for(1))), 409, "vote_step_refused")
    body = ok(election.get("", headers=election.union.headers))
    officials = [
        {"account_id": o["account_id"], "name": o["name"]}
        for o in body["officials"]
        if o["guardian"] != 2
    ]
    again = {"officials": officials, "quorum": 2}
    ok(
        election.client.put(
            election.base + "/officials", headers=election.union.headers, json=again
        )
    )
    view = ok(election.get("/ceremony"))
    assert (view["guardians"], view["announcements"], view["challenges"]) == (2, [], [])
