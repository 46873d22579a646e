"""Checkout: one cart, many merchants, one atomic save, one payment.

1. Re-validate the cart: merchants approved, listings for sale (prices re-read now).
2. ONE atomic save: a reservation on every listing, the order (one part per merchant, priced),
   the cart checked out, and the Idempotency-Key's record. Another writer in between makes the
   whole save fail: it is retried, and a listing that ran out is a 409 naming it.
3. Charge the order once through the gateway: a failure releases the reservations; once paid,
   they last until the merchants hand over or decline (the order decides, not a timer).
4. A job expires orders not paid within the reservation window and releases their stock.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Protocol
from uuid import UUID

from eventsourcing.domain import Aggregate

from application.actors import Actor
from application.carts import Carts
from application.errors import ConflictError
from application.idempotency import IdempotencyKey
from application.orders import OrderView, view_for
from application.payments import Payments, SavedOrder
from application.ports import Clock
from application.service import Read, Service
from domain.cart import Cart
from domain.commission import CommissionTerms
from domain.consumer import Consumer
from domain.errors import InvalidValueError, RuleViolatedError
from domain.geo import GeoPoint
from domain.listing import Listing
from domain.merchant import Merchant
from domain.money import Money
from domain.order import Order
from domain.order_terms import Fulfilment, MerchantOrderTerms, OrderLine, sum_money
from domain.personal import PersonalData
from domain.places import locate_address
from domain.pricing import price

ADDRESS_FIELDS = ("name", "street", "municipality", "postal_code", "region", "province")


class Sellers(Protocol):
    """Whether a merchant may sell now, as far as getting paid goes (application/payouts.py:
    a merchant without a ready payout account sells only if the platform holds its funds)."""

    def may_sell(self, merchant_id: UUID) -> bool: ...


class CommissionRates(Protocol):
    """Per merchant of an order, the commission rules its lines, (category, amount), are
    priced under now (application/commission_rules.py). The rules are one aggregate,
    `schedule_id`, read with the order's others (None: no rule was ever set)."""

    schedule_id: UUID

    def terms(self, lines: dict[UUID, list[tuple[str, Money]]],
              schedule: Aggregate | None) -> dict[UUID, CommissionTerms]:
        ...


class DueOrders(Protocol):
    """Orders still waiting for their payment when their reservation window closes."""

    def due(self, now: datetime, limit: int) -> list[UUID]: ...


@dataclass(frozen=True)
class CheckoutChoices:
    fulfilment: dict[UUID, Fulfilment] = field(default_factory=dict)  # per merchant
    payment_method: str | None = None


class Checkout(Service):
    def __init__(self, *args: object, carts: Carts, payments: Payments, clock: Clock,
                 commission_rate: Decimal, reservation_window: timedelta,
                 due_orders: DueOrders, sellers: Sellers,
                 commission_rates: CommissionRates | None = None, **kwargs: object) -> None:
        """`commission_rates`: the rules; None: `commission_rate` on every order."""
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.commission_rates = commission_rates
        self.carts, self.payments, self.clock, self.sellers = carts, payments, clock, sellers
        self.commission_rate, self.window, self.due_orders = (
            commission_rate, reservation_window, due_orders)
        self.merchant_of = MerchantsOfListings()

    def check_out(self, actor: Actor, cart_id: UUID, choices: CheckoutChoices,
                  key: IdempotencyKey | None = None) -> OrderView:
        read_first = self.carts.owned(actor, cart_id)
        listing_ids = list(read_first.quantities())
        # The first attempt decides on the cart just read: a change since fails its save.
        given = iter([read_first])

        def build() -> tuple[UUID, list[Aggregate]]:
            cart = next(given, None) or self.carts.owned(actor, cart_id)
            if not cart.is_open:
                raise ConflictError("cart_checked_out", order_id=str(cart.order_id))
            # Read together, in one query while the listings' locks are held: the consumer,
            # the listings, their merchants (known from an earlier checkout; else a second
            # query) and the commission rules.
            read = self.fetch([cart.consumer_id, *cart.quantities(),
                               *self.merchant_of.known(cart.quantities()),
                               *self._schedule_ids()])
            consumer = read.one(Consumer, cart.consumer_id, "consumer")
            listings = read.all(Listing, cart.quantities(), "listing")
            self.merchant_of.learn(listings.values())
            merchant_ids = [listing.merchant_id for listing in listings.values()]
            if unread := [i for i in merchant_ids if i not in read.found]:
                read = read.with_(self.fetch(unread))
            merchants = read.all(Merchant, merchant_ids, "merchant")
            parts = self._parts(cart, listings, merchants, consumer, choices, read)
            needs_address = any(p.fulfilment != Fulfilment.PICKUP for p in parts)
            expires_at = self.clock.now() + self.window
            order = Order(cart.consumer_id, cart.id, cart.storefront, tuple(parts),
                          _address(consumer) if needs_address else None, expires_at)
            for listing_id, variant_id, quantity in cart.items():
                listings[listing_id].reserve(order.id, quantity, expires_at, variant_id)
            cart.check_out(order.id)
            return order.id, [cart, order, *listings.values()]

        made = self.created(key, build, serialise=[cart_id, *listing_ids])
        placed = made.first(Order)  # None when an earlier request with this key is replayed
        saved = SavedOrder(placed, made.every(Listing)) if placed is not None else None
        secret, order = self.payments.request(made.id, choices.payment_method, saved)
        view = OrderView(**{**view_for(actor, order).__dict__, "client_secret": secret})
        if placed is not None and view.payment_status == "captured":
            self.sightings.saw(actor, "order", [p.terms.merchant_id for p in view.parts])
        return view

    def expire_due(self, limit: int = 100) -> int:
        """Release the stock of orders not paid in time (run by a job); returns how many."""
        now = self.clock.now()
        expired = 0
        for order_id in self.due_orders.due(now, limit):
            order = self.load(Order, order_id, "order")
            ids = order.listing_ids

            def attempt(order_id: UUID = order_id, ids: list[UUID] = ids) -> bool:
                order = self.load(Order, order_id, "order")
                if not order.expire(now):
                    return False
                listings = [self.load(Listing, i, "listing") for i in ids]
                for listing in listings:
                    listing.expire(order_id, now)
                self.save(order, *listings)
                return True

            expired += self.retrying(attempt, serialise=[order_id, *ids])
        return expired

    def _schedule_ids(self) -> list[UUID]:
        return [self.commission_rates.schedule_id] if self.commission_rates else []

    def _parts(self, cart: Cart, listings: dict[UUID, Listing],
               merchants: dict[UUID, Merchant], consumer: Consumer,
               choices: CheckoutChoices, read: Read) -> list[MerchantOrderTerms]:
        lines: dict[UUID, list[OrderLine]] = {}
        for listing_id, variant_id, quantity in cart.items():
            listing = listings[listing_id]
            merchant = merchants[listing.merchant_id]
            if not (listing.is_published and merchant.is_approved):
                raise RuleViolatedError("listing_not_for_sale", listing_id=str(listing_id),
                                        title=listing.details.title_fr)
            if merchant.id not in lines and not self.sellers.may_sell(merchant.id):
                raise RuleViolatedError("merchant_payouts_not_ready", merchant_id=str(merchant.id),
                                        name=merchant.name)
            lines.setdefault(merchant.id, []).append(OrderLine(
                listing_id, listing.title_of(variant_id), listing.price_of(variant_id), quantity,
                listing.details.tax_class, variant_id))
        commissions = self._commissions(lines, listings, read)
        parts = []
        for merchant_id, merchant_lines in lines.items():
            merchant = merchants[merchant_id]
            method = choices.fulfilment.get(merchant_id) or _default_method(merchant)
            fee = _fee(merchant, method, consumer)
            commission = commissions[merchant_id]
            breakdown = price(merchant_lines, fee, merchant.tax.is_registered, commission)
            parts.append(MerchantOrderTerms(merchant_id, merchant.name, tuple(merchant_lines),
                                            method, breakdown, commission))
        return parts

    def _commissions(self, lines: dict[UUID, list[OrderLine]], listings: dict[UUID, Listing],
                     read: Read) -> dict[UUID, CommissionTerms]:
        """The rules each line is priced under (by its listing's category), recorded in the
        order so that it keeps them."""
        if self.commission_rates is None:
            return {merchant_id: CommissionTerms.flat(
                self.commission_rate, sum_money([line.amount for line in part]))
                for merchant_id, part in lines.items()}
        return self.commission_rates.terms({merchant_id: [
            (listings[line.listing_id].details.category, line.amount) for line in part]
            for merchant_id, part in lines.items()},
            read.found.get(self.commission_rates.schedule_id))


class MerchantsOfListings:
    """Which merchant each listing belongs to, as checkouts learned it: a listing never
    changes merchant, so this is never stale, in any process. It lets a checkout read its
    merchants in the same query as its listings. Bounded: the least recently used go first."""

    def __init__(self, size: int = 50_000) -> None:
        self.size = size
        self._known: OrderedDict[UUID, UUID] = OrderedDict()
        self._lock = threading.Lock()

    def known(self, listing_ids: Iterable[UUID]) -> list[UUID]:
        with self._lock:
            found = []
            for listing_id in listing_ids:
                if (merchant_id := self._known.get(listing_id)) is not None:
                    self._known.move_to_end(listing_id)
                    found.append(merchant_id)
            return found

    def learn(self, listings: Iterable[Listing]) -> None:
        with self._lock:
            for listing in listings:
                self._known[listing.id] = listing.merchant_id
                self._known.move_to_end(listing.id)
            while len(self._known) > self.size:
                self._known.popitem(last=False)


def _default_method(merchant: Merchant) -> Fulfilment:
    options = merchant.fulfilment
    if options.pickup:
        return Fulfilment.PICKUP
    return Fulfilment.SHIPPING if options.shipping_fee is not None else Fulfilment.DELIVERY


def _fee(merchant: Merchant, method: Fulfilment, consumer: Consumer) -> Money:
    options = merchant.fulfilment
    params = {"merchant_id": str(merchant.id), "method": str(method)}
    if method == Fulfilment.PICKUP:
        if not options.pickup:
            raise RuleViolatedError("fulfilment_not_offered", **params)
        return Money.zero()
    if method == Fulfilment.SHIPPING:
        if options.shipping_fee is None:
            raise RuleViolatedError("fulfilment_not_offered", **params)
        return options.shipping_fee
    if options.delivery_radius_km is None or options.delivery_fee is None:
        raise RuleViolatedError("fulfilment_not_offered", **params)
    where = _place(consumer.profile)
    if where is None:
        raise InvalidValueError("delivery_location_unknown", field="fulfilment")
    if where.distance_km(merchant.location) > options.delivery_radius_km:
        raise RuleViolatedError("delivery_out_of_range", radius_km=options.delivery_radius_km,
                                **params)
    return options.delivery_fee


def _place(profile: PersonalData) -> GeoPoint | None:
    """The consumer's municipality centre (else their postal code's area): coarse enough for
    a delivery radius, and nothing more precise about where they live is ever computed."""
    return locate_address(profile.get("municipality") or "", profile.get("region") or "",
                          profile.get("postal_code"))


def _address(consumer: Consumer) -> PersonalData:
    values = {k: v for k in ADDRESS_FIELDS if (v := consumer.profile.get(k))}
    if "street" not in values:
        raise RuleViolatedError("delivery_address_missing")
    return PersonalData(consumer.id, values)
