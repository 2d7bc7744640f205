"""Live feeds over websockets, and the read models people watch, over HTTP."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, cast

import asyncpg
import msgspec
from litestar import Controller, WebSocket, get, websocket
from litestar.exceptions import NotFoundException, WebSocketDisconnect

from projections.board import Board
from projections.bulletin import BulletinDraft, bulletin_draft
from projections.redline import Redline, remembered_redline
from projections.views import (
    AUDIENCE_OF_CLASS,
    ArticleHistory,
    FeedKind,
    article_history,
    audience_on,
    feed_parts,
)
from realtime import frames
from realtime.feeds import CLOSED, Subscription
from realtime.frames import POLICY_VIOLATION
from realtime.hub import Hub
from realtime.transport import direct_writer, transport_aborter
from web.controllers.reads import MAX_POSITION, After, board_at, projection_at
from web.dependencies import bearer_or_cookie
from web.identity import Account, Identity

FeedName = Literal["board", "session", "overlay"]


class FeedView(msgspec.Struct, frozen=True):
    position: int  # of the last event of this negotiation folded in
    version: int  # that event's version: equals the negotiation's version once caught up
    parts: dict[str, Any]


class ReadModelController(Controller):
    """The board projection, as the viewer may see it (read your writes: see
    web.controllers.reads)."""

    path = "/api/negotiations/{negotiation_id:str}"
    tags = ("read models",)

    @get("/board")
    async def board(
        self,
        negotiation_id: str,
        viewer: Account | None,
        hub: Hub,
        pool: asyncpg.Pool,
        after: After = None,
    ) -> FeedView:
        """The status board: every article's state, last move, TA count, sessions."""
        board = await board_at(hub, pool, negotiation_id, after)
        return _feed(board, "board", None, viewer)

    @get("/sessions/{session_id:str}/display")
    async def session_display(
        self,
        negotiation_id: str,
        session_id: str,
        viewer: Account | None,
        hub: Hub,
        pool: asyncpg.Pool,
        after: After = None,
    ) -> FeedView:
        """Session display: status, clock, agenda, the article on the table with both sides'
        latest proposals, attendance vs capacity, timeline."""
        board = await board_at(hub, pool, negotiation_id, after)
        view = _feed(board, "session", session_id, viewer)
        if not view.parts:
            raise NotFoundException(f"No session {session_id} in this negotiation.")
        return view

    @get("/overlay")
    async def overlay(
        self, negotiation_id: str, hub: Hub, pool: asyncpg.Pool, after: After = None
    ) -> FeedView:
        """Overlay state for livestream browser sources (public view)."""
        board = await board_at(hub, pool, negotiation_id, after)
        return _feed(board, "overlay", None, None)

    @get("/articles/{article_id:str}/history")
    async def history(
        self,
        negotiation_id: str,
        article_id: str,
        viewer: Account | None,
        hub: Hub,
        pool: asyncpg.Pool,
        after: After = None,
    ) -> ArticleHistory:
        board = await board_at(hub, pool, negotiation_id, after)
        result = article_history(board, article_id, audience_on(board, viewer))
        if result is None:
            raise NotFoundException(f"No article {article_id} in this negotiation.")
        return result

    @get("/articles/{article_id:str}/redline")
    async def article_redline(
        self,
        negotiation_id: str,
        article_id: str,
        viewer: Account | None,
        hub: Hub,
        pool: asyncpg.Pool,
        to: str,
        from_: str = "current",
        after: After = None,
    ) -> Redline:
        """Word-level redline between two versions (proposal ids), or against the current
        contract language with from_=current (the default)."""
        board = await board_at(hub, pool, negotiation_id, after)
        history = article_history(board, article_id, audience_on(board, viewer))
        if history is None:
            raise NotFoundException(f"No article {article_id} in this negotiation.")
        texts = {p.proposal_id: p.text for p in history.proposals}
        texts["current"] = history.current_language
        if to not in texts or from_ not in texts:
            raise NotFoundException("No such version of this article (or not visible to you).")
        return remembered_redline(texts[from_], texts[to])


def _feed(board: Board, kind: FeedKind, key: str | None, viewer: Account | None) -> FeedView:
    return FeedView(
        position=board.position,
        version=board.version,
        parts=feed_parts(kind, board, key, audience_on(board, viewer)),
    )


class PublishedBulletin(msgspec.Struct, frozen=True):
    """A published bulletin with the audit chain hash at its own event: print it, post it,
    and anyone can later check the log still hashes to the same value there."""

    party: str
    text: str
    published_at: datetime
    text_es: str | None
    published_by: str
    position: int
    chain_hash: str | None


class BulletinController(Controller):
    path = "/api/negotiations/{negotiation_id:str}/sessions/{session_id:str}"
    tags = ("read models",)

    @get("/bulletin-draft")
    async def draft(
        self,
        negotiation_id: str,
        session_id: str,
        viewer: Account | None,
        hub: Hub,
        pool: asyncpg.Pool,
        after: After = None,
    ) -> BulletinDraft:
        """What moved in this session (tabled, countered, TA'd, withdrawn) as data, and as
        text a team can edit before publishing it."""
        board = await board_at(hub, pool, negotiation_id, after)
        draft = bulletin_draft(board, session_id, audience_on(board, viewer))
        if draft is None:
            raise NotFoundException(f"No session {session_id} visible to you here.")
        return draft

    @get("/bulletins")
    async def published(
        self,
        negotiation_id: str,
        session_id: str,
        viewer: Account | None,
        hub: Hub,
        pool: asyncpg.Pool,
        after: After = None,
    ) -> list[PublishedBulletin]:
        board = await board_at(hub, pool, negotiation_id, after)
        await projection_at(pool, after)  # the chain hashes are the audit projection's
        session = board.sessions.get(session_id)
        audience = audience_on(board, viewer)
        # Each by the visibility it was published at: a session closed later keeps its
        # public bulletins public (DOMAIN.md, Visibility).
        bulletins = [
            b for b in (session.bulletins if session else []) if audience.sees_session(b.visibility)
        ]
        if session is None or not (bulletins or audience.sees_session(session.visibility)):
            raise NotFoundException(f"No session {session_id} visible to you here.")
        hashes = dict(
            await pool.fetch(
                "SELECT position, encode(hash, 'hex') FROM audit_log WHERE position = ANY($1)",
                [b.position for b in bulletins],
            )
        )
        return [
            PublishedBulletin(
                party=b.party,
                text=b.text,
                text_es=b.text_es,
                published_at=b.at,
                published_by=b.by,
                position=b.position,
                chain_hash=hashes.get(b.position),
            )
            for b in bulletins
        ]


class LiveController(Controller):
    path = "/ws/negotiations/{negotiation_id:str}"

    @websocket("/")
    async def feed(
        self,
        socket: WebSocket[Any, Any, Any],
        negotiation_id: str,
        feed: FeedName = "board",
        session_id: str | None = None,
        after: str | None = None,
        token: str | None = None,
        audience: Literal["public"] | None = None,
    ) -> None:
        """Snapshot then changes; reconnect with ?after=<last position seen> to resume.
        `audience=public`: the public's view whoever is signed in (an overlay on a stream)."""
        hub: Hub = socket.app.state.hub
        account = await _websocket_account(socket, socket.app.state.identity, token)
        await socket.accept()
        try:
            resume_after = _position(after)
        except ValueError:
            await _refuse(socket, POLICY_VIOLATION, AFTER_REFUSED)
            return
        abort = transport_aborter(socket.scope.get("raw_send"))
        loop = asyncio.get_running_loop()

        def abort_soon() -> None:
            # Told to resync, or gone: the close frame gets CLOSE_DEADLINE seconds to go out.
            # A client that is not reading never takes it (nor what is queued before it),
            # and a closed transport would keep all of it for ever: drop the connection.
            if abort is not None:
                loop.call_later(CLOSE_DEADLINE, abort)

        subscribed = await hub.subscribe(
            negotiation_id,
            feed,
            session_id if feed == "session" else None,
            None if audience == "public" else account,
            resume_after,
            writer=direct_writer(socket.scope.get("raw_send")),
            on_close=abort_soon,
        )
        if subscribed is None:
            await _refuse(socket, 4404, "No such negotiation.")
            return
        subscription, first = subscribed
        holder = card_holder(account, socket.cookies.get(VIEWER_COOKIE))
        if holder is not None:
            hub.cards.counter.connect(negotiation_id, holder)
        ending = _Ending()

        def take(message: frames.ClientMessage) -> None:
            if holder is not None:
                _hold_card(hub, negotiation_id, holder, subscription, message)

        listener = asyncio.create_task(_read_client_messages(socket, subscription, ending, take))
        try:
            for message in first:
                await socket.send_text(message)
            while True:
                # Changes, heartbeats and resync notices all arrive through the queue.
                message = await subscription.queue.get()
                if message is CLOSED:
                    break
                await socket.send_text(message)
                if subscription.closed and subscription.queue.empty():
                    break  # told to resync: the client reconnects and resumes
        except (WebSocketDisconnect, RuntimeError, OSError):
            pass  # gone (OSError: the connection was dropped while a send waited on it)
        finally:
            subscription.close()
            if holder is not None:
                hub.cards.counter.disconnect(negotiation_id, holder)  # its card drops out
            listener.cancel()
            with contextlib.suppress(BaseException):
                await socket.close(code=ending.code, reason=ending.reason)


CLOSE_DEADLINE = 5.0  # seconds a connection that is being closed has to drain
AFTER_REFUSED = f"after must be a position: a whole number from 0 to {MAX_POSITION}."


def _position(after: str | None) -> int | None:
    """The `after` of a resume; ValueError when it is not a position at all."""
    if after is None:
        return None
    # Digits only (int() would take "+1", " 1" and "1_0"), and no longer than the largest.
    if not (after.isascii() and after.isdigit()) or len(after) > len(str(MAX_POSITION)):
        raise ValueError(after)
    position = int(after)
    if position > MAX_POSITION:
        raise ValueError(after)
    return position


async def _refuse(socket: WebSocket[Any, Any, Any], code: int, detail: str) -> None:
    """Say why in an error frame (what a page shows) and in the close reason."""
    with contextlib.suppress(WebSocketDisconnect, RuntimeError, OSError):
        await socket.send_text(frames.encode(frames.Error(detail=detail)))
        await socket.close(code=code, reason=_close_reason(detail))


def _close_reason(text: str) -> str:
    """A close frame's reason is at most 123 bytes of UTF-8 (RFC 6455 5.5)."""
    return text.encode()[:123].decode(errors="ignore")


@dataclass
class _Ending:
    """How the socket is closed: normally, or with the code and reason of a refusal."""

    code: int = 1000
    reason: str = ""


async def _read_client_messages(
    socket: WebSocket[Any, Any, Any],
    subscription: Subscription,
    ending: _Ending,
    take: Callable[[frames.ClientMessage], None],
) -> None:
    """Decode what the client sends; a receive ends when it goes away, and that ends the
    sender. A message the feed does not take ends the feed, with the reason why."""
    with contextlib.suppress(Exception):
        while True:
            event = await socket.receive()
            if event["type"] == "websocket.disconnect":
                break
            try:
                message = frames.decode_client_message(
                    cast("str | None", event.get("text")), cast("bytes | None", event.get("bytes"))
                )
            except frames.MessageRefused as refused:
                ending.code, ending.reason = refused.code, _close_reason(refused.reason)
                break
            take(message)
    subscription.close()
    with contextlib.suppress(asyncio.QueueFull):
        subscription.queue.put_nowait(CLOSED)


VIEWER_COOKIE = "viewer_id"  # set by the viewer page: one anonymous browser, one card
_VIEWER_ID = re.compile(r"[A-Za-z0-9_-]{16,64}")


def card_holder(account: Account | None, viewer_id: str | None) -> str | None:
    """Who a card counts for: a member once per account (however many tabs), an anonymous
    viewer once per browser; a connection with neither (no cookie) holds no card."""
    if account is not None:
        return f"account:{account.account_id}"
    if viewer_id is not None and _VIEWER_ID.fullmatch(viewer_id):
        return f"viewer:{viewer_id}"
    return None


def _hold_card(
    hub: Hub,
    negotiation_id: str,
    holder: str,
    subscription: Subscription,
    message: frames.ClientMessage,
) -> None:
    """A card counts only from an audience that sees the session it is raised in (a
    members-only session's cards are the members')."""
    live = hub.live.get(negotiation_id)
    session = live.board.running_session() if live is not None else None
    audience = AUDIENCE_OF_CLASS[subscription.feed.audience]
    if session is None or not audience.sees_session(session.visibility):
        return
    hub.cards.counter.hold(negotiation_id, holder, message.card, asyncio.get_running_loop().time())


async def _websocket_account(
    socket: WebSocket[Any, Any, Any], identity: Identity, token: str | None
) -> Account | None:
    # Browsers cannot set headers on a websocket: the token may come in the query instead.
    candidate = token or bearer_or_cookie(socket)
    if not candidate:
        return None
    resolved = await identity.resolve_token(candidate)
    return resolved[0] if resolved else None
