"""Benchmark: table commands per second through the HTTP API, and the application called directly.

One run, on a fresh database ``bench_<hex>`` on the embedded PostgreSQL (``var/bench-pgdata``) or
on ``DATABASE_URL``'s server, dropped at the end:

HTTP side
    The app is served by uvicorn (uvloop + httptools) in ``--server-procs`` (2) child processes
    accepting on one listening socket bound by this process, exactly as ``negotiation serve
    --workers 2`` runs it: each process is a node (its own hub and pools; one of them writes the
    projections), and the kernel hands each new connection to one of them. Two is the default
    because it is the recommended setup on this 2-core machine (bench/README.md): one process
    cannot use both cores. The clients do not share the servers' GILs. ``--clients`` (16)
    bargaining loops share ``--negotiations`` (4) negotiations, four loops on each, so commands on
    one negotiation queue on its lock as they would at a busy table (across processes, on the
    node lock), while each loop works on its own articles (no domain conflicts). The loops run
    as asyncio tasks spread over ``--client-procs`` client processes (httpx.AsyncClient, one
    keep-alive connection per loop). Latency is measured at the client, request sent to
    response read.

Raw side
    The same loops calling ``Negotiations`` directly (no HTTP, no tokens), one thread per loop,
    the same number of loops and negotiations (fresh ones), the same duration, the same
    PostgreSQL and eventsourcing settings as the server (``DatabaseConfig.eventsourcing_env()``),
    with the servers stopped. Like with like: the loops are spread over as many processes as
    the HTTP side has server processes (``--raw-procs``), each with its own application object,
    so commands on one negotiation take the node lock across processes there too; the headline
    ratio is HTTP over that. A second raw run with all loops in this one process follows (one
    application object, as the earlier single-process figures were measured): it is printed
    and in the JSON (``raw_1proc_commands_per_s``, ``ratio_to_1proc_raw``).

One bargaining loop: the union opens an article, tables a proposal, the employer counters it
(``answers``), the union signs a TA on the counter, the employer signs it (the article is agreed),
and round again. Headline figures count the four table commands (proposal, counter, two TAs);
opening the article is a command too, timed and shown separately, but not in the headline.
The last line printed is one JSON object.

Reading it (more in bench/README.md): each side also shows the event log's events per commit
in its window (rows sharing one transaction's ``xmin``): ≈ 1.2 is one save per commit (a TA
that agrees an article records two events); more is group commit at work
(negotiation/recorder.py). The machine's load blurs it much less than the rates; the ratio
less than the rates too, but it still falls as the load rises (the HTTP side waits for more
thread wake-ups per command). With "other" above 20 % of a core, compare only runs made in
the same minutes, alternating.

    .venv/bin/python bench/commands.py --seconds 15
    .venv/bin/python bench/commands.py --server-procs 1     # one server process, as before
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import multiprocessing as mp
import os
import threading
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from _measure import (  # bench/_measure.py
    machine_busy_seconds,
    make_people,
    open_table,
    percentile,
    postgres_cpu_seconds,
    process_cpu_seconds,
    serve_and_report_port,
    sleep_until,
    workers,
)

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = REPO_ROOT / "var" / "bench-pgdata"

TABLE_KINDS = ("table_proposal", "counter", "sign_ta")
ALL_KINDS = ("open_article", *TABLE_KINDS)
PROPOSAL = (
    "Section {n}. The parties agree that no class shall exceed {size} students. Where a class "
    "exceeds this limit for more than ten school days, the District shall pay the teacher an "
    "overload stipend for each additional student, and the building committee shall meet within "
    "five days to propose a remedy."
)
TARGETS = {"http_commands_per_s": 300.0, "p99_ms": 100.0, "ratio": 0.5}


# ---------------------------------------------------------------------- measurements
@dataclass
class Samples:
    """Per command: its kind, when it finished (time.monotonic) and how long it took (s)."""

    kinds: list[str] = field(default_factory=list)
    done_at: list[float] = field(default_factory=list)
    latency: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def add(self, kind: str, started: float, finished: float) -> None:
        self.kinds.append(kind)
        self.done_at.append(finished)
        self.latency.append(finished - started)

    def extend(self, other: Samples) -> None:
        self.kinds += other.kinds
        self.done_at += other.done_at
        self.latency += other.latency
        self.errors += other.errors


@dataclass(frozen=True)
class Figures:
    seconds: float
    counts: dict[str, int]
    table_per_s: float
    all_per_s: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    errors: int
    thirds: list[float]  # table commands/s in each third of the window: does the rate decay?
    articles: int  # articles opened in the whole run (warm-up too): how big the state grew


def summarize(samples: Samples, window: tuple[float, float]) -> Figures:
    """Commands that finished inside the window; latency percentiles over the table commands."""
    start, end = window
    counts = dict.fromkeys(ALL_KINDS, 0)
    thirds = [0, 0, 0]
    table_latencies: list[float] = []
    for kind, done, latency in zip(samples.kinds, samples.done_at, samples.latency, strict=True):
        if start <= done <= end:
            counts[kind] += 1
            if kind in TABLE_KINDS:
                table_latencies.append(latency)
                thirds[min(2, int(3 * (done - start) / (end - start)))] += 1
    table_latencies.sort()
    seconds = end - start
    return Figures(
        seconds=seconds,
        counts=counts,
        table_per_s=len(table_latencies) / seconds,
        all_per_s=sum(counts.values()) / seconds,
        p50_ms=percentile(table_latencies, 50) * 1000,
        p99_ms=percentile(table_latencies, 99) * 1000,
        max_ms=(table_latencies[-1] if table_latencies else math.nan) * 1000,
        errors=len(samples.errors),
        thirds=[3 * n / seconds for n in thirds],
        articles=samples.kinds.count("open_article"),
    )


@dataclass
class CpuWatch:
    """CPU used by named processes and PostgreSQL between start() and stop(), in % of one core;
    and, given the database, how many events each commit of the event log carried meanwhile
    (group commit: saves made while another is written share its transaction)."""

    pids: dict[str, list[int]]
    database: Any = None
    _before: dict[str, float] = field(default_factory=dict)
    usage: dict[str, float] = field(default_factory=dict)
    events_per_commit: float = math.nan
    _heads: list[int] = field(default_factory=list)

    def _log_head(self) -> None:
        if self.database is not None:
            with _connect(self.database) as conn:
                cursor = conn.execute("SELECT max(notification_id) FROM negotiations_events")
                (head,) = cursor.fetchone()
            self._heads.append(head or 0)

    def _count_commits(self) -> None:
        if self.database is None:
            return
        with _connect(self.database) as conn:
            # Rows one transaction inserted share its xmin.
            events, commits = conn.execute(
                "SELECT count(*), count(DISTINCT xmin::text) FROM negotiations_events "
                "WHERE notification_id > %s AND notification_id <= %s",
                self._heads[-2:],
            ).fetchone()
        self.events_per_commit = events / commits if commits else math.nan

    def _read(self) -> dict[str, float]:
        now = {name: sum(process_cpu_seconds(p) for p in pids) for name, pids in self.pids.items()}
        now["postgres"] = postgres_cpu_seconds()
        busy, total = machine_busy_seconds()
        now["machine_busy"], now["machine_total"] = busy, total
        now["wall"] = time.monotonic()
        return now

    def start(self) -> None:
        self._log_head()
        self._before = self._read()

    def stop(self) -> None:
        after = self._read()
        self._log_head()
        self._count_commits()
        wall = after["wall"] - self._before["wall"]
        for name in [*self.pids, "postgres"]:
            self.usage[name] = 100 * (after[name] - self._before[name]) / wall
        busy = after["machine_busy"] - self._before["machine_busy"]
        total = after["machine_total"] - self._before["machine_total"]
        self.usage["machine"] = 100 * busy / total if total else math.nan
        # Everything else on the machine (other jobs skew the figures), in % of one core.
        ours = sum(self.usage[name] for name in [*self.pids, "postgres"])
        self.usage["other"] = max(0.0, 100 * busy / wall - ours)


def _connect(database: Any) -> Any:
    import psycopg

    return psycopg.connect(
        host=database.host, port=database.port, dbname=database.dbname, user=database.user,
        password=database.password, autocommit=True,
    )


# ---------------------------------------------------------------------- the server process
def serve(database: Any, listening: Any, conn: Connection) -> None:
    """Child process: the real app on uvicorn (uvloop, httptools), accepting on the listening
    socket the parent bound; reports its port, then serves until SIGTERM."""
    import uvicorn

    from web.app import create_app
    from web.settings import Settings

    app = create_app(Settings(port=0, data_dir=DATA_DIR), database=database)
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=0,
        loop="uvloop",
        http="httptools",
        ws="none",
        lifespan="on",
        log_level="warning",
        access_log=False,
    )
    serve_and_report_port(uvicorn.Server(config), conn, [listening])


# ---------------------------------------------------------------------- setup (not timed)
@dataclass(frozen=True)
class Job:
    """One bargaining loop: its own articles, in a negotiation shared with other loops."""

    client: int
    negotiation_id: str
    union: str  # bearer token (HTTP) or account id (raw)
    employer: str


async def http_setup(url: str, database: Any, clients: int, negotiation_count: int) -> list[Job]:
    """Negotiations with both chiefs, ground rules agreed and a session open, through the API."""
    import httpx

    people = await make_people(database, 2 * negotiation_count)
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        negotiations = []
        for n in range(negotiation_count):
            union, employer = people[2 * n], people[2 * n + 1]
            negotiation_id, _ = await open_table(http, union, employer, title=f"Bench contract {n}")
            negotiations.append((negotiation_id, union[1], employer[1]))
    return [Job(client, *negotiations[client % negotiation_count]) for client in range(clients)]


# ---------------------------------------------------------------------- HTTP clients
class Refused(Exception):
    pass


class TimeIsUp(Exception):
    pass


Post = Callable[[str, dict[str, str], Any], Awaitable[tuple[int, bytes]]]


class LeanConnection:
    """One keep-alive HTTP/1.1 connection with just enough protocol for these JSON POSTs.

    httpx spends a few hundred microseconds of CPU per request; on a 2-core machine that CPU is
    taken from the server being measured, so ``--client lean`` shows how much the client costs.
    """

    def __init__(self, url: str) -> None:
        host, _, port = url.removeprefix("http://").partition(":")
        self.host, self.port = host, int(port)
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, headers: dict[str, str], body: Any) -> tuple[int, bytes]:
        if self.reader is None or self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        payload = json.dumps(body).encode()
        head = (
            f"POST {path} HTTP/1.1\r\nhost: {self.host}:{self.port}\r\n"
            f"content-type: application/json\r\ncontent-length: {len(payload)}\r\n"
            + "".join(f"{name}: {value}\r\n" for name, value in headers.items())
            + "\r\n"
        )
        self.writer.write(head.encode() + payload)
        lines = (await self.reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        length, close = None, False
        for line in lines[1:]:
            name, _, value = line.partition(":")
            name = name.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "connection":
                close = value.strip().lower() == "close"
        if length is None:
            raise RuntimeError(f"a response without content-length: {lines[0]}")
        content = await self.reader.readexactly(length)
        if close:
            self.writer.close()
            self.reader = self.writer = None
        return status, content

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


async def http_loop(post: Post, job: Job, stop_at: float, samples: Samples) -> None:
    union = {"Authorization": f"Bearer {job.union}"}
    employer = {"Authorization": f"Bearer {job.employer}"}
    base = f"/api/negotiations/{job.negotiation_id}"

    async def command(kind: str, path: str, headers: dict[str, str], body: Any, status: int) -> Any:
        if time.monotonic() >= stop_at:
            raise TimeIsUp
        started = time.monotonic()
        got, content = await post(path, headers, body)
        finished = time.monotonic()
        if got != status:
            raise Refused(f"{kind} → {got} {content[:300].decode(errors='replace')}")
        samples.add(kind, started, finished)
        return json.loads(content)

    round_ = 0
    while True:
        round_ += 1
        try:
            article = await command("open_article", f"{base}/articles", union, {
                "number": f"{job.client}.{round_}", "title": f"Class size {job.client}.{round_}",
                "category": "non_economic", "current_language": "No class shall exceed 32.",
            }, 201)
            proposals = f"{base}/articles/{article['id']}/proposals"
            first = await command("table_proposal", proposals, union,
                                  {"text": PROPOSAL.format(n=round_, size=24)}, 201)
            counter = await command("counter", proposals, employer,
                                    {"text": PROPOSAL.format(n=round_, size=30),
                                     "answers": first["id"]}, 201)
            ta = f"{proposals}/{counter['id']}/ta"
            signed = await command("sign_ta", ta, union, {}, 200)
            if signed.get("article_agreed") is not False:
                raise Refused(f"first TA signature answered {signed}")
            signed = await command("sign_ta", ta, employer, {}, 200)
            if signed.get("article_agreed") is not True:
                raise Refused(f"second TA signature answered {signed}")
        except TimeIsUp:
            return
        except Refused as refused:
            samples.errors.append(str(refused))  # start over with a new article


def client_process(url: str, client: str, jobs: list[Job], conn: Connection) -> None:
    """Child process: run some bargaining loops over HTTP, then send back the samples."""
    import httpx
    import uvloop

    samples = Samples()

    async def main() -> None:
        limits = httpx.Limits(max_connections=len(jobs), max_keepalive_connections=len(jobs))
        lean = [LeanConnection(url) for _ in jobs]
        async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60) as http:

            async def httpx_post(
                path: str, headers: dict[str, str], body: Any
            ) -> tuple[int, bytes]:
                response = await http.post(path, headers=headers, json=body)
                return response.status_code, response.content

            posts: list[Post] = (
                [c.post for c in lean] if client == "lean" else [httpx_post for _ in jobs]
            )
            conn.send("ready")
            start_at, stop_at = await asyncio.get_running_loop().run_in_executor(None, conn.recv)
            await asyncio.sleep(max(0.0, start_at - time.monotonic()))
            try:
                await asyncio.gather(
                    *(http_loop(post, job, stop_at, samples)
                      for post, job in zip(posts, jobs, strict=True))
                )
            finally:
                for c in lean:
                    c.close()

    uvloop.run(main())
    conn.send(samples)


def run_http(
    database: Any,
    urls: list[str],
    server_pids: list[int],
    jobs: list[Job],
    client: str,
    procs: int,
    warmup: float,
    seconds: float,
) -> tuple[Figures, Samples, CpuWatch]:
    ctx = mp.get_context("spawn")
    pipes, processes = [], []
    for i in range(procs):
        parent_end, child_end = ctx.Pipe()
        process = ctx.Process(
            target=client_process,
            args=(urls[i % len(urls)], client, jobs[i::procs], child_end),
            name=f"bench-client-{i}",
        )
        process.start()
        pipes.append(parent_end)
        processes.append(process)
    try:
        for pipe in pipes:
            if not pipe.poll(60):
                raise RuntimeError("a client process did not start within 60 s")
            pipe.recv()
        # time.monotonic() is CLOCK_MONOTONIC: the same clock in every process on this machine.
        start_at = time.monotonic() + 0.2
        measure_from = start_at + warmup
        stop_at = measure_from + seconds
        for pipe in pipes:
            pipe.send((start_at, stop_at))
        watch = CpuWatch(
            {"server": server_pids, "clients": [p.pid or 0 for p in processes]}, database
        )
        sleep_until(measure_from)
        watch.start()
        sleep_until(stop_at)
        watch.stop()
        samples = Samples()
        for pipe in pipes:
            if not pipe.poll(120):
                raise RuntimeError("a client process did not finish within 120 s of the end")
            samples.extend(pipe.recv())
        for process in processes:
            process.join(30)
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
                process.join(10)
    return summarize(samples, (measure_from, stop_at)), samples, watch


# ---------------------------------------------------------------------- raw side
def raw_setup(app: Any, clients: int, negotiation_count: int) -> list[Job]:
    from negotiation.domain.actors import Actor
    from negotiation.domain.ground_rules import GroundRules

    negotiations = []
    for n in range(negotiation_count):
        union = Actor(account_id=uuid.uuid4().hex, name=f"Raw union chief {n}")
        employer = Actor(account_id=uuid.uuid4().hex, name=f"Raw employer chief {n}")
        negotiation_id = app.open_negotiation(
            union, title=f"Raw contract {n}", kind="collective_bargaining",
            bargaining_unit="Educators", union_name="Educators Association",
            employer_name="Unified School District", opener_party="union", other_chief=employer,
        )
        offer = app.propose_ground_rules(negotiation_id, union, rules=GroundRules())
        app.agree_ground_rules(negotiation_id, employer, offer_id=offer)
        session = app.schedule_session(
            negotiation_id, union, title="", visibility="open",
            location="District office, room 4", starts_at=datetime(2026, 11, 24, 16, tzinfo=UTC),
            capacity=120,
        )
        app.open_session(negotiation_id, employer, session_id=session)
        negotiations.append((str(negotiation_id), union, employer))
    jobs = []
    for client in range(clients):
        negotiation_id, union, employer = negotiations[client % negotiation_count]
        jobs.append(Job(client, negotiation_id, union.account_id, employer.account_id))
    return jobs


def raw_loop(app: Any, job: Job, start_at: float, stop_at: float, samples: Samples) -> None:
    from negotiation.domain.actors import Actor

    negotiation_id = uuid.UUID(job.negotiation_id)
    n = job.client % 1_000_000
    union = Actor(account_id=job.union, name="Raw union chief")
    employer = Actor(account_id=job.employer, name="Raw employer chief")

    def command(kind: str, call: Callable[..., Any], **kwargs: Any) -> Any:
        if time.monotonic() >= stop_at:
            raise TimeIsUp
        started = time.monotonic()
        result = call(negotiation_id, **kwargs)
        samples.add(kind, started, time.monotonic())
        return result

    sleep_until(start_at)
    round_ = 0
    while True:
        round_ += 1
        number = f"{n}.{round_}"
        try:
            article = command(
                "open_article", app.open_article, actor=union, number=number,
                title=f"Class size {number}", category="non_economic",
                current_language="No class shall exceed 32.",
            )
            first = command(
                "table_proposal", app.table_proposal, actor=union, article_id=article,
                text=PROPOSAL.format(n=round_, size=24),
            )
            counter = command(
                "counter", app.table_proposal, actor=employer, article_id=article,
                text=PROPOSAL.format(n=round_, size=30), answers=first,
            )
            if command("sign_ta", app.sign_ta, actor=union, article_id=article,
                       proposal_id=counter):
                raise Refused("the first TA signature agreed the article")
            if not command("sign_ta", app.sign_ta, actor=employer, article_id=article,
                           proposal_id=counter):
                raise Refused("the second TA signature did not agree the article")
        except TimeIsUp:
            return
        except Exception as refused:  # a domain refusal: record it, start over
            samples.errors.append(f"{type(refused).__name__}: {refused}")


def raw_threads(app: Any, jobs: list[Job], start_at: float, stop_at: float) -> Samples:
    """One thread per loop on one application object, from `start_at` to `stop_at`."""
    per_thread = [Samples() for _ in jobs]
    threads = [
        threading.Thread(target=raw_loop, args=(app, job, start_at, stop_at, s), daemon=True)
        for job, s in zip(jobs, per_thread, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(stop_at - time.monotonic() + 60)
    samples = Samples()
    for s in per_thread:
        samples.extend(s)
    return samples


def raw_process(database: Any, jobs: list[Job], conn: Connection) -> None:
    """Child process: a `Negotiations` of its own (a node) running some loops on threads."""
    from negotiation.application import Negotiations

    app = Negotiations(env=database.eventsourcing_env())
    try:
        conn.send("ready")
        start_at, stop_at = conn.recv()
        conn.send(raw_threads(app, jobs, start_at, stop_at))
    finally:
        app.close()


def run_raw(
    database: Any, clients: int, negotiation_count: int, warmup: float, seconds: float,
    procs: int = 1,
) -> tuple[Figures, Samples, CpuWatch]:
    """The loops on `Negotiations` called directly: in this process (procs=1), or spread over
    `procs` processes, each with its own application object, as the HTTP side's server
    processes are (the negotiations are shared, so the node lock is taken as there)."""
    from negotiation.application import Negotiations

    app = Negotiations(env=database.eventsourcing_env())
    try:
        jobs = raw_setup(app, clients, negotiation_count)
        if procs == 1:
            start_at = time.monotonic() + 0.2
            measure_from = start_at + warmup
            stop_at = measure_from + seconds
            watch = CpuWatch({"bench": [os.getpid()]}, database)
            done: list[Samples] = []
            runner = threading.Thread(
                target=lambda: done.append(raw_threads(app, jobs, start_at, stop_at))
            )
            runner.start()
            sleep_until(measure_from)
            watch.start()
            sleep_until(stop_at)
            watch.stop()
            runner.join()
            samples = done[0]
        else:
            samples, watch, (measure_from, stop_at) = _raw_processes(
                database, jobs, procs, warmup, seconds
            )
        return summarize(samples, (measure_from, stop_at)), samples, watch
    finally:
        app.close()


def _raw_processes(
    database: Any, jobs: list[Job], procs: int, warmup: float, seconds: float
) -> tuple[Samples, CpuWatch, tuple[float, float]]:
    ctx = mp.get_context("spawn")
    pipes, processes = [], []
    # Every process gets loops of every negotiation, as the kernel spreads the HTTP side's
    # connections over the server processes: dealt out negotiation by negotiation. (Dealt by
    # client number, 4 negotiations over 2 processes put each negotiation in one process,
    # and the node lock was never contended.)
    dealt = sorted(jobs, key=lambda job: (job.negotiation_id, job.client))
    try:
        for i in range(procs):
            parent_end, child_end = ctx.Pipe()
            process = ctx.Process(
                target=raw_process, args=(database, dealt[i::procs], child_end),
                name=f"bench-raw-{i}",
            )
            process.start()
            pipes.append(parent_end)
            processes.append(process)
        for pipe in pipes:
            if not pipe.poll(120):
                raise RuntimeError("a raw process did not start within 120 s")
            pipe.recv()
        start_at = time.monotonic() + 0.2
        measure_from = start_at + warmup
        stop_at = measure_from + seconds
        for pipe in pipes:
            pipe.send((start_at, stop_at))
        watch = CpuWatch({"bench": [p.pid or 0 for p in processes]}, database)
        sleep_until(measure_from)
        watch.start()
        sleep_until(stop_at)
        watch.stop()
        samples = Samples()
        for pipe in pipes:
            if not pipe.poll(120):
                raise RuntimeError("a raw process did not finish within 120 s of the end")
            samples.extend(pipe.recv())
        for process in processes:
            process.join(30)
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
                process.join(10)
    return samples, watch, (measure_from, stop_at)


# ---------------------------------------------------------------------- report
def report(name: str, figures: Figures, samples: Samples, watch: CpuWatch) -> None:
    """A human-readable block for one side."""
    counts = ", ".join(f"{k} {v}" for k, v in figures.counts.items())
    cpu = ", ".join(f"{k} {v:.0f} %" for k, v in watch.usage.items() if k != "machine")
    print(f"{name}")
    print(f"  table commands/s     {figures.table_per_s:8.1f}"
          f"   (all commands/s {figures.all_per_s:.1f})")
    print(f"  latency p50 / p99    {figures.p50_ms:8.2f} / {figures.p99_ms:.2f} ms"
          f"   (max {figures.max_ms:.1f} ms)")
    print(f"  completed in {figures.seconds:.0f} s    {counts}")
    print("  by third of the window " + " / ".join(f"{r:.0f}" for r in figures.thirds)
          + f" table commands/s; {figures.articles} articles opened in all")
    print(f"  errors               {figures.errors}")
    for error in samples.errors[:3]:
        print(f"    {error}")
    print(f"  CPU (% of one core)  {cpu}; machine {watch.usage['machine']:.0f} % of all cores")
    print(f"  events per commit    {watch.events_per_commit:8.2f}")
    if watch.usage["other"] > 20:
        print("  warning: other processes used the CPU during this run; figures are skewed")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=20, help="measured seconds per side")
    parser.add_argument("--warmup", type=float, default=3, help="unmeasured seconds first")
    parser.add_argument("--clients", type=int, default=16, help="concurrent bargaining loops")
    parser.add_argument("--negotiations", type=int, default=4, help="negotiations they share")
    parser.add_argument("--server-procs", type=int, default=2,
                        help="app processes on one listening socket, as `negotiation serve "
                             "--workers N` runs them (2: both cores, the recommended setup)")
    parser.add_argument("--servers", type=int, default=1,
                        help="nodes on their own ports (each of --server-procs processes), "
                             "clients spread over them")
    parser.add_argument("--raw-procs", type=int, default=0,
                        help="processes for the raw side (default: as many as the HTTP side "
                             "has server processes; a 1-process raw run is added when > 1)")
    parser.add_argument("--client-procs", type=int, default=2,
                        help="processes the HTTP loops are spread over")
    parser.add_argument("--client", choices=("httpx", "lean"), default="httpx",
                        help="HTTP client: httpx.AsyncClient, or a minimal keep-alive one")
    parser.add_argument("--http-only", action="store_true",
                        help="skip the raw side (for quick before/after runs of a server change)")
    parser.add_argument("--raw-threads", default="",
                        help="extra raw runs with these loop counts, e.g. 1,4 (shown, not in JSON)")
    args = parser.parse_args()
    if min(args.clients, args.negotiations, args.client_procs, args.server_procs,
           args.servers) < 1 or args.seconds <= 0:
        parser.error("--clients, --negotiations, --client-procs, --server-procs, --servers "
                     "and --seconds must be positive")
    server_procs = args.servers * args.server_procs
    raw_procs = args.raw_procs or server_procs
    extra_raw = [int(x) for x in args.raw_threads.split(",") if x.strip()]

    from negotiation.database import drop_database, ensure_database_exists, locate_database

    server = locate_database(DATA_DIR, os.environ.get("DATABASE_URL"))
    database = server.with_dbname(f"bench_{uuid.uuid4().hex[:12]}")
    ensure_database_exists(database)
    print(f"database {database.dbname} on {database.host}:{database.port}; "
          f"{args.clients} loops on {args.negotiations} negotiations; "
          f"{args.warmup:g} s warm-up + {args.seconds:g} s measured per side; "
          f"{os.cpu_count()} cores", flush=True)
    try:
        with contextlib.ExitStack() as stack:
            # Each node has its own port (as several `negotiation serve` commands on one
            # database); client processes are spread over them like a load balancer would.
            nodes = [stack.enter_context(workers(serve, (database,), args.server_procs,
                                                 f"bench-server-{i}"))
                     for i in range(args.servers)]
            urls = [f"http://127.0.0.1:{port}" for port, _ in nodes]
            pids = [pid for _, node_pids in nodes for pid in node_pids]
            print(f"server pids {pids} at {urls}", flush=True)
            jobs = asyncio.run(http_setup(urls[0], database, args.clients, args.negotiations))
            http, http_samples, http_cpu = run_http(
                database, urls, pids, jobs, args.client, args.client_procs, args.warmup,
                args.seconds,
            )
        report(f"HTTP  (uvicorn+uvloop+httptools, {server_procs} server process(es) on "
               f"{len(urls)} port(s); {args.client_procs} client processes, {args.client})",
               http, http_samples, http_cpu)
        if args.http_only:
            print(json.dumps({"http_commands_per_s": round(http.table_per_s, 1),
                              "p50_ms": round(http.p50_ms, 2), "p99_ms": round(http.p99_ms, 2),
                              "server_cpu_pct": round(http_cpu.usage["server"], 1),
                              "http_events_per_commit": round(http_cpu.events_per_commit, 2),
                              "other_cpu_pct_http": round(http_cpu.usage["other"], 1)}))
            return
        raw, raw_samples, raw_cpu = run_raw(
            database, args.clients, args.negotiations, args.warmup, args.seconds, raw_procs
        )
        report(f"raw   (Negotiations called directly, {args.clients} threads in {raw_procs} "
               f"process(es))", raw, raw_samples, raw_cpu)
        raw1 = raw
        if raw_procs > 1:
            raw1, samples, cpu = run_raw(
                database, args.clients, args.negotiations, args.warmup, args.seconds
            )
            report(f"raw   (Negotiations in-process, {args.clients} threads in 1 process)",
                   raw1, samples, cpu)
        for threads in extra_raw:
            negotiations = min(args.negotiations, threads)
            figures, samples, cpu = run_raw(
                database, threads, negotiations, args.warmup, args.seconds
            )
            report(f"raw   ({threads} thread(s) on {negotiations} negotiation(s))", figures,
                   samples, cpu)
    finally:
        drop_database(database)

    ratio = http.table_per_s / raw.table_per_s if raw.table_per_s else math.nan
    result = {
        "http_commands_per_s": round(http.table_per_s, 1),
        "p50_ms": round(http.p50_ms, 2),
        "p99_ms": round(http.p99_ms, 2),
        "raw_commands_per_s": round(raw.table_per_s, 1),
        "ratio": round(ratio, 3),
        "raw_procs": raw_procs,
        "raw_1proc_commands_per_s": round(raw1.table_per_s, 1),
        "ratio_to_1proc_raw": round(
            http.table_per_s / raw1.table_per_s if raw1.table_per_s else math.nan, 3
        ),
        "http_all_commands_per_s": round(http.all_per_s, 1),
        "raw_p50_ms": round(raw.p50_ms, 2),
        "raw_p99_ms": round(raw.p99_ms, 2),
        "http_errors": http.errors,
        "raw_errors": raw.errors,
        "server_cpu_pct": round(http_cpu.usage["server"], 1),
        "client_cpu_pct": round(http_cpu.usage["clients"], 1),
        "postgres_cpu_pct_http": round(http_cpu.usage["postgres"], 1),
        "http_events_per_commit": round(http_cpu.events_per_commit, 2),
        "raw_events_per_commit": round(raw_cpu.events_per_commit, 2),
        "other_cpu_pct_http": round(http_cpu.usage["other"], 1),
        "other_cpu_pct_raw": round(raw_cpu.usage["other"], 1),
        "clients": args.clients,
        "negotiations": args.negotiations,
        "client_procs": args.client_procs,
        "servers": args.servers,
        "server_procs": args.server_procs,
        "client": args.client,
        "seconds": args.seconds,
    }
    met = (
        http.table_per_s >= TARGETS["http_commands_per_s"]
        and http.p99_ms <= TARGETS["p99_ms"]
        and ratio >= TARGETS["ratio"]
    )
    print(f"targets (≥ 300/s, p99 ≤ 100 ms, ratio ≥ 0.5): ratio {ratio:.2f} — "
          f"{'met' if met else 'missed'}")
    print(json.dumps(result))


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main()
