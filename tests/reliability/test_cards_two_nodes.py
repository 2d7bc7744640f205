"""Red and green cards counted on two server processes: every viewer, on either node, sees
the exact count of both; a dead node's cards drop out; the totals land in the article's
history once when it leaves the table."""

import asyncio

from negotiation.database import DatabaseConfig
from tests.cards_support import CardViewer, meter_reads, viewer_cookie
from tests.reliability.nodes import ServerProcess, two_nodes
from tests.support import bring_to_table, expect, open_article, wait_for_position

HOLDS_ON_A = ["red"] * 4 + ["green"] * 2
HOLDS_ON_B = ["red"] * 1 + ["green"] * 4
WAIT = 30.0  # seconds a meter may take to read a count (bounded, not a timing assertion)


async def _viewers(node: ServerProcess, nid: str, sid: str, count: int) -> list[CardViewer]:
    viewers = []
    for _ in range(count):
        viewer = CardViewer(
            node.ws_url(nid, f"feed=session&session_id={sid}"), headers=viewer_cookie()
        )
        await viewer.open()
        await viewer.receive()  # the snapshot
        viewers.append(viewer)
    return viewers


async def test_cards_on_two_nodes_are_counted_exactly_and_a_dead_nodes_cards_drop(
    own_database: DatabaseConfig, node_dir
) -> None:
    async with two_nodes(own_database, node_dir) as (a, b, http, _, table):
        nid, sid = table.negotiation_id, table.session_id
        articles = []
        for number in ("12", "14"):
            opened = await open_article(
                http, table, number=number, title=f"Article {number}", category="economic"
            )
            articles.append(opened["id"])
        first, second = articles
        await bring_to_table(http, table, first)
        on_a = await _viewers(a, nid, sid, len(HOLDS_ON_A))
        on_b = await _viewers(b, nid, sid, len(HOLDS_ON_B))
        for viewer, card in [
            *zip(on_a, HOLDS_ON_A, strict=True),
            *zip(on_b, HOLDS_ON_B, strict=True),
        ]:
            await viewer.hold(card)

        # Then a viewer on either node reads the exact sum of both
        watch_a, watch_b = (
            (await _viewers(a, nid, sid, 1))[0],
            (await _viewers(b, nid, sid, 1))[0],
        )
        await asyncio.gather(
            watch_a.receive_until(meter_reads(5, 6, first), WAIT),
            watch_b.receive_until(meter_reads(5, 6, first), WAIT),
        )

        # When one red and one green viewer leave node B
        await on_b[0].close()
        await on_b[1].close()
        await asyncio.gather(
            watch_a.receive_until(meter_reads(4, 5), WAIT),
            watch_b.receive_until(meter_reads(4, 5), WAIT),
        )

        # When node B dies: its three greens drop out of A's count
        b.kill()
        await watch_a.receive_until(meter_reads(4, 2), WAIT)

        # When the next article comes to the table
        await bring_to_table(http, table, second)
        await watch_a.receive_until(meter_reads(0, 0, second), WAIT)

        # Then the first article's totals (with their peaks) are in its history, once
        async def totals_recorded() -> int:
            history = await expect(await http.get(f"{table.base}/articles/{first}/history"), 200)
            return len(history["reactions"])

        await wait_for_position(totals_recorded, 1, what="the first article's card totals")
        history = await expect(await http.get(f"{table.base}/articles/{first}/history"), 200)
        [totals] = history["reactions"]
        assert (totals["red"], totals["green"]) == (4, 2)
        assert (totals["peak_red"], totals["peak_green"]) == (5, 6)
        assert totals["turn"] == 1
        for viewer in [*on_a, watch_a]:
            await viewer.close()
