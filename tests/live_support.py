"""A websocket feed client for tests: applies snapshots and changes like a browser would."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.client import ClientConnection, connect


@dataclass
class FeedClient:
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    parts: dict[str, Any] = field(default_factory=dict)
    position: int | None = None
    positions_seen: list[int] = field(default_factory=list)
    snapshots: int = 0
    resyncs: int = 0
    connection: ClientConnection | None = None

    async def open(self) -> None:
        url = self.url if self.position is None else f"{self.url}&after={self.position}"
        self.connection = await connect(
            url, additional_headers=self.headers, max_size=None, compression=None
        )

    async def close(self) -> None:
        if self.connection is not None:
            await self.connection.close()
            self.connection = None

    def handle(self, message: dict[str, Any]) -> None:
        kind = message["type"]
        if kind == "snapshot":
            self.parts = dict(message["parts"])
            self.position = message["position"]
            self.snapshots += 1
        elif kind == "change":
            assert self.position is None or message["position"] > self.position, (
                "a change at or before a position already seen",
                message["position"],
                self.position,
            )
            self.positions_seen.append(message["position"])
            self.parts.update(message["set"])
            for name in message["remove"]:
                self.parts.pop(name, None)
            self.position = message["position"]
        elif kind == "meter":  # live counts (the card meter): no position
            self.parts.update(message["set"])
            for name in message["remove"]:
                self.parts.pop(name, None)
        elif kind == "resync":
            self.resyncs += 1

    async def receive(self, timeout: float = 10.0) -> dict[str, Any]:
        assert self.connection is not None
        message = json.loads(await asyncio.wait_for(self.connection.recv(), timeout))
        self.handle(message)
        return message

    async def receive_until(self, predicate: Any, timeout: float = 10.0) -> dict[str, Any]:
        """Read messages until one satisfies predicate(message, client)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            remaining = deadline - asyncio.get_running_loop().time()
            message = await self.receive(max(0.05, remaining))
            if predicate(message, self):
                return message

    async def drain(self, quiet: float = 0.3) -> None:
        """Read until nothing arrives for `quiet` seconds."""
        while True:
            try:
                await self.receive(quiet)
            except TimeoutError:
                return


def has_article(number: str) -> Any:
    """A receive_until predicate: the client's parts now show an article numbered `number`."""

    def predicate(_: object, client: FeedClient) -> bool:
        return any(
            name.startswith("article:") and part["number"] == number
            for name, part in client.parts.items()
        )

    return predicate


def log_parts(parts: dict[str, Any]) -> dict[str, Any]:
    """A feed's parts that follow from the event log: the card meter (`reactions`) is live
    counting, sent with no position, so a read route of the projection does not carry it."""
    return {name: part for name, part in parts.items() if name != "reactions"}
