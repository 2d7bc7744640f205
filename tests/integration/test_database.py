"""The test database fixture and database lifecycle against a real PostgreSQL server."""

import asyncio
import uuid
from collections.abc import Iterator

import asyncpg
import psycopg
import pytest
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate

from negotiation.database import DatabaseConfig, drop_database, ensure_database_exists


@pytest.fixture
def scratch_database(database: DatabaseConfig) -> Iterator[DatabaseConfig]:
    """A database of its own, for tests that must see it empty or that create tables."""
    config = database.with_dbname(f"scratch_{uuid.uuid4().hex[:12]}")
    yield config
    drop_database(config)


def _database_exists(config: DatabaseConfig) -> bool:
    with psycopg.connect(config.with_dbname("postgres").dsn()) as conn:
        row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (config.dbname,))
        return row.fetchone() is not None


async def test_session_database_is_a_fresh_test_database(database: DatabaseConfig) -> None:
    conn = await asyncpg.connect(**database.asyncpg_kwargs())
    try:
        name = await conn.fetchval("SELECT current_database()")
    finally:
        await conn.close()

    assert name == database.dbname
    assert name.startswith("test_")


async def test_ensure_database_exists_creates_an_empty_database_once(
    scratch_database: DatabaseConfig,
) -> None:
    ensure_database_exists(scratch_database)
    ensure_database_exists(scratch_database)  # a second call (or a racing process) is harmless

    conn = await asyncpg.connect(**scratch_database.asyncpg_kwargs())
    try:
        tables = await conn.fetchval(
            "SELECT count(*) FROM information_schema.tables"
            " WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
        )
    finally:
        await conn.close()

    assert tables == 0


def test_drop_database_removes_it(scratch_database: DatabaseConfig) -> None:
    ensure_database_exists(scratch_database)

    drop_database(scratch_database)

    assert not _database_exists(scratch_database)


async def test_asyncpg_listen_notify_round_trip(database: DatabaseConfig) -> None:
    channel = f"test_{uuid.uuid4().hex[:12]}"
    received: asyncio.Queue[str] = asyncio.Queue()
    listener = await asyncpg.connect(**database.asyncpg_kwargs())
    notifier = await asyncpg.connect(**database.asyncpg_kwargs())
    try:
        await listener.add_listener(channel, lambda *args: received.put_nowait(args[-1]))

        await notifier.execute("SELECT pg_notify($1, $2)", channel, "hello")

        assert await asyncio.wait_for(received.get(), timeout=5) == "hello"
    finally:
        await listener.close()
        await notifier.close()


def test_eventsourcing_stores_events_with_eventsourcing_env(
    scratch_database: DatabaseConfig,
) -> None:
    ensure_database_exists(scratch_database)
    app = Application[uuid.UUID](env=scratch_database.eventsourcing_env())
    try:
        aggregate = Aggregate()
        app.save(aggregate)

        assert app.repository.get(aggregate.id).id == aggregate.id
    finally:
        app.close()
