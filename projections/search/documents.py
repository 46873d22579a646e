"""What the search read model holds about a merchant and a listing."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID


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
    municipality: str
    region: str
    lat: float
    lon: float

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved
