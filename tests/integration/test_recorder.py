"""The one-round-trip recorder: it saves what the library's recorder saves, and a losing save
is a conflict the application can retry, leaving the table lock and the connection free.
Saves made while another is being written are committed together, in one transaction, each
caller with its own positions and its own refusal.

The probe events here are not negotiation events, so they go to a database of their own (the
session database's log is followed by the server under test)."""

import threading
import time
from collections.abc import Callable, Iterator
from uuid import UUID, uuid4

import psycopg
import pytest
from eventsourcing.persistence import Notification, RecordConflictError, StoredEvent

from negotiation.application import LOCK_STRIPES, Negotiations
from negotiation.database import DatabaseConfig, drop_database, ensure_database_exists
from negotiation.domain import commands as c
from negotiation.domain.ground_rules import GroundRules
from negotiation.recorder import OneTripRecorder
from tests.unit.builders import EMPLOYER_CHIEF, UNION_CHIEF


@pytest.fixture(scope="module")
def own_database(database: DatabaseConfig) -> Iterator[DatabaseConfig]:
    own = database.with_dbname(f"test_recorder_{uuid4().hex[:12]}")
    ensure_database_exists(own)
    yield own
    drop_database(own)


@pytest.fixture(scope="module")
def negotiations(own_database: DatabaseConfig) -> Iterator[Negotiations]:
    app = Negotiations(env=own_database.eventsourcing_env())
    try:
        yield app
    finally:
        app.close()


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


# ---------------------------------------------------------------------- group commit
def _connect(config: DatabaseConfig) -> psycopg.Connection:
    return psycopg.connect(
        host=config.host, port=config.port, dbname=config.dbname, user=config.user,
        password=config.password,
    )


def _until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 30
    while not condition():
        assert time.monotonic() < deadline, "the savers did not get there"
        time.sleep(0.005)


class Saver(threading.Thread):
    """Runs `save` (which returns positions) in a thread of its own, keeping what it got."""

    def __init__(self, save: Callable[[], list[int]], events: list[StoredEvent]) -> None:
        super().__init__(daemon=True)
        self.save, self.events = save, events
        self.ids: list[int] | None = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.ids = self.save()
        except BaseException as error:
            self.error = error


def _inserting(recorder: OneTripRecorder, events: list[StoredEvent]) -> Saver:
    return Saver(lambda: list(recorder.insert_events(events) or []), events)


def _grouped(config: DatabaseConfig, recorder: OneTripRecorder, savers: list[Saver]) -> Saver:
    """A first save that waits for the table lock (held here), then `savers`, which queue
    behind it: when the lock is let go, they are written as a group. Returns the first."""
    first = _inserting(recorder, [_event(uuid4(), 1)])
    with _connect(config) as holder:
        holder.execute("LOCK TABLE negotiations_events IN EXCLUSIVE MODE")
        first.start()
        _until(lambda: recorder._writing and not recorder._queue)  # it writes, alone
        for saver in savers:
            saver.start()
        _until(lambda: len(recorder._queue) == len(savers))
    for saver in [first, *savers]:
        saver.join(30)
        assert not saver.is_alive()
    assert first.ids is not None
    return first


def _transactions(config: DatabaseConfig, originators: list[UUID]) -> set[str]:
    with _connect(config) as conn:
        rows = conn.execute(
            "SELECT DISTINCT xmin::text FROM negotiations_events WHERE originator_id = ANY(%s)",
            (originators,),
        ).fetchall()
    return {row[0] for row in rows}


def test_concurrent_saves_share_one_commit_and_each_caller_gets_its_own_positions(
    negotiations: Negotiations, own_database: DatabaseConfig
) -> None:
    recorder = negotiations.recorder
    told: list[list[Notification]] = []
    recorder.on_committed(told.append)
    originators = [uuid4() for _ in range(12)]
    saves = [
        [_event(originator, version) for version in range(1, 1 + n % 3 + 1)]
        for n, originator in enumerate(originators)
    ]
    savers = [_inserting(recorder, events) for events in saves]
    first = _grouped(own_database, recorder, savers)

    # One transaction wrote all twelve saves (the first save had one of its own).
    assert len(_transactions(own_database, originators)) == 1
    # Each caller's positions are its own events', consecutive and in order; together with
    # the first save's they are gapless and in queue (= commit) order.
    for saver in savers:
        assert saver.error is None and saver.ids is not None
        assert len(saver.ids) == len(saver.events)
        stored = recorder.select_notifications(saver.ids[0], limit=len(saver.ids))
        assert [(n.id, n.originator_id, n.originator_version, n.state) for n in stored] == [
            (i, e.originator_id, e.originator_version, e.state)
            for i, e in zip(saver.ids, saver.events, strict=True)
        ]
    positions = first.ids + [i for saver in savers for i in saver.ids or []]
    assert positions == list(range(positions[0], positions[0] + len(positions)))
    # The listener heard of the two commits in commit order, every event once.
    heard = [n.id for group in told[-2:] for n in group]
    assert [len(group) for group in told[-2:]] == [1, len(positions) - 1]
    assert heard == positions


def test_a_save_that_lost_to_a_stored_version_fails_alone_in_its_group(
    negotiations: Negotiations, own_database: DatabaseConfig
) -> None:
    recorder = negotiations.recorder
    taken, half_taken = uuid4(), uuid4()
    recorder.insert_events([_event(taken, 1)])
    recorder.insert_events([_event(half_taken, 1), _event(half_taken, 2)])
    winners = [uuid4() for _ in range(4)]
    saves = [
        [_event(winners[0], 1)],
        [_event(taken, 1)],  # another writer saved version 1 first
        [_event(winners[1], 1), _event(winners[1], 2)],
        [_event(half_taken, 3), _event(half_taken, 2)],  # its second event is stored already
        [_event(winners[2], 1)],
        [_event(winners[3], 1)],
    ]
    savers = [_inserting(recorder, events) for events in saves]
    _grouped(own_database, recorder, savers)

    losers = [savers[1], savers[3]]
    for loser in losers:
        assert isinstance(loser.error, RecordConflictError) and loser.ids is None
    others = [saver for saver in savers if saver not in losers]
    for saver in others:
        assert saver.error is None and saver.ids is not None
    # The others were still written together, gapless; nothing of the losers was stored.
    assert len(_transactions(own_database, winners)) == 1
    positions = [i for saver in others for i in saver.ids or []]
    assert positions == list(range(positions[0], positions[0] + len(positions)))
    assert [e.originator_version for e in recorder.select_events(taken)] == [1]
    assert [e.originator_version for e in recorder.select_events(half_taken)] == [1, 2]


def test_two_saves_of_one_event_in_a_group_the_first_queued_wins(
    negotiations: Negotiations, own_database: DatabaseConfig
) -> None:
    recorder = negotiations.recorder
    contested, others = uuid4(), [uuid4(), uuid4()]
    saves = [
        [_event(others[0], 1)],
        [_event(contested, 1)],
        [_event(contested, 1)],
        [_event(others[1], 1)],
    ]
    savers = [_inserting(recorder, events) for events in saves]
    _grouped(own_database, recorder, savers)

    assert savers[1].ids is not None and isinstance(savers[2].error, RecordConflictError)
    for saver in (savers[0], savers[3]):
        assert saver.error is None and saver.ids is not None
    stored = recorder.select_events(contested)
    assert [(e.originator_version, e.state) for e in stored] == [(1, savers[1].events[0].state)]


def test_commands_on_different_negotiations_at_once_are_saved_in_one_commit(
    negotiations: Negotiations, own_database: DatabaseConfig
) -> None:
    # Negotiations on different stripes of the command lock: their commands run side by side.
    opened: dict[int, UUID] = {}
    while len(opened) < 6:
        negotiation_id = negotiations.open_negotiation(
            UNION_CHIEF, title="Contract", kind="collective_bargaining", bargaining_unit="Unit",
            union_name="Union", employer_name="District", opener_party="union",
            other_chief=EMPLOYER_CHIEF,
        )
        opened.setdefault(negotiation_id.int % LOCK_STRIPES, negotiation_id)
    ids = list(opened.values())

    def propose_ground_rules(negotiation_id: UUID) -> Saver:
        command = c.ProposeGroundRules(rules=GroundRules())
        return Saver(
            lambda: [negotiations.execute(negotiation_id, UNION_CHIEF, command).position], []
        )

    savers = [propose_ground_rules(negotiation_id) for negotiation_id in ids]
    _grouped(own_database, negotiations.recorder, savers)

    with _connect(own_database) as conn:
        (rows,) = conn.execute(
            "SELECT count(DISTINCT xmin::text) FROM negotiations_events "
            "WHERE originator_id = ANY(%s) AND originator_version = 2",
            (ids,),
        ).fetchone()
    assert rows == 1  # their proposals were saved in one commit
    for negotiation_id, saver in zip(ids, savers, strict=True):
        assert saver.error is None and saver.ids is not None
        (recorded,) = negotiations.recorder.select_notifications(saver.ids[0], limit=1)
        assert (recorded.originator_id, recorded.originator_version) == (negotiation_id, 2)
        assert recorded.topic.endswith("GroundRulesProposed")


def test_each_commit_notifies_the_log_position_it_reached(
    negotiations: Negotiations, own_database: DatabaseConfig
) -> None:
    recorder = negotiations.recorder
    with _connect(own_database) as listener:
        listener.autocommit = True
        listener.execute("LISTEN negotiations_events")
        ids = recorder.insert_events([_event(uuid4(), 1), _event(uuid4(), 1)])
        (notify,) = listener.notifies(timeout=10, stop_after=1)
    assert ids is not None and notify.payload == str(ids[-1])
