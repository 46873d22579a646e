"""A merchant's insight report reads its counters in one snapshot: sightings flushed by
another process between two of its reads would make the regions and the whole days disagree
(on PostgreSQL each statement of a READ COMMITTED transaction sees the latest commits)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any
from uuid import uuid4

import pytest

from api.container import Container
from application.insights import Sighting
from tests.support import AfterFirstStatement

DAY = date(2026, 11, 23)


def test_the_counters_of_a_report_come_from_one_snapshot(
        container: Container, monkeypatch: pytest.MonkeyPatch) -> None:
    store = container.insights.store
    merchant_id = uuid4()

    def visits(n: int) -> list[Sighting]:
        return [Sighting(merchant_id, DAY, "listing_view", "J8X", uuid4()) for _ in range(n)]

    store.add(visits(6))
    real_transaction = store._transaction  # noqa: SLF001 - the seam the interleaving needs
    flushed = threading.Thread(target=store.add, args=(visits(4),))

    def another_flush() -> None:
        flushed.start()  # SQLite's one connection waits for the read; PostgreSQL's does not
        flushed.join(timeout=2)

    @contextmanager
    def interleaved(snapshot: bool = False) -> Iterator[Any]:
        with real_transaction(snapshot) as cursor:  # the flush's own transaction is left be
            yield AfterFirstStatement(cursor, another_flush) if snapshot else cursor

    monkeypatch.setattr(store, "_transaction", interleaved)
    counts, days, _ = store.figures(merchant_id, DAY, DAY)
    monkeypatch.undo()
    flushed.join(timeout=10)
    assert [(k, r, e, c) for _, k, r, e, c in counts] == [("listing_view", "J8X", 6, 6)]
    assert [(k, e, c) for _, k, e, c in days] == [("listing_view", 6, 6)]
    counts, days, _ = store.figures(merchant_id, DAY, DAY)  # the flush, seen next time
    assert [(k, r, e, c) for _, k, r, e, c in counts] == [("listing_view", "J8X", 10, 10)]
    assert [(k, e, c) for _, k, e, c in days] == [("listing_view", 10, 10)]


def test_a_batch_counts_what_the_same_sightings_count_one_by_one(container: Container) -> None:
    """A flush tallies its batch by cell before writing: the counters must be those of the
    sightings written one at a time."""
    store = container.insights.store
    anna, bruno = uuid4(), uuid4()

    def sightings(merchant_id: Any) -> list[Sighting]:
        seen = [("listing_view", "J8X", anna, None)] * 3 + [
            ("listing_view", "J8X", bruno, None), ("listing_view", "unknown", None, None),
            ("listing_view", "unknown", None, None), ("listing_view", "H2X", anna, None),
            ("search_impression", "J8X", anna, "sirop d'érable"),
            ("search_impression", "J8X", bruno, "sirop d'érable"),
            ("search_impression", "unknown", None, "sirop d'érable")]
        return [Sighting(merchant_id, DAY, kind, region, who, term)
                for kind, region, who, term in seen]

    one_by_one, batched = uuid4(), uuid4()
    for sighting in sightings(one_by_one):
        store.add([sighting])
    store.add(sightings(batched))
    expected = (
        [("listing_view", "H2X", 1, 1), ("listing_view", "J8X", 4, 2),
         ("listing_view", "unknown", 2, 0), ("search_impression", "J8X", 2, 2),
         ("search_impression", "unknown", 1, 0)],
        [("listing_view", 7, 2), ("search_impression", 3, 2)],
        [("sirop d'érable", 3, 2)])
    for merchant_id in (one_by_one, batched):
        counts, days, terms = store.figures(merchant_id, DAY, DAY)
        assert ([row[1:] for row in counts], [row[1:] for row in days],
                [row[1:] for row in terms]) == expected
