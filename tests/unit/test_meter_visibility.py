"""Who receives the card meter: only an audience that sees the session the cards are raised in
(DOMAIN.md, "Who sees what": reactions are as visible as the session), on the feeds about that
session, and no longer once the session's visibility stops letting it see them."""

import asyncio
from datetime import UTC, datetime

import msgspec
import pytest

from projections.board import Board, SessionEntry
from projections.events import RecordedEvent
from realtime.cards import topic_on_table
from realtime.feeds import FeedState, Subscription, feed_part_bytes
from realtime.hub import Hub, LiveNegotiation

AT = datetime(2026, 3, 1, 9, tzinfo=UTC)
SEES = {
    "open": {"public", "member", "union", "employer"},
    "members": {"member", "union", "employer"},
    "closed": {"union", "employer"},
}
FEEDS = [("board", None), ("overlay", None), ("session", "s1"), ("session", "s2")]


def _board(visibility: str) -> Board:
    board = Board(
        negotiation_id="n1",
        title="Contract",
        kind="collective_bargaining",
        bargaining_unit="Unit",
        union_name="Union",
        employer_name="District",
        opened_at=AT,
        position=10,
    )
    for session_id, number in (("s1", 1), ("s2", 2)):
        board.sessions[session_id] = SessionEntry(
            session_id=session_id,
            number=number,
            title=f"Session {number}",
            visibility=visibility,
            location="Hall",
            starts_at=AT,
            capacity=None,
            livestream_url=None,
            languages=["en"],
        )
    running = board.sessions["s1"]
    running.status, running.opened_at = "open", AT
    running.article_on_table, running.table_turn = "a1", 1
    board.running_session_id = "s1"
    return board


def _hub_with_cards_held(board: Board) -> Hub:
    """A hub watching the negotiation, with one feed (and subscriber) per audience and feed,
    and two green cards held for the article on the table (no database: nothing awaits)."""
    hub = Hub(pool=None, connect=None)  # type: ignore[arg-type]
    hub.live["n1"] = live = LiveNegotiation(board=board)
    for audience in ("public", "member", "union", "employer"):
        for kind, key in FEEDS:
            feed = FeedState(
                kind=kind,  # type: ignore[arg-type]
                key=key,
                audience=audience,
                parts=feed_part_bytes(kind, board, key, audience),  # type: ignore[arg-type]
                resume_floor=board.position,
                position=board.position,
            )
            feed.join(Subscription(feed=feed, account_id=None, queue=asyncio.Queue(100)), None)
            live.feeds[(kind, key, audience)] = feed
    counter = hub.cards.counter
    hub.cards.on_table("n1", topic_on_table(board), first=True)
    for holder in ("viewer:a", "viewer:b"):
        counter.connect("n1", holder)
        counter.hold("n1", holder, "green", now=0.0)
    hub.cards.show_changes()
    return hub


def _shown(hub: Hub) -> set[tuple[str, str | None, str]]:
    return {key for key, feed in hub.live["n1"].feeds.items() if "reactions" in feed.live_parts}


def _expected(visibility: str) -> set[tuple[str, str | None, str]]:
    return {
        (kind, key, audience)
        for audience in SEES[visibility]
        for kind, key in FEEDS
        if key in (None, "s1")  # a session feed shows only its own session's cards
    }


@pytest.mark.parametrize("visibility", ["open", "members", "closed"])
def test_the_meter_reaches_only_the_feeds_whose_audience_sees_the_session(visibility):
    hub = _hub_with_cards_held(_board(visibility))

    assert _shown(hub) == _expected(visibility)
    for key in _expected(visibility):
        part = msgspec.json.decode(hub.live["n1"].feeds[key].live_parts["reactions"])
        assert (part["session_id"], part["red"], part["green"]) == ("s1", 0, 2)


@pytest.mark.parametrize(("before", "after"), [("open", "members"), ("members", "closed")])
async def test_a_session_made_less_visible_takes_the_meter_away_from_who_no_longer_sees_it(
    before, after
):
    hub = _hub_with_cards_held(_board(before))
    live = hub.live["n1"]
    queued = {key: _queued(feed) for key, feed in live.feeds.items()}
    data = {"session_id": "s1", "visibility": after, "at": AT}
    event = RecordedEvent(
        position=11,
        negotiation_id="n1",
        version=11,
        topic="negotiation.SessionVisibilityChanged",
        type="SessionVisibilityChanged",
        data=data,
        state=msgspec.json.encode(data),
    )
    hub.head = 10

    hub._take([event])

    assert _shown(hub) == _expected(after)
    for key in _expected(before) - _expected(after):
        told = _queued(live.feeds[key])[len(queued[key]) :]
        assert {"type": "meter", "set": {}, "remove": ["reactions"]} in told


def _queued(feed: FeedState) -> list[dict[str, object]]:
    """What the feed's one subscriber has been handed so far, decoded."""
    (sub,) = feed.subscribers
    return [msgspec.json.decode(message) for message in list(sub.queue._queue)]  # type: ignore[attr-defined]
