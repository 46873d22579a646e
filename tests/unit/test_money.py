from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import InvalidValueError
from domain.money import MAX_CENTS, Money, total

cents = st.integers(min_value=-MAX_CENTS // 4, max_value=MAX_CENTS // 4)


@given(cents, cents)
def test_addition_and_subtraction_are_exact_in_cents(a: int, b: int) -> None:
    assert (Money(a) + Money(b)).cents == a + b
    assert (Money(a) - Money(b)).cents == a - b
    assert Money(a) + Money(b) - Money(b) == Money(a)


@given(st.lists(st.integers(min_value=0, max_value=10_000_00), max_size=50))
def test_total_of_amounts_is_their_integer_sum(amounts: list[int]) -> None:
    assert total([Money(a) for a in amounts]).cents == sum(amounts)


@given(st.integers(min_value=0, max_value=10_000_000_00),
       st.decimals(min_value=0, max_value=1, places=5))
def test_rate_rounds_half_up_like_decimal(amount: int, rate: Decimal) -> None:
    expected = int((Decimal(amount) * rate).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    assert Money(amount).apply_rate(rate).cents == expected


def test_quebec_sales_tax_of_one_hundred_dollars() -> None:
    price = Money(100_00)
    assert price.apply_rate(Decimal("0.05")) == Money(5_00)
    assert price.apply_rate(Decimal("0.09975")) == Money(9_98)


def test_half_a_cent_rounds_up() -> None:
    assert Money(10).apply_rate(Decimal("0.05")) == Money(1)  # 0.5 cent -> 1 cent
    assert Money(9).apply_rate(Decimal("0.05")) == Money(0)  # 0.45 cent -> 0


@given(st.integers(min_value=0, max_value=MAX_CENTS // 100 - 1),
       st.integers(min_value=0, max_value=99))
def test_parse_reads_dollars_and_cents(dollars: int, cents_part: int) -> None:
    assert Money.parse(f"{dollars}.{cents_part:02d}").cents == dollars * 100 + cents_part
    assert Money.parse(f"{dollars},{cents_part:02d}").cents == dollars * 100 + cents_part


@pytest.mark.parametrize("value", [1.5, True, "12", None])
def test_money_refuses_anything_but_integer_cents(value: object) -> None:
    with pytest.raises(InvalidValueError) as error:
        Money(value)  # type: ignore[arg-type]
    assert error.value.code == "money_not_integer_cents"


def test_money_refuses_other_currencies_and_absurd_amounts() -> None:
    with pytest.raises(InvalidValueError, match="currency_unsupported"):
        Money(100, "USD")
    with pytest.raises(InvalidValueError, match="money_out_of_range"):
        Money(MAX_CENTS + 1)


@pytest.mark.parametrize("text", ["", "abc", "1.234", "1e5", "--1", "12.5.1"])
def test_parse_refuses_malformed_amounts(text: str) -> None:
    with pytest.raises(InvalidValueError, match="money_malformed"):
        Money.parse(text)


def test_money_prints_dollars_with_two_decimals() -> None:
    assert str(Money(-307)) == "-3.07 CAD"
    assert str(Money(5)) == "0.05 CAD"
