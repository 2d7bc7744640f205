"""Who may read each audit entry: its visibility label, asked of negotiation.domain.visibility
and fixed when the event is recorded."""

from __future__ import annotations

from negotiation.domain.visibility import (
    EVENT_SCOPES,
    IN_RUNNING_SESSION,
    AuditLabel,
    event_label,
)
from projections.board import Board
from projections.events import RecordedEvent


def placement(
    event: RecordedEvent, board: Board
) -> tuple[str | None, str | None, AuditLabel, bool]:
    """(article id, session id, visibility label, follows its session) for one event."""
    data = event.data
    kind = event.type
    article_id: str | None = data.get("article_id")
    session_id: str | None = data.get("session_id")
    if kind == "DraftRevised":
        draft = board.drafts.get(data.get("draft_id", ""))
        article_id = draft.article_id if draft is not None else None
    party = event.by.get("party")
    if EVENT_SCOPES.get(kind, "session") != "session":
        return article_id, session_id, event_label(kind, party, None), False
    if kind in IN_RUNNING_SESSION and session_id is None and not event.by.get("in_writing"):
        running = board.running_session()
        session_id = running.session_id if running is not None else None
    # The board has folded this event, in log order: the session's visibility is its own
    # at the moment the event was recorded.
    session = board.sessions.get(session_id or "")
    if session is None:
        return article_id, session_id, event_label(kind, party, None), False  # in writing
    return article_id, session_id, event_label(kind, party, session.visibility), True
