"""The read models people watch, over HTTP: status board, session display, overlay, article
history with redlines, bulletin; and a rebuild from zero equals incremental processing."""

import asyncio
import uuid

import asyncpg
import pytest

from negotiation.application import Negotiations
from negotiation.database import drop_database, ensure_database_exists
from projections import audit, runner
from projections.audit import projection as audit_projection
from projections.audit import schema as audit_schema
from projections.board_store import decode_doc
from projections.runner import Projector
from tests.support import expect, open_article, open_table, open_table_in
from tests.unit.builders import EMPLOYER_CHIEF, UNION_CHIEF


async def _caught_up(http, table, headers=None):
    """The board as of the last command: a read includes every write that answered before it."""
    view = await expect(await http.get(table.base, headers=table.union.headers), 200)
    board = await expect(await http.get(f"{table.base}/board", headers=headers or {}), 200)
    assert board["version"] == view["version"]
    return board


def _articles(body):
    return sum(1 for name in body["parts"] if name.startswith("article:"))


@pytest.fixture
async def bargaining(http, people):
    """A session with Article 9 on the table: union proposal, employer counter, a caucus."""
    table = await open_table(http, people)
    article = await open_article(
        http,
        table,
        number="9",
        title="Class Size",
        current_language="No class shall exceed 32 students.",
    )
    proposals = f"{table.base}/articles/{article['id']}/proposals"
    first = await expect(
        await http.post(
            proposals,
            headers=table.union.headers,
            json={"text": "No class shall exceed 24 students."},
        ),
        201,
    )
    counter = await expect(
        await http.post(
            proposals,
            headers=table.employer.headers,
            json={"text": "No class shall exceed 30 students.", "answers": first["id"]},
        ),
        201,
    )
    sessions = f"{table.base}/sessions/{table.session_id}"
    await expect(
        await http.post(
            f"{sessions}/table", headers=table.union.headers, json={"article_id": article["id"]}
        ),
        200,
    )
    await expect(
        await http.post(f"{sessions}/attendance", headers=table.union.headers, json={"count": 87}),
        200,
    )
    await expect(await http.post(f"{sessions}/caucus", headers=table.employer.headers), 200)
    await _caught_up(http, table)
    return table, article["id"], first["id"], counter["id"]


async def test_status_board_shows_each_article_state_and_last_move(http, bargaining):
    table, article_id, _, _ = bargaining
    board = await _caught_up(http, table)
    part = board["parts"][f"article:{article_id}"]
    assert part["status"] == "countered"
    assert part["last_move"] == "countered" and part["last_move_party"] == "employer"
    assert board["parts"]["negotiation"]["articles_total"] == 1


async def test_session_display_has_both_sides_latest_attendance_and_caucus(http, bargaining):
    table, article_id, first, counter = bargaining
    display = await expect(await http.get(f"{table.base}/sessions/{table.session_id}/display"), 200)
    parts = display["parts"]
    assert parts["on_table"]["article_id"] == article_id
    assert parts["on_table"]["union"]["proposal_id"] == first
    assert parts["on_table"]["employer"]["proposal_id"] == counter
    assert parts["detail"]["attendance"] == 87 and parts["detail"]["capacity"] == 120
    assert parts["clock"]["caucus_party"] == "employer"
    kinds = [p["kind"] for name, p in sorted(parts.items()) if name.startswith("timeline:")]
    assert kinds[:2] == ["session_opened", "article_opened"]
    assert "caucus_called" in kinds


async def test_overlay_state_has_caucus_slate_and_labels_in_english_and_spanish(http, bargaining):
    table, _, _, _ = bargaining
    overlay = (await expect(await http.get(f"{table.base}/overlay"), 200))["parts"]["overlay"]
    assert overlay["article_number"] == "9"
    assert overlay["caucus_party"] == "employer"
    assert overlay["caucus_party_name"] == "Unified School District"
    assert overlay["labels"]["es"]["in_caucus"] == "En caucus"
    assert overlay["labels"]["en"]["tentative_agreements"] == "Tentative agreements"


async def test_article_history_and_word_level_redline(http, bargaining):
    table, article_id, first, counter = bargaining
    history = await expect(await http.get(f"{table.base}/articles/{article_id}/history"), 200)
    assert [p["proposal_id"] for p in history["proposals"]] == [first, counter]
    between = await expect(
        await http.get(
            f"{table.base}/articles/{article_id}/redline", params={"from_": first, "to": counter}
        ),
        200,
    )
    changed = [(s["op"], s["text"]) for s in between["segments"] if s["op"] != "equal"]
    assert changed == [("delete", "24"), ("insert", "30")]
    against_contract = await expect(
        await http.get(f"{table.base}/articles/{article_id}/redline", params={"to": first}), 200
    )
    assert ("delete", "32") in [(s["op"], s["text"]) for s in against_contract["segments"]]


async def test_bulletin_draft_summarizes_the_session_and_published_one_carries_chain_hash(
    http, bargaining
):
    table, _, _, _ = bargaining
    sessions = f"{table.base}/sessions/{table.session_id}"
    draft = await expect(
        await http.get(f"{sessions}/bulletin-draft", headers=table.union.headers), 200
    )
    assert [i["number"] for i in draft["tabled"]] == ["9"]
    assert [i["number"] for i in draft["countered"]] == ["9"]
    assert "Counterproposals (by Unified School District): Article 9 — Class Size" in draft["text"]

    await expect(await http.post(f"{sessions}/caucus/end", headers=table.employer.headers), 200)
    await expect(
        await http.post(
            f"{sessions}/bulletins",
            headers=table.union.headers,
            json={"text": draft["text"] + "\nSolidarity!"},
        ),
        201,
    )
    published = await expect(await http.get(f"{sessions}/bulletins"), 200)
    assert published[0]["text"].endswith("Solidarity!")
    assert len(published[0]["chain_hash"]) == 64


async def test_rebuild_from_zero_ends_in_exactly_the_incremental_state(
    database, people, monkeypatch
):
    """Projected in small increments while commands arrive, then rebuilt from zero (in
    groups whose writes overlap the folding of the next, into a partitioned audit log whose
    partitions are indexed as they fill): the board documents and the audit log come out
    identical, with every filter index; and a rebuild cut short resumes like any catch-up."""
    monkeypatch.setattr(runner, "BULK_GROUP", 15)
    monkeypatch.setattr(audit_schema, "PARTITION_POSITIONS", 40)
    monkeypatch.setattr(audit_projection, "BULK_BATCH", 5)  # pages of 7 make a bulk load
    indexed_early: list[str] = []
    index_partition = audit_schema.index_partition

    async def noting_partitions(conn, partition):
        indexed_early.append(partition)
        await index_partition(conn, partition)

    monkeypatch.setattr(audit_schema, "index_partition", noting_partitions)
    config = database.with_dbname(f"rebuild_{uuid.uuid4().hex[:10]}")
    ensure_database_exists(config)
    app = Negotiations(env=config.eventsourcing_env())
    pool = await asyncpg.create_pool(**config.asyncpg_kwargs(), min_size=1, max_size=4)
    try:
        projector = Projector(pool, batch_size=7)
        await projector.create_tables()
        def record(n: int) -> None:
            nid, sid = open_table_in(app, UNION_CHIEF, EMPLOYER_CHIEF, f"Table {n}")
            for number in range(3):
                aid = app.open_article(
                    nid, UNION_CHIEF, number=str(number), title="T", category="economic"
                )
                p = app.table_proposal(nid, UNION_CHIEF, article_id=aid, text=f"v{number}")
                q = app.table_proposal(nid, EMPLOYER_CHIEF, article_id=aid, text="w", answers=p)
                app.sign_ta(nid, UNION_CHIEF, article_id=aid, proposal_id=q)
                app.sign_ta(nid, EMPLOYER_CHIEF, article_id=aid, proposal_id=q)
            app.draft_proposal(nid, UNION_CHIEF, article_id=aid, text="private")
            app.close_session(nid, UNION_CHIEF, session_id=sid)

        for n in range(4):
            await asyncio.to_thread(record, n)
            await projector.catch_up()  # incremental, in batches of 7

        async def snapshot():
            docs = {
                r["negotiation_id"]: (r["position"], decode_doc(r["doc"]))
                for r in await pool.fetch("SELECT * FROM board_docs")
            }
            audit = [
                tuple(r) for r in await pool.fetch("SELECT * FROM audit_log ORDER BY position")
            ]
            positions = await pool.fetch("SELECT * FROM projection_positions ORDER BY name")
            return docs, audit, [tuple(p) for p in positions]

        incremental = await snapshot()
        assert len(incremental[0]) == 4 and len(incremental[1]) > 100
        events = await projector.rebuild()
        assert events == len(incremental[1])
        assert await snapshot() == incremental
        indexes = await _audit_partition_indexes(pool)
        assert len(indexes) == len(audit.partition_starts(incremental[1][-1][0])) > 2
        for partition, attached in indexes.items():
            # each partition has every filter index, attached to the whole log's: the ones
            # indexed during the load under their own names, not built a second time
            assert set(attached.values()) == {*audit.FILTER_INDEXES, "audit_log_pkey"}
            if partition in indexed_early:
                own = {n.replace("audit_log", partition, 1) for n in audit.FILTER_INDEXES}
                assert own < attached.keys()
        assert indexed_early and list(indexes)[-1] not in indexed_early

        writes = 0
        write = runner._write

        async def power_cut_in_the_third_group(*args):
            nonlocal writes
            writes += 1
            if writes == 3:
                raise RuntimeError("power cut")
            await write(*args)

        monkeypatch.setattr(runner, "_write", power_cut_in_the_third_group)
        with pytest.raises(RuntimeError, match="power cut"):
            await projector.rebuild()
        monkeypatch.setattr(runner, "_write", write)
        committed = await pool.fetchval(
            "SELECT position FROM projection_positions WHERE name = 'audit'"
        )
        assert 0 < committed < incremental[1][-1][0]  # two groups made it
        await projector.catch_up()
        assert await snapshot() == incremental
        for attached in (await _audit_partition_indexes(pool)).values():
            assert set(attached.values()) == {*audit.FILTER_INDEXES, "audit_log_pkey"}
    finally:
        await pool.close()
        app.close()
        drop_database(config)


async def _audit_partition_indexes(pool: asyncpg.Pool) -> dict[str, dict[str, str | None]]:
    """Per partition of the audit log, in position order: its indexes and the whole log's
    index each is attached to (None: not attached)."""
    rows = await pool.fetch(
        """
        SELECT part.relname AS partition, idx.relname AS index, parent.relname AS parent
        FROM pg_inherits p
        JOIN pg_class part ON part.oid = p.inhrelid
        JOIN pg_index x ON x.indrelid = part.oid
        JOIN pg_class idx ON idx.oid = x.indexrelid
        LEFT JOIN pg_inherits pi ON pi.inhrelid = idx.oid
        LEFT JOIN pg_class parent ON parent.oid = pi.inhparent
        WHERE p.inhparent = 'audit_log'::regclass
        ORDER BY pg_get_expr(part.relpartbound, part.oid) LIKE '%MINVALUE%' DESC,
                 substring(part.relname from '[0-9]+$')::bigint
        """
    )
    partitions: dict[str, dict[str, str | None]] = {}
    for row in rows:
        partitions.setdefault(row["partition"], {})[row["index"]] = row["parent"]
    return partitions
