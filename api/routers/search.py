"""Search routes: public, read from the search projection."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import ActorDep, InsightsDep, SearchDep, StorefrontsDep, limited
from api.problems import PROBLEM_RESPONSES, located
from api.routing import OneHopRoute
from api.schemas.search import (
    ListingHitOut,
    ListingSearchOut,
    ListingSearchParams,
    MerchantHitOut,
    MerchantSearchOut,
    SearchParams,
    facets_out,
)
from application.storefronts import Storefronts
from projections.search.query import SearchFilters, check_filters, within

router = APIRouter(route_class=OneHopRoute, prefix="/v1/search", tags=["search"],
                   responses=PROBLEM_RESPONSES)


@router.get("/listings", operation_id="searchListings",
            summary="Find products near you, in French or English",
            dependencies=[limited("search_client", anonymous_only=True)])
def search_listings(params: Annotated[ListingSearchParams, Query()], search: SearchDep,
                    storefronts: StorefrontsDep, insights: InsightsDep,
                    actor: ActorDep) -> ListingSearchOut:
    page = search.search_listings(scoped(storefronts, params))
    insights.saw(actor, "search_impression", [h.doc.merchant_id for h in page.hits], params.q)
    return ListingSearchOut(items=[ListingHitOut.of(h) for h in page.hits], total=page.total,
                            total_exact=page.total_exact, page=page.page,
                            page_size=page.page_size, facets=facets_out(page.facets),
                            ignored_words=page.ignored_words)


@router.get("/merchants", operation_id="searchMerchants",
            summary="Find Québec merchants by name, category or place",
            dependencies=[limited("search_client", anonymous_only=True)])
def search_merchants(params: Annotated[SearchParams, Query()], search: SearchDep,
                     storefronts: StorefrontsDep, insights: InsightsDep,
                     actor: ActorDep) -> MerchantSearchOut:
    page = search.search_merchants(scoped(storefronts, params))
    insights.saw(actor, "search_impression", [h.doc.id for h in page.hits], params.q)
    return MerchantSearchOut(items=[MerchantHitOut.of(h) for h in page.hits],
                             total=page.total, total_exact=page.total_exact, page=page.page,
                             page_size=page.page_size, facets=facets_out(page.facets),
                             ignored_words=page.ignored_words)


def scoped(storefronts: Storefronts, params: SearchParams) -> SearchFilters:
    """The filters asked, narrowed to the storefront's area when one is named."""
    with located("query"):
        filters = check_filters(text=params.q, **params.model_dump(exclude={"q", "storefront"}))
    if params.storefront is None:
        return filters
    return within(filters, storefronts.get(params.storefront).scope)
