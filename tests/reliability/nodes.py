"""Real server processes for reliability tests (start, wait until ready, kill, read the log),
and a seeded stream of valid commands that keeps a bargaining table busy."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, NamedTuple

import asyncpg
import httpx

from negotiation.database import DatabaseConfig
from projections.events import EVENTS_TABLE
from tests.support import PASSWORD, Person, Table, open_table
from web.identity import Identity

REPO_ROOT = Path(__file__).resolve().parents[2]
READY_TIMEOUT = 60.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class ServerProcess:
    """`python -m web.cli serve` on a loopback port, DATABASE_URL pointing at `database`."""

    database: DatabaseConfig
    data_dir: Path
    name: str = "node"
    extra_args: tuple[str, ...] = ()
    port: int = 0
    process: subprocess.Popen[bytes] | None = None
    log_path: Path = field(init=False)
    _log: IO[bytes] | None = None

    def __post_init__(self) -> None:
        self.log_path = self.data_dir / f"{self.name}-{uuid.uuid4().hex[:6]}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def ws_url(self, negotiation_id: str, query: str = "feed=board") -> str:
        return f"ws://127.0.0.1:{self.port}/ws/negotiations/{negotiation_id}/?{query}"

    def start(self) -> ServerProcess:
        self.port = free_port()
        env = dict(os.environ)
        env.update(
            DATABASE_URL=self.database.dsn(),
            NEGOTIATION_DATA_DIR=str(self.data_dir),
            PYTHONUNBUFFERED="1",
        )
        self._log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "web.cli",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--log-level",
                "warning",
                *self.extra_args,
            ],
            cwd=REPO_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        return self

    async def wait_ready(self, timeout: float = READY_TIMEOUT) -> None:
        """Poll GET /api/negotiations until it answers 200 (the lifespan has finished)."""
        assert self.process is not None
        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient(base_url=self.url, timeout=2.0) as client:
            while True:
                if self.process.poll() is not None:
                    raise RuntimeError(f"{self.name} exited early:\n{self.log()}")
                try:
                    response = await client.get("/api/negotiations")
                    if response.status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{self.name} not ready after {timeout} s:\n{self.log()}")
                await asyncio.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL: no lifespan shutdown, no flushing, like a power cut for this process."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self._reap()

    def stop(self) -> None:
        """SIGTERM (graceful), escalating to SIGKILL."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self._reap()

    def _reap(self) -> None:
        if self.process is not None:
            self.process.wait(timeout=15)
        if self._log is not None:
            self._log.close()
            self._log = None

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-20_000:]
        except FileNotFoundError:
            return "(no log)"


@contextmanager
def running(*nodes: ServerProcess) -> Iterator[tuple[ServerProcess, ...]]:
    """Kill every node on the way out; print their logs if the body failed."""
    try:
        yield nodes
    except BaseException:
        for node in nodes:
            print(f"----- log of {node.name} ({node.log_path}) -----\n{node.log()}")
        raise
    finally:
        for node in nodes:
            node.kill()


async def make_people(database: DatabaseConfig, count: int, **kwargs: Any) -> list[Person]:
    """Accounts with API tokens, created directly in `database` (a server made the schema)."""
    pool = await asyncpg.create_pool(**database.asyncpg_kwargs(), min_size=1, max_size=2)
    try:
        identity = Identity(pool)
        await identity.create_schema()
        people = []
        for _ in range(count):
            username = f"user_{uuid.uuid4().hex[:10]}"
            account = await identity.create_account(
                username=username,
                display_name=f"Person {username[-4:]}",
                password=PASSWORD,
                **kwargs,
            )
            issued = await identity.issue_token(account, kind="api", label="reliability")
            people.append(
                Person(
                    account_id=account.account_id,
                    username=username,
                    display_name=account.display_name,
                    token=issued.token,
                )
            )
        return people
    finally:
        await pool.close()


def handing_out(people: list[Person]) -> Any:
    """A PersonFactory (as open_table wants) that hands out accounts made beforehand."""
    remaining = iter(people)

    def person(**_: Any) -> Person:
        return next(remaining)

    return person


class TwoNodes(NamedTuple):
    a: ServerProcess
    b: ServerProcess
    http_a: httpx.AsyncClient
    http_b: httpx.AsyncClient
    table: Table  # opened on node A


@asynccontextmanager
async def two_nodes(database: DatabaseConfig, data_dir: Path) -> AsyncIterator[TwoNodes]:
    """Nodes A and B on one database, an HTTP client for each, and a table opened through A.
    The nodes start one after the other (starting together on an empty database is
    test_two_nodes' race topic); both are killed on the way out, their logs printed if the
    body failed."""
    a = ServerProcess(database, data_dir, "A").start()
    b = ServerProcess(database, data_dir, "B")
    with running(a, b):
        await a.wait_ready()
        await b.start().wait_ready()
        people = await make_people(database, 2)
        async with (
            httpx.AsyncClient(base_url=a.url, timeout=10) as http_a,
            httpx.AsyncClient(base_url=b.url, timeout=10) as http_b,
        ):
            table = await open_table(http_a, handing_out(people))
            yield TwoNodes(a, b, http_a, http_b, table)


async def last_position(database: DatabaseConfig, negotiation_id: str) -> int:
    """The log position of the negotiation's last event."""
    conn = await asyncpg.connect(**database.asyncpg_kwargs())
    try:
        position: int = await conn.fetchval(
            f"SELECT max(notification_id) FROM {EVENTS_TABLE} WHERE originator_id = $1",
            negotiation_id,
        )
        return position
    finally:
        await conn.close()


# ---------------------------------------------------------------------- a bargaining table at work
PARTIES = ("union", "employer")
VISIBILITIES = ("open", "members", "closed")


def other(party: str) -> str:
    return "employer" if party == "union" else "union"


@dataclass
class ArticleState:
    article_id: str
    number: str
    latest: tuple[str, str] | None = None  # (party, proposal id) of the latest live proposal
    agreed: bool = False


@dataclass
class Bargaining:
    """Sends a seeded random stream of real commands to one table, every one of them valid:
    it keeps just enough of the negotiation's state (whose turn it is on each article, the
    caucus, the session's visibility) to choose commands the rules accept, so any refusal is
    a failure. `clients` are used in turn (one per node, to alternate between nodes)."""

    table: Table
    rng: random.Random
    clients: list[httpx.AsyncClient]
    articles: list[ArticleState] = field(default_factory=list)
    drafts: dict[str, list[list[Any]]] = field(default_factory=lambda: {p: [] for p in PARTIES})
    caucus: str | None = None
    visibility: str = "open"
    on_table: str | None = None
    sent: int = 0
    kinds: Counter[str] = field(default_factory=Counter)

    def chief(self, party: str) -> Person:
        return self.table.union if party == "union" else self.table.employer

    async def send(self, method: str, path: str, party: str, body: Any, status: int) -> Any:
        client = self.clients[self.sent % len(self.clients)]
        self.sent += 1
        response = await client.request(
            method, self.table.base + path, headers=self.chief(party).headers, json=body
        )
        assert response.status_code == status, (method, path, response.status_code, response.text)
        return response.json() if response.content else None

    async def step(self) -> None:
        """One action (one or two commands), chosen among those the rules allow right now."""
        open_articles = [a for a in self.articles if not a.agreed]
        at_table = self.caucus is None
        choices: list[tuple[str, int]] = [("note", 2), ("caucus", 1), ("visibility", 1)]
        if at_table:
            choices.append(("article", 6 if len(open_articles) < 3 else 1))
        if self.articles:
            choices += [("draft", 2), ("bulletin", 1), ("attendance", 1)]
        if any(self.drafts.values()):
            choices.append(("revise", 1))
        if open_articles and at_table:
            choices += [("propose", 8), ("table", 1)]
        if any(a.latest for a in open_articles) and at_table:
            choices.append(("ta", 1))
        kinds, weights = zip(*choices, strict=True)
        kind = self.rng.choices(kinds, weights)[0]
        self.kinds[kind] += 1
        await getattr(self, f"_{kind}")(open_articles)

    async def step_out_of_caucus(self) -> None:
        """End a caucus still under way (so that acts across the table are possible again)."""
        if self.caucus is not None:
            await self._caucus([])

    async def _article(self, _: list[ArticleState]) -> None:
        number = str(len(self.articles) + 1)
        created = await self.send(
            "POST",
            "/articles",
            self.rng.choice(PARTIES),
            {"number": number, "title": f"Subject {number}", "category": "non_economic"},
            201,
        )
        self.articles.append(ArticleState(created["id"], number))

    async def _propose(self, open_articles: list[ArticleState]) -> None:
        article = self.rng.choice(open_articles)
        if article.latest is None:
            party, answers = self.rng.choice(PARTIES), None
        else:
            party, answers = other(article.latest[0]), article.latest[1]
        text = f"{party} offer {self.sent}: {self.rng.randint(1, 99)} days"
        created = await self.send(
            "POST",
            f"/articles/{article.article_id}/proposals",
            party,
            {"text": text, "answers": answers},
            201,
        )
        article.latest = (party, created["id"])

    async def _ta(self, open_articles: list[ArticleState]) -> None:
        article = self.rng.choice([a for a in open_articles if a.latest])
        assert article.latest is not None
        first = self.rng.choice(PARTIES)
        for party in (first, other(first)):
            await self.send(
                "POST",
                f"/articles/{article.article_id}/proposals/{article.latest[1]}/ta",
                party,
                {},
                200,
            )
        article.agreed = True

    async def _draft(self, _: list[ArticleState]) -> None:
        party = self.rng.choice(PARTIES)
        article = self.rng.choice(self.articles)
        created = await self.send(
            "POST",
            "/drafts",
            party,
            {"article_id": article.article_id, "text": f"{party} fallback {self.sent}"},
            201,
        )
        self.drafts[party].append([created["id"], 1])

    async def _revise(self, _: list[ArticleState]) -> None:
        party = self.rng.choice([p for p in PARTIES if self.drafts[p]])
        draft = self.rng.choice(self.drafts[party])
        await self.send(
            "PUT",
            f"/drafts/{draft[0]}",
            party,
            {"text": f"{party} fallback, revised {self.sent}", "expected_revision": draft[1]},
            200,
        )
        draft[1] += 1

    async def _note(self, _: list[ArticleState]) -> None:
        body: dict[str, Any] = {"text": f"note {self.sent}"}
        if self.rng.random() < 0.5:
            body["session_id"] = self.table.session_id
        await self.send("POST", "/notes", self.rng.choice(PARTIES), body, 201)

    async def _caucus(self, _: list[ArticleState]) -> None:
        session = f"/sessions/{self.table.session_id}"
        if self.caucus is None:
            party = self.rng.choice(PARTIES)
            await self.send("POST", f"{session}/caucus", party, None, 200)
            self.caucus = party
        else:
            await self.send("POST", f"{session}/caucus/end", self.caucus, None, 200)
            self.caucus = None

    async def _visibility(self, _: list[ArticleState]) -> None:
        visibility = self.rng.choice([v for v in VISIBILITIES if v != self.visibility])
        await self.send(
            "PUT",
            f"/sessions/{self.table.session_id}/visibility",
            self.rng.choice(PARTIES),
            {"visibility": visibility},
            200,
        )
        self.visibility = visibility

    async def _bulletin(self, _: list[ArticleState]) -> None:
        await self.send(
            "POST",
            f"/sessions/{self.table.session_id}/bulletins",
            self.rng.choice(PARTIES),
            {"text": f"bulletin {self.sent}"},
            201,
        )

    async def _attendance(self, _: list[ArticleState]) -> None:
        await self.send(
            "POST",
            f"/sessions/{self.table.session_id}/attendance",
            self.rng.choice(PARTIES),
            {"count": self.rng.randint(1, 120)},
            200,
        )

    async def _table(self, open_articles: list[ArticleState]) -> None:
        # The session remembers what is on the table; bringing the same one again is refused.
        candidates = [a for a in self.articles if a.article_id != self.on_table]
        if not candidates:
            return await self._note(open_articles)
        article = self.rng.choice(candidates)
        await self.send(
            "POST",
            f"/sessions/{self.table.session_id}/table",
            self.rng.choice(PARTIES),
            {"article_id": article.article_id},
            200,
        )
        self.on_table = article.article_id
