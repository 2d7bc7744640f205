"""Benchmark: casting ratification ballots over HTTP against `negotiation serve --workers 2`.

On a fresh database ``bench_ballots_<hex>`` (embedded PostgreSQL in ``var/bench-pgdata`` or
``DATABASE_URL``'s server; dropped at the end):

1. Setup, untimed: accounts and a negotiation with a whole TA (on the application directly);
   then over HTTP, as the officials' browsers would: call the vote, appoint 3 officials (k = 2),
   sync a roll of ``--members`` members (JSON), certify it, run the key ceremony, issue the
   credentials (CSV), open the vote.
2. ``--ballots`` ballots (default: every member) are encrypted with their proofs by
   ``--procs`` client processes *before* the timed phase.
3. Timed: ``--clients`` concurrent HTTP clients (spread over ``--client-procs`` processes) cast
   them; for ``--double`` (1 %) of the credentials a second ballot with the same credential is
   sent at the same moment. ``ballots_per_s`` = accepted ballots / wall time; ``p99_ms`` of the
   accepted casts; ``double_votes_accepted`` = credentials with more than one accepted ballot
   (must be 0; also checked against the vote's own ballot count).
4. Close (early, with a reason); ``tally_ms`` = from the close to the certified result: two
   officials fetch the encrypted tally, compute their partial decryptions with proofs, post them
   (verified server-side), and certify. ``tally_exact``: the certified counts equal the choices
   made in step 2, and the verifier's recount agrees.
5. ``verify_ms``: ``verify_record`` of the whole published record over ``--procs`` processes.
6. ``ballot_proofs_per_s``: the crypto alone, the same ballots' proofs verified on ``--procs``
   processes in this run (the ceiling); ``ratio`` = ballots_per_s / ballot_proofs_per_s.

    .venv/bin/python bench/ballots.py                         # 100,000 members
    .venv/bin/python bench/ballots.py --members 20000         # on a loaded machine

The last line printed is one JSON object.

How to read it. Compare ``ballots_per_s`` with ``ballot_proofs_per_s`` from the same run
(``ratio``), never with a figure from another run: on the shared 2-core machine the load average
swings between 1 and 30 within minutes. ``transport_errors`` (requests that got no answer) must
be 0 for the other figures to mean anything. ``cpu_ms_per_ballot`` says where the cast phase's
CPU went (server processes, PostgreSQL, the clients; ``machine`` is every process, others'
included), ``cast_idle_share`` how much of both cores sat idle, ``ballots_per_batch`` how many
ballots each transaction saved.

Measured (2026-12-02 04:50, quiet machine, load average 0.6-3), 100,000 members:
``ballots_per_s`` 749.8 (100,000 in 133 s), ``p99_ms`` 198.3, ``double_votes_accepted`` 0 of
1,000 attempts, ``tally_ms`` 1,706, ``verify_ms`` 58,448, ``tally_exact`` true,
``ballot_proofs_per_s`` 1,930, ``ratio`` 0.389, ``transport_errors`` 0; CPU a ballot: server
1.97 ms (its proofs ≈ 1.04 of it), PostgreSQL 0.21, clients 0.06; 14 % idle; 8.2 ballots a
batch. The same bench on the morning's code gave 438.5 ballots/s and ratio 0.209: the
clients' httpx took a quarter of the machine (now plain HTTP/1.1, 0.06 ms a ballot); the
default executor's 6 threads held casts back 130 ms before their handler and kept batches at
3; a batch's save took eight round trips under the lock (now two), with the ballots' bytes
quoted in Python; every cast asked the database for its credential; and the batch's check
scanned the whole participation table. What is left above the proofs: uvicorn and Litestar
(≈ 0.5 ms a ballot), the batch's event sourcing (≈ 0.3 ms), and the two worker processes
taking turns on the vote's lock, whose holder waits for the CPU at each of its two wake-ups.

Measured again (2026-12-02 22:38, load average 0-3), 100,000 members: ``ballots_per_s`` 559.5,
``p99_ms`` 310.5, 0 doubles, ``tally_ms`` 1,852 (certify 1,814: it reads and hashes the whole
record; 3,683 before certifying read only the ballots' states, in binary, into untracked
structs), ``verify_ms`` 77,590, ``ballot_proofs_per_s`` 1,655, ``ratio`` 0.338; CPU a ballot:
server 2.61 ms (proofs ≈ 1.21), PostgreSQL 0.27, clients 0.08; 15 % idle; 7.5 a batch.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import io
import json
import os
import random
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from multiprocessing import Pool
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
import httpx  # noqa: E402
import msgspec  # noqa: E402
import psycopg  # noqa: E402
from _measure import (  # noqa: E402  (bench/_measure.py)
    machine_busy_seconds,
    percentile,
    postgres_cpu_seconds,
    process_cpu_seconds,
)

from negotiation.application import Negotiations  # noqa: E402
from negotiation.ballots.ballot import ballot_problems  # noqa: E402
from negotiation.ballots.context import ElectionContext  # noqa: E402
from negotiation.ballots.group import Point  # noqa: E402
from negotiation.ballots.record import BallotSubmission, ElectionRecord, ballot_from  # noqa: E402
from negotiation.ballots.verify import verify_record  # noqa: E402
from negotiation.database import drop_database, ensure_database_exists, locate_database  # noqa: E402
from negotiation.voting.client import Official, context_from, decrypt, make_submission  # noqa: E402
from negotiation.voting.client import run_ceremony as http_ceremony  # noqa: E402
from web.identity import Identity  # noqa: E402

# ---------------------------------------------------------------------- client processes
_CONTEXT: ElectionContext | None = None


def _init(fields: tuple[str, bytes, bytes, bytes, tuple[str, ...]]) -> None:
    global _CONTEXT
    election_id, document, roll, key, options = fields
    _CONTEXT = ElectionContext(election_id, document, roll, Point.from_bytes(key), options)


def _encrypt(choices: list[int]) -> list[bytes]:
    assert _CONTEXT is not None
    return [msgspec.json.encode(make_submission(_CONTEXT, c)) for c in choices]


def _verify(encoded: list[bytes]) -> int:
    assert _CONTEXT is not None
    bad = 0
    for raw in encoded:
        b = ballot_from(msgspec.json.decode(raw, type=BallotSubmission))
        bad += bool(ballot_problems(_CONTEXT, b))
    return bad


def _cast_worker(
    args: tuple[str, list[tuple[str, int, bytes]], int],
) -> tuple[list[tuple[str, int, int, float]], float]:
    """One client process: `clients` concurrent keep-alive connections casting its share of
    ballots; returns the results and the CPU seconds this process spent casting.

    The requests are plain HTTP/1.1 written from bytes made before the timed phase: the clients
    share the server's two cores, and a full client library (httpx: ≈ 1 ms of CPU a request)
    would take a quarter of the machine from the server it is measuring. Voters' phones don't.
    """
    import urllib.parse

    import uvloop

    url, jobs, clients = args
    target = urllib.parse.urlsplit(url)
    head = (
        f"POST {target.path} HTTP/1.1\r\nHost: {target.netloc}\r\n"
        "Content-Type: application/json\r\nContent-Length: "
    ).encode()
    cpu = time.process_time()

    async def run() -> list[tuple[str, int, int, float]]:
        queue = list(reversed(jobs))
        out: list[tuple[str, int, int, float]] = []

        async def client() -> None:
            reader, writer = await asyncio.open_connection(target.hostname, target.port)
            while queue:
                credential, choice, body = queue.pop()
                start = time.perf_counter()
                try:
                    writer.write(head + str(len(body)).encode() + b"\r\n\r\n" + body)
                    status = await _answer(reader)
                except (OSError, asyncio.IncompleteReadError, ValueError):
                    status = 0  # no answer: counted as `transport_errors`
                    writer.close()
                    reader, writer = await asyncio.open_connection(target.hostname, target.port)
                out.append((credential, choice, status, time.perf_counter() - start))
            writer.close()

        await asyncio.gather(*(client() for _ in range(clients)))
        return out

    results = uvloop.run(run())
    return results, time.process_time() - cpu


async def _answer(reader: asyncio.StreamReader) -> int:
    """Read one HTTP/1.1 response (status line, headers, a Content-Length body); its status."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
        elif name.strip().lower() == b"connection" and value.strip().lower() == b"close":
            raise ValueError("the server closed the connection")
    await reader.readexactly(length)
    return status


def tree_cpu_seconds(pid: int) -> float:
    """CPU time of a process and all its descendants still alive (the server's workers)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            children.setdefault(ppid, []).append(int(entry))
    total, todo = 0.0, [pid]
    while todo:
        p = todo.pop()
        total += process_cpu_seconds(p)
        todo.extend(children.get(p, []))
    return total


# ---------------------------------------------------------------------- server
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def serve(dsn: str, port: int, workers: int) -> Iterator[tuple[str, int]]:
    env = {**os.environ, "DATABASE_URL": dsn, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "web.cli",
            "serve",
            "--workers",
            str(workers),
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 600  # two workers starting on a loaded machine
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(url + "/api/negotiations", timeout=2).status_code < 500:
                    break
            if time.monotonic() > deadline or process.poll() is not None:
                raise SystemExit("the server did not start")
            time.sleep(0.3)
        yield url, process.pid
    finally:
        process.terminate()
        process.wait(timeout=60)


async def make_people(dsn: str, names: list[str]) -> list[tuple[str, str, dict[str, str]]]:
    pool = await asyncpg.create_pool(dsn, min_size=1, max_size=2)
    identity = Identity(pool)
    await identity.create_schema()
    out = []
    for name in names:
        account = await identity.create_account(
            username=f"bench_{uuid.uuid4().hex[:8]}",
            display_name=name,
            password="correct horse battery staple",
        )
        token = await identity.issue_token(account, kind="api", label="bench")
        out.append((account.account_id, name, {"Authorization": f"Bearer {token.token}"}))
    await pool.close()
    return out


def whole_ta(config: Any, union: Any, employer: Any) -> str:
    from tests.support import open_table_in

    app = Negotiations(env=config.eventsourcing_env())
    try:
        nid, _ = open_table_in(app, union, employer, "Bench contract")
        article = app.open_article(nid, union, number="1", title="Wages", category="economic")
        proposal = app.table_proposal(nid, union, article_id=article, text="3 % a year.")
        for chief in (union, employer):
            app.sign_ta(nid, chief, article_id=article, proposal_id=proposal)
        return str(nid)
    finally:
        app.close()


def check(response: httpx.Response, status: int = 200) -> Any:
    if response.status_code != status:
        raise SystemExit(
            f"{response.request.method} {response.request.url}: "
            f"{response.status_code} {response.text[:300]}"
        )
    return response.json() if "json" in response.headers.get("content-type", "") else response.text


def call_vote(
    http: httpx.Client,
    nid: str,
    chief: dict[str, str],
    official_people: list[tuple[str, str, dict[str, str]]],
    options: list[str],
) -> tuple[Any, str, list[Official]]:
    """As the union's chief: call a vote open since a minute ago for three days, and appoint
    the officials (2 of them to decrypt). Returns the vote, its API path and the officials."""
    base = f"/api/negotiations/{nid}/votes"
    now = datetime.now(UTC)
    vote = check(
        http.post(
            base + "/",
            headers=chief,
            json={
                "question": "Ratify?",
                "options": options,
                "opens_at": (now - timedelta(minutes=1)).isoformat(),
                "closes_at": (now + timedelta(days=3)).isoformat(),
            },
        ),
        201,
    )
    vbase = f"{base}/{vote['id']}"
    check(
        http.put(
            vbase + "/officials",
            headers=chief,
            json={
                "officials": [{"account_id": a, "name": n} for a, n, _ in official_people],
                "quorum": 2,
            },
        )
    )
    return vote, vbase, [Official(headers=h) for _, _, h in official_people]


# ---------------------------------------------------------------------- the run
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--ballots", type=int, default=0, help="default: every member")
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--client-procs", type=int, default=2)
    parser.add_argument("--procs", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--double", type=float, default=0.01)
    parser.add_argument("--options", type=int, default=2, choices=(2, 3))
    args = parser.parse_args()
    ballots = args.ballots or args.members
    server = locate_database(ROOT / "var" / "bench-pgdata", os.environ.get("DATABASE_URL"))
    config = server.with_dbname(f"bench_ballots_{uuid.uuid4().hex[:8]}")
    ensure_database_exists(config)
    try:
        run(args, config, ballots)
    finally:
        drop_database(config)


def run(args: argparse.Namespace, config: Any, ballots: int) -> None:
    from negotiation.domain.actors import Actor

    people = asyncio.run(
        make_people(
            config.dsn(),
            ["Union chief", "Employer chief", "Official 1", "Official 2", "Official 3"],
        )
    )
    (u_id, u_name, u_headers), (e_id, e_name, _), *official_people = people
    nid = whole_ta(config, Actor(u_id, u_name), Actor(e_id, e_name))
    port = free_port()
    with (
        serve(config.dsn(), port, args.workers) as (url, server_pid),
        httpx.Client(base_url=url, timeout=600) as http,
    ):
        options = ["yes", "no", "abstain"][: args.options]
        vote, vbase, officials = call_vote(http, nid, u_headers, official_people, options)
        lead = officials[0].headers
        t = time.perf_counter()
        members = [
            {
                "member_id": f"M{i:06d}",
                "name": f"Member {i}",
                "email": f"m{i}@example.org",
                "worksite": f"Site {i % 40}",
                "classification": ("Teacher", "Aide", "Nurse")[i % 3],
                "language": "en",
                "good_standing": True,
            }
            for i in range(args.members)
        ]
        report = check(http.put(vbase + "/roll", headers=lead, json={"members": members}))
        roll_s = time.perf_counter() - t
        check(http.post(vbase + "/roll/certify", headers=lead))
        http_ceremony(http, vbase, officials)
        t = time.perf_counter()
        credentials = check(http.post(vbase + "/credentials", headers=lead))
        credentials_s = time.perf_counter() - t
        codes = [row["code"] for row in csv.DictReader(io.StringIO(credentials))]
        check(http.post(vbase + "/open", headers=lead))
        context = context_from(check(http.get(vbase + "/ballot")))
        print(
            f"setup: roll of {report['accepted']:,} in {roll_s:.1f} s, "
            f"{len(codes):,} credentials in {credentials_s:.1f} s",
            flush=True,
        )

        # Encrypt before the timed phase (client processes), with the choices remembered.
        rng = random.Random(7)
        choices = [rng.randrange(args.options) for _ in range(ballots)]
        doubles = set(rng.sample(range(ballots), int(ballots * args.double)))
        fields = (
            context.election_id,
            context.document_hash,
            context.roll_hash,
            bytes(context.public_key),
            context.options,
        )
        all_choices = choices + [rng.randrange(args.options) for _ in doubles]
        chunks = [all_choices[i : i + 500] for i in range(0, len(all_choices), 500)]
        t = time.perf_counter()
        with Pool(args.procs, initializer=_init, initargs=(fields,)) as pool:
            encoded = [b for chunk in pool.map(_encrypt, chunks) for b in chunk]
        print(f"encrypted {len(encoded):,} ballots in {time.perf_counter() - t:.1f} s", flush=True)
        first, second = encoded[:ballots], iter(encoded[ballots:])

        def job(i: int, body: bytes, choice: int) -> tuple[str, int, bytes]:
            raw = b'{"credential":"' + codes[i].encode() + b'","ballot":' + body + b"}"
            return codes[i], choice, raw

        # A double attempt goes to the other client process at the same place in its queue,
        # so the two race each other.
        per_proc: list[list[tuple[str, int, bytes]]] = [[] for _ in range(args.client_procs)]
        double_choices = iter(all_choices[ballots:])
        for i, body in enumerate(first):
            per_proc[i % args.client_procs].append(job(i, body, choices[i]))
            if i in doubles:
                extra = job(i, next(second), next(double_choices))
                per_proc[(i + 1) % args.client_procs].append(extra)
        per_clients = args.clients // args.client_procs
        with Pool(args.client_procs) as pool:
            cpu_before = (tree_cpu_seconds(server_pid), postgres_cpu_seconds())
            busy_before = machine_busy_seconds()
            t = time.perf_counter()
            parts = pool.map(
                _cast_worker, [(url + vbase + "/ballots", part, per_clients) for part in per_proc]
            )
            cast_s = time.perf_counter() - t
            busy_after = machine_busy_seconds()
            cpu_after = (tree_cpu_seconds(server_pid), postgres_cpu_seconds())
        results = [r for part, _ in parts for r in part]
        # Where the cast phase's CPU went, per ballot sent (server, database, the clients).
        sent = len(results)
        cpu_ms = {
            "server": (cpu_after[0] - cpu_before[0]) * 1000 / sent,
            "postgres": (cpu_after[1] - cpu_before[1]) * 1000 / sent,
            "clients": sum(cpu for _, cpu in parts) * 1000 / sent,
            "machine": (busy_after[0] - busy_before[0]) * 1000 / sent,
        }
        idle_share = 1 - (busy_after[0] - busy_before[0]) / (
            (busy_after[1] - busy_before[1]) or 1
        )
        accepted = [r for r in results if r[2] == 201]
        per_credential: dict[str, int] = {}
        for credential, _, _, _ in accepted:
            per_credential[credential] = per_credential.get(credential, 0) + 1
        double_accepted = sum(n - 1 for n in per_credential.values() if n > 1)
        others = sorted({s for _, _, s, _ in results if s != 201})
        latencies = sorted(r[3] * 1000 for r in accepted)
        state = check(http.get(vbase))
        ballots_per_s = len(accepted) / cast_s
        # How many transactions saved the ballots (each batch is one: voting/batch.py).
        with psycopg.connect(config.dsn()) as db:
            (batches,) = db.execute(
                "SELECT count(DISTINCT xmin::text) FROM votes_events "
                "WHERE originator_id = %s AND topic LIKE '%%BallotCast'",
                (uuid.UUID(vote["id"]),),
            ).fetchone() or (0,)
        print(
            f"cast: {len(accepted):,} accepted in {cast_s:.1f} s ({ballots_per_s:,.0f}/s), "
            f"refusals {others}, vote holds {state['ballots']:,}",
            flush=True,
        )
        print(
            "CPU ms per ballot sent: "
            + ", ".join(f"{k} {v:.2f}" for k, v in cpu_ms.items())
            + f"; machine idle {idle_share:.0%}; {len(accepted) / max(batches, 1):.1f} ballots "
            "a batch",
            flush=True,
        )

        # Close, decrypt by two officials, certify.
        t = time.perf_counter()
        check(http.post(vbase + "/close", headers=lead, json={"reason": "benchmark"}))
        closed = time.perf_counter()
        for official in (officials[0], officials[2]):
            decrypt(http, vbase, official, context)
        decrypted = time.perf_counter()
        certified = check(http.post(vbase + "/certify", headers=lead))
        done = time.perf_counter()
        tally_ms = (done - t) * 1000
        # Where the tally's time goes (certifying hashes the whole election record).
        tally_split_ms = {
            "close": round((closed - t) * 1000, 1),
            "decrypt": round((decrypted - closed) * 1000, 1),
            "certify": round((done - decrypted) * 1000, 1),
        }
        accepted_choices: dict[str, int] = dict.fromkeys(options, 0)
        for _, choice, _, _ in accepted:  # whichever of a double's two bodies won its race
            accepted_choices[options[choice]] += 1

        record = msgspec.json.decode(http.get(vbase + "/record").content, type=ElectionRecord)
        t = time.perf_counter()
        verified = verify_record(record, processes=args.procs)
        verify_ms = (time.perf_counter() - t) * 1000
        tally_exact = (
            certified["counts"] == accepted_choices
            and verified.ok
            and list(verified.counts or ()) == [accepted_choices[o] for o in options]
            and state["ballots"] == len(accepted) == ballots
        )

        # The ceiling: the same ballots' proofs, verified by the crypto alone on both cores.
        sample = first[: min(len(first), 6000)]
        with Pool(args.procs, initializer=_init, initargs=(fields,)) as pool:
            parts = [sample[i :: args.procs] for i in range(args.procs)]
            t = time.perf_counter()
            bad = sum(pool.map(_verify, parts))
            proofs_per_s = len(sample) / (time.perf_counter() - t)
        assert bad == 0
    out = {
        "members": args.members,
        "ballots": ballots,
        "double_attempts": len(doubles),
        "ballots_per_s": round(ballots_per_s, 1),
        "p99_ms": round(percentile(latencies, 99), 1),
        "double_votes_accepted": double_accepted,
        "tally_ms": round(tally_ms, 1),
        "tally_split_ms": tally_split_ms,
        "verify_ms": round(verify_ms, 1),
        "tally_exact": tally_exact,
        "ballot_proofs_per_s": round(proofs_per_s, 1),
        "ratio": round(ballots_per_s / proofs_per_s, 3),
        "proof_cpu_ms_per_ballot": round(args.procs * 1000 / proofs_per_s, 3),
        "transport_errors": sum(1 for r in results if r[2] == 0),
        "cpu_ms_per_ballot": {k: round(v, 3) for k, v in cpu_ms.items()},
        "cast_idle_share": round(idle_share, 3),
        "ballots_per_batch": round(len(accepted) / max(batches, 1), 1),
        "load_avg": os.getloadavg()[0],
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
