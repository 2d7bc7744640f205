"""Red and green cards: who holds which on this node, the exact count across every node, and
closing an article's totals (with its peaks) when it leaves the table.

Design (docs/LIVE-FEEDS.md, "Red and green cards"): each node counts the holders connected
to it — a member once per account, an anonymous viewer once per browser (its `viewer_id`
cookie), however many tabs — and publishes its own per-article counts (never who holds
what) on the PostgreSQL channel `reactions`; every node sums its own counts and the latest
of every other live node's. A node that has not been heard from for NODE_EXPIRY seconds is
taken for dead and its cards drop out. Each node re-sends its whole state every
NODE_HEARTBEAT seconds, so a lost notification (or a node that starts late) is made good
within a second. `CardCounter` is the arithmetic (no I/O, the clock passed in); `Cards` runs
it: the tick, the channel, and recording the totals through a command.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol
from uuid import UUID

import asyncpg
import msgspec

from negotiation.domain.actors import PLATFORM_ACTOR
from negotiation.domain.commands import CloseReactionTotals
from negotiation.domain.errors import NegotiationError
from negotiation.domain.visibility import Audience
from projections.board import Board

log = logging.getLogger(__name__)

CardColour = Literal["red", "green"]
CHANNEL = "reactions"
METER_INTERVAL = 0.25  # seconds: counts are published and meters updated at most this often
CHANGE_INTERVAL = 0.25  # seconds: a holder's card changes at most this often (latest wins)
NODE_HEARTBEAT = 1.0  # seconds between a node's full re-sends of its counts
NODE_EXPIRY = 3.5  # seconds of silence after which a node's cards drop out
RECORD_GRACE = 2.0  # seconds a node that does not write projections leaves the writer to record
ALIVE_CHUNK = 150  # negotiation ids per heartbeat message (a NOTIFY payload is < 8,000 bytes)
PEER_GATHER = 0.05  # seconds after a beat's publishing for the other nodes' counts to arrive


@dataclass(frozen=True)
class Topic:
    """One turn of one article on the table of one session: what cards are held up for."""

    session_id: str
    turn: int
    article_id: str


@dataclass(frozen=True)
class Totals:
    topic: Topic
    red: int
    green: int


@dataclass(frozen=True)
class ClosedTotals:
    """The cards held as a turn on the table ended, and the most held at once during it."""

    negotiation_id: str
    topic: Topic
    red: int
    green: int
    peak_red: int
    peak_green: int


class ReactionsPart(msgspec.Struct, frozen=True):
    """The `reactions` feed part: how many hold each card for the article on the table."""

    session_id: str
    article_id: str
    turn: int
    red: int
    green: int


def reactions_part(
    board: Board, totals: Totals | None, audience: Audience, session_id: str | None = None
) -> ReactionsPart | None:
    """The card meter as an audience may see it: only if it sees the session the cards are
    raised in (and, for one session's display, only that session's)."""
    if totals is None:
        return None
    topic = totals.topic
    session = board.sessions.get(topic.session_id)
    if session is None or not audience.sees_session(session.visibility):
        return None
    if session_id is not None and session_id != topic.session_id:
        return None
    return ReactionsPart(topic.session_id, topic.article_id, topic.turn, totals.red, totals.green)


def topic_on_table(board: Board) -> Topic | None:
    """What cards are for now: the running session's article on the table, this turn."""
    session = board.running_session()
    if session is None or session.article_on_table is None:
        return None
    return Topic(session.session_id, session.table_turn, session.article_on_table)


_UNSET: Any = object()


@dataclass
class _Holder:
    card: CardColour | None = None
    connections: int = 0
    changed_at: float = float("-inf")
    pending: Any = _UNSET  # a change that came too soon: applied when its turn comes


@dataclass
class _Table:
    """One negotiation as this node counts it."""

    topic: Topic | None = None
    holders: dict[str, _Holder] = field(default_factory=dict)
    waiting: set[str] = field(default_factory=set)  # holders with a pending change
    red: int = 0
    green: int = 0

    def counts(self) -> tuple[int, int]:
        return self.red, self.green


@dataclass
class _RemoteNode:
    seen: float
    counts: dict[str, tuple[Topic, int, int]] = field(default_factory=dict)  # by negotiation


class CardCounter:
    """Every card count this node knows: its own holders', and the other nodes' totals."""

    def __init__(self, node_id: str) -> None:
        self.node_id = node_id
        self.tables: dict[str, _Table] = {}
        self.remote: dict[str, _RemoteNode] = {}
        self.peaks: dict[tuple[str, Topic], tuple[int, int]] = {}
        self.dirty: set[str] = set()  # negotiations whose own counts changed since published

    # ------------------------------------------------------------------ this node's holders
    def _table(self, negotiation_id: str) -> _Table:
        table = self.tables.get(negotiation_id)
        if table is None:
            table = self.tables[negotiation_id] = _Table()
        return table

    def connect(self, negotiation_id: str, holder: str) -> None:
        table = self._table(negotiation_id)
        entry = table.holders.get(holder)
        if entry is None:
            entry = table.holders[holder] = _Holder()
        entry.connections += 1

    def disconnect(self, negotiation_id: str, holder: str) -> None:
        """A connection went away; the holder's card drops when its last one has."""
        table = self.tables.get(negotiation_id)
        entry = table.holders.get(holder) if table else None
        if table is None or entry is None:
            return
        entry.connections -= 1
        if entry.connections <= 0:
            self._set(negotiation_id, table, entry, None)
            del table.holders[holder]
            table.waiting.discard(holder)
            if not table.holders and table.topic is None:
                del self.tables[negotiation_id]

    def hold(self, negotiation_id: str, holder: str, card: CardColour | None, now: float) -> None:
        """A holder raises a card (or puts it down). One that changed less than
        CHANGE_INTERVAL ago waits for its turn (`tick`), and only its latest wish counts."""
        table = self.tables.get(negotiation_id)
        entry = table.holders.get(holder) if table else None
        if table is None or entry is None or table.topic is None:
            return  # not connected here, or nothing on the table to react to
        if now - entry.changed_at < CHANGE_INTERVAL:
            entry.pending = card
            table.waiting.add(holder)
            return
        entry.pending = _UNSET
        table.waiting.discard(holder)
        entry.changed_at = now
        self._set(negotiation_id, table, entry, card)

    def _set(
        self, negotiation_id: str, table: _Table, entry: _Holder, card: CardColour | None
    ) -> None:
        if entry.card == card:
            return
        table.red += (card == "red") - (entry.card == "red")
        table.green += (card == "green") - (entry.card == "green")
        entry.card = card
        self.dirty.add(negotiation_id)

    def set_topic(self, negotiation_id: str, topic: Topic | None) -> ClosedTotals | None:
        """What is on the table now (from the board). When it changes every card here goes
        down (they were for the last article) and the last turn's totals are returned, if
        anyone held a card during it."""
        table = self.tables.get(negotiation_id)
        if table is None:
            if topic is None:
                return None
            table = self._table(negotiation_id)
        if table.topic == topic:
            return None
        closed = self._close(negotiation_id, table.topic) if table.topic is not None else None
        table.topic = topic
        for entry in table.holders.values():
            entry.card, entry.pending = None, _UNSET
        table.waiting.clear()
        if table.red or table.green:
            self.dirty.add(negotiation_id)
        table.red = table.green = 0
        return closed

    def _close(self, negotiation_id: str, topic: Topic) -> ClosedTotals | None:
        red, green = self._sum(negotiation_id, topic)
        peak_red, peak_green = self.peaks.pop((negotiation_id, topic), (0, 0))
        peak_red, peak_green = max(peak_red, red), max(peak_green, green)
        if peak_red == 0 and peak_green == 0:
            return None  # nobody raised a card: nothing to record
        return ClosedTotals(negotiation_id, topic, red, green, peak_red, peak_green)

    # ------------------------------------------------------------------ every node's sum
    def _sum(self, negotiation_id: str, topic: Topic) -> tuple[int, int]:
        table = self.tables.get(negotiation_id)
        red, green = table.counts() if table is not None and table.topic == topic else (0, 0)
        for node in self.remote.values():
            theirs = node.counts.get(negotiation_id)
            if theirs is not None and theirs[0] == topic:
                red += theirs[1]
                green += theirs[2]
        return red, green

    def totals(self, negotiation_id: str) -> Totals | None:
        """The exact count for the article on the table, across every live node."""
        table = self.tables.get(negotiation_id)
        if table is None or table.topic is None:
            return None
        red, green = self._sum(negotiation_id, table.topic)
        return Totals(table.topic, red, green)

    def tick(self, now: float) -> None:
        """Apply the changes whose turn has come; forget nodes not heard from; note peaks."""
        for negotiation_id, table in self.tables.items():
            # Only the holders with a change waiting: not every holder on every beat.
            for holder in list(table.waiting):
                entry = table.holders[holder]
                if now - entry.changed_at >= CHANGE_INTERVAL:
                    card, entry.pending = entry.pending, _UNSET
                    table.waiting.discard(holder)
                    entry.changed_at = now
                    self._set(negotiation_id, table, entry, card)
        for node_id, node in list(self.remote.items()):
            if now - node.seen > NODE_EXPIRY:
                del self.remote[node_id]  # a dead node's cards drop out
        for negotiation_id in self.tables:
            self.note_peak(negotiation_id)

    def note_peak(self, negotiation_id: str) -> None:
        totals = self.totals(negotiation_id)
        if totals is None:
            return
        key = (negotiation_id, totals.topic)
        peak = self.peaks.get(key, (0, 0))
        if totals.red > peak[0] or totals.green > peak[1]:
            self.peaks[key] = (max(peak[0], totals.red), max(peak[1], totals.green))

    # ------------------------------------------------------------------ messages between nodes
    def state_message(self, negotiation_id: str) -> str:
        """This node's counts for one negotiation (no holder, ever)."""
        table = self.tables.get(negotiation_id)
        topic = table.topic if table is not None else None
        red, green = table.counts() if table is not None else (0, 0)
        body: dict[str, Any] = {"node": self.node_id, "n": negotiation_id}
        if topic is not None and (red or green):
            body["t"] = [topic.session_id, topic.turn, topic.article_id, red, green]
        return json.dumps(body, separators=(",", ":"))

    def alive_messages(self) -> list[str]:
        """Heartbeats naming every negotiation this node holds cards in; a receiver drops
        this node's counts for any other (a lost "now zero" message is made good)."""
        held = sorted(self.held_negotiations())
        chunks = [held[i : i + ALIVE_CHUNK] for i in range(0, len(held), ALIVE_CHUNK)] or [[]]
        return [
            json.dumps(
                {"node": self.node_id, "alive": chunk, "all": len(chunks) == 1},
                separators=(",", ":"),
            )
            for chunk in chunks
        ]

    def held_negotiations(self) -> list[str]:
        return [n for n, t in self.tables.items() if t.red or t.green]

    def take(self, payload: str, now: float) -> str | None:
        """Another node's message; returns the negotiation whose totals it may change."""
        try:
            body = json.loads(payload)
            node_id = str(body["node"])
        except (ValueError, KeyError, TypeError):
            return None
        if node_id == self.node_id:
            return None
        node = self.remote.get(node_id)
        if node is None:
            node = self.remote[node_id] = _RemoteNode(seen=now)
        node.seen = now
        try:
            if "alive" in body:
                if body.get("all"):
                    alive = set(body["alive"])
                    for negotiation_id in [n for n in node.counts if n not in alive]:
                        del node.counts[negotiation_id]
                return None
            negotiation_id = str(body["n"])
            counts = body.get("t")
            if counts is None:
                node.counts.pop(negotiation_id, None)
            else:
                session_id, turn, article_id, red, green = counts
                topic = Topic(str(session_id), int(turn), str(article_id))
                node.counts[negotiation_id] = (topic, int(red), int(green))
        except (ValueError, KeyError, TypeError):
            return None
        # The meter may show these totals before this node's next beat, and the next message
        # may lower them first: a peak is noted wherever the totals change.
        self.note_peak(negotiation_id)
        return negotiation_id


def until_next_beat(now: float, interval: float) -> float:
    """Seconds from `now` (wall clock) to the next multiple of `interval`: the next beat."""
    return interval - now % interval


Execute = Callable[[str, CloseReactionTotals], Awaitable[object]]


class _Application(Protocol):
    def execute(self, negotiation_id: UUID, actor: Any, command: Any) -> object: ...


def as_platform(negotiations: _Application) -> Execute:
    """Run the totals command through the application (in a worker thread: it is sync)."""

    async def execute(negotiation_id: str, command: CloseReactionTotals) -> object:
        return await asyncio.to_thread(
            negotiations.execute, UUID(negotiation_id), PLATFORM_ACTOR, command
        )

    return execute


class Cards:
    """Runs the counter on one node: the tick, the channel between nodes, and recording."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        connect: Callable[[], Awaitable[asyncpg.Connection]],
        on_meter: Callable[[set[str]], None],
        *,
        node_id: str | None = None,
        meter_interval: float = METER_INTERVAL,
    ) -> None:
        self.pool = pool
        self._connect = connect
        self.counter = CardCounter(node_id or secrets.token_hex(8))
        self.meter_interval = meter_interval
        self._on_meter = on_meter
        # Set by the composition root: run a command on a negotiation as the platform.
        self.execute: Execute | None = None
        self.is_writer: Callable[[], bool] = lambda: False
        self.recorded: Callable[[ClosedTotals], bool] = lambda closed: False  # on the board?
        self._shown: dict[str, Totals | None] = {}
        self._listener: asyncpg.Connection | None = None
        self._task: asyncio.Task[None] | None = None
        self._pending: set[asyncio.Task[None]] = set()
        self._last_beat = float("-inf")

    async def start(self) -> None:
        self._listener = await self._connect()
        await self._listener.add_listener(CHANNEL, self._heard)
        self._task = asyncio.create_task(self._run(), name="cards-tick")

    async def stop(self) -> None:
        tasks = [t for t in [self._task, *self._pending] if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self._listener is not None:
            with contextlib.suppress(Exception):
                await self._listener.close()

    def _heard(self, _connection: Any, _pid: int, _channel: str, payload: str) -> None:
        self.counter.take(payload, asyncio.get_running_loop().time())

    async def _run(self) -> None:
        """Every node beats at the same moments: the multiples of the meter interval on the
        wall clock (one clock on one machine, NTP's across machines). At each beat a node
        publishes its changed counts, then waits PEER_GATHER for the other nodes' counts of
        the same beat, then updates its meters. So a card raised on one node reaches the
        meters on every node at the first beat after it (≤ one interval + PEER_GATHER),
        instead of waiting there for the next beat of another, unaligned node (≤ two
        intervals: bench/reactions.py measured a p99 of ~900 ms at 5,000 viewers)."""
        loop = asyncio.get_running_loop()
        gather = min(PEER_GATHER, self.meter_interval / 2)
        sending: asyncio.Task[None] | None = None
        while True:
            await asyncio.sleep(until_next_beat(time.time(), self.meter_interval))
            try:
                self.counter.tick(loop.time())
                # The meters never wait for the database: while the last beat's counts are
                # still being sent (a busy database), this beat's wait for the next send.
                if sending is None or sending.done():
                    messages = self._messages(loop.time())
                    if messages:
                        sending = asyncio.create_task(self._send(messages), name="cards-send")
                        self._pending.add(sending)
                        sending.add_done_callback(self._pending.discard)
                await asyncio.sleep(gather)
                self.show_changes()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("cards: a tick failed; trying again")

    def _messages(self, now: float) -> list[str]:
        """This node's changed counts, and every NODE_HEARTBEAT its whole state."""
        counter = self.counter
        dirty, counter.dirty = counter.dirty, set()
        messages = [counter.state_message(n) for n in sorted(dirty)]
        if now - self._last_beat >= NODE_HEARTBEAT:
            self._last_beat = now
            held = counter.held_negotiations()
            messages += [counter.state_message(n) for n in held if n not in dirty]
            messages += counter.alive_messages()
        return messages

    async def _send(self, messages: list[str]) -> None:
        try:
            await self.pool.executemany(
                "SELECT pg_notify($1, $2)", [(CHANNEL, m) for m in messages]
            )
        except Exception:
            # Lost: the next full re-send (NODE_HEARTBEAT) makes it good on the other nodes.
            log.exception("cards: sending this node's counts failed")

    def show_changes(self) -> None:
        """Hand the hub every negotiation whose meter now reads differently."""
        changed = set()
        for negotiation_id in list(self.counter.tables):
            totals = self.counter.totals(negotiation_id)
            if self._shown.get(negotiation_id) != totals:
                self._shown[negotiation_id] = totals
                changed.add(negotiation_id)
        for negotiation_id in [n for n in self._shown if n not in self.counter.tables]:
            del self._shown[negotiation_id]
            changed.add(negotiation_id)
        if changed:
            self._on_meter(changed)

    def on_table(self, negotiation_id: str, topic: Topic | None, *, first: bool) -> None:
        """The board says what is on the table now; a turn that ended gets its totals
        recorded (the writer node at once, any other a little later if still needed)."""
        closed = self.counter.set_topic(negotiation_id, topic)
        if closed is not None and self.execute is not None and not first:
            task = asyncio.create_task(self._record(closed), name="cards-record")
            self._pending.add(task)
            task.add_done_callback(self._pending.discard)

    async def _record(self, closed: ClosedTotals) -> None:
        """Every node that saw the turn end may try; the aggregate takes the first and
        refuses the rest (that turn is no longer due), so the totals are recorded once. The
        writer node goes first; the others only if, after a grace, it has not."""
        if not self.is_writer():
            await asyncio.sleep(RECORD_GRACE)
            if self.recorded(closed):
                return
        topic = closed.topic
        command = CloseReactionTotals(
            session_id=topic.session_id,
            article_id=topic.article_id,
            turn=topic.turn,
            red=closed.red,
            green=closed.green,
            peak_red=closed.peak_red,
            peak_green=closed.peak_green,
        )
        if self.execute is None:
            return
        try:
            await self.execute(closed.negotiation_id, command)
        except NegotiationError as refused:
            log.info("cards: totals not recorded here: %s", refused)
        except Exception:
            log.exception("cards: recording the totals of %s failed", topic)
