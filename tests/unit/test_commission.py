"""Commission by rule, to the cent: precedence merchant > category > default, rates applied per
line and rounded once, the largest minimum of the rules used, never more than the goods'
subtotal; and every sum of domain/pricing.py still balances, for arbitrary rules (hypothesis)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from uuid import UUID, uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.commission import (
    AppliedRule,
    CommissionRule,
    CommissionTerms,
    check_minimum,
    check_rate,
)
from domain.commission_schedule import CommissionSchedule
from domain.errors import InvalidValueError
from domain.money import Money
from domain.order_terms import OrderLine
from domain.pricing import Breakdown, allocate_refund, price
from domain.taxonomy import CATEGORIES, TaxClass

MERCHANT = UUID(int=0xA)
SETTING = CommissionRule("default", 0, Decimal("0.08"), Money.zero())


def line(cents: int, quantity: int, tax_class: TaxClass) -> OrderLine:
    return OrderLine(uuid4(), "Article", Money(cents), quantity, tax_class)


def schedule(*rules: tuple[str, str, int]) -> CommissionSchedule:
    s = CommissionSchedule()
    for rule_id, rate, minimum in rules:
        s.set_rule(rule_id, Decimal(rate), Money(minimum), by="admin")
    return s


def test_several_categories_each_at_its_rate_rounded_once_with_gst_and_qst() -> None:
    # A registered merchant: 2 × 12.99 cheese (6 % rule, zero-rated) and a 4.75 beer (the
    # default rule, 8 %, minimum 1.00; taxable), delivered for 5.00.
    rules = schedule(("default", "0.08", 1_00), ("category:fromagerie", "0.06", 0))
    cheese, beer = line(12_99, 2, TaxClass.ZERO_RATED), line(4_75, 1, TaxClass.TAXABLE)
    terms = rules.terms(MERCHANT, [("fromagerie", cheese.amount), ("boissons", beer.amount)],
                        SETTING)
    assert [(r.rule_id, r.version, r.rate, r.base) for r in terms.rules] == [
        ("category:fromagerie", 3, Decimal("0.06"), Money(25_98)),
        ("default", 2, Decimal("0.08"), Money(4_75))]
    b = price([cheese, beer], Money(5_00), True, terms)
    # 25.98 × 6 % + 4.75 × 8 % = 1.5588 + 0.38 = 1.9388 → 1.94 (above the 1.00 minimum)
    assert b.commission == Money(1_94)
    # taxable: 4.75 + 5.00 = 9.75; GST 0.4875 → 0.49; QST 0.9725625 → 0.97
    assert (b.taxable, b.gst, b.qst) == (Money(9_75), Money(49), Money(97))
    assert b.subtotal == Money(25_98 + 4_75) == Money(30_73)
    assert b.total == Money(30_73 + 5_00 + 49 + 97) == Money(37_19)
    assert b.share == Money(37_19 - 1_94) == Money(35_25)  # it remits its own taxes
    assert b.total == b.share + b.commission + b.platform_taxes
    assert terms.summary == ("category:fromagerie v3 6 % on 25.98; default v2 8 % on 4.75; "
                             "minimum 1.00")


def test_a_merchant_rule_wins_and_its_minimum_applies_for_a_small_supplier() -> None:
    # 5 % for this merchant with a 2.00 minimum, over a 7 % rule for its category.
    rules = schedule(("category:artisanat", "0.07", 0), (f"merchant:{MERCHANT}", "0.05", 2_00))
    bowl = line(10_00, 1, TaxClass.TAXABLE)
    terms = rules.terms(MERCHANT, [("artisanat", bowl.amount)], SETTING)
    b = price([bowl], Money.zero(), False, terms)
    # 10.00 × 5 % = 0.50, below the minimum: 2.00
    assert b.commission == Money(2_00)
    # GST 0.50; QST 0.9975 → 1.00, remitted by the platform (not registered)
    assert (b.gst, b.qst, b.total) == (Money(50), Money(1_00), Money(11_50))
    assert b.share == Money(11_50 - 2_00 - 1_50) == Money(8_00)
    # half of it refunded: the commission's part is refunded in proportion
    half = allocate_refund(b, Money.zero(), Money(5_75))
    assert (half.commission, half.gst, half.qst, half.share) == (
        Money(1_00), Money(25), Money(50), Money(4_00))
    assert half.balances


def test_the_minimum_never_exceeds_the_goods_subtotal() -> None:
    rules = schedule((f"merchant:{MERCHANT}", "0.05", 5_00))
    pin = line(3_00, 1, TaxClass.ZERO_RATED)
    b = price([pin], Money.zero(), True, rules.terms(MERCHANT, [("bijoux", pin.amount)],
                                                      SETTING))
    assert (b.commission, b.share) == (Money(3_00), Money(0))


def test_without_rules_the_setting_is_the_default_and_one_rate_matches_the_old_rule() -> None:
    terms = CommissionSchedule().terms(MERCHANT, [("fromagerie", Money(33_33))], SETTING)
    assert terms == CommissionTerms.flat(Decimal("0.08"), Money(33_33))
    assert terms.commission(Money(33_33)) == Money(33_33).apply_rate(Decimal("0.08"))


def test_a_removed_rule_falls_back_and_versions_count_every_change() -> None:
    rules = schedule(("default", "0.08", 0), (f"merchant:{MERCHANT}", "0.02", 0))
    assert rules.set_rule("default", Decimal("0.08"), Money(0), by="admin") is False  # same
    rules.remove_rule(f"merchant:{MERCHANT}", by="admin")
    rule = rules.rule_for(MERCHANT, "fromagerie")
    assert rule is not None and (rule.rule_id, rule.version) == ("default", 2)
    assert rules.version == 4  # opened, two rules set, one removed
    with pytest.raises(Exception, match="commission_default_not_removable"):
        rules.remove_rule("default", by="admin")


@pytest.mark.parametrize("rate", ["-0.01", "1.00001", "NaN", "Infinity", "1e9", "0.123456",
                                  "8%", "", None, "sNaN"])
def test_bad_rates_are_refused(rate: object) -> None:
    with pytest.raises(InvalidValueError):
        check_rate(rate)


@pytest.mark.parametrize("cents", [-1, 1_000_001, 1.5, True, "100", None])
def test_bad_minimums_are_refused(cents: object) -> None:
    with pytest.raises(InvalidValueError):
        check_minimum(cents)


rule_rates = st.decimals(min_value=0, max_value=1, places=5)


@st.composite
def merchant_orders_by_rule(draw: st.DrawFn) -> Breakdown:
    """A merchant order priced under one to three rules with any rates and minimums (its
    lines dealt among them), for the machines that want breakdowns (test_payout_machine)."""
    from tests.unit.test_pricing import fees, lines

    priced, fee, registered = draw(lines), draw(fees), draw(st.booleans())
    rules = draw(st.lists(st.tuples(rule_rates, st.integers(0, 100_00)), min_size=1,
                          max_size=3))
    bases = [Money.zero()] * len(rules)
    for i, priced_line in enumerate(priced):
        bases[i % len(rules)] += priced_line.amount
    terms = CommissionTerms(tuple(AppliedRule(f"rule:{i}", i, rate, Money(minimum), base)
                                  for i, ((rate, minimum), base) in enumerate(
                                      zip(rules, bases, strict=True))))
    return price(priced, fee, registered, terms)
minimums = st.integers(0, 200_00)
categories = st.sampled_from(sorted(CATEGORIES)[:4])
scopes = st.one_of(st.just("default"), categories.map(lambda c: f"category:{c}"),
                   st.just(f"merchant:{MERCHANT}"))
rule_sets = st.lists(st.tuples(scopes, rule_rates, minimums), max_size=6)
lines_with_categories = st.lists(st.tuples(
    categories, st.integers(1, 500_000), st.integers(1, 99), st.sampled_from(list(TaxClass))),
    min_size=1, max_size=8)


@given(rule_sets, lines_with_categories, st.integers(0, 50_00), st.booleans(),
       st.integers(1, 10))
def test_any_rules_and_minimums_keep_every_sum_balanced_to_the_cent(
        rules: list, bought: list, fee: int, registered: bool, slices: int) -> None:
    s = CommissionSchedule()
    for rule_id, rate, minimum in rules:
        s.set_rule(rule_id, rate, Money(minimum), by="admin")
    priced = [line(cents, quantity, tax) for _, cents, quantity, tax in bought]
    terms = s.terms(MERCHANT, [(c, p.amount) for (c, *_), p in zip(bought, priced,
                                                                    strict=True)], SETTING)
    b = price(priced, Money(fee), registered, terms)
    # the bases cover the subtotal; the commission is the documented formula
    assert sum(r.base.cents for r in terms.rules) == b.subtotal.cents
    exact = sum(Decimal(r.base.cents) * r.rate for r in terms.rules)
    by_rate = int(exact.to_integral_value(rounding=ROUND_HALF_UP))
    minimum = max([r.minimum.cents for r in terms.rules])
    assert b.commission.cents == min(b.subtotal.cents, max(minimum, by_rate))
    # total == share + commission + platform taxes, and the share is never negative
    assert b.total == b.share + b.commission + b.platform_taxes
    assert 0 <= b.commission.cents <= b.subtotal.cents and b.share.cents >= 0
    # refunds in slices: each balances, together they return every component exactly
    refunded, parts = Money.zero(), []
    step = max(b.total.cents // slices, 1)
    while refunded < b.total:
        amount = Money(min(step, b.total.cents - refunded.cents))
        parts.append(allocate_refund(b, refunded, amount))
        refunded += amount
    assert all(p.balances for p in parts)
    assert sum(p.commission.cents for p in parts) == b.commission.cents
    assert sum(p.share.cents for p in parts) == b.share.cents
