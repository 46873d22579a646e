"""Three approved merchants with one listing each, and a shopper, through the public use cases.

The merchants differ where the figures do: a registered one selling taxable goods, a small
supplier selling zero-rated goods, a small supplier selling taxable goods (the platform
remits its taxes).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from uuid import UUID, uuid4

from application.actors import Actor, Role
from application.catalog import ListingView
from application.checkout import CheckoutChoices
from application.orders import OrderView, PartView
from tests.unit.test_merchant import form
from tests.unit.test_merchant_services import LISTING

if TYPE_CHECKING:
    from tests.unit.conftest import Services

VALIDATOR = Actor(Role.VALIDATOR, str(uuid4()))
SHOPPER = {"name": "Luc Roy", "email": "luc@courriel.example", "phone": None, "address": None}
REGISTERED = {"small_supplier": False, "gst_number": "123456789RT0001",
              "qst_number": "1234567890TQ0001"}
SMALL_SUPPLIER = {"small_supplier": True, "gst_number": None, "qst_number": None}
OFFERS = [(12_99, "taxable", REGISTERED), (7_50, "zero_rated", SMALL_SUPPLIER),
          (24_95, "taxable", SMALL_SUPPLIER)]
STOCK = 100

# Two of each listing, picked up (no fee), at the default commission (8 %):
# Commerce 0, registered, taxable 2 × 12.99 = 25.98 + GST 1.30 + QST 2.59 = 29.87
# Commerce 1, small supplier, zero-rated 2 × 7.50 = 15.00
# Commerce 2, small supplier, taxable 2 × 24.95 = 49.90 + GST 2.50 + QST 4.98 = 57.38
TOTALS = [29_87, 15_00, 57_38]
# Less the commission (8 % of the goods), and for the small suppliers the taxes the platform
# remits for them.
SHARES = [29_87 - 2_08, 15_00 - 1_20, 57_38 - 3_99 - 2_50 - 4_98]


@dataclass
class Market:
    s: Services
    owners: dict[UUID, Actor] = field(default_factory=dict)
    listings: dict[UUID, UUID] = field(default_factory=dict)  # merchant id → its listing

    def __post_init__(self) -> None:
        for n, (price, tax_class, tax) in enumerate(OFFERS):
            merchant = self.s.merchants.apply(form(neq=f"11654321{n:02d}", name=f"Commerce {n}",
                                                   tax=tax))
            self.s.merchants.approve(VALIDATOR, merchant.id)
            owner = Actor(Role.MERCHANT, str(uuid4()), merchant.id)
            listing_id = self.s.catalog.create_listing(owner, merchant.id, {
                **LISTING, "title_fr": f"Article {n}", "price_cents": price,
                "tax_class": tax_class})
            self.s.catalog.set_stock(owner, listing_id, STOCK)
            self.s.catalog.publish(owner, listing_id)
            self.owners[merchant.id], self.listings[merchant.id] = owner, listing_id

    @property
    def merchant_ids(self) -> list[UUID]:
        return list(self.listings)

    def shopper(self) -> Actor:
        consumer = Actor(Role.CONSUMER, str(uuid4()))
        self.s.consumers.register(consumer, SHOPPER)
        return consumer

    def buy(self, quantity: int = 2, method: str | None = "pm_card_visa",
            consumer: Actor | None = None) -> OrderView:
        """One cart with `quantity` of every merchant's listing, checked out."""
        consumer = consumer or self.shopper()
        cart = self.s.carts.open(consumer)
        for listing_id in self.listings.values():
            self.s.carts.set_line(consumer, cart.id, listing_id, quantity)
        return self.s.checkout.check_out(consumer, cart.id,
                                         CheckoutChoices(payment_method=method))

    def stock(self, merchant_id: UUID) -> tuple[int | None, int | None]:
        """(on hand, reserved) of the merchant's listing, as its owner sees them."""
        listing: ListingView = self.s.catalog.get(self.owners[merchant_id],
                                                  self.listings[merchant_id])
        return listing.on_hand, listing.reserved

    def onboard(self, merchant_id: UUID) -> None:
        self.s.payouts.set_up_account(self.owners[merchant_id], merchant_id,
                                      "https://comptoir.test/refresh",
                                      "https://comptoir.test/return")

    def hand_over(self, order_id: UUID, merchant_id: UUID) -> OrderView:
        owner = self.owners[merchant_id]
        self.s.orders.accept(owner, order_id, merchant_id)
        return self.s.orders.fulfil(owner, order_id, merchant_id)

    def transfers(self, order_id: UUID) -> dict[UUID | None, tuple[int, int]]:
        """What the gateway moved for the order: per merchant, (transferred, reversed)."""
        records = self.s.gateway.records(order_id)
        return {t.merchant_id: (t.amount.cents, t.reversed.cents) for t in records.transfers}


def part(order: OrderView, merchant_id: UUID) -> PartView:
    return next(p for p in order.parts if p.terms.merchant_id == merchant_id)
