"""The front page's listing: negotiations and their sessions as this viewer may see them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import msgspec

from projections.board import Board
from projections.views import NegotiationPart, SessionSummaryPart, audience_on, board_parts
from web.queries import list_negotiations

RUNNING = ("open", "recessed")


class NegotiationListing(msgspec.Struct, frozen=True):
    negotiation: NegotiationPart
    live: list[SessionSummaryPart]
    upcoming: list[SessionSummaryPart]
    past: list[SessionSummaryPart]


async def negotiation_listing(
    pool: asyncpg.Pool, load: Callable[[str], Awaitable[Board | None]], viewer: Any | None
) -> list[NegotiationListing]:
    """One place the front page gets its list from, so it can be re-pointed at a
    projection-backed listing without touching the page. Sessions come from the same board
    parts the board feed carries (a closed or members-only session shows its status only);
    `load` gives a negotiation's board (the hub's: as fresh as the feeds)."""
    listed = []
    for summary in await list_negotiations(pool):
        board = await load(summary.negotiation_id)
        if board is None:  # opened a moment ago, not projected yet: no sessions so far
            listed.append(NegotiationListing(_unprojected(summary), [], [], []))
            continue
        parts = board_parts(board, audience_on(board, viewer))
        sessions = sorted(
            (p for name, p in parts.items() if name.startswith("session:")),
            key=lambda s: s.starts_at,
        )
        listed.append(
            NegotiationListing(
                negotiation=parts["negotiation"],
                live=[s for s in sessions if s.status in RUNNING],
                upcoming=[s for s in sessions if s.status == "scheduled"],
                past=[s for s in sessions if s.status == "closed"][::-1],
            )
        )
    return listed


def _unprojected(summary: Any) -> NegotiationPart:
    return NegotiationPart(
        negotiation_id=summary.negotiation_id,
        title=summary.title,
        kind=summary.kind,
        bargaining_unit=summary.bargaining_unit,
        union_name=summary.union_name,
        employer_name=summary.employer_name,
        articles_total=0,
        articles_agreed=0,
        articles_withdrawn=0,
        whole_ta_reached_at=None,
        whole_ta_document_hash=None,
    )
