"""The index of negotiations with their sessions (upcoming, live, past): public status only.

Each negotiation's entry is kept beside its board document (board_docs.summary, see
`projections.board_store.negotiation_index`), small, so listing every negotiation never decodes
a board.
"""

from __future__ import annotations

from datetime import datetime

import msgspec

from projections.board import Board

ENTRY_ENCODER = msgspec.msgpack.Encoder()


class IndexSession(msgspec.Struct, frozen=True):
    session_id: str
    number: int
    title: str
    visibility: str
    status: str  # scheduled, open, recessed, closed: public even for closed sessions
    starts_at: datetime
    opened_at: datetime | None
    closed_at: datetime | None


class IndexEntry(msgspec.Struct, frozen=True):
    negotiation_id: str
    title: str
    kind: str
    bargaining_unit: str
    union_name: str
    employer_name: str
    opened_at: datetime
    articles_total: int = 0
    articles_agreed: int = 0
    upcoming: list[IndexSession] = msgspec.field(default_factory=list)
    live: list[IndexSession] = msgspec.field(default_factory=list)
    past: list[IndexSession] = msgspec.field(default_factory=list)


ENTRY_DECODER = msgspec.msgpack.Decoder(IndexEntry)


def index_entry(board: Board) -> IndexEntry:
    sessions = sorted(board.sessions.values(), key=lambda s: (s.starts_at, s.number))
    listed = [
        IndexSession(
            session_id=s.session_id,
            number=s.number,
            title=s.title,
            visibility=s.visibility,
            status=s.status,
            starts_at=s.starts_at,
            opened_at=s.opened_at,
            closed_at=s.closed_at,
        )
        for s in sessions
    ]
    statuses = [a.status for a in board.articles.values()]
    return IndexEntry(
        negotiation_id=board.negotiation_id,
        title=board.title,
        kind=board.kind,
        bargaining_unit=board.bargaining_unit,
        union_name=board.union_name,
        employer_name=board.employer_name,
        opened_at=board.opened_at,
        articles_total=len(statuses),
        articles_agreed=statuses.count("agreed"),
        upcoming=[s for s in listed if s.status == "scheduled"],
        live=[s for s in listed if s.status in ("open", "recessed")],
        past=[s for s in listed if s.status == "closed"],
    )
