"""The process's writers' locks: one order for everyone, and a clear error, not a hang, for
a thread that asks again for what it holds."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from unittest.mock import patch
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import IntegrityError

from application.app import Comptoir
from application.locks import AggregateLocks
from application.service import Service


def test_a_thread_asking_again_for_an_aggregate_it_holds_is_told_instead_of_waiting_forever(
) -> None:
    locks, listing, order = AggregateLocks(), uuid4(), uuid4()
    with locks.hold([order, listing]):
        with pytest.raises(RuntimeError, match="already held by this thread"), \
                locks.hold([listing]):
            pass
        with locks.hold([uuid4()]):  # others are fine, and so is the same one afterwards
            pass
    with locks.hold([listing]):
        assert len(locks) == 1
    assert len(locks) == 0


def test_another_thread_waits_for_the_holder() -> None:
    locks, listing = AggregateLocks(), uuid4()
    order: list[str] = []
    held = threading.Event()

    def first() -> None:
        with locks.hold([listing]):
            held.set()
            threading.Event().wait(0.1)
            order.append("first")

    thread = threading.Thread(target=first)
    thread.start()
    assert held.wait(5)
    with locks.hold([listing]):
        order.append("second")
    thread.join()
    assert order == ["first", "second"]


class RecordedLocks(AggregateLocks):
    """The process's locks, noting whether each hold also waited for other processes."""

    def __init__(self) -> None:
        super().__init__()
        self.between_processes: list[bool] = []

    @contextmanager
    def hold(self, ids: Iterable[UUID], between_processes: bool = True) -> Iterator[None]:
        self.between_processes.append(between_processes)
        with super().hold(ids):
            yield


@pytest.mark.parametrize(("rarely_contended", "expected"), [
    (False, [True, True]),  # a hot aggregate: every attempt waits for every process
    (True, [False, True]),  # optimistic first; after a conflict, wait for the others too
])
def test_a_rarely_contended_write_waits_for_other_processes_only_after_a_conflict(
    memory_app: Comptoir, rarely_contended: bool, expected: list[bool],
) -> None:
    locks = RecordedLocks()
    service = Service(memory_app, locks=locks)
    attempts = iter([IntegrityError("another writer got there first"), None])

    def attempt() -> str:
        if (conflict := next(attempts)) is not None:
            raise conflict
        return "saved"

    with patch("application.service.time.sleep"):
        assert service.retrying(attempt, [uuid4()], rarely_contended=rarely_contended) == \
            "saved"
    assert locks.between_processes == expected
