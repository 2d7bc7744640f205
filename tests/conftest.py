"""Session fixtures: the repository root, a fresh PostgreSQL database for this test run, the app
served on it, signed-in people, and Debian's headless Chromium for the browser tests."""

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from negotiation.application import Negotiations
from negotiation.database import (
    DatabaseConfig,
    drop_database,
    ensure_database_exists,
    locate_database,
)
from tests.support import LiveServer, Person, PersonFactory
from web.app import create_app
from web.settings import Settings

CHROMIUM = "/usr/bin/chromium"  # Debian's, never a downloaded browser
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def database(repo_root: Path) -> Iterator[DatabaseConfig]:
    """A new, empty database named ``test_<random>`` on DATABASE_URL's server or an embedded one.

    The embedded cluster in ``var/test-pgdata`` is kept between runs (no initdb each time); the
    server stops when the test process exits. Tests share this database, so use random ids.
    """
    server = locate_database(repo_root / "var" / "test-pgdata", os.environ.get("DATABASE_URL"))
    config = server.with_dbname(f"test_{uuid.uuid4().hex[:12]}")
    ensure_database_exists(config)
    yield config
    drop_database(config)


@pytest.fixture(scope="session")
def negotiations(database: DatabaseConfig) -> Iterator[Negotiations]:
    """The application on the session database (the same tables the server under test uses)."""
    app = Negotiations(env=database.eventsourcing_env())
    yield app
    app.close()


@pytest.fixture(scope="session")
def server(database: DatabaseConfig, negotiations: Negotiations) -> Iterator[LiveServer]:
    """The real app served by uvicorn on a free loopback port, in a background thread."""
    settings = Settings(port=0, login_failures_allowed=5, login_window_seconds=60)
    live = LiveServer.start(create_app(settings, database=database))
    yield live
    live.stop()


@pytest.fixture
async def http(server: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
        yield client


@pytest.fixture(scope="session")
def admin(server: LiveServer) -> Person:
    """An administrator account, signed in with a bearer token."""
    return server.person(is_admin=True)


@pytest.fixture
def people(server: LiveServer) -> PersonFactory:
    """Makes fresh accounts (random usernames) signed in with bearer tokens."""
    return server.person


@pytest.fixture(scope="module")
async def http_module(server: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def people_module(server: LiveServer) -> PersonFactory:
    return server.person


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Any]:
    """Headless Chromium driven by Playwright, one for the whole run (imported only when a
    test asks for it)."""
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS
        )
        yield launched
        await launched.close()
