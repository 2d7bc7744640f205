"""The producer's control page for the livestream overlays (a team member of either party or
the facilitator): each graphic with its state and a show / hide control, and the speaker lower
third taken to air or cleared. Rendered from the overlay part its feed then follows, as the
producer's own audience (a members-only session's speaker is theirs to see, never the
public's overlay)."""

from __future__ import annotations

from typing import Any

import asyncpg
from litestar import Controller, Request, get
from litestar.response import Redirect, Template

from negotiation.domain.commands import GRAPHIC_NAMES
from projections.views import overlay_parts
from realtime.hub import Hub
from web.controllers.reads import After
from web.identity import Account
from web.pages.console import table_board
from web.pages.viewer import page, sign_in_first

# The graphics a producer takes off air or back on (the speaker is taken to air instead).
GRAPHICS = tuple(GRAPHIC_NAMES)


class ProducerPages(Controller):
    path = "/producer"
    include_in_schema = False

    @get("/{negotiation_id:str}")
    async def producer(
        self,
        request: Request[Any, Any, Any],
        negotiation_id: str,
        viewer: Account | None,
        hub: Hub,
        pool: asyncpg.Pool,
        after: After = None,
    ) -> Template | Redirect:
        if viewer is None:
            return sign_in_first(request)
        board, aud = await table_board(
            hub, pool, negotiation_id, viewer, after, page_name="The overlay controls"
        )
        overlay = overlay_parts(board, aud)["overlay"]
        return page(
            request,
            "producer.html",
            viewer=viewer,
            title=board.title,
            position=board.position,
            overlay=overlay,
            graphics=GRAPHICS,
            negotiation_id=negotiation_id,
        )
