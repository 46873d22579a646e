"""How events change the search read model. Backend-neutral: storage is an adapter's."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.utils import get_topic

from domain.listing import Listing
from domain.merchant import Merchant
from projections.search.documents import ListingDoc, MerchantDoc, nudge


class SearchIndex(Protocol):
    """The rows a batch of events reads and writes (a unit of work over one transaction)."""

    def merchant(self, merchant_id: UUID) -> MerchantDoc | None: ...

    def listing(self, listing_id: UUID) -> ListingDoc | None: ...

    def save_merchant(self, doc: MerchantDoc) -> None: ...

    def save_listing(self, doc: ListingDoc) -> None: ...

    def set_merchant_visibility(self, merchant_id: UUID, visible: bool) -> None:
        """Every listing row of this merchant (loaded or not) follows its visibility."""

    def change_merchant_listings(self, merchant_id: UUID,
                                 change: Callable[[ListingDoc], ListingDoc]) -> None:
        """Every listing row of this merchant (loaded or not), changed alike."""


Handler = Callable[[Any, SearchIndex], None]


def _merchant_applied(e: Any, index: SearchIndex) -> None:
    lat, lon = nudge(e.location.lat, e.location.lon, e.originator_id)
    index.save_merchant(MerchantDoc(
        id=e.originator_id, slug=e.slug, name=e.name, description_fr=e.description_fr or "",
        description_en=e.description_en or "", categories=tuple(e.categories),
        municipality=e.address.municipality, region=e.address.region,
        lat=lat, lon=lon, visible=False,
    ))


def _merchant_visibility(visible: bool) -> Handler:
    def apply(e: Any, index: SearchIndex) -> None:
        doc = index.merchant(e.originator_id)
        if doc is not None:
            index.save_merchant(replace(doc, visible=visible))
            index.set_merchant_visibility(doc.id, visible)

    return apply


def _merchant_profile_changed(e: Any, index: SearchIndex) -> None:
    """Descriptions and place are searched; a new address moves the merchant and every one
    of its listings (town, region, distance)."""
    doc = index.merchant(e.originator_id)
    if doc is None:
        return
    lat, lon = nudge(e.location.lat, e.location.lon, doc.id)
    municipality, region = e.address.municipality, e.address.region
    index.save_merchant(replace(
        doc, description_fr=e.description_fr or "", description_en=e.description_en or "",
        municipality=municipality, region=region, lat=lat, lon=lon))
    if "address" in e.fields:
        def moved(listing: ListingDoc) -> ListingDoc:
            at = nudge(e.location.lat, e.location.lon, listing.id)
            return replace(listing, municipality=municipality, region=region,
                           lat=at[0], lon=at[1])

        index.change_merchant_listings(doc.id, moved)


def _listing_created(e: Any, index: SearchIndex) -> None:
    merchant = index.merchant(e.merchant_id)
    if merchant is None:  # cannot happen in one log; a listing without its merchant is skipped
        return
    d = e.details
    lat, lon = nudge(merchant.lat, merchant.lon, e.originator_id)
    index.save_listing(ListingDoc(
        id=e.originator_id, merchant_id=merchant.id, merchant_name=merchant.name,
        merchant_slug=merchant.slug, title_fr=d.title_fr, title_en=d.title_en or "",
        description_fr=d.description_fr, description_en=d.description_en or "",
        category=d.category, origin=str(d.origin), price_cents=d.price.cents, on_hand=0,
        reserved=0, published=False, merchant_visible=merchant.visible,
        municipality=merchant.municipality, region=merchant.region, lat=lat, lon=lon,
    ))


def _listing_change(change: Callable[[Any, ListingDoc], ListingDoc]) -> Handler:
    def apply(e: Any, index: SearchIndex) -> None:
        doc = index.listing(e.originator_id)
        if doc is not None:
            index.save_listing(change(e, doc))

    return apply


def _revised(e: Any, doc: ListingDoc) -> ListingDoc:
    d = e.details
    return replace(doc, title_fr=d.title_fr, title_en=d.title_en or "",
                   description_fr=d.description_fr, description_en=d.description_en or "",
                   category=d.category, origin=str(d.origin))


HANDLERS: dict[type, Handler] = {
    Merchant.Applied: _merchant_applied,
    Merchant.Approved: _merchant_visibility(True),
    Merchant.Reinstated: _merchant_visibility(True),
    Merchant.Rejected: _merchant_visibility(False),
    Merchant.Suspended: _merchant_visibility(False),
    Merchant.Closed: _merchant_visibility(False),
    Merchant.ProfileChanged: _merchant_profile_changed,
    Listing.Created: _listing_created,
    Listing.Revised: _listing_change(_revised),
    Listing.Repriced: _listing_change(lambda e, doc: replace(doc, price_cents=e.price.cents)),
    Listing.Published: _listing_change(lambda e, doc: replace(doc, published=True)),
    Listing.PhotosChanged: _listing_change(
        lambda e, doc: replace(doc, photo=e.photos[0] if e.photos else "")),
    Listing.Withdrawn: _listing_change(lambda e, doc: replace(doc, published=False)),
    Listing.StockSet: _listing_change(lambda e, doc: replace(doc, on_hand=e.on_hand)),
    Listing.StockAdjusted: _listing_change(
        lambda e, doc: replace(doc, on_hand=doc.on_hand + e.delta)),
    # A listing's row holds the sums of its variants': "in stock" when any variant is.
    Listing.VariantStockSet: _listing_change(
        lambda e, doc: replace(doc, on_hand=doc.on_hand + e.delta)),
    # Checkout reserves, a failed or declined order releases, fulfilment consumes: available
    # (on hand - reserved) must follow every one of them, or search sells what is gone.
    Listing.Reserved: _listing_change(
        lambda e, doc: replace(doc, reserved=doc.reserved + e.quantity)),
    Listing.ReservationReleased: _listing_change(
        lambda e, doc: replace(doc, reserved=doc.reserved - e.quantity)),
    Listing.ReservationConsumed: _listing_change(
        lambda e, doc: replace(doc, reserved=doc.reserved - e.quantity,
                               on_hand=doc.on_hand - e.quantity)),
}


class SearchProjection:
    name = "search"
    # 2: reservations move availability; elisions removed; a listing's place is searched
    # 3: a listing's first photo
    version = 3
    topics = tuple(get_topic(cls) for cls in HANDLERS)

    def process(self, event: Any, index: SearchIndex) -> None:
        handler = HANDLERS.get(type(event))
        if handler is not None:
            handler(event, index)

    @staticmethod
    def keys(events: Sequence[Any]) -> tuple[set[UUID], set[UUID]]:
        """The merchant and listing rows a batch touches, to load them in two queries."""
        merchants, listings = set(), set()
        for event in events:
            if isinstance(event, Merchant.Event):
                merchants.add(event.originator_id)
            elif isinstance(event, Listing.Event):
                listings.add(event.originator_id)
                if isinstance(event, Listing.Created):
                    merchants.add(event.merchant_id)
        return merchants, listings
