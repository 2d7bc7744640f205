"""Two server processes on one PostgreSQL: viewers on either node receive the same changes
at the same positions, and a viewer can drop from one node and resume on the other."""

import asyncio
import random
import threading
import uuid

from negotiation.application import Negotiations
from negotiation.database import DatabaseConfig, drop_database, ensure_database_exists
from tests.live_support import FeedClient, has_article, log_parts
from tests.reliability.nodes import Bargaining, last_position, two_nodes
from tests.support import Person, board_position, expect, open_article, wait_for_position

SEED = 7_311
COMMANDS = 60
DROP_AT, RESUME_AT = 20, 40  # the wanderer leaves node A, then comes back on node B
SNAPSHOT_TIMEOUT = 10.0
RACE_NODES, RACE_ROUNDS = 6, 5


async def _subscribed_at(url: str, headers: dict[str, str], position: int) -> FeedClient:
    """A client whose snapshot is at `position` (a node may not have read that far yet; then
    its snapshot is older, and this client tries again)."""
    clients: list[FeedClient] = []

    async def snapshot_position() -> int:
        if clients:
            await clients.pop().close()  # too old: try again
        client = FeedClient(url, headers=headers)
        await client.open()
        clients.append(client)
        snapshot = await client.receive()
        assert snapshot["type"] == "snapshot", snapshot
        return int(snapshot["position"])

    await wait_for_position(
        snapshot_position, position, what=f"the snapshot of {url}", timeout=SNAPSHOT_TIMEOUT
    )
    return clients[0]


class Listener:
    """Reads a client's messages in the background until told to stop."""

    def __init__(self, client: FeedClient) -> None:
        self.client = client
        self._stop = asyncio.Event()
        self._task = asyncio.create_task(self._listen())

    async def _listen(self) -> None:
        while not self._stop.is_set():
            try:
                await self.client.receive(0.1)
            except TimeoutError:
                continue

    async def stop(self) -> None:
        self._stop.set()
        await self._task


async def test_viewers_on_two_nodes_get_the_same_changes_and_can_resume_on_the_other(
    own_database: DatabaseConfig, node_dir
) -> None:
    async with two_nodes(own_database, node_dir) as (a, b, http_a, http_b, table):
        nid = table.negotiation_id
        start = await last_position(own_database, nid)
        audiences: dict[str, Person | None] = {"union": table.union, "public": None}
        pairs: dict[str, tuple[FeedClient, FeedClient]] = {}
        for audience, person in audiences.items():
            headers = person.headers if person else {}
            pairs[audience] = (
                await _subscribed_at(a.ws_url(nid), headers, start),
                await _subscribed_at(b.ws_url(nid), headers, start),
            )
        wanderer = await _subscribed_at(a.ws_url(nid), table.union.headers, start)
        listeners = [Listener(c) for pair in pairs.values() for c in pair]
        wandering = Listener(wanderer)

        # Given commands sent to node A and node B in turn
        bargaining = Bargaining(table, random.Random(SEED), [http_a, http_b])
        dropped_at = resumed_changes = 0
        while bargaining.sent < COMMANDS:
            await bargaining.step()
            if bargaining.sent >= DROP_AT and dropped_at == 0:
                # When the wanderer drops from node A...
                await wandering.stop()
                await wanderer.close()
                dropped_at = len(wanderer.positions_seen)
            if bargaining.sent >= RESUME_AT and wanderer.connection is None:
                # ...and resumes on node B with the last position it saw
                wanderer.url = b.ws_url(nid)
                await wanderer.open()
                wandering = Listener(wanderer)
        if bargaining.caucus is not None:
            await bargaining.step_out_of_caucus()
        await open_article(http_b, table, number="END", title="Last", category="economic")
        last = await last_position(own_database, nid)
        clients = [c for pair in pairs.values() for c in pair] + [wanderer]
        for listener in [*listeners, wandering]:
            await listener.stop()

        async def finish(client: FeedClient) -> None:
            if not has_article("END")(None, client):  # its listener may have read it
                await client.receive_until(has_article("END"))
            await client.drain(quiet=0.3)
            await client.close()

        await asyncio.gather(*(finish(c) for c in clients))
        resumed_changes = len(wanderer.positions_seen) - dropped_at

        # Then both nodes sent each audience the same changes, matching the projection
        await wait_for_position(
            lambda: board_position(http_a, table.base), last, what="the board projection"
        )
        for audience, (on_a, on_b) in pairs.items():
            person = audiences[audience]
            headers = person.headers if person else {}
            projection = await expect(await http_b.get(f"{table.base}/board", headers=headers), 200)
            assert on_a.positions_seen == on_b.positions_seen, audience
            assert on_a.parts == on_b.parts, audience
            assert log_parts(on_a.parts) == projection["parts"], audience
            assert on_a.snapshots == on_b.snapshots == 1, audience
            assert len(set(on_a.positions_seen)) == len(on_a.positions_seen), audience

        # ...and the wanderer got exactly what it missed from node B: no gap, no duplicate
        union_on_b = pairs["union"][1]
        assert wanderer.snapshots == 1, "resumed with a snapshot although B's buffer reached"
        assert wanderer.positions_seen == union_on_b.positions_seen
        assert wanderer.parts == union_on_b.parts
        assert resumed_changes > 0
    print(
        f"\n{bargaining.sent} commands {dict(bargaining.kinds)}; "
        f"{len(union_on_b.positions_seen)} changes to the union; the wanderer saw {dropped_at} "
        f"on A and {resumed_changes} after resuming on B"
    )


async def test_nodes_started_together_on_an_empty_database_all_create_the_event_store(
    database: DatabaseConfig,
) -> None:
    """A deployment starts its nodes at once, and each creates the tables it needs if they
    are missing. Every node's startup constructs the application (the event store) exactly
    like this; threads released together by a barrier make the race reproducible, where real
    processes only collide now and then."""
    problems: list[str] = []
    for _ in range(RACE_ROUNDS):
        config = database.with_dbname(f"race_{uuid.uuid4().hex[:12]}")
        ensure_database_exists(config)
        barrier = threading.Barrier(RACE_NODES)
        started: list[Negotiations] = []

        def start_node(
            config: DatabaseConfig = config,
            barrier: threading.Barrier = barrier,
            started: list[Negotiations] = started,
        ) -> None:
            barrier.wait()
            try:
                started.append(Negotiations(env=config.eventsourcing_env()))
            except Exception as error:  # reported by the assertion below
                problems.append(f"{type(error).__name__}: {str(error).splitlines()[0]}")

        threads = [threading.Thread(target=start_node) for _ in range(RACE_NODES)]
        for thread in threads:
            thread.start()
        for thread in threads:
            await asyncio.to_thread(thread.join, 30)
        for app in started:
            app.close()
        drop_database(config)
        if problems:
            break
    assert problems == [], problems
