"""What the search read model holds about a merchant and a listing."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

NUDGE_STEP_DEGREES = 2e-8  # about 2 mm; offsets span about ±2 m


def nudge(lat: float, lon: float, key: UUID) -> tuple[float, float]:
    """A point moved by at most ~2 m, deterministically by id.

    A merchant's listings share its address, so many would be exactly as far from any point:
    their distance order would need a second key, which the KNN index cannot serve. Nudged,
    no two are equidistant (to far below the metre the API shows), so distance alone orders
    them, on both backends alike.
    """
    h = key.int
    return (lat + ((h % 2001) - 1000) * NUDGE_STEP_DEGREES,
            lon + (((h >> 16) % 2001) - 1000) * NUDGE_STEP_DEGREES)


@dataclass(frozen=True)
class MerchantDoc:
    id: UUID
    slug: str
    name: str
    description_fr: str
    description_en: str
    categories: tuple[str, ...]
    municipality: str
    region: str
    lat: float
    lon: float
    visible: bool  # approved: a suspension, rejection or closure hides it


@dataclass(frozen=True)
class ListingDoc:
    id: UUID
    merchant_id: UUID
    merchant_name: str
    merchant_slug: str
    title_fr: str
    title_en: str
    description_fr: str
    description_en: str
    category: str
    origin: str
    price_cents: int
    on_hand: int
    reserved: int
    published: bool
    merchant_visible: bool
    municipality: str
    region: str
    lat: float
    lon: float
    photo: str = ""  # the first photo's image id, shown beside the listing in results

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved

    @property
    def visible(self) -> bool:
        """Shown in search: published, by an approved merchant."""
        return self.published and self.merchant_visible
