"""The catalogue: a merchant's listings, their visibility and their real-time stock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from application.actors import Actor, Role
from application.errors import NotFoundError, denied
from application.idempotency import IdempotencyKey
from application.service import Service
from application.skus import claim_sku
from domain.errors import RuleViolatedError
from domain.listing import Listing, ListingDetails, StockReason, Variant, VariantDetails
from domain.merchant import Merchant
from domain.money import Money


@dataclass(frozen=True)
class VariantView:
    """A variant as one actor may see it: SKU and stock levels for its owner and staff only."""

    id: UUID
    sku: str | None
    label: str
    price: Money
    available: int
    on_hand: int | None
    reserved: int | None

    @classmethod
    def of(cls, v: Variant, *, detailed: bool) -> VariantView:
        return cls(v.variant_id, v.sku if detailed else None, v.label, v.price, v.available,
                   v.on_hand if detailed else None, v.reserved if detailed else None)


@dataclass(frozen=True)
class ListingView:
    """A listing as one actor may see it: stock levels and SKU for its owner and staff only."""

    id: UUID
    merchant_id: UUID
    status: str
    details: ListingDetails
    available: int
    on_hand: int | None
    reserved: int | None
    created_on: datetime
    modified_on: datetime
    variants: tuple[VariantView, ...] = ()
    photos: tuple[str, ...] = ()  # image ids, in the merchant's order

    @classmethod
    def of(cls, listing: Listing, *, detailed: bool) -> ListingView:
        details = listing.details if detailed else replace(listing.details, sku=None)
        return cls(
            listing.id, listing.merchant_id, str(listing.status), details, listing.available,
            listing.on_hand if detailed else None, listing.reserved if detailed else None,
            listing.created_on, listing.modified_on,
            tuple(VariantView.of(v, detailed=detailed) for v in listing.variants.values()),
            tuple(listing.photos),
        )


class Catalog(Service):
    def create_listing(
        self, actor: Actor, merchant_id: UUID, raw: dict[str, Any],
        key: IdempotencyKey | None = None,
    ) -> UUID:
        actor.require_signed_in()

        def build() -> tuple[UUID, list[Aggregate]]:
            self._open_merchant_of(actor, merchant_id)
            listing = Listing(merchant_id, ListingDetails.check(raw))
            return listing.id, [listing, *self._claims(listing)]

        return self.create(key, build)

    def check_may_change(self, actor: Actor, merchant_id: UUID) -> None:
        """Whether this actor may change this merchant's catalogue (raises if not): bulk
        routes ask before they read a body, so another merchant learns nothing (404)."""
        actor.require_signed_in()
        self._open_merchant_of(actor, merchant_id)

    def get(self, actor: Actor, listing_id: UUID) -> ListingView:
        listing = self._visible(actor, listing_id)
        detailed = actor.owns(listing.merchant_id) or actor.reads_everything
        return ListingView.of(listing, detailed=detailed)

    def visit(self, actor: Actor, listing_id: UUID) -> ListingView:
        """Someone looks at the listing: as `get`, and counted in its merchant's insight."""
        view = self.get(actor, listing_id)
        self.sightings.saw(actor, "listing_view", [view.merchant_id])
        return view

    def revise(self, actor: Actor, listing_id: UUID, changes: dict[str, Any]) -> ListingView:
        def revise(listing: Listing, _: Merchant) -> list[Aggregate]:
            listing.revise(ListingDetails.check(listing.details.as_raw() | changes))
            return self._claims(listing)

        return self._change(actor, listing_id, revise)

    def add_variant(self, actor: Actor, listing_id: UUID, raw: dict[str, Any],
                    key: IdempotencyKey | None = None) -> tuple[ListingView, UUID]:
        """A new variant (its SKU unique among the merchant's); the listing is then sold by
        variant only (docs/catalogue.md)."""
        actor.require_signed_in()

        def build() -> tuple[UUID, list[Aggregate]]:
            listing = self._visible(actor, listing_id)
            self._open_merchant_of(actor, listing.merchant_id)
            variant_id = listing.add_variant(VariantDetails.check(raw))
            return variant_id, [listing, *self._claims(listing)]

        variant_id = self.create(key, build, serialise=[listing_id])
        return self.get(actor, listing_id), variant_id

    def revise_variant(self, actor: Actor, listing_id: UUID, variant_id: UUID,
                       changes: dict[str, Any]) -> ListingView:
        def revise(listing: Listing, _: Merchant) -> list[Aggregate]:
            current = _variant(listing, variant_id)
            listing.revise_variant(variant_id,
                                   VariantDetails.check(current.details.as_raw() | changes))
            return self._claims(listing)

        return self._change(actor, listing_id, revise)

    def set_variant_stock(self, actor: Actor, listing_id: UUID, variant_id: UUID,
                          on_hand: int) -> ListingView:
        def set_stock(listing: Listing, _: Merchant) -> None:
            _variant(listing, variant_id)
            listing.set_variant_stock(variant_id, on_hand)

        return self._change(actor, listing_id, set_stock)

    def publish(self, actor: Actor, listing_id: UUID) -> ListingView:
        def publish(listing: Listing, merchant: Merchant) -> None:
            listing.publish(merchant_is_approved=merchant.is_approved)

        return self._change(actor, listing_id, publish)

    def withdraw(self, actor: Actor, listing_id: UUID) -> ListingView:
        return self._change(actor, listing_id, lambda listing, _: listing.withdraw())

    def set_stock(self, actor: Actor, listing_id: UUID, on_hand: int) -> ListingView:
        return self._change(actor, listing_id, lambda listing, _: listing.set_stock(on_hand))

    def adjust_stock(
        self, actor: Actor, listing_id: UUID, delta: int, reason: StockReason,
        key: IdempotencyKey | None = None, variant_id: UUID | None = None,
    ) -> ListingView:
        """A delta is not idempotent by nature: a retried adjustment needs its key."""
        actor.require_signed_in()

        def build() -> tuple[UUID, list[Aggregate]]:
            listing = self._visible(actor, listing_id)
            self._open_merchant_of(actor, listing.merchant_id)
            if variant_id is not None:
                _variant(listing, variant_id)
            listing.adjust_stock(delta, reason, variant_id)
            return listing.id, [listing]

        self.create(key, build, serialise=[listing_id])
        return self.get(actor, listing_id)

    def _change(
        self, actor: Actor, listing_id: UUID,
        decide: Callable[[Listing, Merchant], list[Aggregate] | None],
    ) -> ListingView:
        """Load, decide, save (with what the decision returns: claims on SKUs); the answer is
        the listing as its owner now sees it."""
        actor.require_signed_in()

        def attempt() -> ListingView:
            listing = self._visible(actor, listing_id)
            others = decide(listing, self._open_merchant_of(actor, listing.merchant_id))
            self.save(listing, *(others or []))
            return ListingView.of(listing, detailed=True)

        return self.retrying(attempt, serialise=[listing_id])

    def _claims(self, listing: Listing) -> list[Aggregate]:
        """The claims to save with the listing on every SKU it carries and does not hold yet."""
        claims = [claim_sku(self, listing.merchant_id, sku, listing.id)
                  for sku in sorted(listing.skus)]
        return [c for c in claims if c is not None]

    def _visible(self, actor: Actor, listing_id: UUID) -> Listing:
        """Owners and staff see every listing; others only published ones of approved merchants."""
        listing = self.load(Listing, listing_id, "listing")
        if actor.owns(listing.merchant_id) or actor.reads_everything:
            return listing
        if listing.is_published:
            merchant = self.load(Merchant, listing.merchant_id, "merchant")
            if merchant.is_approved:
                return listing
        raise NotFoundError("listing")

    def _open_merchant_of(self, actor: Actor, merchant_id: UUID) -> Merchant:
        """The merchant whose catalogue this actor may change: another merchant's is not
        its own (404, like anything it may not see); staff and shoppers who see it, 403."""
        merchant = self.load(Merchant, merchant_id, "merchant")
        if not actor.owns(merchant_id):
            if actor.role != Role.MERCHANT and (merchant.is_approved or actor.reads_everything):
                raise denied(actor.is_anonymous)
            raise NotFoundError("merchant")
        if not merchant.is_open:
            raise RuleViolatedError("merchant_not_open", status=str(merchant.status))
        return merchant


def _variant(listing: Listing, variant_id: UUID) -> Variant:
    """A variant named in a path: one of this listing's, else 404."""
    found = listing.variants.get(variant_id.hex)
    if found is None:
        raise NotFoundError("variant")
    return found
