"""Checkout and payment, through the public services, on the in-memory event store with the
local gateway: one cart across three merchants paid once, a declined card, an unpaid order
expiring on a moved clock."""

from __future__ import annotations

from datetime import timedelta

from domain.money import Money
from tests.unit.conftest import Services
from tests.unit.market import SHARES, STOCK, TOTALS, Market, part


def test_a_cart_across_three_merchants_is_charged_once_for_the_sum_of_their_totals(
        services: Services, market: Market) -> None:
    order = market.buy(quantity=2)

    assert (order.status, order.payment_status, order.payment_note) == (
        "confirmed", "captured", None)
    assert [p.status for p in order.parts] == ["placed"] * 3
    parts = [part(order, m) for m in market.merchant_ids]
    assert [p.terms.breakdown.total.cents for p in parts] == TOTALS
    assert [p.terms.breakdown.share.cents for p in parts] == SHARES
    assert order.total == Money(sum(TOTALS)) == Money(102_25)
    assert services.gateway.records(order.id).captured == Money(102_25)  # charged once
    assert [market.stock(m) for m in market.merchant_ids] == [(STOCK, 2)] * 3


def test_the_order_is_seen_the_same_by_its_shopper_afterwards(services: Services,
                                                              market: Market) -> None:
    shopper = market.shopper()
    order = market.buy(consumer=shopper)
    seen = services.orders.get(shopper, order.id)
    assert (seen.status, seen.payment_status, seen.total) == (
        "confirmed", "captured", Money(102_25))
    assert [(p.terms.merchant_id, p.status) for p in seen.parts] == [
        (p.terms.merchant_id, "placed") for p in order.parts]


def test_a_declined_card_fails_the_order_and_releases_every_reservation(
        services: Services, market: Market) -> None:
    order = market.buy(method="pm_card_chargeDeclined")

    assert (order.status, order.payment_status, order.status_reason) == (
        "failed", "failed", "generic_decline")
    assert [p.status for p in order.parts] == ["cancelled"] * 3
    assert [market.stock(m) for m in market.merchant_ids] == [(STOCK, 0)] * 3
    assert services.gateway.records(order.id).captured == Money(0)


def test_an_unpaid_order_expires_when_its_window_closes_and_gives_its_stock_back(
        services: Services, market: Market) -> None:
    # The gateway does not answer: the order waits for its payment, the stock reserved.
    shopper = market.shopper()
    order = market.buy(method="pm_card_timeout", consumer=shopper)
    assert (order.status, order.payment_status, order.payment_note) == (
        "awaiting_payment", "pending", "gateway_timeout")
    assert [market.stock(m) for m in market.merchant_ids] == [(STOCK, 2)] * 3
    services.settle()

    # Within the window nothing expires.
    services.clock.advance(timedelta(minutes=14))
    assert services.checkout.expire_due() == 0

    # Past it, the order expires and every reservation is released.
    services.clock.advance(timedelta(minutes=2))
    assert services.checkout.expire_due() == 1
    expired = services.orders.get(shopper, order.id)
    assert (expired.status, expired.status_reason) == ("expired", "gateway_timeout")
    assert [p.status for p in expired.parts] == ["cancelled"] * 3
    assert [market.stock(m) for m in market.merchant_ids] == [(STOCK, 0)] * 3

    # Once expired, it is no longer due.
    services.settle()
    assert services.checkout.expire_due() == 0


def test_a_paid_order_never_expires(services: Services, market: Market) -> None:
    order = market.buy()
    services.settle()
    services.clock.advance(timedelta(days=2))
    assert services.checkout.expire_due() == 0
    assert order.status == "confirmed"
    assert [market.stock(m) for m in market.merchant_ids] == [(STOCK, 2)] * 3
