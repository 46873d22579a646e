"""Backend-neutral pieces of answering a search: facet counting and distances."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

DISTANCE_DECIMALS = 3  # metres: both backends compute great-circle distances that agree there


def rounded_distance(km: float | None) -> float | None:
    return None if km is None else round(km, DISTANCE_DECIMALS)


def count_facets(rows: Iterable[tuple[dict[str, Iterable[str]], int]]) -> tuple[int, dict]:
    """From (facet values of a group of hits, size of the group) to the total and the counts
    per facet value, most frequent first (ties by value)."""
    total = 0
    counters: dict[str, Counter[str]] = {}
    for values, count in rows:
        total += count
        for facet, facet_values in values.items():
            counter = counters.setdefault(facet, Counter())
            for value in facet_values:
                counter[value] += count
    facets = {
        facet: dict(sorted(counter.items(), key=lambda item: (-item[1], item[0])))
        for facet, counter in counters.items()
    }
    return total, facets
