"""The platform's commission on a merchant order, by rule, to the cent (docs/payments.md).

A rule is a rate and a minimum per merchant order; rules are set for the platform (the
default), for a category or for a merchant, and the most specific wins for each line:
merchant > category (the listing's) > default. A merchant order's commission is

    commission = min(subtotal, max(minimum, round_half_up(Σ line amount × its rule's rate)))

- the rates are applied line by line and summed exactly, then rounded ONCE (so with one rate
  it is exactly round(subtotal × rate), as before rules existed);
- the minimum is the largest minimum among the rules that priced its lines;
- it never exceeds the goods' subtotal, so the merchant's share (total − commission − taxes
  the platform remits) is never below the fulfilment fee plus the taxes it remits itself:
  never negative.

What was applied is recorded in the order (`CommissionTerms`: each rule's id, version, rate,
minimum and the part of the subtotal it priced), so an order keeps the terms it was placed
under whatever changes later.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from domain.errors import InvalidValueError
from domain.money import Money

MAX_RATE = Decimal(1)  # 100 %
RATE_PLACES = 5  # 0.08125 = 8.125 %
MAX_MINIMUM_CENTS = 1_000_000  # $10,000


def check_rate(rate: object) -> Decimal:
    """A rate between 0 and 1 (100 %), at most five decimals; anything else is refused."""
    try:
        value = Decimal(str(rate))
    except (InvalidOperation, ValueError):
        raise InvalidValueError("commission_rate_invalid", field="rate") from None
    if (not value.is_finite() or value < 0 or value > MAX_RATE
            or value != value.quantize(Decimal(1).scaleb(-RATE_PLACES))):
        raise InvalidValueError("commission_rate_invalid", field="rate")
    return value.normalize() if value else Decimal(0)


def check_minimum(cents: object) -> Money:
    if (not isinstance(cents, int) or isinstance(cents, bool)
            or not 0 <= cents <= MAX_MINIMUM_CENTS):
        raise InvalidValueError("commission_minimum_invalid", field="minimum_cents",
                                maximum=MAX_MINIMUM_CENTS)
    return Money(cents)


@dataclass(frozen=True)
class CommissionRule:
    """A rule as the schedule holds it: `rule_id` is its scope ("default",
    "category:fromagerie", "merchant:<id>"), `version` the schedule's version that set it."""

    rule_id: str
    version: int
    rate: Decimal
    minimum: Money


@dataclass(frozen=True)
class AppliedRule:
    """One rule as an order applied it: to `base`, the part of the subtotal it priced."""

    rule_id: str
    version: int
    rate: Decimal
    minimum: Money
    base: Money


@dataclass(frozen=True)
class CommissionTerms:
    """The rules one merchant order was priced under, recorded in the order."""

    rules: tuple[AppliedRule, ...]

    @classmethod
    def flat(cls, rate: Decimal, subtotal: Money) -> CommissionTerms:
        """One rate on the whole subtotal (the platform's setting, no rule recorded)."""
        return cls((AppliedRule("default", 0, rate, Money.zero(), subtotal),))

    @property
    def minimum(self) -> Money:
        return max((rule.minimum for rule in self.rules), default=Money.zero(),
                   key=lambda m: m.cents)

    def commission(self, subtotal: Money) -> Money:
        exact = sum((Decimal(r.base.cents) * r.rate for r in self.rules), Decimal(0))
        by_rate = int(exact.to_integral_value(rounding=ROUND_HALF_UP))
        return Money(min(subtotal.cents, max(self.minimum.cents, by_rate)))

    @property
    def summary(self) -> str:
        """e.g. "category:fromagerie v3 6 % on 40.00; default v1 8 % on 10.00; minimum 1.00"."""
        parts = [f"{r.rule_id} v{r.version} {_percent(r.rate)} % on {_dollars(r.base)}"
                 for r in self.rules]
        if self.minimum.is_positive():
            parts.append(f"minimum {_dollars(self.minimum)}")
        return "; ".join(parts)


def _percent(rate: Decimal) -> str:
    return format((rate * 100).normalize(), "f")


def _dollars(amount: Money) -> str:
    return f"{amount.cents // 100}.{amount.cents % 100:02d}"
