"""The process's writers' locks: one order for everyone, and a clear error, not a hang, for
a thread that asks again for what it holds."""

from __future__ import annotations

import threading
from uuid import uuid4

import pytest

from application.locks import AggregateLocks


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
