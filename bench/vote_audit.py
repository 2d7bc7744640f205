"""Benchmark: the first read of a vote's audit chain after N ballots (`GET /api/audit/votes/…`).

On a fresh database ``bench_vote_audit_<hex>`` (embedded PostgreSQL in ``var/bench-pgdata`` or
``DATABASE_URL``'s server; dropped at the end), against ``negotiation serve --workers 2`` run
from ``--app`` (default: this checkout; point it at an export of an older commit to measure
that one, e.g. ``git archive <commit> | tar -x -C /tmp/before``):

1. Setup, untimed, through the API as in bench/ballots.py: a vote called, 3 officials, a roll,
   the ceremony, credentials, the vote opened.
2. ``--ballots`` ballots appended straight on the vote, ``--batch`` per save (as the group
   commit saves them, negotiation/voting/batch.py): one ballot checked once and cast N times,
   since what is measured is the chain, not the proofs (``cast_s``: how long that took).
3. ``first_read_ms``: the chain read at once after the last ballot, as the lead official. Before
   the vote chains were a projection, that read hashed every ballot not chained yet (every
   ballot, in every server process: each reads the vote's events itself); now it waits for the
   projection writer to have chained what was recorded before it (``behind_at_first_read``:
   the vote events it still had to chain when the read began), then queries.
   ``caught_up_read_ms``: the same read again, median of 5, once the chain is stored.

    .venv/bin/python bench/vote_audit.py --ballots 100000
    .venv/bin/python bench/vote_audit.py --ballots 20000 --app /tmp/before

The last line printed is one JSON object (with the machine's load average: on the shared
2-core machine every figure moves with it).

Measured (2026-12-02 03:50, load average ≈ 8, 6 engineers on 2 cores), 100,000 ballots
appended in ≈ 60 s: before (2c37338, chained on read) ``first_read_ms`` 5,910 and
``caught_up_read_ms`` 360; after (chained by the projection writer as they are recorded)
``first_read_ms`` 103 with 928 vote events still to chain when the read began, and
``caught_up_read_ms`` 37. Again at 03:57 (load 7-10, the position in its own table): 143 ms
with 672 still to chain, then 62. 1,000 ballots (load ≈ 9-12): before 399 / 18, after 76 / 6.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import json
import os
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
import httpx  # noqa: E402
import msgspec  # noqa: E402
from ballots import call_vote, check, free_port, make_people, serve, whole_ta  # noqa: E402  (bench/)

from negotiation.ballots.record import BallotSubmission  # noqa: E402
from negotiation.database import drop_database, ensure_database_exists, locate_database  # noqa: E402
from negotiation.domain import vote_commands as c  # noqa: E402
from negotiation.domain.actors import Actor  # noqa: E402
from negotiation.domain.ratification import check_ballot  # noqa: E402
from negotiation.voting.client import context_from, make_submission  # noqa: E402
from negotiation.voting.client import run_ceremony as http_ceremony  # noqa: E402
from negotiation.voting.service import VOTER, Votes  # noqa: E402


async def behind(dsn: str) -> int | None:
    """Vote events recorded and not chained yet (None: no vote chain projection here)."""
    conn = await asyncpg.connect(dsn)
    try:
        head = await conn.fetchval("SELECT coalesce(max(notification_id), 0) FROM votes_events")
        exists = await conn.fetchval("SELECT to_regclass('vote_audit_position') IS NOT NULL")
        position = (
            await conn.fetchval("SELECT position FROM vote_audit_position") if exists else None
        )
        return None if position is None else int(head - position)
    finally:
        await conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ballots", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--app", type=Path, default=ROOT, help="the checkout to serve")
    args = parser.parse_args()
    server = locate_database(ROOT / "var" / "bench-pgdata", os.environ.get("DATABASE_URL"))
    config = server.with_dbname(f"bench_vote_audit_{uuid.uuid4().hex[:8]}")
    ensure_database_exists(config)
    try:
        run(args, config)
    finally:
        drop_database(config)


def run(args: argparse.Namespace, config: Any) -> None:
    people = asyncio.run(
        make_people(config.dsn(), ["Union chief", "Employer chief", "Official 1", "Official 2"])
    )
    (u_id, u_name, u_headers), (e_id, e_name, _), *official_people = people
    nid = whole_ta(config, Actor(u_id, u_name), Actor(e_id, e_name))
    import ballots

    ballots.ROOT = args.app.resolve()  # the checkout its `serve` runs (its PYTHONPATH and cwd)
    with (
        serve(config.dsn(), free_port(), args.workers) as (url, _),
        httpx.Client(base_url=url, timeout=600) as http,
    ):
        vote, vbase, officials = call_vote(http, nid, u_headers, official_people, ["yes", "no"])
        lead = officials[0].headers
        members = [
            {"member_id": f"M{i}", "name": f"Member {i}", "email": f"m{i}@example.org",
             "worksite": "North", "classification": "Teacher", "language": "en",
             "good_standing": True}
            for i in range(3)
        ]  # fmt: skip
        check(http.put(vbase + "/roll", headers=lead, json={"members": members}))
        check(http.post(vbase + "/roll/certify", headers=lead))
        http_ceremony(http, vbase, officials)
        credentials = check(http.post(vbase + "/credentials", headers=lead))
        assert len(list(csv.DictReader(io.StringIO(credentials)))) == 3
        check(http.post(vbase + "/open", headers=lead))
        context = context_from(check(http.get(vbase + "/ballot")))
        command = c.CastBallot(
            ballot=msgspec.convert(make_submission(context, 0), BallotSubmission)
        )
        checked = check_ballot(context, command.ballot)

        votes = Votes(env=config.eventsourcing_env())
        vote_id = uuid.UUID(vote["id"])
        started = time.perf_counter()
        try:
            left = args.ballots
            while left:
                n = min(args.batch, left)
                votes.act(vote_id, lambda v, n=n: [v.cast_ballot(VOTER, command, checked)
                                                   for _ in range(n)])  # fmt: skip
                left -= n
        finally:
            votes.close()
        cast_s = time.perf_counter() - started
        print(f"{args.ballots:,} ballots appended in {cast_s:.1f} s", flush=True)

        chain_url = f"/api/audit/votes/{vote['id']}"
        lag = asyncio.run(behind(config.dsn()))
        t = time.perf_counter()
        first = check(http.get(chain_url, headers=lead))
        first_read_ms = (time.perf_counter() - t) * 1000
        assert first["entries"][-1]["count"] == args.ballots, first["entries"][-1]
        again = []
        for _ in range(5):
            t = time.perf_counter()
            check(http.get(chain_url, headers=lead))
            again.append((time.perf_counter() - t) * 1000)
    out = {
        "app": str(args.app.resolve()),
        "ballots": args.ballots,
        "cast_s": round(cast_s, 1),
        "behind_at_first_read": lag,
        "first_read_ms": round(first_read_ms, 1),
        "caught_up_read_ms": round(statistics.median(again), 1),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
