"""How amounts and references read in a mail, in French (Québec) and in English (Canada)."""

from __future__ import annotations

from uuid import UUID

from domain.money import Money


def money(amount: Money, language: str) -> str:
    """"1 234,56 $" in French (Office québécois de la langue française), "$1,234.56" in
    English; integer cents, never a float."""
    sign = "-" if amount.cents < 0 else ""
    dollars, cents = divmod(abs(amount.cents), 100)
    if language == "en":
        return f"{sign}${dollars:,}.{cents:02d}"
    return f"{sign}{dollars:,}".replace(",", " ") + f",{cents:02d} $"


def order_reference(order_id: UUID) -> str:
    """What a person reads and quotes on the phone; the link carries the whole id."""
    return order_id.hex[:8].upper()
