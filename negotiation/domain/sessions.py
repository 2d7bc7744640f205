"""Sessions at the table: schedule, state while running, private team notes and bulletins."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec

from negotiation.domain.actors import Party
from negotiation.domain.ground_rules import Visibility

SessionStatus = Literal["scheduled", "open", "recessed", "closed"]


class Caucus(msgspec.Struct):
    party: Party
    called_at: datetime
    called_by: str


class Bulletin(msgspec.Struct):
    party: Party
    text: str
    published_at: datetime
    published_by: str


class Session(msgspec.Struct):
    session_id: str
    number: int
    title: str
    visibility: Visibility
    location: str
    starts_at: datetime
    capacity: int | None = None
    livestream_url: str | None = None
    languages: tuple[str, ...] = ()
    status: SessionStatus = "scheduled"
    opened_at: datetime | None = None
    closed_at: datetime | None = None
    agenda: list[str] = msgspec.field(default_factory=list)
    article_on_table: str | None = None
    caucus: Caucus | None = None
    attendance: int | None = None
    bulletins: list[Bulletin] = msgspec.field(default_factory=list)

    @property
    def running(self) -> bool:
        return self.status in ("open", "recessed")


class TeamNote(msgspec.Struct):
    note_id: str
    party: Party
    text: str
    recorded_at: datetime
    recorded_by: str
    session_id: str | None = None
    article_id: str | None = None
