"""Events this process records reach its live feeds without being read back from the log,
when they follow on from the hub's head; across a gap the hub reads the log, in order."""

import asyncio
import uuid
from contextlib import asynccontextmanager

import asyncpg
import msgspec

from negotiation.application import Negotiations
from negotiation.database import drop_database, ensure_database_exists
from projections.events import CHANNEL
from projections.runner import Projector
from realtime.hub import Hub
from tests.support import open_table_in
from tests.unit.builders import EMPLOYER_CHIEF, UNION_CHIEF


def _open(app: Negotiations, title: str) -> uuid.UUID:
    negotiation_id, _ = open_table_in(app, UNION_CHIEF, EMPLOYER_CHIEF, title)
    return negotiation_id


async def _next(queue: asyncio.Queue[str]) -> dict:
    return msgspec.json.decode(await asyncio.wait_for(queue.get(), timeout=5))


def _open_article(app: Negotiations, negotiation_id: uuid.UUID, number: str) -> None:
    app.open_article(
        negotiation_id, UNION_CHIEF, number=number, title=f"A{number}", category="economic"
    )


@asynccontextmanager
async def _hub_and_app(database, coalesce_seconds: float):
    """An application and a hub (not started) on a database of their own, dropped after."""
    config = database.with_dbname(f"hub_{uuid.uuid4().hex[:10]}")
    ensure_database_exists(config)
    app = Negotiations(env=config.eventsourcing_env())
    pool = await asyncpg.create_pool(**config.asyncpg_kwargs(), min_size=1, max_size=4)
    await Projector(pool).create_tables()  # the hub starts boards from stored documents
    hub = Hub(
        pool,
        lambda: asyncpg.connect(**config.asyncpg_kwargs()),
        coalesce_seconds=coalesce_seconds,
    )
    try:
        yield app, hub
    finally:
        await hub.stop()
        await pool.close()
        app.close()
        drop_database(config)


async def test_own_events_reach_the_feed_without_reading_the_log(database):
    # An hour between reads of the log: only the in-process path can deliver in time.
    async with _hub_and_app(database, coalesce_seconds=3600) as (app, hub):
        negotiation_id = await asyncio.to_thread(_open, app, "Contract")
        await hub.start()
        app.on_recorded(hub.recorded)
        subscription, first = await hub.subscribe(str(negotiation_id), "board", None, None, None)
        snapshot = msgspec.json.decode(first[0])
        await asyncio.to_thread(_open_article, app, negotiation_id, "1")
        change = await _next(subscription.queue)
        assert change["type"] == "change" and change["position"] == snapshot["position"] + 1
        assert any(part.startswith("article:") for part in change["set"])
        assert hub.head == change["position"]
        # The commit's notification names that position: the hub, which has it, does not go
        # and read the log for it; a later position, or a notification without one, does.
        hub._wake.clear()
        hub._notified(None, 0, CHANNEL, str(hub.head))
        assert not hub._wake.is_set()
        for payload in (str(hub.head + 1), ""):
            hub._notified(None, 0, CHANNEL, payload)
            assert hub._wake.is_set()
            hub._wake.clear()


async def test_across_a_gap_the_log_is_read_and_each_change_arrives_once_in_order(database):
    async with _hub_and_app(database, coalesce_seconds=0.02) as (app, hub):
        negotiation_id = await asyncio.to_thread(_open, app, "Contract")
        await hub.start()
        await hub._listener.close()  # no notifications: only the gap sends the hub to the log
        subscription, first = await hub.subscribe(str(negotiation_id), "board", None, None, None)
        start = msgspec.json.decode(first[0])["position"]
        # The first is recorded before the hub hears of this process; the second follows a
        # position the hub has not seen.
        await asyncio.to_thread(_open_article, app, negotiation_id, "1")
        app.on_recorded(hub.recorded)
        await asyncio.to_thread(_open_article, app, negotiation_id, "2")
        positions = [(await _next(subscription.queue))["position"] for _ in range(2)]
        assert positions == [start + 1, start + 2]
        # No duplicates: the next message after those two is the next event's, not a repeat.
        await asyncio.to_thread(_open_article, app, negotiation_id, "3")
        assert (await _next(subscription.queue))["position"] == start + 3


async def test_a_resume_from_a_position_this_node_has_not_read_waits_then_starts_over(database):
    # An hour between reads and no notifications: the hub stays behind the log.
    async with _hub_and_app(database, coalesce_seconds=3600) as (app, hub):
        negotiation_id = await asyncio.to_thread(_open, app, "Contract")
        await hub.start()
        await hub._listener.close()
        behind = hub.head
        # Recorded, as if through another node; this hub does not read it.
        await asyncio.to_thread(_open_article, app, negotiation_id, "1")
        recorded = behind + 1
        _, first = await hub.subscribe(str(negotiation_id), "board", None, None, recorded)
        # It waited (up to 5 s) for a position the log has, then could not resume from it:
        # a snapshot of what it has, not silence until the next heartbeat.
        assert hub.head == behind
        (snapshot,) = [msgspec.json.decode(message) for message in first]
        assert snapshot["type"] == "snapshot" and snapshot["position"] == behind
