"""Simulated viewers that hold red and green cards over a real websocket, for tests and the
benchmark: each is one browser (its own `viewer_id` cookie) or one member (a token)."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from typing import Any

from tests.live_support import FeedClient


def viewer_cookie() -> dict[str, str]:
    """The headers of a new anonymous browser: a random viewer id, as the viewer page sets."""
    return {"Cookie": f"viewer_id={secrets.token_urlsafe(16)}"}


@dataclass
class CardViewer(FeedClient):
    """A feed client that also applies `meter` messages (live counts, no position)."""

    meters: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def handle(self, message: dict[str, Any]) -> None:
        if message["type"] == "meter":
            self.meters += 1
            self.parts.update(message["set"])
            for name in message["remove"]:
                self.parts.pop(name, None)
            return
        super().handle(message)

    async def hold(self, card: str | None) -> None:
        assert self.connection is not None
        await self.connection.send(json.dumps({"type": "card", "card": card}))

    def counts(self) -> tuple[int, int] | None:
        part = self.parts.get("reactions")
        return (part["red"], part["green"]) if part else None


def meter_reads(red: int, green: int, article_id: str | None = None) -> Any:
    """A receive_until predicate: the viewer's meter shows exactly these counts."""

    def predicate(_: object, client: CardViewer) -> bool:
        part = client.parts.get("reactions")
        return (
            part is not None
            and (part["red"], part["green"]) == (red, green)
            and (article_id is None or part["article_id"] == article_id)
        )

    return predicate
