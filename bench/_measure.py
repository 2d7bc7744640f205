"""Not a benchmark: what the benchmarks share (percentiles, CPU time read from /proc on
Linux, serving the app in child processes, accounts and a bargaining table set up through
the API). Imported by the benchmarks; it prints nothing itself."""

from __future__ import annotations

import asyncio
import contextlib
import math
import multiprocessing as mp
import os
import time
import uuid
from array import array
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection
from typing import Any

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PASSWORD = "bench horse battery staple"


def percentile(sorted_values: list[float] | array[float], p: float) -> float:
    """Nearest-rank percentile of an already sorted sequence."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process (0 if it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def machine_busy_seconds() -> tuple[float, float]:
    """(busy, total) CPU seconds summed over all cores, from /proc/stat (steal is not busy)."""
    with open("/proc/stat") as f:
        user, nice, system, idle, iowait, irq, softirq, steal = map(int, f.readline().split()[1:9])
    busy = user + nice + system + irq + softirq
    return busy / CLOCK_TICKS, (busy + idle + iowait + steal) / CLOCK_TICKS


def postgres_cpu_seconds() -> float:
    """CPU time of every process named ``postgres`` on this machine (the server and backends)."""
    total = 0.0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/comm") as f:
                if f.read().strip() != "postgres":
                    continue
        except OSError:
            continue
        total += process_cpu_seconds(int(entry))
    return total


def sleep_until(moment: float) -> None:
    delay = moment - time.monotonic()
    if delay > 0:
        time.sleep(delay)


def serve_and_report_port(server: Any, conn: Connection, sockets: list[Any] | None = None) -> None:
    """In a server child process: run a `uvicorn.Server`, send its port (None if it failed to
    start) to the parent through `conn`, then serve until SIGTERM (uvicorn then runs the
    lifespan shutdown)."""

    async def main() -> None:
        serving = asyncio.create_task(server.serve(sockets=sockets))
        while not server.started:
            if serving.done():
                conn.send(None)
                await serving  # raises the startup error, if any
                return
            await asyncio.sleep(0.02)
        conn.send(server.servers[0].sockets[0].getsockname()[1])
        await serving

    with asyncio.Runner(loop_factory=server.config.get_loop_factory()) as runner:
        runner.run(main())


@contextlib.contextmanager
def child(
    target: Callable[..., None], args: tuple[Any, ...], name: str
) -> Iterator[tuple[int, int, Connection]]:
    """Start a server child process `target(*args, conn)` (it sends its port, or None if it
    failed, through `conn`: serve_and_report_port); yields (port, pid, conn); SIGTERM at the
    end (uvicorn then shuts down gracefully, pools closed)."""
    ctx = mp.get_context("spawn")
    parent_end, child_end = ctx.Pipe()
    process = ctx.Process(target=target, args=(*args, child_end), name=name)
    process.start()
    try:
        if not parent_end.poll(120):
            raise RuntimeError(f"{name} did not start within 120 s")
        port = parent_end.recv()
        if port is None:
            raise RuntimeError(f"{name} failed to start; see its log above")
        assert process.pid is not None
        yield port, process.pid, parent_end
    finally:
        process.terminate()
        process.join(30)
        if process.is_alive():
            process.kill()
            process.join(10)


@contextlib.contextmanager
def workers(
    target: Callable[..., None], args: tuple[Any, ...], procs: int, name: str
) -> Iterator[tuple[int, list[int]]]:
    """`procs` app server processes `target(*args, listening, conn)` accepting on one
    listening socket bound here, as ``negotiation serve --workers procs`` runs them (the
    kernel hands each new connection to one of them; each is a node with its own hub and
    pools on the one database); yields (port, pids)."""
    import socket

    listening = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listening.bind(("127.0.0.1", 0))
    with listening, contextlib.ExitStack() as stack:
        pids = []
        port = 0
        for i in range(procs):
            port, pid, _ = stack.enter_context(
                child(target, (*args, listening), name + (f".{i}" if procs > 1 else ""))
            )
            pids.append(pid)
        yield port, pids


# ---------------------------------------------------------------------- setup through the API
async def make_people(database: Any, count: int) -> list[tuple[str, str]]:
    """(username, token) for ``count`` new accounts, via Identity (the server made the schema);
    each signs in with PASSWORD too."""
    import asyncpg

    from web.identity import Identity

    pool = await asyncpg.create_pool(**database.asyncpg_kwargs(), min_size=1, max_size=4)
    try:
        identity = Identity(pool)
        people = []
        for i in range(count):
            username = f"bench_{i}_{uuid.uuid4().hex[:8]}"
            account = await identity.create_account(
                username=username, display_name=f"Bench person {i}", password=PASSWORD
            )
            issued = await identity.issue_token(account, kind="api", label="bench")
            people.append((username, issued.token))
        return people
    finally:
        await pool.close()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def expect(response: Any, status: int) -> Any:
    if response.status_code != status:
        raise RuntimeError(
            f"setup: {response.request.url} → {response.status_code} {response.text}"
        )
    return response.json() if response.content else None


async def open_table(
    http: Any,
    union: tuple[str, str],
    employer: tuple[str, str],
    *,
    title: str,
    session: dict[str, Any] | None = None,
) -> tuple[str, str]:
    """Through the API: a negotiation opened by the union's chief naming the employer's,
    ground rules agreed, a session (`session`, or an open one) scheduled and opened; both
    chiefs are (username, token) from make_people. Returns (negotiation id, session id)."""
    u, e = bearer(union[1]), bearer(employer[1])
    created = await expect(await http.post("/api/negotiations", headers=u, json={
        "title": title, "kind": "collective_bargaining", "bargaining_unit": "Educators",
        "union_name": "Educators Association", "employer_name": "Unified School District",
        "my_party": "union", "other_chief_username": employer[0],
    }), 201)
    base = f"/api/negotiations/{created['id']}"
    offer = await expect(await http.post(f"{base}/ground-rules", headers=u, json={}), 201)
    await expect(
        await http.post(f"{base}/ground-rules/{offer['id']}/agree", headers=e, json={}), 200
    )
    scheduled = await expect(await http.post(f"{base}/sessions", headers=u, json=session or {
        "visibility": "open", "location": "District office, room 4",
        "starts_at": "2026-11-24T16:00:00+00:00", "capacity": 120,
    }), 201)
    await expect(await http.post(f"{base}/sessions/{scheduled['id']}/open", headers=e), 200)
    return created["id"], scheduled["id"]
