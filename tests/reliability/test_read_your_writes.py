"""Read your writes across nodes: a command sent to one node, then a read on the other that
names the command's log position (`?after=`), always includes the command."""

from negotiation.database import DatabaseConfig
from tests.reliability.nodes import last_position, two_nodes
from tests.support import expect, open_article, table_proposal

ROUNDS = 6


async def _position_of(database: DatabaseConfig, response: dict, negotiation_id: str) -> int:
    """The command's position: from its answer where it carries one, else the log's."""
    if isinstance(response.get("position"), int):
        return int(response["position"])
    return await last_position(database, negotiation_id)


async def test_a_read_on_the_other_node_after_a_commands_position_includes_it(
    own_database: DatabaseConfig, node_dir
) -> None:
    async with two_nodes(own_database, node_dir) as (_, _, http_a, http_b, table):
        nid = table.negotiation_id
        nodes = [(http_a, http_b), (http_b, http_a)]
        for round_ in range(ROUNDS):
            writer, reader = nodes[round_ % 2]
            # given: an article opened and a proposal tabled on one node
            opened = await open_article(
                writer, table, number=f"R{round_}", title="Read", category="economic"
            )
            tabled = await table_proposal(
                writer, table, opened["id"], table.union, f"Round {round_} language"
            )
            after = {"after": await _position_of(own_database, tabled, nid)}
            # then: every read on the other node that names its position includes it
            whole = await expect(
                await reader.get(table.base, headers=table.union.headers, params=after), 200
            )
            assert whole["position"] >= after["after"]
            assert opened["id"] in {x["article_id"] for x in whole["articles"]}
            history = await expect(
                await reader.get(f"{table.base}/articles/{opened['id']}/history", params=after),
                200,
            )
            assert [p["text"] for p in history["proposals"]] == [f"Round {round_} language"]
            board = await expect(await reader.get(f"{table.base}/board", params=after), 200)
            assert board["parts"][f"article:{opened['id']}"]["status"] == "proposed"
            listed = await expect(await reader.get("/api/negotiations", params=after), 200)
            (entry,) = [n for n in listed if n["negotiation_id"] == nid]
            assert [s["session_id"] for s in entry["live"]] == [table.session_id]
        # and: a position the log has not reached is refused at once, with a reason
        past = await reader.get(table.base, params={"after": after["after"] + 10**6})
        assert past.status_code == 400
        assert "past the end of the log" in past.json()["detail"]
