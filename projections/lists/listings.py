"""A merchant's catalogue, every status included (drafts, published, withdrawn), with titles,
prices in cents and stock: on hand and reserved."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from domain.listing import Listing, ListingStatus


class ListingRows(Protocol):
    def listing_created(self, listing_id: UUID, merchant_id: UUID, at: datetime, title_fr: str,
                        title_en: str | None, category: str, price_cents: int) -> None: ...

    def listing_revised(self, listing_id: UUID, title_fr: str, title_en: str | None,
                        category: str) -> None: ...

    def listing_repriced(self, listing_id: UUID, price_cents: int) -> None: ...

    def listing_status(self, listing_id: UUID, status: str) -> None: ...

    def stock(self, listing_id: UUID, *, on_hand: int | None = None, on_hand_delta: int = 0,
              reserved_delta: int = 0) -> None:
        """`on_hand` sets it; the deltas add to what is there."""


def _created(e: Any, rows: ListingRows) -> None:
    d = e.details
    rows.listing_created(e.originator_id, e.merchant_id, e.timestamp, d.title_fr, d.title_en,
                         d.category, d.price.cents)


def _revised(e: Any, rows: ListingRows) -> None:
    d = e.details
    rows.listing_revised(e.originator_id, d.title_fr, d.title_en, d.category)


def _status(status: ListingStatus) -> Callable[[Any, ListingRows], None]:
    return lambda e, rows: rows.listing_status(e.originator_id, str(status))


HANDLERS: dict[type, Callable[[Any, Any], None]] = {
    Listing.Created: _created,
    Listing.Revised: _revised,
    Listing.Repriced: lambda e, rows: rows.listing_repriced(e.originator_id, e.price.cents),
    Listing.Published: _status(ListingStatus.PUBLISHED),
    Listing.Withdrawn: _status(ListingStatus.WITHDRAWN),
    Listing.StockSet: lambda e, rows: rows.stock(e.originator_id, on_hand=e.on_hand),
    Listing.StockAdjusted: lambda e, rows: rows.stock(e.originator_id, on_hand_delta=e.delta),
    # Rows hold a listing's sums over its variants.
    Listing.VariantStockSet: lambda e, rows: rows.stock(e.originator_id, on_hand_delta=e.delta),
    Listing.Reserved: lambda e, rows: rows.stock(e.originator_id, reserved_delta=e.quantity),
    Listing.ReservationReleased: lambda e, rows: rows.stock(e.originator_id,
                                                            reserved_delta=-e.quantity),
    Listing.ReservationConsumed: lambda e, rows: rows.stock(
        e.originator_id, on_hand_delta=-e.quantity, reserved_delta=-e.quantity),
}
