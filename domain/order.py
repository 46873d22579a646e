"""The Order aggregate: one payment for a cart, split into one merchant order per merchant."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import IllegalTransitionError, InvalidValueError, RuleViolatedError
from domain.money import Money
from domain.order_terms import (
    Fulfilment,
    MerchantOrderStatus,
    MerchantOrderTerms,
    OrderLine,
    OrderStatus,
    PaymentStatus,
    Refund,
    order_total,
    sum_money,
)
from domain.personal import PersonalData
from domain.pricing import Breakdown, allocate_refund
from domain.text import clean_text

MS = MerchantOrderStatus

MAX_MERCHANT_REASON = 500


def hours_text(hours: float | None) -> str:
    """48.0 → "48", 1.5 → "1,5" (French decimal comma; the mails format their own)."""
    value = 48.0 if hours is None else hours
    return f"{value:g}".replace(".", ",")


def unaccepted_reason(hours: float | None) -> str:
    """The reason recorded when the acceptance deadline declines a part (French, like the
    platform's other stored texts; mails say it in the reader's language)."""
    return f"Non acceptée dans les {hours_text(hours)} h (déclin automatique)"


def check_merchant_reason(reason: str) -> str:
    """A decline's or refund's reason: the merchant's own words, shown to the shopper. Kept
    for years with the order, so it should never name a person (the API says so)."""
    try:
        checked = clean_text(reason, required=True, maximum=MAX_MERCHANT_REASON)
    except InvalidValueError as error:
        raise InvalidValueError(error.code, field="reason", **error.params) from None
    assert checked is not None
    return checked


# What a merchant order's status must be for each of its merchant's actions (docs/checkout.md):
# placed → accepted → fulfilled, or declined from placed or accepted; refunds once paid, from
# any status but cancelled. `cancelled` is no action of the merchant's: it comes with the
# order's failed or expired payment, while every merchant order is still placed.
ALLOWED_FROM: dict[str, tuple[MerchantOrderStatus, ...]] = {
    "accept": (MS.PLACED,),
    "fulfil": (MS.ACCEPTED,),
    "decline": (MS.PLACED, MS.ACCEPTED),
    "refund": (MS.PLACED, MS.ACCEPTED, MS.FULFILLED, MS.DECLINED),
}


@dataclass
class MerchantOrder:
    """One merchant's part of an order, an entity inside the Order aggregate: its terms (set
    at checkout, stored in `Order.Placed`), its status, why it was declined, its refunds.

    The Order's commands ask it what may happen (`check`, `decide_refund`: they raise and
    change nothing); the Order's events change it (the past-tense methods), also on replay,
    so those never refuse."""

    terms: MerchantOrderTerms
    status: MerchantOrderStatus = MS.PLACED
    reason: str | None = None  # why it was declined, in the merchant's words
    refunds: list[Refund] = field(default_factory=list)
    declined_automatically: bool = False  # by the acceptance deadline, not by the merchant

    # -- reading ----------------------------------------------------------------------------

    @property
    def merchant_id(self) -> UUID:
        return self.terms.merchant_id

    @property
    def lines(self) -> tuple[OrderLine, ...]:
        return self.terms.lines

    @property
    def fulfilment(self) -> Fulfilment:
        return self.terms.fulfilment

    @property
    def breakdown(self) -> Breakdown:
        return self.terms.breakdown

    @property
    def refunded(self) -> Money:
        return sum_money([r.breakdown.amount for r in self.refunds])

    @property
    def refundable(self) -> Money:
        """What is left of what was paid for it."""
        return self.breakdown.total - self.refunded

    @property
    def is_done(self) -> bool:
        return self.status in (MS.FULFILLED, MS.DECLINED)

    def refund_by_id(self, refund_id: UUID) -> Refund:
        for refund in self.refunds:
            if refund.refund_id == refund_id:
                return refund
        raise KeyError(refund_id)

    # -- deciding ---------------------------------------------------------------------------

    def check(self, action: str) -> None:
        if self.status not in ALLOWED_FROM[action]:
            raise IllegalTransitionError("merchant_order", action, str(self.status))

    def decide_refund(self, amount: Money, reason: str, refund_id: UUID) -> Refund:
        """A refund out of this merchant order: never more than what is left of it
        (`refund_exceeds_paid`), each component allocated by cumulative rounding."""
        self.check("refund")
        return Refund(refund_id, allocate_refund(self.breakdown, self.refunded, amount), reason)

    # -- applied by the Order's events --------------------------------------------------------

    def accepted(self) -> None:
        self.status = MS.ACCEPTED

    def fulfilled(self) -> None:
        self.status = MS.FULFILLED

    def declined(self, reason: str, automatic: bool = False) -> None:
        self.status, self.reason = MS.DECLINED, reason
        self.declined_automatically = automatic

    def cancelled(self) -> None:
        self.status = MS.CANCELLED

    def refund_decided(self, refund: Refund) -> None:
        self.refunds.append(refund)

    def refund_settled(self, refund_id: UUID, gateway_refund_id: str) -> None:
        self.refunds = [Refund(r.refund_id, r.breakdown, r.reason, gateway_refund_id)
                        if r.refund_id == refund_id else r for r in self.refunds]


class Order(Aggregate):
    TOPIC = "comptoir.Order"

    class Created(Aggregate.Created):
        TOPIC = "comptoir.Order.Created"  # never triggered: an order is placed

    # The event classes the @event methods below generate when the class is made, declared
    # for type checkers (which cannot see them) because other modules name them.
    if TYPE_CHECKING:
        Placed: ClassVar[type[Aggregate.Event]]
        PaymentRequested: ClassVar[type[Aggregate.Event]]
        PaymentAuthorized: ClassVar[type[Aggregate.Event]]
        PaymentFailed: ClassVar[type[Aggregate.Event]]
        Disputed: ClassVar[type[Aggregate.Event]]
        Expired: ClassVar[type[Aggregate.Event]]
        MerchantOrderAccepted: ClassVar[type[Aggregate.Event]]
        MerchantOrderFulfilled: ClassVar[type[Aggregate.Event]]
        RefundDecided: ClassVar[type[Aggregate.Event]]
        RefundSettled: ClassVar[type[Aggregate.Event]]

    @event("Placed", topic="comptoir.Order.Placed")
    def __init__(self, consumer_id: UUID, cart_id: UUID, storefront: str | None,
                 parts: tuple[MerchantOrderTerms, ...], delivery_address: PersonalData | None,
                 expires_at: datetime) -> None:
        self.consumer_id = consumer_id
        self.cart_id = cart_id
        self.storefront = storefront
        # The stored event carries the terms; each merchant order's life starts here.
        self.merchant_orders = {part.merchant_id: MerchantOrder(part) for part in parts}
        self.delivery_address = delivery_address
        self.expires_at = expires_at
        self.status = OrderStatus.AWAITING_PAYMENT
        self.status_reason: str | None = None
        self.payment_status = PaymentStatus.PENDING
        self.payment_id: str | None = None
        self.payment_note: str | None = None
        self.payment_method: str | None = None
        # When every merchant must have accepted its part (set at capture; None: no deadline,
        # as for orders paid before the acceptance deadline existed).
        self.accept_by: datetime | None = None
        self.accept_hours: float | None = None
        self.disputes: dict[str, tuple[Money, str]] = {}  # gateway dispute id: amount, reason

    # -- reading ----------------------------------------------------------------------------

    @property
    def total(self) -> Money:
        return order_total([mo.terms for mo in self.merchant_orders.values()])

    def merchant_order(self, merchant_id: UUID) -> MerchantOrder:
        merchant_order = self.merchant_orders.get(merchant_id)
        if merchant_order is None:
            raise RuleViolatedError("merchant_not_in_order")
        return merchant_order

    @property
    def listing_ids(self) -> list[UUID]:
        """Each listing once, though several of its variants be bought."""
        return list(dict.fromkeys(
            line.listing_id for mo in self.merchant_orders.values() for line in mo.lines))

    @property
    def is_paid(self) -> bool:
        return self.payment_status == PaymentStatus.CAPTURED

    # -- payment ----------------------------------------------------------------------------

    def record_payment(self, payment_id: str) -> None:
        if self.payment_id is None:
            self._payment_requested(payment_id=payment_id)

    def authorize(self) -> None:
        if self.payment_status == PaymentStatus.PENDING:
            self._authorized()

    def capture(self, accept_by: datetime | None = None, accept_hours: float | None = None
                ) -> None:
        """`accept_by`: the acceptance deadline of every merchant order (docs/payments.md),
        `accept_hours` the window it was computed with (said in the mails)."""
        if self.payment_status in (PaymentStatus.CAPTURED,):
            return
        if self.status != OrderStatus.AWAITING_PAYMENT:
            raise IllegalTransitionError("order", "capture", str(self.status))
        self._captured(accept_by=accept_by, accept_hours=accept_hours)

    def note_payment_delay(self, note: str, method: str | None = None) -> None:
        """The gateway did not answer: the payment stays pending, is asked again while the
        window is open (with the same method and idempotency key), and expires with it."""
        if self.payment_status == PaymentStatus.PENDING and self.payment_note != note:
            self._payment_delayed(note=note, method=method)

    def fail_payment(self, reason: str) -> None:
        if self.payment_status == PaymentStatus.FAILED:
            return
        if self.status != OrderStatus.AWAITING_PAYMENT:
            raise IllegalTransitionError("order", "fail_payment", str(self.status))
        self._payment_failed(reason=reason)

    def open_dispute(self, dispute_id: str, amount: Money, reason: str) -> bool:
        """The consumer's bank disputes the charge (the gateway says so)."""
        if dispute_id in self.disputes:
            return False
        self._disputed(dispute_id=dispute_id, amount=amount, reason=reason)
        return True

    def expire(self, now: datetime) -> bool:
        if self.status != OrderStatus.AWAITING_PAYMENT or now < self.expires_at:
            return False
        self._expired(reason=self.payment_note or "payment_not_confirmed")
        return True

    # -- merchant orders -------------------------------------------------------------------

    def accept(self, merchant_id: UUID) -> None:
        self._check(merchant_id, "accept")
        self._accepted(merchant_id=merchant_id)

    def fulfil(self, merchant_id: UUID) -> None:
        self._check(merchant_id, "fulfil")
        self._fulfilled(merchant_id=merchant_id)

    def decline(self, merchant_id: UUID, reason: str) -> None:
        self._check(merchant_id, "decline")
        self._declined(merchant_id=merchant_id, reason=check_merchant_reason(reason),
                       automatic=False)

    def unaccepted(self, now: datetime) -> list[UUID]:
        """The merchant orders still placed (paid, never accepted) past the deadline."""
        if not self.is_paid or self.accept_by is None or now < self.accept_by:
            return []
        return [m for m, mo in self.merchant_orders.items() if mo.status == MS.PLACED]

    def decline_unaccepted(self, merchant_id: UUID, now: datetime) -> bool:
        """Decline, on the platform's behalf, a part its merchant left unanswered past the
        deadline; False (and nothing happens) when it is not, or no longer, due — the
        merchant accepted or declined it first."""
        if merchant_id not in self.unaccepted(now):
            return False
        self._declined(merchant_id=merchant_id, reason=unaccepted_reason(self.accept_hours),
                       automatic=True)
        return True

    def refund(self, merchant_id: UUID, amount: Money, reason: str, refund_id: UUID) -> Refund:
        """Decide a refund out of one merchant order: never more than was paid for it."""
        merchant_order = self._check(merchant_id, "refund")
        refund = merchant_order.decide_refund(amount, check_merchant_reason(reason), refund_id)
        self._refund_decided(merchant_id=merchant_id, refund=refund)
        return refund

    def settle_refund(self, merchant_id: UUID, refund_id: UUID, gateway_refund_id: str) -> None:
        refunds = self.merchant_order(merchant_id).refunds
        if any(r.refund_id == refund_id and r.gateway_refund_id is None for r in refunds):
            self._refund_settled(merchant_id=merchant_id, refund_id=refund_id,
                                 gateway_refund_id=gateway_refund_id)

    def _check(self, merchant_id: UUID, action: str) -> MerchantOrder:
        """Nothing happens to a merchant order before the payment is captured; then its own
        status says what may."""
        if not self.is_paid:
            raise IllegalTransitionError("order", action, str(self.status))
        merchant_order = self.merchant_order(merchant_id)
        merchant_order.check(action)
        return merchant_order

    def _close_if_done(self) -> None:
        if all(mo.is_done for mo in self.merchant_orders.values()):
            self.status = OrderStatus.COMPLETED

    # -- events ----------------------------------------------------------------------------

    @event("PaymentRequested", topic="comptoir.Order.PaymentRequested")
    def _payment_requested(self, payment_id: str) -> None:
        self.payment_id = payment_id

    @event("PaymentAuthorized", topic="comptoir.Order.PaymentAuthorized")
    def _authorized(self) -> None:
        self.payment_status = PaymentStatus.AUTHORIZED

    class PaymentCaptured(Aggregate.Event):
        TOPIC = "comptoir.Order.PaymentCaptured"
        class_version = 2  # v2: the acceptance deadline
        accept_by: datetime | None
        accept_hours: float | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["accept_by"] = None
            state["accept_hours"] = None

    @event(PaymentCaptured)
    def _captured(self, accept_by: datetime | None, accept_hours: float | None) -> None:
        self.accept_by, self.accept_hours = accept_by, accept_hours
        self.payment_status = PaymentStatus.CAPTURED
        self.status = OrderStatus.CONFIRMED
        self.payment_note = None

    class PaymentDelayed(Aggregate.Event):
        TOPIC = "comptoir.Order.PaymentDelayed"
        class_version = 2  # v2: the payment method, to ask again with it
        note: str
        method: str | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["method"] = None

    @event(PaymentDelayed)
    def _payment_delayed(self, note: str, method: str | None) -> None:
        self.payment_note = note
        self.payment_method = method  # a gateway token (pm_…), not personal data

    @event("PaymentFailed", topic="comptoir.Order.PaymentFailed")
    def _payment_failed(self, reason: str) -> None:
        self.payment_status = PaymentStatus.FAILED
        self.status = OrderStatus.FAILED
        self.status_reason = reason
        self._cancel_parts()

    @event("Disputed", topic="comptoir.Order.Disputed")
    def _disputed(self, dispute_id: str, amount: Money, reason: str) -> None:
        self.disputes[dispute_id] = (amount, reason)

    @event("Expired", topic="comptoir.Order.Expired")
    def _expired(self, reason: str) -> None:
        self.status = OrderStatus.EXPIRED
        self.status_reason = reason
        self._cancel_parts()

    def _cancel_parts(self) -> None:
        for merchant_order in self.merchant_orders.values():
            merchant_order.cancelled()

    @event("MerchantOrderAccepted", topic="comptoir.Order.MerchantOrderAccepted")
    def _accepted(self, merchant_id: UUID) -> None:
        self.merchant_orders[merchant_id].accepted()

    @event("MerchantOrderFulfilled", topic="comptoir.Order.MerchantOrderFulfilled")
    def _fulfilled(self, merchant_id: UUID) -> None:
        self.merchant_orders[merchant_id].fulfilled()
        self._close_if_done()

    class MerchantOrderDeclined(Aggregate.Event):
        TOPIC = "comptoir.Order.MerchantOrderDeclined"
        class_version = 2  # v2: whether the acceptance deadline declined it
        merchant_id: UUID
        reason: str
        automatic: bool

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["automatic"] = False

    @event(MerchantOrderDeclined)
    def _declined(self, merchant_id: UUID, reason: str, automatic: bool) -> None:
        self.merchant_orders[merchant_id].declined(reason, automatic)
        self._close_if_done()

    @event("RefundDecided", topic="comptoir.Order.RefundDecided")
    def _refund_decided(self, merchant_id: UUID, refund: Refund) -> None:
        self.merchant_orders[merchant_id].refund_decided(refund)

    @event("RefundSettled", topic="comptoir.Order.RefundSettled")
    def _refund_settled(self, merchant_id: UUID, refund_id: UUID, gateway_refund_id: str) -> None:
        self.merchant_orders[merchant_id].refund_settled(refund_id, gateway_refund_id)
