"""Benchmark: red and green cards — N websocket viewers each changing card once a second.

App side
    The real app in ``--server-procs`` (default 2) uvicorn worker processes on one listening
    socket and one database, as ``negotiation serve --workers 2`` runs them (bench/fanout.py's
    ``app_servers``), so the cards are counted on two nodes and summed through PostgreSQL
    (realtime/cards.py). One negotiation with an open session and an article on the table. N
    anonymous viewers (each its own ``viewer_id`` cookie, so each one browser) subscribe to the
    session feed from ``--client-procs`` client processes (fanout.py's lean websocket client,
    compression off, SCHED_BATCH so they do not preempt the server: see fanout.py). The
    kernel hands each connection to one of the two nodes; the bench reads which from /proc
    (the server's socket inodes against /proc/net/tcp).

Load: after a warm-up second, ``--seconds`` rounds of one second; in each, every viewer
changes its card once, at its own phase (the r-th viewer of its node at r/n × 0.75 s), so the
changes are spread over three quarters of the second and the last quarter separates rounds.
The viewers on node 0 *swap* (red → green in odd rounds, green → red in even ones; the
warm-up raised red); those on node 1 *raise and lower* (none → green in odd rounds, green →
none in even ones). That is the whole load: 1 change per viewer per second.

Latency, exactly (``p99_ms``): the meter shows only (red, green), and two nodes' changes
under it would be ambiguous (which of a thousand changes is a reading counting?). The
schedule makes them separable: red counts the swappers holding red, green + red − n₀ the
raisers holding green. So every reading says how many of the round's changes of EACH node
it counts. A node counts its own viewers' changes in the order they arrive, and a reading
counts every change that arrived at that node before a cut-off (the node's beat, or, for
the other node's, the beat whose counts it had heard), so within one node "a reading counts
m of this round's changes" means "the first m to arrive": the j-th change by send time
(one CLOCK_MONOTONIC for every process) is seen by a viewer at the first reading counting
at least j of them. Latency = that reading's arrival at the viewer − the change's send
time, for every change and every ``--sample`` receiving viewer (its own change excluded:
"other viewers' screens"). Readings are taken in arrival order; one that counts fewer of a
round's changes than the last must be the next round (its changes go the other way); at a
round boundary, where a reading could be either, the bench takes the round that leaves the
more changes unseen (a latency too long, never too short). A change a viewer never saw
counted is ``unseen`` and counts as infinitely late in the percentiles (p99 is null if more
than 1 % are). ``--self-check`` runs this attribution on a simulation whose latencies are
known (two nodes, jittered arrivals, the other node's counts sometimes a beat late): it
finds them, percentile by percentile, within the jitter. Send order and arrival order at
a node differ by the clients' scheduling jitter (a few ms: see client CPU).

The meter batches: every node publishes and shows its counts at the beats of
cards.METER_INTERVAL (250 ms, on the wall clock, the same beats for every node), its meter
waiting PEER_GATHER (50 ms) for the other nodes' counts of that beat. So the bound is about
one interval + the gather + the fan-out: ~300-350 ms on an idle machine.

Baseline (``baseline_p99_ms``): in the same run, the same client processes and viewers,
against bare ``websockets`` servers — as many processes as the app's, on one shared listening
socket — each ``broadcast()``-ing a meter-sized message to its connections 4 times a second
(the meter's rate), while every viewer sends a card-sized message once a second, as above.
p99 from just before ``broadcast()`` to receipt. It is the floor of "a frame to every
viewer on this machine" with the same clients, without any of the app.

Exact: after the last round (and a settle), every viewer's latest reading must be the
expected (red, green).

How to read the figures. ``changes_per_s`` is what the clients sent (N/s when they keep up:
check ``client_cpu_percent``, the sum over client processes, and ``late_sends``); the server
absorbed them if ``exact`` is true and ``unseen`` is 0. ``meter_updates_per_s`` is the
frames the 1st-percentile viewer got per second (at most 4, one per beat with news; 3 to 4
with this schedule). ``p99_ms`` includes the batching by design (up to one interval and the
gather): compare ``p99_ms − baseline_p99_ms`` with ~300 ms, not ``p99_ms`` with the
baseline. ``attributed`` false (a sampled viewer went a second or more without a reading,
so a round may have passed unseen) makes ``p99_ms`` null: the server fell behind. The
machine's 2 cores are shared with other work, which no figure here controls: read
``machine_busy_percent``, ``cpu_pressure_some_avg10`` and above all
``server_runqueue_wait_percent`` (the share of the run each server process spent runnable
but without a core) before any latency. With the wait above ~50 % the server is starved,
and latencies measure the machine, not the app; the bare baseline then degrades too.
``server_cpu_percent`` against ``baseline_server_cpu_percent`` (the bare servers' CPU for
the same viewers, cards and frame rate) is the ratio that survives a busy machine: it is
what the app costs beyond the websocket floor.

    .venv/bin/python bench/reactions.py                       # 5000 viewers, 30 s
    .venv/bin/python bench/reactions.py --viewers 1000 --seconds 15

The last line printed is one JSON object: changes_per_s, meter_updates_per_s, p99_ms,
baseline_p99_ms, exact (and more).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import math
import multiprocessing as mp
import os
import secrets
import socket as sockets
import sys
import threading
import time
import uuid
from array import array
from collections import defaultdict
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _measure import (
    bearer,
    child,
    expect,
    machine_busy_seconds,
    make_people,
    open_table,
    percentile,
    process_cpu_seconds,
)
from fanout import (
    DATA_DIR,
    LeanViewer,
    app_servers,
    raise_open_files_limit,
    rss_kib,
)

SETTLE = 3.0  # seconds after the last round before the final readings are taken
ACTIVE = 0.75  # the part of each round in which viewers change (the rest separates rounds)
BASELINE_RATE = 4.0  # messages per second: the meter's rate at most
CARD = {None: b'{"type":"card","card":null}', "red": b'{"type":"card","card":"red"}',
        "green": b'{"type":"card","card":"green"}'}
BASELINE_MESSAGE = (  # the size of a real meter message
    '{{"type":"meter","set":{{"reactions":{{"session_id":"5f0c3a9e-1b7d-4c2a-8e6f-0b1d3c5a7e9f",'
    '"article_id":"0b1d3c5a-7e9f-4c2a-8e6f-5f0c3a9e1b7d","turn":1,"red":{position},'
    '"green":{node}}}}},"remove":[]}}'
)


def card_of(stream: int, round_: int) -> str | None:
    """The card a viewer of node `stream` holds after round `round_` (0 is the warm-up)."""
    if stream == 0:
        return "red" if round_ % 2 == 0 else "green"
    return None if round_ % 2 == 0 else "green"


# ---------------------------------------------------------------------- client processes
class CardViewer:
    """One viewer's readings: every meter frame's (arrival, red, green), or only the count
    and the latest for viewers that are not sampled."""

    __slots__ = ("closed", "ended", "frames", "latest", "readings", "window")

    def __init__(self, sampled: bool) -> None:
        self.frames = 0
        self.window = (math.inf, math.inf)  # meter frames are counted within it
        self.latest: tuple[int, int] | None = None
        self.readings: array[float] | None = array("d") if sampled else None
        self.closed = False
        self.ended: str | None = None

    def on_message(self, payload: bytes, now: float) -> None:
        if payload.startswith(b'{"type":"meter"') or payload.startswith(b'{"type":"snapshot"'):
            parts = json.loads(payload).get("set" if payload[9] == ord("m") else "parts", {})
            part = parts.get("reactions")
            if part is None:
                return
            if payload[9] == ord("m") and self.window[0] <= now < self.window[1]:
                self.frames += 1
            self.latest = (part["red"], part["green"])
            if self.readings is not None:
                self.readings.extend((now, part["red"], part["green"]))
        elif payload.startswith(b'{"type":"resync"') or payload.startswith(b'{"type":"error"'):
            self.ended = payload[:60].decode(errors="replace")


class CookieViewer(LeanViewer):
    """fanout.py's lean client with a `viewer_id` cookie (one browser) and a way to send."""

    def __init__(self, host: str, port: int, path: str, viewer: Any) -> None:
        super().__init__(host, port, path, viewer)
        cookie = f"Cookie: viewer_id={secrets.token_urlsafe(16)}\r\n\r\n".encode()
        self.request = self.request[:-2] + cookie

    def send_text(self, payload: bytes) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self._send(0x1, payload)


def client_process(index: int, sched: str, conn: Connection) -> None:
    import uvloop

    raise_open_files_limit()
    if sched == "batch":
        os.sched_setscheduler(0, os.SCHED_BATCH, os.sched_param(0))
    uvloop.run(_client_main(conn))


async def _connect(host: str, port: int, path: str, viewer: Any,
                   gate: asyncio.Semaphore) -> tuple[Any, CookieViewer]:
    loop = asyncio.get_running_loop()
    for attempt in range(5):
        async with gate:
            try:
                transport, protocol = await asyncio.wait_for(loop.create_connection(
                    lambda: CookieViewer(host, port, path, viewer), host, port), 30)
                await asyncio.wait_for(protocol.ready, 30)
                return transport, protocol
            except (OSError, TimeoutError, ConnectionError):
                if attempt == 4:
                    raise
        viewer.closed = False
        await asyncio.sleep(0.3 * (attempt + 1))
    raise AssertionError


async def _client_main(conn: Connection) -> None:
    loop = asyncio.get_running_loop()
    handles: list[tuple[Any, CookieViewer]] = []
    viewers: dict[int, CardViewer] = {}
    while True:
        command = await loop.run_in_executor(None, conn.recv)
        kind = command[0]
        if kind == "stop":
            return
        if kind == "connect":  # -> {viewer: local port}
            _, host, port, path, ids, sample = command
            gate = asyncio.Semaphore(200)
            viewers = {v: CardViewer(v in sample) for v in ids}
            handles = list(await asyncio.gather(
                *(_connect(host, port, path, viewers[v], gate) for v in ids)))
            conn.send({v: t.get_extra_info("sockname")[1]
                       for v, (t, _) in zip(ids, handles, strict=True)})
        elif kind == "run":  # schedule: {viewer: (stream, phase)}
            _, plan, start_at, rounds, settle = command
            by_viewer = dict(zip(viewers, handles, strict=True))
            for viewer in viewers.values():
                viewer.window = (start_at, start_at + rounds + 1)
            sends = await _changes(by_viewer, plan, start_at, rounds)
            await asyncio.sleep(max(0.0, start_at + rounds + 1 + settle - time.monotonic()))
            final = {v: viewer.latest for v, viewer in viewers.items()}
            ended = [v.ended or "closed" for v in viewers.values() if v.ended or v.closed]
            conn.send({
                "sends": sends,
                "readings": {v: bytes(viewer.readings) for v, viewer in viewers.items()
                             if viewer.readings is not None},
                "frames": {v: viewer.frames for v, viewer in viewers.items()},
                "latest": final, "ended": ended[:5], "ended_count": len(ended),
            })
            for transport, _ in handles:
                transport.close()
            await asyncio.sleep(0.5)
            handles, viewers = [], {}
        elif kind == "baseline":  # connect, send cards on the same schedule, time receipts
            _, host, port, ids, plan, start_at, rounds = command
            gate = asyncio.Semaphore(200)
            received: list[tuple[int, int, float]] = []  # (node, position, arrival)
            base = {v: _BaselineViewer(received) for v in ids}
            handles = list(await asyncio.gather(
                *(_connect(host, port, "/", base[v], gate) for v in ids)))
            conn.send("connected")
            by_viewer = dict(zip(ids, handles, strict=True))
            await _changes(by_viewer, plan, start_at, rounds)
            await loop.run_in_executor(None, conn.recv)  # "collect": every broadcast is done
            conn.send(array("d", [x for r in received for x in r]).tobytes())
            for transport, _ in handles:
                transport.close()
            await asyncio.sleep(0.5)
            handles = []


class _BaselineViewer:
    __slots__ = ("closed", "received")

    def __init__(self, received: list[tuple[int, int, float]]) -> None:
        self.received = received
        self.closed = False

    def on_message(self, payload: bytes, now: float) -> None:
        if payload.startswith(b'{"type":"meter"'):
            red = payload.index(b'"red":') + 6
            green = payload.index(b'"green":') + 8
            self.received.append((int(payload[green:payload.index(b"}", green)]),
                                  int(payload[red:payload.index(b",", red)]), now))


async def _changes(by_viewer: dict[int, tuple[Any, CookieViewer]],
                   plan: dict[int, tuple[int, float]], start_at: float, rounds: int,
                   ) -> list[tuple[int, int, float]]:
    """Every viewer changes its card once a round (round 0 the warm-up), on one timer wheel:
    (viewer, round, send time) of each change."""
    schedule = sorted(((phase, v) for v, (_, phase) in plan.items() if v in by_viewer))
    sends: list[tuple[int, int, float]] = []
    for k in range(rounds + 1):
        for phase, v in schedule:
            due = start_at + k + phase
            delay = due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            stream = plan[v][0]
            if k == 0 and stream == 1:
                continue  # the raisers start with no card
            now = time.monotonic()
            by_viewer[v][1].send_text(CARD[card_of(stream, k)])
            sends.append((v, k, now))
    return sends


# ---------------------------------------------------------------------- the bare baseline
def serve_bare(node: int, listening: sockets.socket, conn: Connection) -> None:
    """Child process: bare websockets on the shared listening socket; on command, broadcast()
    a meter-sized message to its connections at BASELINE_RATE; reads and drops what viewers
    send."""
    import uvloop
    from websockets.asyncio.server import broadcast, serve
    from websockets.exceptions import ConnectionClosed

    raise_open_files_limit()

    async def main() -> None:
        loop = asyncio.get_running_loop()
        viewers: set[Any] = set()

        async def handler(socket: Any) -> None:
            viewers.add(socket)
            try:
                with contextlib.suppress(ConnectionClosed):
                    async for _ in socket:
                        pass
            finally:
                viewers.discard(socket)

        async with serve(handler, sock=listening, compression=None, max_queue=None):
            conn.send(listening.getsockname()[1])
            while True:
                command = await loop.run_in_executor(None, conn.recv)
                if command[0] == "stop":
                    return
                _, start_at, count, interval = command
                sent: list[tuple[int, float]] = []
                for position in range(1, count + 1):
                    await asyncio.sleep(max(0.0, start_at + (position - 1) * interval
                                            - time.monotonic()))
                    message = BASELINE_MESSAGE.format(position=position, node=node)
                    before = time.monotonic()
                    broadcast(viewers, message)  # writes to every socket before returning
                    sent.append((position, before))
                conn.send((sent, len(viewers)))

    uvloop.run(main())


def runqueue_wait_seconds(pid: int) -> float:
    """Time the process spent runnable but waiting for a core (0 if it is gone)."""
    try:
        with open(f"/proc/{pid}/schedstat") as f:
            return int(f.read().split()[1]) / 1e9
    except OSError:
        return 0.0


def cpu_pressure() -> float | None:
    """The share of the last 10 s in which some runnable task waited for a core (PSI)."""
    try:
        with open("/proc/pressure/cpu") as f:
            return float(f.readline().split()[1].split("=")[1])
    except (OSError, IndexError, ValueError):
        return None


# ---------------------------------------------------------------------- which node has whom
def node_of_ports(port: int, pids: list[int]) -> dict[int, int]:
    """{client port: index of the server process holding that connection}, from /proc."""
    inode_node: dict[str, int] = {}
    for index, pid in enumerate(pids):
        for fd in os.listdir(f"/proc/{pid}/fd"):
            with contextlib.suppress(OSError):
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
                if target.startswith("socket:["):
                    inode_node[target[8:-1]] = index
    out: dict[int, int] = {}
    with open("/proc/net/tcp") as f:
        next(f)
        for line in f:
            fields = line.split()
            local, remote, inode = fields[1], fields[2], fields[9]
            if int(local.split(":")[1], 16) == port and inode in inode_node:
                out[int(remote.split(":")[1], 16)] = inode_node[inode]
    return out


# ---------------------------------------------------------------------- the run
async def set_up(url: str, database: Any) -> tuple[str, str]:
    """An open session with an article on the table; returns (negotiation id, session id)."""
    import httpx

    union, employer = await make_people(database, 2)
    u = bearer(union[1])
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        nid, sid = await open_table(http, union, employer, title="Cards", session={
            "visibility": "open", "location": "Hall", "starts_at": "2026-11-24T16:00:00+00:00"})
        base = f"/api/negotiations/{nid}"
        article = await expect(await http.post(f"{base}/articles", headers=u, json={
            "number": "12", "title": "Class size", "category": "non_economic"}), 201)
        await expect(await http.post(f"{base}/sessions/{sid}/table", headers=u,
                                     json={"article_id": article["id"]}), 200)
    return nid, sid


def progress(stream: int, round_: int, red: int, green: int, sizes: list[int]) -> int:
    """How many of round `round_`'s changes of node `stream` a reading (red, green) counts."""
    if stream == 0:  # swappers: red counts those on red
        value = sizes[0] - red if round_ % 2 == 1 else red
    else:  # raisers: the rest of green
        holding = green + red - sizes[0]
        value = holding if round_ % 2 == 1 else sizes[1] - holding
    return max(0, min(sizes[stream], value))


def latencies(sends: list[tuple[int, int, float]], readings: dict[int, bytes],
              stream_of: dict[int, int], sizes: list[int], rounds: int
              ) -> tuple[array[float], int, int, float]:
    """Every (change, sampled viewer) latency of the measured rounds, the changes a viewer
    never saw counted, the readings that went backwards within a round (none expected), and
    the longest a sampled viewer went without a reading while changes were made (a second
    or more, and a round may have passed unseen: the attribution no longer holds).
    The warm-up (round 0: node 0's viewers raise red) is followed like a round, so a reading
    that still lacks some of it counts fewer of round 1 (too late, never too early). See the
    module's docstring."""
    ordered: dict[tuple[int, int], list[tuple[float, int]]] = defaultdict(list)
    for v, k, at in sends:
        ordered[(stream_of[v], k)].append((at, v))
    for times in ordered.values():
        times.sort()
    out = array("d")
    unseen = backwards = 0
    gap = 0.0
    first = min(at for _, _, at in sends)
    end = max(at for _, _, at in sends)
    for w, raw in readings.items():
        flat = array("d")
        flat.frombytes(raw)
        frames = [(flat[i], int(flat[i + 1]), int(flat[i + 2])) for i in range(0, len(flat), 3)]
        times = [first] + [at for at, _, _ in frames if first < at < end] + [end]
        gap = max(gap, max(b - a for a, b in itertools.pairwise(times)))
        for stream in (0, 1):
            if not sizes[stream]:
                continue
            k = 0 if stream == 0 else 1
            changes, j, last = ordered.get((stream, k), []), 0, 0
            for at, red, green in frames:
                if not changes or at < changes[0][0]:
                    continue  # before this round's first change
                p = progress(stream, k, red, green, sizes)
                if p < last:
                    following = ordered.get((stream, k + 1), [])
                    if not following or at < following[0][0]:
                        backwards += 1  # not the next round: it has not begun
                        continue
                    p = len(changes)  # the next round: this one is all counted
                    _seen(out, changes[j:p], at, w, k)
                    k, changes, j, last = k + 1, following, 0, 0
                    p = progress(stream, k, red, green, sizes)
                p = min(p, len(changes))
                if p > j:
                    _seen(out, changes[j:p], at, w, k)
                    j = p
                last = max(last, p)
            while k <= rounds:  # what this viewer never saw counted
                if k >= 1:
                    unseen += sum(1 for _, v in changes[j:] if v != w)
                k, j = k + 1, 0
                changes = ordered.get((stream, k), [])
    return out, unseen, backwards, gap


def _seen(out: array[float], changes: list[tuple[float, int]], at: float, viewer: int,
          round_: int) -> None:
    if round_ >= 1:  # the warm-up is not measured
        out.extend(max(0.0, at - sent) for sent, v in changes if v != viewer)


def p99_with_unseen(values: array[float], unseen: int, p: float = 99) -> float | None:
    """The p-th percentile, counting each unseen change as infinitely late."""
    total = len(values) + unseen
    rank = max(1, math.ceil(p / 100 * total))
    if rank > len(values):
        return None
    return sorted(values)[rank - 1]


def self_check(seed: int = 1) -> None:
    """The attribution against a simulation whose every latency is known: two nodes, a
    viewer on node 0 whose readings count node 0's arrivals up to its beat + 50 ms and node
    1's up to the beat (or, one time in five, the beat before), arrivals jittered after
    the sends. The latencies the bench derives from the readings alone must be the true
    ones, percentile by percentile, within the jitter (``--self-check``)."""
    import random

    rng = random.Random(seed)
    sizes, rounds = [300, 200], 6
    n = sum(sizes)
    stream_of = {v: 0 if v < sizes[0] else 1 for v in range(n)}
    sends: list[tuple[int, int, float]] = []
    arrived: dict[tuple[int, int], float] = {}
    for k in range(rounds + 1):
        for v in range(n):
            s = stream_of[v]
            if k == 0 and s == 1:
                continue
            at = k + ACTIVE * (v - s * sizes[0]) / sizes[s] + rng.uniform(0, 0.003)
            sends.append((v, k, at))
            arrived[(v, k)] = at + rng.uniform(0, 0.01)

    def counts(cut: float, stream: int) -> tuple[int, int]:
        held = [None] * n
        for (v, k), at in sorted(arrived.items(), key=lambda item: item[0][1]):
            if stream_of[v] == stream and at <= cut:
                held[v] = card_of(stream, k)
        return held.count("red"), held.count("green")

    raw = array("d")
    cuts = []
    for b in range(-2, 4 * (rounds + 2)):
        beat = b / 4
        cut = (beat + 0.05, beat - (0.25 if rng.random() < 0.2 else 0.0))
        cuts.append(cut)
        (r0, g0), (r1, g1) = counts(cut[0], 0), counts(cut[1], 1)
        raw.extend((beat + 0.06 + rng.uniform(0, 0.02), r0 + r1, g0 + g1))
    derived, unseen, backwards, _ = latencies(sends, {0: raw.tobytes()}, stream_of, sizes,
                                              rounds)
    truth = []
    sent_at = {(v, k): at for v, k, at in sends}
    for (v, k), at in arrived.items():
        if k >= 1 and v != 0:
            shown = next(raw[3 * i] for i, cut in enumerate(cuts) if at <= cut[stream_of[v]])
            truth.append(shown - sent_at[(v, k)])
    assert unseen == backwards == 0 and len(derived) == len(truth), (unseen, backwards)
    # Arrivals are ranked by send time (jitter reorders a few ms), so equal within that.
    worst = max(abs(a - b) for a, b in zip(sorted(derived), sorted(truth), strict=True))
    assert worst <= 0.015, f"the attribution is off by {worst * 1000:.0f} ms"
    print(f"self-check: {len(truth)} latencies derived from the readings alone are the true "
          f"ones within {worst * 1000:.1f} ms, percentile by percentile (p99 "
          f"{percentile(sorted(truth), 99) * 1000:.0f} ms, derived "
          f"{percentile(sorted(derived), 99) * 1000:.0f} ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--viewers", type=int, default=5000)
    parser.add_argument("--seconds", type=int, default=30, help="rounds of one change each")
    parser.add_argument("--client-procs", type=int, default=4)
    parser.add_argument("--server-procs", type=int, default=2, choices=(1, 2))
    parser.add_argument("--sample", type=int, default=20, help="receiving viewers timed")
    parser.add_argument("--sched", choices=("batch", "normal"), default="batch",
                        help="client scheduling policy (see fanout.py)")
    parser.add_argument("--ws", default="websockets-sansio")
    parser.add_argument("--self-check", action="store_true",
                        help="check the latency attribution on a simulation, and stop")
    args = parser.parse_args()
    if args.self_check:
        self_check()
        return
    args.server_times = False
    n, rounds = args.viewers, args.seconds

    from negotiation.database import drop_database, ensure_database_exists, locate_database

    nofile = raise_open_files_limit()
    server = locate_database(DATA_DIR, os.environ.get("DATABASE_URL"))
    database = server.with_dbname(f"bench_cards_{uuid.uuid4().hex[:12]}")
    ensure_database_exists(database)
    with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
        ports = f.read().split()
    print(f"{n} viewers, {rounds} s, {args.server_procs} server processes, "
          f"{args.client_procs} client processes, {os.cpu_count()} cores, open files "
          f"{nofile}, client ports {ports[0]}-{ports[1]}, load average "
          f"{os.getloadavg()[0]:.2f}", flush=True)
    ctx = mp.get_context("spawn")
    pipes, procs = [], []
    for i in range(args.client_procs):
        parent_end, child_end = ctx.Pipe()
        proc = ctx.Process(target=client_process, args=(i, args.sched, child_end),
                           name=f"cards-client-{i}")
        proc.start()
        pipes.append(parent_end)
        procs.append(proc)
    client_pids = [p.pid for p in procs if p.pid is not None]
    shares = [list(range(i, n, args.client_procs)) for i in range(args.client_procs)]
    sample = set(range(0, n, max(1, n // args.sample)))
    out: dict[str, Any] = {"viewers": n, "seconds": rounds, "meter_interval_ms": 250}
    try:
        with app_servers(database, args) as (port, pids):
            nid, sid = asyncio.run(set_up(f"http://127.0.0.1:{port}", database))
            path = f"/ws/negotiations/{nid}/?feed=session&session_id={sid}"
            started = time.monotonic()
            for pipe, share in zip(pipes, shares, strict=True):
                pipe.send(("connect", "127.0.0.1", port, path, share, sample & set(share)))
            local_ports: dict[int, int] = {}
            for pipe in pipes:
                local_ports.update(pipe.recv())
            connect_s = time.monotonic() - started
            nodes = node_of_ports(port, pids)
            stream_of = {v: nodes[p] for v, p in local_ports.items()}
            sizes = [sum(1 for s in stream_of.values() if s == i) for i in (0, 1)]
            ranks: dict[int, int] = {}
            plan: dict[int, tuple[int, float]] = {}
            for v in range(n):
                s = stream_of[v]
                ranks[s] = ranks.get(s, -1) + 1
                plan[v] = (s, ACTIVE * ranks[s] / max(1, sizes[s]))
            print(f"connected in {connect_s:.1f} s: {sizes[0]} on node 0 (swap), "
                  f"{sizes[1]} on node 1 (raise and lower); server pids {pids}", flush=True)
            start_at = time.monotonic() + 2
            rss_peak = [0]
            stop = threading.Event()

            def watch_rss() -> None:
                while not stop.wait(0.25):
                    rss_peak[0] = max(rss_peak[0], rss_kib(pids))

            watcher = threading.Thread(target=watch_rss, daemon=True)
            watcher.start()
            for pipe, share in zip(pipes, shares, strict=True):
                pipe.send(("run", {v: plan[v] for v in share}, start_at, rounds, SETTLE))
            # CPU over the measured rounds only (after the warm-up second)
            time.sleep(max(0.0, start_at + 1 - time.monotonic()))
            cpu0 = [process_cpu_seconds(p) for p in pids]
            ccpu0 = [process_cpu_seconds(p) for p in client_pids]
            wait0 = [runqueue_wait_seconds(p) for p in pids]
            busy0 = machine_busy_seconds()
            t0 = time.monotonic()
            time.sleep(max(0.0, start_at + 1 + rounds - time.monotonic()))
            wall = time.monotonic() - t0
            cpu = [process_cpu_seconds(p) - c for p, c in zip(pids, cpu0, strict=True)]
            ccpu = [process_cpu_seconds(p) - c for p, c in zip(client_pids, ccpu0, strict=True)]
            wait = [runqueue_wait_seconds(p) - w for p, w in zip(pids, wait0, strict=True)]
            busy1 = machine_busy_seconds()
            load_during, pressure = os.getloadavg()[0], cpu_pressure()
            results = [pipe.recv() for pipe in pipes]
            stop.set()
        sends = [s for r in results for s in r["sends"]]
        measured = [s for s in sends if s[1] >= 1]
        frames = sorted(f for r in results for f in r["frames"].values())
        final = {v: t for r in results for v, t in r["latest"].items()}
        expected_cards = [card_of(stream_of[v], rounds) for v in range(n)]
        expected = (expected_cards.count("red"), expected_cards.count("green"))
        readings = {v: raw for r in results for v, raw in r["readings"].items()}
        lat, unseen, backwards, gap = latencies(sends, readings, stream_of, sizes, rounds)
        lat = array("d", sorted(lat))
        late = sum(1 for v, k, at in sends if at - (start_at + k + plan[v][1]) > 0.05)
        attributed = gap < 1.0  # else a viewer may have missed a whole round's readings
        p99 = p99_with_unseen(lat, unseen) if attributed else None
        out.update(
            nodes=sizes,
            changes_per_s=round(len(measured) / rounds, 1),
            late_sends=late,  # sent more than 50 ms after their time: the clients lagging
            meter_updates_per_s=round(percentile(frames, 1) / (rounds + 1), 2) if frames
            else 0.0,  # the 1st percentile viewer: "seen by every viewer"
            meter_updates_per_s_min=round(frames[0] / (rounds + 1), 2) if frames else 0.0,
            meter_updates_per_s_median=round(percentile(frames, 50) / (rounds + 1), 2)
            if frames else 0.0,
            p99_ms=round(p99 * 1000, 1) if p99 is not None else None,
            p50_ms=round(percentile(lat, 50) * 1000, 1) if lat else None,
            max_ms=round(lat[-1] * 1000, 1) if lat else None,
            latency_samples=len(lat),
            unseen=unseen,
            backwards_readings=backwards,
            reading_gap_max_ms=round(gap * 1000, 1),
            attributed=attributed,
            exact=all(final[v] == expected for v in range(n)),
            exact_viewers=sum(final[v] == expected for v in range(n)),
            expected_final=list(expected),
            feeds_ended=sum(r["ended_count"] for r in results),
            server_cpu_percent=round(100 * sum(cpu) / wall, 1),  # of one core
            server_cpu_percent_each=[round(100 * c / wall, 1) for c in cpu],
            server_rss_mb=round(rss_peak[0] / 1024, 1),
            client_cpu_percent=round(100 * sum(ccpu) / wall, 1),
            client_cpu_percent_max=round(100 * max(ccpu) / wall, 1),
            # Waiting for a core while runnable: the share the machine's other work took.
            server_runqueue_wait_percent=[round(100 * w / wall, 1) for w in wait],
            machine_busy_percent=round(
                100 * (busy1[0] - busy0[0]) / max(busy1[1] - busy0[1], 1e-9), 1),
            cpu_pressure_some_avg10=pressure,
            load_average_during=round(load_during, 2),
        )
        if out["feeds_ended"]:
            print("feeds ended early:", [e for r in results for e in r["ended"]][:5])
        print(json.dumps(out), flush=True)  # the app side, in case the baseline fails
        out.update(baseline(pipes, shares, plan, args, client_pids, rounds))
        out["load_average_end"] = round(os.getloadavg()[0], 2)
    finally:
        for pipe in pipes:
            with contextlib.suppress(Exception):
                pipe.send(("stop",))
        for proc in procs:
            proc.join(10)
            if proc.is_alive():
                proc.kill()
        drop_database(database)
    print(json.dumps(out))


def baseline(pipes: list[Connection], shares: list[list[int]],
             plan: dict[int, tuple[int, float]], args: argparse.Namespace,
             client_pids: list[int], rounds: int) -> dict[str, Any]:
    """The bare websockets broadcast to the same viewers: see the module's docstring."""
    listening = sockets.socket(sockets.AF_INET, sockets.SOCK_STREAM)
    listening.setsockopt(sockets.SOL_SOCKET, sockets.SO_REUSEADDR, 1)
    listening.bind(("127.0.0.1", 0))
    listening.listen(8192)
    with listening, contextlib.ExitStack() as stack:
        servers = [stack.enter_context(child(serve_bare, (i, listening), f"cards-bare-{i}"))
                   for i in range(args.server_procs)]
        port = servers[0][0]
        start_at = time.monotonic() + 2 + len(plan) / 1000
        for pipe, share in zip(pipes, shares, strict=True):
            pipe.send(("baseline", "127.0.0.1", port, share, {v: plan[v] for v in share},
                       start_at, rounds))
        for pipe in pipes:
            pipe.recv()  # connected
        messages = int(rounds * BASELINE_RATE)
        for _, _, bconn in servers:
            bconn.send(("go", start_at + 1, messages, 1 / BASELINE_RATE))
        ccpu0 = [process_cpu_seconds(p) for p in client_pids]
        scpu0 = [process_cpu_seconds(pid) for _, pid, _ in servers]
        t0 = time.monotonic()
        sent = [bconn.recv() for _, _, bconn in servers]
        wall = time.monotonic() - t0
        ccpu = sum(process_cpu_seconds(p) - c for p, c in zip(client_pids, ccpu0, strict=True))
        scpu = sum(process_cpu_seconds(pid) - c
                   for (_, pid, _), c in zip(servers, scpu0, strict=True))
        time.sleep(max(1.0, start_at + rounds + 2 - time.monotonic()))  # the last arrive
        received = array("d")
        for pipe in pipes:
            pipe.send(("collect",))
            received.frombytes(pipe.recv())
        for _, _, bconn in servers:
            bconn.send(("stop",))
    sent_at = {(node, position): before for node, (s, _) in enumerate(sent)
               for position, before in s}
    base = sorted(max(0.0, received[i + 2] - sent_at[(int(received[i]), int(received[i + 1]))])
                  for i in range(0, len(received), 3))
    expected = sum(count for _, count in sent) * messages
    p99 = p99_with_unseen(array("d", base), max(0, expected - len(base)))
    return {
        "baseline_p99_ms": round(p99 * 1000, 1) if p99 is not None else None,
        "baseline_p50_ms": round(percentile(base, 50) * 1000, 1) if base else None,
        "baseline_received": len(base),
        "baseline_expected": expected,
        "baseline_client_cpu_percent": round(100 * ccpu / wall, 1),
        "baseline_server_cpu_percent": round(100 * scpu / wall, 1),
    }


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main()
