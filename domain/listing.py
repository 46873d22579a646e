"""The Listing aggregate: one product or service of one merchant, with its real-time stock."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import FieldErrors, IllegalTransitionError, InvalidValueError, RuleViolatedError
from domain.money import Money
from domain.taxonomy import OriginLabel, TaxClass, parse_category, parse_enum
from domain.text import clean_text

MAX_PRICE = Money(1_000_000_00)
MAX_STOCK = 1_000_000
MAX_TITLE = 200
MAX_DESCRIPTION = 5000


class ListingStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"


class StockReason(StrEnum):
    RECEIVED = "received"
    SOLD_IN_STORE = "sold_in_store"
    RETURNED = "returned"
    DAMAGED = "damaged"
    LOST = "lost"
    CORRECTION = "correction"


@dataclass(frozen=True)
class ListingDetails:
    """What a listing shows; French text is required, English optional."""

    title_fr: str
    title_en: str | None
    description_fr: str
    description_en: str | None
    category: str
    price: Money
    tax_class: TaxClass
    origin: OriginLabel
    sku: str | None

    @classmethod
    def check(cls, raw: dict[str, Any]) -> ListingDetails:
        """`raw` holds the API's field names; every problem is reported at once."""
        errors = FieldErrors()

        def text(name: str, required: bool, maximum: int) -> str | None:
            return errors.parse(name, clean_text, raw.get(name), required=required,
                                maximum=maximum)

        title_fr = text("title_fr", True, MAX_TITLE)
        title_en = text("title_en", False, MAX_TITLE)
        description_fr = text("description_fr", True, MAX_DESCRIPTION)
        description_en = text("description_en", False, MAX_DESCRIPTION)
        category = errors.parse("category", parse_category, raw.get("category", ""))
        price = errors.parse("price_cents", _price, raw.get("price_cents"))
        tax_class = errors.parse(
            "tax_class", parse_enum, TaxClass, raw.get("tax_class", ""), "tax_class_unknown")
        origin = errors.parse(
            "origin", parse_enum, OriginLabel, raw.get("origin", "none"), "origin_unknown")
        sku = text("sku", False, 64)
        errors.raise_if_any()
        # A value is None only where its parser failed (required text included): none did.
        assert title_fr is not None and description_fr is not None and category is not None
        assert price is not None and tax_class is not None and origin is not None
        return cls(title_fr=title_fr, title_en=title_en, description_fr=description_fr,
                   description_en=description_en, category=category, price=price,
                   tax_class=tax_class, origin=origin, sku=sku)

    def as_raw(self) -> dict[str, Any]:
        return {
            "title_fr": self.title_fr, "title_en": self.title_en,
            "description_fr": self.description_fr, "description_en": self.description_en,
            "category": self.category, "price_cents": self.price.cents,
            "tax_class": str(self.tax_class), "origin": str(self.origin), "sku": self.sku,
        }



def _price(cents: int | None) -> Money:
    if cents is None:
        raise InvalidValueError("price_required")
    price = Money(cents)
    if not price.is_positive() or price > MAX_PRICE:
        raise InvalidValueError("price_out_of_range", max_cents=MAX_PRICE.cents)
    return price


class InsufficientStockError(RuleViolatedError):
    code = "insufficient_stock"


class Listing(Aggregate):
    """Stock: `on_hand` units, of which `reserved` are set aside for orders not yet fulfilled.
    Invariant, whatever the order of commands: 0 <= reserved <= on_hand.

    A reservation is made at checkout until a deadline; it is held (no longer expires) once the
    order is paid, released when the order fails, expires or a merchant declines, and consumed
    (leaves the stock) when the merchant fulfils the order."""

    TOPIC = "comptoir.Listing"
    class_version = 2  # v2: reservations (snapshots of v1 had none)

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        state["reservations"] = {}

    # The event classes the @event methods below generate when the class is made, declared
    # for type checkers (which cannot see them) because other modules name them.
    if TYPE_CHECKING:
        Revised: ClassVar[type[Aggregate.Event]]
        Repriced: ClassVar[type[Aggregate.Event]]
        Published: ClassVar[type[Aggregate.Event]]
        Withdrawn: ClassVar[type[Aggregate.Event]]
        StockSet: ClassVar[type[Aggregate.Event]]
        StockAdjusted: ClassVar[type[Aggregate.Event]]
        Reserved: ClassVar[type[Aggregate.Event]]
        ReservationHeld: ClassVar[type[Aggregate.Event]]
        ReservationReleased: ClassVar[type[Aggregate.Event]]
        ReservationConsumed: ClassVar[type[Aggregate.Event]]

        class Created(Aggregate.Created):
            merchant_id: UUID
            details: ListingDetails

    @event("Created", topic="comptoir.Listing.Created")
    def __init__(self, merchant_id: UUID, details: ListingDetails) -> None:
        self.merchant_id = merchant_id
        self.details = details
        self.status = ListingStatus.DRAFT
        self.on_hand = 0
        self.reserved = 0
        # order id (hex) -> {"quantity": int, "until": datetime, "held": bool}
        self.reservations: dict[str, dict[str, Any]] = {}

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved

    @property
    def is_published(self) -> bool:
        return self.status == ListingStatus.PUBLISHED

    def revise(self, details: ListingDetails) -> None:
        if details.price != self.details.price:
            self._repriced(price=details.price)
        if replace(details, price=self.details.price) != self.details:
            self._revised(details=details)

    def publish(self, merchant_is_approved: bool) -> None:
        if self.status == ListingStatus.PUBLISHED:
            raise IllegalTransitionError("listing", "publish", str(self.status))
        if not merchant_is_approved:
            raise RuleViolatedError("merchant_not_approved")
        self._published()

    def withdraw(self) -> None:
        if self.status != ListingStatus.PUBLISHED:
            raise IllegalTransitionError("listing", "withdraw", str(self.status))
        self._withdrawn()

    def set_stock(self, on_hand: int) -> None:
        self._check_stock(on_hand, field="on_hand")
        self._stock_set(on_hand=on_hand)

    def adjust_stock(self, delta: int, reason: StockReason) -> None:
        if delta == 0 or abs(delta) > MAX_STOCK:
            raise InvalidValueError("stock_delta_invalid", field="delta", maximum=MAX_STOCK)
        self._check_stock(self.on_hand + delta, field="delta")
        self._stock_adjusted(delta=delta, reason=reason)

    def reserve(self, order_id: UUID, quantity: int, until: datetime) -> None:
        if not self.is_published:
            raise RuleViolatedError("listing_not_for_sale", listing_id=str(self.id),
                                    title=self.details.title_fr)
        if not 1 <= quantity <= MAX_STOCK:
            raise InvalidValueError("quantity_invalid", field="quantity")
        if order_id.hex in self.reservations:
            raise IllegalTransitionError("reservation", "reserve", "reserved")
        if quantity > self.available:
            raise InsufficientStockError(listing_id=str(self.id), title=self.details.title_fr,
                                         available=self.available, requested=quantity)
        self._reserved(order_id=order_id, quantity=quantity, until=until)

    def hold(self, order_id: UUID) -> None:
        """The order is paid: its reservation stays until fulfilment or decline."""
        reservation = self.reservations.get(order_id.hex)
        if reservation is not None and not reservation["held"]:
            self._held(order_id=order_id)

    def release(self, order_id: UUID, reason: str) -> None:
        reservation = self.reservations.get(order_id.hex)
        if reservation is not None:
            self._released(order_id=order_id, quantity=reservation["quantity"], reason=reason)

    def expire(self, order_id: UUID, now: datetime) -> bool:
        """Release the reservation if its deadline has passed and the order was not paid."""
        reservation = self.reservations.get(order_id.hex)
        if reservation is None or reservation["held"] or reservation["until"] > now:
            return False
        self._released(order_id=order_id, quantity=reservation["quantity"], reason="expired")
        return True

    def consume(self, order_id: UUID) -> None:
        """The merchant handed the goods over: they leave the stock."""
        reservation = self.reservations.get(order_id.hex)
        if reservation is None:
            raise IllegalTransitionError("reservation", "consume", "absent")
        self._consumed(order_id=order_id, quantity=reservation["quantity"])

    def _check_stock(self, on_hand: int, field: str) -> None:
        if not 0 <= on_hand <= MAX_STOCK:
            raise InvalidValueError("stock_out_of_range", field=field, maximum=MAX_STOCK)
        if on_hand < self.reserved:
            raise RuleViolatedError("stock_below_reserved", reserved=self.reserved)

    @event("Revised", topic="comptoir.Listing.Revised")
    def _revised(self, details: ListingDetails) -> None:
        self.details = replace(details, price=self.details.price)

    @event("Repriced", topic="comptoir.Listing.Repriced")
    def _repriced(self, price: Money) -> None:
        self.details = replace(self.details, price=price)

    @event("Published", topic="comptoir.Listing.Published")
    def _published(self) -> None:
        self.status = ListingStatus.PUBLISHED

    @event("Withdrawn", topic="comptoir.Listing.Withdrawn")
    def _withdrawn(self) -> None:
        self.status = ListingStatus.WITHDRAWN

    @event("StockSet", topic="comptoir.Listing.StockSet")
    def _stock_set(self, on_hand: int) -> None:
        self.on_hand = on_hand

    @event("StockAdjusted", topic="comptoir.Listing.StockAdjusted")
    def _stock_adjusted(self, delta: int, reason: str) -> None:
        self.on_hand += delta

    @event("Reserved", topic="comptoir.Listing.Reserved")
    def _reserved(self, order_id: UUID, quantity: int, until: datetime) -> None:
        self.reservations[order_id.hex] = {"quantity": quantity, "until": until, "held": False}
        self.reserved += quantity

    @event("ReservationHeld", topic="comptoir.Listing.ReservationHeld")
    def _held(self, order_id: UUID) -> None:
        self.reservations[order_id.hex]["held"] = True

    @event("ReservationReleased", topic="comptoir.Listing.ReservationReleased")
    def _released(self, order_id: UUID, quantity: int, reason: str) -> None:
        del self.reservations[order_id.hex]
        self.reserved -= quantity

    @event("ReservationConsumed", topic="comptoir.Listing.ReservationConsumed")
    def _consumed(self, order_id: UUID, quantity: int) -> None:
        del self.reservations[order_id.hex]
        self.reserved -= quantity
        self.on_hand -= quantity
