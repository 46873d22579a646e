"""The Cart aggregate: what a consumer intends to buy, from any number of merchants."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import IllegalTransitionError, InvalidValueError, RuleViolatedError

MAX_QUANTITY = 999
MAX_LINES = 100


class Cart(Aggregate):
    """Lines are listing → quantity; prices are read when the cart is shown and again at
    checkout, never frozen in the cart."""

    TOPIC = "comptoir.Cart"

    class Created(Aggregate.Created):
        TOPIC = "comptoir.Cart.Created"  # never triggered: a cart is opened

    @event("Opened", topic="comptoir.Cart.Opened")
    def __init__(self, consumer_id: UUID, storefront: str | None) -> None:
        self.consumer_id = consumer_id
        self.storefront = storefront
        self.lines: dict[str, int] = {}  # listing id (hex) -> quantity
        self.order_id: UUID | None = None

    @property
    def is_open(self) -> bool:
        return self.order_id is None

    def set_line(self, listing_id: UUID, quantity: int) -> None:
        self._require_open("change")
        if not 1 <= quantity <= MAX_QUANTITY:
            raise InvalidValueError("quantity_invalid", field="quantity", maximum=MAX_QUANTITY)
        if listing_id.hex not in self.lines and len(self.lines) >= MAX_LINES:
            raise RuleViolatedError("cart_full", maximum=MAX_LINES)
        if self.lines.get(listing_id.hex) != quantity:
            self._line_set(listing_id=listing_id, quantity=quantity)

    def remove_line(self, listing_id: UUID) -> None:
        self._require_open("change")
        if listing_id.hex in self.lines:
            self._line_removed(listing_id=listing_id)

    def check_out(self, order_id: UUID) -> None:
        self._require_open("check_out")
        if not self.lines:
            raise RuleViolatedError("cart_empty")
        self._checked_out(order_id=order_id)

    def quantities(self) -> dict[UUID, int]:
        return {UUID(hex=key): quantity for key, quantity in self.lines.items()}

    def _require_open(self, action: str) -> None:
        if not self.is_open:
            raise IllegalTransitionError("cart", action, "checked_out")

    @event("LineSet", topic="comptoir.Cart.LineSet")
    def _line_set(self, listing_id: UUID, quantity: int) -> None:
        self.lines[listing_id.hex] = quantity

    @event("LineRemoved", topic="comptoir.Cart.LineRemoved")
    def _line_removed(self, listing_id: UUID) -> None:
        del self.lines[listing_id.hex]

    @event("CheckedOut", topic="comptoir.Cart.CheckedOut")
    def _checked_out(self, order_id: UUID) -> None:
        self.order_id = order_id
