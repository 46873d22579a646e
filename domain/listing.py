"""The Listing aggregate: one product or service of one merchant, with its real-time stock."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate, event

from domain.errors import FieldErrors, IllegalTransitionError, InvalidValueError, RuleViolatedError
from domain.images import parse_photos
from domain.money import Money
from domain.taxonomy import OriginLabel, TaxClass, parse_category, parse_enum
from domain.text import clean_text
from domain.variants import MAX_PRICE, MAX_VARIANTS, Variant, VariantDetails, parse_price, parse_sku

__all__ = ["MAX_PRICE", "Listing", "ListingDetails", "ListingStatus", "StockReason", "Variant",
           "VariantDetails"]

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
        sku = errors.parse("sku", _optional_sku, raw.get("sku"))
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



_price = parse_price


def _optional_sku(text: str | None) -> str | None:
    return None if text is None or not str(text).strip() else parse_sku(text)


class InsufficientStockError(RuleViolatedError):
    code = "insufficient_stock"


class Listing(Aggregate):
    """Stock: `on_hand` units, of which `reserved` are set aside for orders not yet fulfilled.
    Invariant, whatever the order of commands: 0 <= reserved <= on_hand.

    A reservation is made at checkout until a deadline; it is held (no longer expires) once the
    order is paid, released when the order fails, expires or a merchant declines, and consumed
    (leaves the stock) when the merchant fulfils the order."""

    TOPIC = "comptoir.Listing"
    class_version = 3  # v2: reservations (snapshots of v1 had none); v3: variants

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        state["reservations"] = {}

    @staticmethod
    def upcast_v2_v3(state: dict[str, Any]) -> None:
        state["variants"] = {}

    # The event classes the @event methods below generate when the class is made, declared
    # for type checkers (which cannot see them) because other modules name them.
    if TYPE_CHECKING:
        Revised: ClassVar[type[Aggregate.Event]]
        Repriced: ClassVar[type[Aggregate.Event]]
        Published: ClassVar[type[Aggregate.Event]]
        Withdrawn: ClassVar[type[Aggregate.Event]]
        StockSet: ClassVar[type[Aggregate.Event]]
        ReservationHeld: ClassVar[type[Aggregate.Event]]
        VariantAdded: ClassVar[type[Aggregate.Event]]
        VariantRevised: ClassVar[type[Aggregate.Event]]
        VariantStockSet: ClassVar[type[Aggregate.Event]]
        PhotosChanged: ClassVar[type[Aggregate.Event]]

        class Created(Aggregate.Created):
            merchant_id: UUID
            details: ListingDetails

    @event("Created", topic="comptoir.Listing.Created")
    def __init__(self, merchant_id: UUID, details: ListingDetails) -> None:
        self.merchant_id = merchant_id
        self.details = details
        self.status = ListingStatus.DRAFT
        # With variants: the sums of theirs (so `available` > 0 when any variant is in stock).
        self.on_hand = 0
        self.reserved = 0
        # order id (hex), or "order hex/variant hex" -> {"quantity": int, "until": datetime,
        #   "held": bool, "variant": variant id hex (absent for the listing itself)}
        self.reservations: dict[str, dict[str, Any]] = {}
        self.variants: dict[str, Variant] = {}  # variant id (hex) -> variant, in order added

    # Image ids, the first shown first (domain/images.py); added after the first listings.
    photos: tuple[str, ...] = ()

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved

    @property
    def is_published(self) -> bool:
        return self.status == ListingStatus.PUBLISHED

    # -- variants ---------------------------------------------------------------------------

    def variant(self, variant_id: UUID | None) -> Variant | None:
        """The variant a line names: None for a listing without variants (sold as itself);
        a listing with variants is sold only by variant."""
        if variant_id is None:
            if self.variants:
                raise InvalidValueError("variant_required", field="variant_id")
            return None
        found = self.variants.get(variant_id.hex)
        if found is None:
            raise InvalidValueError("variant_unknown", field="variant_id")
        return found

    def price_of(self, variant_id: UUID | None) -> Money:
        found = self.variant(variant_id)
        return self.details.price if found is None else found.price

    def available_of(self, variant_id: UUID | None) -> int:
        found = self.variant(variant_id)
        return self.available if found is None else found.available

    def title_of(self, variant_id: UUID | None) -> str:
        """"Miel de trèfle — 500 g": what a cart or order line shows."""
        found = self.variant(variant_id)
        title = self.details.title_fr
        return title if found is None else f"{title} — {found.label}"

    def variant_by_sku(self, sku: str) -> Variant | None:
        return next((v for v in self.variants.values() if v.sku == sku), None)

    @property
    def skus(self) -> set[str]:
        own = {self.details.sku} if self.details.sku else set()
        return own | {v.sku for v in self.variants.values()}

    def add_variant(self, details: VariantDetails) -> UUID:
        """The first variant takes over the listing's stock (it was the implicit default
        variant's); reservations made without a variant must be over first."""
        if len(self.variants) >= MAX_VARIANTS:
            raise RuleViolatedError("variants_too_many", maximum=MAX_VARIANTS)
        if not self.variants and self.reservations:
            raise RuleViolatedError("listing_has_reservations", reserved=self.reserved)
        self._check_variant(details, None)
        variant_id = uuid4()
        self._variant_added(variant_id=variant_id, sku=details.sku, label=details.label,
                            price=details.price, on_hand=0 if self.variants else self.on_hand)
        self._follow_lowest_price()
        return variant_id

    def revise_variant(self, variant_id: UUID, details: VariantDetails) -> None:
        current = self.variant(variant_id)
        assert current is not None
        self._check_variant(details, variant_id)
        if details != current.details:
            self._variant_revised(variant_id=variant_id, sku=details.sku, label=details.label,
                                  price=details.price)
            self._follow_lowest_price()

    def set_variant_stock(self, variant_id: UUID, on_hand: int) -> None:
        current = self.variant(variant_id)
        assert current is not None
        if not 0 <= on_hand <= MAX_STOCK:
            raise InvalidValueError("stock_out_of_range", field="on_hand", maximum=MAX_STOCK)
        if on_hand < current.reserved:
            raise RuleViolatedError("stock_below_reserved", reserved=current.reserved)
        self._variant_stock_set(variant_id=variant_id, on_hand=on_hand,
                                delta=on_hand - current.on_hand)

    def _check_variant(self, details: VariantDetails, variant_id: UUID | None) -> None:
        others = [v for v in self.variants.values() if v.variant_id != variant_id]
        if any(v.sku == details.sku for v in others) or details.sku == self.details.sku:
            raise InvalidValueError("sku_taken", field="sku", sku=details.sku)
        if any(v.label.casefold() == details.label.casefold() for v in others):
            raise InvalidValueError("variant_label_taken", field="label")

    def _follow_lowest_price(self) -> None:
        """A listing with variants shows (and is searched by) its lowest variant price."""
        lowest = min(v.price for v in self.variants.values())
        if lowest != self.details.price:
            self._repriced(price=lowest)

    def _require_no_variants(self, field: str) -> None:
        if self.variants:
            raise InvalidValueError("variant_required", field=field)

    # -- the listing itself ------------------------------------------------------------------

    def revise(self, details: ListingDetails) -> None:
        if details.sku is not None and details.sku != self.details.sku and (
                self.variant_by_sku(details.sku) is not None):
            raise InvalidValueError("sku_taken", field="sku", sku=details.sku)
        if details.price != self.details.price:
            self._require_no_variants("price_cents")  # its price follows its variants'
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
        self._require_no_variants("on_hand")
        self._check_stock(on_hand, field="on_hand")
        self._stock_set(on_hand=on_hand)

    def adjust_stock(self, delta: int, reason: StockReason,
                     variant_id: UUID | None = None) -> None:
        if delta == 0 or abs(delta) > MAX_STOCK:
            raise InvalidValueError("stock_delta_invalid", field="delta", maximum=MAX_STOCK)
        found = self.variant(variant_id)
        if found is None:
            self._check_stock(self.on_hand + delta, field="delta")
        elif not 0 <= found.on_hand + delta <= MAX_STOCK:
            raise InvalidValueError("stock_out_of_range", field="delta", maximum=MAX_STOCK)
        elif found.on_hand + delta < found.reserved:
            raise RuleViolatedError("stock_below_reserved", reserved=found.reserved)
        self._stock_adjusted(delta=delta, reason=reason, variant_id=variant_id)

    def reserve(self, order_id: UUID, quantity: int, until: datetime,
                variant_id: UUID | None = None) -> None:
        if not self.is_published:
            raise RuleViolatedError("listing_not_for_sale", listing_id=str(self.id),
                                    title=self.details.title_fr)
        if not 1 <= quantity <= MAX_STOCK:
            raise InvalidValueError("quantity_invalid", field="quantity")
        if _key(order_id, variant_id) in self.reservations:
            raise IllegalTransitionError("reservation", "reserve", "reserved")
        available = self.available_of(variant_id)
        if quantity > available:
            raise InsufficientStockError(listing_id=str(self.id), title=self.title_of(variant_id),
                                         available=available, requested=quantity)
        self._reserved(order_id=order_id, quantity=quantity, until=until, variant_id=variant_id)

    def reservations_of(self, order_id: UUID) -> list[dict[str, Any]]:
        """An order's reservations here: one per variant it bought (one without variants)."""
        return [r for key, r in self.reservations.items() if key.split("/")[0] == order_id.hex]

    def hold(self, order_id: UUID) -> None:
        """The order is paid: its reservations stay until fulfilment or decline. Since
        2026-11-28 the application no longer records it at capture (a paid order never asks
        its listings to expire, application/payments.py); logs written before still hold it."""
        if any(not r["held"] for r in self.reservations_of(order_id)):
            self._held(order_id=order_id)

    def release(self, order_id: UUID, reason: str) -> None:
        for reservation in self.reservations_of(order_id):
            self._released(order_id=order_id, quantity=reservation["quantity"], reason=reason,
                           variant_id=_variant_id(reservation))

    def expire(self, order_id: UUID, now: datetime) -> bool:
        """Release the reservations if their deadline has passed and the order was not paid."""
        due = [r for r in self.reservations_of(order_id) if not r["held"] and r["until"] <= now]
        for reservation in due:
            self._released(order_id=order_id, quantity=reservation["quantity"], reason="expired",
                           variant_id=_variant_id(reservation))
        return bool(due)

    def consume(self, order_id: UUID) -> None:
        """The merchant handed the goods over: they leave the stock."""
        reservations = self.reservations_of(order_id)
        if not reservations:
            raise IllegalTransitionError("reservation", "consume", "absent")
        for reservation in reservations:
            self._consumed(order_id=order_id, quantity=reservation["quantity"],
                           variant_id=_variant_id(reservation))

    def _check_stock(self, on_hand: int, field: str) -> None:
        if not 0 <= on_hand <= MAX_STOCK:
            raise InvalidValueError("stock_out_of_range", field=field, maximum=MAX_STOCK)
        if on_hand < self.reserved:
            raise RuleViolatedError("stock_below_reserved", reserved=self.reserved)

    def change_photos(self, photos: tuple[str, ...]) -> bool:
        """Record the photos in this order; False if they already are."""
        photos = parse_photos(photos)
        if photos == tuple(self.photos):
            return False
        self._photos_changed(photos=photos)
        return True

    @event("PhotosChanged", topic="comptoir.Listing.PhotosChanged")
    def _photos_changed(self, photos: tuple[str, ...]) -> None:
        self.photos = tuple(photos)

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

    # Stock events name the variant they move (None: the listing itself, and every event
    # stored before variants existed — v1 is upcast so). The listing's own on_hand and
    # reserved move with them: they are the sums of its variants'.

    class StockAdjusted(Aggregate.Event):
        TOPIC = "comptoir.Listing.StockAdjusted"
        class_version = 2  # v2: the variant
        delta: int
        reason: str
        variant_id: UUID | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["variant_id"] = None

    @event(StockAdjusted)
    def _stock_adjusted(self, delta: int, reason: str, variant_id: UUID | None) -> None:
        self.on_hand += delta
        self._move(variant_id, on_hand=delta)

    class Reserved(Aggregate.Event):
        TOPIC = "comptoir.Listing.Reserved"
        class_version = 2  # v2: the variant
        order_id: UUID
        quantity: int
        until: datetime
        variant_id: UUID | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["variant_id"] = None

    @event(Reserved)
    def _reserved(self, order_id: UUID, quantity: int, until: datetime,
                  variant_id: UUID | None) -> None:
        reservation: dict[str, Any] = {"quantity": quantity, "until": until, "held": False}
        if variant_id is not None:
            reservation["variant"] = variant_id.hex
        self.reservations[_key(order_id, variant_id)] = reservation
        self.reserved += quantity
        self._move(variant_id, reserved=quantity)

    @event("ReservationHeld", topic="comptoir.Listing.ReservationHeld")
    def _held(self, order_id: UUID) -> None:
        for reservation in self.reservations_of(order_id):
            reservation["held"] = True

    class ReservationReleased(Aggregate.Event):
        TOPIC = "comptoir.Listing.ReservationReleased"
        class_version = 2  # v2: the variant
        order_id: UUID
        quantity: int
        reason: str
        variant_id: UUID | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["variant_id"] = None

    @event(ReservationReleased)
    def _released(self, order_id: UUID, quantity: int, reason: str,
                  variant_id: UUID | None) -> None:
        del self.reservations[_key(order_id, variant_id)]
        self.reserved -= quantity
        self._move(variant_id, reserved=-quantity)

    class ReservationConsumed(Aggregate.Event):
        TOPIC = "comptoir.Listing.ReservationConsumed"
        class_version = 2  # v2: the variant
        order_id: UUID
        quantity: int
        variant_id: UUID | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["variant_id"] = None

    @event(ReservationConsumed)
    def _consumed(self, order_id: UUID, quantity: int, variant_id: UUID | None) -> None:
        del self.reservations[_key(order_id, variant_id)]
        self.reserved -= quantity
        self.on_hand -= quantity
        self._move(variant_id, on_hand=-quantity, reserved=-quantity)

    @event("VariantAdded", topic="comptoir.Listing.VariantAdded")
    def _variant_added(self, variant_id: UUID, sku: str, label: str, price: Money,
                       on_hand: int) -> None:
        self.variants[variant_id.hex] = Variant(variant_id, sku, label, price, on_hand)

    @event("VariantRevised", topic="comptoir.Listing.VariantRevised")
    def _variant_revised(self, variant_id: UUID, sku: str, label: str, price: Money) -> None:
        current = self.variants[variant_id.hex]
        self.variants[variant_id.hex] = replace(current, sku=sku, label=label, price=price)

    @event("VariantStockSet", topic="comptoir.Listing.VariantStockSet")
    def _variant_stock_set(self, variant_id: UUID, on_hand: int, delta: int) -> None:
        """`delta`: the change it makes, which the listing's sum (and the read models,
        which keep only sums) follow."""
        self.on_hand += delta
        self._move(variant_id, on_hand=delta)

    def _move(self, variant_id: UUID | None, on_hand: int = 0, reserved: int = 0) -> None:
        if variant_id is not None:
            v = self.variants[variant_id.hex]
            self.variants[variant_id.hex] = replace(
                v, on_hand=v.on_hand + on_hand, reserved=v.reserved + reserved)


def _key(order_id: UUID, variant_id: UUID | None) -> str:
    return order_id.hex if variant_id is None else f"{order_id.hex}/{variant_id.hex}"


def _variant_id(reservation: dict[str, Any]) -> UUID | None:
    variant = reservation.get("variant")
    return None if variant is None else UUID(hex=variant)
