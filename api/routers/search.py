"""Search routes: public, read from the search projection."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.deps import ActorDep, ContainerDep, SearchDep
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
from domain.storefront import StorefrontScope
from projections.search.query import Near, SearchFilters, check_filters

router = APIRouter(prefix="/v1/search", tags=["search"], responses=PROBLEM_RESPONSES)


@router.get("/listings", summary="Find products near you, in French or English")
def search_listings(params: Annotated[ListingSearchParams, Query()],
                    search: SearchDep, c: ContainerDep, actor: ActorDep) -> ListingSearchOut:
    filters = scoped(c, params)
    page = search.search_listings(filters)
    c.insights.saw(actor, "search_impression", [h.doc.merchant_id for h in page.hits], params.q)
    return ListingSearchOut(items=[ListingHitOut.of(h) for h in page.hits], total=page.total,
                            total_exact=page.total_exact, page=page.page,
                            page_size=page.page_size, facets=facets_out(page.facets),
                            ignored_words=page.ignored_words)


@router.get("/merchants", summary="Find Québec merchants by name, category or place")
def search_merchants(params: Annotated[SearchParams, Query()],
                     search: SearchDep, c: ContainerDep, actor: ActorDep) -> MerchantSearchOut:
    filters = scoped(c, params)
    page = search.search_merchants(filters)
    c.insights.saw(actor, "search_impression", [h.doc.id for h in page.hits], params.q)
    return MerchantSearchOut(items=[MerchantHitOut.of(h) for h in page.hits],
                             total=page.total, total_exact=page.total_exact, page=page.page,
                             page_size=page.page_size, facets=facets_out(page.facets),
                            ignored_words=page.ignored_words)


def scoped(c: Any, params: SearchParams) -> SearchFilters:
    """The filters asked, narrowed to the storefront's area when one is named."""
    with located("query"):
        filters = check_filters(text=params.q, **params.model_dump(exclude={"q", "storefront"}))
    if params.storefront is None:
        return filters
    return narrow(filters, c.storefronts.get(params.storefront).scope)


NOTHING = ("--",)  # a value no document has: the asked and the storefront's sets do not meet


def narrow(filters: SearchFilters, scope: StorefrontScope) -> SearchFilters:
    """Regions and categories: the intersection of what is asked and what the storefront
    covers. Area: the storefront's circle, unless the request brings its own point (then the
    request's point and radius order and bound the results; the storefront's regions and
    categories still apply)."""
    def meet(asked: tuple[str, ...], covered: tuple[str, ...]) -> tuple[str, ...]:
        if not covered:
            return asked
        if not asked:
            return covered
        return tuple(v for v in asked if v in covered) or NOTHING

    near = filters.near
    if near is None and scope.center is not None:
        near = Near(scope.center, scope.radius_km)
    return replace(filters, regions=meet(filters.regions, scope.regions),
                   categories=meet(filters.categories, scope.categories), near=near)
