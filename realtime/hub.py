"""One hub per server process: LISTEN for new events, read each once, fold it into the live
boards, and fan the changed parts out to every websocket subscriber by audience.

Protocol (docs/LIVE-FEEDS.md): a subscriber first gets a snapshot of its feed with the
position it is valid at, then changes, each with the position of the event that caused it.
A client that reconnects with the last position it saw gets exactly the changes after it
(from a per-feed buffer), or a fresh snapshot if it is too far behind. Positions are the event
log's notification ids, so they mean the same on every node.

Fan-out on purpose: each change is encoded (and framed) once per audience class. A pump per
feed brings each subscriber up to date with ONE write of every change it has not had, straight
to its connection's transport under uvicorn (else through a bounded queue); it never awaits a
client, and a connection whose buffers are full (or whose queue is) is told to resync and
dropped, so it never slows the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol
from uuid import UUID

import asyncpg
import msgspec

from projections import board as boards
from projections.board import Board
from projections.board_store import load_board
from projections.events import (
    CHANNEL,
    SELECT_AFTER,
    SELECT_FOR_NEGOTIATION,
    SELECT_HEAD,
    RecordedEvent,
    decode_row,
)
from projections.runner import WRITER_LOCK, Projector
from projections.views import AUDIENCE_OF_CLASS, FeedKind, audience_class, audience_on, feed_parts
from realtime.transport import FrameWriter, text_frame

log = logging.getLogger(__name__)

RESYNC = '{"type":"resync"}'
CLOSED = ""  # queued to a subscriber's sender when its client has gone
HEARTBEAT_SECONDS = 15.0
PUBLISH_TURN = 0.004  # seconds of writing to connections between turns of the event loop
# While a pass writes to this many connections or more, the GIL is handed over more often
# (see _GilHandoff).
BIG_PASS = 1000
TEAM_EVENTS = {
    "TeamMemberAdded",
    "TeamMemberRemoved",
    "ChiefNegotiatorNamed",
    "FacilitatorAppointed",
}
_encoder = msgspec.json.Encoder()
# An event as stored: (position, negotiation id, version, topic, state), like a row of the log.
StoredRow = tuple[int, Any, int, str, bytes]


class StoredNotification(Protocol):
    """An event as the application recorded it (eventsourcing's Notification)."""

    @property
    def id(self) -> int: ...
    @property
    def originator_id(self) -> Any: ...
    @property
    def originator_version(self) -> int: ...
    @property
    def topic(self) -> str: ...
    @property
    def state(self) -> bytes: ...


class _Change(msgspec.Struct):
    type: str
    position: int
    set: dict[str, msgspec.Raw]
    remove: list[str]


class _Snapshot(msgspec.Struct):
    type: str
    position: int
    parts: dict[str, msgspec.Raw]


def feed_part_bytes(
    kind: FeedKind, board: Board, key: str | None, audience: str
) -> dict[str, bytes]:
    parts = feed_parts(kind, board, key, AUDIENCE_OF_CLASS[audience])
    return {name: _encoder.encode(part) for name, part in parts.items()}


@dataclass(eq=False)
class Subscription:
    """One websocket's view of one feed; its queue holds encoded messages (bytes)."""

    feed: FeedState
    account_id: str | None
    queue: asyncio.Queue[str]
    writer: FrameWriter | None = None  # the broadcast path, when the server allows it
    closed: bool = False
    sent: int = 0  # position of the last change handed to it (snapshot, resume or pump)

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
        self.closed = True
        self.feed.subscribers.discard(self)


@dataclass(eq=False)
class FeedState:
    kind: FeedKind
    key: str | None
    audience: str
    parts: dict[str, bytes]
    resume_floor: int  # a client that saw this position (or later) can resume from the buffer
    position: int  # position of the latest change (or of the feed's creation)
    # (position, message): for resuming, and for the pump
    buffer: deque[tuple[int, str]] = field(default_factory=lambda: deque(maxlen=1000))
    subscribers: set[Subscription] = field(default_factory=set)
    pumping: bool = False
    _runs: dict[int, bytes] = field(default_factory=dict)  # frames after a position, by it

    def snapshot(self) -> str:
        parts = {k: msgspec.Raw(v) for k, v in self.parts.items()}
        snapshot = _Snapshot(type="snapshot", position=self.position, parts=parts)
        return _encoder.encode(snapshot).decode()

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

    def update(self, board: Board) -> str | None:
        """Recompute the parts; if any changed, record and return the change message."""
        fresh = feed_part_bytes(self.kind, board, self.key, self.audience)
        changed = {k: v for k, v in fresh.items() if self.parts.get(k) != v}
        removed = [k for k in self.parts if k not in fresh]
        if not changed and not removed:
            return None
        self.parts = fresh
        self.position = board.position
        message = _encoder.encode(
            _Change(
                type="change",
                position=board.position,
                set={k: msgspec.Raw(v) for k, v in changed.items()},
                remove=removed,
            )
        ).decode()  # once per change and audience class, then shared by every subscriber
        if len(self.buffer) == self.buffer.maxlen:
            self.resume_floor = self.buffer[0][0]  # about to drop it: resuming before is over
        self.buffer.append((board.position, message))
        self._runs.clear()
        return message


async def _pump(feed: FeedState) -> None:
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
                async for sub in _with_turns(behind):
                    if not sub.closed and sub.sent < feed.position:
                        _bring_up_to_date(feed, sub)
    finally:
        feed.pumping = False


async def _with_turns(subscribers: list[Subscription]) -> AsyncIterator[Subscription]:
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


@dataclass(eq=False)
class LiveNegotiation:
    board: Board
    feeds: dict[tuple[str, str | None, str], FeedState] = field(default_factory=dict)


class Hub:
    def __init__(
        self,
        pool: asyncpg.Pool,
        connect: Callable[[], Awaitable[asyncpg.Connection]],
        *,
        projector: Projector | None = None,
        queue_size: int = 256,
        live_limit: int = 500,
        projection_interval: float = 0.2,
        coalesce_seconds: float = 0.02,
    ) -> None:
        self.projection_interval = projection_interval
        self.coalesce_seconds = coalesce_seconds
        self.pool = pool
        self._connect = connect
        self.projector = projector
        self.queue_size = queue_size
        self.live_limit = live_limit
        self.head = 0
        self.live: dict[str, LiveNegotiation] = {}
        self.is_writer = False
        self._lock = asyncio.Lock()  # event processing and subscribing take turns
        self._wake = asyncio.Event()
        self._advanced = asyncio.Condition()
        self._tasks: list[asyncio.Task[None]] = []
        self._pumps: set[asyncio.Task[None]] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._listener: asyncpg.Connection | None = None
        self._writer_conn: asyncpg.Connection | None = None

    # ------------------------------------------------------------------ lifecycle
    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self.head = await self.pool.fetchval(SELECT_HEAD)
        self._listener = await self._connect()
        await self._listener.add_listener(CHANNEL, self._notified)
        self._tasks.append(asyncio.create_task(self._follow(), name="hub-follow"))
        self._tasks.append(asyncio.create_task(self._heartbeats(), name="hub-heartbeat"))
        if self.projector is not None:
            self._tasks.append(asyncio.create_task(self._seek_writer_role(), name="hub-writer"))
            self._tasks.append(
                asyncio.create_task(self._project_periodically(), name="hub-project")
            )

    def _spawn(self, work: Coroutine[Any, Any, None], name: str) -> None:
        task = asyncio.create_task(work, name=name)
        self._pumps.add(task)  # a strong reference until it is done
        task.add_done_callback(self._pumps.discard)

    async def stop(self) -> None:
        for task in [*self._tasks, *self._pumps]:
            task.cancel()
        for task in [*self._tasks, *self._pumps]:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        for conn in (self._listener, self._writer_conn):
            if conn is not None:
                with contextlib.suppress(Exception):
                    await conn.close()
        for live in self.live.values():
            for feed in live.feeds.values():
                for sub in list(feed.subscribers):
                    sub.overflow()

    async def _heartbeats(self) -> None:
        """Tell every subscriber we are alive (and where its feed is) when nothing else moves."""
        while True:
            await asyncio.sleep(HEARTBEAT_SECONDS)
            for live in list(self.live.values()):
                for feed in list(live.feeds.values()):
                    beat = f'{{"type":"heartbeat","position":{feed.position}}}'
                    frame = text_frame(beat)
                    async for sub in _with_turns(list(feed.subscribers)):
                        # Only to those the pump has brought up to date: a heartbeat never
                        # claims a position ahead of the changes a subscriber has had.
                        if sub.sent == feed.position:
                            sub.offer(beat, frame)

    def _notified(self, *_: Any) -> None:
        self._wake.set()

    # ------------------------------------------------------------------ following the log
    async def _follow(self) -> None:
        loop = asyncio.get_running_loop()
        last_read = loop.time()
        while True:
            try:
                # A notification wakes us at once; the timeout covers a lost notification.
                # (asyncio.timeout, not wait_for: on Python 3.11 wait_for loses a cancellation
                # that lands as the wake-up does, and stop() then waited for ever.)
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(1.0):
                        await self._wake.wait()
                # Under a burst of commands, read at most once per `coalesce_seconds`: one
                # read for many events instead of a read (and a round of thread switching)
                # per event. A lone event after a quiet spell is read at once.
                wait = last_read + self.coalesce_seconds - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                self._wake.clear()
                last_read = loop.time()
                await self._read_new_events()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("hub: reading new events failed; retrying")
                await asyncio.sleep(0.5)

    async def _read_new_events(self) -> None:
        while True:
            rows = await self.pool.fetch(SELECT_AFTER, self.head, 500)
            if not rows:
                return
            events = [decode_row(row) for row in rows]
            async with self._lock:
                self._take(events)
            async with self._advanced:
                self._advanced.notify_all()

    def recorded(self, notifications: Sequence[StoredNotification]) -> None:
        """Events this process has just committed, from the committing thread: fold them
        at once, without the round trip of reading them back. Positions are assigned in
        commit order, so they are taken only when they follow on from this hub's head;
        otherwise (another node's events came between) the log is read as usual."""
        rows = [
            (n.id, n.originator_id, n.originator_version, n.topic, n.state) for n in notifications
        ]
        if self._loop is not None and rows:
            with contextlib.suppress(RuntimeError):  # the loop has closed: shutting down
                self._loop.call_soon_threadsafe(self._take_soon, rows)

    def _take_soon(self, rows: list[StoredRow]) -> None:
        self._spawn(self._take_recorded(rows), "hub-local")

    async def _take_recorded(self, rows: Sequence[StoredRow]) -> None:
        async with self._lock:
            fresh = [row for row in rows if row[0] > self.head]
            if not fresh:
                return  # already read from the log
            positions = [row[0] for row in fresh]
            if positions != list(range(self.head + 1, self.head + 1 + len(fresh))):
                self._wake.set()  # a gap: what fills it is in the log
                return
            self._take([decode_row(row) for row in fresh])
        async with self._advanced:
            self._advanced.notify_all()

    def _take(self, events: list[RecordedEvent]) -> None:
        """Fold events after the head into the live boards and start the pumps (under the
        lock). Events at or before the head (read meanwhile by the other path) are skipped."""
        changed: set[FeedState] = set()
        for event in events:
            if event.position > self.head:
                self._apply(event, changed)
                self.head = event.position
        for feed in changed:
            if not feed.pumping:
                feed.pumping = True
                self._spawn(_pump(feed), "hub-pump")

    def _apply(self, event: RecordedEvent, changed: set[FeedState]) -> None:
        """Fold one event into its live board and its feeds; note the feeds that changed."""
        live = self.live.get(event.negotiation_id)
        if live is None:
            return  # nobody is watching; its board is built on the first subscription
        live.board = boards.apply(live.board, event)
        for feed in live.feeds.values():
            if feed.update(live.board) is not None:
                changed.add(feed)
        if event.type in TEAM_EVENTS:
            self._recheck_audiences(live)

    def end_feeds_of(self, account_id: str) -> None:
        """The account was signed out (its tokens revoked): its live feeds end now, not when
        it next reconnects. Each is told to resync; a reconnect without a valid token is
        the public's."""
        for live in self.live.values():
            for feed in live.feeds.values():
                for sub in [s for s in feed.subscribers if s.account_id == account_id]:
                    sub.overflow()

    def _recheck_audiences(self, live: LiveNegotiation) -> None:
        """Someone who left a team must not keep receiving that team's feed."""
        for feed in live.feeds.values():
            for sub in list(feed.subscribers):
                member = live.board.team.get(sub.account_id or "")
                party = member.party if member else None
                if feed.audience in ("union", "employer") and party != feed.audience:
                    sub.overflow()

    async def wait_for(self, position: int, timeout: float = 5.0) -> bool:
        """Wait until this hub has read the log up to `position` (another node may be ahead)."""
        async with self._advanced:
            try:
                async with asyncio.timeout(timeout):
                    await self._advanced.wait_for(lambda: self.head >= position)
            except TimeoutError:
                return False
        return True

    # ------------------------------------------------------------------ projections
    async def _seek_writer_role(self) -> None:
        """Hold the writer lock on a connection of our own; retry while another node has it."""
        assert self.projector is not None
        while True:
            try:
                if self._writer_conn is None or self._writer_conn.is_closed():
                    self.is_writer = False
                    self._writer_conn = await self._connect()
                if not self.is_writer:
                    got = await self._writer_conn.fetchval(
                        "SELECT pg_try_advisory_lock($1)", WRITER_LOCK
                    )
                    if got:
                        self.projector.forget_cached_boards()  # another writer may have run
                        await self.projector.catch_up()
                        self.is_writer = True
                await asyncio.sleep(1.0)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("hub: projection writer failed; retrying")
                self.is_writer = False
                if self._writer_conn is not None:
                    with contextlib.suppress(Exception):
                        await self._writer_conn.close()
                self._writer_conn = None
                await asyncio.sleep(1.0)

    async def _project_periodically(self) -> None:
        """The writer folds new events into the persistent projections a few times a second.

        Decoupled from the live fan-out (which happens per event, at once): under a burst of
        commands, one transaction per tick instead of one per event keeps the board documents
        from being rewritten for every single event.
        """
        assert self.projector is not None
        while True:
            await asyncio.sleep(self.projection_interval)
            if not self.is_writer:
                continue
            try:
                await self.projector.catch_up()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("hub: projecting failed; retrying")

    # ------------------------------------------------------------------ subscribing
    async def _live(self, negotiation_id: str) -> LiveNegotiation | None:
        live = self.live.get(negotiation_id)
        if live is not None:
            return live
        try:
            UUID(negotiation_id)
        except ValueError:
            return None  # not an id at all: no such negotiation
        # Start from the stored projection document when it is not ahead of this hub (the
        # writer may run on another node), and fold only the events after it.
        board = await load_board(self.pool, negotiation_id)
        if board is not None and board.position > self.head:
            board = None
        after = board.position if board is not None else 0
        rows = await self.pool.fetch(SELECT_FOR_NEGOTIATION, negotiation_id, after, self.head)
        for row in rows:
            board = boards.apply(board, decode_row(row))
        if board is None:
            return None
        live = LiveNegotiation(board=board)
        self.live[negotiation_id] = live
        self._forget_idle()
        return live

    def _forget_idle(self) -> None:
        if len(self.live) <= self.live_limit:
            return
        for negotiation_id, live in list(self.live.items()):
            if not any(feed.subscribers for feed in live.feeds.values()):
                del self.live[negotiation_id]
            if len(self.live) <= self.live_limit:
                return

    async def board(self, negotiation_id: str) -> Board | None:
        async with self._lock:
            live = await self._live(negotiation_id)
            return live.board if live else None

    async def subscribe(
        self,
        negotiation_id: str,
        kind: FeedKind,
        key: str | None,
        account: Any | None,
        after: int | None,
        writer: FrameWriter | None = None,
    ) -> tuple[Subscription, list[str]] | None:
        """Register a subscriber; returns it with the messages to send first (a snapshot, or
        the changes after `after`), or None if there is no such negotiation."""
        if after is not None and after > self.head:
            await self.wait_for(after)
        async with self._lock:
            live = await self._live(negotiation_id)
            if live is None:
                return None
            audience = audience_class(audience_on(live.board, account))
            feed_key = (kind, key, audience)
            feed = live.feeds.get(feed_key)
            if feed is None:
                feed = FeedState(
                    kind=kind,
                    key=key,
                    audience=audience,
                    parts=feed_part_bytes(kind, live.board, key, audience),
                    resume_floor=live.board.position,
                    position=live.board.position,
                )
                live.feeds[feed_key] = feed
            subscription = Subscription(
                feed=feed,
                account_id=account.account_id if account else None,
                queue=asyncio.Queue(self.queue_size),
                writer=writer,
            )
            first: list[str] | None = None
            if after is not None:
                first = feed.since(after)
            if first is None:
                first = [feed.snapshot()]
            feed.subscribers.add(subscription)
            subscription.sent = feed.position  # the pump takes it from here
            if writer is not None:
                # Written now, under the lock, so no change can overtake the snapshot.
                for message in first:
                    subscription.offer(message)
                first = []
            return subscription, first
