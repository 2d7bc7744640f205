"""Accounts, argon2 passwords, revocable access tokens and login throttling, in PostgreSQL.

Identity is not bargaining history, so it lives in ordinary tables rather than the event log:
a password hash must be replaceable, and a token must be deletable.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import asyncpg
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from negotiation.domain.actors import Actor

SCHEMA = """
CREATE TABLE IF NOT EXISTS accounts (
    account_id       text PRIMARY KEY,
    username         text NOT NULL UNIQUE,
    display_name     text NOT NULL,
    password_hash    text NOT NULL,
    is_admin         boolean NOT NULL DEFAULT false,
    bargaining_units text[] NOT NULL DEFAULT '{}',
    created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS access_tokens (
    token_id     text PRIMARY KEY,
    token_hash   bytea NOT NULL UNIQUE,
    account_id   text NOT NULL REFERENCES accounts(account_id),
    kind         text NOT NULL CHECK (kind IN ('session', 'api')),
    label        text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz,
    revoked_at   timestamptz
);
CREATE INDEX IF NOT EXISTS access_tokens_account ON access_tokens (account_id);
CREATE TABLE IF NOT EXISTS login_failures (
    username  text NOT NULL,
    remote    text NOT NULL,
    failed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS login_failures_username ON login_failures (username, failed_at);
CREATE INDEX IF NOT EXISTS login_failures_remote ON login_failures (remote, failed_at);
CREATE INDEX IF NOT EXISTS login_failures_failed_at ON login_failures (failed_at);
"""

TOKEN_CACHE_SECONDS = 5.0
# Revocations are announced on this channel (in the revoking transaction) so every server
# process drops that account's cached tokens at once, whichever process or command revoked.
REVOKED_CHANNEL = "identity_tokens_revoked"

_hasher = PasswordHasher()
# Verifying against this when the username is unknown keeps the timing the same either way.
_DUMMY_HASH = _hasher.hash("not a real password")


@dataclass(frozen=True)
class Account:
    account_id: str
    username: str
    display_name: str
    is_admin: bool
    bargaining_units: tuple[str, ...]

    @property
    def actor(self) -> Actor:
        return Actor(account_id=self.account_id, name=self.display_name, is_admin=self.is_admin)


@dataclass(frozen=True)
class IssuedToken:
    token_id: str
    token: str
    expires_at: datetime | None


class UsernameTaken(Exception):
    pass


class LoginThrottled(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


class LoginFailed(Exception):
    pass


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def _account(row: asyncpg.Record) -> Account:
    return Account(
        account_id=row["account_id"],
        username=row["username"],
        display_name=row["display_name"],
        is_admin=row["is_admin"],
        bargaining_units=tuple(row["bargaining_units"]),
    )


class Identity:
    def __init__(
        self,
        pool: asyncpg.Pool,
        *,
        failures_allowed: int = 5,
        window_seconds: int = 900,
        delay_seconds: int = 30,
        session_days: int = 14,
    ) -> None:
        self.pool = pool
        self.failures_allowed = failures_allowed
        self.window = timedelta(seconds=window_seconds)
        self.delay = timedelta(seconds=delay_seconds)
        self.session_lifetime = timedelta(days=session_days)
        self._token_cache: dict[bytes, tuple[float, tuple[Account, str] | None]] = {}
        self._revocations = 0  # bumped on every revocation heard: in-flight lookups go stale
        self._listener: asyncpg.Connection | None = None
        self._on_revoked: list[Callable[[str], None]] = []

    def on_revoked(self, callback: Callable[[str], None]) -> None:
        """Call `callback(account_id)` on every revocation made or heard here (e.g. to end
        that account's live feeds: signing out must stop what a session still receives)."""
        self._on_revoked.append(callback)

    async def listen_for_revocations(self, connection: asyncpg.Connection) -> None:
        """Hear revocations made anywhere (another server, the CLI) and forget at once."""
        self._listener = connection
        await connection.add_listener(REVOKED_CHANNEL, self._revoked_elsewhere)

    async def close(self) -> None:
        if self._listener is not None:
            await self._listener.close()
            self._listener = None

    def _revoked_elsewhere(self, _conn: object, _pid: int, _channel: str, account_id: str) -> None:
        self._forget_account_tokens(account_id)

    async def create_schema(self) -> None:
        # Several server processes may start at once: serialize the DDL.
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock(727001)")
            await conn.execute(SCHEMA)

    async def create_account(
        self,
        *,
        username: str,
        display_name: str,
        password: str,
        is_admin: bool = False,
        bargaining_units: tuple[str, ...] = (),
    ) -> Account:
        password_hash = await asyncio.to_thread(_hasher.hash, password)
        try:
            row = await self.pool.fetchrow(
                """INSERT INTO accounts (account_id, username, display_name, password_hash,
                                         is_admin, bargaining_units)
                   VALUES ($1, $2, $3, $4, $5, $6) RETURNING *""",
                uuid4().hex,
                username.strip().lower(),
                display_name.strip(),
                password_hash,
                is_admin,
                list(bargaining_units),
            )
        except asyncpg.UniqueViolationError:
            raise UsernameTaken(username) from None
        assert row is not None  # INSERT … RETURNING always returns the row
        return _account(row)

    async def account_by_username(self, username: str) -> Account | None:
        row = await self.pool.fetchrow(
            "SELECT * FROM accounts WHERE username = $1", username.strip().lower()
        )
        return _account(row) if row else None

    async def account_by_id(self, account_id: str) -> Account | None:
        row = await self.pool.fetchrow("SELECT * FROM accounts WHERE account_id = $1", account_id)
        return _account(row) if row else None

    async def set_password(self, username: str, password: str) -> bool:
        password_hash = await asyncio.to_thread(_hasher.hash, password)
        result: str = await self.pool.execute(
            "UPDATE accounts SET password_hash = $2 WHERE username = $1",
            username.strip().lower(),
            password_hash,
        )
        return result.endswith(" 1")

    async def login(self, username: str, password: str, *, remote: str) -> Account:
        """Check a password, refusing early while this address is throttled for this username
        (a growing delay), or for every username (too many failures from it in the window).

        Failures from one address never delay the same username from another: a stranger
        guessing cannot lock the owner out before a session."""
        username = username.strip().lower()
        since = datetime.now(UTC) - self.window
        counts = await self.pool.fetchrow(
            """SELECT
                 count(*) FILTER (WHERE username = $1) AS by_pair,
                 max(failed_at) FILTER (WHERE username = $1) AS last_pair,
                 count(*) AS by_remote,
                 min(failed_at) AS first_remote
               FROM login_failures
               WHERE failed_at > $3 AND remote = $2""",
            username,
            remote,
            since,
        )
        assert counts is not None  # an aggregate query always returns one row
        delay = self.delay_after(counts["by_pair"])
        if delay is not None:
            wait = self._seconds_until(counts["last_pair"] + delay)
            if wait > 0:
                raise LoginThrottled(wait)
        if counts["by_remote"] >= 4 * self.failures_allowed:
            raise LoginThrottled(self._seconds_until(counts["first_remote"] + self.window))
        row = await self.pool.fetchrow("SELECT * FROM accounts WHERE username = $1", username)
        stored = row["password_hash"] if row else _DUMMY_HASH
        try:
            await asyncio.to_thread(_hasher.verify, stored, password)
            ok = row is not None
        except (VerificationError, InvalidHashError):
            ok = False
        if not ok or row is None:
            # Failures older than the window count for nothing: trimmed as new ones come, so
            # a flood of guesses cannot grow the table without end.
            await self.pool.execute(
                """WITH expired AS (DELETE FROM login_failures WHERE failed_at <= $3)
                   INSERT INTO login_failures (username, remote) VALUES ($1, $2)""",
                username,
                remote,
                since,
            )
            raise LoginFailed()
        await self.pool.execute(
            "DELETE FROM login_failures WHERE username = $1 AND remote = $2", username, remote
        )
        return _account(row)

    def delay_after(self, failures: int) -> timedelta | None:
        """How long one address waits after this many failures for one username: none before
        failures_allowed, then the base delay, doubling with each failure, at most the window."""
        if failures < self.failures_allowed:
            return None
        doublings = min(failures - self.failures_allowed, 20)
        delay: timedelta = self.delay * (1 << doublings)
        return min(delay, self.window)

    @staticmethod
    def _seconds_until(moment: datetime) -> int:
        return max(0, int((moment - datetime.now(UTC)).total_seconds()) + 1)

    async def issue_token(self, account: Account, *, kind: str, label: str = "") -> IssuedToken:
        token = secrets.token_urlsafe(32)
        token_id = uuid4().hex
        expires = datetime.now(UTC) + self.session_lifetime if kind == "session" else None
        await self.pool.execute(
            """INSERT INTO access_tokens (token_id, token_hash, account_id, kind, label, expires_at)
               VALUES ($1, $2, $3, $4, $5, $6)""",
            token_id,
            _digest(token),
            account.account_id,
            kind,
            label,
            expires,
        )
        return IssuedToken(token_id=token_id, token=token, expires_at=expires)

    async def resolve_token(self, token: str) -> tuple[Account, str] | None:
        """The account behind a token. Answers are kept for TOKEN_CACHE_SECONDS; a revocation
        clears them on every server at once (REVOKED_CHANNEL), and the cache time bounds how
        long one could survive should the announcement be lost with a dropped connection."""
        digest = _digest(token)
        now = time.monotonic()
        cached = self._token_cache.get(digest)
        if cached is not None and cached[0] > now:
            return cached[1]
        revocations = self._revocations
        resolved = await self._lookup_token(digest)
        if len(self._token_cache) > 10_000:
            self._token_cache.clear()
        if revocations == self._revocations:  # no revocation heard while it was looked up
            self._token_cache[digest] = (now + TOKEN_CACHE_SECONDS, resolved)
        return resolved

    async def _lookup_token(self, digest: bytes) -> tuple[Account, str] | None:
        row = await self.pool.fetchrow(
            """SELECT a.*, t.token_id FROM access_tokens t JOIN accounts a USING (account_id)
               WHERE t.token_hash = $1 AND t.revoked_at IS NULL
                 AND (t.expires_at IS NULL OR t.expires_at > now())""",
            digest,
        )
        return (_account(row), row["token_id"]) if row else None

    def _forget_account_tokens(self, account_id: str) -> None:
        self._revocations += 1
        for digest, (_, resolved) in list(self._token_cache.items()):
            if resolved is not None and resolved[0].account_id == account_id:
                del self._token_cache[digest]
        for callback in self._on_revoked:
            callback(account_id)

    async def revoke_token(self, account_id: str, token_id: str) -> bool:
        self._forget_account_tokens(account_id)
        async with self.pool.acquire() as conn, conn.transaction():
            result: str = await conn.execute(
                """UPDATE access_tokens SET revoked_at = now()
                   WHERE token_id = $1 AND account_id = $2 AND revoked_at IS NULL""",
                token_id,
                account_id,
            )
            await _announce_revocation(conn, account_id)
        return result.endswith(" 1")

    async def list_tokens(self, account_id: str) -> list[asyncpg.Record]:
        return list(
            await self.pool.fetch(
                """SELECT token_id, kind, label, created_at, expires_at, revoked_at
               FROM access_tokens WHERE account_id = $1 ORDER BY created_at""",
                account_id,
            )
        )

    async def revoke_all_tokens(self, account_id: str) -> int:
        self._forget_account_tokens(account_id)
        async with self.pool.acquire() as conn, conn.transaction():
            result: str = await conn.execute(
                "UPDATE access_tokens SET revoked_at = now() "
                "WHERE account_id = $1 AND revoked_at IS NULL",
                account_id,
            )
            await _announce_revocation(conn, account_id)
        return int(result.split()[-1])


async def _announce_revocation(conn: asyncpg.Connection, account_id: str) -> None:
    """Delivered to every listening server when (and only if) the revocation commits."""
    await conn.execute("SELECT pg_notify($1, $2)", REVOKED_CHANNEL, account_id)
