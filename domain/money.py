"""Money: integer cents of one currency. No float ever touches an amount."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from domain.errors import InvalidValueError

CAD = "CAD"
MAX_CENTS = 100_000_000_00  # one hundred million dollars: beyond any single sale here

_AMOUNT = re.compile(r"^(-)?(\d{1,9})(?:[.,](\d{1,2}))?$")


@dataclass(frozen=True, order=True)
class Money:
    cents: int
    currency: str = CAD

    def __post_init__(self) -> None:
        if type(self.cents) is not int:  # bool is an int subclass, and floats are refused
            raise InvalidValueError("money_not_integer_cents")
        if abs(self.cents) > MAX_CENTS:
            raise InvalidValueError("money_out_of_range", max_cents=MAX_CENTS)
        if self.currency != CAD:
            raise InvalidValueError("currency_unsupported", currency=self.currency)

    @classmethod
    def zero(cls) -> Money:
        return cls(0)

    @classmethod
    def parse(cls, text: str) -> Money:
        """Parse '12', '12.5', '12,50' or '-3.07' (dollars) into cents."""
        match = _AMOUNT.match(text.strip())
        if not match:
            raise InvalidValueError("money_malformed", value=text)
        sign, dollars, fraction = match.groups()
        cents = int(dollars) * 100 + int((fraction or "0").ljust(2, "0"))
        return cls(-cents if sign else cents)

    def __add__(self, other: Money) -> Money:
        return Money(self.cents + self._same(other).cents)

    def __sub__(self, other: Money) -> Money:
        return Money(self.cents - self._same(other).cents)

    def __neg__(self) -> Money:
        return Money(-self.cents)

    def times(self, quantity: int) -> Money:
        return Money(self.cents * quantity)

    def apply_rate(self, rate: Decimal) -> Money:
        """This amount times a rate, rounded half-up to the cent (the Revenu Québec rule)."""
        exact = Decimal(self.cents) * rate
        return Money(int(exact.to_integral_value(rounding=ROUND_HALF_UP)))

    def is_positive(self) -> bool:
        return self.cents > 0

    def is_negative(self) -> bool:
        return self.cents < 0

    def __str__(self) -> str:
        sign = "-" if self.cents < 0 else ""
        dollars, cents = divmod(abs(self.cents), 100)
        return f"{sign}{dollars}.{cents:02d} {self.currency}"

    def _same(self, other: Money) -> Money:
        if other.currency != self.currency:
            raise InvalidValueError("currency_mismatch")
        return other


def total(amounts: list[Money] | tuple[Money, ...]) -> Money:
    return sum(amounts, Money.zero())
