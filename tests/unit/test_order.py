"""The Order aggregate's lifecycle: payment first, then each merchant's part."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from uuid import uuid4

import pytest

from domain.errors import IllegalTransitionError, RuleViolatedError
from domain.money import Money
from domain.order import Order
from domain.order_terms import Fulfilment, MerchantOrderTerms, OrderLine
from domain.pricing import PricedLine, price
from domain.taxonomy import TaxClass

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
A, B = uuid4(), uuid4()


def part(merchant_id, cents: int) -> MerchantOrderTerms:  # noqa: ANN001
    line = OrderLine(uuid4(), "Article", Money(cents), 1, TaxClass.TAXABLE)
    breakdown = price([PricedLine(line.unit_price, 1, line.tax_class)], Money.zero(), True,
                      Decimal("0.08"))
    return MerchantOrderTerms(merchant_id, "Commerce", (line,), Fulfilment.PICKUP, breakdown)


def new_order() -> Order:
    return Order(uuid4(), uuid4(), None, (part(A, 10_00), part(B, 20_00)), None,
                 NOW + timedelta(minutes=15))


def test_nothing_happens_to_a_part_before_the_payment_is_captured() -> None:
    order = new_order()
    for act in (lambda: order.accept(A), lambda: order.decline(A, "x"),
                lambda: order.refund(A, Money(1_00), "x", uuid4())):
        with pytest.raises(IllegalTransitionError) as error:
            act()
        assert error.value.params["state"] == "awaiting_payment"


def test_a_paid_order_moves_part_by_part_and_completes() -> None:
    order = new_order()
    order.record_payment("pi_1")
    order.authorize()
    order.capture()
    assert (order.status, order.total) == ("confirmed", Money(11_50 + 23_00))
    order.accept(A)
    with pytest.raises(IllegalTransitionError):
        order.fulfil(B)  # not accepted yet
    order.fulfil(A)
    order.decline(B, "Rupture")
    assert (order.status, order.part_status) == (
        "completed", {A.hex: "fulfilled", B.hex: "declined"})
    with pytest.raises(IllegalTransitionError):
        order.accept(A)


def test_refunds_of_a_part_never_exceed_what_it_cost() -> None:
    order = new_order()
    order.capture()
    order.refund(A, Money(11_00), "Abîmé", uuid4())
    with pytest.raises(RuleViolatedError, match="refund_exceeds_paid"):
        order.refund(A, Money(51), "Encore", uuid4())
    order.refund(A, Money(50), "Le reste", uuid4())
    assert (order.refunded(A), order.refundable(A), order.refundable(B)) == (
        Money(11_50), Money.zero(), Money(23_00))
    with pytest.raises(RuleViolatedError, match="merchant_not_in_order"):
        order.refund(uuid4(), Money(1), "?", uuid4())


def test_an_unpaid_order_expires_only_after_its_window() -> None:
    order = new_order()
    order.note_payment_delay("gateway_timeout")
    assert order.expire(NOW + timedelta(minutes=14)) is False
    assert order.expire(NOW + timedelta(minutes=15)) is True
    assert (order.status, order.status_reason) == ("expired", "gateway_timeout")
    assert set(order.part_status.values()) == {"cancelled"}
    with pytest.raises(IllegalTransitionError):
        order.capture()  # a late capture cannot revive it: the stock is gone


def test_a_failed_payment_cancels_every_part() -> None:
    order = new_order()
    order.fail_payment("card_declined")
    order.fail_payment("card_declined")  # a redelivered outcome changes nothing
    assert (order.status, order.status_reason, order.payment_status) == (
        "failed", "card_declined", "failed")
    assert len([e for e in order.collect_events() if type(e).__name__ == "PaymentFailed"]) == 1
