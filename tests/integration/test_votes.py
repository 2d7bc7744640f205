"""A ratification vote over real HTTP with Python-side crypto: flow, refusals, race, secrecy."""

from __future__ import annotations

import asyncio
import concurrent.futures
import csv
import io
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import msgspec
import psycopg
import pytest
from psycopg_pool import ConnectionPool

from negotiation.application import Negotiations
from negotiation.ballots.record import BallotSubmission, ElectionRecord
from negotiation.ballots.verify import verify_record
from negotiation.database import DatabaseConfig
from negotiation.domain import errors
from negotiation.domain import vote_commands as c
from negotiation.voting import service
from negotiation.voting.batch import Pending
from negotiation.voting.client import Official, context_from, decrypt, make_submission, run_ceremony
from negotiation.voting.service import Votes, Voting
from negotiation.voting.store import VotingStore
from tests.support import LiveServer, Person, PersonFactory, open_table_in

ROLL = """member_id,name,email,phone,worksite,classification,language,good_standing
M1,Ana Ruiz,ana@example.org,,North,Teacher,es,yes
M2,Ben Cho,,+1 555 0100,North,Teacher,en,yes
M3,Cy Diaz,cy@example.org,,South,Aide,en,yes
M4,Di Eng,di@example.org,,South,Aide,en,no
M2,Ben Again,ben@example.org,,North,Teacher,en,yes
M6,,x@example.org,,South,Aide,en,yes
M7,Ed Fox,,,South,Aide,en,yes
M8,Flo Gil,not-an-email,,South,Aide,en,yes
M9,Gus Ho,gus@example.org,,South,Teacher,en,yes
"""


class Election:
    """One vote set up through the API up to (optionally) opening."""

    def __init__(self, client: httpx.Client, base: str, union: Person, officials: list[Official]):
        self.client = client
        self.base = base
        self.union = union
        self.officials = officials
        self.codes: dict[str, str] = {}

    @property
    def lead(self) -> dict[str, str]:
        return self.officials[0].headers

    def post(self, path: str, headers: dict[str, str] | None = None, **kw: Any) -> httpx.Response:
        return self.client.post(
            self.base + path, headers=self.lead if headers is None else headers, **kw
        )

    def get(self, path: str, headers: dict[str, str] | None = None) -> httpx.Response:
        return self.client.get(self.base + path, headers=self.lead if headers is None else headers)

    def context(self) -> Any:
        return context_from(self.get("/ballot").json())

    def cast(self, member: str, choice: int) -> httpx.Response:
        body = {"credential": self.codes[member], "ballot": make_submission(self.context(), choice)}
        return self.post("/ballots", headers={}, json=body)


def verify_vote(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "web.cli", "verify-vote", str(path)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, (response.status_code, response.text)
    return response.json() if "json" in response.headers.get("content-type", "") else response.text


def refused(response: httpx.Response, status: int, rule: str) -> str:
    assert response.status_code == status, (response.status_code, response.text)
    body = response.json()
    assert body["rule"] == rule, body
    assert body["detail"].strip()
    return str(body["detail"])


def whole_ta(negotiations: Negotiations, union: Person, employer: Person) -> UUID:
    negotiation_id, _ = open_table_in(negotiations, union.actor, employer.actor, "Ratify me")
    article = negotiations.open_article(
        negotiation_id, union.actor, number="12", title="Class size", category="non_economic"
    )
    proposal = negotiations.table_proposal(
        negotiation_id, union.actor, article_id=article, text="Class size 24."
    )
    for chief in (union, employer):
        negotiations.sign_ta(negotiation_id, chief.actor, article_id=article, proposal_id=proposal)
    return negotiation_id  # type: ignore[no-any-return]


@pytest.fixture
def client(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=60) as c:
        yield c


def new_election(
    client: httpx.Client,
    negotiations: Negotiations,
    people: PersonFactory,
    *,
    open_it: bool = True,
    roll_only: bool = False,
    roll: str = ROLL,
    **call: Any,
) -> Election:
    union, employer = people(name="Uma Union"), people(name="Eli Employer")
    negotiation_id = whole_ta(negotiations, union, employer)
    base = f"/api/negotiations/{negotiation_id}/votes"
    now = datetime.now(UTC)
    body = {
        "question": "Do you ratify the tentative agreement?",
        "options": ["yes", "no", "abstain"],
        "opens_at": (now - timedelta(minutes=5)).isoformat(),
        "closes_at": (now + timedelta(days=2)).isoformat(),
        **call,
    }
    vote_id = ok(client.post(f"{base}/", headers=union.headers, json=body), 201)["id"]
    people_ = [people(name=f"Official {i}") for i in (1, 2, 3)]
    officials = [Official(headers=p.headers) for p in people_]
    election = Election(client, f"{base}/{vote_id}", union, officials)
    ok(
        client.put(
            f"{election.base}/officials",
            headers=union.headers,
            json={
                "officials": [
                    {"account_id": p.account_id, "name": p.display_name} for p in people_
                ],
                "quorum": 2,
            },
        )
    )
    ok(election.post("/roll.csv", json={"csv": roll}))
    if roll_only:
        return election
    ok(election.post("/roll/certify"))
    run_ceremony(client, election.base, officials)
    credentials = ok(election.post("/credentials"))
    election.codes = {
        row["member_id"]: row["code"] for row in csv.DictReader(io.StringIO(credentials))
    }
    if open_it:
        ok(election.post("/open"))
    return election


# ------------------------------------------------------------------ the whole flow
def test_a_vote_from_call_to_certified_results(
    client: httpx.Client, negotiations: Negotiations, people: PersonFactory, tmp_path: Path
):
    election = new_election(client, negotiations, people, retention_days=0)
    codes = []
    for member, choice in (("M1", 0), ("M2", 0), ("M3", 1), ("M9", 2)):
        codes.append(ok(election.cast(member, choice), 201)["tracking_code"])
    assert ok(election.post("/my-status", headers={}, json={"credential": election.codes["M1"]}))[
        "voted"
    ]
    turnout = ok(election.get("/turnout"))
    assert (turnout["voted"], turnout["roll"]) == (4, 4)
    assert {g["group"]: g["voted"] for g in turnout["by_worksite"]} == {"North": 2, "South": 2}
    member_view = election.client.get(
        election.base + "/turnout", headers={"X-Credential": election.codes["M3"]}
    )
    assert ok(member_view)["voted"] == 4
    refused(election.get("/turnout", headers={}), 403, "not_permitted")
    qr = election.post("/credentials/qr", headers={}, json={"link": "https://example.org/b#c=X"})
    assert qr.status_code == 200 and b"<svg" in qr.content
    participation = ok(election.get("/participation"))
    assert sorted(p["member_id"] for p in participation) == ["M1", "M2", "M3", "M9"]
    refused(election.get("/participation", headers=election.union.headers), 403, "not_official")
    refused(election.get("/results", headers={}), 403, "not_permitted")
    refused(election.post("/close", json={"reason": ""}), 422, "invalid_request")
    ok(election.post("/close", json={"reason": "every member on the roll has voted"}))
    context = election.context()
    for official in (election.officials[0], election.officials[2]):
        decrypt(client, election.base, official, context)
    early = ok(election.get("/results"))
    assert early["counts"] == {"yes": 2, "no": 1, "abstain": 1} and not early["certified"]
    results = ok(election.post("/certify"))
    assert results["outcome"] == "ratified" and results["certified"]
    public = ok(election.get("/results", headers={}))
    assert public["counts"] == {"yes": 2, "no": 1, "abstain": 1}
    record = msgspec.convert(ok(election.get("/record", headers={})), ElectionRecord)
    verified = verify_record(record)
    assert verified.ok, verified.problems
    assert [msgspec.json.encode(b.tracking_code) for b in record.ballots] == [
        msgspec.json.encode(msgspec.convert(c, bytes)) for c in codes
    ]
    # negotiation verify-vote: the published record alone verifies; a tampered ballot fails, named.
    published = tmp_path / "record.json"
    published.write_bytes(election.get("/record", headers={}).content)
    assert verify_vote(published).returncode == 0
    tampered = msgspec.json.decode(published.read_bytes())
    second = tampered["ballots"][1]["range_proofs"][0]
    second["c0"], second["v0"] = tampered["ballots"][0]["range_proofs"][0]["c0"], second["v0"]
    published.write_bytes(msgspec.json.encode(tampered))
    failed = verify_vote(published)
    assert failed.returncode == 1
    assert "(no. 2)" in failed.stdout and "'yes' is 0 or 1 does not verify" in failed.stdout
    pdf = election.get("/results.pdf", headers={})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    negotiation_id = UUID(election.base.split("/")[3])
    assert negotiations.read(negotiation_id, lambda n: n.state.ratification.status) == "ratified"
    ok(election.post("/purge"))
    assert ok(election.get("/participation")) == []


def test_a_no_vote_sends_the_negotiation_back_to_the_table(
    client: httpx.Client, negotiations: Negotiations, people: PersonFactory
):
    election = new_election(client, negotiations, people)
    ok(election.cast("M1", 1), 201)
    ok(election.cast("M2", 0), 201)
    ok(election.post("/close", json={"reason": "test"}))
    context = election.context()
    for official in election.officials[1:]:
        decrypt(client, election.base, official, context)
    assert ok(election.post("/certify"))["outcome"] == "rejected"  # a tie is rejected
    negotiation_id = UUID(election.base.split("/")[3])
    assert negotiations.read(negotiation_id, lambda n: n.state.ratification) is None


# ------------------------------------------------------------------ the roll
def test_the_roll_import_reports_every_rejected_row_and_why(
    client: httpx.Client, negotiations: Negotiations, people: PersonFactory
):
    election = new_election(client, negotiations, people, roll_only=True)
    report = ok(election.post("/roll.csv", json={"csv": ROLL}))  # again, same roll
    reasons = {(r["line"], r["reason"]) for r in report["rejected"]}
    assert reasons == {
        (6, "duplicate member id"),
        (7, "missing name"),
        (8, "no email or phone"),
        (9, "bad email"),
    }
    assert (report["accepted"], report["eligible"]) == (5, 4)
    assert ok(election.get("/roll/progress")) == {"rows_done": 9, "rows_total": 9, "done": True}


def test_the_roll_is_frozen_once_the_vote_opens(
    client: httpx.Client, negotiations: Negotiations, people: PersonFactory
):
    election = new_election(client, negotiations, people)
    refused(election.post("/roll.csv", json={"csv": ROLL}), 409, "roll_frozen")


def test_an_official_removed_through_another_node_is_refused_the_roll_progress_there(
    client: httpx.Client,
    negotiations: Negotiations,
    people: PersonFactory,
    server: LiveServer,
    database: DatabaseConfig,
):
    """Two Voting services on one database are two nodes: one reads the progress for an
    official, the other re-appoints the officials without them; the first then refuses them."""
    election = new_election(client, negotiations, people, roll_only=True)
    negotiation_id, vote_id = (UUID(p) for p in election.base.split("/")[3::2])
    kept, removed = people(name="Kept Official"), people(name="Removed Official")

    def appoint(*officials: Person) -> None:
        body = {
            "officials": [{"account_id": p.account_id, "name": p.display_name} for p in officials],
            "quorum": 1,
        }
        ok(client.put(f"{election.base}/officials", headers=election.union.headers, json=body))

    appoint(kept, removed)
    votes = Votes(database.eventsourcing_env())
    pool: ConnectionPool[Any] = ConnectionPool(database.dsn(), min_size=1, max_size=2, open=True)
    try:
        other_node = Voting(negotiations, votes, VotingStore(pool))
        assert other_node.roll_progress(negotiation_id, vote_id, removed.actor)["done"]
        appoint(kept)  # through the server: the first node
        with pytest.raises(errors.NotElectionOfficial):
            other_node.roll_progress(negotiation_id, vote_id, removed.actor)
        assert other_node.roll_progress(negotiation_id, vote_id, kept.actor)["done"]
        refused(election.get("/roll/progress", headers=removed.headers), 403, "not_official")
    finally:
        pool.close()
        votes.close()


# ------------------------------------------------------------------ refusals at the ballot box
def test_ballot_refusals_are_named(
    client: httpx.Client, negotiations: Negotiations, people: PersonFactory
):
    election = new_election(client, negotiations, people)
    context = election.context()
    ballot = make_submission(context, 0)
    refused(
        election.post("/ballots", headers={}, json={"credential": "AAAA-BBBB", "ballot": ballot}),
        403,
        "not_on_roll",
    )
    ok(
        election.post(
            "/ballots", headers={}, json={"credential": election.codes["M1"], "ballot": ballot}
        ),
        201,
    )
    refused(
        election.post(
            "/ballots", headers={}, json={"credential": election.codes["M2"], "ballot": ballot}
        ),
        409,
        "copied_ballot",
    )
    refused(election.cast("M1", 1), 409, "second_ballot")
    forged = make_submission(context, 1)
    forged["range_proofs"][0] = ballot["range_proofs"][0]
    detail = refused(
        election.post(
            "/ballots", headers={}, json={"credential": election.codes["M3"], "ballot": forged}
        ),
        422,
        "invalid_ballot",
    )
    assert "'yes' is 0 or 1" in detail
    ok(election.cast("M3", 0), 201)  # nothing was spent by the refusals


def test_a_ballot_before_the_vote_opens_is_outside_the_window(
    client: httpx.Client, negotiations: Negotiations, people: PersonFactory
):
    election = new_election(client, negotiations, people, open_it=False)
    refused(election.cast("M1", 0), 409, "outside_window")


def test_a_reissued_credential_voids_the_old_one(
    client: httpx.Client, negotiations: Negotiations, people: PersonFactory
):
    election = new_election(client, negotiations, people)
    old = election.codes["M1"]
    election.codes["M1"] = ok(election.post("/credentials/M1/reissue"))["code"]
    body = {"credential": old, "ballot": make_submission(election.context(), 0)}
    refused(election.post("/ballots", headers={}, json=body), 403, "not_on_roll")
    ok(election.cast("M1", 0), 201)
    refused(election.post("/credentials/M1/reissue"), 409, "second_ballot")


def test_ballots_saved_in_batches_across_snapshots_read_back_whole_in_a_new_process(
    client: httpx.Client,
    negotiations: Negotiations,
    people: PersonFactory,
    database: DatabaseConfig,
):
    # Casts arriving together are saved as one batch (voting/recorder.py, not the library's
    # save), and a snapshot is taken whenever a batch crosses the interval (every 200 events):
    # a process that never saw them rebuilds the vote from the last snapshot and the events
    # after it, and gets every ballot, the chain's last code and the running tally.
    members = 450
    roll = (
        ROLL.splitlines()[0]
        + "\n"
        + "\n".join(
            f"B{i},Member {i},b{i}@example.org,,North,Teacher,en,yes" for i in range(members)
        )
    )
    election = new_election(client, negotiations, people, roll=roll)
    context = election.context()
    bodies = [
        {"credential": election.codes[f"B{i}"], "ballot": make_submission(context, i % 3)}
        for i in range(members)
    ]
    with concurrent.futures.ThreadPoolExecutor(24) as pool:
        statuses = list(
            pool.map(lambda b: election.post("/ballots", headers={}, json=b).status_code, bodies)
        )
    assert statuses == [201] * members
    vote_id = UUID(election.base.rsplit("/", 1)[-1])
    with psycopg.connect(database.dsn()) as conn:
        (batches,) = conn.execute(
            "SELECT count(DISTINCT xmin::text) FROM votes_events "
            "WHERE originator_id = %s AND topic LIKE '%%BallotCast'",
            (vote_id,),
        ).fetchone() or (0,)
        (snapshots,) = conn.execute(
            "SELECT count(*) FROM votes_snapshots WHERE originator_id = %s", (vote_id,)
        ).fetchone() or (0,)
    assert batches < members  # some casts did meet in a batch
    assert snapshots >= 2  # at least 200 and 400 events were crossed

    fresh = Votes(env=database.eventsourcing_env())
    try:
        stored = fresh.stored(vote_id)
    finally:
        fresh.close()
    ok(election.post("/close", json={"reason": "the test's ballots are in"}))
    for official in election.officials[:2]:
        decrypt(client, election.base, official, context)
    counts = ok(election.post("/certify"))["counts"]
    assert counts == {"yes": 150, "no": 150, "abstain": 150}
    record = msgspec.json.decode(election.get("/record").content, type=ElectionRecord)
    assert stored.state.ballots == len(record.ballots) == members
    assert [(t.alpha, t.beta) for t in stored.state.tally] == [
        (t.alpha, t.beta) for t in record.tally
    ]
    assert stored.state.last_code == record.ballots[-1].tracking_code
    assert verify_record(record).ok  # every proof, the chain of codes, the sum


def test_a_spent_credential_is_refused_again_before_any_proof_is_checked(
    client: httpx.Client,
    negotiations: Negotiations,
    people: PersonFactory,
    monkeypatch: pytest.MonkeyPatch,
):
    # Whoever holds a spent code must not be able to keep the server's proof threads busy.
    election = new_election(client, negotiations, people)
    ok(election.cast("M1", 0), 201)
    checks: list[object] = []
    real = service.check_ballot
    monkeypatch.setattr(service, "check_ballot", lambda *a: checks.append(a) or real(*a))
    for _ in range(3):
        refused(election.cast("M1", 1), 409, "second_ballot")
    assert checks == []
    ok(election.cast("M2", 1), 201)  # the others' proofs are checked as before
    assert len(checks) == 1


def test_a_credential_voided_after_ballots_were_cast_is_refused_too(
    client: httpx.Client, negotiations: Negotiations, people: PersonFactory
):
    # A server process reads the roll's credentials at the vote's first ballot; one voided
    # later is still refused, by the check its batch makes under the vote's lock.
    election = new_election(client, negotiations, people)
    ok(election.cast("M2", 1), 201)
    old = election.codes["M1"]
    election.codes["M1"] = ok(election.post("/credentials/M1/reissue"))["code"]
    body = {"credential": old, "ballot": make_submission(election.context(), 0)}
    refused(election.post("/ballots", headers={}, json=body), 403, "not_on_roll")
    ok(election.cast("M1", 0), 201)
    refused(election.cast("M2", 0), 409, "second_ballot")


def test_the_log_records_how_many_credentials_were_issued(
    client: httpx.Client,
    negotiations: Negotiations,
    people: PersonFactory,
    database: DatabaseConfig,
):
    election = new_election(client, negotiations, people, open_it=False)
    with psycopg.connect(database.dsn(), autocommit=True) as conn:
        (state,) = conn.execute(
            "SELECT state FROM votes_events WHERE topic LIKE '%%CredentialsIssued' "
            "AND originator_id = %s",
            (UUID(election.base.rsplit("/", 1)[1]),),
        ).fetchone() or (b"",)
    assert msgspec.msgpack.decode(bytes(state))["count"] == len(election.codes) == 4


def test_a_second_vote_while_one_is_called_is_refused(
    client: httpx.Client, negotiations: Negotiations, people: PersonFactory
):
    election = new_election(client, negotiations, people, open_it=False)
    base = election.base.rsplit("/", 1)[0]
    now = datetime.now(UTC)
    body = {
        "question": "Again?",
        "opens_at": now.isoformat(),
        "closes_at": (now + timedelta(days=1)).isoformat(),
    }
    refused(
        client.post(f"{base}/", headers=election.union.headers, json=body), 409, "vote_in_progress"
    )


# ------------------------------------------------------------------ who sees what
def test_the_employer_side_neither_appoints_nor_serves_as_an_election_official(
    client: httpx.Client, negotiations: Negotiations, people: PersonFactory
):
    union, employer = people(name="Uma Union"), people(name="Eli Employer")
    base = f"/api/negotiations/{whole_ta(negotiations, union, employer)}/votes"
    now = datetime.now(UTC)
    body = {
        "question": "Ratify?",
        "opens_at": now.isoformat(),
        "closes_at": (now + timedelta(days=1)).isoformat(),
    }
    vote_id = ok(client.post(f"{base}/", headers=union.headers, json=body), 201)["id"]
    official = people(name="Olga Official")

    def appoint(by: Person, *officials: Person) -> httpx.Response:
        body = {
            "officials": [{"account_id": p.account_id, "name": p.display_name} for p in officials],
            "quorum": 1,
        }
        return client.put(f"{base}/{vote_id}/officials", headers=by.headers, json=body)

    refused(appoint(employer, official), 403, "not_permitted")
    assert "employer" in refused(appoint(union, official, employer), 403, "not_permitted")
    refused(appoint(union, employer), 403, "not_permitted")
    ok(appoint(union, official))


def test_turnout_by_group_is_for_the_officials_only(
    client: httpx.Client, negotiations: Negotiations, people: PersonFactory
):
    # South's eligible members are M3 and M9: the group's turnout says whether each one voted.
    election = new_election(client, negotiations, people)
    ok(election.cast("M9", 0), 201)
    official = ok(election.get("/turnout"))
    assert {g["group"]: g["voted"] for g in official["by_worksite"]} == {"North": 0, "South": 1}
    member = ok(election.get("/turnout", headers={"X-Credential": election.codes["M3"]}))
    chief = ok(election.get("/turnout", headers=election.union.headers))
    for view in (member, chief):
        assert (view["voted"], view["roll"]) == (1, 4)
        assert view["by_worksite"] == [] and view["by_classification"] == []


def test_totals_at_close_are_for_the_officials_and_everyone_after_certification(
    client: httpx.Client, negotiations: Negotiations, people: PersonFactory
):
    election = new_election(client, negotiations, people)
    ok(election.cast("M1", 0), 201)
    ok(election.post("/close", json={"reason": "test"}))
    context = election.context()
    for official in election.officials[:2]:
        decrypt(client, election.base, official, context)
    member = {"X-Credential": election.codes["M1"]}
    for outsider in (election.union.headers, member, {}):
        refused(election.get("/results", headers=outsider), 403, "not_permitted")
    assert ok(election.get("/results"))["counts"]["yes"] == 1
    ok(election.post("/certify"))
    for anyone in (election.union.headers, member, {}):
        assert ok(election.get("/results", headers=anyone))["counts"]["yes"] == 1


# ------------------------------------------------------------------ the one-ballot race
async def test_one_credential_a_hundred_times_at_once_casts_exactly_one_ballot(
    client: httpx.Client, negotiations: Negotiations, people: PersonFactory, server: LiveServer
):
    election = new_election(client, negotiations, people)
    context = election.context()
    bodies = [
        {"credential": election.codes["M9"], "ballot": make_submission(context, i % 3)}
        for i in range(100)
    ]
    async with httpx.AsyncClient(base_url=server.url, timeout=120) as http:
        responses = await asyncio.gather(
            *(http.post(election.base + "/ballots", json=b) for b in bodies)
        )
    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(201) == 1, statuses
    assert {r.json()["rule"] for r in responses if r.status_code != 201} == {"second_ballot"}
    assert ok(election.get(""))["ballots"] == 1
    assert len(ok(election.get("/participation"))) == 1


def test_a_vote_read_for_a_view_is_a_copy_that_later_ballots_leave_as_it_was(
    client: httpx.Client, negotiations: Negotiations, people: PersonFactory, server: LiveServer
):
    election = new_election(client, negotiations, people)
    voting: Voting = server.app.state.voting
    negotiation_id, vote_id = (UUID(p) for p in election.base.split("/")[3::2])
    before = voting.vote(negotiation_id, vote_id)
    counted = (before.state.ballots, before.state.last_code, list(before.state.tally))
    ok(election.cast("M1", 0), 201)
    # The view read before the ballot still shows one state (not the cached vote the cast
    # changed in place); a read after it shows the ballot.
    assert (before.state.ballots, before.state.last_code, before.state.tally) == counted
    after = voting.vote(negotiation_id, vote_id)
    assert after.state.ballots == counted[0] + 1 and after.state.tally != counted[2]


def test_a_vote_addressed_through_another_negotiation_is_not_found(
    client: httpx.Client, negotiations: Negotiations, people: PersonFactory
):
    mine = new_election(client, negotiations, people, open_it=False)
    other = new_election(client, negotiations, people, roll_only=True)
    vote_id = mine.base.rsplit("/", 1)[1]
    elsewhere = other.base.rsplit("/", 1)[0] + "/" + vote_id
    chief = mine.union.headers
    attempts = [
        client.post(f"{elsewhere}/open", headers=mine.lead),
        client.put(f"{elsewhere}/summary", headers=chief, json={"text": "Elsewhere."}),
        client.post(f"{elsewhere}/my-status", json={"credential": next(iter(mine.codes.values()))}),
        client.get(elsewhere, headers=mine.lead),
    ]
    for response in attempts:
        assert "in this negotiation" in refused(response, 404, "not_found")
    # Through its own negotiation the same vote opens: nothing above changed it.
    ok(mine.post("/open"))


def test_a_batch_refuses_a_spent_credential_and_a_copy_alone_and_saves_the_others(
    client: httpx.Client, negotiations: Negotiations, people: PersonFactory, server: LiveServer
):
    election = new_election(client, negotiations, people)
    voting: Voting = server.app.state.voting
    negotiation_id, vote_id = (UUID(p) for p in election.base.split("/")[3::2])
    context = election.context()
    copied = make_submission(context, 1)

    def prepared(member: str, ballot: dict[str, Any]) -> Pending:
        submission = msgspec.convert(ballot, BallotSubmission)
        return voting.prepare_cast(
            negotiation_id, vote_id, election.codes[member], c.CastBallot(ballot=submission)
        )

    # All four pass the checks before the lock; then, before their batch is saved, M2 votes
    # with the very ballot M3 is about to send.
    batch = [
        prepared("M1", make_submission(context, 0)),
        prepared("M2", make_submission(context, 0)),
        prepared("M3", copied),
        prepared("M9", make_submission(context, 2)),
    ]
    first = ok(
        election.post(
            "/ballots", headers={}, json={"credential": election.codes["M2"], "ballot": copied}
        ),
        201,
    )
    voting.cast_batch(vote_id, lambda: batch)
    m1, m2, m3, m9 = batch
    assert isinstance(m2.error, errors.SecondBallot) and m2.code is None
    assert isinstance(m3.error, errors.CopiedBallot) and m3.code is None
    assert m1.error is None and m9.error is None
    record = msgspec.json.decode(election.get("/record").content, type=ElectionRecord)
    # The two accepted ones follow the first in the chain, in the batch's order.
    assert [b.tracking_code for b in record.ballots] == [
        msgspec.convert(first["tracking_code"], bytes),
        m1.outcome(),
        m9.outcome(),
    ]
    voted = {row["member_id"] for row in ok(election.get("/participation"))}
    assert voted == {"M1", "M2", "M9"}
    ok(election.cast("M3", 1), 201)  # M3's credential was not spent by the refused copy


async def test_simultaneous_casts_are_each_answered_alone(
    client: httpx.Client, negotiations: Negotiations, people: PersonFactory, server: LiveServer
):
    election = new_election(client, negotiations, people)
    context = election.context()
    forged = make_submission(context, 1)
    forged["range_proofs"][0] = make_submission(context, 0)["range_proofs"][0]
    bodies = {
        "good": [
            {"credential": election.codes[m], "ballot": make_submission(context, i % 3)}
            for i, m in enumerate(["M1", "M3"])
        ],
        "double": [
            {"credential": election.codes["M9"], "ballot": make_submission(context, i)}
            for i in (0, 1)
        ],
        "forged": [{"credential": election.codes["M2"], "ballot": forged}],
    }
    sent = [(kind, b) for kind, group in bodies.items() for b in group]
    answers: dict[str, list[httpx.Response]] = {}
    async with httpx.AsyncClient(base_url=server.url, timeout=120) as http:
        responses = await asyncio.gather(
            *(http.post(election.base + "/ballots", json=b) for _, b in sent)
        )
        for (kind, _), r in zip(sent, responses, strict=True):
            answers.setdefault(kind, []).append(r)
    assert [r.status_code for r in answers["good"]] == [201, 201]
    assert sorted(r.status_code for r in answers["double"]) == [201, 409]
    refused(answers["forged"][0], 422, "invalid_ballot")
    assert ok(election.get(""))["ballots"] == 3
    ok(election.cast("M2", 0), 201)  # the forged ballot spent nothing


# ------------------------------------------------------------------ secrecy
class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if not record.name.startswith(("httpx", "httpcore")):  # the test's own client
            self.lines.append(record.getMessage())


def test_nothing_stored_or_logged_links_a_member_to_a_choice_or_decrypts_with_fewer_than_k(
    client: httpx.Client,
    negotiations: Negotiations,
    people: PersonFactory,
    database: DatabaseConfig,
):
    lines = _Lines()
    logging.getLogger().addHandler(lines)
    logging.getLogger("uvicorn.access").addHandler(lines)
    try:
        election = new_election(client, negotiations, people)
        context = election.context()
        seeds = {m: os.urandom(32) for m in ("M1", "M2", "M3")}
        for (member, s), choice in zip(seeds.items(), (0, 1, 2), strict=True):
            body = {
                "credential": election.codes[member],
                "ballot": make_submission(context, choice, s),
            }
            ok(election.post("/ballots", headers={}, json=body), 201)
        ok(election.post("/close", json={"reason": "test"}))
        decrypt(client, election.base, election.officials[0], context)
        # The pages that show the vote's steps: its audit chain (chained now, so its table is
        # searched below too) and the officials' pages.
        negotiation_id, vote_hex = election.base.split("/")[3], election.base.split("/")[5]
        page_base = election.base.replace("/api", "", 1)
        pages = [
            ok(client.get("/audit", params={"negotiation_id": negotiation_id}, headers=h))
            for h in (election.union.headers, election.lead)
        ] + [ok(client.get(page_base + p, headers=election.lead)) for p in ("/roll", "/officials")]
        chain = client.get(
            f"/api/audit/votes/{vote_hex}",
            params={"negotiation_id": negotiation_id},
            headers=election.lead,
        )
        pages.append(chain.text)
    finally:
        logging.getLogger().removeHandler(lines)
        logging.getLogger("uvicorn.access").removeHandler(lines)
    # What would decrypt or link: each guardian's secrets, each ballot's nonces, credentials.
    from negotiation.ballots.context import derive_nonce

    secrets: list[bytes] = []
    for official in election.officials:
        g = official.guardian
        assert g is not None and official.secret_share is not None
        secrets += [bytes(a) for a in g.coefficients] + [
            bytes(g.transport_secret),
            g.seed,
            bytes(official.secret_share),
        ]
    for s in seeds.values():
        secrets += [s] + [bytes(derive_nonce(s, "encrypt", j)) for j in range(3)]
    needles = [x.hex() for x in secrets]
    codes = list(election.codes.values())
    with psycopg.connect(database.dsn(), autocommit=True) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
            ).fetchall()
        ]
        dump = "\n".join(
            str(row[0])
            for t in tables
            for row in conn.execute(f'SELECT t::text FROM "{t}" t').fetchall()
        )
        participation_columns = {
            r[0]
            for r in conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = "
                "'vote_participation'"
            ).fetchall()
        }
        vote_events = [
            msgspec.msgpack.decode(bytes(r[0]))
            for r in conn.execute(
                "SELECT state FROM votes_events WHERE topic LIKE '%%BallotCast' "
                "AND originator_id = %s",
                (UUID(election.base.rsplit("/", 1)[1]),),
            ).fetchall()
        ]
    shown = "\n".join(pages)
    assert f'id="vote-{vote_hex}"' in shown
    names = ["Ana Ruiz", "Ben Cho", "Cy Diaz", "ana@example.org", "cy@example.org"]
    assert [n for n in needles + codes + names if n in shown] == []
    found = [n for n in needles if n in dump]
    assert found == [], "key material or ballot nonces are stored"
    assert not [c for c in codes if c in dump or c.replace("-", "") in dump]
    assert participation_columns == {"vote_id", "member_id", "voted_on"}
    # A ballot event holds its ballot, tracking code and running tally: no one's name or id.
    assert len(vote_events) == 3
    assert {frozenset(e) for e in vote_events} == {
        frozenset({"timestamp", "tracking_code", "ballot", "tally"})
    }
    # No field of the vote's own tables is a choice (other tests' proposals may say "choice").
    assert not [e for e in vote_events if "choice" in str(e)]
    logged = "\n".join(lines.lines)
    assert "/ballots" not in logged and not [c for c in codes if c in logged]
    # The server's access log (uvicorn's format: client, method, path, version, status) drops
    # the ballot routes and keeps the others.
    access = logging.getLogger("uvicorn.access")

    def line(path: str) -> logging.LogRecord:
        return logging.LogRecord(
            "uvicorn.access",
            logging.INFO,
            __file__,
            1,
            '%s - "%s %s HTTP/%s" %d',
            ("1.2.3.4:5", "POST", path, "1.1", 201),
            None,
        )

    assert not access.filter(line(election.base + "/ballots"))
    assert not access.filter(line(election.base + "/my-status"))
    assert not access.filter(line(election.base + "/document"))  # a member's read of the TA
    assert access.filter(line(election.base + "/close"))
