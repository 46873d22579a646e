"""A storefront: a regional or thematic window over the shared catalogue (e.g. Outaouais = 07),
run by a regional partner. It scopes search and is credited with the orders that start there;
it owns no merchants — the catalogue stays one (a "federating point", not another silo)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.address import parse_region
from domain.errors import FieldErrors
from domain.geo import GeoPoint
from domain.taxonomy import parse_category

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
MAX_RADIUS_KM = 500.0


@dataclass(frozen=True)
class StorefrontScope:
    regions: tuple[str, ...] = ()  # any of (two-digit administrative regions)
    categories: tuple[str, ...] = ()  # any of
    center: GeoPoint | None = None  # with radius_km: within that distance
    radius_km: float | None = None

    @classmethod
    def check(cls, regions: list[str], categories: list[str], lat: float | None,
              lon: float | None, radius_km: float | None, errors: FieldErrors) -> StorefrontScope:
        checked_regions = tuple(errors.parse("regions", parse_region, r) for r in regions)
        checked_categories = tuple(errors.parse("categories", parse_category, c)
                                   for c in categories)
        center = None
        if (lat is None) != (lon is None) or (lat is None) != (radius_km is None):
            errors.add("radius_km", "storefront_area_incomplete")
        elif lat is not None and lon is not None and radius_km is not None:
            center = errors.parse("lat", lambda: GeoPoint(lat, lon))
            if not 0 < radius_km <= MAX_RADIUS_KM:
                errors.add("radius_km", "radius_out_of_range", maximum=MAX_RADIUS_KM)
        if not (regions or categories or lat is not None):
            errors.add("regions", "storefront_scope_empty")
        return cls(tuple(r for r in checked_regions if r), tuple(
            c for c in checked_categories if c), center, radius_km)


class Storefront(Aggregate):
    TOPIC = "comptoir.Storefront"

    class Created(Aggregate.Created):
        TOPIC = "comptoir.Storefront.Created"  # never triggered: a storefront is opened

    @staticmethod
    def create_id(slug: str) -> UUID:
        return uuid5(NAMESPACE_URL, f"comptoir:storefront:{slug}")

    @event("Opened", topic="comptoir.Storefront.Opened")
    def __init__(self, slug: str, name_fr: str, name_en: str, scope: StorefrontScope) -> None:
        self.slug = slug
        self.name_fr = name_fr
        self.name_en = name_en
        self.scope = scope
