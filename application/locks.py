"""In-process serialisation of writers to the same aggregates.

Optimistic concurrency keeps the log correct across processes; within one process, threads
that would only collide and retry wait their turn instead. Locks are taken in id order, so
that two commands over overlapping sets of aggregates cannot deadlock.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from uuid import UUID


class AggregateLocks:
    """One per process, shared by every service."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[UUID, tuple[threading.Lock, int]] = {}
        self._mine = threading.local()  # the ids this thread holds

    @contextmanager
    def hold(self, ids: Iterable[UUID], between_processes: bool = True) -> Iterator[None]:
        """`between_processes`: also wait for other processes, where a subclass can
        (adapters/advisory_locks.py); these locks are this process's alone."""
        ordered = sorted(set(ids))
        mine: frozenset[UUID] = getattr(self._mine, "ids", frozenset())
        if again := mine.intersection(ordered):
            # The thread would wait for itself (these locks are not reentrant): a write that
            # calls another write on the same aggregates, which must come after it instead.
            raise RuntimeError(f"aggregates already held by this thread: {sorted(again)}")
        with ExitStack() as stack:
            for aggregate_id in ordered:
                lock = self._use(aggregate_id)
                stack.callback(self._release, aggregate_id)
                lock.acquire()
                stack.callback(lock.release)
            self._mine.ids = mine.union(ordered)
            stack.callback(setattr, self._mine, "ids", mine)
            yield

    def _use(self, aggregate_id: UUID) -> threading.Lock:
        with self._guard:
            lock, users = self._locks.get(aggregate_id, (threading.Lock(), 0))
            self._locks[aggregate_id] = (lock, users + 1)
            return lock

    def _release(self, aggregate_id: UUID) -> None:
        with self._guard:
            lock, users = self._locks[aggregate_id]
            if users == 1:
                del self._locks[aggregate_id]
            else:
                self._locks[aggregate_id] = (lock, users - 1)

    def __len__(self) -> int:
        return len(self._locks)
