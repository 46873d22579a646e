"""Answering a search, the same way over every backend.

A backend ranks: it returns, in result order, light rows (id, facet values, score, distance)
up to a limit; the page's documents are then read by id. Totals and facets are counted over
the first WINDOW results, as search engines do (Elasticsearch's track_total_hits): exact below
it, "at least" above, so that a query matching half the province costs what a narrow one does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, TypeVar
from uuid import UUID

from projections.search.documents import ListingDoc, MerchantDoc
from projections.search.query import Hit, SearchFilters, SearchPage
from projections.search.results import count_facets, rounded_distance

WINDOW = 1000
D = TypeVar("D")


@dataclass(frozen=True)
class Ranked:
    id: UUID
    score: int  # 1 when every query word is in the title
    distance_km: float | None
    facets: dict[str, tuple[str, ...]]


class SearchBackend(Protocol):
    def rank_listings(self, filters: SearchFilters, limit: int) -> list[Ranked]: ...

    def rank_merchants(self, filters: SearchFilters, limit: int) -> list[Ranked]: ...

    def listing_docs(self, ids: list[UUID]) -> dict[UUID, ListingDoc]: ...

    def merchant_docs(self, ids: list[UUID]) -> dict[UUID, MerchantDoc]: ...


class Search:
    """The search read model's answers (projections.search.query.SearchReader)."""

    def __init__(self, backend: SearchBackend) -> None:
        self.backend = backend

    def search_listings(self, f: SearchFilters) -> SearchPage[ListingDoc]:
        return _answer(f, self.backend.rank_listings, self.backend.listing_docs)

    def search_merchants(self, f: SearchFilters) -> SearchPage[MerchantDoc]:
        return _answer(f, self.backend.rank_merchants, self.backend.merchant_docs)


class _Ranker(Protocol):
    def __call__(self, filters: SearchFilters, limit: int) -> list[Ranked]: ...


def _answer(f: SearchFilters, rank: _Ranker,
            docs: Callable[[list[UUID]], dict[UUID, D]]) -> SearchPage[D]:
    if f.matches_nothing:
        return SearchPage([], 0, f.page, f.page_size, {})
    ranked = rank(f, max(WINDOW + 1, f.offset + f.page_size))
    exact = len(ranked) <= WINDOW
    total, facets = count_facets((r.facets, 1) for r in ranked[:WINDOW])
    page = ranked[f.offset:f.offset + f.page_size]
    found = docs([r.id for r in page])
    hits: list[Hit[D]] = [Hit(found[r.id], r.score, rounded_distance(r.distance_km))
                          for r in page]
    if not exact:
        total = max(WINDOW, f.offset + len(page))
    return SearchPage(hits, total, f.page, f.page_size, facets, total_exact=exact)



