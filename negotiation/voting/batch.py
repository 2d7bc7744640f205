"""Group commit of ballots: the casts waiting on one vote are saved together, each answered alone.

Every ballot of a vote appends to the vote's one stream, so casts serialize on its lock; saved one
per transaction, a vote accepts only as many ballots per second as it can take the lock, load,
save and commit (≈ 5 ms each: bench/ballots.py). Here a cast whose proofs have verified (outside
any lock) joins its vote's queue; the first caller to get the vote's batch lock takes every
waiting cast, once it holds this process's lock on the vote, and saves them with one vote lock, one
transaction and one WAL flush; the callers that queued meanwhile find their answer ready, or
lead the next batch.

A batch never holds two casts that could refuse each other (the same credential, a shared
ciphertext): the later one waits for the next batch, where it is decided against what the
first one stored — so under any number of simultaneous attempts with one credential the first
is saved and every other is refused as a second ballot, exactly as one at a time.

What is saved together is decided by arrival, never by who the member is, and all of a batch's
ballots are stored in one commit: batching adds no timing that links a member to a ballot.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
BATCH_LIMIT = 256  # casts per transaction: a bound on the lock's hold time, not a tuning knob


@dataclass(eq=False)
class Pending:
    """One cast waiting for its batch: what it claims (its credential, its ciphertexts) and,
    once its batch is saved, its own outcome (the tracking code, or its refusal)."""

    claims: frozenset[bytes]
    payload: object
    code: bytes | None = None
    error: BaseException | None = None
    done: bool = False

    def outcome(self) -> bytes:
        if self.error is not None:
            raise self.error
        assert self.code is not None
        return self.code


@dataclass
class _Queue:
    lock: threading.Lock = field(default_factory=threading.Lock)  # held by the batch's leader
    waiting: list[Pending] = field(default_factory=list)


class CastBatches(Generic[K]):
    """Per vote, the casts waiting to be saved, and the leader-takes-all loop that saves them.

    `save(key, take)` takes this process's lock on the vote, then calls `take()` for the
    batch — as late as it can, so every cast that arrived while it waited is in it — saves it in
    one transaction and sets each cast's `code` or `error`. If it raises, no cast of the batch
    has a code, and those it had not refused get its error.
    """

    def __init__(
        self,
        save: Callable[[K, Callable[[], list[Pending]]], None],
        limit: int = BATCH_LIMIT,
    ) -> None:
        self._save = save
        self._limit = limit
        self._guard = threading.Lock()  # guards the queues, held only to add or take
        self._queues: dict[K, _Queue] = {}

    def cast(self, key: K, pending: Pending) -> bytes:
        """Queue the cast and wait for its batch; returns its tracking code or raises its
        refusal."""
        with self._guard:
            queue = self._queues.setdefault(key, _Queue())
            queue.waiting.append(pending)
        while not pending.done:
            with queue.lock:
                if pending.done:  # an earlier leader's batch held it
                    break
                batch: list[Pending] = []
                take = functools.partial(self._take_once, queue, batch)
                try:
                    self._save(key, take)
                except Exception as failed:  # one transaction: nothing of the batch was stored
                    if not batch:  # it failed before taking: this cast is answered alone
                        with self._guard:
                            queue.waiting.remove(pending)
                        batch.append(pending)
                    for p in batch:
                        p.code = None
                        if p.error is None:
                            p.error = failed
                finally:
                    for p in batch:
                        p.done = True
        return pending.outcome()

    def _take_once(self, queue: _Queue, batch: list[Pending]) -> list[Pending]:
        if not batch:  # once: a retry of the save keeps its batch
            batch.extend(self._take(queue))
        return batch

    def _take(self, queue: _Queue) -> list[Pending]:
        """The waiting casts in arrival order, skipping any that shares a claim with one
        already taken (it stays first in line for the next batch)."""
        with self._guard:
            batch: list[Pending] = []
            left: list[Pending] = []
            claimed: set[bytes] = set()
            for p in queue.waiting:
                if len(batch) < self._limit and claimed.isdisjoint(p.claims):
                    batch.append(p)
                    claimed |= p.claims
                else:
                    left.append(p)
            queue.waiting = left
            return batch
