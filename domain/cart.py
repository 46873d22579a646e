"""The Cart aggregate: what a consumer intends to buy, from any number of merchants."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import IllegalTransitionError, InvalidValueError, RuleViolatedError

MAX_QUANTITY = 999
MAX_LINES = 100


class Cart(Aggregate):
    """Lines are listing (and variant, for a listing sold by variant) → quantity; prices are
    read when the cart is shown and again at checkout, never frozen in the cart."""

    TOPIC = "comptoir.Cart"

    class Created(Aggregate.Created):
        TOPIC = "comptoir.Cart.Created"  # never triggered: a cart is opened

    @event("Opened", topic="comptoir.Cart.Opened")
    def __init__(self, consumer_id: UUID, storefront: str | None) -> None:
        self.consumer_id = consumer_id
        self.storefront = storefront
        # listing id (hex), or "listing hex/variant hex" -> quantity
        self.lines: dict[str, int] = {}
        self.order_id: UUID | None = None

    @property
    def is_open(self) -> bool:
        return self.order_id is None

    def set_line(self, listing_id: UUID, quantity: int, variant_id: UUID | None = None) -> None:
        self._require_open("change")
        if not 1 <= quantity <= MAX_QUANTITY:
            raise InvalidValueError("quantity_invalid", field="quantity", maximum=MAX_QUANTITY)
        key = line_key(listing_id, variant_id)
        if key not in self.lines and len(self.lines) >= MAX_LINES:
            raise RuleViolatedError("cart_full", maximum=MAX_LINES)
        if self.lines.get(key) != quantity:
            self._line_set(listing_id=listing_id, quantity=quantity, variant_id=variant_id)

    def has_line(self, listing_id: UUID, variant_id: UUID | None = None) -> bool:
        return line_key(listing_id, variant_id) in self.lines

    def remove_line(self, listing_id: UUID, variant_id: UUID | None = None) -> None:
        self._require_open("change")
        if line_key(listing_id, variant_id) in self.lines:
            self._line_removed(listing_id=listing_id, variant_id=variant_id)

    def check_out(self, order_id: UUID) -> None:
        self._require_open("check_out")
        if not self.lines:
            raise RuleViolatedError("cart_empty")
        self._checked_out(order_id=order_id)

    def items(self) -> list[tuple[UUID, UUID | None, int]]:
        """(listing id, variant id or None, quantity) of every line, in the order added."""
        found = []
        for key, quantity in self.lines.items():
            listing, _, variant = key.partition("/")
            found.append((UUID(hex=listing), UUID(hex=variant) if variant else None, quantity))
        return found

    def quantities(self) -> dict[UUID, int]:
        """Units per listing, its variants' lines added up."""
        totals: dict[UUID, int] = {}
        for listing_id, _, quantity in self.items():
            totals[listing_id] = totals.get(listing_id, 0) + quantity
        return totals

    def _require_open(self, action: str) -> None:
        if not self.is_open:
            raise IllegalTransitionError("cart", action, "checked_out")

    class LineSet(Aggregate.Event):
        TOPIC = "comptoir.Cart.LineSet"
        class_version = 2  # v2: the variant
        listing_id: UUID
        quantity: int
        variant_id: UUID | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["variant_id"] = None

    @event(LineSet)
    def _line_set(self, listing_id: UUID, quantity: int, variant_id: UUID | None) -> None:
        self.lines[line_key(listing_id, variant_id)] = quantity

    class LineRemoved(Aggregate.Event):
        TOPIC = "comptoir.Cart.LineRemoved"
        class_version = 2  # v2: the variant
        listing_id: UUID
        variant_id: UUID | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["variant_id"] = None

    @event(LineRemoved)
    def _line_removed(self, listing_id: UUID, variant_id: UUID | None) -> None:
        del self.lines[line_key(listing_id, variant_id)]

    @event("CheckedOut", topic="comptoir.Cart.CheckedOut")
    def _checked_out(self, order_id: UUID) -> None:
        self.order_id = order_id


def line_key(listing_id: UUID, variant_id: UUID | None) -> str:
    return listing_id.hex if variant_id is None else f"{listing_id.hex}/{variant_id.hex}"
