"""Who sees what (DOMAIN.md), from the outside in: every GET route of the OpenAPI schema, every
page and every websocket feed, as every role, searched for the marker strings planted in the
world of role_matrix_world (drafts, notes, closed and members-only language, the roll, who
voted). A role may read a marker only if `World.allowed` names it.

One test per role crawls everything and fails on any marker it must not read, except the
leaks pinned below as strict xfails (each names the surface and the fix), so the crawl stays
green while those stay open and fails the day one is fixed without unpinning it.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect

from tests.integration.role_matrix_world import (
    ROLES,
    World,
    build_negotiation,
    build_votes,
    uuid_hex,
)
from tests.support import expect

SKIP_ROUTES = {
    "/api/audit/verify",  # recomputes the whole chain: no content of its own, and slow
}
GRAPHICS = ("lower-third", "ta-counter", "caucus", "clock", "reactions", "speaker")
CONSOLE_PARTS = "negotiation,session,notes,packages,team"


@pytest.fixture(scope="module")
async def world(server, http_module, people_module, negotiations) -> World:
    made = await build_negotiation(server, http_module, people_module)
    with httpx.Client(base_url=server.url, timeout=120) as client:
        await asyncio.to_thread(build_votes, client, negotiations, made, people_module)
    return made


@pytest.fixture(scope="module")
async def schema(http_module) -> dict[str, Any]:
    response = await http_module.get("/schema/openapi.json")
    assert response.status_code == 200
    return response.json()


def _fill(template: str, world: World) -> list[str]:
    """Every concrete path of a route template over the world's ids."""
    names = re.findall(r"{([^}:]+)(?::[^}]*)?}", template)
    template = re.sub(r"{([^}:]+):[^}]*}", r"{\1}", template)
    if "negotiation_id" not in names:
        if names:
            return []  # /api/auth/tokens/{token_id}: one's own
        return [template]
    paths = []
    for nid in world.negotiation_ids:
        choices: dict[str, list[str]] = {"negotiation_id": [nid]}
        choices["article_id"] = world.articles.get(nid, [])
        choices["session_id"] = world.sessions.get(nid, [])
        choices["vote_id"] = [v for n, v in world.votes.values() if n == nid]
        choices["graphic"] = list(GRAPHICS)
        choices["number"] = ["1"]
        choices["offer_id"] = choices["token_id"] = choices["draft_id"] = []
        partial = [template]
        for name in names:
            partial = [p.replace("{" + name + "}", v) for p in partial for v in choices[name]]
        paths += partial
    return paths


def surfaces(world: World, schema: dict[str, Any]) -> list[str]:
    """Every GET of the schema over the world's ids, the `to` of a redline for each visible
    or invisible proposal, every page; and the same with `after` where a board is read."""
    paths: list[str] = []
    for template, methods in schema["paths"].items():
        if "get" not in methods or template in SKIP_ROUTES or template.startswith("/schema"):
            continue
        for path in _fill(template, world):
            if path.endswith("/redline"):
                nid = path.split("/")[3]
                article = path.split("/")[5]
                paths += [f"{path}?to={p}" for p in world.proposals[nid][article]]
            else:
                paths.append(path)
    n = world.negotiation_id
    paths += [f"/api/audit?negotiation_id={nid}" for nid in world.negotiation_ids]
    paths += [f"/api/audit/export.jsonl?negotiation_id={nid}" for nid in world.negotiation_ids]
    paths += [f"/api/audit/export.csv?negotiation_id={nid}" for nid in world.negotiation_ids]
    paths += [
        "/",
        "/audit",
        "/console",
        f"/console/{n}",
        f"/console/{n}/parts?names="
        + ",".join([CONSOLE_PARTS] + [f"article:{a}" for a in world.articles[n]]),
    ]
    paths += [f"/audit?negotiation_id={nid}" for nid in world.negotiation_ids]
    for nid in world.negotiation_ids:
        for sid in world.sessions[nid]:
            paths.append(f"/negotiations/{nid}/sessions/{sid}")
            paths += [
                f"/negotiations/{nid}/sessions/{sid}/bulletins/{k}"
                for k in range(world.bulletins.get(sid, 0))  # numbered from 0
            ]
        paths += [f"/negotiations/{nid}/articles/{a}" for a in world.articles[nid]]
        paths += [f"/overlays/{nid}/{g}" for g in GRAPHICS]
        paths.append(f"/producer/{nid}")
    for nid, vid in world.votes.values():
        for page in ("ballot", "prepare", "officials", "roll", "results"):
            paths.append(f"/negotiations/{nid}/votes/{uuid_hex(vid)}/{page}")
        paths.append(f"/audit/votes/{vid}/verify?negotiation_id={nid}")
    return paths


async def _read(http: httpx.AsyncClient, path: str, headers: dict[str, str]) -> str:
    response = await http.get(path, headers=headers)
    assert response.status_code < 500, (path, response.status_code, response.text[:300])
    return response.text


async def _frames(port: int, query: str, nid: str, headers: dict[str, str]) -> str:
    """Every frame a feed sends until it has been quiet for a moment."""
    url = f"ws://127.0.0.1:{port}/ws/negotiations/{nid}/?{query}"
    frames = []
    async with connect(url, additional_headers=headers, max_size=None) as socket:
        while True:
            try:
                frames.append(str(await asyncio.wait_for(socket.recv(), 0.3)))
            except (TimeoutError, Exception):
                break
    return "\n".join(frames)


def feeds(world: World) -> list[tuple[str, str]]:
    queries = []
    for nid in world.negotiation_ids:
        for query in ["feed=board", "feed=overlay"] + [
            f"feed=session&session_id={s}" for s in world.sessions[nid]
        ]:
            queries += [(nid, query), (nid, query + "&after=0")]
    return queries


async def crawl(server, http, world: World, schema, role: str) -> dict[str, str]:
    """surface → everything the role received there (a few requests at a time)."""
    headers = world.headers[role]
    gate = asyncio.Semaphore(6)

    async def one(surface: str, read: Any) -> tuple[str, str]:
        async with gate:
            return surface, await read

    reads = [one(path, _read(http, path, headers)) for path in surfaces(world, schema)]
    reads += [
        one(f"ws {nid} {query}", _frames(server.port, query, nid, headers))
        for nid, query in feeds(world)
    ]
    return dict(await asyncio.gather(*reads))


# Leaks found by this crawl, pinned as strict xfails below: (role-free) surface pattern, marker
# name pattern. The crawl test leaves these to them.
KNOWN_LEAKS: list[tuple[str, str]] = []


def _leaks(world: World, seen: dict[str, str], role: str) -> list[tuple[str, str]]:
    found = []
    for surface, body in seen.items():
        for name, marker in world.markers.items():
            known = any(re.search(s, surface) and re.search(m, name) for s, m in KNOWN_LEAKS)
            if marker in body and role not in world.allowed[marker] and not known:
                found.append((surface, name))
    return found


@pytest.fixture(scope="module")
async def crawled(server, http_module, world, schema) -> dict[str, dict[str, str]]:
    return {role: await crawl(server, http_module, world, schema, role) for role in ROLES}


@pytest.mark.parametrize("role", ROLES)
async def test_no_role_reads_a_marker_it_may_not(world, crawled, role):
    leaks = _leaks(world, crawled[role], role)
    assert not leaks, "\n".join(f"{surface}: {name}" for surface, name in leaks)


@pytest.mark.parametrize("role", ROLES)
async def test_each_role_reads_the_markers_it_may(world, crawled, role):
    """The positive side: every marker a role may read reaches it somewhere (so a crawl that
    read nothing would not pass for a clean one)."""
    everything = "\n".join(crawled[role].values())
    missing = [
        name
        for name, marker in world.markers.items()
        if role in world.allowed[marker] and marker not in everything and name not in world.optional
    ]
    assert not missing, missing


# ------------------------------------------------------------------ votes
TOTALS = re.compile(r'"counts"\s*:\s*\{\s*"|"result"\s*:\s*\[\s*\d|class="totals"')


def _about_vote(world: World, vote: str, seen: dict[str, str]) -> dict[str, str]:
    nid, vid = world.votes[vote]
    return {s: body for s, body in seen.items() if nid in s or vid in s or uuid_hex(vid) in s}


@pytest.mark.parametrize("role", ROLES)
async def test_vote_totals_reach_only_officials_before_certification(world, crawled, role):
    """Vote totals: the officials at close, everyone after certification (DOMAIN.md)."""
    decrypted = _about_vote(world, "Vdec", crawled[role])
    showing = sorted(s for s, body in decrypted.items() if TOTALS.search(body))
    if role == "official":
        assert any(s.endswith("/results") for s in showing), showing
    else:
        assert showing == []
    certified = _about_vote(world, "Vcert", crawled[role])
    assert any(TOTALS.search(body) for s, body in certified.items() if s.endswith("/results"))


@pytest.mark.parametrize("role", ["public", "outsider", "member", "official"])
async def test_the_ballot_page_keeps_closed_language_from_who_may_not_read_it(
    world, http_module, role
):
    nid, vid = world.votes["Vopen"]
    page = await http_module.get(
        f"/negotiations/{nid}/votes/{uuid_hex(vid)}/ballot", headers=world.headers[role]
    )
    assert page.status_code == 200
    assert world.markers["VopenClosedTA"] not in page.text
    assert "shown once you enter your voting code" in page.text


@pytest.mark.parametrize("role", ROLES)
async def test_a_member_on_the_roll_reads_all_the_document_with_their_credential(
    world, http_module, role
):
    """Whoever asks (signed in as anyone, or not at all), the credential opens the whole TA:
    the members vote on exactly that text; a code not on the roll opens nothing."""
    nid, vid = world.votes["Vopen"]
    path = f"/api/negotiations/{nid}/votes/{vid}/document"
    headers = world.headers[role]
    voter = await http_module.post(path, headers=headers, json={"credential": world.codes["M4"]})
    assert voter.status_code == 200, voter.text
    assert world.markers["VopenClosedTA"] in voter.text
    assert voter.json()["withheld"] == 0
    stranger = await http_module.post(path, headers=headers, json={"credential": "ABCD-EFGH"})
    assert stranger.status_code == 403 and stranger.json()["rule"] == "not_on_roll"
    assert world.markers["VopenClosedTA"] not in stranger.text
    shown = await http_module.get(path, headers=headers)
    assert shown.status_code == 200
    chief = role in world.allowed[world.markers["VopenClosedTA"]]
    assert (world.markers["VopenClosedTA"] in shown.text) == chief
    assert shown.json()["document_hash"] == voter.json()["document_hash"]


@pytest.mark.parametrize("role", ROLES)
async def test_the_document_pdf_follows_the_same_rule_as_the_ballot_page(world, http_module, role):
    """Its text, parsed: closed language only for who may read it, or with a credential."""
    from tests.integration.test_vote_document import pdf_text

    nid, vid = world.votes["Vopen"]
    path = f"/negotiations/{nid}/votes/{uuid_hex(vid)}/document.pdf"
    marker = world.markers["VopenClosedTA"]
    shown = await http_module.get(path, headers=world.headers[role])
    assert shown.status_code == 200
    assert (marker in pdf_text(shown.content)) == (role in world.allowed[marker])
    voter = await http_module.post(
        path, headers=world.headers[role], json={"credential": world.codes["M2"]}
    )
    assert voter.status_code == 200 and marker in pdf_text(voter.content)
    stranger = await http_module.post(
        path, headers=world.headers[role], json={"credential": "ABCD-EFGH"}
    )
    assert stranger.status_code == 403 and stranger.json()["rule"] == "not_on_roll"


@pytest.mark.parametrize("role", ROLES)
async def test_credential_letters_are_for_the_votes_officials_only(world, http_module, role):
    """POST …/credentials/letters.pdf with the saved credentials CSV: the letter (with the
    member's name from the roll, a marker only officials read) for the officials alone."""
    from tests.integration.test_credential_letters import flat, pdf_text

    nid, vid = world.votes["Vopen"]
    base = str(http_module.base_url).rstrip("/")
    code = world.codes["M4"]  # the member who has not voted
    link = f"{base}/negotiations/{nid}/votes/{uuid_hex(vid)}/ballot#credential={code}"
    text = f"member_id,name,email,phone,language,worksite,code,link\nM4,,,,en,,{code},{link}\n"
    response = await http_module.post(
        f"/api/negotiations/{nid}/votes/{vid}/credentials/letters.pdf",
        headers=world.headers[role],
        json={"csv": text},
    )
    if role == "official":
        assert response.status_code == 200, response.text
        letter = pdf_text(response.content)
        assert world.markers["VopenNotVoted4"] in letter and link in flat(letter)
    else:
        assert response.status_code in (401, 403), (role, response.status_code)
        assert "pdf" not in response.headers.get("content-type", "")


@pytest.mark.parametrize("role", ["outsider", "member"])
async def test_turnout_does_not_tell_who_voted_through_a_group_of_one(world, http_module, role):
    nid, vid = world.votes["Vopen"]
    turnout = await http_module.get(
        f"/api/negotiations/{nid}/votes/{vid}/turnout", headers=world.headers[role]
    )
    assert turnout.status_code == 200, turnout.text
    groups = turnout.json()["by_worksite"] + turnout.json()["by_classification"]
    assert all(g["roll"] >= 2 for g in groups), groups


async def test_a_member_reads_own_status_only(world, http_module):
    """Who voted: a member, their own status (by credential), and no one else's."""
    nid, vid = world.votes["Vopen"]
    base = f"/api/negotiations/{nid}/votes/{vid}"
    for member, voted in (("M1", True), ("M4", False)):
        status = await http_module.post(
            f"{base}/my-status", json={"credential": world.codes[member]}
        )
        assert status.status_code == 200 and status.json() == {"voted": voted}
    for role in ("public", "member", "union_chief", "admin"):
        for path in ("/participation", "/not-voted.csv"):
            response = await http_module.get(base + path, headers=world.headers[role])
            assert response.status_code in (401, 403), (role, path, response.status_code)


@pytest.mark.parametrize("role", ROLES)
async def test_the_ceremonys_complaint_round_is_for_the_officials_only(world, http_module, role):
    """Confirming, challenging and revealing a share: refused to anyone but an official (403 or
    401), and to an official once the key is published (409)."""
    nid, vid = world.votes["Vopen"]
    base = f"/api/negotiations/{nid}/votes/{vid}/ceremony"
    share = {"recipient": 2, "share": "A" * 43 + "="}
    for path, body in (("/confirm", None), ("/challenge", {"sender": 2}), ("/reveal", share)):
        response = await http_module.post(base + path, json=body, headers=world.headers[role])
        expected = (409,) if role == "official" else (401, 403)
        assert response.status_code in expected, (role, path, response.status_code)
        assert response.json()["detail"].strip()


# ------------------------------------------------------------------ cards in a closed session
async def test_cards_in_a_closed_session_reach_only_the_teams(server, world):
    """Reactions are a session's content: in the closed session now running, a team member's
    card counts, and only the teams' feeds show the meter."""
    from tests.cards_support import CardViewer, meter_reads

    def url() -> str:
        return f"ws://127.0.0.1:{server.port}/ws/negotiations/{world.negotiation_id}/?feed=board"

    holder = CardViewer(url(), headers=world.headers["union_team"])
    await holder.open()
    await holder.receive()
    await holder.hold("red")
    await holder.receive_until(meter_reads(1, 0), timeout=20)
    try:
        for role in ("public", "member", "facilitator", "employer_team"):
            viewer = CardViewer(url(), headers=world.headers[role])
            await viewer.open()
            await viewer.receive()
            await viewer.drain(0.3)
            await viewer.close()
            if role == "employer_team":
                assert viewer.counts() == (1, 0), role
            else:
                assert viewer.counts() in (None, (0, 0)), (role, viewer.counts())
    finally:
        await holder.hold(None)
        await holder.close()


# ------------------------------------------------------------------ feeds already open
async def _open_feed(server, nid: str, headers: dict[str, str]):
    socket = await connect(
        f"ws://127.0.0.1:{server.port}/ws/negotiations/{nid}/?feed=board",
        additional_headers=headers,
        max_size=None,
    )
    first = await asyncio.wait_for(socket.recv(), 10)
    return socket, str(first)


async def _rest(socket) -> str:
    frames = []
    while True:
        try:
            frames.append(str(await asyncio.wait_for(socket.recv(), 1.0)))
        except Exception:
            return "\n".join(frames)


@pytest.mark.parametrize("how", ["removed", "signed out"])
async def test_a_feed_opened_on_the_team_stops_carrying_team_data_when_its_viewer_leaves(
    server, http_module, people_module, world, how
):
    """A team member's board feed, open when they are removed from the team (or sign out):
    what the team drafts afterwards must not reach it."""
    http, nid = http_module, world.negotiation_id
    base = f"/api/negotiations/{nid}"
    person = people_module(name="Lee Leaving")
    await expect(
        await http.post(
            f"{base}/team",
            headers=world.union.headers,
            json={"username": person.username, "party": "union"},
        ),
        201,
    )
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as browser:
        login = await browser.post(
            "/api/auth/login", json={"username": person.username, "password": person.password}
        )
        headers = {"Cookie": f"negotiation_session={(await expect(login, 200))['token']}"}
        socket, snapshot = await _open_feed(server, nid, headers)
        control, _ = await _open_feed(server, nid, world.headers["union_team"])
        try:
            assert world.markers["UnionNote"] in snapshot  # on the team: it sees the team's
            if how == "removed":
                await expect(
                    await http.post(
                        f"{base}/team/{person.account_id}/remove", headers=world.union.headers
                    ),
                    200,
                )
            else:
                await expect(await browser.post("/api/auth/logout", headers=headers), 200)
            secret = f"MKafter-{how}-{uuid.uuid4().hex[:8]}"
            note = {"text": secret}
            await expect(
                await http.post(f"{base}/notes", headers=world.union.headers, json=note), 201
            )
            assert secret in await _rest(control)  # the team's feed carries it
            assert secret not in await _rest(socket)
        finally:
            await socket.close()
            await control.close()
