"""A report flushes what is buffered before it reads; when the background flush has just taken
the buffer and is still writing it, the report's flush waits for that write (the race that
once showed a merchant no carts at all on a busy PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

from adapters.clock import FixedClock
from application.actors import Actor, Role
from application.insights import InsightFigures, Insights


class SlowStore:
    """Writes only when the test lets it."""

    def __init__(self) -> None:
        self.rows: list[Any] = []
        self.writing, self.go_on = threading.Event(), threading.Event()

    def add(self, sightings: Any) -> None:
        self.writing.set()
        assert self.go_on.wait(5)
        self.rows.extend(sightings)

    def forget_before(self, day: date) -> int:
        return 0

    def figures(self, merchant_id: UUID, first: date, last: date) -> InsightFigures:
        return InsightFigures([], [], [])


def test_a_flush_returns_only_once_what_another_flush_took_is_written() -> None:
    store = SlowStore()
    insights = Insights(store, FixedClock(datetime(2026, 11, 28, tzinfo=UTC)),
                        lambda ids: dict.fromkeys(ids, "J8X"))
    insights.saw(Actor(Role.CONSUMER, subject=str(uuid4())), "add_to_cart", [uuid4()])
    background = threading.Thread(target=insights.flush)
    background.start()
    assert store.writing.wait(5)  # the background flush holds the batch, mid-write

    report_flushed = threading.Event()
    threading.Thread(target=lambda: (insights.flush(), report_flushed.set())).start()
    assert not report_flushed.wait(0.3)  # it waits for the write in flight...
    store.go_on.set()
    assert report_flushed.wait(5)
    assert len(store.rows) == 1  # ...and then what it reads holds it
    background.join()


def test_a_flush_asks_the_regions_of_all_its_shoppers_at_once() -> None:
    """A second's flush under load names a hundred shoppers: their regions are read together,
    each sighting lands in its shopper's region, an unknown one (no postal code, or gone) in
    "unknown", and an anonymous visit asks nothing."""
    store, asked = SlowStore(), []
    store.go_on.set()
    gatineau, nowhere, gone = uuid4(), uuid4(), uuid4()

    def regions_of(ids: set[UUID]) -> dict[UUID, str | None]:
        asked.append(set(ids))
        return {i: {gatineau: "J8X"}.get(i) for i in ids if i != gone}

    insights = Insights(store, FixedClock(datetime(2026, 11, 28, tzinfo=UTC)), regions_of)
    merchant = uuid4()
    for shopper in (gatineau, nowhere, gone, gatineau):
        insights.saw(Actor(Role.CONSUMER, subject=str(shopper)), "add_to_cart", [merchant])
    insights.saw(Actor(Role.ANONYMOUS, subject=""), "add_to_cart", [merchant])
    assert insights.flush() == 5
    assert asked == [{gatineau, nowhere, gone}]
    assert sorted((row.consumer_id == gatineau, row.region) for row in store.rows) == [
        (False, "unknown"), (False, "unknown"), (False, "unknown"), (True, "J8X"), (True, "J8X")]
