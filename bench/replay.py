"""Benchmark: rebuild every projection (board + audit) from 1,000,000 stored events.

The events are made by the real domain, in memory: ``--gen-procs`` worker processes each play
realistic bargaining tables on ``Negotiation`` aggregates (teams, ground rules, sessions with
attendance, agendas, caucuses, recesses and bulletins; articles opened, brought to the table,
proposals and counters — some drafted, revised and tabled from the draft —, team notes, TAs
signed by both chiefs), many tables interleaved, and COPY them into ``negotiations_events`` in
exactly the stored format (the application's own mapper and msgspec transcoder). Recording
through the application would take about an hour; this takes a minute or two.

The database ``bench_replay_1m`` (on the embedded PostgreSQL in ``var/bench-pgdata``, or on
``DATABASE_URL``'s server) is kept between runs and reused when it already holds at least
``--events`` events; ``--fresh`` regenerates it, ``--drop`` removes it at the end.

Timed, in this order, in one run:
1. read + decode: every event through ``SELECT_AFTER`` pages of 1,000 and ``decode_row`` — the
   floor any projection rebuild pays;
2. ``Projector(pool).rebuild()`` with the default projections (board + audit), as
   ``negotiation rebuild`` runs it.

    .venv/bin/python bench/replay.py                 # generate once, then time
    .venv/bin/python bench/replay.py --profile       # and cProfile the rebuild (top functions)

The last line printed is one JSON object: events, events_per_s, read_decode_events_per_s.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import io
import json
import multiprocessing as mp
import os
import pstats
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any
from uuid import uuid4

from _measure import postgres_cpu_seconds  # bench/_measure.py

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = REPO_ROOT / "var" / "bench-pgdata"
DBNAME = "bench_replay_1m"
TARGET_EVENTS_PER_S = 25_000.0
COPY_CHUNK = 20_000
COLUMNS = ["originator_id", "originator_version", "topic", "state"]

SUBJECTS = (
    ("Class size", "non_economic"), ("Salary schedule", "economic"),
    ("Health benefits", "economic"),
    ("Preparation time", "non_economic"), ("Evaluation", "non_economic"),
    ("Leaves", "non_economic"), ("Grievance procedure", "non_economic"),
    ("Safety", "common_good"), ("Community schools", "common_good"), ("Work year", "economic"),
    ("Transfers", "non_economic"), ("Special education caseloads", "non_economic"),
)
CLAUSE = (
    "Section {s}.{n}. {subject}: the parties agree that {what} shall not exceed {a} in any "
    "school year. Where it does for more than {b} consecutive school days, the District shall "
    "pay each affected employee a stipend of ${c} per day, and the joint committee shall meet "
    "within {b} days to propose a remedy. Nothing in this section limits the rights of "
    "employees under Article {s} or under applicable law."
)


def clause(rng: random.Random, subject: str, s: int, n: int) -> str:
    what = rng.choice(("the workload", "the number of students", "the assigned duties"))
    return CLAUSE.format(s=s, n=n, subject=subject, what=what, a=rng.randint(20, 40),
                         b=rng.randint(3, 15), c=rng.randint(25, 150))


# ---------------------------------------------------------------------- one table, played
@dataclass
class OpenArticle:
    article_id: str
    subject: str
    number: int
    latest: str | None = None  # the latest proposal id
    latest_party: str | None = None
    rounds_left: int = 0


def play(rng: random.Random, index: int) -> Iterator[Any]:
    """A bargaining table from opening to (perhaps) the last session; yields the aggregate
    after each command so the driver can collect its events and interleave tables."""
    from negotiation.domain.actors import Actor
    from negotiation.domain.errors import NegotiationError
    from negotiation.domain.ground_rules import GroundRules
    from negotiation.domain.negotiation import Negotiation

    def person(role: str) -> Actor:
        return Actor(account_id=uuid4().hex, name=f"{role} {index}-{rng.randint(1, 999)}")

    chiefs = {"union": person("Union chief"), "employer": person("District chief")}
    members = {"union": [person("Teacher"), person("Counselor")],
               "employer": [person("HR director"), person("Principal")]}

    def other(party: str) -> str:
        return "employer" if party == "union" else "union"

    negotiation = Negotiation.open(
        actor=chiefs["union"], title=f"Unified School District {index} – Educators 2026–2029",
        kind="collective_bargaining", bargaining_unit=f"Certificated Educators {index}",
        union_name=f"Educators Association {index}", employer_name=f"Unified District {index}",
        opener_party="union", other_chief=chiefs["employer"],
    )
    yield negotiation

    def act(command: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except NegotiationError:
            return None  # refused: nothing was recorded; the script moves on

    for party in ("union", "employer"):
        for member in members[party]:
            act(negotiation.add_team_member, chiefs[party], member=member, party=party)
            yield negotiation
    offer = act(negotiation.propose_ground_rules, chiefs["union"],
                rules=GroundRules(written_exchange_allowed=True))
    yield negotiation
    act(negotiation.agree_ground_rules, chiefs["employer"], offer_id=offer)
    yield negotiation

    open_articles: list[OpenArticle] = []
    number = 0
    starts = datetime(2026, 1, 12, 16, tzinfo=UTC)
    for s in range(rng.randint(10, 16)):
        manager = chiefs[rng.choice(("union", "employer"))]
        session_id = act(
            negotiation.schedule_session, manager, title="",
            visibility=rng.choice(("open", "open", "members", "closed")),
            location="District office, board room", starts_at=starts + timedelta(days=7 * s),
            capacity=rng.choice((None, 80, 120)),
        )
        yield negotiation
        act(negotiation.open_session, manager, session_id=session_id)
        yield negotiation
        act(negotiation.count_attendance, members["union"][0], session_id=session_id,
            count=rng.randint(5, 150))
        yield negotiation
        for _ in range(rng.randint(1, 3)):
            number += 1
            subject, category = rng.choice(SUBJECTS)
            opener = rng.choice(("union", "employer"))
            article_id = act(
                negotiation.open_article, chiefs[opener], number=str(number), title=subject,
                category=category, current_language=clause(rng, subject, number, 0),
            )
            yield negotiation
            if article_id:
                open_articles.append(
                    OpenArticle(article_id, subject, number, rounds_left=rng.randint(2, 9))
                )
        act(negotiation.set_agenda, manager, session_id=session_id,
            article_ids=[a.article_id for a in open_articles[:6]])
        yield negotiation
        for article in list(open_articles[:4]):
            act(negotiation.bring_to_table, manager, session_id=session_id,
                article_id=article.article_id)
            yield negotiation
            for _ in range(rng.randint(1, 3)):
                party = other(article.latest_party) if article.latest_party else "union"
                text = clause(rng, article.subject, article.number, rng.randint(1, 9))
                if rng.random() < 0.3:  # drafted by the team first, revised, then tabled
                    drafter = rng.choice(members[party])
                    draft_id = act(negotiation.draft_proposal, drafter,
                                   article_id=article.article_id, text=text)
                    yield negotiation
                    act(negotiation.revise_draft, drafter, draft_id=draft_id,
                        text=text + " The parties shall review this section annually.")
                    yield negotiation
                    proposal = act(negotiation.table_draft, chiefs[party], draft_id=draft_id,
                                   answers=article.latest)
                else:
                    proposal = act(negotiation.table_proposal,
                                   rng.choice((chiefs[party], *members[party])),
                                   article_id=article.article_id, text=text,
                                   answers=article.latest)
                yield negotiation
                if proposal:
                    article.latest, article.latest_party = proposal, party
                    article.rounds_left -= 1
                if rng.random() < 0.3:
                    act(negotiation.record_team_note, rng.choice(members[party]),
                        text=f"Caucus notes on Article {article.number}: hold on the stipend; "
                             "move on the review clause if they move on days.",
                        session_id=session_id, article_id=article.article_id)
                    yield negotiation
            if article.rounds_left <= 0 and article.latest:
                for party in (other(article.latest_party or "union"), article.latest_party):
                    act(negotiation.sign_ta, chiefs[party or "union"],
                        article_id=article.article_id, proposal_id=article.latest)
                    yield negotiation
                open_articles.remove(article)
            if rng.random() < 0.2:
                caller = rng.choice(("union", "employer"))
                act(negotiation.call_caucus, chiefs[caller], session_id=session_id)
                yield negotiation
                act(negotiation.end_caucus, chiefs[caller], session_id=session_id)
                yield negotiation
        if rng.random() < 0.3:
            act(negotiation.recess_session, manager, session_id=session_id)
            yield negotiation
            act(negotiation.resume_session, manager, session_id=session_id)
            yield negotiation
        act(negotiation.close_session, manager, session_id=session_id)
        yield negotiation
        for party in ("union", "employer"):
            act(negotiation.publish_bulletin, chiefs[party], session_id=session_id,
                text=f"Bargaining update, session {s + 1}: we met, exchanged proposals on "
                     f"{len(open_articles)} open articles and will meet again next week.")
            yield negotiation


# ---------------------------------------------------------------------- generation
def generate_worker(database: Any, worker: int, events: int, seed: int, active: int,
                    conn: Connection) -> None:
    """Child process: play tables until `events` events are stored; COPY them in chunks."""
    import asyncpg

    from negotiation.application import Negotiations

    async def main() -> tuple[int, int]:
        app = Negotiations(env={**database.eventsourcing_env(), "CREATE_TABLE": "n"})
        mapper = app.mapper
        rng = random.Random(seed)
        pg = await asyncpg.connect(**database.asyncpg_kwargs())
        done = tables = 0
        records: list[tuple[Any, ...]] = []
        running: list[Iterator[Any]] = []
        try:
            while done + len(records) < events:
                while len(running) < active:
                    tables += 1
                    running.append(play(rng, worker * 1_000_000 + tables))
                script = running[rng.randrange(len(running))]
                try:
                    negotiation = next(script)
                except StopIteration:
                    running.remove(script)
                    continue
                for event in negotiation.collect_events():
                    stored = mapper.to_stored_event(event)
                    records.append((stored.originator_id, stored.originator_version,
                                    stored.topic, stored.state))
                if len(records) >= COPY_CHUNK:
                    await pg.copy_records_to_table("negotiations_events", records=records,
                                                   columns=COLUMNS)
                    done += len(records)
                    records = []
                    conn.send(("progress", done))
            if records:
                await pg.copy_records_to_table("negotiations_events", records=records,
                                               columns=COLUMNS)
                done += len(records)
        finally:
            await pg.close()
            app.close()
        return done, tables

    done, tables = asyncio.run(main())
    conn.send(("done", done, tables))


def generate(database: Any, events: int, procs: int, active: int) -> None:
    from negotiation.application import Negotiations

    Negotiations(env=database.eventsourcing_env()).close()  # creates the tables
    ctx = mp.get_context("spawn")
    started = time.monotonic()
    workers, pipes = [], []
    share = [events // procs + (1 if i < events % procs else 0) for i in range(procs)]
    for i in range(procs):
        parent_end, child_end = ctx.Pipe()
        process = ctx.Process(target=generate_worker, name=f"bench-generate-{i}",
                              args=(database, i, share[i], 1000 + i, active, child_end))
        process.start()
        workers.append(process)
        pipes.append(parent_end)
    progress = [0] * procs
    finished = [False] * procs
    tables = 0
    last_print = 0.0
    try:
        deadline = started + 3600
        while not all(finished):
            if time.monotonic() > deadline:
                raise RuntimeError("generation did not finish within an hour")
            for i, pipe in enumerate(pipes):
                if finished[i]:
                    continue
                if not workers[i].is_alive() and not pipe.poll():
                    raise RuntimeError(f"generator {i} died (exit code {workers[i].exitcode})")
                while pipe.poll(0.05):
                    message = pipe.recv()
                    progress[i] = message[1]
                    if message[0] == "done":
                        finished[i] = True
                        tables += message[2]
                        break
            if time.monotonic() - last_print > 5:
                last_print = time.monotonic()
                total = sum(progress)
                print(f"  generated {total:,} events "
                      f"({total / (last_print - started):,.0f}/s)", flush=True)
        for process in workers:
            process.join(30)
    finally:
        for process in workers:
            if process.is_alive():
                process.terminate()
                process.join(10)
    total = sum(progress)
    print(f"  generated {total:,} events from {tables:,} tables in "
          f"{time.monotonic() - started:.1f} s", flush=True)


async def event_stats(database: Any) -> tuple[int, int, list[tuple[str, int]]]:
    import asyncpg

    conn = await asyncpg.connect(**database.asyncpg_kwargs())
    try:
        exists = await conn.fetchval("SELECT to_regclass('negotiations_events') IS NOT NULL")
        if not exists:
            return 0, 0, []
        count = await conn.fetchval("SELECT count(*) FROM negotiations_events")
        size = await conn.fetchval("SELECT pg_total_relation_size('negotiations_events')")
        kinds = await conn.fetch(
            "SELECT split_part(topic, '.', 4) AS kind, count(*) FROM negotiations_events "
            "GROUP BY 1 ORDER BY 2 DESC LIMIT 12"
        )
        return count, size, [(r[0], r[1]) for r in kinds]
    finally:
        await conn.close()


# ---------------------------------------------------------------------- timing
def own_cpu_seconds() -> float:
    usage = os.times()
    return usage.user + usage.system


async def read_decode(database: Any) -> tuple[int, float, float]:
    import asyncpg

    from projections.events import SELECT_AFTER, decode_row

    conn = await asyncpg.connect(**database.asyncpg_kwargs())
    try:
        pg_before = postgres_cpu_seconds()
        started = time.perf_counter()
        after = count = 0
        while True:
            rows = await conn.fetch(SELECT_AFTER, after, 1000)
            if not rows:
                break
            events = [decode_row(row) for row in rows]
            count += len(events)
            after = events[-1].position
        seconds = time.perf_counter() - started
        # PostgreSQL CPU before the connection closes: an exited backend's CPU is not counted.
        return count, seconds, postgres_cpu_seconds() - pg_before
    finally:
        await conn.close()


async def rebuild(database: Any, profile: cProfile.Profile | None) -> tuple[int, float, float]:
    import asyncpg

    from projections.runner import Projector

    pool = await asyncpg.create_pool(**database.asyncpg_kwargs(), min_size=1, max_size=4)
    try:
        projector = Projector(pool)
        await projector.create_tables()
        pg_before = postgres_cpu_seconds()
        started = time.perf_counter()
        last = [started]

        def progress(done: int, total: int) -> None:
            now = time.perf_counter()
            if now - last[0] >= 5 or done >= total:
                last[0] = now
                print(f"  rebuilt {done:,} / {total:,} events "
                      f"({done / (now - started):,.0f}/s)", flush=True)

        if profile is not None:
            profile.enable()
        try:
            count = await projector.rebuild(progress=progress)  # as `negotiation rebuild` does
        finally:
            if profile is not None:
                profile.disable()
        seconds = time.perf_counter() - started
        return count, seconds, postgres_cpu_seconds() - pg_before
    finally:
        await pool.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000, help="events to replay")
    parser.add_argument("--fresh", action="store_true", help="regenerate the events")
    parser.add_argument("--drop", action="store_true", help="drop the database at the end")
    parser.add_argument("--gen-procs", type=int, default=2, help="generator processes")
    parser.add_argument("--active", type=int, default=100,
                        help="tables in play at once per generator (interleaving in the log)")
    parser.add_argument("--profile", action="store_true",
                        help="cProfile the rebuild and print the top functions")
    parser.add_argument("--skip-read", action="store_true", help="skip the read+decode baseline")
    args = parser.parse_args()
    if args.events < 1 or args.gen_procs < 1:
        parser.error("--events and --gen-procs must be positive")

    from negotiation.database import drop_database, ensure_database_exists, locate_database

    server = locate_database(DATA_DIR, os.environ.get("DATABASE_URL"))
    database = server.with_dbname(DBNAME)
    if args.fresh:
        drop_database(database)
    ensure_database_exists(database)
    try:
        count, _, _ = asyncio.run(event_stats(database))
        if count >= args.events:
            print(f"database {DBNAME}: reusing {count:,} stored events (--fresh regenerates)",
                  flush=True)
        else:
            if count:
                drop_database(database)
                ensure_database_exists(database)
            print(f"database {DBNAME}: generating {args.events:,} events with "
                  f"{args.gen_procs} processes", flush=True)
            generate(database, args.events, args.gen_procs, args.active)
        count, size, kinds = asyncio.run(event_stats(database))
        print(f"events: {count:,}, table {size / 2**20:,.0f} MiB "
              f"({size / max(1, count):.0f} B per event incl. indexes); "
              + ", ".join(f"{k} {v:,}" for k, v in kinds), flush=True)

        read_count, read_seconds = 0, float("nan")
        if not args.skip_read:
            cpu_before = own_cpu_seconds()
            read_count, read_seconds, pg = asyncio.run(read_decode(database))
            print(f"read + decode: {read_count:,} events in {read_seconds:.1f} s = "
                  f"{read_count / read_seconds:,.0f} events/s (this process "
                  f"{own_cpu_seconds() - cpu_before:.1f} s CPU, PostgreSQL {pg:.1f} s CPU)",
                  flush=True)

        profile = cProfile.Profile() if args.profile else None
        cpu_before = own_cpu_seconds()
        print(f"rebuild (board + audit), pid {os.getpid()}", flush=True)
        rebuilt, seconds, pg = asyncio.run(rebuild(database, profile))
        own = own_cpu_seconds() - cpu_before
        rate = rebuilt / seconds
        print(f"rebuild: {rebuilt:,} events in {seconds:.1f} s = {rate:,.0f} events/s "
              f"(this process {own:.1f} s CPU = {100 * own / seconds:.0f} % of a core; "
              f"PostgreSQL {pg:.1f} s CPU)", flush=True)
        if profile is not None:
            out = io.StringIO()
            stats = pstats.Stats(profile, stream=out)
            stats.sort_stats("tottime").print_stats(25)
            stats.sort_stats("cumulative").print_stats(40)
            print(out.getvalue())
    finally:
        if args.drop:
            drop_database(database)

    read_rate = read_count / read_seconds if read_count else None
    verdict = "met" if rate >= TARGET_EVENTS_PER_S else "missed"
    print(f"target ≥ {TARGET_EVENTS_PER_S:,.0f} events/s: {verdict}"
          + (f"; rebuild runs at {rate / read_rate:.2f}× read + decode" if read_rate else ""))
    print(json.dumps({
        "events": rebuilt,
        "events_per_s": round(rate),
        "read_decode_events_per_s": round(read_rate) if read_rate else None,
        "rebuild_seconds": round(seconds, 1),
    }))


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main()
