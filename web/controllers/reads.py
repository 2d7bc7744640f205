"""Reads of negotiations over HTTP, served from board documents and never the command lock.

Read-your-writes: every command answers with the log `position` it was recorded at; a read
given `?after=P` waits (at most READ_WAIT_SECONDS) until what it reads from has reached P, on
any node, then answers; otherwise 503 with Retry-After. A read without `after` waits for the
log's head as it was when the read began (one indexed query, which `after` costs too), so no
client reads older state than what was committed before it asked.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import asyncpg
from litestar import Controller, get
from litestar.exceptions import (
    NotFoundException,
    ServiceUnavailableException,
    ValidationException,
)
from litestar.params import Parameter

from projections.audit.votes import vote_chains_reached
from projections.board import Board
from projections.board_store import negotiation_index, wait_for_projection
from projections.documents import (
    ArticleView,
    NegotiationView,
    SessionView,
    article_view,
    negotiation_view,
    session_view,
)
from projections.events import SELECT_HEAD
from projections.index import IndexEntry
from projections.views import audience_on
from realtime.hub import Hub
from web.identity import Account

READ_WAIT_SECONDS = 5.0
MAX_POSITION = 2**63 - 1

After = Annotated[
    int | None,
    Parameter(
        ge=0,
        le=MAX_POSITION,
        description="A log position (a command's `position`): answer once this read includes it.",
    ),
]


def _not_yet(position: int) -> ServiceUnavailableException:
    return ServiceUnavailableException(
        f"This server has not caught up with position {position} yet; try again shortly.",
        headers={"Retry-After": "1"},
    )


async def _target(pool: asyncpg.Pool, after: int | None) -> int:
    """The position a read must include: `after`, or the log's head now. A position past the
    head was never given by this platform (every node writes to the one log), so no wait
    could reach it: refused at once."""
    head: int = await pool.fetchval(SELECT_HEAD)
    if after is not None and after > head:
        raise ValidationException(
            f"Position {after} is past the end of the log ({head}): pass the `position` a "
            "command answered with."
        )
    return head if after is None else after


async def board_at(hub: Hub, pool: asyncpg.Pool, negotiation_id: str, after: int | None) -> Board:
    """The negotiation's board, folded at least up to `after` (or the current head)."""
    target = await _target(pool, after)
    if hub.head < target and not await hub.wait_for(target, READ_WAIT_SECONDS):
        raise _not_yet(target)
    board = await hub.board(negotiation_id)
    if board is None:
        raise NotFoundException(f"No negotiation {negotiation_id}.")
    return board


async def projection_at(pool: asyncpg.Pool, after: int | None) -> None:
    """Until the persistent board projection has reached `after` (or the current head)."""
    target = await _target(pool, after)
    if not await wait_for_projection(pool, target, READ_WAIT_SECONDS):
        raise _not_yet(target)


async def vote_chains_at(pool: asyncpg.Pool) -> None:
    """Until the votes' audit chains hold every vote event recorded before this read."""
    if not await vote_chains_reached(pool, READ_WAIT_SECONDS):
        raise ServiceUnavailableException(
            "This server has not chained the votes' latest steps yet; try again shortly.",
            headers={"Retry-After": "1"},
        )


class ReadController(Controller):
    path = "/api/negotiations"
    tags = ("negotiations",)

    @get("/")
    async def list_all(self, pool: asyncpg.Pool, after: After = None) -> list[IndexEntry]:
        """Every negotiation on this platform with its sessions, upcoming, live and past
        (titles, parties and session status are public)."""
        await projection_at(pool, after)
        return await negotiation_index(pool)

    @get("/{negotiation_id:uuid}")
    async def show(
        self,
        negotiation_id: UUID,
        viewer: Account | None,
        hub: Hub,
        pool: asyncpg.Pool,
        after: After = None,
    ) -> NegotiationView:
        """The current state of a negotiation, as this viewer may see it."""
        board = await board_at(hub, pool, str(negotiation_id), after)
        return negotiation_view(board, audience_on(board, viewer))

    @get("/{negotiation_id:uuid}/articles/{article_id:str}")
    async def article(
        self,
        negotiation_id: UUID,
        article_id: str,
        viewer: Account | None,
        hub: Hub,
        pool: asyncpg.Pool,
        after: After = None,
    ) -> ArticleView:
        """An article's full proposal history (texts), as this viewer may see it."""
        board = await board_at(hub, pool, str(negotiation_id), after)
        view = article_view(board, article_id, audience_on(board, viewer))
        if view is None:
            raise NotFoundException(f"No article {article_id!r} in this negotiation.")
        return view

    @get("/{negotiation_id:uuid}/sessions/{session_id:str}")
    async def session(
        self,
        negotiation_id: UUID,
        session_id: str,
        viewer: Account | None,
        hub: Hub,
        pool: asyncpg.Pool,
        after: After = None,
    ) -> SessionView:
        board = await board_at(hub, pool, str(negotiation_id), after)
        session = board.sessions.get(session_id)
        if session is None:
            raise NotFoundException(f"No session {session_id!r} in this negotiation.")
        return session_view(session, audience_on(board, viewer))
