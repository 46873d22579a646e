"""The lists' stock columns follow a batch of stock changes as they happened (both backends)."""

from __future__ import annotations

from uuid import uuid4

from api.container import Container
from application.actors import Actor, Role
from application.checkout import CheckoutChoices
from domain.listing import StockReason
from tests.integration.test_checkout import CONSUMER_PROFILE
from tests.integration.test_payouts import Market


def test_stock_set_adjusted_and_reserved_in_one_batch_of_the_log_lands_in_the_list_rows(
        shop: Container) -> None:
    """The merchant's catalogue list gathers a batch's stock changes before writing them:
    a count, a delivery, a sale, a recount, all before the list follows, read as they
    happened."""
    market = Market(shop)
    market.settle()
    merchant_id, listing_id = next(iter(market.listings.items()))
    owner = market.owners[merchant_id]
    shop.catalog.set_stock(owner, listing_id, 10)  # a count
    shop.catalog.adjust_stock(owner, listing_id, 5, StockReason.RECEIVED)  # a delivery: 15
    consumer = Actor(Role.CONSUMER, str(uuid4()))
    shop.consumers.register(consumer, CONSUMER_PROFILE)
    cart = shop.carts.open(consumer)
    shop.carts.set_line(consumer, cart.id, listing_id, 2)
    shop.checkout.check_out(consumer, cart.id, CheckoutChoices())  # 2 reserved
    shop.catalog.adjust_stock(owner, listing_id, -1, StockReason.DAMAGED)  # broken: 14
    before = shop.projections["lists"].position()
    assert shop.projections["lists"].catch_up() >= 4  # one batch
    assert shop.projections["lists"].position() > before
    [row] = [r for r in shop.lists.merchant_listings(owner, merchant_id).items
             if r.listing_id == listing_id]
    listing = shop.catalog.get(owner, listing_id)
    assert (row.on_hand, row.reserved) == (listing.on_hand, listing.reserved) == (14, 2)
    shop.catalog.set_stock(owner, listing_id, 30)  # a recount replaces what was added
    shop.projections["lists"].catch_up()
    [row] = [r for r in shop.lists.merchant_listings(owner, merchant_id).items
             if r.listing_id == listing_id]
    assert (row.on_hand, row.reserved) == (30, 2)
