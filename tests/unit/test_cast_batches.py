"""The ballots' group commit (negotiation/voting/batch.py): who goes in a batch, who waits, and
that every caller gets its own outcome."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from negotiation.domain import errors
from negotiation.voting.batch import CastBatches, Pending


class Saver:
    """A stand-in for Voting.cast_batch: the first save waits until released, so the casts
    that arrive meanwhile are all waiting when the next leader takes its batch."""

    def __init__(self, refuse: bytes = b"") -> None:
        self.batches: list[list[bytes]] = []
        self.first_started = threading.Event()
        self.release = threading.Event()
        self.refuse = refuse

    def save(self, key: str, take: Callable[[], list[Pending]]) -> None:
        batch = take()
        if not self.batches:
            self.first_started.set()
            self.release.wait()
        self.batches.append([name(p) for p in batch])
        for p in batch:
            if name(p) == self.refuse:
                p.error = errors.SecondBallot("spent")
            else:
                p.code = b"code-" + name(p)


def name(pending: Pending) -> bytes:
    assert isinstance(pending.payload, bytes)
    return pending.payload


def cast_in_thread(
    batches: CastBatches[str], name: bytes, claims: set[bytes], out: dict[bytes, object]
) -> threading.Thread:
    def run() -> None:
        try:
            out[name] = batches.cast("vote", Pending(frozenset(claims), name))
        except errors.NegotiationError as refused:
            out[name] = refused

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def waiting(batches: CastBatches[str]) -> int:
    with batches._guard:
        queue = batches._queues.get("vote")
        return len(queue.waiting) if queue else 0


def wait_until(condition: Callable[[], bool]) -> None:
    done = threading.Event()
    while not condition():
        done.wait(0.005)


def test_casts_that_arrive_during_a_save_go_together_and_each_gets_its_own_answer():
    saver = Saver(refuse=b"spent")
    batches: CastBatches[str] = CastBatches(saver.save)
    out: dict[bytes, object] = {}
    threads = [cast_in_thread(batches, b"first", {b"c1"}, out)]
    saver.first_started.wait()
    for name, claims in [
        (b"a", {b"c2", b"x2"}),
        (b"spent", {b"c3"}),
        (b"b", {b"c4", b"x4"}),
    ]:
        threads.append(cast_in_thread(batches, name, claims, out))
    wait_until(lambda: waiting(batches) == 3)
    saver.release.set()
    for t in threads:
        t.join()
    assert [sorted(b) for b in saver.batches] == [[b"first"], [b"a", b"b", b"spent"]]
    assert out[b"first"] == b"code-first"
    assert out[b"a"] == b"code-a" and out[b"b"] == b"code-b"
    assert isinstance(out[b"spent"], errors.SecondBallot)  # refused alone


def test_two_casts_with_one_credential_never_share_a_batch():
    saver = Saver()
    batches: CastBatches[str] = CastBatches(saver.save)
    out: dict[bytes, object] = {}
    threads = [cast_in_thread(batches, b"first", {b"c1"}, out)]
    saver.first_started.wait()
    threads.append(cast_in_thread(batches, b"m9-once", {b"c9", b"x1"}, out))
    wait_until(lambda: waiting(batches) == 1)
    threads.append(cast_in_thread(batches, b"m9-twice", {b"c9", b"x2"}, out))  # same credential
    wait_until(lambda: waiting(batches) == 2)
    threads.append(cast_in_thread(batches, b"copy", {b"c5", b"x1"}, out))  # same ciphertext
    threads.append(cast_in_thread(batches, b"other", {b"c6", b"x6"}, out))
    wait_until(lambda: waiting(batches) == 4)
    saver.release.set()
    for t in threads:
        t.join()
    # The later claimants wait for the next batch, decided against what the first stored.
    assert saver.batches == [[b"first"], [b"m9-once", b"other"], [b"m9-twice", b"copy"]]


def test_a_failed_save_fails_its_whole_batch_and_no_cast_keeps_a_code():
    def broken(key: str, take: Callable[[], list[Pending]]) -> None:
        for p in take():
            p.code = b"not stored"
        raise errors.StaleWrite("the database went away")

    batches: CastBatches[str] = CastBatches(broken)
    pending = Pending(frozenset({b"c1"}), b"one")
    with pytest.raises(errors.StaleWrite):
        batches.cast("vote", pending)
    assert pending.code is None
    assert waiting(batches) == 0


def test_a_save_that_fails_before_taking_answers_its_own_cast():
    def unreachable(key: str, take: Callable[[], list[Pending]]) -> None:
        raise errors.NotFound("No vote.")

    batches: CastBatches[str] = CastBatches(unreachable)
    with pytest.raises(errors.NotFound):
        batches.cast("vote", Pending(frozenset({b"c1"}), b"one"))
    assert waiting(batches) == 0
