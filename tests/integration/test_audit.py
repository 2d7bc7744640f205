"""The audit history: every event in order, attributed and described, filtered by who may see
it, exported in full, and a hash chain that exposes tampering with the stored events."""

from __future__ import annotations

import asyncio
import csv
import hashlib
import io
import json
import re
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import asyncpg
import pytest

from negotiation.application import Negotiations
from negotiation.database import DatabaseConfig, drop_database, ensure_database_exists
from negotiation.domain.ground_rules import GroundRules
from projections import audit
from projections.audit import chain_head, verify_chain
from projections.audit import projection as audit_projection
from projections.runner import Projector, default_projections
from tests.support import LiveServer, Person, expect, run_cli

UNIT = "Audit Unit"
SECRET = "Settle at 26 if they move on prep time"
STARTS = datetime(2026, 11, 24, 16, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Scene:
    negotiation_id: str
    union: Person
    employer: Person
    member: Person  # on the union team
    unit_member: Person
    outsider: Person
    open_session: str
    turned_closed: str  # opened to the public, then made closed mid-way
    class_size: str  # article 9, bargained in the open session
    health: str  # article 11, bargained in the session that went closed
    positions: list[int]  # every event of the negotiation, in order


def _record(app: Negotiations, union: Person, employer: Person, member: Person) -> tuple[Any, ...]:
    """One negotiation: an open session with drafts, notes and a caucus, then a session
    that starts open and goes closed after a proposal was tabled in it."""
    nid = app.open_negotiation(
        union.actor,
        title=f"Audit contract {uuid.uuid4().hex[:6]}",
        kind="collective_bargaining",
        bargaining_unit=UNIT,
        union_name="Riverside Educators Association",
        employer_name="Riverside Unified School District",
        opener_party="union",
        other_chief=employer.actor,
    )
    app.add_team_member(nid, union.actor, member=member.actor, party="union")
    offer = app.propose_ground_rules(nid, union.actor, rules=GroundRules())
    app.agree_ground_rules(nid, employer.actor, offer_id=offer)

    first = app.schedule_session(
        nid, union.actor, title="", visibility="open", location="Room 4", starts_at=STARTS
    )
    app.open_session(nid, union.actor, session_id=first)
    class_size = app.open_article(
        nid, union.actor, number="9", title="Class Size", category="non_economic"
    )
    tabled = app.table_proposal(nid, union.actor, article_id=class_size, text="Cap at 22.")
    app.table_proposal(
        nid, employer.actor, article_id=class_size, text="Cap at 30.", answers=tabled
    )
    app.draft_proposal(nid, member.actor, article_id=class_size, text=SECRET)
    app.call_caucus(nid, member.actor, session_id=first)
    app.record_team_note(nid, member.actor, text=SECRET, session_id=first, article_id=class_size)
    app.end_caucus(nid, member.actor, session_id=first)
    app.close_session(nid, union.actor, session_id=first)

    second = app.schedule_session(
        nid, union.actor, title="", visibility="open", location="Room 4", starts_at=STARTS
    )
    app.open_session(nid, union.actor, session_id=second)
    app.change_session_visibility(nid, union.actor, session_id=second, visibility="closed")
    health = app.open_article(
        nid, union.actor, number="11", title="Health and Safety", category="non_economic"
    )
    app.table_proposal(nid, union.actor, article_id=health, text="Ventilation in every room.")
    # Opened again: what was tabled while it was closed stays with the teams (DOMAIN.md).
    app.change_session_visibility(nid, union.actor, session_id=second, visibility="open")
    app.close_session(nid, union.actor, session_id=second)
    return str(nid), first, second, class_size, health


async def _wait_for_audit(http: Any, position: int, timeout: float = 20.0) -> None:
    """Until the audit log's head reaches `position` (the projection follows the event log)."""
    deadline = time.monotonic() + timeout
    while True:
        head = await expect(await http.get("/api/audit/head"), 200)
        if head["position"] >= position:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"the audit log stayed at {head['position']} < {position}")
        await asyncio.sleep(0.02)


async def _positions(server: LiveServer, negotiation_id: str) -> list[int]:
    pool = server.app.state.pool
    rows = await pool.fetch(
        "SELECT notification_id FROM negotiations_events WHERE originator_id = $1::uuid "
        "ORDER BY notification_id",
        negotiation_id,
    )
    return [row[0] for row in rows]


@pytest.fixture(scope="module")
async def scene(server: LiveServer, negotiations: Negotiations, http_module, people_module):
    union = people_module(name="Maria Lopez")
    employer = people_module(name="Dana Whitfield")
    member = people_module(name=f"Joe Kim {uuid.uuid4().hex[:4]}")
    unit_member = people_module(units=(UNIT,))
    outsider = people_module()
    nid, first, second, class_size, health = await asyncio.to_thread(
        _record, negotiations, union, employer, member
    )
    positions = server.run(_positions(server, nid))
    await _wait_for_audit(http_module, positions[-1])
    return Scene(
        nid,
        union,
        employer,
        member,
        unit_member,
        outsider,
        first,
        second,
        class_size,
        health,
        positions,
    )


async def _entries(http: Any, who: Person | None = None, **params: Any) -> list[dict[str, Any]]:
    headers = who.headers if who else {}
    page = await expect(await http.get("/api/audit", params=params, headers=headers), 200)
    return page["entries"]


def _types(entries: list[dict[str, Any]]) -> list[str]:
    return [e["event_type"] for e in entries]


# ---------------------------------------------------------------------- listing and filters
async def test_the_log_lists_every_event_in_order_with_who_when_and_what(http, scene: Scene):
    entries = await _entries(http, scene.union, negotiation_id=scene.negotiation_id, limit=1000)
    assert [e["position"] for e in entries] == scene.positions
    assert [e["version"] for e in entries] == list(range(1, len(scene.positions) + 1))
    tabled = next(e for e in entries if e["event_type"] == "ProposalTabled")
    assert tabled["actor_name"] == "Maria Lopez"
    assert tabled["actor_id"] == scene.union.account_id
    assert tabled["party"] == "union"
    assert tabled["article_id"] == scene.class_size
    assert tabled["session_id"] == scene.open_session
    assert datetime.fromisoformat(tabled["at"]) > datetime(2020, 1, 1, tzinfo=UTC)
    assert tabled["description"] == (
        "Maria Lopez (Riverside Educators Association) tabled a proposal on Article 9 — "
        "Class Size (version 1)"
    )
    assert "The union went into caucus" in [e["description"] for e in entries]
    assert "Session 1 opened" in [e["description"] for e in entries]
    assert all(len(e["hash"]) == 64 and len(e["prev_hash"]) == 64 for e in entries)


async def test_filters_narrow_the_log(http, scene: Scene):
    nid = scene.negotiation_id
    by_article = await _entries(http, scene.union, negotiation_id=nid, article_id=scene.health)
    assert _types(by_article) == ["ArticleOpened", "ProposalTabled"]
    by_session = await _entries(
        http, scene.union, negotiation_id=nid, session_id=scene.turned_closed
    )
    assert _types(by_session) == [
        "SessionScheduled",
        "SessionOpened",
        "SessionVisibilityChanged",
        "ArticleOpened",
        "ProposalTabled",
        "SessionVisibilityChanged",
        "SessionClosed",
    ]
    by_type = await _entries(http, scene.union, negotiation_id=nid, type="ProposalTabled")
    assert len(by_type) == 3
    by_name = await _entries(http, scene.union, negotiation_id=nid, actor="dana whitfield")
    by_id = await _entries(http, scene.union, negotiation_id=nid, actor=scene.employer.account_id)
    assert by_name == by_id
    assert {e["actor_name"] for e in by_id} == {"Dana Whitfield"}
    assert _types(by_id) == ["GroundRulesAgreed", "ProposalTabled"]


async def test_pages_follow_on_from_the_last_position(http, scene: Scene):
    nid = scene.negotiation_id
    seen: list[int] = []
    after = 0
    while True:
        page = await expect(
            await http.get(
                "/api/audit",
                params={"negotiation_id": nid, "after": after, "limit": 4},
                headers=scene.union.headers,
            ),
            200,
        )
        seen += [e["position"] for e in page["entries"]]
        if page["next_after"] is None:
            break
        after = page["next_after"]
    assert seen == scene.positions


async def test_a_limit_over_a_thousand_is_refused(http, scene: Scene):
    response = await http.get("/api/audit", params={"limit": 1001})
    assert response.status_code == 400


# ---------------------------------------------------------------------- who sees what
async def test_drafts_and_notes_reach_their_own_team_only(http, scene: Scene):
    nid = scene.negotiation_id
    private = {"ProposalDrafted", "TeamNoteRecorded"}
    union = await _entries(http, scene.member, negotiation_id=nid, limit=1000)
    assert private <= set(_types(union))
    draft = next(e for e in union if e["event_type"] == "ProposalDrafted")
    assert draft["description"] == (
        "A union team member drafted a proposal on Article 9 — Class Size"
    )
    for viewer in (None, scene.employer, scene.unit_member, scene.outsider):
        entries = await _entries(http, viewer, negotiation_id=nid, limit=1000)
        assert not private & set(_types(entries)), viewer
    everything = json.dumps(union)
    assert "Settle" not in everything


async def test_closed_session_acts_are_hidden_from_the_public_and_members(http, scene: Scene):
    nid = scene.negotiation_id
    for viewer in (None, scene.outsider, scene.unit_member):
        entries = await _entries(http, viewer, negotiation_id=nid, article_id=scene.health)
        # the article's opening is public status; what was tabled while the session was
        # closed stays closed, though the session was opened again afterwards
        assert _types(entries) == ["ArticleOpened"], viewer
    for viewer in (scene.union, scene.employer):
        entries = await _entries(http, viewer, negotiation_id=nid, article_id=scene.health)
        assert _types(entries) == ["ArticleOpened", "ProposalTabled"]


async def test_the_public_sees_open_session_acts_and_status(http, scene: Scene):
    entries = await _entries(http, None, negotiation_id=scene.negotiation_id, limit=1000)
    types = _types(entries)
    assert types.count("ProposalTabled") == 2  # both in the open session
    assert "CaucusCalled" in types and "SessionClosed" in types
    assert {e["visibility"] for e in entries} == {"public"}


async def test_across_negotiations_only_public_entries_are_listed(http, scene: Scene):
    entries = await _entries(http, scene.union, limit=1000)
    assert entries and {e["visibility"] for e in entries} == {"public"}


async def test_an_unknown_negotiation_is_not_found(http, scene: Scene):
    response = await http.get("/api/audit", params={"negotiation_id": str(uuid.uuid4())})
    assert response.status_code == 404


# ---------------------------------------------------------------------- exports
async def test_jsonl_export_streams_every_visible_row(http, scene: Scene):
    params = {"negotiation_id": scene.negotiation_id}
    listed = await _entries(http, scene.union, limit=1000, **params)
    async with http.stream(
        "GET", "/api/audit/export.jsonl", params=params, headers=scene.union.headers
    ) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/x-ndjson")
        lines = [line async for line in response.aiter_lines() if line]
    assert [json.loads(line) for line in lines] == listed


async def test_csv_export_streams_every_visible_row(http, scene: Scene):
    params = {"negotiation_id": scene.negotiation_id}
    listed = await _entries(http, None, limit=1000, **params)
    response = await http.get("/api/audit/export.csv", params=params)
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [int(r["position"]) for r in rows] == [e["position"] for e in listed]
    assert [r["description"] for r in rows] == [e["description"] for e in listed]


async def test_export_across_negotiations_streams_every_public_row(http, scene: Scene):
    async with http.stream("GET", "/api/audit/export.jsonl") as response:
        rows = [json.loads(line) async for line in response.aiter_lines() if line]
    positions = [row["position"] for row in rows]
    assert positions == sorted(set(positions))
    assert {row["visibility"] for row in rows} == {"public"}
    ours = await _entries(http, None, negotiation_id=scene.negotiation_id, limit=1000)
    assert {e["position"] for e in ours} <= set(positions)


# ---------------------------------------------------------------------- head, verify, page
async def test_verify_is_ok_on_an_untampered_log(http, scene: Scene):
    result = await expect(await http.get("/api/audit/verify", headers=scene.outsider.headers), 200)
    head = await expect(await http.get("/api/audit/head"), 200)
    assert result["ok"] is True, result
    assert result["problem"] is None and result["first_problem_position"] is None
    assert result["checked"] >= len(scene.positions)
    assert result["head_position"] <= head["position"]
    assert len(result["head_hash"]) == 64


async def test_verify_needs_a_signed_in_person(http, scene: Scene):
    assert (await http.get("/api/audit/verify")).status_code == 401


async def test_the_verify_page_says_in_the_readers_language_that_the_chain_verified(
    http, scene: Scene
):
    audit_page = await http.get("/audit", headers=scene.outsider.headers)
    assert 'href="/audit/verify"' in audit_page.text  # the page's link, no longer the JSON
    said = {
        "en": "The whole chain verified:",
        "es": "La cadena entera se verificó:",
    }
    for lang, sentence in said.items():
        response = await http.get(
            "/audit/verify", params={"lang": lang}, headers=scene.outsider.headers
        )
        assert response.status_code == 200 and response.headers["content-language"] == lang
        assert sentence in response.text and 'data-ok="yes"' in response.text
        if lang == "es":
            assert english_leftovers(response.text) == []
    signed_out = await http.get("/audit/verify", follow_redirects=False)
    assert signed_out.status_code in (302, 303, 307)
    assert signed_out.headers["location"] == "/sign-in?next=/audit/verify"  # and back
    # Back to the very page, query and all, with the sign-in page in the language asked for.
    asked = await http.get(
        "/audit/verify", params={"lang": "es", "part": "2"}, follow_redirects=False
    )
    assert asked.headers["location"] == "/sign-in?next=/audit/verify%3Flang%3Des%26part%3D2&lang=es"
    sign_in = await http.get(asked.headers["location"])
    assert sign_in.headers["content-language"] == "es"
    assert 'data-next="/audit/verify?lang=es&amp;part=2"' in sign_in.text


async def test_the_verify_page_says_where_a_tampered_chain_first_fails_in_both_languages(
    http, scene: Scene, monkeypatch: pytest.MonkeyPatch
):
    """A stored event changed (in a transaction the verification reads, then rolled back, so
    the shared log stays whole): the page names its position and what is wrong there, in
    English and in Spanish."""
    from web.controllers import audit as audit_controller

    position = scene.positions[3]

    async def verify_tampered(conn: asyncpg.Connection) -> Any:
        transaction = conn.transaction()
        await transaction.start()
        try:
            await conn.execute(
                "UPDATE negotiations_events SET state = overlay(state placing '\\x00'::bytea "
                "from 20 for 1) WHERE notification_id = $1",
                position,
            )
            return await verify_chain(conn)
        finally:
            await transaction.rollback()

    monkeypatch.setattr(audit_controller, "verify_chain", verify_tampered)
    said = {
        "en": f"The whole chain did not verify: the first problem is at position {position}.",
        "es": "La cadena entera no se verificó: el primer problema está en la posición "
        f"{position}.",
    }
    detail = {
        "en": f"The event at position {position} does not match its audit hash",
        "es": f"El evento en la posición {position} no coincide con su hash de auditoría",
    }
    for lang, sentence in said.items():
        response = await http.get(
            "/audit/verify", params={"lang": lang}, headers=scene.outsider.headers
        )
        assert response.status_code == 200
        assert sentence in response.text and 'data-ok="no"' in response.text
        assert detail[lang] in response.text
        if lang == "es":
            assert english_leftovers(response.text) == []
    monkeypatch.undo()
    assert (await expect(await http.get("/api/audit/verify", headers=scene.outsider.headers), 200))[
        "ok"
    ]


async def test_the_audit_page_shows_the_chain_head_and_visible_entries(http, scene: Scene):
    response = await http.get("/audit", params={"negotiation_id": scene.negotiation_id})
    assert response.status_code == 200
    head = await expect(await http.get("/api/audit/head"), 200)
    if head["position"] == scene.positions[-1]:
        assert head["hash"] in response.text
    assert "copies of this head live" in response.text.lower()
    assert "tabled a proposal on Article 9 — Class Size" in response.text
    assert "drafted a proposal" not in response.text
    assert "/api/audit/export.csv?negotiation_id=" in response.text


def english_leftovers(html: str) -> list[str]:
    """The English wording of the audit page's own messages (its template, its names of the
    kinds of entry, the sentences of projections/describe.py and projections/audit/votes.py)
    still in a page's text."""
    from babel.messages.extract import extract_from_file

    from web.pages.i18n import I18N_DIR

    messages = [
        str(message[1])
        for path, method in (
            ("web/templates/audit.html", "jinja2"),
            ("web/templates/audit_verify.html", "jinja2"),
            ("web/pages/audit.py", "python"),
            ("projections/describe.py", "python"),
            ("projections/audit/votes.py", "python"),
        )
        for message in extract_from_file(method, str(I18N_DIR.parents[1] / path))
    ]
    body = html.split("<main", 1)[-1]
    body = re.sub(r"<style.*?</style>", " ", body, flags=re.DOTALL)
    text = " ".join(re.sub(r"<[^>]+>", " ", body).split())
    # The fixed parts of each message of two words or more ("tabled a proposal on"): a
    # single word may be a name, a title or a hash, and Spanish keeps "Hash" and "CSV".
    chunks = {
        " ".join(chunk.split())
        for message in messages
        for chunk in re.split(r"%\(\w+\)s", message)
        if len(re.findall(r"[A-Za-z]+", chunk)) >= 2
    }
    return sorted(chunk for chunk in chunks if chunk in text)


async def test_the_audit_page_reads_in_spanish(http, scene: Scene):
    # given: a reader whose browser asks for Spanish, and one who chose it with the switch
    asked = {"Accept-Language": "es-MX,es;q=0.9", **scene.union.headers}
    # when
    pages = [
        await http.get("/audit", params={"negotiation_id": scene.negotiation_id}, headers=asked),
        await http.get(
            "/audit",
            params={"negotiation_id": scene.negotiation_id, "lang": "es"},
            headers=scene.union.headers,
        ),
    ]
    # then: the page's words and every entry's sentence are Spanish, nothing left in English
    for response in pages:
        assert response.status_code == 200
        assert response.headers["content-language"] == "es"
        text = response.text
        assert "<h1>Historial de auditoría</h1>" in text
        assert "Cabeza actual de la cadena" in text and "Exportar estas entradas:" in text
        assert "presentó una propuesta sobre el Artículo 9 — Class Size (versión 1)" in text
        assert "presentó una contrapropuesta sobre el Artículo 9 — Class Size" in text
        assert "El sindicato se retiró a caucus" in text
        assert "redactó una propuesta sobre el Artículo 9" in text  # the union's own draft
        assert "programó la Sesión 1 para el 2026-11-24 16:00 UTC, abierta al público" in text
        assert "(sindicato)" in text  # the acting party
        assert '<option value="TASigned">AT firmado</option>' in text  # the kinds to filter by
        assert english_leftovers(text) == []
    # and English stays English (the switch's cookie is kept: asked for again)
    english = await http.get(
        "/audit", params={"negotiation_id": scene.negotiation_id, "lang": "en"}
    )
    assert "tabled a proposal on Article 9 — Class Size (version 1)" in english.text
    assert "Historial" not in english.text
    assert "tabled a proposal on" in english_leftovers(english.text)  # the check sees English


async def test_an_entry_recorded_before_phrases_keeps_its_english_sentence(
    http, scene: Scene, server: LiveServer
):
    # given: an entry as a log made before the phrases holds it (message NULL, the column
    # added by the projection's start)
    pool = server.app.state.pool
    first = scene.positions[0]
    saved = server.run(pool.fetchval("SELECT message FROM audit_log WHERE position = $1", first))
    server.run(pool.execute("UPDATE audit_log SET message = NULL WHERE position = $1", first))
    try:
        # when
        response = await http.get(
            "/audit",
            params={"negotiation_id": scene.negotiation_id, "lang": "es"},
            headers=scene.union.headers,
        )
    finally:
        server.run(
            pool.execute("UPDATE audit_log SET message = $2 WHERE position = $1", first, saved)
        )
    # then: that entry reads as it was recorded, the others in Spanish
    assert response.status_code == 200
    assert "Maria Lopez (Riverside Educators Association) opened the negotiation" in response.text
    assert "presentó una propuesta sobre el Artículo 9" in response.text


async def test_a_log_made_before_phrases_gets_their_column_once(server: LiveServer):
    # given: a table as the log was made before the column (a stand-in, not the live log)
    from projections.audit.schema import add_column_once

    async def add_twice() -> list[str]:
        async with server.app.state.pool.acquire() as conn, conn.transaction():
            await conn.execute("CREATE TEMPORARY TABLE audit_before (position bigint)")
            for _ in range(2):  # when: the projection starts, and starts again
                await add_column_once(conn, "audit_before", "message")
            rows = await conn.fetch(
                "SELECT attname FROM pg_attribute WHERE attrelid = 'audit_before'::regclass "
                "AND attnum > 0 ORDER BY attnum"
            )
            await conn.execute("DROP TABLE audit_before")
            return [r[0] for r in rows]

    # then
    assert server.run(add_twice()) == ["position", "message"]


# ---------------------------------------------------------------------- tampering
@dataclass(frozen=True)
class TamperDb:
    config: DatabaseConfig
    pool: asyncpg.Pool
    positions: list[int]


@pytest.fixture(scope="module")
async def tamper_db(database: DatabaseConfig) -> AsyncIterator[TamperDb]:
    """A database of its own: tampering here cannot disturb other tests' verification."""
    config = database.with_dbname(f"audit_tamper_{uuid.uuid4().hex[:10]}")
    await asyncio.to_thread(ensure_database_exists, config)
    app = await asyncio.to_thread(Negotiations, config.eventsourcing_env())
    pool = await asyncpg.create_pool(**config.asyncpg_kwargs(), min_size=1, max_size=4)
    try:
        people = [
            Person(account_id=f"acct-{n}", username=f"u{n}", display_name=name, token="")
            for n, name in enumerate(("Maria Lopez", "Dana Whitfield", "Joe Kim"))
        ]
        await asyncio.to_thread(_record, app, *people)
        # A failed insert consumes a sequence value: leave such a gap inside the log.
        await pool.execute(
            "SELECT setval(pg_get_serial_sequence('negotiations_events', 'notification_id'), "
            "(SELECT max(notification_id) FROM negotiations_events) + 3)"
        )
        await asyncio.to_thread(_record, app, *people)  # the chain runs across negotiations
        projector = Projector(pool, projections=default_projections())
        await projector.create_tables()
        await projector.catch_up()
        positions = [
            r[0]
            for r in await pool.fetch(
                "SELECT notification_id FROM negotiations_events ORDER BY notification_id"
            )
        ]
        yield TamperDb(config, pool, positions)
    finally:
        await pool.close()
        await asyncio.to_thread(app.close)
        await asyncio.to_thread(drop_database, config)


async def _verify_after(db: TamperDb, *statements: tuple[str, tuple[Any, ...]]) -> Any:
    """Run the tampering statements and verify, in one transaction that is then rolled back."""
    async with db.pool.acquire() as conn:
        transaction = conn.transaction()
        await transaction.start()
        try:
            for sql, args in statements:
                await conn.execute(sql, *args)
            return await verify_chain(conn)
        finally:
            await transaction.rollback()


async def test_an_untampered_log_verifies(tamper_db: TamperDb):
    async with tamper_db.pool.acquire() as conn:
        result = await verify_chain(conn, page=7)  # small pages: the walk crosses page edges
        head = await chain_head(conn)
    assert result.ok and result.problem is None
    assert result.checked == len(tamper_db.positions)
    assert (result.head_position, result.head_hash) == head
    assert head[0] == tamper_db.positions[-1]
    gaps = [b - a for a, b in zip(tamper_db.positions, tamper_db.positions[1:], strict=False)]
    assert max(gaps) > 1  # positions with no event in either table are not tampering


async def test_a_rebuild_reproduces_the_same_chain_and_its_indexes(
    tamper_db: TamperDb, monkeypatch: pytest.MonkeyPatch
):
    # given: a chain head, and batches big enough to count as a bulk load
    async with tamper_db.pool.acquire() as conn:
        before = await chain_head(conn)
    monkeypatch.setattr(audit_projection, "BULK_BATCH", 10)
    projector = Projector(tamper_db.pool, projections=default_projections(), batch_size=10)
    # when: a rebuild (a bulk load: the filter indexes are dropped), then what ends one — the
    # runner's finish hook at the end of the log, or a restart's create_tables
    await projector.rebuild()
    async with tamper_db.pool.acquire() as conn:
        for projection in projector.projections:
            finish = getattr(projection, "finish_bulk_load", None)
            if finish is not None:
                await finish(conn)
    # then: the same head, every row verifies, and the filter indexes are back
    async with tamper_db.pool.acquire() as conn:
        assert await chain_head(conn) == before
        assert (await verify_chain(conn)).ok
        indexes = {
            r[0]
            for r in await conn.fetch(
                "SELECT indexname FROM pg_indexes WHERE tablename = 'audit_log'"
            )
        }
    assert set(audit.FILTER_INDEXES) <= indexes


async def test_a_changed_event_is_reported_at_its_position(tamper_db: TamperDb):
    position = tamper_db.positions[10]
    result = await _verify_after(
        tamper_db,
        (
            "UPDATE negotiations_events SET state = overlay(state placing '\\x00'::bytea "
            "from 20 for 1) WHERE notification_id = $1",
            (position,),
        ),
    )
    assert not result.ok
    assert result.first_problem_position == position
    assert result.checked == 10
    assert "changed" in result.problem


async def test_a_removed_event_is_reported(tamper_db: TamperDb):
    position = tamper_db.positions[5]
    result = await _verify_after(
        tamper_db, ("DELETE FROM negotiations_events WHERE notification_id = $1", (position,))
    )
    assert not result.ok and result.first_problem_position == position
    assert "missing" in result.problem


async def test_reordered_events_are_reported(tamper_db: TamperDb):
    first, second = tamper_db.positions[3], tamper_db.positions[8]
    swap = "UPDATE negotiations_events SET notification_id = $1 WHERE notification_id = $2"
    result = await _verify_after(
        tamper_db, (swap, (-1, first)), (swap, (first, second)), (swap, (second, -1))
    )
    assert not result.ok and result.first_problem_position == first


async def test_a_changed_topic_is_reported(tamper_db: TamperDb):
    position = tamper_db.positions[-1]
    result = await _verify_after(
        tamper_db,
        (
            "UPDATE negotiations_events SET topic = replace(topic, 'SessionClosed', "
            "'SessionOpened') WHERE notification_id = $1",
            (position,),
        ),
    )
    assert not result.ok and result.first_problem_position == position


async def test_an_altered_audit_hash_is_reported(tamper_db: TamperDb):
    position = tamper_db.positions[12]
    result = await _verify_after(
        tamper_db,
        ("UPDATE audit_log SET hash = $2 WHERE position = $1", (position, bytes(32))),
    )
    assert not result.ok and result.first_problem_position == position
    assert "audit entry" in result.problem


async def test_a_rewritten_chain_is_reported(tamper_db: TamperDb):
    """Someone who rewrites an audit row together with its successor's link still cannot
    match the stored events."""
    position, following = tamper_db.positions[12], tamper_db.positions[13]
    forged = hashlib.sha256(b"forged").digest()
    result = await _verify_after(
        tamper_db,
        ("UPDATE audit_log SET hash = $2 WHERE position = $1", (position, forged)),
        ("UPDATE audit_log SET prev_hash = $2 WHERE position = $1", (following, forged)),
    )
    assert not result.ok and result.first_problem_position == position


async def test_a_removed_audit_entry_is_reported(tamper_db: TamperDb):
    position = tamper_db.positions[7]
    result = await _verify_after(
        tamper_db, ("DELETE FROM audit_log WHERE position = $1", (position,))
    )
    assert not result.ok and result.first_problem_position == position


async def test_the_verify_command_exits_1_when_tampering_is_found(tamper_db: TamperDb):
    code, out = await run_cli(tamper_db.config.dsn(), "verify")
    assert code == 0, out
    assert "Chain head" in out
    position = tamper_db.positions[4]
    original = await tamper_db.pool.fetchval(
        "SELECT state FROM negotiations_events WHERE notification_id = $1", position
    )
    await tamper_db.pool.execute(
        "UPDATE negotiations_events SET state = $2 WHERE notification_id = $1",
        position,
        original + b"\x00",
    )
    try:
        code, out = await run_cli(tamper_db.config.dsn(), "verify")
    finally:
        await tamper_db.pool.execute(
            "UPDATE negotiations_events SET state = $2 WHERE notification_id = $1",
            position,
            original,
        )
    assert code == 1, out
    assert f"position {position}" in out
