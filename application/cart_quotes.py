"""What a cart would cost, per merchant, before checking out: the subtotal, the fulfilment
chosen (or the merchant's default) and its fee, GST and QST — priced by the same rules as the
checkout (domain/pricing.py). The shop's cart and checkout pages show it; the checkout itself
prices again when it runs (prices are re-read then).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from application.actors import Actor
from application.carts import CartMerchantView, Carts, CartView
from domain.listing import Listing
from domain.merchant_profile import FulfilmentOptions
from domain.money import Money, total
from domain.order_terms import Fulfilment
from domain.pricing import Breakdown, price
from domain.taxonomy import TaxClass


@dataclass(frozen=True)
class _Line:
    amount: Money
    tax_class: TaxClass


@dataclass(frozen=True)
class MerchantQuote:
    merchant: CartMerchantView
    offered: tuple[Fulfilment, ...]  # the ways this merchant hands over, in this order
    method: Fulfilment
    breakdown: Breakdown


@dataclass(frozen=True)
class CartQuote:
    cart: CartView
    merchants: list[MerchantQuote]
    total: Money


def offered(options: FulfilmentOptions) -> tuple[Fulfilment, ...]:
    return tuple(method for method, present in (
        (Fulfilment.PICKUP, options.pickup),
        (Fulfilment.DELIVERY, options.delivery_radius_km is not None),
        (Fulfilment.SHIPPING, options.shipping_fee is not None),
    ) if present)


def _fee(options: FulfilmentOptions, method: Fulfilment) -> Money:
    if method == Fulfilment.DELIVERY:
        return options.delivery_fee or Money.zero()
    if method == Fulfilment.SHIPPING:
        return options.shipping_fee or Money.zero()
    return Money.zero()


class CartQuotes:
    """Read-only: loads the cart as its owner sees it and prices each merchant's part."""

    def __init__(self, carts: Carts) -> None:
        self.carts = carts

    def quote(self, actor: Actor, cart_id: UUID,
              choices: dict[UUID, Fulfilment] | None = None) -> CartQuote:
        return self.of(self.carts.get(actor, cart_id), choices)

    def of(self, cart: CartView, choices: dict[UUID, Fulfilment] | None = None) -> CartQuote:
        """A cart its owner has just read (Carts.get), priced."""
        quotes = [self._merchant(part, (choices or {}).get(part.merchant_id))
                  for part in cart.merchants]
        return CartQuote(cart, quotes, total([q.breakdown.total for q in quotes]))

    def _merchant(self, part: CartMerchantView, asked: Fulfilment | None) -> MerchantQuote:
        methods = offered(part.fulfilment) or (Fulfilment.PICKUP,)
        method = asked if asked in methods else methods[0]
        lines = [_Line(line.amount, self.carts.load(Listing, line.listing_id,
                                                    "listing").details.tax_class)
                 for line in part.lines]
        # The commission is the platform's business, not the shopper's: priced at zero here.
        breakdown = price(lines, _fee(part.fulfilment, method), True, Decimal(0))
        return MerchantQuote(part, methods, method, breakdown)
