"""Search routes: public, read from the search projection."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import SearchDep
from api.problems import PROBLEM_RESPONSES, located
from api.schemas.search import (
    ListingHitOut,
    ListingSearchOut,
    ListingSearchParams,
    MerchantHitOut,
    MerchantSearchOut,
    SearchParams,
    facets_out,
)
from projections.search.query import check_filters

router = APIRouter(prefix="/v1/search", tags=["search"], responses=PROBLEM_RESPONSES)


@router.get("/listings", summary="Find products near you, in French or English")
def search_listings(params: Annotated[ListingSearchParams, Query()],
                    search: SearchDep) -> ListingSearchOut:
    with located("query"):
        filters = check_filters(text=params.q, **params.model_dump(exclude={"q"}))
    page = search.search_listings(filters)
    return ListingSearchOut(items=[ListingHitOut.of(h) for h in page.hits], total=page.total,
                            total_exact=page.total_exact, page=page.page,
                            page_size=page.page_size, facets=facets_out(page.facets))


@router.get("/merchants", summary="Find Québec merchants by name, category or place")
def search_merchants(params: Annotated[SearchParams, Query()],
                     search: SearchDep) -> MerchantSearchOut:
    with located("query"):
        filters = check_filters(text=params.q, **params.model_dump(exclude={"q"}))
    page = search.search_merchants(filters)
    return MerchantSearchOut(items=[MerchantHitOut.of(h) for h in page.hits],
                             total=page.total, total_exact=page.total_exact, page=page.page,
                             page_size=page.page_size, facets=facets_out(page.facets))
