"""Writers to the same aggregates in two processes wait for each other on PostgreSQL
(adapters/advisory_locks.py): two lock sets with their own pools stand for two processes."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import IntegrityError

from adapters import advisory_locks
from adapters.advisory_locks import AdvisoryAggregateLocks
from tests.conftest import postgres_dsn


def two_processes() -> tuple[AdvisoryAggregateLocks, AdvisoryAggregateLocks]:
    dsn = postgres_dsn()
    return (advisory_locks.advisory_locks(dsn, 4, timeout=10),
            advisory_locks.advisory_locks(dsn, 4, timeout=10))


@contextmanager
def held_by(locks: AdvisoryAggregateLocks, aggregate_id: UUID) -> Iterator[None]:
    """Another process's writer holds the aggregate until the block ends."""
    inside, release = threading.Event(), threading.Event()

    def holding() -> None:
        with locks.hold([aggregate_id]):
            inside.set()
            release.wait(5)

    thread = threading.Thread(target=holding)
    thread.start()
    assert inside.wait(5)
    try:
        yield
    finally:
        release.set()
        thread.join()


def test_a_writer_waits_for_another_process_writing_the_same_aggregate() -> None:
    first, second = two_processes()
    listing, other = uuid4(), uuid4()
    inside, order = threading.Event(), []

    def writing_first() -> None:
        with first.hold([other, listing]):
            inside.set()
            time.sleep(0.3)
            order.append("first done")

    thread = threading.Thread(target=writing_first)
    thread.start()
    assert inside.wait(5)
    started = time.monotonic()
    with second.hold([uuid4()]):  # another aggregate: no wait
        assert time.monotonic() - started < 0.2
    with second.hold([listing]):
        order.append("second in")
    thread.join()
    assert order == ["first done", "second in"]
    with first.hold(i for i in [listing]):  # ids given once, as a generator: both kinds held
        assert len(first) == 1
    for locks in (first, second):
        locks.connections.close()


def test_a_writer_that_waits_too_long_fails_as_a_conflict(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(advisory_locks, "WAIT_AT_MOST", "100ms")
    first, second = two_processes()
    listing = uuid4()
    with held_by(first, listing), pytest.raises(IntegrityError), \
            second.hold([listing]):  # the use case then retries
        pytest.fail("entered while another process held the aggregate")
    with second.hold([listing]):  # released by the first's commit
        pass
    for locks in (first, second):
        locks.connections.close()


def test_a_write_that_asks_for_this_process_only_does_not_wait_for_another() -> None:
    first, second = two_processes()
    listing = uuid4()
    with held_by(first, listing):
        started = time.monotonic()
        with second.hold([listing], between_processes=False):  # the version check decides
            assert time.monotonic() - started < 0.2
    for locks in (first, second):
        locks.connections.close()
