"""Every sum balances to the cent, for any cart and any sequence of refunds (hypothesis)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from uuid import uuid4

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from domain.errors import InvalidValueError, RuleViolatedError
from domain.money import Money
from domain.order_terms import OrderLine
from domain.pricing import Breakdown, allocate_refund, price
from domain.taxonomy import TaxClass

lines = st.lists(st.builds(
    OrderLine,
    listing_id=st.uuids(version=4),
    title=st.just("Article"),
    unit_price=st.integers(1, 500_000).map(Money),
    quantity=st.integers(1, 999),
    tax_class=st.sampled_from(list(TaxClass)),
), min_size=1, max_size=12)
fees = st.integers(0, 50_00).map(Money)
rates = st.decimals(min_value=0, max_value=Decimal("0.5"), places=4)
merchant_orders = st.builds(price, lines, fees, st.booleans(), rates)


def order_line(cents: int, quantity: int, tax_class: TaxClass) -> OrderLine:
    return OrderLine(uuid4(), "Article", Money(cents), quantity, tax_class)


def reference_tax(base_cents: int, rate: str) -> int:
    return int((Decimal(base_cents) * Decimal(rate)).quantize(Decimal(1), ROUND_HALF_UP))


@given(st.lists(merchant_orders, min_size=1, max_size=6))
def test_an_order_total_is_shares_plus_commissions_plus_platform_taxes(parts: list) -> None:
    total = sum(p.total.cents for p in parts)
    assert total == sum(p.share.cents + p.commission.cents + p.platform_taxes.cents
                        for p in parts)


@given(lines, fees, st.booleans(), rates)
def test_taxes_and_commission_match_a_decimal_reference(
    priced: list[OrderLine], fee: Money, registered: bool, rate: Decimal
) -> None:
    b = price(priced, fee, registered, rate)
    goods = sum(line.unit_price.cents * line.quantity for line in priced)
    taxable_goods = sum(line.unit_price.cents * line.quantity for line in priced
                        if line.tax_class == TaxClass.TAXABLE)
    base = taxable_goods + fee.cents if taxable_goods else 0
    assert b.subtotal.cents == goods and b.taxable.cents == base
    assert b.gst.cents == reference_tax(base, "0.05")
    assert b.qst.cents == reference_tax(base, "0.09975")
    assert b.commission.cents == int((Decimal(goods) * rate).quantize(Decimal(1), ROUND_HALF_UP))
    assert b.total.cents == goods + fee.cents + b.gst.cents + b.qst.cents
    assert b.platform_remits is (not registered)
    assert b.share.cents == b.total.cents - b.commission.cents - (
        0 if registered else b.gst.cents + b.qst.cents)


def test_one_hundred_dollars_of_taxable_goods() -> None:
    b = price([order_line(100_00, 1, TaxClass.TAXABLE)], Money.zero(), False, Decimal("0.08"))
    assert (b.gst, b.qst, b.total, b.commission, b.share) == (
        Money(5_00), Money(9_98), Money(114_98), Money(8_00), Money(92_00))


def test_basic_groceries_bear_no_tax_nor_does_their_delivery() -> None:
    b = price([order_line(12_99, 2, TaxClass.ZERO_RATED)], Money(5_99), True, Decimal("0.08"))
    assert (b.taxable, b.gst, b.qst, b.total) == (Money.zero(), Money.zero(), Money.zero(),
                                                  Money(31_97))


@st.composite
def refund_sequences(draw: st.DrawFn) -> tuple[Breakdown, list[int]]:
    order = draw(merchant_orders)
    amounts = draw(st.lists(st.integers(1, max(1, order.total.cents)), max_size=8))
    return order, amounts


@given(refund_sequences())
def test_refunds_never_exceed_what_was_paid_and_always_balance(
    case: tuple[Breakdown, list[int]]
) -> None:
    order, amounts = case
    refunded = Money.zero()
    parts = []
    for cents in amounts:
        try:
            refund = allocate_refund(order, refunded, Money(cents))
        except RuleViolatedError:
            assert refunded.cents + cents > order.total.cents
            continue
        assert refund.balances
        refunded += refund.amount
        parts.append(refund)
    assert refunded <= order.total
    if refunded == order.total:  # a complete refund returns every component exactly
        assert sum(p.gst.cents for p in parts) == order.gst.cents
        assert sum(p.qst.cents for p in parts) == order.qst.cents
        assert sum(p.commission.cents for p in parts) == order.commission.cents
        assert sum(p.share.cents for p in parts) == order.share.cents


@given(merchant_orders, st.integers(1, 20))
def test_refunding_everything_in_slices_returns_each_component_exactly(
    order: Breakdown, slices: int
) -> None:
    assume(order.total.cents >= slices)
    step, refunded, parts = order.total.cents // slices, Money.zero(), []
    for i in range(slices):
        cents = step if i < slices - 1 else order.total.cents - refunded.cents
        parts.append(allocate_refund(order, refunded, Money(cents)))
        refunded += Money(cents)
    for component in ("gst", "qst", "commission", "share", "platform_taxes"):
        assert sum(getattr(p, component).cents for p in parts) == getattr(
            order, component).cents, component


def test_a_refund_above_what_remains_is_refused() -> None:
    order = price([order_line(10_00, 1, TaxClass.TAXABLE)], Money.zero(), True, Decimal("0.1"))
    first = allocate_refund(order, Money.zero(), Money(10_00))
    assert order.total == Money(11_50)  # 10.00 + GST 0.50 + QST 0.9975 -> 1.00
    with pytest.raises(RuleViolatedError) as error:
        allocate_refund(order, first.amount, Money(1_51))
    assert error.value.params == {"refundable_cents": 1_50}
    assert allocate_refund(order, first.amount, Money(1_50)).amount == Money(1_50)
    with pytest.raises(InvalidValueError):
        allocate_refund(order, Money.zero(), Money(0))
