"""The one-round-trip recorder: it saves what the library's recorder saves, and a losing save
is a conflict the application can retry, leaving the table lock and the connection free.

The probe events here are not negotiation events, so they go to a database of their own (the
session database's log is followed by the server under test)."""

import threading
from collections.abc import Iterator
from uuid import uuid4

import pytest
from eventsourcing.persistence import RecordConflictError, StoredEvent

from negotiation.application import Negotiations
from negotiation.database import DatabaseConfig, drop_database, ensure_database_exists
from negotiation.recorder import OneTripRecorder


@pytest.fixture(scope="module")
def negotiations(database: DatabaseConfig) -> Iterator[Negotiations]:
    own = database.with_dbname(f"test_recorder_{uuid4().hex[:12]}")
    ensure_database_exists(own)
    app = Negotiations(env=own.eventsourcing_env())
    try:
        yield app
    finally:
        app.close()
        drop_database(own)


def _event(originator_id, version: int) -> StoredEvent:
    return StoredEvent(
        originator_id=originator_id, originator_version=version, topic="tests:Probe 'quoted'",
        state=bytes([0, 39, 92, version]) + "é;\\x00".encode(),  # NUL, quote, backslash
    )


def test_the_application_saves_through_the_one_trip_recorder(negotiations: Negotiations) -> None:
    assert isinstance(negotiations.recorder, OneTripRecorder)


def test_a_batch_is_recorded_in_order_with_consecutive_positions(
    negotiations: Negotiations,
) -> None:
    recorder = negotiations.recorder
    originator = uuid4()
    ids = recorder.insert_events([_event(originator, 1), _event(originator, 2)])
    assert ids is not None and len(ids) == 2 and ids[1] == ids[0] + 1
    stored = recorder.select_events(originator)
    assert stored == [_event(originator, 1), _event(originator, 2)]  # the very same bytes
    notifications = recorder.select_notifications(ids[0], limit=2)
    assert [n.id for n in notifications] == ids


def test_a_losing_save_is_a_conflict_and_leaves_the_store_writable(
    negotiations: Negotiations,
) -> None:
    recorder = negotiations.recorder
    originator = uuid4()
    recorder.insert_events([_event(originator, 1)])
    # Given another writer saved version 2 first, when this one saves its version 2
    recorder.insert_events([_event(originator, 2)])
    with pytest.raises(RecordConflictError):
        recorder.insert_events([_event(originator, 2)])
    # Then nothing of the losing batch is stored, and the table lock is free again: saves
    # from other threads (other connections of the pool) go through
    done: list[object] = []
    others = [
        threading.Thread(target=lambda: done.append(recorder.insert_events([_event(uuid4(), 1)])))
        for _ in range(4)
    ]
    for thread in others:
        thread.start()
    for thread in others:
        thread.join(30)
    assert len(done) == 4
    assert [e.originator_version for e in recorder.select_events(originator)] == [1, 2]
    recorder.insert_events([_event(originator, 3)])
    assert [e.originator_version for e in recorder.select_events(originator)] == [1, 2, 3]
