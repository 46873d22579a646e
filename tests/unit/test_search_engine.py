"""How a ranked window becomes a page, a total and facet counts (backend-neutral)."""

from __future__ import annotations

from uuid import uuid4

from projections.search.documents import ListingDoc
from projections.search.engine import LISTING_FACETS, WINDOW, Ranking, Search
from projections.search.query import check_filters


class FakeBackend:
    """Ranks `count` listings: one in three in category 'a', the rest in 'b'."""

    def __init__(self, count: int) -> None:
        self.rows = [(str(i), 1 if i < 5 else 0, float(i), "a" if i % 3 == 0 else "b",
                      "none", "06") for i in range(count)]
        self.asked: list[int] = []

    def rank_listings(self, filters, limit):  # noqa: ANN001, ANN201
        self.asked.append(limit)
        return Ranking(self.rows[:limit], LISTING_FACETS)

    def listing_docs(self, ids):  # noqa: ANN001, ANN201
        return {i: ListingDoc(uuid4(), uuid4(), "m", "m", f"t{i}", "", "", "", "a", "none",
                              100, 1, 0, True, True, "Montréal", "06", 45.5, -73.6)
                for i in ids}


def test_below_the_window_totals_and_facets_are_exact() -> None:
    page = Search(FakeBackend(10)).search_listings(check_filters(page_size=4))
    assert (page.total, page.total_exact) == (10, True)
    assert page.facets["category"] == {"b": 6, "a": 4}
    assert [h.doc.title_fr for h in page.hits] == ["t0", "t1", "t2", "t3"]
    assert [h.score for h in page.hits] == [1, 1, 1, 1]
    assert page.hits[3].distance_km == 3.0


def test_above_the_window_the_total_is_a_lower_bound_counted_on_the_window() -> None:
    backend = FakeBackend(5000)
    page = Search(backend).search_listings(check_filters(page=3, page_size=10))
    assert backend.asked == [WINDOW + 1]
    assert (page.total, page.total_exact) == (WINDOW, False)
    assert sum(page.facets["category"].values()) == WINDOW
    assert [h.doc.title_fr for h in page.hits] == [f"t{i}" for i in range(20, 30)]


def test_a_page_beyond_the_window_is_still_served() -> None:
    backend = FakeBackend(5000)
    page = Search(backend).search_listings(check_filters(page=200, page_size=10))
    assert backend.asked == [2000]
    assert [h.doc.title_fr for h in page.hits][:1] == ["t1990"]
    assert (page.total, page.total_exact) == (2000, False)
