"""Carts: lines from any number of merchants, shown with today's prices and stock."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from eventsourcing.domain import Aggregate

from application.actors import Actor, Role
from application.errors import NotFoundError, denied
from application.idempotency import IdempotencyKey
from application.service import Service
from domain.cart import Cart, line_key
from domain.errors import InvalidValueError, RuleViolatedError
from domain.listing import Listing
from domain.merchant import Merchant
from domain.merchant_profile import FulfilmentOptions
from domain.money import Money, total
from domain.storefront import Storefront


@dataclass(frozen=True)
class CartLineView:
    listing_id: UUID
    title: str
    unit_price: Money
    quantity: int
    amount: Money
    available: int
    problems: tuple[str, ...]  # listing_unavailable, merchant_unavailable, insufficient_stock
    variant_id: UUID | None = None  # the variant bought, for a listing sold by variant


@dataclass(frozen=True)
class CartMerchantView:
    merchant_id: UUID
    name: str
    lines: list[CartLineView]
    subtotal: Money
    fulfilment: FulfilmentOptions


@dataclass(frozen=True)
class CartView:
    id: UUID
    consumer_id: UUID
    storefront: str | None
    order_id: UUID | None
    merchants: list[CartMerchantView]
    subtotal: Money

    @property
    def ready(self) -> bool:
        """Every line can be bought as it stands."""
        return bool(self.merchants) and not any(
            line.problems for m in self.merchants for line in m.lines)


class Carts(Service):
    def open(self, actor: Actor, storefront: str | None = None,
             key: IdempotencyKey | None = None) -> CartView:
        """A consumer's new cart, credited to a storefront if one is named (it must exist)."""
        if actor.role != Role.CONSUMER:
            raise denied(actor.is_anonymous)
        if storefront is not None and not self.exists(Storefront.create_id(storefront)):
            raise InvalidValueError("storefront_unknown", field="storefront")

        def build() -> tuple[UUID, list[Aggregate]]:
            cart = Cart(consumer_id=UUID(actor.subject), storefront=storefront)
            return cart.id, [cart]

        return self.get(actor, self.create(key, build))

    def get(self, actor: Actor, cart_id: UUID) -> CartView:
        return self.view(self.owned(actor, cart_id))

    def set_line(self, actor: Actor, cart_id: UUID, listing_id: UUID, quantity: int,
                 variant_id: UUID | None = None) -> CartView:
        def attempt() -> tuple[Cart, int]:
            cart = self.owned(actor, cart_id)
            if not cart.has_line(listing_id, variant_id):  # a new line must be for sale today
                listing = self.load(Listing, listing_id, "listing")
                merchant = self.load(Merchant, listing.merchant_id, "merchant")
                if not (listing.is_published and merchant.is_approved):
                    raise RuleViolatedError("listing_not_for_sale", listing_id=str(listing_id),
                                            title=listing.details.title_fr)
                listing.variant(variant_id)  # named if sold by variant, and one of its own
            before = cart.lines.get(line_key(listing_id, variant_id), 0)
            cart.set_line(listing_id, quantity, variant_id)
            self.save(cart)
            return cart, before

        cart, before = self.retrying(attempt, serialise=[cart_id])
        view = self.view(cart)
        if quantity > before:  # an item added; fewer of them, or the same again, is not
            self.sightings.saw(actor, "add_to_cart", [
                m.merchant_id for m in view.merchants
                if any(line.listing_id == listing_id for line in m.lines)])
        return view

    def remove_line(self, actor: Actor, cart_id: UUID, listing_id: UUID,
                    variant_id: UUID | None = None) -> CartView:
        def attempt() -> Cart:
            cart = self.owned(actor, cart_id)
            cart.remove_line(listing_id, variant_id)
            self.save(cart)
            return cart

        return self.view(self.retrying(attempt, serialise=[cart_id]))

    def owned(self, actor: Actor, cart_id: UUID) -> Cart:
        actor.require_signed_in()
        cart = self.load(Cart, cart_id, "cart")
        if actor.role != Role.CONSUMER or actor.subject != str(cart.consumer_id):
            raise NotFoundError("cart")
        return cart

    def view(self, cart: Cart) -> CartView:
        """Today's prices and stock; a line whose listing or merchant cannot sell is flagged,
        never dropped."""
        groups: dict[UUID, tuple[Merchant, list[CartLineView]]] = {}
        for listing_id, variant_id, quantity in cart.items():
            listing = self.load(Listing, listing_id, "listing")
            merchant = groups.get(listing.merchant_id, (None,))[0] or self.load(
                Merchant, listing.merchant_id, "merchant")
            sellable = _sellable_as(listing, variant_id)
            available = listing.available_of(variant_id) if sellable else 0
            problems = tuple(problem for problem, present in (
                ("listing_unavailable", not listing.is_published or not sellable),
                ("merchant_unavailable", not merchant.is_approved),
                ("insufficient_stock", available < quantity),
            ) if present)
            price = listing.price_of(variant_id) if sellable else listing.details.price
            title = listing.title_of(variant_id) if sellable else listing.details.title_fr
            line = CartLineView(listing_id, title, price, quantity, price.times(quantity),
                                max(0, available), problems, variant_id)
            groups.setdefault(listing.merchant_id, (merchant, []))[1].append(line)
        merchants = [
            CartMerchantView(m.id, m.name, lines, total([line.amount for line in lines]),
                             m.fulfilment)
            for m, lines in groups.values()
        ]
        return CartView(cart.id, cart.consumer_id, cart.storefront, cart.order_id, merchants,
                        total([m.subtotal for m in merchants]))


def _sellable_as(listing: Listing, variant_id: UUID | None) -> bool:
    """Whether the line still names a way the listing is sold (it may have got variants, or
    lost none: variants are never removed)."""
    try:
        listing.variant(variant_id)
    except InvalidValueError:
        return False
    return True
