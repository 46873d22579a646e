"""The merchants' side of a paid order, through the public services, on the in-memory event
store with the local gateway: fulfilment consumes the stock, a decline releases it and refunds
the part, and no refund ever exceeds what was paid."""

from __future__ import annotations

import pytest

from domain.errors import IllegalTransitionError, RuleViolatedError
from domain.money import Money
from tests.unit.conftest import Services
from tests.unit.market import STOCK, TOTALS, Market, part


def test_accepting_then_fulfilling_a_merchant_order_takes_its_goods_out_of_the_stock(
        services: Services, market: Market) -> None:
    order = market.buy(quantity=2)
    first, *others = market.merchant_ids

    # The merchant accepts: the goods stay reserved.
    owner = market.owners[first]
    accepted = services.orders.accept(owner, order.id, first)
    assert [p.status for p in accepted.parts] == ["accepted"]  # a merchant sees its own part
    assert market.stock(first) == (STOCK, 2)

    # It hands them over: they leave the stock; the other merchants' stay reserved.
    fulfilled = services.orders.fulfil(owner, order.id, first)
    assert [p.status for p in fulfilled.parts] == ["fulfilled"]
    assert market.stock(first) == (STOCK - 2, 0)
    assert [market.stock(m) for m in others] == [(STOCK, 2)] * 2
    assert services.orders.get(market.owners[others[0]], order.id).status == "confirmed"

    # Once every part is handed over, the order is completed.
    for merchant_id in others:
        market.hand_over(order.id, merchant_id)
    assert services.orders.get(owner, order.id).status == "completed"
    assert [market.stock(m) for m in market.merchant_ids] == [(STOCK - 2, 0)] * 3


def test_a_merchant_order_cannot_be_fulfilled_before_it_is_accepted(
        services: Services, market: Market) -> None:
    order = market.buy()
    first = market.merchant_ids[0]
    with pytest.raises(IllegalTransitionError):
        services.orders.fulfil(market.owners[first], order.id, first)
    assert market.stock(first) == (STOCK, 2)


def test_a_declined_merchant_order_gives_its_stock_back_and_is_refunded_in_full(
        services: Services, market: Market) -> None:
    order = market.buy(quantity=2)
    first, second, third = market.merchant_ids

    declined = services.orders.decline(market.owners[second], order.id, second, "Rupture")

    [mine] = declined.parts
    assert (mine.status, mine.reason) == ("declined", "Rupture")
    assert (mine.refunded, mine.refundable) == (Money(TOTALS[1]), Money(0))
    assert [r.gateway_refund_id is not None for r in mine.refunds] == [True]  # settled
    assert market.stock(second) == (STOCK, 0)
    assert [market.stock(m) for m in (first, third)] == [(STOCK, 2)] * 2
    assert services.gateway.records(order.id).refunded == Money(TOTALS[1])


def test_a_refund_never_exceeds_what_was_paid_for_the_merchant_order(
        services: Services, market: Market) -> None:
    order = market.buy(quantity=2)
    first = market.merchant_ids[0]
    owner = market.owners[first]

    # Part of it, then more than is left: refused, naming what is left.
    refunded = services.orders.refund(owner, order.id, first, Money(10_00), "Abîmé")
    assert (part(refunded, first).refunded, part(refunded, first).refundable) == (
        Money(10_00), Money(TOTALS[0] - 10_00))
    with pytest.raises(RuleViolatedError) as refused:
        services.orders.refund(owner, order.id, first, Money(TOTALS[0] - 10_00 + 1), "Abîmé")
    assert (refused.value.code, refused.value.params) == (
        "refund_exceeds_paid", {"refundable_cents": TOTALS[0] - 10_00})

    # Exactly what is left: then nothing more, not even a cent.
    rest = services.orders.refund(owner, order.id, first, Money(TOTALS[0] - 10_00), "Abîmé")
    assert (part(rest, first).refunded, part(rest, first).refundable) == (
        Money(TOTALS[0]), Money(0))
    with pytest.raises(RuleViolatedError):
        services.orders.refund(owner, order.id, first, Money(1), "Abîmé")
    assert services.gateway.records(order.id).refunded == Money(TOTALS[0])
