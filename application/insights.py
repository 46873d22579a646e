"""What merchants learn about their visitors: a permanent market study, private by construction.

Sightings (a fiche viewed, a listing viewed, a merchant shown in search results, an item added
to a cart, an order) are counted per merchant, day, kind and region — the first three
characters of the consumer's postal code, or "unknown" — with the number of distinct consumers
behind each count. They are NOT events of the log: the log is immutable and kept for years,
and a record of who looked at what has no place in it. They are buffered in memory and written
in batches by a background thread (at most about a second of counts is lost if the process
dies); the store keeps only counters (adapters/insights_store.py).

A merchant sees its figures with every group of fewer than K = 5 distinct consumers hidden:
- a day × region cell, or a day's total, shows only with at least 5 distinct consumers;
- over a date range, consumers are counted per day (a new salt each day: the same person on two
  days cannot be recognised), so a region's or a kind's range total shows only if, on at least
  one day of the range, 5 or more distinct consumers stood behind it — which proves at least 5
  people, never fewer;
- a search term shows only under the same rule;
- visits by people not signed in count as events in the "unknown" region; with no one to count,
  their cells show only when 5 distinct signed-in consumers are behind them too.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, NamedTuple, Protocol
from uuid import UUID

from application.actors import Actor, Role
from application.errors import NotFoundError, denied
from application.ports import Clock
from domain.errors import InvalidValueError

log = logging.getLogger("comptoir.insights")

K = 5  # the smallest group of distinct consumers a merchant may see
KINDS = ("fiche_view", "listing_view", "search_impression", "add_to_cart", "order")
HIDDEN = "< 5"
MAX_DAYS = 366


@dataclass(frozen=True)
class Sighting:
    merchant_id: UUID
    day: date
    kind: str
    region: str
    consumer_id: UUID | None  # only to count distinct consumers; never stored
    term: str | None = None  # the search words that showed the merchant


@dataclass(frozen=True)
class _Seen:
    """A sighting before its region is known (read at flush time)."""

    merchant_id: UUID
    day: date
    kind: str
    consumer_id: UUID | None
    term: str | None


class Sightings(Protocol):
    """Where use cases report what a person did (an item added, an order paid), once."""

    def saw(self, actor: Actor, kind: str, merchant_ids: Iterable[UUID],
            term: str | None = None) -> None: ...


class NoSightings:
    def saw(self, actor: Actor, kind: str, merchant_ids: Iterable[UUID],
            term: str | None = None) -> None:
        pass


class InsightFigures(NamedTuple):
    counts: list[tuple]  # (day, kind, region, events, consumers)
    days: list[tuple]  # (day, kind, events, consumers): a day's distinct consumers, all regions
    terms: list[tuple]  # (day, term, events, consumers)


class InsightsStore(Protocol):
    def add(self, sightings: Iterable[Sighting]) -> None: ...

    def forget_before(self, day: date) -> int: ...

    def figures(self, merchant_id: UUID, first: date, last: date) -> InsightFigures:
        """The range's counters, as one snapshot of the store."""


class Insights:
    def __init__(self, store: InsightsStore, clock: Clock,
                 regions_of: Callable[[set[UUID]], dict[UUID, str | None]],
                 flush_seconds: float = 1.0) -> None:
        self.store, self.clock, self.regions_of = store, clock, regions_of
        self.flush_seconds = flush_seconds
        self._pending: list[_Seen] = []
        self._lock = threading.Lock()
        self._flushing = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- recording (cheap: the request only appends to a list) ---------------------------

    def saw(self, actor: Actor, kind: str, merchant_ids: Iterable[UUID],
            term: str | None = None) -> None:
        consumer_id = UUID(actor.subject) if actor.role == Role.CONSUMER else None
        if actor.role not in (Role.CONSUMER, Role.ANONYMOUS):
            return  # merchants, staff and auditors looking are not market signals
        day = self.clock.now().date()
        words = " ".join(term.lower().split())[:60] if term else None
        with self._lock:
            self._pending.extend(_Seen(m, day, kind, consumer_id, words or None)
                                 for m in dict.fromkeys(merchant_ids))

    def flush(self) -> int:
        """Write what was seen since the last flush. Regions are read here, once per consumer
        and flush, from their profile as it is now: a shopper who gives a postal code is
        counted in its region from the next second on (no cache outlives a flush)."""
        # One flush at a time: a report's flush waits for the background one that took the
        # batch to have written it, and so reads it.
        with self._flushing:
            with self._lock:
                batch, self._pending = self._pending, []
            if not batch:
                return 0
            consumers = {s.consumer_id for s in batch if s.consumer_id is not None}
            regions = self.regions_of(consumers)
            self.store.add([Sighting(s.merchant_id, s.day, s.kind,
                                     regions.get(s.consumer_id) or "unknown",  # type: ignore[arg-type]
                                     s.consumer_id, s.term) for s in batch])
            return len(batch)

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="insights", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.flush()

    def _loop(self) -> None:
        while not self._stop.wait(self.flush_seconds):
            try:
                self.flush()
            except Exception:  # noqa: BLE001 - analytics never stop the process
                log.exception("insights: flush failed")

    def forget_past_days(self) -> int:
        """The daily job: yesterday's salted hashes and salt go; the counts stay."""
        return self.store.forget_before(self.clock.now().date())

    # -- reading, with small groups hidden ------------------------------------------------

    def report(self, actor: Actor, merchant_id: UUID, first: date | None,
               last: date | None) -> dict[str, Any]:
        if not actor.owns(merchant_id):
            if actor.is_anonymous:
                raise denied(True)
            raise NotFoundError("merchant")  # another's insight does not exist for you
        last = last or self.clock.now().date()
        first = first or last - timedelta(days=29)
        if first > last or (last - first).days >= MAX_DAYS:
            raise InvalidValueError("date_range_invalid", field="from", max_days=MAX_DAYS)
        self.flush()
        rows, whole_days, searched = self.store.figures(merchant_id, first, last)
        cells = [{"day": d, "kind": k, "region": r, **_shown(e, c)} for d, k, r, e, c in rows]
        days = _whole_days(rows, whole_days)
        by_day = _group(days, lambda d, k, r: (d, k), exact_distinct=True)
        by_region = _group(rows, lambda d, k, r: (r, k), exact_distinct=False)
        totals = _group(days, lambda d, k, r: (k,), exact_distinct=False)
        terms = _group([(d, "search_impression", t, e, c) for d, t, e, c in searched],
                       lambda d, k, t: (t,), exact_distinct=False)
        return {
            "merchant_id": str(merchant_id), "from": first.isoformat(), "to": last.isoformat(),
            "k": K,
            "totals": {key[0]: value for key, value in totals.items()},
            "by_day": [{"day": key[0], "kind": key[1], **v} for key, v in by_day.items()],
            "by_region": [{"region": key[0], "kind": key[1], **v}
                          for key, v in by_region.items()],
            "cells": cells,
            "top_terms": sorted(({"term": key[0], "searches": v["events"]}
                                 for key, v in terms.items() if v["events"] != HIDDEN),
                                key=lambda t: (-t["searches"], t["term"]))[:20],
        }


def _shown(events: int, consumers: int) -> dict[str, Any]:
    if consumers < K:
        return {"events": HIDDEN, "consumers": HIDDEN}
    return {"events": events, "consumers": consumers}


def _whole_days(cells: list[tuple], days: list[tuple]) -> list[tuple]:
    """A (day, kind)'s events and distinct consumers over all regions, as (day, kind, "*",
    events, consumers) rows. Days counted before 2026-11-28 have no whole-day row: their
    regions' cells stand in (one who gave her postal code that day counts twice there)."""
    whole = [(d, k, "*", e, c) for d, k, e, c in days]
    counted = {(d, k) for d, k, _, _ in days}
    return whole + [row for row in cells if (row[0], row[1]) not in counted]


def _group(rows: list[tuple], key: Callable[..., tuple],
           exact_distinct: bool) -> dict[tuple, dict[str, Any]]:
    """Sum events; within one day, sum the rows' distinct consumers (whole days: one row per
    day; regions: a person counted in one region's cell is not in another's that day), and
    across days keep only the largest day as the proof of K people."""
    events: dict[tuple, int] = defaultdict(int)
    per_day: dict[tuple, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for day, kind, region, e, c in rows:
        k = key(day, kind, region)
        events[k] += e
        per_day[k][day] += c
    grouped: dict[tuple, dict[str, Any]] = {}
    for k, days in per_day.items():
        proof = max(days.values())
        if proof < K:
            grouped[k] = {"events": HIDDEN, "consumers": HIDDEN}
        else:
            consumers = sum(days.values()) if exact_distinct else f">= {proof}"
            grouped[k] = {"events": events[k], "consumers": consumers}
    return dict(sorted(grouped.items()))
