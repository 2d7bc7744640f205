"""A server killed (SIGKILL) in the middle of a burst of commands: every command it
acknowledged is in the log after a restart, and the projections it then catches up to are
exactly what a rebuild from the log produces, with an intact audit chain."""

import asyncio
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx
import msgspec

from negotiation.database import DatabaseConfig
from projections.audit import verify_chain
from projections.board_store import decode_doc
from projections.events import EVENTS_TABLE, SELECT_HEAD, decode_row
from projections.runner import Projector
from tests.reliability.nodes import ServerProcess, handing_out, make_people, running
from tests.support import Table, expect, open_table, wait_for_position

BURST = 160
AT_ONCE = 8
KILL_AFTER_ACKS = 60
CAUGHT_UP_TIMEOUT = 30.0
KINDS = ("note", "proposal", "article", "draft", "bulletin")


@dataclass
class Command:
    number: int
    kind: str
    party: str
    method: str
    path: str
    body: dict[str, Any]
    acknowledged: bool = False
    created_id: str | None = None
    outcome: str = "not sent"

    @property
    def marker(self) -> str:
        return f"burst {self.number}"


def plan_burst(table: Table, articles: list[str]) -> list[Command]:
    """Commands that the rules accept in any order, so they can race 8 at a time."""
    commands = []
    for number in range(BURST):
        kind = KINDS[number % len(KINDS)]
        party = "union" if number % 2 else "employer"
        marker = f"burst {number}"
        if kind == "note":
            command = Command(number, kind, party, "POST", "/notes", {"text": marker})
        elif kind == "proposal":  # the first proposal on an article of its own
            article = articles[number // len(KINDS)]
            path = f"/articles/{article}/proposals"
            command = Command(number, kind, "union", "POST", path, {"text": marker})
        elif kind == "article":
            body = {"number": f"B{number}", "title": marker, "category": "economic"}
            command = Command(number, kind, party, "POST", "/articles", body)
        elif kind == "draft":
            body = {"article_id": articles[number % len(articles)], "text": marker}
            command = Command(number, kind, party, "POST", "/drafts", body)
        else:
            path = f"/sessions/{table.session_id}/bulletins"
            command = Command(number, kind, party, "POST", path, {"text": marker})
        commands.append(command)
    return commands


async def _fire(
    http: httpx.AsyncClient, table: Table, commands: list[Command], node: ServerProcess
) -> int:
    """Send the burst AT_ONCE at a time; SIGKILL the node on the KILL_AFTER_ACKS-th 2xx.
    Returns how many requests were in flight at that moment."""
    gate = asyncio.Semaphore(AT_ONCE)
    in_flight = 0
    killed_with: list[int] = []

    async def send(command: Command) -> None:
        nonlocal in_flight
        async with gate:
            headers = (table.union if command.party == "union" else table.employer).headers
            in_flight += 1
            try:
                response = await http.request(
                    command.method, table.base + command.path, headers=headers, json=command.body
                )
            except httpx.TransportError as error:
                command.outcome = f"no answer ({type(error).__name__})"
                return
            finally:
                in_flight -= 1
            command.outcome = str(response.status_code)
            if response.is_success:
                command.acknowledged = True
                command.created_id = (response.json() or {}).get("id")
                acknowledged = sum(c.acknowledged for c in commands)
                if acknowledged == KILL_AFTER_ACKS:
                    killed_with.append(in_flight)
                    node.kill()  # mid-burst: others are in flight right now
            else:
                raise AssertionError((command, response.text))

    await asyncio.gather(*(send(c) for c in commands))
    return killed_with[0]


async def _wait_for_projections(pool: asyncpg.Pool) -> int:
    """Until the restarted node's runner has projected the whole log; returns the head."""
    head: int = await pool.fetchval(SELECT_HEAD)  # nothing is written any more

    async def least_projected() -> int:
        position = await pool.fetchval("SELECT min(position) FROM projection_positions")
        return -1 if position is None else int(position)

    await wait_for_position(
        least_projected, head, what="the least projected position", timeout=CAUGHT_UP_TIMEOUT
    )
    return head


async def _projected_state(pool: asyncpg.Pool) -> dict[str, Any]:
    boards = await pool.fetch("SELECT * FROM board_docs ORDER BY negotiation_id")
    return {
        "board_docs": [
            {**dict(row), "doc": msgspec.to_builtins(decode_doc(row["doc"]))}
            for row in boards
        ],
        "audit_log": [dict(r) for r in await pool.fetch("SELECT * FROM audit_log ORDER BY 1")],
        "projection_positions": [
            dict(r) for r in await pool.fetch("SELECT * FROM projection_positions ORDER BY 1")
        ],
    }


def _recorded(events: list[Any], command: Command) -> bool:
    if command.created_id is not None:
        key = {"note": "note_id", "proposal": "proposal_id", "article": "article_id"}.get(
            command.kind, "draft_id"
        )
        return any(e.data.get(key) == command.created_id for e in events)
    return any(e.data.get("text") == command.marker for e in events)


async def test_acknowledged_commands_survive_a_kill_and_projections_equal_a_rebuild(
    own_database: DatabaseConfig, node_dir
) -> None:
    first = ServerProcess(own_database, node_dir, "first").start()
    second = ServerProcess(own_database, node_dir, "restarted")
    with running(first, second):
        await first.wait_ready()
        people = await make_people(own_database, 2)
        async with httpx.AsyncClient(base_url=first.url, timeout=10) as http:
            table = await open_table(http, handing_out(people))
            articles = []
            for n in range(BURST // len(KINDS)):
                body = {"number": str(n + 1), "title": f"Subject {n + 1}", "category": "economic"}
                created = await http.post(
                    f"{table.base}/articles", headers=table.union.headers, json=body
                )
                articles.append((await expect(created, 201))["id"])
            commands = plan_burst(table, articles)

            # Given a burst of commands, 8 at a time, when the server is SIGKILLed mid-burst
            in_flight = await _fire(http, table, commands, first)

        acknowledged = [c for c in commands if c.acknowledged]
        unanswered = [c for c in commands if c.outcome.startswith("no answer")]
        assert len(acknowledged) >= KILL_AFTER_ACKS
        assert unanswered, "the kill did not land in the middle of the burst"
        assert first.process is not None and first.process.returncode == -9

        conn = await asyncpg.connect(**own_database.asyncpg_kwargs())
        try:  # how far the killed node's runner had projected (for the report)
            head_at_kill = await conn.fetchval(SELECT_HEAD)
            projected_at_kill = await conn.fetchval(
                "SELECT min(position) FROM projection_positions"
            )
        finally:
            await conn.close()

        # Then, after a restart on the same database, every acknowledged command is recorded
        second.start()
        await second.wait_ready()
        pool = await asyncpg.create_pool(**own_database.asyncpg_kwargs(), min_size=1, max_size=4)
        try:
            rows = await pool.fetch(
                f"SELECT notification_id, originator_id, originator_version, topic, state "
                f"FROM {EVENTS_TABLE} WHERE originator_id = $1 ORDER BY notification_id",
                table.negotiation_id,
            )
            events = [decode_row(row) for row in rows]
            lost = [c for c in acknowledged if not _recorded(events, c)]
            assert lost == [], f"acknowledged but not in the log: {lost}"

            async with httpx.AsyncClient(base_url=second.url, timeout=10) as http:
                views = {
                    party: await expect(await http.get(table.base, headers=person.headers), 200)
                    for party, person in (("union", table.union), ("employer", table.employer))
                }
                for command in acknowledged:
                    await _check_visible(http, table, views, command)

            # ...and what the restarted runner projected equals a rebuild from the log
            head = await _wait_for_projections(pool)
            incremental = await _projected_state(pool)
            second.stop()
            await Projector(pool).rebuild()
            rebuilt = await _projected_state(pool)
            for name in incremental:
                assert incremental[name] == rebuilt[name], name
            async with pool.acquire() as conn:
                chain = await verify_chain(conn)
            assert chain.ok, chain
            total = await pool.fetchval(f"SELECT count(*) FROM {EVENTS_TABLE}")
            assert chain.checked == total and chain.head_position == head
        finally:
            await pool.close()
    print(
        f"\nkilled with {in_flight} request(s) in flight; {len(acknowledged)} acknowledged, "
        f"{len(unanswered)} unanswered, of which recorded anyway: "
        f"{sum(_recorded(events, c) for c in unanswered)}; projections at {projected_at_kill} "
        f"of {head_at_kill} when killed"
    )


async def _check_visible(
    http: httpx.AsyncClient, table: Table, views: dict[str, Any], command: Command
) -> None:
    """The restarted server shows the acknowledged command to the team that sent it."""
    view = views[command.party]
    if command.kind == "note":
        assert command.created_id in {n["note_id"] for n in view["team_notes"]}, command
    elif command.kind == "draft":
        assert command.created_id in {d["draft_id"] for d in view["drafts"]}, command
    elif command.kind == "article":
        assert command.created_id in {a["article_id"] for a in view["articles"]}, command
    elif command.kind == "proposal":
        article_id = command.path.split("/")[2]
        article = await expect(
            await http.get(f"{table.base}/articles/{article_id}", headers=table.union.headers),
            200,
        )
        assert command.created_id in {p["proposal_id"] for p in article["proposals"]}, command
    else:
        session = next(s for s in view["sessions"] if s["session_id"] == table.session_id)
        assert command.marker in {b["text"] for b in session["bulletins"] or []}, command
