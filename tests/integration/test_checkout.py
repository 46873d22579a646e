"""Checkout on the real stores: compensation, expiry, concurrent retries, both backends."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from types import SimpleNamespace
from typing import Any
from uuid import UUID, uuid4

import pytest

from adapters.clock import FixedClock
from api.container import Container, build_container
from api.settings import Settings
from application.actors import Actor, Role
from application.checkout import CheckoutChoices, MerchantsOfListings
from application.idempotency import IdempotencyKey
from domain.errors import RuleViolatedError
from tests.integration.test_event_store import VALIDATOR
from tests.unit.test_merchant import form
from tests.unit.test_merchant_services import LISTING

CONSUMER_PROFILE = {"name": "Luc Roy", "email": "luc@courriel.example", "phone": None,
                    "address": None}


def listing_in_stock(c: Container, on_hand: int) -> UUID:
    merchant = c.merchants.apply(form())
    c.merchants.approve(VALIDATOR, merchant.id)
    owner = Actor(Role.MERCHANT, str(uuid4()), merchant.id)
    listing_id = c.catalog.create_listing(owner, merchant.id, LISTING)
    c.catalog.set_stock(owner, listing_id, on_hand)
    c.catalog.publish(owner, listing_id)
    return listing_id


def consumer_with_cart(c: Container, listing_id: UUID, quantity: int) -> tuple[Actor, UUID]:
    consumer = Actor(Role.CONSUMER, str(uuid4()))
    c.consumers.register(consumer, CONSUMER_PROFILE)
    cart = c.carts.open(consumer)
    c.carts.set_line(consumer, cart.id, listing_id, quantity)
    return consumer, cart.id


def reserved(c: Container, listing_id: UUID) -> tuple[int, int]:
    listing = c.catalog.get(VALIDATOR, listing_id)
    return listing.on_hand or 0, listing.reserved or 0


def test_an_unanswered_payment_expires_with_its_window_and_gives_the_stock_back(
    shop: Container, clock: FixedClock
) -> None:
    listing_id = listing_in_stock(shop, 3)
    consumer, cart_id = consumer_with_cart(shop, listing_id, 2)
    order = shop.checkout.check_out(consumer, cart_id, CheckoutChoices(
        payment_method="pm_card_timeout"))
    assert (order.status, order.payment_status, order.payment_note) == (
        "awaiting_payment", "pending", "gateway_timeout")
    assert reserved(shop, listing_id) == (3, 2)
    shop.projections.catch_up()

    clock.advance(timedelta(minutes=14))
    assert shop.checkout.expire_due() == 0  # the window is still open
    clock.advance(timedelta(minutes=2))
    assert shop.checkout.expire_due() == 1
    expired = shop.orders.get(consumer, order.id)
    assert (expired.status, expired.status_reason) == ("expired", "gateway_timeout")
    assert [p.status for p in expired.parts] == ["cancelled"]
    assert reserved(shop, listing_id) == (3, 0)
    shop.projections.catch_up()
    assert shop.checkout.expire_due() == 0  # gone from the deadlines once expired


def test_a_paid_order_never_expires(shop: Container, clock: FixedClock) -> None:
    listing_id = listing_in_stock(shop, 3)
    consumer, cart_id = consumer_with_cart(shop, listing_id, 1)
    order = shop.checkout.check_out(consumer, cart_id, CheckoutChoices())
    assert order.status == "confirmed"
    shop.projections.catch_up()
    clock.advance(timedelta(days=2))
    assert shop.checkout.expire_due() == 0
    assert reserved(shop, listing_id) == (3, 1)


def test_ten_identical_retries_at_once_make_one_order(shop: Container) -> None:
    listing_id = listing_in_stock(shop, 5)
    consumer, cart_id = consumer_with_cart(shop, listing_id, 1)
    key = IdempotencyKey.of("buy-once", operation="carts.check_out", subject=consumer.subject,
                            request={"cart_id": str(cart_id)})

    def check_out(_: int) -> UUID:
        return shop.checkout.check_out(consumer, cart_id, CheckoutChoices(), key).id

    with ThreadPoolExecutor(max_workers=10) as pool:
        order_ids = set(pool.map(check_out, range(10)))
    assert len(order_ids) == 1
    placed = [n for n in shop.app.recorder.select_notifications(1, 10_000)
              if n.topic == "comptoir.Order.Placed"]
    captured = [n for n in shop.app.recorder.select_notifications(1, 10_000)
                if n.topic == "comptoir.Order.PaymentCaptured"]
    assert (len(placed), len(captured)) == (1, 1)
    assert reserved(shop, listing_id) == (5, 1)


def test_checkouts_from_two_processes_never_oversell(shop: Container, settings: Settings,
                                                     clock: FixedClock) -> None:
    """Two application instances meet only at the database: its optimistic concurrency check
    and the retries keep the stock exact."""
    other = build_container(settings, clock=clock)
    try:
        listing_id = listing_in_stock(shop, 6)
        buyers = [consumer_with_cart(shop, listing_id, 1) for _ in range(12)]

        def buy(i: int) -> str:
            consumer, cart_id = buyers[i]
            try:
                (shop, other)[i % 2].checkout.check_out(consumer, cart_id, CheckoutChoices())
            except Exception as error:  # noqa: BLE001
                return getattr(error, "code", type(error).__name__)
            return "sold"

        with ThreadPoolExecutor(max_workers=6) as pool:
            outcomes = sorted(pool.map(buy, range(12)))
        assert outcomes == ["insufficient_stock"] * 6 + ["sold"] * 6
        assert reserved(shop, listing_id) == (6, 6)
    finally:
        other.close()


def test_rebuilt_deadlines_equal_the_live_ones(shop: Container) -> None:
    listing_id = listing_in_stock(shop, 10)
    for method in ("pm_card_timeout", "pm_card_visa", "pm_card_timeout"):
        consumer, cart_id = consumer_with_cart(shop, listing_id, 1)
        shop.checkout.check_out(consumer, cart_id, CheckoutChoices(payment_method=method))
    deadlines = shop.projections["deadlines"]
    deadlines.catch_up()
    live = deadlines.store.dump()
    assert len(live) == 2  # the two unpaid orders
    deadlines.rebuild()
    assert deadlines.store.dump() == live


def searched(c: Container, listing_id: UUID) -> tuple[int, int]:
    """(available, whether `in_stock=true` finds it) as search tells a shopper."""
    from projections.search.query import check_filters

    c.projections.catch_up()
    everything = c.search.search_listings(check_filters(page_size=100))
    in_stock = c.search.search_listings(check_filters(in_stock=True, page_size=100))
    doc = next(h.doc for h in everything.hits if h.doc.id == listing_id)
    return doc.available, any(h.doc.id == listing_id for h in in_stock.hits)


def test_search_availability_follows_reservations_releases_and_fulfilment(
    shop: Container, clock: FixedClock
) -> None:
    listing_id = listing_in_stock(shop, 5)
    owner = Actor(Role.MERCHANT, str(uuid4()), shop.catalog.get(VALIDATOR, listing_id)
                  .merchant_id)
    assert searched(shop, listing_id) == (5, True)
    # a shopper buys 2 (reserved, held once paid): 3 left to sell
    consumer, cart_id = consumer_with_cart(shop, listing_id, 2)
    paid = shop.checkout.check_out(consumer, cart_id, CheckoutChoices())
    assert searched(shop, listing_id) == (3, True)
    # another buys the last 3: sold out
    other, other_cart = consumer_with_cart(shop, listing_id, 3)
    last = shop.checkout.check_out(other, other_cart, CheckoutChoices())
    assert searched(shop, listing_id) == (0, False)
    # the merchant declines the second order: its 3 units come back
    merchant_id = paid.parts[0].terms.merchant_id
    shop.orders.decline(owner, last.id, merchant_id, "Rupture chez le fournisseur")
    assert searched(shop, listing_id) == (3, True)
    # the first is fulfilled: 2 leave the shelf, 3 still on hand, none reserved
    shop.orders.accept(owner, paid.id, merchant_id)
    shop.orders.fulfil(owner, paid.id, merchant_id)
    assert searched(shop, listing_id) == (3, True)
    assert reserved(shop, listing_id) == (3, 0)
    # an unpaid order's reservation expires with its window
    late, late_cart = consumer_with_cart(shop, listing_id, 3)
    shop.checkout.check_out(late, late_cart, CheckoutChoices(payment_method="pm_card_timeout"))
    assert searched(shop, listing_id) == (0, False)
    shop.projections.catch_up()
    clock.advance(timedelta(minutes=16))
    assert shop.checkout.expire_due() == 1
    assert searched(shop, listing_id) == (3, True)
    # and a rebuild from the log says the same
    shop.projections["search"].rebuild()
    assert searched(shop, listing_id) == (3, True)


def test_a_checkout_reads_its_listings_merchants_and_rules_in_one_query_once_it_knows_them(
        shop: Container) -> None:
    # Under the listings' locks: one read for the consumer, the listings, their merchants and
    # the commission rules. The first checkout of a listing learns its merchant (a second
    # read); the next ones know it. A suspension in between is still seen.
    streams = shop.app.streams
    assert streams is not None
    listing_id = listing_in_stock(shop, 10)
    reads: list[list[UUID]] = []
    latest = streams.latest

    def counted(ids: list[UUID]) -> Any:
        reads.append(list(ids))
        return latest(ids)

    streams.latest = counted  # type: ignore[method-assign]
    first, second, third = (consumer_with_cart(shop, listing_id, 1) for _ in range(3))
    reads.clear()
    shop.checkout.check_out(*first, CheckoutChoices())
    merchant_id = shop.catalog.get(VALIDATOR, listing_id).merchant_id
    schedule_id = shop.checkout.commission_rates.schedule_id  # type: ignore[union-attr]
    [cart, together, merchants, *_] = reads
    assert cart == [first[1]] and together[1:] == [listing_id, schedule_id]
    assert merchants == [merchant_id]

    reads.clear()
    shop.checkout.check_out(*second, CheckoutChoices())
    [cart, together, *after] = reads
    assert together[1:] == [listing_id, merchant_id, schedule_id]
    assert merchant_id not in [i for read in after for i in read]  # not read a second time

    shop.merchants.suspend(VALIDATOR, merchant_id, "Vérification en cours")
    with pytest.raises(RuleViolatedError) as refused:
        shop.checkout.check_out(*third, CheckoutChoices())
    assert refused.value.code == "listing_not_for_sale"


def test_the_listings_merchants_a_process_remembers_are_bounded_least_recent_first() -> None:
    remembered = MerchantsOfListings(size=2)
    a, b, c = (SimpleNamespace(id=uuid4(), merchant_id=uuid4()) for _ in range(3))
    remembered.learn([a, b])  # type: ignore[list-item]
    assert remembered.known([a.id]) == [a.merchant_id]  # a is now the most recent
    remembered.learn([c])  # type: ignore[list-item]
    assert remembered.known([a.id, b.id, c.id]) == [a.merchant_id, c.merchant_id]
