"""Livestream overlays (OBS / vMix browser sources): one transparent 1920×1080 page each."""

from __future__ import annotations

from typing import Any, Literal

import asyncpg
from litestar import Controller, Request, get
from litestar.response import Template

from projections.views import AUDIENCE_OF_CLASS, overlay_parts
from realtime.cards import reactions_part
from realtime.hub import Hub
from web.controllers.reads import After, board_at
from web.pages.viewer import page

Graphic = Literal["lower-third", "ta-counter", "caucus", "clock", "reactions", "speaker"]


class OverlayPages(Controller):
    path = "/overlays/{negotiation_id:str}"
    include_in_schema = False

    @get("/{graphic:str}")
    async def overlay(
        self,
        request: Request[Any, Any, Any],
        negotiation_id: str,
        graphic: Graphic,
        hub: Hub,
        pool: asyncpg.Pool,
        after: After = None,
    ) -> Template:
        board = await board_at(hub, pool, negotiation_id, after)
        position = board.position
        # Overlays go out on a public stream: always the public's view, whoever loads them.
        public = AUDIENCE_OF_CLASS["public"]
        part = overlay_parts(board, public)["overlay"]
        reactions = reactions_part(board, hub.cards.counter.totals(negotiation_id), public)
        return page(
            request,
            "overlay.html",
            graphic=graphic,
            position=position,
            overlay=part,
            reactions=reactions,
            negotiation_id=negotiation_id,
        )
