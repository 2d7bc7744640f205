"""The hub's per-feed bookkeeping: changes only when parts change, resume from the buffer,
and a slow subscriber is told to resync instead of slowing anyone down."""

import asyncio
from datetime import UTC, datetime

from projections.board import Board
from realtime import feeds
from realtime.feeds import FeedState, Subscription, feed_part_bytes, pump
from realtime.frames import RESYNC


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


def _subscribe(feed: FeedState, writer: _RecordingWriter | None = None) -> Subscription:
    sub = Subscription(feed=feed, account_id=None, queue=asyncio.Queue(4), writer=writer)
    sub.sent = feed.position
    feed.subscribers.add(sub)
    return sub


async def _run_pump(feed: FeedState) -> None:
    feed.pumping = True
    await pump(feed)
    assert not feed.pumping


async def test_changes_a_connection_has_not_had_go_out_as_one_write_in_order(monkeypatch):
    monkeypatch.setattr(feeds, "PUBLISH_TURN", 0.0)  # yield to the loop after every write
    feed = _feed(_board(1))
    writers = [_RecordingWriter() for _ in range(5)]
    for writer in writers:
        _subscribe(feed, writer)
    queued = _subscribe(feed)
    messages = [feed.update(_board(p, title=f"t{p}")) for p in (2, 3)]
    assert None not in messages
    await _run_pump(feed)
    for writer in writers:
        assert len(writer.writes) == 1
        assert _frames(writer.writes[0]) == messages
    assert [queued.queue.get_nowait(), queued.queue.get_nowait()] == messages
    assert queued.queue.empty()
    assert all(sub.sent == 3 for sub in feed.subscribers)


async def test_a_change_during_a_pass_reaches_the_rest_at_once_and_the_written_next():
    feed = _feed(_board(1))
    later: list[str] = []

    class ChangeArrives(_RecordingWriter):
        def write(self, frame: bytes) -> bool:
            if not later:  # the first write of the pass: a new event is folded meanwhile
                message = feed.update(_board(3, title="t3"))
                assert message is not None
                later.append(message)
            return super().write(frame)

    writers = [ChangeArrives() for _ in range(5)]
    for writer in writers:
        _subscribe(feed, writer)
    first = feed.update(_board(2, title="t2"))
    await _run_pump(feed)
    got = [[m for frame in w.writes for m in _frames(frame)] for w in writers]
    assert all(messages == [first, later[0]] for messages in got)  # each once, in order
    written_twice = [w for w in writers if len(w.writes) == 2]
    assert len(written_twice) == 1  # only the one written before the change arrived


async def test_a_connection_that_cannot_take_a_write_is_told_to_resync_and_dropped():
    feed = _feed(_board(1))
    stuck = _subscribe(feed, _RecordingWriter(False))
    fine_writer = _RecordingWriter()
    fine = _subscribe(feed, fine_writer)
    message = feed.update(_board(2, title="t2"))
    assert message is not None
    await _run_pump(feed)
    assert stuck.closed and stuck not in feed.subscribers
    assert stuck.queue.get_nowait() == RESYNC
    assert _frames(fine_writer.writes[0]) == [message] and not fine.closed


async def test_a_big_pass_hands_the_gil_to_command_threads_more_often(monkeypatch):
    import sys

    monkeypatch.setattr(feeds, "BIG_PASS", 3)
    usual = sys.getswitchinterval()
    seen: list[float] = []

    class Noting(_RecordingWriter):
        def write(self, frame: bytes) -> bool:
            seen.append(sys.getswitchinterval())
            return super().write(frame)

    small, big = _feed(_board(1)), _feed(_board(1))
    _subscribe(small, Noting())
    for _ in range(3):
        _subscribe(big, Noting())
    small.update(_board(2, title="t2"))
    big.update(_board(2, title="t2"))
    await _run_pump(small)
    assert seen == [usual]
    await _run_pump(big)
    assert seen[1:] == [0.001] * 3
    assert sys.getswitchinterval() == usual
