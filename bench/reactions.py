"""Benchmark: red and green cards — N websocket viewers each changing card once a second.

App side
    The real app in ``--server-procs`` (default 2) uvicorn worker processes on one listening
    socket and one database, as ``negotiation serve --workers 2`` runs them (bench/fanout.py's
    ``app_servers``), so the cards are counted on two nodes and summed through PostgreSQL
    (realtime/cards.py). One negotiation with an open session and an article on the table. N
    anonymous viewers (each its own ``viewer_id`` cookie, so each one browser) subscribe to the
    session feed from ``--client-procs`` client processes (the websockets library, compression
    off). For ``--seconds`` rounds of one second, every viewer changes its card once per round,
    at its own phase (viewer v at v/N of the round): round 0 raises green, odd rounds turn green
    to red, even rounds red to green. Changes fall in the first half of each round (viewer v at
v/N × 0.5 s), so the count settles before the next round.

Latency, exactly: within a round the count of the colour being raised only grows, one per
change, so a meter reading of g greens in an even round (reds in an odd one) says that g of
the round's changes are counted. For the j-th change of a round (by send time, across every
process; one CLOCK_MONOTONIC on this machine), the latency at a viewer is the time its first
reading of at least j arrived, minus the j-th change's send time. ``p99_ms`` is over every
change and ``--sample`` receiving viewers, within its round (``unseen_within_round``: the
changes a sampled viewer had not seen counted before the next round began). The meter
batches: a node publishes its counts and updates meters at most every cards.METER_INTERVAL
(250 ms).

Baseline: the same client processes and N connections against a bare ``websockets``
``broadcast()`` of a ~300 B message at 4/s (the meter's rate), in the same run; p99 from just
before ``broadcast()`` to receipt.

Exact: after the last round (and a 2 s settle), every viewer's latest reading must be N of the
last round's colour and 0 of the other.

    .venv/bin/python bench/reactions.py                       # 5000 viewers, 30 s
    .venv/bin/python bench/reactions.py --viewers 1000 --seconds 15

The last line printed is one JSON object: changes_per_s, meter_updates_per_s, p99_ms,
baseline_p99_ms, exact (and more).
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import contextlib
import json
import multiprocessing as mp
import os
import secrets
import sys
import threading
import time
import uuid
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _measure import bearer, child, expect, make_people, open_table, percentile, process_cpu_seconds
from fanout import DATA_DIR, app_servers, raise_open_files_limit, rss_kib, serve_baseline

SETTLE = 5.0  # seconds after the last round before the final readings are taken
ACTIVE = 0.5  # the part of each round in which viewers change (the rest lets the count settle)
BASELINE_RATE = 4.0  # messages per second: the meter's rate at most


# ---------------------------------------------------------------------- client processes
def client_process(index: int, conn: Connection) -> None:
    """Viewers of one share: connect, change cards on schedule, record what they read."""
    import uvloop

    raise_open_files_limit()
    uvloop.run(_client_main(index, conn))


async def _client_main(index: int, conn: Connection) -> None:
    from websockets.asyncio.client import connect

    loop = asyncio.get_running_loop()
    while True:
        command = await loop.run_in_executor(None, conn.recv)
        if command[0] == "stop":
            return
        if command[0] == "app":
            _, url, ids, n, start_at, rounds, sample = command
            conn.send(await _app_side(connect, url, ids, n, start_at, rounds, sample))
        elif command[0] == "baseline":
            _, url, count_of_viewers, messages = command
            conn.send(await _baseline_side(connect, url, count_of_viewers, messages))


async def _open(connect: Any, url: str, headers: dict[str, str]) -> Any:
    for attempt in range(20):
        try:
            return await connect(
                url, additional_headers=headers, compression=None, max_size=None,
                open_timeout=30, ping_interval=None,
            )
        except OSError:
            await asyncio.sleep(0.1 * (attempt + 1))
    raise RuntimeError("could not connect")


async def _app_side(connect: Any, url: str, ids: list[int], n: int, start_at: float,
                    rounds: int, sample: set[int]) -> dict[str, Any]:
    sockets = await asyncio.gather(
        *(_open(connect, url, {"Cookie": f"viewer_id={secrets.token_urlsafe(16)}"}) for _ in ids))
    readings: dict[int, list[tuple[float, int, int]]] = {v: [] for v in ids if v in sample}
    latest: dict[int, tuple[int, int] | None] = {v: None for v in ids}
    meters = {v: 0 for v in ids}
    sends: list[tuple[int, float]] = []  # (round, time)

    ended: dict[str, int] = {}

    async def read(v: int, socket: Any) -> None:
        try:
            async for raw in socket:
                now = time.monotonic()
                message = json.loads(raw)
                if message["type"] in ("resync", "error"):
                    ended[message["type"]] = ended.get(message["type"], 0) + 1
                part = (message.get("set") or message.get("parts") or {}).get("reactions")
                if part is None:
                    continue
                if message["type"] == "meter":
                    meters[v] += 1
                latest[v] = (part["red"], part["green"])
                if v in sample:
                    readings[v].append((now, part["red"], part["green"]))
            if time.monotonic() < start_at + rounds + SETTLE:
                ended["closed by the server"] = ended.get("closed by the server", 0) + 1
        except Exception as error:
            ended[repr(error)[:80]] = ended.get(repr(error)[:80], 0) + 1

    readers = [asyncio.create_task(read(v, s)) for v, s in zip(ids, sockets, strict=True)]

    async def change(v: int, socket: Any) -> None:
        for k in range(rounds):
            due = start_at + k + ACTIVE * v / n
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            card = "green" if k % 2 == 0 else "red"
            sends.append((k, time.monotonic()))
            await socket.send(f'{{"type":"card","card":"{card}"}}')

    await asyncio.gather(*(change(v, s) for v, s in zip(ids, sockets, strict=True)))
    await asyncio.sleep(max(0.0, start_at + rounds + SETTLE - time.monotonic()))
    if ended:
        print(f"client: {sum(ended.values())} viewers' feeds ended early: {ended}", flush=True)
    final = dict(latest)  # before closing: each close drops a card from everyone's count
    for socket in sockets:
        await socket.close()
    for task in readers:
        task.cancel()
    return {"sends": sends, "readings": readings, "latest": final, "meters": meters}


async def _baseline_side(connect: Any, url: str, count: int, messages: int) -> list[float]:
    sockets = await asyncio.gather(*(_open(connect, url, {}) for _ in range(count)))
    received: list[float] = []  # (recv time) per message, per socket: position order

    async def read(socket: Any) -> None:
        await socket.recv()  # the snapshot
        for _ in range(messages):
            raw = await socket.recv()
            received.append((json.loads(raw)["position"], time.monotonic()))

    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(messages / BASELINE_RATE + 30):
            await asyncio.gather(*(read(s) for s in sockets))
    for socket in sockets:
        await socket.close()
    return received


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


def latencies(
    results: list[dict[str, Any]], n: int, rounds: int, start_at: float
) -> tuple[list[float], int]:
    """Every (change, sampled viewer) latency seen within its round, and how many changes a
    viewer had not seen counted by the end of their round (a latency > ~0.5 s)."""
    by_round: list[list[float]] = [[] for _ in range(rounds)]
    for result in results:
        for k, at in result["sends"]:
            by_round[k].append(at)
    for times in by_round:
        times.sort()
    out: list[float] = []
    unseen = 0
    for result in results:
        for readings in result["readings"].values():
            starts = [r[0] for r in readings]
            for k, times in enumerate(by_round):
                if not times:
                    continue
                colour = 2 if k % 2 == 0 else 1  # index of green / red in a reading
                first = bisect.bisect_left(starts, times[0])
                last = bisect.bisect_left(starts, start_at + k + 1)  # until the next round
                j = 0  # changes of this round already seen counted at this viewer
                for at, *counts in readings[first:last]:
                    value = counts[colour - 1]
                    while j < min(value, len(times)):
                        out.append(max(0.0, at - times[j]))
                        j += 1
                unseen += len(times) - j
    out.sort()
    return out, unseen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--viewers", type=int, default=5000)
    parser.add_argument("--seconds", type=int, default=30, help="rounds of one change each")
    parser.add_argument("--client-procs", type=int, default=4)
    parser.add_argument("--server-procs", type=int, default=2)
    parser.add_argument("--sample", type=int, default=20, help="receiving viewers timed")
    parser.add_argument("--ws", default="websockets-sansio")
    args = parser.parse_args()
    args.server_times = False
    n, rounds = args.viewers, args.seconds

    from negotiation.database import drop_database, ensure_database_exists, locate_database

    raise_open_files_limit()
    server = locate_database(DATA_DIR, os.environ.get("DATABASE_URL"))
    database = server.with_dbname(f"bench_cards_{uuid.uuid4().hex[:12]}")
    ensure_database_exists(database)
    print(f"{n} viewers, {rounds} s, {args.server_procs} server processes, "
          f"{args.client_procs} client processes, {os.cpu_count()} cores", flush=True)
    ctx = mp.get_context("spawn")
    pipes, procs = [], []
    for i in range(args.client_procs):
        parent_end, child_end = ctx.Pipe()
        proc = ctx.Process(target=client_process, args=(i, child_end), name=f"cards-client-{i}")
        proc.start()
        pipes.append(parent_end)
        procs.append(proc)
    shares = [list(range(i, n, args.client_procs)) for i in range(args.client_procs)]
    sample = set(range(0, n, max(1, n // args.sample)))
    out: dict[str, Any] = {"viewers": n, "seconds": rounds, "meter_interval_ms": 250}
    try:
        with app_servers(database, args) as (port, pids):
            nid, sid = asyncio.run(set_up(f"http://127.0.0.1:{port}", database))
            url = f"ws://127.0.0.1:{port}/ws/negotiations/{nid}/?feed=session&session_id={sid}"
            start_at = time.monotonic() + 5 + n / 500  # time to connect everyone
            cpu_before = sum(process_cpu_seconds(p) for p in pids)
            rss_peak = [0]
            stop = threading.Event()

            def watch_rss() -> None:
                while not stop.wait(0.25):
                    rss_peak[0] = max(rss_peak[0], rss_kib(pids))

            watcher = threading.Thread(target=watch_rss, daemon=True)
            watcher.start()
            for pipe, share in zip(pipes, shares, strict=True):
                pipe.send(("app", url, share, n, start_at, rounds, sample & set(share)))
            results = [pipe.recv() for pipe in pipes]
            stop.set()
            cpu = sum(process_cpu_seconds(p) for p in pids) - cpu_before
            wall = time.monotonic() - start_at
        sends = sum(len(r["sends"]) for r in results)
        meters = sorted(m for r in results for m in r["meters"].values())
        expected = (0, n) if (rounds - 1) % 2 == 0 else (n, 0)
        latest = [v for r in results for v in r["latest"].values()]
        lat, unseen = latencies(results, n, rounds, start_at)
        out.update(
            changes_per_s=round(sends / rounds, 1),
            meter_updates_per_s=round(percentile(meters, 1) / rounds, 2) if meters
            else 0.0,  # the 1st percentile viewer: "seen by every viewer"
            meter_updates_per_s_median=round(percentile(meters, 50) / rounds, 2)
            if meters else 0.0,
            p99_ms=round(percentile(lat, 99) * 1000, 1) if lat else None,
            p50_ms=round(percentile(lat, 50) * 1000, 1) if lat else None,
            unseen_within_round=unseen,
            exact=all(v == expected for v in latest),
            exact_viewers=sum(v == expected for v in latest),
            readings_at_end=sorted({str(v): latest.count(v) for v in latest}.items())[:6],
            server_cpu_percent=round(100 * cpu / max(wall, 1e-9), 1),
            server_rss_mb=round(rss_peak[0] / 1024, 1),
        )
        with child(serve_baseline, (), "cards-baseline") as (bport, _, bconn):
            messages = int(rounds * BASELINE_RATE)
            for pipe, share in zip(pipes, shares, strict=True):
                pipe.send(("baseline", f"ws://127.0.0.1:{bport}/", len(share), messages))
            time.sleep(5 + n / 500)
            bconn.send(("go", time.monotonic() + 1, messages, 1 / BASELINE_RATE))
            sent, _connected = bconn.recv()
            received = [x for pipe in pipes for x in pipe.recv()]
            bconn.send(("stop",))
        sent_at = {position: before for position, before, _after in sent}
        base = sorted(max(0.0, at - sent_at[p]) for p, at in received if p in sent_at)
        out["baseline_p99_ms"] = round(percentile(base, 99) * 1000, 1) if base else None
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


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main()
