"""The hub's per-feed bookkeeping: changes only when parts change, resume from the buffer,
and a slow subscriber is told to resync instead of slowing anyone down."""

import asyncio
from datetime import UTC, datetime

from projections.board import Board
from realtime.hub import (
    PUBLISH_SLICE,
    RESYNC,
    FeedState,
    Subscription,
    _publish,
    feed_part_bytes,
)


def _board(position: int, title: str = "Contract") -> Board:
    return Board(
        negotiation_id="n1",
        title=title,
        kind="collective_bargaining",
        bargaining_unit="Unit",
        union_name="Union",
        employer_name="District",
        opened_at=datetime(2026, 1, 1, tzinfo=UTC),
        position=position,
    )


def _feed(board: Board, buffer: int = 1000) -> FeedState:
    feed = FeedState(
        kind="board",
        key=None,
        audience="public",
        parts=feed_part_bytes("board", board, None, "public"),
        resume_floor=board.position,
        position=board.position,
    )
    feed.buffer = type(feed.buffer)(maxlen=buffer)
    return feed


def test_an_event_that_changes_nothing_visible_sends_nothing():
    feed = _feed(_board(1))
    assert feed.update(_board(2)) is None
    assert list(feed.buffer) == []


def test_a_visible_change_is_one_message_with_only_the_changed_part():
    feed = _feed(_board(1))
    message = feed.update(_board(5, title="Renamed"))
    assert message is not None and '"position":5' in message
    assert '"negotiation"' in message
    assert feed.since(1) == [message]
    assert feed.since(5) == []


def test_resume_from_before_what_the_buffer_still_holds_needs_a_snapshot():
    feed = _feed(_board(1), buffer=2)
    for position in (2, 3, 4):
        feed.update(_board(position, title=f"t{position}"))
    assert feed.since(1) is None  # the change at 2 has been dropped
    assert feed.since(2) is not None and len(feed.since(2)) == 2


def test_a_subscriber_whose_queue_is_full_is_told_to_resync_and_dropped():
    feed = _feed(_board(1))
    subscription = Subscription(feed=feed, account_id=None, queue=asyncio.Queue(2))
    feed.subscribers.add(subscription)
    for n in range(3):
        subscription.offer(f"message {n}")
    assert subscription.closed and subscription not in feed.subscribers
    assert subscription.queue.get_nowait() == RESYNC
    assert subscription.queue.empty()


class _RecordingWriter:
    def __init__(self, accepts: bool = True) -> None:
        self.writes: list[bytes] = []
        self.accepts = accepts

    def write(self, frame: bytes) -> bool:
        if self.accepts:
            self.writes.append(frame)
        return self.accepts


def _frames(data: bytes) -> list[str]:
    """Split back-to-back unmasked server text frames into their messages (RFC 6455 5.2)."""
    messages = []
    while data:
        assert data[0] == 0x81  # FIN, text
        length, start = data[1], 2
        if length == 126:
            length, start = int.from_bytes(data[2:4], "big"), 4
        elif length == 127:
            length, start = int.from_bytes(data[2:10], "big"), 10
        messages.append(data[start : start + length].decode())
        data = data[start + length :]
    return messages


async def test_one_read_of_changes_goes_out_as_one_write_per_connection_in_order():
    feed = _feed(_board(1))
    writers = [_RecordingWriter() for _ in range(PUBLISH_SLICE + 3)]  # crosses a yield
    for writer in writers:
        feed.subscribers.add(
            Subscription(feed=feed, account_id=None, queue=asyncio.Queue(4), writer=writer)
        )
    queued = Subscription(feed=feed, account_id=None, queue=asyncio.Queue(4))
    feed.subscribers.add(queued)
    messages = [feed.update(_board(p, title=f"t{p}")) for p in (2, 3)]
    assert None not in messages
    await _publish(feed, messages)  # type: ignore[arg-type]
    for writer in writers:
        assert len(writer.writes) == 1
        assert _frames(writer.writes[0]) == messages
    assert [queued.queue.get_nowait(), queued.queue.get_nowait()] == messages


async def test_a_connection_that_cannot_take_a_write_is_told_to_resync_and_dropped():
    feed = _feed(_board(1))
    stuck = Subscription(
        feed=feed, account_id=None, queue=asyncio.Queue(4), writer=_RecordingWriter(False)
    )
    fine_writer = _RecordingWriter()
    fine = Subscription(feed=feed, account_id=None, queue=asyncio.Queue(4), writer=fine_writer)
    feed.subscribers |= {stuck, fine}
    message = feed.update(_board(2, title="t2"))
    assert message is not None
    await _publish(feed, [message])
    assert stuck.closed and stuck not in feed.subscribers
    assert stuck.queue.get_nowait() == RESYNC
    assert _frames(fine_writer.writes[0]) == [message] and not fine.closed
