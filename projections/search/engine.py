"""Answering a search, the same way over every backend.

A backend ranks: it returns, in result order, light rows `(id, score, distance, *facet values)`
up to a limit; the page's documents are then read by id. Totals and facets are counted over
the first WINDOW results, as search engines do (Elasticsearch's track_total_hits): exact below
it, "at least" above, so that a query matching half the province costs what a narrow one does.
Rows stay plain tuples and ids stay as the backend gives them until the page is cut: a window
of a thousand rows is counted at C speed, not object by object.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from itertools import chain
from typing import Any, Protocol, TypeVar

from projections.search.documents import ListingDoc, MerchantDoc
from projections.search.query import Hit, SearchFilters, SearchPage
from projections.search.results import rounded_distance

WINDOW = 1000
D = TypeVar("D")


@dataclass(frozen=True)
class Ranking:
    rows: list[tuple[Any, ...]]  # (id, score, distance_km or None, *facet values)
    facets: tuple[str, ...]  # the names of the facet values, in row order
    split: Callable[[Any], Iterable[str]] | None = None  # for a multi-valued last facet


LISTING_FACETS = ("category", "origin", "region")
MERCHANT_FACETS = ("region", "category")  # category last: a merchant has several


class SearchBackend(Protocol):
    def rank_listings(self, filters: SearchFilters, limit: int) -> Ranking: ...

    def rank_merchants(self, filters: SearchFilters, limit: int) -> Ranking: ...

    def listing_docs(self, ids: list[Hashable]) -> dict[Hashable, ListingDoc]: ...

    def merchant_docs(self, ids: list[Hashable]) -> dict[Hashable, MerchantDoc]: ...


class Search:
    """The search read model's answers (projections.search.query.SearchReader)."""

    def __init__(self, backend: SearchBackend) -> None:
        self.backend = backend

    def search_listings(self, f: SearchFilters) -> SearchPage[ListingDoc]:
        return _answer(f, self.backend.rank_listings, self.backend.listing_docs)

    def search_merchants(self, f: SearchFilters) -> SearchPage[MerchantDoc]:
        return _answer(f, self.backend.rank_merchants, self.backend.merchant_docs)


def _answer(f: SearchFilters, rank: Callable[[SearchFilters, int], Ranking],
            docs: Callable[[list[Hashable]], dict[Hashable, D]]) -> SearchPage[D]:
    ignored = f.analysis.ignored
    if f.matches_nothing:
        return SearchPage([], 0, f.page, f.page_size, {}, ignored_words=ignored)
    ranking = rank(f, max(WINDOW + 1, f.offset + f.page_size))
    rows, exact = ranking.rows, len(ranking.rows) <= WINDOW
    page = rows[f.offset:f.offset + f.page_size]
    found = docs([row[0] for row in page])
    hits: list[Hit[D]] = [Hit(found[row[0]], row[1], rounded_distance(row[2])) for row in page]
    total = len(rows) if exact else max(WINDOW, f.offset + len(page))
    return SearchPage(hits, total, f.page, f.page_size, _facets(ranking), total_exact=exact,
                      ignored_words=ignored)


def _facets(ranking: Ranking) -> dict[str, dict[str, int]]:
    window = ranking.rows[:WINDOW]
    if not window:
        return {}
    columns = list(zip(*window, strict=True))[3:]
    facets = {}
    for i, (name, values) in enumerate(zip(ranking.facets, columns, strict=True)):
        last = i == len(ranking.facets) - 1
        if last and ranking.split is not None:
            values = chain.from_iterable(map(ranking.split, values))  # type: ignore[assignment]
        counts = Counter(values)
        facets[name] = dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
    return facets
