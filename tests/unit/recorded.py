"""An aggregate's new events as the read side reads them: stored by the project's transcoder,
decoded from their row, numbered in log order (for tests that fold boards without a database)."""

from __future__ import annotations

from itertools import count
from typing import Any

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import Mapper

from negotiation.transcoder import MsgspecTranscoder
from projections.events import RecordedEvent, decode_row


class EventLog:
    """One log's positions: each `take` continues where the last one ended."""

    def __init__(self) -> None:
        self._mapper: Mapper[Any] = Mapper(transcoder=MsgspecTranscoder())
        self._positions = count(1)

    def take(self, aggregate: Aggregate) -> list[RecordedEvent]:
        """The aggregate's events since the last call, as rows of the log."""
        recorded = []
        for domain_event in aggregate.collect_events():
            stored = self._mapper.to_stored_event(domain_event)
            row = (
                next(self._positions),
                stored.originator_id,
                stored.originator_version,
                stored.topic,
                stored.state,
            )
            recorded.append(decode_row(row))
        return recorded
