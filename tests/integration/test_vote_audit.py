"""A ratification vote's steps in the audit history: every step, its own hash chain hanging from
the negotiation's entry that called the vote, verifiable, tamper-evident, and nothing on it that
links a member to a ballot."""

from __future__ import annotations

import re
from uuid import UUID

import httpx
import psycopg
import pytest

from negotiation.database import DatabaseConfig
from negotiation.voting.client import decrypt
from tests.integration.test_audit import english_leftovers
from tests.integration.test_votes import ROLL, Election, new_election, ok, refused
from tests.support import LiveServer

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
        finally:
            conn.execute(
                "UPDATE votes_events SET state = %s WHERE originator_id = %s "
                "AND originator_version = %s",
                (state, UUID(vote_id), closed),
            )
    assert not broken["ok"] and broken["first_problem_version"] == closed
    assert "does not match its audit hash" in str(broken["problem"])
    assert verify()["ok"]
