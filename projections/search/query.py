"""Search queries and their answers, the same on every backend.

Order of results: relevance (how many query words are in the title), then distance when a point
is given, then id: a total order, so pages never overlap or skip.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Generic, Protocol, TypeVar

from domain.address import parse_region
from domain.errors import FieldErrors
from domain.geo import GeoPoint
from domain.listing import MAX_PRICE
from domain.places import parse_near
from domain.storefront import StorefrontScope
from domain.taxonomy import OriginLabel, parse_category, parse_enum
from projections.search.analysis import QueryAnalysis, analyse_query
from projections.search.documents import ListingDoc, MerchantDoc

MAX_RADIUS_KM = 500.0
MAX_PAGE_SIZE = 100
MAX_PAGE = 500  # deep paging is a crawler's need, not a shopper's
MAX_QUERY = 200

D = TypeVar("D")


@dataclass(frozen=True)
class Near:
    point: GeoPoint
    radius_km: float | None


@dataclass(frozen=True)
class SearchFilters:
    text: str = ""
    near: Near | None = None
    categories: tuple[str, ...] = ()  # any of
    regions: tuple[str, ...] = ()  # any of
    origin: str | None = None
    in_stock: bool = False
    min_price_cents: int | None = None
    max_price_cents: int | None = None
    page: int = 1
    page_size: int = 20

    @cached_property
    def analysis(self) -> QueryAnalysis:
        return analyse_query(self.text)

    @property
    def terms(self) -> list[tuple[str, ...]]:
        return self.analysis.terms

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size

    @property
    def matches_nothing(self) -> bool:
        """Text was given but every word of it is a stop word ("de la", "the"): the shopper
        asked for something, so answering everything would be wrong; nothing matches, and the
        answer says which words were ignored."""
        return bool(self.text.strip()) and not self.terms


NOTHING = ("--",)  # a value no document has: what is asked and what is covered do not meet


def within(filters: SearchFilters, scope: StorefrontScope) -> SearchFilters:
    """The filters narrowed to a storefront's area. Regions and categories: the intersection
    of what is asked and what the storefront covers. Area: the storefront's circle, unless
    the request brings its own point (then the request's point and radius order and bound
    the results; the storefront's regions and categories still apply)."""
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


@dataclass(frozen=True)
class Hit(Generic[D]):
    doc: D
    score: int
    distance_km: float | None


@dataclass(frozen=True)
class SearchPage(Generic[D]):
    hits: list[Hit[D]]
    total: int
    page: int
    page_size: int
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    total_exact: bool = True  # False: `total` is a lower bound (see engine.WINDOW)
    ignored_words: list[str] = field(default_factory=list)  # stop words of the query


class SearchReader(Protocol):
    def search_listings(self, filters: SearchFilters) -> SearchPage[ListingDoc]: ...

    def search_merchants(self, filters: SearchFilters) -> SearchPage[MerchantDoc]: ...


def check_filters(
    *, text: str | None = None, lat: float | None = None, lon: float | None = None,
    near: str | None = None,
    radius_km: float | None = None, category: str | None = None, region: str | None = None,
    origin: str | None = None, in_stock: bool = False, min_price_cents: int | None = None,
    max_price_cents: int | None = None, page: int = 1, page_size: int = 20,
) -> SearchFilters:
    """Raw query parameters to filters; every invalid parameter is reported at once."""
    errors = FieldErrors()
    text = (text or "").strip()
    if len(text) > MAX_QUERY:
        errors.add("q", "text_too_long", max_length=MAX_QUERY)
    place = _place(errors, near, lat, lon, region)
    near_ = _near(errors, lat, lon, radius_km, place, asked=bool((near or "").strip()))
    categories = (errors.parse("category", parse_category, category),) if category else ()
    regions = (errors.parse("region", parse_region, region),) if region else ()
    origin_label = (errors.parse("origin", parse_enum, OriginLabel, origin, "origin_unknown")
                    if origin else None)
    for name, cents in (("min_price_cents", min_price_cents), ("max_price_cents", max_price_cents)):
        if cents is not None and not 0 <= cents <= MAX_PRICE.cents:
            errors.add(name, "price_out_of_range", max_cents=MAX_PRICE.cents)
    if (min_price_cents is not None and max_price_cents is not None
            and min_price_cents > max_price_cents):
        errors.add("max_price_cents", "price_range_inverted")
    if not 1 <= page <= MAX_PAGE:
        errors.add("page", "page_out_of_range", maximum=MAX_PAGE)
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        errors.add("page_size", "page_size_out_of_range", maximum=MAX_PAGE_SIZE)
    errors.raise_if_any()
    return SearchFilters(
        text=text, near=near_, categories=categories, regions=regions,  # type: ignore[arg-type]
        origin=str(origin_label) if origin_label else None, in_stock=in_stock,
        min_price_cents=min_price_cents, max_price_cents=max_price_cents, page=page,
        page_size=page_size,
    )


def _place(errors: FieldErrors, near: str | None, lat: float | None, lon: float | None,
           region: str | None) -> GeoPoint | None:
    """`near`, a postal code or a Québec place, as a point (the region, when given, tells
    apart places of one name)."""
    if not (near or "").strip():
        return None
    if lat is not None or lon is not None:
        errors.add("near", "near_with_point")
        return None
    return errors.parse("near", parse_near, near, region.strip().zfill(2) if region else None)


def _near(
    errors: FieldErrors, lat: float | None, lon: float | None, radius_km: float | None,
    place: GeoPoint | None = None, asked: bool = False,
) -> Near | None:
    if radius_km is not None and not 0 < radius_km <= MAX_RADIUS_KM:
        errors.add("radius_km", "radius_out_of_range", maximum=MAX_RADIUS_KM)
    if place is not None:
        return None if errors.errors else Near(place, radius_km)
    if lat is None and lon is None:
        if radius_km is not None and not asked:  # a `near` not found is reported already
            errors.add("radius_km", "radius_needs_point")
        return None
    for name, value, limit in (("lat", lat, 90.0), ("lon", lon, 180.0)):
        if value is None:
            errors.add(name, "point_incomplete")
        elif not -limit <= value <= limit:
            errors.add(name, "latitude_out_of_range" if name == "lat" else "longitude_out_of_range")
    if errors.errors:
        return None
    return Near(GeoPoint(float(lat), float(lon)), radius_km)  # type: ignore[arg-type]
