"""Query parameters and answers of the search endpoints."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.common import CategoryCode, GeoPointOut, MoneyOut, PlainText
from api.schemas.merchants import ImageOut
from domain.taxonomy import OriginLabel
from projections.search.documents import ListingDoc, MerchantDoc
from projections.search.query import MAX_PAGE, MAX_PAGE_SIZE, MAX_QUERY, MAX_RADIUS_KM, Hit

Region = Annotated[str, Field(pattern=r"^\d{1,2}$", description="Québec region 01–17")]


class SearchParams(PlainText):
    model_config = ConfigDict(extra="forbid")

    q: str | None = Field(None, max_length=MAX_QUERY, description="Words, French or English")
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    near: str | None = Field(
        None, max_length=100, examples=["Percé", "G0C 2L0", "J9L"],
        description="Instead of lat/lon: a Québec municipality (accents, hyphens, St-/Ste- "
                    "as you like; `region` tells apart places of one name) or a postal code, "
                    "whole or its first three characters (see docs/places.md)")
    radius_km: float | None = Field(None, gt=0, le=MAX_RADIUS_KM)
    category: CategoryCode | None = None
    region: Region | None = None
    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(20, ge=1, le=MAX_PAGE_SIZE)
    storefront: str | None = Field(None, max_length=60, description="Only within its area")


class ListingSearchParams(SearchParams):
    origin: OriginLabel | None = None
    in_stock: bool = Field(False, description="Only what can be bought now (on hand > reserved)")
    min_price_cents: int | None = Field(None, ge=0)
    max_price_cents: int | None = Field(None, ge=0)


class FacetCount(BaseModel):
    value: str
    count: int


class MerchantRef(BaseModel):
    id: UUID
    name: str
    slug: str


class ListingHitOut(BaseModel):
    id: UUID
    merchant: MerchantRef
    title_fr: str
    title_en: str | None
    category: str
    origin: str
    price: MoneyOut
    available: int
    in_stock: bool
    municipality: str
    region: str
    location: GeoPointOut
    distance_km: float | None = Field(description="From the given point, when one is given")
    score: int = Field(description="Query words found in the title")
    photo: ImageOut | None = Field(description="The listing's first photo, if it has one")

    @classmethod
    def of(cls, hit: Hit[ListingDoc]) -> ListingHitOut:
        d = hit.doc
        return cls(
            id=d.id, merchant=MerchantRef(id=d.merchant_id, name=d.merchant_name,
                                          slug=d.merchant_slug),
            title_fr=d.title_fr, title_en=d.title_en or None, category=d.category,
            origin=d.origin, price=MoneyOut(cents=d.price_cents), available=max(0, d.available),
            in_stock=d.available > 0, municipality=d.municipality, region=d.region,
            location=GeoPointOut(lat=d.lat, lon=d.lon), distance_km=hit.distance_km,
            score=hit.score, photo=ImageOut.of(d.photo) if d.photo else None)


class MerchantHitOut(BaseModel):
    id: UUID
    slug: str
    name: str
    categories: list[str]
    municipality: str
    region: str
    location: GeoPointOut
    distance_km: float | None
    score: int

    @classmethod
    def of(cls, hit: Hit[MerchantDoc]) -> MerchantHitOut:
        d = hit.doc
        return cls(id=d.id, slug=d.slug, name=d.name, categories=list(d.categories),
                   municipality=d.municipality, region=d.region,
                   location=GeoPointOut(lat=d.lat, lon=d.lon), distance_km=hit.distance_km,
                   score=hit.score)


def facets_out(facets: dict[str, dict[str, int]]) -> dict[str, list[FacetCount]]:
    return {name: [FacetCount(value=v, count=n) for v, n in counts.items()]
            for name, counts in facets.items()}


class ListingSearchOut(BaseModel):
    items: list[ListingHitOut]
    total: int
    total_exact: bool = Field(description="False: more than `total` (counted up to 1,000)")
    page: int
    page_size: int
    facets: dict[str, list[FacetCount]] = Field(
        description="category, origin, region: over the first 1,000 results")
    ignored_words: list[str] = Field(
        description="Words of `q` not searched: articles, prepositions, elisions and other "
                    "stop words of French or English")


class MerchantSearchOut(BaseModel):
    items: list[MerchantHitOut]
    total: int
    total_exact: bool = Field(description="False: more than `total` (counted up to 1,000)")
    page: int
    page_size: int
    facets: dict[str, list[FacetCount]] = Field(
        description="category, region: over the first 1,000 results")
    ignored_words: list[str] = Field(
        description="Words of `q` not searched: articles, prepositions, elisions and other "
                    "stop words of French or English")
