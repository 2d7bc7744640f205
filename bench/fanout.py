"""Benchmark: live-feed fan-out — N websocket viewers of one negotiation, commands at 10/s.

For each N (``--sizes``, default 1000,5000,10000), on a fresh database ``bench_fanout_<hex>`` on
the embedded PostgreSQL (``var/bench-pgdata``) or on ``DATABASE_URL``'s server, dropped at the end:

App side
    The real app (``create_app``) under uvicorn (uvloop, httptools, ``--ws`` implementation,
    per-message-deflate off, backlog 8192, open-files limit raised) in a fresh child process of
    its own. One negotiation: both chiefs, ground rules agreed, an *open* session running, one
    article per chain. N public viewers subscribe to its board feed
    (``/ws/negotiations/{id}/?feed=board``) from ``--client-procs`` client processes, connecting
    in waves. Then the parent, as the commander, issues one command every 100 ms for ``--seconds``
    over HTTP, open-loop (a slow response does not delay the next slot): command i goes to chain
    i mod ``--chains``; a chain tables proposals alternating union / employer on its article (each
    counter answers the latest, so a chain's own commands wait for each other) and opens a new
    article every ``--per-article`` proposals. Every command records exactly one event and changes
    a part of the *public* board feed, so each command is exactly one change message to every
    viewer; after the run, each event's proposal / article id maps its position to its command.

Baseline side
    The same N clients against a bare ``websockets`` server (``websockets.asyncio.server.serve``,
    compression off, uvloop) in a process of its own that ``broadcast()``s a ~300 B message shaped
    like a change message every 100 ms, for the same number of messages.

Latency = receive time at the viewer − t_ack, where t_ack is the moment the commander read the
command's 2xx response (baseline: the moment just before ``broadcast()``). All timestamps are
``time.monotonic()``, i.e. Linux CLOCK_MONOTONIC, one clock shared by every process on this
machine. A viewer's receive time is taken when its socket's bytes reach the client's event
loop. The server answers the command and fans out from the same event loop, so a delivery can
precede the 2xx (a negative latency); the same deliveries are also shown from the moment each
command was *sent* (``from_sent_p99_ms``).

Lost = for every viewer, the change positions after its snapshot that it did not receive (a
viewer that got ``resync``, was closed, or never connected is reported separately, and its
missing messages count as lost). With ``--server-times`` the server also records when it handed
each change message to its first and last socket (a wrapper in the server process, not product
code): ``send_p99_ms`` is the server-side fan-out time, so client-side lag can be told apart
from server lag. It is off by default because it adds work to the loop being measured.

Viewer scheduling: the viewers share the server's 2 cores, and with the usual policy each
write wakes a viewer process that preempts the server mid-fan-out (thousands of times a
second; real viewers are on other machines). ``--client-sched batch`` runs the viewer
processes under SCHED_BATCH, which does not preempt on wakeup, for both sides alike.

Server RSS: the highest VmRSS of the fresh server process, sampled every 0.25 s while the
commands run (``rss_mb``); VmHWM (``rss_hwm_mb``) also holds a start-up peak of the app's
lifespan (~120 MiB with no viewers), so it is shown beside it.

    .venv/bin/python bench/fanout.py                         # 1000, 5000, 10000
    .venv/bin/python bench/fanout.py --sizes 1000,5000 --seconds 10

The last line printed is one JSON object keyed by N.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import math
import multiprocessing as mp
import os
import resource
import sys
import threading
import time
import uuid
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from _measure import (  # bench/_measure.py
    bearer,
    child,
    expect,
    machine_busy_seconds,
    make_people,
    open_table,
    percentile,
    process_cpu_seconds,
    serve_and_report_port,
    workers,
)

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = REPO_ROOT / "var" / "bench-pgdata"
TARGETS = {"p99_ms_at_5000": 250.0, "rss_mb_at_10000": 512.0, "baseline_ratio": 2.0}
PROPOSAL = (
    "Section {n}. The parties agree that no class shall exceed {size} students. Where a class "
    "exceeds this limit for more than ten school days, the District shall pay the teacher an "
    "overload stipend for each additional student."
)
# A baseline message shaped like the app's change message for one article part (~300 B).
BASELINE_MESSAGE = (
    '{{"type":"change","position":{position},"set":{{"article:5f0c3a9e1b7d4c2a8e6f0b1d3c5a7e9f":'
    '{{"article_id":"5f0c3a9e1b7d4c2a8e6f0b1d3c5a7e9f","number":"12","title":"Class size",'
    '"category":"non_economic","status":"countered","proposed_by":"employer",'
    '"latest_version":{position},"last_move":"countered","last_move_party":"employer",'
    '"last_move_by":"Bench employer chief","last_move_at":"2026-11-24T16:05:00Z",'
    '"ta_signed_by":[]}}}},"remove":[]}}'
)


def raise_open_files_limit() -> int:
    """Thousands of sockets need more than the usual soft limit of 1024 descriptors."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > soft:
        target = hard if hard != resource.RLIM_INFINITY else 1_048_576
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def proc_status_kib(pid: int, key: str) -> int:
    """A /proc/<pid>/status field in KiB (VmRSS, VmHWM); 0 if the process is gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


# ---------------------------------------------------------------------- the app server process
def instrument(app: Any, sends: dict[int, list[Any]], *, per_socket: bool) -> Any:
    """When each change message was handed to its first and last socket.

    The hub's pump brings one subscriber at a time up to date (one write of every change it
    has not had), so wrapping that call gives the server's own send times, per change
    position (about 1 µs per call on top of the write itself). ``GET /__bench/sends`` returns
    {position: [first, last, count]} (time.monotonic()) and forgets. Websocket connections
    pass through untouched, so the broadcast path (which needs the server's own `send`)
    stays in use. Off by default (``--server-times``): it is work the bare baseline does
    not do, in the loop being measured (~8 % of it at 5,000 viewers).
    """
    import realtime.feeds as feeds_module

    original = feeds_module._bring_up_to_date

    def timed(feed: Any, sub: Any) -> None:
        before = sub.sent
        original(feed, sub)
        now = time.monotonic()
        for position, _ in reversed(feed.buffer):
            if position <= before:
                break
            if position > sub.sent:
                continue
            record = sends.get(position)
            if record is None:
                sends[position] = [position, now, now, 1, None]
            else:
                record[2] = now
                record[3] += 1

    if per_socket:
        feeds_module._bring_up_to_date = timed

    async def wrapped(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"] == "/__bench/sends":
            body = json.dumps(
                {str(rec[0]): [rec[1], rec[2], rec[3]] for rec in sends.values()}
            ).encode()
            sends.clear()
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-type", b"application/json")]})
            await send({"type": "http.response.body", "body": body})
            return
        await app(scope, receive, send)

    return wrapped


def serve_app(database: Any, ws: str, server_times: bool, listening: Any,
              conn: Connection) -> None:
    """Child process: the real app on uvicorn, accepting on the listening socket the parent
    bound (several children share it, as ``negotiation serve --workers`` runs its workers);
    reports its port, then serves until SIGTERM."""
    import uvicorn

    from web.app import create_app
    from web.settings import Settings

    raise_open_files_limit()
    app = create_app(Settings(port=0, data_dir=DATA_DIR), database=database)
    config = uvicorn.Config(
        instrument(app, {}, per_socket=server_times),
        host="127.0.0.1",
        port=0,
        loop="uvloop",
        http="httptools",
        ws=ws,  # type: ignore[arg-type]
        ws_per_message_deflate=False,  # compressing per connection defeats encode-once
        backlog=8192,  # the kernel caps it at net.core.somaxconn
        lifespan="on",
        log_level="warning",
        access_log=False,
    )
    serve_and_report_port(uvicorn.Server(config), conn, [listening])


# ---------------------------------------------------------------------- the baseline server
def serve_baseline(conn: Connection) -> None:
    """Child process: bare websockets, broadcast() of a ~300 B message on command."""
    import uvloop
    from websockets.asyncio.server import broadcast, serve

    raise_open_files_limit()

    async def main() -> None:
        loop = asyncio.get_running_loop()
        viewers: set[Any] = set()

        async def handler(socket: Any) -> None:
            await socket.send('{"type":"snapshot","position":0,"parts":{}}')
            viewers.add(socket)
            try:
                await socket.wait_closed()
            finally:
                viewers.discard(socket)

        async with serve(handler, "127.0.0.1", 0, compression=None, backlog=8192,
                         max_queue=None) as server:
            conn.send(next(iter(server.sockets)).getsockname()[1])
            while True:
                command = await loop.run_in_executor(None, conn.recv)
                if command[0] == "stop":
                    return
                _, start_at, count, interval = command
                sent: list[tuple[int, float, float]] = []
                for position in range(1, count + 1):
                    await asyncio.sleep(max(0.0, start_at + (position - 1) * interval
                                            - time.monotonic()))
                    message = BASELINE_MESSAGE.format(position=position)
                    before = time.monotonic()
                    broadcast(viewers, message)  # writes to every socket before returning
                    sent.append((position, before, time.monotonic()))
                conn.send((sent, len(viewers)))

    uvloop.run(main())


@contextlib.contextmanager
def app_servers(database: Any, args: argparse.Namespace) -> Iterator[tuple[int, list[int]]]:
    """``--server-procs`` app server processes on one listening socket and one database, as
    ``negotiation serve --workers`` runs them; yields (port, pids)."""
    with workers(serve_app, (database, args.ws, args.server_times), args.server_procs,
                 "bench-app-server") as served:
        yield served


def rss_kib(pids: list[int]) -> int:
    return sum(proc_status_kib(pid, "VmRSS") for pid in pids)


# ---------------------------------------------------------------------- viewers (client side)
@dataclass(eq=False)
class Viewer:
    """What one websocket viewer saw: its snapshot position, then (position, receive time)."""

    snapshot: int | None = None
    positions: array[int] = field(default_factory=lambda: array("q"))
    times: array[float] = field(default_factory=lambda: array("d"))
    resync: bool = False
    closed: bool = False
    error: str | None = None

    def on_message(self, payload: bytes, now: float) -> None:
        if payload.startswith(b'{"type":"change"'):
            self.positions.append(_position(payload))
            self.times.append(now)
        elif payload.startswith(b'{"type":"snapshot"'):
            self.snapshot = _position(payload)
        elif payload.startswith(b'{"type":"resync"'):
            self.resync = True


def _position(payload: bytes) -> int:
    start = payload.index(b'"position":') + 11
    end = start
    while 48 <= payload[end] <= 57:
        end += 1
    return int(payload[start:end])


class LeanViewer(asyncio.Protocol):
    """A websocket client with just enough protocol to listen: the handshake (no extensions,
    so no compression), unmasked server frames, pong and close. A Python client spends most
    of its time per message in framing machinery; this one keeps the client processes' CPU
    (which shares the machine's 2 cores with the server) low."""

    def __init__(self, host: str, port: int, path: str, viewer: Viewer) -> None:
        self.request = (
            f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: "
            f"{base64.b64encode(os.urandom(16)).decode()}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
        self.viewer = viewer
        self.buffer = bytearray()
        self.fragments = bytearray()
        self.open = False
        self.ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # uvloop's is not a subclass
        transport.write(self.request)

    def connection_lost(self, exc: Exception | None) -> None:
        self.viewer.closed = True
        if not self.ready.done():
            self.ready.set_exception(ConnectionError(f"closed during the handshake: {exc}"))

    def _send(self, opcode: int, payload: bytes) -> None:
        assert self.transport is not None and len(payload) < 126
        mask = os.urandom(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.transport.write(bytes((0x80 | opcode, 0x80 | len(payload))) + mask + masked)

    def data_received(self, data: bytes) -> None:
        now = time.monotonic()
        buffer = self.buffer
        buffer += data
        if not self.open:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            status = bytes(buffer[:end]).split(b"\r\n", 1)[0]
            del buffer[: end + 4]
            if b" 101 " not in status:
                self.ready.set_exception(ConnectionError(status.decode(errors="replace")))
                assert self.transport is not None
                self.transport.close()
                return
            self.open = True
            self.ready.set_result(None)
        while len(buffer) >= 2:
            first, length = buffer[0], buffer[1] & 0x7F
            offset = 2
            if length == 126:
                if len(buffer) < 4:
                    return
                length, offset = int.from_bytes(buffer[2:4], "big"), 4
            elif length == 127:
                if len(buffer) < 10:
                    return
                length, offset = int.from_bytes(buffer[2:10], "big"), 10
            if len(buffer) < offset + length:
                return
            payload = bytes(buffer[offset : offset + length])
            del buffer[: offset + length]
            opcode = first & 0x0F
            if opcode in (0, 1, 2):
                if not first & 0x80:  # a fragment: keep it until the final one
                    self.fragments += payload
                    continue
                if self.fragments:
                    payload = bytes(self.fragments) + payload
                    self.fragments.clear()
                self.viewer.on_message(payload, now)
            elif opcode == 9:
                self._send(0xA, payload)  # pong
            elif opcode == 8:
                with contextlib.suppress(Exception):
                    self._send(0x8, payload[:2])
                assert self.transport is not None
                self.transport.close()
                return


async def lean_connect(host: str, port: int, path: str, viewer: Viewer, timeout: float) -> Any:
    loop = asyncio.get_running_loop()
    transport, protocol = await asyncio.wait_for(
        loop.create_connection(lambda: LeanViewer(host, port, path, viewer), host, port), timeout
    )
    try:
        await asyncio.wait_for(protocol.ready, timeout)
    except BaseException:
        transport.close()
        raise
    return transport


async def library_connect(host: str, port: int, path: str, viewer: Viewer, timeout: float) -> Any:
    """The same viewer through the websockets library's client (``--client websockets``)."""
    from websockets.asyncio.client import connect

    socket = await connect(f"ws://{host}:{port}{path}", compression=None, max_size=None,
                           open_timeout=timeout, ping_interval=None, max_queue=None)

    async def listen() -> None:
        try:
            async for message in socket:
                data = message.encode() if isinstance(message, str) else message
                viewer.on_message(data, time.monotonic())
        except Exception:
            pass
        viewer.closed = True

    task = asyncio.create_task(listen())
    return socket, task


async def close_all(handles: list[Any]) -> None:
    for handle in handles:
        if isinstance(handle, tuple):
            socket, task = handle
            task.cancel()
            with contextlib.suppress(BaseException):
                await asyncio.wait_for(socket.close(), 1)
        else:
            handle.close()
    await asyncio.sleep(0.2)


async def connect_share(
    connect: Any, host: str, port: int, path: str, count: int, wave: int, timeout: float
) -> tuple[list[Viewer], list[Any], list[str]]:
    """Open `count` viewers, at most `wave` handshakes in flight (the listen backlog is
    finite), retrying a refused or reset connection twice."""
    viewers: list[Viewer] = []
    handles: list[Any] = []
    errors: list[str] = []
    gate = asyncio.Semaphore(wave)

    async def one() -> None:
        viewer = Viewer()
        viewers.append(viewer)
        for attempt in range(3):
            async with gate:
                try:
                    handles.append(await connect(host, port, path, viewer, timeout))
                    return
                except Exception as exc:
                    error = f"{type(exc).__name__}: {exc}"[:200]
            if attempt == 2:
                viewer.error = error
                viewer.closed = True
                errors.append(error)
                return
            viewer.closed = False
            await asyncio.sleep(0.5 * (attempt + 1))

    await asyncio.gather(*(one() for _ in range(count)))
    return viewers, handles, errors


def client_process(index: int, client: str, sched: str, conn: Connection) -> None:
    """Child process: hold a share of the viewers; connect, listen, then report latencies."""
    import uvloop

    raise_open_files_limit()
    if sched == "batch":
        # Real viewers are on other machines. Here they share the server's 2 cores, and each
        # write wakes one, which preempts the server mid-fan-out (thousands of times a
        # second). SCHED_BATCH viewers do not preempt on wakeup; they still get their share.
        os.sched_setscheduler(0, os.SCHED_BATCH, os.sched_param(0))

    async def main() -> None:
        loop = asyncio.get_running_loop()
        viewers: list[Viewer] = []
        handles: list[Any] = []
        connect = lean_connect if client == "lean" else library_connect
        conn.send("ready")
        while True:
            command = await loop.run_in_executor(None, conn.recv)
            kind = command[0]
            if kind == "quit":
                await close_all(handles)
                return
            if kind == "connect":
                _, host, port, path, count, wave, timeout = command
                started = time.monotonic()
                viewers, handles, errors = await connect_share(
                    connect, host, port, path, count, wave, timeout
                )
                # The snapshot is the first message: wait (bounded) until every viewer has it.
                deadline = time.monotonic() + timeout
                while time.monotonic() < deadline and any(
                    v.snapshot is None and not v.closed for v in viewers
                ):
                    await asyncio.sleep(0.05)
                conn.send({
                    "connected": sum(1 for v in viewers if v.error is None),
                    "with_snapshot": sum(1 for v in viewers if v.snapshot is not None),
                    "errors": errors[:5],
                    "error_count": len(errors),
                    "seconds": time.monotonic() - started,
                })
            elif kind == "collect":
                # ack: {position: t_ack}; wait (bounded) until every live viewer has the last.
                _, ack, sent, deadline = command
                last = max(ack) if ack else 0
                while time.monotonic() < deadline and any(
                    not v.closed and not v.resync and (not v.positions or v.positions[-1] < last)
                    for v in viewers
                ):
                    await asyncio.sleep(0.05)
                conn.send(_collect(viewers, ack, sent))
                await close_all(handles)
                viewers, handles = [], []

    uvloop.run(main())


def _collect(viewers: list[Viewer], ack: dict[int, float], sent: dict[int, float]
             ) -> dict[str, Any]:
    latencies, from_sent = array("d"), array("d")
    lost = resynced = closed = never = late_snapshot = 0
    duplicates = 0
    ordered = sorted(ack)
    for viewer in viewers:
        if viewer.snapshot is None:
            never += 1
            lost += len(ordered)
            continue
        expected = [p for p in ordered if p > viewer.snapshot]
        late_snapshot += len(ordered) - len(expected)
        seen: dict[int, float] = {}
        for position, at in zip(viewer.positions, viewer.times, strict=True):
            if position in seen:
                duplicates += 1
            seen.setdefault(position, at)
        for position in expected:
            at = seen.get(position)
            if at is None:
                lost += 1
            else:
                latencies.append(at - ack[position])
                from_sent.append(at - sent[position])
        resynced += viewer.resync
        closed += viewer.closed and not viewer.resync
    return {
        "latencies": latencies.tobytes(),
        "from_sent": from_sent.tobytes(),
        "lost": lost,
        "resynced": resynced,
        "closed": closed,
        "never": never,
        "duplicates": duplicates,
        "late_snapshot": late_snapshot,
    }


@dataclass
class Clients:
    """The client processes, reused for every N and both sides."""

    procs: int
    client: str
    sched: str = "normal"
    processes: list[Any] = field(default_factory=list)
    pipes: list[Connection] = field(default_factory=list)

    def start(self) -> None:
        ctx = mp.get_context("spawn")
        for i in range(self.procs):
            parent_end, child_end = ctx.Pipe()
            process = ctx.Process(target=client_process, name=f"bench-viewers-{i}",
                                  args=(i, self.client, self.sched, child_end))
            process.start()
            self.processes.append(process)
            self.pipes.append(parent_end)
        for pipe in self.pipes:
            if not pipe.poll(60):
                raise RuntimeError("a client process did not start within 60 s")
            pipe.recv()

    def _gather(self, timeout: float) -> list[Any]:
        deadline = time.monotonic() + timeout
        replies = []
        for pipe in self.pipes:
            if not pipe.poll(max(0.0, deadline - time.monotonic())):
                raise RuntimeError(f"a client process did not answer within {timeout:.0f} s")
            replies.append(pipe.recv())
        return replies

    def connect(self, port: int, path: str, n: int, wave: int) -> dict[str, Any]:
        shares = [n // self.procs + (1 if i < n % self.procs else 0) for i in range(self.procs)]
        timeout = 30.0
        for pipe, share in zip(self.pipes, shares, strict=True):
            pipe.send(("connect", "127.0.0.1", port, path, share, wave, timeout))
        replies = self._gather(60 + n / 50 + 3 * timeout)
        return {
            "connected": sum(r["connected"] for r in replies),
            "with_snapshot": sum(r["with_snapshot"] for r in replies),
            "error_count": sum(r["error_count"] for r in replies),
            "errors": [e for r in replies for e in r["errors"]][:5],
            "seconds": max(r["seconds"] for r in replies),
        }

    def collect(self, ack: dict[int, float], sent: dict[int, float], drain: float
                ) -> dict[str, Any]:
        deadline = time.monotonic() + drain
        for pipe in self.pipes:
            pipe.send(("collect", ack, sent, deadline))
        replies = self._gather(drain + 60)
        latencies, from_sent = array("d"), array("d")
        for r in replies:
            latencies.frombytes(r["latencies"])
            from_sent.frombytes(r["from_sent"])
        total = {k: sum(r[k] for r in replies) for k in
                 ("lost", "resynced", "closed", "never", "duplicates", "late_snapshot")}
        return {"latencies": sorted(latencies), "from_sent": sorted(from_sent), **total}

    def stop(self) -> None:
        for pipe in self.pipes:
            with contextlib.suppress(Exception):
                pipe.send(("quit",))
        for process in self.processes:
            process.join(10)
            if process.is_alive():
                process.terminate()
                process.join(5)


# ---------------------------------------------------------------------- setup and commander
@dataclass(frozen=True)
class Table:
    negotiation_id: str
    union: str  # bearer tokens
    employer: str
    article_ids: list[str]


async def set_up_table(url: str, database: Any, n: int, articles: int) -> Table:
    """A negotiation with both chiefs, ground rules agreed, an open session and articles."""
    import httpx

    union, employer = await make_people(database, 2)
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        negotiation_id, _ = await open_table(http, union, employer, title=f"Fan-out contract {n}")
        article_ids = []
        for number in range(1, articles + 1):
            article = await expect(await http.post(
                f"/api/negotiations/{negotiation_id}/articles", headers=bearer(union[1]), json={
                    "number": str(number), "title": f"Class size {number}",
                    "category": "non_economic", "current_language": "No class shall exceed 32.",
                }), 201)
            article_ids.append(article["id"])
    return Table(negotiation_id, union[1], employer[1], article_ids)


@dataclass
class Commands:
    times: dict[str, tuple[float, float]] = field(default_factory=dict)  # id → (sent, t_ack)
    kinds: dict[str, int] = field(default_factory=dict)
    lag: list[float] = field(default_factory=list)  # how late each was sent vs. its slot
    errors: list[str] = field(default_factory=list)


@dataclass
class Chain:
    """Proposals alternating union / employer on one article; every `per_article` proposals
    the chain opens a new article. A counter must answer the latest, so a chain's commands
    are sequential; several chains keep the 10/s open-loop even when a command takes longer
    than 100 ms."""

    article: str
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    latest: str | None = None
    party: str = "union"
    on_article: int = 0


async def commander(url: str, table: Table, count: int, interval: float, per_article: int,
                    start_at: float) -> Commands:
    """Command i is due at start_at + i × interval, on chain i mod (number of chains)."""
    import httpx

    done = Commands()
    base = f"/api/negotiations/{table.negotiation_id}"
    tokens = {"union": table.union, "employer": table.employer}
    chains = [Chain(article) for article in table.article_ids]
    numbers = iter(range(len(chains) + 1, 1_000_000))

    async def command(http: httpx.AsyncClient, i: int, chain: Chain, slot: float) -> None:
        async with chain.lock:
            if chain.on_article >= per_article:
                number = next(numbers)
                kind, path, who = "open_article", f"{base}/articles", "union"
                body: dict[str, Any] = {
                    "number": str(number), "title": f"Class size {number}",
                    "category": "non_economic", "current_language": "No class shall exceed 32.",
                }
            else:
                kind, path = "table_proposal", f"{base}/articles/{chain.article}/proposals"
                body = {"text": PROPOSAL.format(n=i, size=20 + i % 13), "answers": chain.latest}
                who = chain.party
            t_sent = time.monotonic()
            done.lag.append(t_sent - slot)
            try:
                response = await http.post(
                    path, headers={"Authorization": f"Bearer {tokens[who]}"}, json=body
                )
            except httpx.HTTPError as exc:
                done.errors.append(f"{kind}: {type(exc).__name__}: {exc}")
                return
            t_ack = time.monotonic()
            if response.status_code != 201:
                done.errors.append(f"{kind}: {response.status_code} {response.text[:200]}")
                return
            made = response.json()["id"]
            done.times[made] = (t_sent, t_ack)
            done.kinds[kind] = done.kinds.get(kind, 0) + 1
            if kind == "open_article":
                chain.article, chain.latest, chain.party, chain.on_article = made, None, "union", 0
            else:
                chain.latest = made
                chain.party = "employer" if chain.party == "union" else "union"
                chain.on_article += 1

    limits = httpx.Limits(max_connections=len(chains) + 2)
    async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as http:
        tasks = []
        for i in range(count):
            slot = start_at + i * interval
            await asyncio.sleep(max(0.0, slot - time.monotonic()))
            tasks.append(asyncio.create_task(command(http, i, chains[i % len(chains)], slot)))
        await asyncio.gather(*tasks)
    return done


async def event_ids(database: Any, negotiation_id: str, after: int) -> list[tuple[int, str]]:
    """(position, id of what it made) for the negotiation's events after `after`: the proposal
    id of a ProposalTabled, the article id of an ArticleOpened — what the command returned."""
    import asyncpg
    import msgspec

    decoder = msgspec.msgpack.Decoder(dict[str, Any])
    conn = await asyncpg.connect(**database.asyncpg_kwargs())
    try:
        rows = await conn.fetch(
            "SELECT notification_id, topic, state FROM negotiations_events "
            "WHERE originator_id = $1::uuid AND notification_id > $2 ORDER BY notification_id",
            negotiation_id, after,
        )
    finally:
        await conn.close()
    made = []
    for position, topic, state in rows:
        data = decoder.decode(state)
        key = "proposal_id" if topic.endswith("ProposalTabled") else "article_id"
        made.append((position, str(data.get(key))))
    return made


async def last_position(database: Any, negotiation_id: str) -> int:
    """The negotiation's last event before the commands: every viewer's snapshot is at it."""
    import asyncpg

    conn = await asyncpg.connect(**database.asyncpg_kwargs())
    try:
        position: int = await conn.fetchval(
            "SELECT coalesce(max(notification_id), 0) FROM negotiations_events "
            "WHERE originator_id = $1::uuid",
            negotiation_id,
        )
        return position
    finally:
        await conn.close()


async def fetch_sends(url: str) -> dict[int, list[float]]:
    import httpx

    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        data = (await http.get("/__bench/sends")).json()
    return {int(k): v for k, v in data.items()}


class RssWatch:
    """Samples the processes' VmRSS (summed) every 0.25 s in a thread; remembers the highest."""

    def __init__(self, pids: list[int]) -> None:
        self.pids, self.peak_kib = pids, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.25):
            self.peak_kib = max(self.peak_kib, rss_kib(self.pids))

    def __enter__(self) -> RssWatch:
        self._thread.start()
        return self

    def __exit__(self, *_: Any) -> None:
        self._stop.set()
        self._thread.join(2)


# ---------------------------------------------------------------------- one N, both sides
@dataclass
class SideResult:
    n: int
    connect: dict[str, Any]
    latencies: list[float]
    from_sent: list[float]  # the same deliveries, from when the command was sent
    counts: dict[str, int]
    messages: int
    rss_connected_mb: float
    rss_peak_mb: float
    hwm_mb: float
    send_ms: list[float]  # per message: t_ack (or broadcast start) → handed to the last socket
    send_counts: list[int]
    server_cpu_pct: float
    machine_cpu_pct: float
    errors: list[str]
    lag_max_ms: float = 0.0
    command_seconds: float = 0.0  # first command sent → last acknowledged
    rss_before_mb: float = 0.0
    ack_after_sent_ms: list[float] = field(default_factory=list)  # command round trips
    first_ms: list[float] = field(default_factory=list)  # t_ack → handed to the first socket
    from_label: str = "from command sent"

    def figures(self) -> dict[str, Any]:
        lat = self.latencies
        return {
            "p50_ms": round(percentile(lat, 50) * 1000, 1),
            "p99_ms": round(percentile(lat, 99) * 1000, 1),
            "max_ms": round(lat[-1] * 1000, 1) if lat else math.nan,
            "lost": self.counts["lost"],
            # VmRSS sampled every 0.25 s while commands ran (VmHWM also holds a start-up peak)
            "rss_mb": round(max(self.rss_peak_mb, self.rss_connected_mb), 1),
            "rss_hwm_mb": round(self.hwm_mb, 1),
        }

    def report(self, title: str) -> None:
        f = self.figures()
        c = self.connect
        send = sorted(self.send_ms)
        print(f"  {title}")
        print(f"    viewers connected     {c['connected']}/{self.n} (with snapshot "
              f"{c['with_snapshot']}) in {c['seconds']:.1f} s; connect errors {c['error_count']}"
              + (f" e.g. {c['errors'][0]}" if c["errors"] else ""))
        print(f"    messages              {self.messages} sent, {len(self.latencies)} received "
              f"in all, lost {self.counts['lost']}, resync {self.counts['resynced']}, closed "
              f"{self.counts['closed']}, never subscribed {self.counts['never']}, duplicates "
              f"{self.counts['duplicates']}")
        print(f"    latency p50/p99/max   {f['p50_ms']} / {f['p99_ms']} / {f['max_ms']} ms "
              f"(min {self.latencies[0] * 1000 if self.latencies else math.nan:.1f} ms)")
        fs = self.from_sent
        if fs:
            print(f"    {self.from_label:<21} p50/p99/max {percentile(fs, 50) * 1000:.1f} / "
                  f"{percentile(fs, 99) * 1000:.1f} / {fs[-1] * 1000:.1f} ms")
        if send:
            print(f"    server send-to-last   p50 {percentile(send, 50):.1f} / p99 "
                  f"{percentile(send, 99):.1f} / max {send[-1]:.1f} ms; sockets per message "
                  f"min {min(self.send_counts)}")
        if self.first_ms:
            fm = self.first_ms
            print(f"    server ack-to-first   p50 {percentile(fm, 50):.1f} / p99 "
                  f"{percentile(fm, 99):.1f} / max {fm[-1]:.1f} ms (before the first socket)")
        if self.ack_after_sent_ms:
            rt = self.ack_after_sent_ms
            print(f"    command round trip    p50 {percentile(rt, 50):.1f} / p99 "
                  f"{percentile(rt, 99):.1f} ms (sent → 2xx read; latency is counted from the "
                  "2xx, so a delivery can precede it: negative)")
        per_viewer = 1024 * (self.rss_connected_mb - self.rss_before_mb) / max(1, c["connected"])
        print(f"    server RSS            peak {f['rss_mb']:.1f} MiB while commands ran "
              f"(VmHWM {self.hwm_mb:.1f}, incl. a start-up peak); before viewers "
              f"{self.rss_before_mb:.1f}, with viewers {self.rss_connected_mb:.1f} MiB "
              f"({per_viewer:.1f} KiB per viewer)")
        print(f"    CPU                   server {self.server_cpu_pct:.0f} % of one core; "
              f"machine {self.machine_cpu_pct:.0f} % of all cores")
        if self.command_seconds:
            print(f"    pace                  {self.messages} messages in "
                  f"{self.command_seconds:.1f} s = {self.messages / self.command_seconds:.1f}/s;"
                  f" latest started {self.lag_max_ms:.0f} ms after its slot")
        for error in self.errors[:3]:
            print(f"    error: {error}")


def _cpu_window(pids: list[int]) -> tuple[float, float, float]:
    return (sum(process_cpu_seconds(pid) for pid in pids), machine_busy_seconds()[0],
            time.monotonic())


def _cpu_usage(pids: list[int], before: tuple[float, float, float]) -> tuple[float, float]:
    cpu, busy, wall = _cpu_window(pids)
    seconds = max(1e-9, wall - before[2])
    return (100 * (cpu - before[0]) / seconds,
            100 * (busy - before[1]) / seconds / (os.cpu_count() or 1))


def run_app(database: Any, clients: Clients, n: int, args: argparse.Namespace) -> SideResult:
    count = int(args.seconds * args.rate)
    interval = 1 / args.rate
    with app_servers(database, args) as (port, pids):
        url = f"http://127.0.0.1:{port}"
        print(f"  app server pid {' '.join(map(str, pids))} on port {port} (uvicorn "
              f"ws={args.ws})", flush=True)
        table = asyncio.run(set_up_table(url, database, n, args.chains))
        snapshot = asyncio.run(last_position(database, table.negotiation_id))
        path = f"/ws/negotiations/{table.negotiation_id}/?feed=board"
        rss_before = rss_kib(pids) / 1024
        connect = clients.connect(port, path, n, args.wave)
        print(f"  {connect['connected']} viewers connected in {connect['seconds']:.1f} s",
              flush=True)
        time.sleep(1.0)
        rss_connected = rss_kib(pids) / 1024
        if len(pids) > 1:  # how the viewers spread: each holds ~30 KiB per connection
            print("  server RSS per process " + ", ".join(
                f"{proc_status_kib(pid, 'VmRSS') / 1024:.0f}" for pid in pids) + " MiB",
                flush=True)
        asyncio.run(fetch_sends(url))  # forget sends so far
        with RssWatch(pids) as watch:
            cpu_before = _cpu_window(pids)
            done = asyncio.run(commander(url, table, count, interval, args.per_article,
                                         time.monotonic() + 0.3))
            server_cpu, machine_cpu = _cpu_usage(pids, cpu_before)
            made = asyncio.run(event_ids(database, table.negotiation_id, snapshot))
            errors = list(done.errors)
            ack, sent = {}, {}
            for position, made_id in made:
                if made_id in done.times:
                    sent[position], ack[position] = done.times[made_id]
                else:
                    errors.append(f"the event at {position} answers no acknowledged command")
            collected = clients.collect(ack, sent, args.drain)
            shift = [a - s for s, a in done.times.values()]
        sends = asyncio.run(fetch_sends(url))
        hwm = sum(proc_status_kib(pid, "VmHWM") for pid in pids) / 1024
    send_ms = [1000 * (sends[p][1] - ack[p]) for p in ack if p in sends]
    first_ms = sorted(1000 * (sends[p][0] - ack[p]) for p in ack if p in sends)
    return SideResult(
        n=n, connect=connect, latencies=collected.pop("latencies"),
        from_sent=collected.pop("from_sent"), counts=collected,
        messages=len(ack), rss_connected_mb=rss_connected, rss_peak_mb=watch.peak_kib / 1024,
        hwm_mb=hwm, send_ms=send_ms, send_counts=[int(sends[p][2]) for p in ack if p in sends],
        server_cpu_pct=server_cpu, machine_cpu_pct=machine_cpu, errors=errors,
        lag_max_ms=1000 * max(done.lag, default=0.0), rss_before_mb=rss_before,
        command_seconds=(max(a for _, a in done.times.values())
                         - min(s for s, _ in done.times.values())) if done.times else 0.0,
        ack_after_sent_ms=sorted(1000 * x for x in shift), first_ms=first_ms,
    )


def run_baseline(clients: Clients, n: int, args: argparse.Namespace) -> SideResult:
    count = int(args.seconds * args.rate)
    with child(serve_baseline, (), "bench-baseline-server") as (port, pid, pipe):
        print(f"  baseline server pid {pid} on port {port}", flush=True)
        rss_before = proc_status_kib(pid, "VmRSS") / 1024
        connect = clients.connect(port, "/", n, args.wave)
        print(f"  {connect['connected']} viewers connected in {connect['seconds']:.1f} s",
              flush=True)
        time.sleep(1.0)
        rss_connected = proc_status_kib(pid, "VmRSS") / 1024
        with RssWatch([pid]) as watch:
            cpu_before = _cpu_window([pid])
            start_at, interval = time.monotonic() + 0.3, 1 / args.rate
            pipe.send(("run", start_at, count, interval))
            if not pipe.poll(args.seconds + 120):
                raise RuntimeError("the baseline server did not finish broadcasting")
            sent, _ = pipe.recv()
            server_cpu, machine_cpu = _cpu_usage([pid], cpu_before)
            ack = {position: before for position, before, _ in sent}
            # When each message was due: a broadcast that cannot keep up starts late, and
            # latency from its start (the headline, as the issue measures bare) hides that.
            due = {position: start_at + (position - 1) * interval for position in ack}
            collected = clients.collect(ack, due, args.drain)
        hwm = proc_status_kib(pid, "VmHWM") / 1024
        pipe.send(("stop",))
    return SideResult(
        n=n, connect=connect, latencies=collected.pop("latencies"),
        from_sent=collected.pop("from_sent"), counts=collected,
        messages=len(ack), rss_connected_mb=rss_connected, rss_peak_mb=watch.peak_kib / 1024,
        hwm_mb=hwm, send_ms=[1000 * (after - before) for _, before, after in sent],
        send_counts=[n], server_cpu_pct=server_cpu, machine_cpu_pct=machine_cpu, errors=[],
        rss_before_mb=rss_before, from_label="from when it was due",
        command_seconds=sent[-1][2] - start_at if sent else 0.0,
        lag_max_ms=1000 * max((before - due[p] for p, before, _ in sent), default=0.0),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,5000,10000", help="viewer counts, e.g. 1000,5000")
    parser.add_argument("--seconds", type=float, default=15, help="seconds of commands per N")
    parser.add_argument("--rate", type=float, default=10, help="commands (messages) per second")
    parser.add_argument("--client-procs", type=int, default=4, help="viewer processes")
    parser.add_argument("--server-procs", type=int, default=1,
                        help="app server processes on one listening socket, as "
                             "`negotiation serve --workers` runs them")
    parser.add_argument("--client", choices=("lean", "websockets"), default="lean",
                        help="viewer client: a minimal protocol, or the websockets library")
    parser.add_argument("--server-times", action="store_true",
                        help="time each change's first and last socket in the server "
                             "(adds work to the loop being measured)")
    parser.add_argument("--client-sched", choices=("normal", "batch"), default="normal",
                        help="viewer processes' scheduling policy (batch: no wakeup preemption "
                             "of the server, as viewers on other machines; both sides alike)")
    parser.add_argument("--ws", default="websockets-sansio",
                        help="uvicorn websocket implementation (websockets-sansio, websockets)")
    parser.add_argument("--wave", type=int, default=100,
                        help="connection attempts in flight per client process")
    parser.add_argument("--chains", type=int, default=5,
                        help="articles worked in parallel (each a sequential counter chain)")
    parser.add_argument("--per-article", type=int, default=20,
                        help="proposals on an article before the next one is opened")
    parser.add_argument("--drain", type=float, default=15,
                        help="longest wait after the last command for viewers to catch up")
    parser.add_argument("--no-baseline", action="store_true", help="skip the bare websockets side")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    if (not sizes or min(sizes) < 1 or args.client_procs < 1 or args.server_procs < 1
            or args.seconds <= 0):
        parser.error("--sizes, --client-procs, --server-procs and --seconds must be positive")
    sys.path.insert(0, str(Path(__file__).resolve().parent))  # for `commands` (setup helpers)

    from negotiation.database import drop_database, ensure_database_exists, locate_database

    nofile = raise_open_files_limit()
    with open("/proc/sys/net/core/somaxconn") as f:
        somaxconn = int(f.read())
    server = locate_database(DATA_DIR, os.environ.get("DATABASE_URL"))
    database = server.with_dbname(f"bench_fanout_{uuid.uuid4().hex[:12]}")
    ensure_database_exists(database)
    print(f"database {database.dbname}; sizes {sizes}; {args.seconds:g} s at {args.rate:g}/s per "
          f"N; {args.client_procs} viewer processes ({args.client} client, {args.client_sched} "
          f"scheduling); {os.cpu_count()} "
          f"cores; open files {nofile}; somaxconn {somaxconn} (caps backlog 8192)", flush=True)
    clients = Clients(args.client_procs, args.client, args.client_sched)
    results: dict[int, tuple[SideResult | None, SideResult | None]] = {}
    try:
        clients.start()
        for n in sizes:
            print(f"N = {n}", flush=True)
            app: SideResult | None = None
            base: SideResult | None = None
            try:
                app = run_app(database, clients, n, args)
                app.report(f"app (uvicorn {args.ws}, Litestar, hub; board feed, public)")
            except Exception as exc:
                print(f"  app side failed at N={n}: {type(exc).__name__}: {exc}", flush=True)
            if not args.no_baseline:
                try:
                    base = run_baseline(clients, n, args)
                    base.report("baseline (bare websockets broadcast())")
                except Exception as exc:
                    print(f"  baseline failed at N={n}: {type(exc).__name__}: {exc}", flush=True)
            results[n] = (app, base)
    finally:
        clients.stop()
        drop_database(database)

    out: dict[str, Any] = {}
    for n, (app, base) in results.items():
        entry: dict[str, Any] = app.figures() if app else {"error": "app side failed"}
        if base is not None:
            bf = base.figures()
            entry["baseline_p99_ms"] = bf["p99_ms"]
            entry["baseline_p50_ms"] = bf["p50_ms"]
            entry["baseline_max_ms"] = bf["max_ms"]
            entry["baseline_lost"] = bf["lost"]
            entry["baseline_rss_mb"] = bf["rss_mb"]
            due = base.from_sent
            entry["baseline_from_due_p99_ms"] = (
                round(percentile(due, 99) * 1000, 1) if due else None)
            entry["baseline_messages_per_s"] = round(
                base.messages / max(1e-9, base.command_seconds), 1)
        if app is not None:
            send = sorted(app.send_ms)
            entry["connected"] = app.connect["connected"]
            entry["messages"] = app.messages
            entry["resynced"] = app.counts["resynced"]
            entry["send_p99_ms"] = round(percentile(send, 99), 1) if send else None
            rt = app.ack_after_sent_ms
            entry["command_rtt_p50_ms"] = round(percentile(rt, 50), 1) if rt else None
            fs = app.from_sent
            entry["from_sent_p99_ms"] = round(percentile(fs, 99) * 1000, 1) if fs else None
            entry["commands_per_s"] = round(app.messages / max(1e-9, app.command_seconds), 1)
        out[str(n)] = entry
    verdicts = []
    if "5000" in out and "p99_ms" in out["5000"]:
        verdicts.append(f"p99 at 5000 {out['5000']['p99_ms']} ms (≤ 250)")
    if "10000" in out and "rss_mb" in out["10000"]:
        verdicts.append(f"RSS at 10000 {out['10000']['rss_mb']} MiB (≤ 512), "
                        f"lost {out['10000']['lost']}")
    for n, entry in out.items():
        if entry.get("baseline_p99_ms") and entry.get("p99_ms"):
            verdicts.append(f"{n}: p99 {entry['p99_ms'] / entry['baseline_p99_ms']:.2f}× bare")
    print("targets: " + "; ".join(verdicts))
    print(json.dumps(out))


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main()
