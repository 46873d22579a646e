"""Variants of a listing: the forms it is sold in (a format, a size), each with its own SKU,
price and stock. Entities inside the Listing aggregate (docs/catalogue.md).

A listing without variants is sold as itself, as if it had one implicit default variant: its
own price, stock and (optional) SKU. A listing with variants is sold only by variant; its own
price is then the lowest of its variants' ("from" price), its stock the sum of theirs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from domain.errors import FieldErrors, InvalidValueError
from domain.money import Money
from domain.text import identifier_text

MAX_PRICE = Money(1_000_000_00)
MAX_SKU = 64
MAX_LABEL = 60
MAX_VARIANTS = 50


def parse_price(cents: int | None) -> Money:
    """The price rule of listings and variants alike: positive, at most MAX_PRICE."""
    if cents is None:
        raise InvalidValueError("price_required")
    price = Money(cents)
    if not price.is_positive() or price > MAX_PRICE:
        raise InvalidValueError("price_out_of_range", max_cents=MAX_PRICE.cents)
    return price


def parse_sku(text: Any) -> str:
    """A merchant's own reference: 1 to 64 printable characters, NFKC-folded (a point of sale
    sends "MIEL-500" whichever width its digits were typed in), no control character at all."""
    if not isinstance(text, str):
        raise InvalidValueError("sku_invalid", max_length=MAX_SKU)
    sku = identifier_text(text).strip()
    if not sku or len(sku) > MAX_SKU or any(not ch.isprintable() for ch in sku):
        raise InvalidValueError("sku_invalid", max_length=MAX_SKU)
    return sku


def parse_label(text: Any) -> str:
    label = identifier_text(str(text or "")).strip()
    if not label or len(label) > MAX_LABEL or any(not ch.isprintable() for ch in label):
        raise InvalidValueError("variant_label_invalid", max_length=MAX_LABEL)
    return label


@dataclass(frozen=True)
class VariantDetails:
    """What a merchant says of a variant: its SKU, its label ("500 g"), its price."""

    sku: str
    label: str
    price: Money

    @classmethod
    def check(cls, raw: dict[str, Any]) -> VariantDetails:
        errors = FieldErrors()
        sku = errors.parse("sku", parse_sku, raw.get("sku"))
        label = errors.parse("label", parse_label, raw.get("label"))
        price = errors.parse("price_cents", parse_price, raw.get("price_cents"))
        errors.raise_if_any()
        assert sku is not None and label is not None and price is not None
        return cls(sku, label, price)

    def as_raw(self) -> dict[str, Any]:
        return {"sku": self.sku, "label": self.label, "price_cents": self.price.cents}


@dataclass(frozen=True)
class Variant:
    """A variant as the listing holds it (stored in snapshots as `listing_variant`)."""

    variant_id: UUID
    sku: str
    label: str
    price: Money
    on_hand: int = 0
    reserved: int = 0

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved

    @property
    def details(self) -> VariantDetails:
        return VariantDetails(self.sku, self.label, self.price)
