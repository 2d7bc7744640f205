"""Fixtures for reliability tests: a database of their own for real server processes."""

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from negotiation.database import DatabaseConfig, drop_database, ensure_database_exists


@pytest.fixture
def own_database(database: DatabaseConfig) -> Iterator[DatabaseConfig]:
    """A fresh, empty database on the test server, dropped afterwards: killed processes and
    rebuilt projections there cannot disturb the tests sharing the session database."""
    config = database.with_dbname(f"crash_{uuid.uuid4().hex[:12]}")
    ensure_database_exists(config)
    yield config
    drop_database(config)


@pytest.fixture
def node_dir(tmp_path: Path) -> Path:
    """NEGOTIATION_DATA_DIR for child servers, and where their logs go."""
    path = tmp_path / "nodes"
    path.mkdir()
    return path
