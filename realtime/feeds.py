"""Fan-out: each feed's subscribers, its buffer of recent changes, and the pump that brings
every subscriber up to date without ever awaiting a client.

Each change is encoded (and framed) once per audience class. A pump per feed brings each
subscriber up to date with ONE write of every change it has not had, straight to its
connection's transport under uvicorn (else through a bounded queue); it never awaits a
client, and a connection whose buffers are full (or whose queue is) is told to resync and
dropped, so it never slows the others. Which feeds exist, and when their boards change, is
the hub's business (realtime/hub.py); the frames are realtime/frames.py's.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from dataclasses import dataclass, field

import msgspec

from projections.board import Board
from projections.views import AUDIENCE_OF_CLASS, FeedKind, feed_parts
from realtime.cards import Totals, reactions_part
from realtime.frames import RESYNC, Change, Heartbeat, Meter, Snapshot, encode, encode_part
from realtime.transport import FrameWriter, text_frame

CLOSED = ""  # queued to a subscriber's sender when its client has gone
PUBLISH_TURN = 0.004  # seconds of writing to connections between turns of the event loop
# While a pass writes to this many connections or more, the GIL is handed over more often
# (see _GilHandoff).
BIG_PASS = 1000
RESUME_BUFFER = 1000  # changes kept per feed for clients that reconnect with `after`


def feed_part_bytes(
    kind: FeedKind, board: Board, key: str | None, audience: str
) -> dict[str, bytes]:
    parts = feed_parts(kind, board, key, AUDIENCE_OF_CLASS[audience])
    return {name: encode_part(part) for name, part in parts.items()}


def reactions_part_bytes(
    audience: str, session_id: str | None, board: Board, totals: Totals | None
) -> bytes | None:
    """The card meter as an audience class may see it (see FeedState.meter_scope)."""
    part = reactions_part(board, totals, AUDIENCE_OF_CLASS[audience], session_id)
    return encode_part(part) if part is not None else None


@dataclass(eq=False)
class Subscription:
    """One websocket's view of one feed; its queue holds encoded messages (bytes)."""

    feed: FeedState
    account_id: str | None
    queue: asyncio.Queue[str]
    writer: FrameWriter | None = None  # the broadcast path, when the server allows it
    closed: bool = False
    sent: int = 0  # position of the last change handed to it (snapshot, resume or pump)
    # Called once when it stops taking messages (resync, client gone, hub stopping): the
    # connection's owner starts the deadline by which the connection must be gone.
    on_close: Callable[[], None] | None = None

    def offer(self, message: str, frame: bytes | None = None) -> None:
        if self.closed:
            return
        if self.writer is not None:
            if not self.writer.write(frame if frame is not None else text_frame(message)):
                self.overflow()
            return
        try:
            self.queue.put_nowait(message)
        except asyncio.QueueFull:
            self.overflow()

    def overflow(self) -> None:
        """Too slow to keep up: drop what is queued and tell the client to resync.

        The notice goes through the queue: its sender awaits the connection (draining or not)
        and then closes it; the client reconnects with the last position it saw."""
        while not self.queue.empty():
            self.queue.get_nowait()
        self.writer = None
        self.queue.put_nowait(RESYNC)
        self.close()

    def close(self) -> None:
        self.feed.subscribers.discard(self)
        if self.closed:
            return
        self.closed = True
        if self.on_close is not None:
            self.on_close()


@dataclass(eq=False)
class FeedState:
    kind: FeedKind
    key: str | None
    audience: str
    parts: dict[str, bytes]
    resume_floor: int  # a client that saw this position (or later) can resume from the buffer
    position: int  # position of the latest change (or of the feed's creation)
    # (position, message): for resuming, and for the pump
    buffer: deque[tuple[int, str]] = field(default_factory=lambda: deque(maxlen=RESUME_BUFFER))
    subscribers: set[Subscription] = field(default_factory=set)
    pumping: bool = False
    _runs: dict[int, bytes] = field(default_factory=dict)  # frames after a position, by it
    # Parts that are live counts, not events (the card meter): in every snapshot, sent as
    # `meter` messages when they change, never in the resume buffer.
    live_parts: dict[str, bytes] = field(default_factory=dict)

    @property
    def meter_scope(self) -> tuple[str, str | None]:
        """What this feed's meter depends on: its audience class and, for a session feed, the
        session it is about (the board and the overlays show the meter of any session their
        audience sees). Feeds of one scope show the same meter bytes."""
        return self.audience, (self.key or "") if self.kind == "session" else None

    def snapshot(self) -> str:
        parts = {k: msgspec.Raw(v) for k, v in (self.parts | self.live_parts).items()}
        return encode(Snapshot(position=self.position, parts=parts))

    def set_live_part(self, name: str, part: bytes | None) -> bool:
        """Whether it changed."""
        if self.live_parts.get(name) == part:
            return False
        if part is None:
            del self.live_parts[name]
        else:
            self.live_parts[name] = part
        return True

    def meter_message(self, removed: list[str] | None = None) -> str:
        parts = {k: msgspec.Raw(v) for k, v in self.live_parts.items()}
        return encode(Meter(set=parts, remove=removed or []))

    def show_meter(self, part: bytes | None) -> None:
        """A new meter reading: one message for every subscriber (it carries no position,
        so it may overtake changes still on their way: it is the latest count either way)."""
        if not self.set_live_part("reactions", part):
            return
        message = self.meter_message([] if part is not None else ["reactions"])
        frame = text_frame(message)
        for sub in list(self.subscribers):
            sub.offer(message, frame)

    def since(self, after: int) -> list[str] | None:
        """Messages after `after`, or None when some of them have left the buffer."""
        if after < self.resume_floor:
            return None
        return [message for position, message in self.buffer if position > after]

    def frames_after(self, after: int) -> bytes:
        """The frames of every change after `after`, back to back: one write for a
        connection that is behind. Most connections are at the same few positions, so each
        run is built once per position of the feed."""
        run = self._runs.get(after)
        if run is None:
            tail = []
            for position, message in reversed(self.buffer):
                if position <= after:
                    break
                tail.append(text_frame(message))
            run = self._runs[after] = b"".join(reversed(tail))
        return run

    def join(self, sub: Subscription, after: int | None) -> list[str]:
        """Add a subscriber (under the hub's lock); returns what it must be sent first: the
        changes after `after` when the buffer still reaches back to it, else a snapshot.
        Under the broadcast path they are written now, so no change can overtake them."""
        first = self.since(after) if after is not None else None
        if first is None:
            first = [self.snapshot()]
        elif self.live_parts:
            first = [*first, self.meter_message()]  # resumed: the meter as it reads now
        self.subscribers.add(sub)
        sub.sent = self.position  # the pump takes it from here
        if sub.writer is not None:
            for message in first:
                sub.offer(message)
            first = []
        return first

    def update(self, board: Board) -> str | None:
        """Recompute the parts; if any changed, record and return the change message."""
        fresh = feed_part_bytes(self.kind, board, self.key, self.audience)
        changed = {k: v for k, v in fresh.items() if self.parts.get(k) != v}
        removed = [k for k in self.parts if k not in fresh]
        if not changed and not removed:
            return None
        self.parts = fresh
        self.position = board.position
        message = encode(
            Change(
                position=board.position,
                set={k: msgspec.Raw(v) for k, v in changed.items()},
                remove=removed,
            )
        )  # once per change and audience class, then shared by every subscriber
        if len(self.buffer) == self.buffer.maxlen:
            self.resume_floor = self.buffer[0][0]  # about to drop it: resuming before is over
        self.buffer.append((board.position, message))
        self._runs.clear()
        return message


async def pump(feed: FeedState) -> None:
    """Bring every subscriber of a feed up to its latest change; never awaits a client.

    A pass writes each connection that is behind ALL the changes it has not had, as one run
    of frames (one system call however many changes it carries). Changes that arrive during
    a pass reach the connections not yet written in the same pass, and the ones already
    written in the next: so under a burst a connection waits for at most about one pass,
    and the cost of a pass stays one write per connection. Every PUBLISH_TURN seconds the
    pump yields to the event loop, so the commands causing these changes, and reading the
    next events, are not held up behind thousands of writes.
    """
    try:
        while True:
            behind = [sub for sub in feed.subscribers if sub.sent < feed.position]
            if not behind:
                return
            with _gil_handoff(len(behind) >= BIG_PASS):
                async for sub in with_turns(behind):
                    if not sub.closed and sub.sent < feed.position:
                        _bring_up_to_date(feed, sub)
    finally:
        feed.pumping = False


async def with_turns(subscribers: list[Subscription]) -> AsyncIterator[Subscription]:
    """Each subscriber in turn, giving the event loop a turn every PUBLISH_TURN seconds."""
    clock = asyncio.get_running_loop().time
    turn = clock() + PUBLISH_TURN
    for sub in subscribers:
        yield sub
        if clock() >= turn:
            await asyncio.sleep(0)
            turn = clock() + PUBLISH_TURN


class _GilHandoff:
    """Commands run in worker threads beside this event loop. During a big pass the loop
    holds the GIL for thousands of writes, and at Python's default 5 ms switch interval a
    command thread waits up to 5 ms for it after each of its database round trips: at 5,000
    viewers a command took ~240 ms instead of ~50 ms (bench/fanout.py). So while any big
    pass runs the interval is 1 ms. Not always: with no big fan-out, the extra switching
    costs command throughput (~30 % fewer commands/s in bench/commands.py)."""

    def __init__(self) -> None:
        self.passes = 0
        self.usual = sys.getswitchinterval()

    @contextlib.contextmanager
    def __call__(self, big: bool) -> Iterator[None]:
        if not big:
            yield
            return
        if self.passes == 0:
            self.usual = sys.getswitchinterval()
            sys.setswitchinterval(0.001)
        self.passes += 1
        try:
            yield
        finally:
            self.passes -= 1
            if self.passes == 0:
                sys.setswitchinterval(self.usual)


_gil_handoff = _GilHandoff()


def _bring_up_to_date(feed: FeedState, sub: Subscription) -> None:
    upto = feed.position
    writer = sub.writer
    if writer is not None:
        if not writer.write(feed.frames_after(sub.sent)):
            sub.overflow()
    elif feed.resume_floor > sub.sent:
        sub.overflow()  # what it still needs has left the buffer
    else:
        for position, message in feed.buffer:
            if sub.sent < position <= upto:
                sub.offer(message)
    sub.sent = upto


async def heartbeat(feed: FeedState) -> None:
    """Tell the feed's subscribers we are alive, and where the feed is."""
    beat = encode(Heartbeat(position=feed.position))
    frame = text_frame(beat)
    async for sub in with_turns(list(feed.subscribers)):
        # Only to those the pump has brought up to date: a heartbeat never claims a
        # position ahead of the changes a subscriber has had.
        if sub.sent == feed.position:
            sub.offer(beat, frame)


def tell_to_resync(subscriptions: Iterable[Subscription]) -> None:
    for sub in list(subscriptions):
        sub.overflow()
