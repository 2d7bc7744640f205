"""Test support: the app served for real by uvicorn in a thread, and signed-in people."""

from __future__ import annotations

import asyncio
import os
import sys
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, TypeVar

import uvicorn
from litestar import Litestar

from negotiation.application import Negotiations
from negotiation.domain.actors import Actor
from negotiation.domain.ground_rules import GroundRules
from web.identity import Identity

T = TypeVar("T")
PASSWORD = "correct horse battery staple"
REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Person:
    account_id: str
    username: str
    display_name: str
    token: str
    password: str = PASSWORD

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    @property
    def actor(self) -> Actor:
        return Actor(account_id=self.account_id, name=self.display_name)


class PersonFactory(Protocol):
    def __call__(
        self, *, is_admin: bool = False, units: tuple[str, ...] = (), name: str | None = None
    ) -> Person: ...


class LiveServer:
    def __init__(self, app: Litestar, server: uvicorn.Server, thread: threading.Thread) -> None:
        self.app = app
        self._server = server
        self._thread = thread
        self.loop: asyncio.AbstractEventLoop | None = None
        self.port = 0

    @classmethod
    def start(cls, app: Litestar, port: int = 0) -> LiveServer:
        """Serve `app` on `port` (0: a free one; a given port: a node restarting where its
        clients left it) and wait until it accepts."""
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=port,
            log_level="warning",
            lifespan="on",
            ws="websockets-sansio",
            proxy_headers=False,  # as `negotiation serve`: TRUSTED_PROXIES decides
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
        live = cls(app, server, thread)

        async def remember_loop() -> None:
            live.loop = asyncio.get_running_loop()

        app.on_startup.append(remember_loop)
        thread.start()
        deadline = time.monotonic() + 60
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the test server did not start; see the log above")
            time.sleep(0.02)
        live.port = server.servers[0].sockets[0].getsockname()[1]
        return live

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run a coroutine on the server's own loop (its asyncpg pool belongs to that loop)."""
        assert self.loop is not None
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=60)

    @property
    def identity(self) -> Identity:
        identity: Identity = self.app.state.identity
        return identity

    def person(
        self, *, is_admin: bool = False, units: tuple[str, ...] = (), name: str | None = None
    ) -> Person:
        username = f"user_{uuid.uuid4().hex[:10]}"
        display_name = name or f"Person {username[-4:]}"

        async def make() -> Person:
            account = await self.identity.create_account(
                username=username,
                display_name=display_name,
                password=PASSWORD,
                is_admin=is_admin,
                bargaining_units=units,
            )
            issued = await self.identity.issue_token(account, kind="api", label="tests")
            return Person(
                account_id=account.account_id,
                username=username,
                display_name=display_name,
                token=issued.token,
            )

        return self.run(make())

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=30)


@dataclass(frozen=True)
class Table:
    """A negotiation ready for bargaining: both chiefs, ground rules agreed, a session open."""

    negotiation_id: str
    union: Person
    employer: Person
    session_id: str

    @property
    def base(self) -> str:
        return f"/api/negotiations/{self.negotiation_id}"


async def expect(response: Any, status: int) -> Any:
    assert response.status_code == status, (response.status_code, response.text)
    return response.json() if response.content else None


def open_table_in(app: Negotiations, union: Actor, employer: Actor, title: str) -> Any:
    """`open_table` without HTTP, on the application itself: a negotiation with its ground
    rules agreed and an open session running. Returns (negotiation id, session id)."""
    negotiation_id = app.open_negotiation(
        union,
        title=title,
        kind="collective_bargaining",
        bargaining_unit="Unit",
        union_name="Union",
        employer_name="District",
        opener_party="union",
        other_chief=employer,
    )
    offer = app.propose_ground_rules(negotiation_id, union, rules=GroundRules())
    app.agree_ground_rules(negotiation_id, employer, offer_id=offer)
    session_id = app.schedule_session(
        negotiation_id,
        union,
        title="",
        visibility="open",
        location="Hall",
        starts_at=datetime.now(UTC),
    )
    app.open_session(negotiation_id, employer, session_id=session_id)
    return negotiation_id, session_id


async def open_article(
    http: Any,
    table: Table,
    *,
    number: str = "12",
    title: str = "Class size",
    category: str = "non_economic",
    current_language: str | None = None,
) -> Any:
    """The union opens an article at the table; returns the created body ({"id": …})."""
    body: dict[str, Any] = {"number": number, "title": title, "category": category}
    if current_language is not None:
        body["current_language"] = current_language
    return await expect(
        await http.post(f"{table.base}/articles", headers=table.union.headers, json=body), 201
    )


async def table_proposal(
    http: Any, table: Table, article_id: str, who: Person, text: str, **link: Any
) -> Any:
    """`who` tables a proposal on the article; `link` (answers=, revises=) goes in the body
    as given. Returns the created body ({"id": …})."""
    return await expect(
        await http.post(
            f"{table.base}/articles/{article_id}/proposals",
            headers=who.headers,
            json={"text": text} | link,
        ),
        201,
    )


async def bring_to_table(http: Any, table: Table, article_id: str) -> None:
    """The union brings the article to the table in the table's session."""
    await expect(
        await http.post(
            f"{table.base}/sessions/{table.session_id}/table",
            headers=table.union.headers,
            json={"article_id": article_id},
        ),
        200,
    )


async def add_to_team(http: Any, table: Table, person: Person, party: str = "union") -> Any:
    """That party's chief adds the person to its team."""
    chief = table.union if party == "union" else table.employer
    return await expect(
        await http.post(
            f"{table.base}/team",
            headers=chief.headers,
            json={"username": person.username, "party": party},
        ),
        201,
    )


async def open_table(
    http: Any,
    people: PersonFactory,
    *,
    unit: str = "Educators",
    visibility: str = "open",
    ground_rules: dict[str, Any] | None = None,
    open_session: bool = True,
) -> Table:
    union = people(name="Uma Union")
    employer = people(name="Eli Employer")
    created = await expect(
        await http.post(
            "/api/negotiations",
            headers=union.headers,
            json={
                "title": f"Contract {uuid.uuid4().hex[:6]}",
                "kind": "collective_bargaining",
                "bargaining_unit": unit,
                "union_name": "Educators Association",
                "employer_name": "Unified School District",
                "my_party": "union",
                "other_chief_username": employer.username,
            },
        ),
        201,
    )
    base = f"/api/negotiations/{created['id']}"
    offer = await expect(
        await http.post(f"{base}/ground-rules", headers=union.headers, json=ground_rules or {}), 201
    )
    await expect(
        await http.post(
            f"{base}/ground-rules/{offer['id']}/agree", headers=employer.headers, json={}
        ),
        200,
    )
    session = await expect(
        await http.post(
            f"{base}/sessions",
            headers=union.headers,
            json={
                "visibility": visibility,
                "location": "District office, room 4",
                "starts_at": "2026-11-24T16:00:00+00:00",
                "capacity": 120,
            },
        ),
        201,
    )
    if open_session:
        await expect(
            await http.post(f"{base}/sessions/{session['id']}/open", headers=employer.headers), 200
        )
    return Table(created["id"], union, employer, session["id"])


async def run_cli(database_url: str, *args: str) -> tuple[int, str]:
    """`python -m web.cli ARGS` against that database, from the repository root; returns its
    exit status and what it printed (stdout and stderr together)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "web.cli",
        *args,
        env={**os.environ, "DATABASE_URL": database_url},
        cwd=REPO_ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await process.communicate()
    return process.returncode or 0, out.decode()


# ---------------------------------------------------------------------- waiting on positions
POLL_SECONDS = 0.05


async def wait_until(check: Callable[[], Awaitable[bool]], *, what: str, timeout: float) -> None:
    """Wait (bounded) until `check()` holds, else fail saying what never happened. For what
    nothing announces (a process gone, a cache forgotten); for positions: wait_for_position."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await check():
        if loop.time() > deadline:
            raise AssertionError(f"{what}: not within {timeout} s")
        await asyncio.sleep(POLL_SECONDS)


async def wait_for_position(
    read: Callable[[], Awaitable[int]], position: int, *, what: str, timeout: float = 20.0
) -> int:
    """Wait (bounded) until `read()` reports `position` or later (a projection's stored
    position, a node's snapshot, a negotiation's projected version); returns what it read.
    Positions only grow, so "or later" is never a stale answer. Fails naming `what`, the
    position it stayed at and the one awaited."""
    seen: list[int] = []

    async def reached() -> bool:
        seen.append(await read())
        return seen[-1] >= position

    try:
        await wait_until(reached, what=what, timeout=timeout)
    except AssertionError:
        raise AssertionError(
            f"{what} stayed at {seen[-1] if seen else None} < {position} for {timeout} s"
        ) from None
    return seen[-1]


async def board_position(http: Any, base: str, headers: dict[str, str] | None = None) -> int:
    """The persistent board's position for a negotiation (its GET /board), -1 before it has
    one: a `read` for wait_for_position."""
    response = await http.get(f"{base}/board", headers=headers or {})
    if response.status_code == 404:
        return -1  # not projected yet
    position: int = (await expect(response, 200))["position"]
    return position
