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
from domain.errors import RuleViolatedError
from domain.listing import Listing, ListingDetails, StockReason
from domain.merchant import Merchant


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

    @classmethod
    def of(cls, listing: Listing, *, detailed: bool) -> ListingView:
        details = listing.details if detailed else replace(listing.details, sku=None)
        return cls(
            listing.id, listing.merchant_id, str(listing.status), details, listing.available,
            listing.on_hand if detailed else None, listing.reserved if detailed else None,
            listing.created_on, listing.modified_on,
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
            return listing.id, [listing]

        return self.create(key, build)

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
        def revise(listing: Listing, _: Merchant) -> None:
            listing.revise(ListingDetails.check(listing.details.as_raw() | changes))

        return self._change(actor, listing_id, revise)

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
        key: IdempotencyKey | None = None,
    ) -> ListingView:
        """A delta is not idempotent by nature: a retried adjustment needs its key."""
        actor.require_signed_in()

        def build() -> tuple[UUID, list[Aggregate]]:
            listing = self._visible(actor, listing_id)
            self._open_merchant_of(actor, listing.merchant_id)
            listing.adjust_stock(delta, reason)
            return listing.id, [listing]

        self.create(key, build, serialise=[listing_id])
        return self.get(actor, listing_id)

    def _change(
        self, actor: Actor, listing_id: UUID, decide: Callable[[Listing, Merchant], None]
    ) -> ListingView:
        """Load, decide, save; the answer is the listing as its owner now sees it."""
        actor.require_signed_in()

        def attempt() -> ListingView:
            listing = self._visible(actor, listing_id)
            decide(listing, self._open_merchant_of(actor, listing.merchant_id))
            self.save(listing)
            return ListingView.of(listing, detailed=True)

        return self.retrying(attempt, serialise=[listing_id])

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
