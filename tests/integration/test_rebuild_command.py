"""`negotiation rebuild` as an operator runs it: a real process, a progress bar, the same state."""

import os
import subprocess
import sys
import uuid

import asyncpg

from negotiation.application import Negotiations
from negotiation.database import drop_database, ensure_database_exists
from projections.runner import Projector
from tests.unit.builders import EMPLOYER_CHIEF, UNION_CHIEF


async def test_rebuild_command_shows_progress_and_reproduces_the_projections(database):
    config = database.with_dbname(f"rebuild_cli_{uuid.uuid4().hex[:8]}")
    ensure_database_exists(config)
    app = Negotiations(env=config.eventsourcing_env())
    pool = await asyncpg.create_pool(**config.asyncpg_kwargs(), min_size=1, max_size=2)
    try:
        for n in range(3):
            app.open_negotiation(
                UNION_CHIEF,
                title=f"T{n}",
                kind="meet_and_confer",
                bargaining_unit="U",
                union_name="A",
                employer_name="B",
                opener_party="union",
                other_chief=EMPLOYER_CHIEF,
            )
        projector = Projector(pool)
        await projector.create_tables()
        await projector.catch_up()

        async def state():
            audit = [tuple(r) for r in await pool.fetch("SELECT * FROM audit_log ORDER BY 1")]
            boards = [tuple(r) for r in await pool.fetch("SELECT * FROM board_docs ORDER BY 1")]
            return audit, boards

        before = await state()
        assert len(before[0]) == 3 and len(before[1]) == 3

        result = subprocess.run(
            [sys.executable, "-m", "web.cli", "rebuild"],
            env={**os.environ, "DATABASE_URL": config.dsn()},
            capture_output=True,
            text=True,
            timeout=120,
        )

        assert result.returncode == 0, result.stderr
        assert "100.0%" in result.stderr and "3/3 events" in result.stderr
        assert "Rebuilt every projection from 3 events" in result.stderr
        assert await state() == before  # one process per projection, the same result
    finally:
        await pool.close()
        app.close()
        drop_database(config)
