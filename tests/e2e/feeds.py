"""Helpers for browser tests of live pages: end feeds from the server side, restart a node."""

from __future__ import annotations

from litestar import Litestar

from realtime.feeds import CLOSED
from tests.support import LiveServer


def drop_feeds(server: LiveServer, negotiation_id: str, *, resync: bool = False) -> int:
    """End every live feed of this negotiation on the server, as a dropped network or a
    restarting node would (or with a resync notice first); returns how many were ended.
    The subscriptions leave the hub at once, so no later change can reach them."""

    async def drop() -> int:
        live = server.app.state.hub.live.get(negotiation_id)
        ended = 0
        for feed in live.feeds.values() if live else []:
            for subscription in list(feed.subscribers):
                if resync:
                    subscription.overflow()
                else:
                    subscription.close()
                    subscription.queue.put_nowait(CLOSED)
                ended += 1
        return ended

    return server.run(drop())


def serve_on_port(app: Litestar, port: int) -> LiveServer:
    """The app on a given loopback port (a node restarting where its clients left it)."""
    return LiveServer.start(app, port)
