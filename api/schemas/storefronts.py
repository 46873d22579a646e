"""Storefronts: regional or thematic windows over the shared catalogue."""

from __future__ import annotations

from pydantic import BaseModel, Field

from api.schemas.common import Input
from application.storefronts import StorefrontView


class StorefrontIn(Input):
    slug: str = Field(min_length=2, max_length=60, pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$",
                      examples=["outaouais"])
    name_fr: str = Field(min_length=1, max_length=80, examples=["Achat local Outaouais"])
    name_en: str = Field(min_length=1, max_length=80, examples=["Buy local Outaouais"])
    regions: list[str] = Field(default_factory=list, max_length=17, examples=[["07"]])
    categories: list[str] = Field(default_factory=list, max_length=20)
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    radius_km: float | None = Field(None, gt=0, le=500)


class StorefrontOut(BaseModel):
    slug: str
    name_fr: str
    name_en: str
    regions: list[str]
    categories: list[str]
    lat: float | None
    lon: float | None
    radius_km: float | None

    @classmethod
    def of(cls, v: StorefrontView) -> StorefrontOut:
        c = v.scope.center
        return cls(slug=v.slug, name_fr=v.name_fr, name_en=v.name_en,
                   regions=list(v.scope.regions), categories=list(v.scope.categories),
                   lat=c.lat if c else None, lon=c.lon if c else None,
                   radius_km=v.scope.radius_km)


class StorefrontReportRow(BaseModel):
    storefront: str | None = Field(description="None: orders from no storefront")
    region: str = Field(description="The merchants' region")
    orders: int
    sales_cents: int
    merchants: int
