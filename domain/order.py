"""The Order aggregate: one payment for a cart, split into one merchant order per merchant."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import IllegalTransitionError, InvalidValueError, RuleViolatedError
from domain.money import Money
from domain.order_terms import (
    MerchantOrderStatus,
    MerchantOrderTerms,
    OrderStatus,
    PaymentStatus,
    Refund,
    order_total,
    sum_money,
)
from domain.personal import PersonalData
from domain.pricing import allocate_refund
from domain.text import clean_text

MS = MerchantOrderStatus

MAX_MERCHANT_REASON = 500


def check_merchant_reason(reason: str) -> str:
    """A decline's or refund's reason: the merchant's own words, shown to the shopper. Kept
    for years with the order, so it should never name a person (the API says so)."""
    try:
        checked = clean_text(reason, required=True, maximum=MAX_MERCHANT_REASON)
    except InvalidValueError as error:
        raise InvalidValueError(error.code, field="reason", **error.params) from None
    assert checked is not None
    return checked


class Order(Aggregate):
    TOPIC = "comptoir.Order"

    class Created(Aggregate.Created):
        TOPIC = "comptoir.Order.Created"  # never triggered: an order is placed

    @event("Placed", topic="comptoir.Order.Placed")
    def __init__(self, consumer_id: UUID, cart_id: UUID, storefront: str | None,
                 parts: tuple[MerchantOrderTerms, ...], delivery_address: PersonalData | None,
                 expires_at: datetime) -> None:
        self.consumer_id = consumer_id
        self.cart_id = cart_id
        self.storefront = storefront
        self.parts = {part.merchant_id.hex: part for part in parts}
        self.part_status = {part.merchant_id.hex: MS.PLACED for part in parts}
        self.part_reason: dict[str, str] = {}
        self.refunds: dict[str, list[Refund]] = {part.merchant_id.hex: [] for part in parts}
        self.delivery_address = delivery_address
        self.expires_at = expires_at
        self.status = OrderStatus.AWAITING_PAYMENT
        self.status_reason: str | None = None
        self.payment_status = PaymentStatus.PENDING
        self.payment_id: str | None = None
        self.payment_note: str | None = None
        self.payment_method: str | None = None
        self.disputes: dict[str, tuple[Money, str]] = {}  # gateway dispute id: amount, reason

    # -- reading ----------------------------------------------------------------------------

    @property
    def total(self) -> Money:
        return order_total(list(self.parts.values()))

    def part(self, merchant_id: UUID) -> MerchantOrderTerms:
        part = self.parts.get(merchant_id.hex)
        if part is None:
            raise RuleViolatedError("merchant_not_in_order")
        return part

    def refunded(self, merchant_id: UUID) -> Money:
        return sum_money([r.breakdown.amount for r in self.refunds[merchant_id.hex]])

    def refundable(self, merchant_id: UUID) -> Money:
        return self.part(merchant_id).breakdown.total - self.refunded(merchant_id)

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

    def capture(self) -> None:
        if self.payment_status in (PaymentStatus.CAPTURED,):
            return
        if self.status != OrderStatus.AWAITING_PAYMENT:
            raise IllegalTransitionError("order", "capture", str(self.status))
        self._captured()

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
        self._require_paid("accept")
        self._require_part(merchant_id, "accept", MS.PLACED)
        self._accepted(merchant_id=merchant_id)

    def fulfil(self, merchant_id: UUID) -> None:
        self._require_paid("fulfil")
        self._require_part(merchant_id, "fulfil", MS.ACCEPTED)
        self._fulfilled(merchant_id=merchant_id)

    def decline(self, merchant_id: UUID, reason: str) -> None:
        self._require_paid("decline")
        self._require_part(merchant_id, "decline", MS.PLACED, MS.ACCEPTED)
        self._declined(merchant_id=merchant_id, reason=check_merchant_reason(reason))

    def refund(self, merchant_id: UUID, amount: Money, reason: str, refund_id: UUID) -> Refund:
        """Decide a refund out of one merchant order: never more than was paid for it."""
        self._require_paid("refund")
        terms = self.part(merchant_id)
        if self.part_status[merchant_id.hex] == MS.CANCELLED:
            raise IllegalTransitionError("merchant_order", "refund", MS.CANCELLED)
        reason = check_merchant_reason(reason)
        breakdown = allocate_refund(terms.breakdown, self.refunded(merchant_id), amount)
        refund = Refund(refund_id, breakdown, reason)
        self._refund_decided(merchant_id=merchant_id, refund=refund)
        return refund

    def settle_refund(self, merchant_id: UUID, refund_id: UUID, gateway_refund_id: str) -> None:
        refunds = self.refunds[merchant_id.hex]
        if any(r.refund_id == refund_id and r.gateway_refund_id is None for r in refunds):
            self._refund_settled(merchant_id=merchant_id, refund_id=refund_id,
                                 gateway_refund_id=gateway_refund_id)

    def _require_paid(self, action: str) -> None:
        if not self.is_paid:
            raise IllegalTransitionError("order", action, str(self.status))

    def _require_part(self, merchant_id: UUID, action: str, *allowed: MS) -> None:
        self.part(merchant_id)
        status = self.part_status[merchant_id.hex]
        if status not in allowed:
            raise IllegalTransitionError("merchant_order", action, str(status))

    def _close_if_done(self) -> None:
        if all(s in (MS.FULFILLED, MS.DECLINED) for s in self.part_status.values()):
            self.status = OrderStatus.COMPLETED

    # -- events ----------------------------------------------------------------------------

    @event("PaymentRequested", topic="comptoir.Order.PaymentRequested")
    def _payment_requested(self, payment_id: str) -> None:
        self.payment_id = payment_id

    @event("PaymentAuthorized", topic="comptoir.Order.PaymentAuthorized")
    def _authorized(self) -> None:
        self.payment_status = PaymentStatus.AUTHORIZED

    @event("PaymentCaptured", topic="comptoir.Order.PaymentCaptured")
    def _captured(self) -> None:
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
        for key in self.part_status:
            self.part_status[key] = MS.CANCELLED

    @event("MerchantOrderAccepted", topic="comptoir.Order.MerchantOrderAccepted")
    def _accepted(self, merchant_id: UUID) -> None:
        self.part_status[merchant_id.hex] = MS.ACCEPTED

    @event("MerchantOrderFulfilled", topic="comptoir.Order.MerchantOrderFulfilled")
    def _fulfilled(self, merchant_id: UUID) -> None:
        self.part_status[merchant_id.hex] = MS.FULFILLED
        self._close_if_done()

    @event("MerchantOrderDeclined", topic="comptoir.Order.MerchantOrderDeclined")
    def _declined(self, merchant_id: UUID, reason: str) -> None:
        self.part_status[merchant_id.hex] = MS.DECLINED
        self.part_reason[merchant_id.hex] = reason
        self._close_if_done()

    @event("RefundDecided", topic="comptoir.Order.RefundDecided")
    def _refund_decided(self, merchant_id: UUID, refund: Refund) -> None:
        self.refunds[merchant_id.hex].append(refund)

    @event("RefundSettled", topic="comptoir.Order.RefundSettled")
    def _refund_settled(self, merchant_id: UUID, refund_id: UUID, gateway_refund_id: str) -> None:
        self.refunds[merchant_id.hex] = [
            Refund(r.refund_id, r.breakdown, r.reason, gateway_refund_id)
            if r.refund_id == refund_id else r
            for r in self.refunds[merchant_id.hex]
        ]
