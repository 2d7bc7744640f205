"""Benchmark: importing a national unit's voter roll as CSV over HTTP, as the roll page does.

On a fresh database ``bench_roll_<hex>`` (embedded PostgreSQL in ``var/bench-pgdata`` or
``DATABASE_URL``'s server; dropped at the end), against ``negotiation serve --workers 2``:

1. Setup, untimed: accounts, a negotiation with a whole TA, a vote called and 3 officials
   appointed (bench/ballots.py's helpers).
2. Timed: ``POST /roll.csv`` of ``--members`` rows (1 % of them bad: duplicates, no contact,
   bad e-mail) while a second client polls ``GET /roll/progress`` every 0.2 s as the page does.
   ``import_ms`` = the whole request; ``progress_updates`` = how many different row counts
   the poller saw before the answer (the page's progress bar moves that many times);
   ``rejected`` = rows the report lists (must equal the bad rows made).
3. ``certify_ms`` (hash of the roll) and ``issue_ms`` (one credential per eligible member,
   the CSV for the mail merge) for the same roll.

    .venv/bin/python bench/roll_import.py                  # 100,000 members

The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import httpx  # noqa: E402
from ballots import call_vote, check, free_port, make_people, serve, whole_ta  # noqa: E402

from negotiation.database import drop_database, ensure_database_exists, locate_database  # noqa: E402

HEADER = "member_id,name,email,phone,worksite,classification,language,good_standing"


def roll_csv(members: int) -> tuple[str, int]:
    """The CSV text and how many of its rows are bad (every 100th row, three ways)."""
    lines, bad = [HEADER], 0
    for i in range(members):
        email = f"m{i}@example.org"
        member_id = f"M{i:06d}"
        if i % 100 == 99:
            bad += 1
            kind = i // 100 % 3
            if kind == 0:
                member_id = f"M{i - 1:06d}"  # duplicate of the row before
            elif kind == 1:
                email = ""  # no way to reach the member
            else:
                email = "not-an-email"
        lines.append(
            f"{member_id},Member {i},{email},,Site {i % 40},"
            f"{('Teacher', 'Aide', 'Nurse')[i % 3]},en,{'no' if i % 50 == 7 else 'yes'}"
        )
    return "\n".join(lines) + "\n", bad


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    server = locate_database(ROOT / "var" / "bench-pgdata", os.environ.get("DATABASE_URL"))
    config = server.with_dbname(f"bench_roll_{uuid.uuid4().hex[:8]}")
    ensure_database_exists(config)
    try:
        run(args, config)
    finally:
        drop_database(config)


def run(args: argparse.Namespace, config: object) -> None:
    from negotiation.domain.actors import Actor

    people = asyncio.run(
        make_people(
            config.dsn(),  # type: ignore[attr-defined]
            ["Union chief", "Employer chief", "Official 1", "Official 2", "Official 3"],
        )
    )
    (u_id, u_name, u_headers), (e_id, e_name, _), *official_people = people
    nid = whole_ta(config, Actor(u_id, u_name), Actor(e_id, e_name))
    text, bad = roll_csv(args.members)
    with (
        serve(config.dsn(), free_port(), args.workers) as (url, _),
        httpx.Client(base_url=url, timeout=600) as http,
    ):
        _, vbase, _ = call_vote(http, nid, u_headers, official_people, ["yes", "no"])
        lead = official_people[0][2]

        seen: set[int] = set()
        finished = threading.Event()

        def poll() -> None:
            with httpx.Client(base_url=url, timeout=60) as poller:
                while not finished.is_set():
                    p = poller.get(vbase + "/roll/progress", headers=lead).json()
                    if not p["done"] and p["rows_total"]:
                        seen.add(p["rows_done"])
                    finished.wait(0.2)

        poller = threading.Thread(target=poll)
        poller.start()
        t = time.perf_counter()
        report = check(http.post(vbase + "/roll.csv", headers=lead, json={"csv": text}))
        import_ms = (time.perf_counter() - t) * 1000
        finished.set()
        poller.join()

        t = time.perf_counter()
        certified = check(http.post(vbase + "/roll/certify", headers=lead))
        certify_ms = (time.perf_counter() - t) * 1000
        t = time.perf_counter()
        issued = check(http.post(vbase + "/credentials", headers=lead))
        issue_ms = (time.perf_counter() - t) * 1000

    result = {
        "members": args.members,
        "csv_bytes": len(text.encode()),
        "import_ms": round(import_ms),
        "rows_per_s": round(args.members / (import_ms / 1000)),
        "progress_updates": len(seen),
        "rejected": len(report["rejected"]),
        "rejected_expected": bad,
        "eligible": certified["eligible"],
        "certify_ms": round(certify_ms),
        "issue_ms": round(issue_ms),
        "credentials": issued.count("\n") - 1,
        "load_avg_1m": os.getloadavg()[0],
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
