"""The stores behind the vote and the negotiation: one command path, what a failed save leaves."""

from __future__ import annotations

from typing import Any

import pytest

from negotiation.application import Negotiations
from tests.support import open_table_in
from tests.unit.builders import EMPLOYER_CHIEF, UNION_CHIEF


def test_a_save_that_fails_in_the_store_leaves_no_unsaved_event_in_the_cache(
    monkeypatch: pytest.MonkeyPatch,
):
    # Votes and Negotiations share the command path (SerializedApplication._act); the votes'
    # recorder refuses a second ballot inside the save, a lost connection fails the same way.
    app = Negotiations(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    negotiation_id, _ = open_table_in(app, UNION_CHIEF, EMPLOYER_CHIEF, "Cache")
    stored = app.read(negotiation_id, lambda n: (n.version, len(n.state.articles)))

    def lost(*args: Any, **kwargs: Any) -> None:
        raise OSError("the database connection was lost")

    monkeypatch.setattr(app.recorder, "insert_events", lost)
    with pytest.raises(OSError):
        app.open_article(
            negotiation_id, UNION_CHIEF, number="7", title="Wages", category="economic"
        )
    monkeypatch.undo()
    assert app.read(negotiation_id, lambda n: (n.version, len(n.state.articles))) == stored
