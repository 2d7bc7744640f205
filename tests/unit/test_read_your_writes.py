"""Reads that name a position (`?after=`): answered once what they read from has it, refused
at once past the end of the log, and a clear 503 when this node stays behind."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.exceptions import ServiceUnavailableException, ValidationException

from web.controllers import reads


class Pool:
    """Answers the one query a read asks before it reads: the log's head."""

    def __init__(self, head: int) -> None:
        self.head = head

    async def fetchval(self, query: str, *args: Any) -> int:
        assert "max(notification_id)" in query
        return self.head


class Hub:
    def __init__(self, head: int, *, catches_up_to: int) -> None:
        self.head = head
        self.catches_up_to = catches_up_to
        self.waited_for: list[int] = []

    async def wait_for(self, position: int, timeout: float = 5.0) -> bool:
        self.waited_for.append(position)
        self.head = max(self.head, min(position, self.catches_up_to))
        return self.head >= position

    async def board(self, negotiation_id: str) -> Any:
        return f"board at {self.head}"


async def test_a_read_waits_for_the_position_it_names():
    hub = Hub(10, catches_up_to=100)
    board = await reads.board_at(hub, Pool(head=50), "n", after=42)  # type: ignore[arg-type]
    assert hub.waited_for == [42] and board == "board at 42"


async def test_a_read_without_a_position_waits_for_the_head_of_the_log():
    hub = Hub(10, catches_up_to=100)
    await reads.board_at(hub, Pool(head=50), "n", after=None)  # type: ignore[arg-type]
    assert hub.waited_for == [50]


async def test_a_node_that_has_the_position_does_not_wait():
    hub = Hub(60, catches_up_to=60)
    await reads.board_at(hub, Pool(head=60), "n", after=55)  # type: ignore[arg-type]
    assert hub.waited_for == []


async def test_a_node_that_stays_behind_answers_503_with_retry_after():
    hub = Hub(10, catches_up_to=20)
    with pytest.raises(ServiceUnavailableException) as refused:
        await reads.board_at(hub, Pool(head=50), "n", after=42)  # type: ignore[arg-type]
    assert refused.value.headers == {"Retry-After": "1"}
    assert "42" in refused.value.detail


async def test_a_position_past_the_end_of_the_log_is_refused_at_once():
    hub = Hub(50, catches_up_to=10**9)
    with pytest.raises(ValidationException) as refused:
        await reads.board_at(hub, Pool(head=50), "n", after=51)  # type: ignore[arg-type]
    assert hub.waited_for == []
    assert "past the end of the log" in refused.value.detail
