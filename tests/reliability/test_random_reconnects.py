"""Many viewers dropping and resuming at random while the table keeps working: each ends
with exactly what the persistent projection shows its audience, and never sees a position
twice or out of order."""

import asyncio
import random
from dataclasses import dataclass

import asyncpg
import httpx
from websockets.exceptions import ConnectionClosed

from negotiation.database import DatabaseConfig
from projections.events import EVENTS_TABLE
from tests.live_support import FeedClient, log_parts
from tests.reliability.nodes import Bargaining
from tests.support import LiveServer, board_position, expect, open_table, wait_for_position

SEED = 20_240_611
UNIT = "Reliability Unit"
VIEWERS = 30
COMMANDS = 150
CAUGHT_UP_TIMEOUT = 20.0


@dataclass
class Viewer:
    audience: str
    feed: str  # "board" or "session"
    client: FeedClient
    rng: random.Random
    connections: int = 0
    dropped_by_server: int = 0
    resume_snapshots: int = 0
    resume_mark: tuple[bool, int] = (False, 0)  # resuming?, snapshots before this connection

    async def connect(self) -> None:
        resuming = self.client.position is not None
        snapshots_before = self.client.snapshots
        await self.client.open()
        self.connections += 1
        self.resume_mark = resuming, snapshots_before

    def note_snapshots(self) -> None:
        resuming, before = self.resume_mark
        if resuming and self.client.snapshots > before:
            # Legitimate when the node's buffer no longer reaches back; counted, not failed.
            self.resume_snapshots += 1

    async def churn(self, stop: asyncio.Event) -> None:
        """Connect, listen a random while, drop (cleanly or abruptly), pause, resume."""
        loop = asyncio.get_running_loop()
        while not stop.is_set():
            await self.connect()
            deadline = loop.time() + self.rng.uniform(0.02, 0.6)
            try:
                while (remaining := deadline - loop.time()) > 0:
                    try:
                        await self.client.receive(remaining)
                    except TimeoutError:
                        break
            except ConnectionClosed:
                self.dropped_by_server += 1  # told to resync: resume like a browser would
            self.note_snapshots()
            connection = self.client.connection
            if connection is not None and self.rng.random() < 0.3:
                connection.transport.abort()  # a vanished phone, not a polite goodbye
            await self.client.close()
            await asyncio.sleep(self.rng.uniform(0.0, 0.15))


async def _last_position(conn: asyncpg.Connection, negotiation_id: str) -> int:
    position: int = await conn.fetchval(
        f"SELECT max(notification_id) FROM {EVENTS_TABLE} WHERE originator_id = $1",
        negotiation_id,
    )
    return position


async def _projection_caught_up(http: httpx.AsyncClient, base: str, last: int) -> None:
    """Until the persistent board has folded in the negotiation's last event."""
    await wait_for_position(
        lambda: board_position(http, base),
        last,
        what="the board projection",
        timeout=CAUGHT_UP_TIMEOUT,
    )


async def test_viewers_reconnecting_at_random_end_with_the_projection_and_no_duplicates(
    server: LiveServer, http: httpx.AsyncClient, people, database: DatabaseConfig
) -> None:
    rng = random.Random(SEED)
    table = await open_table(http, people, unit=UNIT)
    member = people(units=(UNIT,))
    headers = {
        "public": {},
        "member": member.headers,
        "union": table.union.headers,
        "employer": table.employer.headers,
    }
    base_url = f"ws://127.0.0.1:{server.port}/ws/negotiations/{table.negotiation_id}/"
    queries = {"board": "?feed=board", "session": f"?feed=session&session_id={table.session_id}"}
    viewers = []
    for i in range(VIEWERS):
        audience = list(headers)[i % len(headers)]
        feed = "session" if i % 3 == 0 else "board"
        client = FeedClient(base_url + queries[feed], headers=headers[audience])
        viewers.append(Viewer(audience, feed, client, random.Random(rng.random())))
    bargaining = Bargaining(table, random.Random(rng.random()), [http])
    stop = asyncio.Event()

    async def keep_bargaining() -> None:
        try:
            while bargaining.sent < COMMANDS:
                await bargaining.step()
                await asyncio.sleep(bargaining.rng.uniform(0.0, 0.02))
        finally:
            stop.set()

    # Given viewers of every audience coming and going while ~150 commands are recorded
    async with asyncio.timeout(60):
        async with asyncio.TaskGroup() as group:
            group.create_task(keep_bargaining())
            for viewer in viewers:
                group.create_task(viewer.churn(stop))

    # When the projection has caught up and every viewer resumes once more
    conn = await asyncpg.connect(**database.asyncpg_kwargs())
    try:
        last = await _last_position(conn, table.negotiation_id)
    finally:
        await conn.close()
    await _projection_caught_up(http, table.base, last)

    async def final(viewer: Viewer) -> None:
        await viewer.connect()
        await viewer.client.drain(quiet=0.5)
        viewer.note_snapshots()
        await viewer.client.close()

    async with asyncio.timeout(30):
        await asyncio.gather(*(final(v) for v in viewers))

    # Then each holds exactly its audience's projection, and no position came twice
    projections = {}
    for audience, audience_headers in headers.items():
        projections[audience, "board"] = await expect(
            await http.get(f"{table.base}/board", headers=audience_headers), 200
        )
        projections[audience, "session"] = await expect(
            await http.get(
                f"{table.base}/sessions/{table.session_id}/display", headers=audience_headers
            ),
            200,
        )
    for number, viewer in enumerate(viewers):
        seen = viewer.client.positions_seen
        assert len(set(seen)) == len(seen), (number, viewer.audience, "a duplicate position")
        assert seen == sorted(seen), (number, viewer.audience, "positions out of order")
        expected = projections[viewer.audience, viewer.feed]["parts"]
        assert log_parts(viewer.client.parts) == expected, (number, viewer.audience, viewer.feed)

    print(
        f"\n{bargaining.sent} commands {dict(bargaining.kinds)}; "
        f"{sum(v.connections for v in viewers)} connections, "
        f"{sum(v.client.snapshots for v in viewers)} snapshots "
        f"({sum(v.resume_snapshots for v in viewers)} on resume), "
        f"{sum(v.dropped_by_server for v in viewers)} closed by the server, "
        f"{sum(v.client.resyncs for v in viewers)} resync notices"
    )
