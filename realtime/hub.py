"""One hub per server process: follow the event log (LISTEN, read each new event once, or
take this process's own events as they commit) and keep the live boards of watched
negotiations, whose feeds it hands each change to.

Protocol (docs/LIVE-FEEDS.md): a subscriber first gets a snapshot of its feed with the
position it is valid at, then changes, each with the position of the event that caused it.
A client that reconnects with the last position it saw gets exactly the changes after it
(from a per-feed buffer), or a fresh snapshot if it is too far behind or ahead of anything
recorded. Positions are the event log's notification ids, so they mean the same on every node.

Fan-out (subscribers, pumps, buffers, resync) is realtime/feeds.py; the frames are
realtime/frames.py; electing the node that writes projections is realtime/election.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol
from uuid import UUID

import asyncpg

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
from projections.runner import Projector
from projections.views import FeedKind, audience_class, audience_on
from realtime.cards import Cards, ClosedTotals, topic_on_table
from realtime.election import WriterElection
from realtime.feeds import (
    FeedState,
    Subscription,
    feed_part_bytes,
    heartbeat,
    pump,
    reactions_part_bytes,
    tell_to_resync,
)
from realtime.transport import FrameWriter

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 15.0
TEAM_EVENTS = {
    "TeamMemberAdded",
    "TeamMemberRemoved",
    "ChiefNegotiatorNamed",
    "FacilitatorAppointed",
}
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
        self.coalesce_seconds = coalesce_seconds
        self.pool = pool
        self._connect = connect
        self.queue_size = queue_size
        self.live_limit = live_limit
        self.head = 0
        self.live: dict[str, LiveNegotiation] = {}
        self.election = (
            WriterElection(projector, connect, projection_interval=projection_interval)
            if projector is not None
            else None
        )
        self._lock = asyncio.Lock()  # event processing and subscribing take turns
        self._wake = asyncio.Event()
        self._advanced = asyncio.Condition()
        self._tasks: list[asyncio.Task[None]] = []
        self._pumps: set[asyncio.Task[None]] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._listener: asyncpg.Connection | None = None
        self.cards = Cards(pool, connect, self._show_meters)  # red and green cards
        self.cards.is_writer = lambda: self.is_writer
        self.cards.recorded = self._totals_recorded

    @property
    def is_writer(self) -> bool:
        """Whether this node is the one that writes the persistent projections now."""
        return self.election is not None and self.election.is_writer

    # ------------------------------------------------------------------ lifecycle
    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self.head = await self.pool.fetchval(SELECT_HEAD)
        self._listener = await self._connect()
        await self._listener.add_listener(CHANNEL, self._notified)
        self._tasks.append(asyncio.create_task(self._follow(), name="hub-follow"))
        self._tasks.append(asyncio.create_task(self._heartbeats(), name="hub-heartbeat"))
        if self.election is not None:
            self.election.start()
        await self.cards.start()

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
        await self.cards.stop()
        if self.election is not None:
            await self.election.stop()
        if self._listener is not None:
            with contextlib.suppress(Exception):
                await self._listener.close()
        for live in self.live.values():
            for feed in live.feeds.values():
                tell_to_resync(feed.subscribers)

    async def _heartbeats(self) -> None:
        """Tell every subscriber we are alive (and where its feed is) when nothing else moves."""
        while True:
            await asyncio.sleep(HEARTBEAT_SECONDS)
            for live in list(self.live.values()):
                for feed in list(live.feeds.values()):
                    await heartbeat(feed)

    def _notified(self, _connection: Any, _pid: int, _channel: str, payload: str) -> None:
        # The recorder tells the log's last position at each commit (negotiation/recorder.py):
        # when this hub has it already — it took this process's own events as they committed —
        # there is nothing to read. Anything else (no position) sends the hub to the log.
        if not payload.isdigit() or int(payload) > self.head:
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
        page = 500
        while True:
            rows = await self.pool.fetch(SELECT_AFTER, self.head, page)
            if rows:
                events = [decode_row(row) for row in rows]
                async with self._lock:
                    self._take(events)
                async with self._advanced:
                    self._advanced.notify_all()
            if len(rows) < page:
                return  # the head, as of this read: what commits later will notify again

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
        touched: set[str] = set()
        for event in events:
            if event.position > self.head:
                if self._apply(event, changed):
                    touched.add(event.negotiation_id)
                self.head = event.position
        # Who may see the meter can change with the board (a session closed to observers):
        # a feed whose audience no longer sees it has the part taken away before the pumps
        # send the batch's changes. Once per batch: a meter carries no position.
        for negotiation_id in touched:
            self._refresh_meters(negotiation_id)
        for feed in changed:
            if not feed.pumping:
                feed.pumping = True
                self._spawn(pump(feed), "hub-pump")

    def _apply(self, event: RecordedEvent, changed: set[FeedState]) -> bool:
        """Fold one event into its live board and its feeds; note the feeds that changed.
        Whether the negotiation is live here (else nobody is watching: its board is built
        on the first subscription)."""
        live = self.live.get(event.negotiation_id)
        if live is None:
            return False
        live.board = boards.apply(live.board, event)
        for feed in live.feeds.values():
            if feed.update(live.board) is not None:
                changed.add(feed)
        self.cards.on_table(event.negotiation_id, topic_on_table(live.board), first=False)
        if event.type in TEAM_EVENTS:
            self._recheck_audiences(live)
        return True

    def end_feeds_of(self, account_id: str) -> None:
        """The account was signed out (its tokens revoked): its live feeds end now, not when
        it next reconnects. Each is told to resync; a reconnect without a valid token is
        the public's."""
        for live in self.live.values():
            for feed in live.feeds.values():
                tell_to_resync(s for s in feed.subscribers if s.account_id == account_id)

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
        self.cards.on_table(negotiation_id, topic_on_table(board), first=True)
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
        on_close: Callable[[], None] | None = None,
    ) -> tuple[Subscription, list[str]] | None:
        """Register a subscriber; returns it with the messages to send first (a snapshot, or
        the changes after `after`), or None if there is no such negotiation."""
        if after is not None and after > self.head and after <= await self._recorded_head():
            # Recorded, but this node has not read it yet (it was written through another
            # node): wait a little, so the client resumes instead of starting over.
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
                feed.set_live_part(
                    "reactions",
                    reactions_part_bytes(
                        *feed.meter_scope, live.board, self.cards.counter.totals(negotiation_id)
                    ),
                )
                live.feeds[feed_key] = feed
            subscription = Subscription(
                feed=feed,
                account_id=account.account_id if account else None,
                queue=asyncio.Queue(self.queue_size),
                writer=writer,
                on_close=on_close,
            )
            # A position beyond what this hub has read (beyond anything recorded, or still
            # unread after the wait) cannot be resumed from: the client starts over from a
            # snapshot, rather than waiting for changes it may already have had.
            resume_from = after if after is not None and after <= self.head else None
            return subscription, feed.join(subscription, resume_from)

    def _totals_recorded(self, closed: ClosedTotals) -> bool:
        live = self.live.get(closed.negotiation_id)
        article = live.board.articles.get(closed.topic.article_id) if live else None
        return article is not None and any(
            r.session_id == closed.topic.session_id and r.turn == closed.topic.turn
            for r in article.reactions
        )

    def _show_meters(self, negotiation_ids: set[str]) -> None:
        """The card counts changed (a batch, every cards.METER_INTERVAL at most)."""
        for negotiation_id in negotiation_ids:
            self._refresh_meters(negotiation_id)

    def _refresh_meters(self, negotiation_id: str) -> None:
        """Each feed of the negotiation shows the meter as its audience may see it now: one
        message for all its subscribers when it reads differently, the part encoded once
        per meter scope (audience class and session), not once per feed."""
        live = self.live.get(negotiation_id)
        if live is None:
            return
        totals = self.cards.counter.totals(negotiation_id)
        parts: dict[tuple[str, str | None], bytes | None] = {}
        for feed in live.feeds.values():
            scope = feed.meter_scope
            if scope not in parts:
                parts[scope] = reactions_part_bytes(*scope, live.board, totals)
            feed.show_meter(parts[scope])

    async def _recorded_head(self) -> int:
        head: int = await self.pool.fetchval(SELECT_HEAD)
        return head
