"""Sessions at the table: schedule, state while running, private team notes and bulletins."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec

from negotiation.domain import errors
from negotiation.domain.actors import Party
from negotiation.domain.ground_rules import Visibility

SessionStatus = Literal["scheduled", "open", "recessed", "closed"]


class Caucus(msgspec.Struct):
    party: Party
    called_at: datetime
    called_by: str

    def require_ended_by(self, party: Party) -> None:
        """Only the party that called a caucus (or the facilitator, not asked here) ends it."""
        if party != self.party:
            raise errors.NotPermitted(
                f"Only the {self.party} team, which called the caucus, or the facilitator can "
                "end it."
            )


class Bulletin(msgspec.Struct):
    party: Party
    text: str
    published_at: datetime
    published_by: str
    text_es: str | None = None  # the Spanish text, when the team published one


class Speaker(msgspec.Struct):
    """The custom lower third on air in a session: who is speaking, and as what."""

    name: str
    title: str
    on_air_at: datetime


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
    # Reactions: the article on the table's turn (1 for the first article brought this
    # session), and the turns that have left the table whose card totals are still to close,
    # by turn ("3") → article id. Closing removes the turn: totals close exactly once.
    table_turn: int = 0
    totals_due: dict[str, str] = msgspec.field(default_factory=dict)
    speaker: Speaker | None = None  # the custom lower third on air (overlays)

    def leave_table(self) -> None:
        """The article on the table leaves it: its turn's card totals are now due."""
        if self.article_on_table is not None:
            self.totals_due[str(self.table_turn)] = self.article_on_table
        self.article_on_table = None

    @property
    def running(self) -> bool:
        return self.status in ("open", "recessed")

    def require_at_table(self) -> None:
        """Acts across the table need this session open, neither in caucus nor in recess."""
        if self.caucus is not None:
            raise errors.NotAtTheTable(
                f"The {self.caucus.party} team is in caucus: nothing can be tabled, signed "
                "or withdrawn until the caucus ends."
            )
        if self.status == "recessed":
            raise errors.NotAtTheTable(
                "The session is in recess: resume it before acting across the table."
            )

    def require_caucus(self) -> Caucus:
        if self.caucus is None:
            raise errors.SessionConflict("No caucus is under way.")
        return self.caucus

    def require_not_closed(self) -> None:
        if self.status == "closed":
            raise errors.SessionConflict(f"Session {self.number} is closed.")

    def require_status(self, status: SessionStatus, refusal: str) -> None:
        if self.status != status:
            raise errors.SessionConflict(refusal)

    def require_taken_place(self, refusal: str) -> None:
        """Attendance and bulletins are about a session that has opened."""
        if self.status == "scheduled":
            raise errors.SessionConflict(refusal)


class TeamNote(msgspec.Struct):
    note_id: str
    party: Party
    text: str
    recorded_at: datetime
    recorded_by: str
    session_id: str | None = None
    article_id: str | None = None
