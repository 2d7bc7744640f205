"""A ratification vote's steps in the audit history: every step, its own hash chain hanging from
the negotiation's entry that called the vote, verifiable, tamper-evident, and nothing on it that
links a member to a ballot."""

from __future__ import annotations

import asyncio
import io
import re
import time
import uuid
from typing import Any
from uuid import UUID

import asyncpg
import httpx
import msgspec
import psycopg
import pytest

from negotiation.application import Negotiations
from negotiation.ballots.ballot import display_tracking_code
from negotiation.ballots.record import BallotSubmission
from negotiation.database import DatabaseConfig, drop_database, ensure_database_exists
from negotiation.domain import vote_commands as c
from negotiation.domain.ratification import check_ballot
from negotiation.voting.client import decrypt, make_submission
from negotiation.voting.service import VOTER, Votes
from projections.audit import vote_projection
from projections.audit import votes as audit_votes
from projections.audit.chain import chain_hash
from projections.runner import Projector
from tests.integration.test_audit import english_leftovers
from tests.integration.test_votes import ROLL, Election, new_election, ok, refused
from tests.support import LiveServer, open_table_in
from tests.unit.builders import EMPLOYER_CHIEF, UNION_CHIEF
from web.rebuild import rebuild

STEPS = [
    "VoteCalled",
    "ElectionOfficialsAppointed",
    "VoterRollImported",
    "VoterRollCertified",
    *["GuardianAnnounced"] * 3,
    *["GuardianSharesPosted"] * 3,
    *["GuardianSharesConfirmed"] * 3,
    "JointKeyPublished",
    "CredentialsIssued",
    "VoteOpened",
    "CredentialReissued",
    "BallotCast",
    "CredentialReissued",
    "BallotCast",  # two ballots in a row, one entry
    "VoteClosed",
    *["PartialDecryptionPosted"] * 2,
    "TallyCertified",
    "VoterDataPurged",
]


@pytest.fixture
def client(server: LiveServer):
    with httpx.Client(base_url=server.url, timeout=60) as c:
        yield c


def ids(election: Election) -> tuple[str, str]:
    parts = election.base.split("/")
    return parts[3], parts[5]


def chain(election: Election, headers: dict[str, str]) -> httpx.Response:
    negotiation_id, vote_id = ids(election)
    return election.client.get(
        f"/api/audit/votes/{vote_id}", params={"negotiation_id": negotiation_id}, headers=headers
    )


def a_whole_vote(client, negotiations, people) -> Election:
    election = new_election(client, negotiations, people, retention_days=0)
    election.codes["M1"] = ok(election.post("/credentials/M1/reissue"))["code"]
    ok(election.cast("M1", 0), 201)
    ok(election.post("/credentials/M9/reissue"))
    ok(election.cast("M2", 1), 201)
    ok(chain(election, election.lead))  # chained up to here: the run goes on at the next read
    ok(election.cast("M3", 0), 201)
    ok(election.post("/close", json={"reason": "every member on the roll has voted"}))
    context = election.context()
    for official in (election.officials[0], election.officials[2]):
        decrypt(client, election.base, official, context)
    ok(election.post("/certify"))
    ok(election.post("/purge"))
    return election


def test_every_step_of_a_vote_is_in_the_audit_history_on_a_chain_that_verifies(
    client, negotiations, people
):
    election = a_whole_vote(client, negotiations, people)
    negotiation_id, vote_id = ids(election)
    seen = ok(chain(election, election.union.headers))  # a team member of the negotiation
    assert [e["event_type"] for e in seen["entries"]] == STEPS
    by_type = {e["event_type"]: e for e in seen["entries"]}
    one, two = [e for e in seen["entries"] if e["event_type"] == "BallotCast"]
    assert one["count"] == 1 and one["description"].startswith("Ballot accepted, tracking code")
    assert two["count"] == 2 and two["description"].startswith("2 ballots accepted")
    record = ok(election.client.get(f"{election.base}/record"))
    receipts = [
        display_tracking_code(msgspec.convert(b["tracking_code"], bytes)) for b in record["ballots"]
    ]
    assert two["description"] == (
        f"2 ballots accepted, tracking codes {receipts[1]} to {receipts[2]}."
    )  # the run's first and last receipts, from the steps' phrases
    assert (two["first"], two["last"]) == (one["last"] + 2, one["last"] + 3)
    assert "every member on the roll has voted" in by_type["VoteClosed"]["description"]
    assert (
        "5 rows accepted (4 in good standing), 4 rejected"
        in (by_type["VoterRollImported"]["description"])
    )
    assert "yes 2, no 1, abstain 0. Outcome: ratified" in by_type["TallyCertified"]["description"]
    assert by_type["ElectionOfficialsAppointed"]["actor_name"] == "Uma Union"

    # Hangs from the negotiation's chain: its first link is the hash of the call's entry.
    called = ok(
        client.get(
            "/api/audit",
            params={"negotiation_id": negotiation_id, "type": "RatificationVoteCalled"},
            headers=election.union.headers,
        )
    )["entries"]
    assert seen["called_at"] == called[0]["position"]
    assert seen["anchor_hash"] == called[0]["hash"]
    verified = ok(
        client.get(
            f"/api/audit/votes/{vote_id}/verify",
            params={"negotiation_id": negotiation_id},
            headers=election.lead,
        )
    )
    assert verified["ok"] and verified["checked"] == verified["head_version"] == len(STEPS) + 1

    # Nothing on it names a member, a contact or a credential; days only, never a time.
    text = str(seen)
    members = re.findall(r"^(M\d),([^,]*),([^,]*)", ROLL, re.MULTILINE)
    words = [w for row in members for w in row if w] + list(election.codes.values())
    assert [w for w in words if w in text] == []
    assert all(e["first_at"].endswith("T00:00:00Z") for e in seen["entries"])

    # The page: the vote's section under the negotiation's entries, for those who may read it.
    page = client.get(
        "/audit", params={"negotiation_id": negotiation_id}, headers=election.union.headers
    )
    assert page.status_code == 200
    assert f'id="vote-{vote_id}"' in page.text and "2 ballots accepted" in page.text
    assert [w for w in words if w in page.text] == []
    # In Spanish, every step of the vote's chain too (the ballots' run counted, the tally's
    # options and outcome named in Spanish).
    spanish = client.get(
        "/audit",
        params={"negotiation_id": negotiation_id, "lang": "es"},
        headers=election.union.headers,
    ).text
    section = spanish.split(f'id="vote-{vote_id}"', 1)[1]
    assert "Votación de ratificación convocada:" in section
    assert "2 votos aceptados, códigos de seguimiento del" in section
    assert "Voto aceptado, código de seguimiento" in section
    assert "Recuento certificado: sí: 2, no: 1, abstención: 0. Resultado: ratificado." in section
    assert "Padrón electoral importado: 5 filas aceptadas (4 afiliados en regla)" in section
    assert "Ceremonia de claves: se publicó la clave electoral conjunta." in section
    assert english_leftovers(spanish) == []
    client.cookies.clear()  # the switch's choice, remembered
    public = client.get("/audit", params={"negotiation_id": negotiation_id})
    assert public.status_code == 200 and f'id="vote-{vote_id}"' not in public.text
    refused(chain(election, {}), 403, "not_permitted")
    own = client.get(f"/api/audit/votes/{vote_id}", headers=election.union.headers)
    assert ok(own)["negotiation_id"] == negotiation_id  # found from the vote when not named
    assert client.get(f"/api/audit/votes/{'0' * 32}").status_code == 404
    assert ok(chain(election, election.lead))["head_hash"] == seen["head_hash"]  # an official
    refused(chain(election, people(name="Someone Else").headers), 403, "not_permitted")


def test_a_vote_chained_before_phrases_keeps_its_english_steps_and_runs(
    client, negotiations, people, database: DatabaseConfig
):
    # given: a vote's steps as a log made before the phrases holds them (message NULL)
    election = a_whole_vote(client, negotiations, people)
    negotiation_id, vote_id = ids(election)
    phrased = ok(chain(election, election.lead))["entries"]
    with psycopg.connect(database.dsn(), autocommit=True) as conn:
        saved = conn.execute(
            "SELECT version, message FROM vote_audit_log WHERE vote_id = %s", (vote_id,)
        ).fetchall()
        conn.execute("UPDATE vote_audit_log SET message = NULL WHERE vote_id = %s", (vote_id,))
        try:
            # when
            legacy = ok(chain(election, election.lead))["entries"]
            spanish = client.get(
                "/audit",
                params={"negotiation_id": negotiation_id, "lang": "es"},
                headers=election.union.headers,
            ).text
        finally:
            with conn.cursor() as cur:
                cur.executemany(
                    "UPDATE vote_audit_log SET message = %s WHERE vote_id = %s AND version = %s",
                    [(message, vote_id, version) for version, message in saved],
                )
    # then: the same listing, the run of ballots named by its codes; the page in English
    assert [e["description"] for e in legacy] == [e["description"] for e in phrased]
    section = spanish.split(f'id="vote-{vote_id}"', 1)[1]
    assert "2 ballots accepted, tracking codes" in section
    assert "2 votos aceptados" not in section


def test_a_changed_vote_event_breaks_its_chain_at_that_step(
    client, negotiations, people, database: DatabaseConfig
):
    election = new_election(client, negotiations, people)
    ok(election.post("/close", json={"reason": "a reason that will be rewritten"}))
    negotiation_id, vote_id = ids(election)
    seen = ok(chain(election, election.lead))
    closed = next(e for e in seen["entries"] if e["event_type"] == "VoteClosed")["last"]

    def verify() -> dict[str, object]:
        return ok(  # type: ignore[no-any-return]
            client.get(
                f"/api/audit/votes/{vote_id}/verify",
                params={"negotiation_id": negotiation_id},
                headers=election.lead,
            )
        )

    def verify_page(lang: str) -> str:
        response = client.get(
            f"/audit/votes/{vote_id}/verify",
            params={"negotiation_id": negotiation_id, "lang": lang},
            headers=election.lead,
        )
        assert response.status_code == 200
        return response.text

    assert verify()["ok"]
    with psycopg.connect(database.dsn(), autocommit=True) as conn:
        (state,) = conn.execute(
            "SELECT state FROM votes_events WHERE originator_id = %s AND originator_version = %s",
            (UUID(vote_id), closed),
        ).fetchone() or (b"",)
        forged = bytes(state).replace(b"will be rewritten", b"was never given!!")
        assert forged != bytes(state)
        conn.execute(
            "UPDATE votes_events SET state = %s WHERE originator_id = %s "
            "AND originator_version = %s",
            (forged, UUID(vote_id), closed),
        )
        try:
            broken = verify()
            broken_pages = {lang: verify_page(lang) for lang in ("en", "es")}
        finally:
            conn.execute(
                "UPDATE votes_events SET state = %s WHERE originator_id = %s "
                "AND originator_version = %s",
                (state, UUID(vote_id), closed),
            )
    assert not broken["ok"] and broken["first_problem_version"] == closed
    assert "does not match its audit hash" in str(broken["problem"])
    assert verify()["ok"]
    # The page the audit history links to says it in the reader's language, where it failed.
    assert (
        f"This vote's chain did not verify: the first problem is at step {closed}."
        in (broken_pages["en"])
    )
    assert (
        f"La cadena de esta votación no se verificó: el primer problema está en el paso {closed}."
        in (broken_pages["es"])
    )
    # and what is wrong there, in the reader's language too
    assert f"event {closed} does not match its audit hash: the stored" in broken_pages["en"]
    assert (
        f"El evento {closed} de la votación no coincide con su hash de auditoría"
        in broken_pages["es"]
    )
    assert "does not match" not in broken_pages["es"]
    assert "La cadena de esta votación se verificó:" in verify_page("es")
    assert "This vote's chain verified:" in verify_page("en")
    back = f'href="/audit?negotiation_id={negotiation_id}#vote-{vote_id}"'
    assert back in verify_page("en")  # back to the vote's own section


# ------------------------------------------------------------------ kept as a projection
def chained_and_recorded(database: DatabaseConfig, vote_id: str) -> tuple[int, int]:
    """How far the vote's chain is stored, and how many events the vote has."""
    with psycopg.connect(database.dsn(), autocommit=True) as conn:
        (chained,) = conn.execute(
            "SELECT coalesce(max(version), 0) FROM vote_audit_log WHERE vote_id = %s",
            (UUID(vote_id).hex,),
        ).fetchone() or (0,)
        (recorded,) = conn.execute(
            "SELECT max(originator_version) FROM votes_events WHERE originator_id = %s",
            (UUID(vote_id),),
        ).fetchone() or (0,)
    return chained, recorded


def wait_chained(database: DatabaseConfig, vote_id: str, timeout: float = 60.0) -> int:
    """Until the projection writer has chained every event of the vote (nobody reading it)."""
    deadline = time.monotonic() + timeout
    while True:
        chained, recorded = chained_and_recorded(database, vote_id)
        if chained == recorded:
            return recorded
        if time.monotonic() > deadline:
            raise AssertionError(
                f"{chained} of the vote's {recorded} events chained in {timeout} s"
            )
        time.sleep(0.05)


def test_a_votes_steps_are_chained_as_they_are_recorded_with_no_read(
    client, negotiations, people, database: DatabaseConfig
):
    election = new_election(client, negotiations, people)
    ok(election.cast("M1", 0), 201)
    negotiation_id, vote_id = ids(election)
    # No audit route was read: the rows are there all the same, written by the projection writer.
    recorded = wait_chained(database, vote_id)
    assert recorded == len(STEPS[: STEPS.index("VoteOpened") + 1]) + 1
    seen = ok(chain(election, election.lead))
    assert seen["head_version"] == recorded
    assert [e["event_type"] for e in seen["entries"]][-2:] == ["VoteOpened", "BallotCast"]
    verified = ok(
        client.get(
            f"/api/audit/votes/{vote_id}/verify",
            params={"negotiation_id": negotiation_id},
            headers=election.lead,
        )
    )
    assert verified["ok"] and verified["checked"] == recorded


async def _copy_tables(source: DatabaseConfig, target: DatabaseConfig, tables: list[str]) -> None:
    """Rows as they are (notification ids included) from one database into the other's tables."""
    src = await asyncpg.connect(**source.asyncpg_kwargs())
    dst = await asyncpg.connect(**target.asyncpg_kwargs())
    try:
        for table in tables:
            buffer = io.BytesIO()
            await src.copy_from_table(table, output=buffer, format="binary")
            buffer.seek(0)
            await dst.copy_to_table(table, source=buffer, format="binary")
    finally:
        await src.close()
        await dst.close()


async def _vote_rows(config: DatabaseConfig, vote_id: str) -> list[tuple[object, ...]]:
    conn = await asyncpg.connect(**config.asyncpg_kwargs())
    try:
        rows = await conn.fetch(
            "SELECT * FROM vote_audit_log WHERE vote_id = $1 ORDER BY version", UUID(vote_id).hex
        )
        return [tuple(r) for r in rows]
    finally:
        await conn.close()


def test_negotiation_rebuild_gives_every_vote_the_same_chain(
    client, negotiations, people, database: DatabaseConfig
):
    # given: a whole vote, chained by the running server, and its event tables copied (as they
    # are) into a database of its own, with its chain there, damaged
    election = a_whole_vote(client, negotiations, people)
    _, vote_id = ids(election)
    wait_chained(database, vote_id)
    before = asyncio.run(_vote_rows(database, vote_id))
    assert len(before) == len(STEPS) + 1
    copy = database.with_dbname(f"vote_rebuild_{uuid.uuid4().hex[:8]}")
    ensure_database_exists(copy)
    try:
        Negotiations(env=copy.eventsourcing_env()).close()  # the event tables, empty
        Votes(env=copy.eventsourcing_env()).close()
        asyncio.run(_copy_tables(database, copy, ["negotiations_events", "votes_events"]))

        async def damaged_chain() -> None:
            pool = await asyncpg.create_pool(**copy.asyncpg_kwargs(), min_size=1, max_size=2)
            try:
                await Projector(pool).create_tables()
            finally:
                await pool.close()
            await _copy_tables(database, copy, ["vote_audit_log"])
            conn = await asyncpg.connect(**copy.asyncpg_kwargs())
            try:
                await conn.execute("UPDATE vote_audit_log SET description = 'forged'")
            finally:
                await conn.close()

        asyncio.run(damaged_chain())
        # when: `negotiation rebuild` (what the command runs)
        out = io.StringIO()
        asyncio.run(rebuild(copy, out))
        # then: the vote's chain, entry for entry, hash for hash
        assert asyncio.run(_vote_rows(copy, vote_id)) == before
        assert " vote events in " in out.getvalue()
    finally:
        drop_database(copy)


def test_a_read_after_a_thousand_ballots_hashes_none_of_them(
    client, negotiations, people, database: DatabaseConfig, monkeypatch: pytest.MonkeyPatch
):
    # given: an open vote with 1,000 ballots (one checked ballot cast 1,000 times straight on
    # the vote: its proofs once, not 1,000 times), chained in the background
    election = new_election(client, negotiations, people)
    _, vote_id = ids(election)
    context = election.context()
    command = c.CastBallot(ballot=msgspec.convert(make_submission(context, 0), BallotSubmission))
    checked = check_ballot(context, command.ballot)
    votes = Votes(env=database.eventsourcing_env())
    try:
        for _ in range(4):
            votes.act(
                UUID(vote_id),
                lambda v: [v.cast_ballot(VOTER, command, checked) for _ in range(250)],
            )
    finally:
        votes.close()
    recorded = wait_chained(database, vote_id)
    # when: the chain is read (the page too), with every hash counted
    hashed: list[int] = []

    def counted(*args: Any) -> bytes:
        hashed.append(args[1])
        return chain_hash(*args)

    monkeypatch.setattr(vote_projection, "chain_hash", counted)
    monkeypatch.setattr(audit_votes, "chain_hash", counted)
    seen = ok(chain(election, election.lead))
    negotiation_id, _ = ids(election)
    page = client.get("/audit", params={"negotiation_id": negotiation_id}, headers=election.lead)
    # then: what was stored is read, and nothing is hashed
    assert hashed == []
    assert seen["head_version"] == recorded
    last = seen["entries"][-1]
    assert (last["event_type"], last["count"]) == ("BallotCast", 1000)
    assert page.status_code == 200 and "1,000 ballots accepted" in page.text


async def test_a_failure_chaining_votes_does_not_hold_up_the_negotiations_projections(
    database: DatabaseConfig, caplog: pytest.LogCaptureFixture
):
    config = database.with_dbname(f"vote_chain_fails_{uuid.uuid4().hex[:8]}")
    await asyncio.to_thread(ensure_database_exists, config)
    app = await asyncio.to_thread(Negotiations, config.eventsourcing_env())
    pool = await asyncpg.create_pool(**config.asyncpg_kwargs(), min_size=1, max_size=2)
    try:
        await asyncio.to_thread(open_table_in, app, UNION_CHIEF, EMPLOYER_CHIEF, "Chains fail")
        projector = Projector(pool)
        await projector.create_tables()
        assert projector.vote_chains is not None

        async def broken(conn: asyncpg.Connection) -> int:
            raise RuntimeError("a vote event this code cannot read")

        projector.vote_chains.catch_up = broken  # type: ignore[method-assign]
        applied = await projector.catch_up()
        assert applied > 0 and await pool.fetchval("SELECT count(*) FROM board_docs") == 1
        assert "chaining the votes' events failed" in caplog.text
    finally:
        await pool.close()
        await asyncio.to_thread(app.close)
        await asyncio.to_thread(drop_database, config)
