"""The world the role matrix crawls: one negotiation with every kind of secret in it, three
ratification votes (open, closed and decrypted, certified), and a signed-in person for every
role. Each secret is a marker string; `World.allowed[marker]` names the roles that may read it
(DOMAIN.md, "Who sees what").

Negotiation N (unit UNIT): an open, a members-only and a closed session, and one that was
closed and then opened after a proposal was tabled in it; a proposal and a bulletin in each;
drafts and notes of both teams (also a draft of a team member who was removed later); cards
held in the open session. Votes V_open, V_decrypted, V_certified each on their own whole TA,
whose article was agreed in a closed session; the roll names voters and non-voters.
"""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import httpx

from negotiation.application import Negotiations
from negotiation.domain.ground_rules import GroundRules
from negotiation.voting.client import Official, context_from, decrypt, make_submission, run_ceremony
from tests.cards_support import CardViewer, meter_reads
from tests.support import (
    LiveServer,
    Person,
    PersonFactory,
    Table,
    add_to_team,
    expect,
    open_article,
)
from web.dependencies import SESSION_COOKIE

UNIT = f"Role Matrix Unit {uuid.uuid4().hex[:6]}"
OTHER_UNIT = f"Other Unit {uuid.uuid4().hex[:6]}"

UNION_TEAM = ("union_chief", "union_team")
EMPLOYER_TEAM = ("employer_chief", "employer_team")
TEAMS = UNION_TEAM + EMPLOYER_TEAM
MEMBERS_SEE = (*TEAMS, "member", "facilitator", "admin")
ROLES = (
    "public",
    "outsider",
    "member",
    "union_chief",
    "union_team",
    "employer_chief",
    "employer_team",
    "facilitator",
    "admin",
    "official",
    "removed",
    "signed_out",
)


def mark(name: str) -> str:
    return f"MK{name}{uuid.uuid4().hex[:8]}"


@dataclass
class World:
    negotiation_id: str = ""
    headers: dict[str, dict[str, str]] = field(default_factory=dict)
    allowed: dict[str, tuple[str, ...]] = field(default_factory=dict)
    markers: dict[str, str] = field(default_factory=dict)  # name → marker string
    articles: dict[str, list[str]] = field(default_factory=dict)  # negotiation → article ids
    sessions: dict[str, list[str]] = field(default_factory=dict)  # negotiation → session ids
    proposals: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # n → a → ids
    bulletins: dict[str, int] = field(default_factory=dict)  # session id → count
    votes: dict[str, tuple[str, str]] = field(default_factory=dict)  # name → (n id, vote id)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)  # vote name → counts
    codes: dict[str, str] = field(default_factory=dict)  # member id → credential (V_open)

    union: Any = None  # the chiefs (Person) of every negotiation here
    employer: Any = None
    optional: set[str] = field(default_factory=set)  # markers no surface need show

    def plant(self, name: str, roles: tuple[str, ...], *, lower: bool = False) -> str:
        marker = mark(name).lower() if lower else mark(name)
        self.markers[name] = marker
        self.allowed[marker] = roles
        return marker

    @property
    def negotiation_ids(self) -> list[str]:
        return [self.negotiation_id] + [n for n, _ in self.votes.values()]


async def _post(http: Any, path: str, headers: dict[str, str], body: Any, status: int) -> Any:
    return await expect(await http.post(path, headers=headers, json=body), status)


async def _session(http: Any, world: World, base: str, chief: Person, visibility: str, where: str):
    session = await _post(
        http,
        f"{base}/sessions",
        chief.headers,
        {"visibility": visibility, "location": where, "starts_at": "2026-12-01T16:00:00+00:00"},
        201,
    )
    await _post(http, f"{base}/sessions/{session['id']}/open", chief.headers, None, 200)
    world.sessions[world.negotiation_id].append(session["id"])
    return session["id"]


async def _article(http: Any, world: World, table: Any, number: str, session_id: str) -> str:
    article = await open_article(http, table, number=number, title=f"Subject {number}")
    await _post(
        http,
        f"{table.base}/sessions/{session_id}/table",
        table.union.headers,
        {"article_id": article["id"]},
        200,
    )
    world.articles[world.negotiation_id].append(article["id"])
    world.proposals[world.negotiation_id][article["id"]] = []
    return str(article["id"])


async def _table(
    http: Any, world: World, base: str, who: Person, article_id: str, text: str, **kw: Any
) -> str:
    made = await _post(
        http,
        f"{base}/articles/{article_id}/proposals",
        who.headers,
        {"text": text, **kw},
        201,
    )
    world.proposals[world.negotiation_id][article_id].append(made["id"])
    return str(made["id"])


async def _bulletin(http: Any, world: World, base: str, chief: Person, sid: str, text: str):
    await _post(http, f"{base}/sessions/{sid}/bulletins", chief.headers, {"text": text}, 201)
    world.bulletins[sid] = world.bulletins.get(sid, 0) + 1


async def build_negotiation(server: LiveServer, http: Any, people: PersonFactory) -> World:
    world = World()
    union, employer = people(name="Uma Union"), people(name="Eli Employer")
    union_team, employer_team = people(name="Ulla Team"), people(name="Emil Team")
    removed, leaver = people(name="Rhea Removed"), people(name="Sid Signedout")
    admin, facilitator = people(is_admin=True), people(name="Fay Facilitator")
    created = await _post(
        http,
        "/api/negotiations",
        union.headers,
        {
            "title": f"Matrix contract {uuid.uuid4().hex[:6]}",
            "kind": "collective_bargaining",
            "bargaining_unit": UNIT,
            "union_name": "Educators Association",
            "employer_name": "Unified School District",
            "my_party": "union",
            "other_chief_username": employer.username,
        },
        201,
    )
    nid = world.negotiation_id = created["id"]
    world.articles[nid], world.sessions[nid], world.proposals[nid] = [], [], {}
    base = f"/api/negotiations/{nid}"
    offer = await _post(http, f"{base}/ground-rules", union.headers, {}, 201)
    await _post(http, f"{base}/ground-rules/{offer['id']}/agree", employer.headers, {}, 200)

    table = Table(nid, union, employer, session_id="")  # sessions come below
    for person, party in (
        (union_team, "union"),
        (removed, "union"),
        (leaver, "union"),
        (employer_team, "employer"),
    ):
        await add_to_team(http, table, person, party)
    await _post(
        http, f"{base}/facilitators", admin.headers, {"username": facilitator.username}, 201
    )

    # The open session: a proposal, a counter, cards held, a bulletin.
    sid = await _session(http, world, base, union, "open", "Open hall")
    a_open = await _article(http, world, table, "1", sid)
    first = await _table(http, world, base, union_team, a_open, world.plant("OpenProp", ROLES))
    await _table(
        http, world, base, employer, a_open, world.plant("OpenCounter", ROLES), answers=first
    )
    await _hold_cards(server, nid)
    await _bulletin(http, world, base, union, sid, world.plant("OpenBulletin", ROLES))
    await _post(http, f"{base}/sessions/{sid}/close", union.headers, None, 200)

    # The members-only session.
    sid = await _session(
        http, world, base, union, "members", world.plant("MembersRoom", MEMBERS_SEE)
    )
    a_members = await _article(http, world, table, "2", sid)
    await _table(http, world, base, union, a_members, world.plant("MembersProp", MEMBERS_SEE))
    await _bulletin(http, world, base, union, sid, world.plant("MembersBulletin", MEMBERS_SEE))
    await _post(http, f"{base}/sessions/{sid}/close", union.headers, None, 200)

    # Closed, then opened after a proposal was tabled: the closed part stays with the teams.
    sid = await _session(http, world, base, union, "closed", "Switch room")
    a_switch = await _article(http, world, table, "3", sid)
    first = await _table(http, world, base, union, a_switch, world.plant("SwitchClosed", TEAMS))
    await expect(
        await http.put(
            f"{base}/sessions/{sid}/visibility", headers=union.headers, json={"visibility": "open"}
        ),
        200,
    )
    await _table(
        http, world, base, employer, a_switch, world.plant("SwitchOpen", ROLES), answers=first
    )
    await _post(http, f"{base}/sessions/{sid}/close", union.headers, None, 200)

    # The closed session, left running (on the table: its article).
    sid = await _session(http, world, base, union, "closed", world.plant("ClosedRoom", TEAMS))
    a_closed = await _article(http, world, table, "4", sid)
    await _table(http, world, base, employer_team, a_closed, world.plant("ClosedProp", TEAMS))
    await _bulletin(http, world, base, union, sid, world.plant("ClosedBulletin", TEAMS))
    # Its producer puts a speaker on air: the closed session's, so the teams' alone.
    speaker = {"name": world.plant("ClosedSpeaker", TEAMS), "title": "Chair"}
    await _post(http, f"{base}/sessions/{sid}/speaker", union_team.headers, speaker, 200)

    # Drafts and notes: own party only.
    for who, party, team in (
        (union_team, "Union", UNION_TEAM),
        (employer_team, "Employer", EMPLOYER_TEAM),
        (removed, "Removed", UNION_TEAM),
    ):
        await _post(
            http,
            f"{base}/drafts",
            who.headers,
            {"article_id": a_open, "text": world.plant(f"{party}Draft", team)},
            201,
        )
        await _post(
            http, f"{base}/notes", who.headers, {"text": world.plant(f"{party}Note", team)}, 201
        )
    await _post(http, f"{base}/team/{removed.account_id}/remove", union.headers, None, 200)

    # Signed out: a union team member's browser session, after signing out.
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as browser:
        login = await browser.post(
            "/api/auth/login", json={"username": leaver.username, "password": leaver.password}
        )
        cookie = f"{SESSION_COOKIE}={(await expect(login, 200))['token']}"
        assert (await browser.get("/api/auth/me", headers={"Cookie": cookie})).status_code == 200
        await expect(await browser.post("/api/auth/logout", headers={"Cookie": cookie}), 200)

    world.headers = {
        "public": {},
        "outsider": people(units=(OTHER_UNIT,)).headers,
        "member": people(units=(UNIT,), name="Mo Member").headers,
        "union_chief": union.headers,
        "union_team": union_team.headers,
        "employer_chief": employer.headers,
        "employer_team": employer_team.headers,
        "facilitator": facilitator.headers,
        "admin": admin.headers,
        "removed": removed.headers,
        "signed_out": {"Cookie": cookie},
    }
    world.union, world.employer = union, employer
    return world


async def _hold_cards(server: LiveServer, negotiation_id: str) -> None:
    url = f"ws://127.0.0.1:{server.port}/ws/negotiations/{negotiation_id}/?feed=board"
    viewer = CardViewer(url, headers={"Cookie": f"viewer_id={uuid.uuid4().hex}"})
    await viewer.open()
    await viewer.receive()
    await viewer.hold("green")
    await viewer.receive_until(meter_reads(0, 1), timeout=20)
    await viewer.close()


# ------------------------------------------------------------------ the votes
def _roll(world: World, vote: str) -> tuple[str, list[str]]:
    """A roll whose names and e-mail addresses are markers only officials may read: M1..M3
    vote, M4 does not; M5 alone at its worksite."""
    officials = ("official",)
    rows = ["member_id,name,email,phone,worksite,classification,language,good_standing"]
    voters = []
    for i in range(1, 6):
        voted = i != 4
        name = world.plant(f"{vote}{'Voter' if voted else 'NotVoted'}{i}", officials)
        email = world.plant(f"{vote}mail{i}", officials, lower=True) + "@example.org"
        if voted:  # only the not-voted list (for reminders) carries contact data
            world.optional.add(f"{vote}mail{i}")
        site = "Solo site" if i == 5 else "North"
        rows.append(f"M{i},{name},{email},,{site},Teacher,en,yes")
        if voted:
            voters.append(f"M{i}")
    return "\n".join(rows) + "\n", voters


def _whole_ta(app: Negotiations, world: World, union: Person, employer: Person, vote: str) -> str:
    """A negotiation of the unit whose one article was agreed in a closed session."""
    nid = app.open_negotiation(
        union.actor,
        title=f"Vote {vote}",
        kind="collective_bargaining",
        bargaining_unit=UNIT,
        union_name="Union",
        employer_name="District",
        opener_party="union",
        other_chief=employer.actor,
    )
    offer = app.propose_ground_rules(nid, union.actor, rules=GroundRules())
    app.agree_ground_rules(nid, employer.actor, offer_id=offer)
    sid = app.schedule_session(
        nid,
        union.actor,
        title="",
        visibility="closed",
        location="Back room",
        starts_at=datetime.now(UTC),
    )
    app.open_session(nid, employer.actor, session_id=sid)
    article = app.open_article(nid, union.actor, number="9", title="Wages", category="economic")
    text = world.plant(f"{vote}ClosedTA", ("union_chief", "employer_chief"))
    proposal = app.table_proposal(nid, union.actor, article_id=article, text=text)
    for chief in (union, employer):
        app.sign_ta(nid, chief.actor, article_id=article, proposal_id=proposal)
    app.close_session(nid, union.actor, session_id=sid)
    key = str(nid)
    world.articles[key], world.sessions[key] = [str(article)], [str(sid)]
    world.proposals[key] = {str(article): [str(proposal)]}
    return key


def build_votes(
    client: httpx.Client, app: Negotiations, world: World, people: PersonFactory
) -> None:
    union, employer = world.union, world.employer
    official_people = [people(name=f"Official {i}") for i in (1, 2)]
    world.headers["official"] = official_people[0].headers
    for vote, stage in (("Vopen", "open"), ("Vdec", "decrypted"), ("Vcert", "certified")):
        nid = _whole_ta(app, world, union, employer, vote)
        base = f"/api/negotiations/{nid}/votes"
        now = datetime.now(UTC)
        created = _ok(
            client.post(
                f"{base}/",
                headers=union.headers,
                json={
                    "question": f"Ratify {vote}?",
                    "options": ["yes", "no", "abstain"],
                    "opens_at": (now - timedelta(minutes=5)).isoformat(),
                    "closes_at": (now + timedelta(days=2)).isoformat(),
                },
            ),
            201,
        )
        vid = created["id"]
        vbase = f"{base}/{vid}"
        officials = [Official(headers=p.headers) for p in official_people]
        _ok(
            client.put(
                f"{vbase}/officials",
                headers=union.headers,
                json={
                    "officials": [
                        {"account_id": p.account_id, "name": p.display_name}
                        for p in official_people
                    ],
                    "quorum": 2,
                },
            )
        )
        lead = officials[0].headers
        roll, voters = _roll(world, vote)
        _ok(client.post(f"{vbase}/roll.csv", headers=lead, json={"csv": roll}))
        _ok(client.post(f"{vbase}/roll/certify", headers=lead))
        run_ceremony(client, vbase, officials)
        credentials = client.post(f"{vbase}/credentials", headers=lead).text
        codes = {r["member_id"]: r["code"] for r in csv.DictReader(io.StringIO(credentials))}
        _ok(client.post(f"{vbase}/open", headers=lead))
        context = context_from(_ok(client.get(f"{vbase}/ballot")))
        choices = dict(zip(voters, (0, 0, 1, 2), strict=True))  # yes, yes, no, abstain
        for member, choice in choices.items():
            body = {"credential": codes[member], "ballot": make_submission(context, choice)}
            _ok(client.post(f"{vbase}/ballots", json=body), 201)
        world.votes[vote] = (nid, vid)
        world.counts[vote] = {"yes": 2, "no": 1, "abstain": 1}
        if stage == "open":
            world.codes = codes
            continue
        _ok(client.post(f"{vbase}/close", headers=lead, json={"reason": "matrix"}))
        for official in officials:
            decrypt(client, vbase, official, context)
        if stage == "certified":
            _ok(client.post(f"{vbase}/certify", headers=lead))


def _ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, (response.status_code, response.text)
    return response.json()


def uuid_hex(value: str) -> str:
    return UUID(value).hex
