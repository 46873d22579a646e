"""Gateway webhooks, verified and put in domain terms by the adapter (`GatewayEvent` and its
kinds, application/ports.py), recorded here once per gateway event id.

Effects are decided by the aggregates and are no-ops when already true, so that deliveries in
any order and any number of times converge: a refund arriving before the capture it implies
records the capture first; a duplicate changes nothing.
The `WebhookDelivery` record (id derived from the gateway's event id) is written after the
effect: a crash in between makes the redelivery apply effects that are already true.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import IntegrityError

from application.errors import NotFoundError
from application.payments import PAYMENT_CLAIM, Payments
from application.payouts import ACCOUNT_CLAIM, Payouts
from application.ports import (
    BankPayoutEvent,
    BankPayoutFailed,
    GatewayEvent,
    GatewayEventKind,
    PaymentDisputed,
    PaymentEvent,
    PaymentFailed,
    PaymentOutcome,
    PayoutAccountUpdated,
    TransferEvent,
    TransferMade,
    TransferReversed,
)
from application.service import Service
from domain.claim import Claim
from domain.natural_keys import webhook_delivery_id
from domain.order import Order
from domain.order_terms import OrderStatus
from domain.payout import Payout
from domain.payout_account import PayoutAccount


class WebhookDelivery(Aggregate):
    """One gateway event received. `kind` is a `GatewayEventKind` value; deliveries recorded
    before the adapter translated kinds hold the gateway's own type there. Only recorded:
    nothing reads it back to decide anything."""

    TOPIC = "comptoir.WebhookDelivery"

    class Created(Aggregate.Created):
        TOPIC = "comptoir.WebhookDelivery.Created"  # never triggered

    @staticmethod
    def create_id(event_id: str) -> UUID:
        return webhook_delivery_id(event_id)

    @event("Received", topic="comptoir.WebhookDelivery.Received")
    def __init__(self, event_id: str, kind: str) -> None:
        self.event_id = event_id
        self.kind = kind


class Webhooks(Service):
    def __init__(self, *args: Any, payments: Payments, payouts: Payouts, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.payments = payments
        self.payouts = payouts
        # Each effect takes the event class of its kind (application/ports.py).
        self.effects: dict[GatewayEventKind, Callable[[Any], None]] = {
            GatewayEventKind.PAYMENT_AUTHORIZED: self._authorized,
            GatewayEventKind.PAYMENT_CAPTURED: self._captured,
            GatewayEventKind.PAYMENT_FAILED: self._failed,
            GatewayEventKind.PAYMENT_REFUNDED: self._refunded,
            GatewayEventKind.PAYMENT_DISPUTED: self._disputed,
            GatewayEventKind.PAYOUT_ACCOUNT_UPDATED: self._account_updated,
            GatewayEventKind.TRANSFER_MADE: self._transfer_made,
            GatewayEventKind.TRANSFER_REVERSED: self._transfer_reversed,
            GatewayEventKind.BANK_PAYOUT_PAID: self._bank_payout,
            GatewayEventKind.BANK_PAYOUT_FAILED: self._bank_payout,
        }  # IGNORED: recorded, nothing else

    def receive(self, gateway_event: GatewayEvent) -> bool:
        """Apply a verified event once; False when it was already received."""
        record_id = WebhookDelivery.create_id(gateway_event.event_id)
        if self.exists(record_id):
            return False
        effect = self.effects.get(gateway_event.kind)
        # An event about an order or a payout this platform does not know changes nothing.
        if effect is not None:
            with suppress(NotFoundError):
                effect(gateway_event)
        try:
            self.save(WebhookDelivery(gateway_event.event_id, gateway_event.kind.value))
        except IntegrityError:
            return False  # a concurrent delivery of the same event recorded it first
        return True

    # -- payments -----------------------------------------------------------------------------

    def _captured(self, e: PaymentEvent) -> None:
        order = self._order(e)
        if order.status == OrderStatus.AWAITING_PAYMENT:
            self.payments.apply(order.id, PaymentOutcome(e.payment_id or order.payment_id or "",
                                                         "captured"))

    def _authorized(self, e: PaymentEvent) -> None:
        order = self._order(e)
        if order.status == OrderStatus.AWAITING_PAYMENT:
            self.payments.capture_confirmed(order.id, e.payment_id or order.payment_id or "")

    def _failed(self, e: PaymentFailed) -> None:
        order = self._order(e)
        if order.status == OrderStatus.AWAITING_PAYMENT:
            self.payments.apply(order.id, PaymentOutcome(
                e.payment_id or order.payment_id or "", "failed",
                failure_reason=e.reason or "payment_failed"))

    def _refunded(self, e: PaymentEvent) -> None:
        # A refund proves the capture, whose own event may not have come yet. The refunds
        # themselves are the platform's decisions; `payouts reconcile` compares the totals.
        self._captured(e)

    def _disputed(self, e: PaymentDisputed) -> None:
        order_id = self._order(e).id

        def attempt() -> None:
            order = self.load(Order, order_id, "order")
            if order.open_dispute(e.dispute_id or e.event_id, e.amount, e.reason or "disputed"):
                self.save(order)

        self.retrying(attempt, serialise=[order_id])

    def _order(self, e: PaymentEvent) -> Order:
        order_id = e.order_id
        if order_id is None and e.payment_id:
            claim = self.find(Claim.create_id(PAYMENT_CLAIM, e.payment_id))
            order_id = claim.holder_id if isinstance(claim, Claim) else None
        if order_id is None:
            raise NotFoundError("order")
        return self.load(Order, order_id, "order")

    # -- payouts ------------------------------------------------------------------------------

    def _account_updated(self, e: PayoutAccountUpdated) -> None:
        self.payouts.report_account(self._merchant_of(e.merchant_id, e.status.account_id),
                                    e.status)

    def _transfer_made(self, e: TransferMade) -> None:
        payout = self._payout_of(e)
        self.payouts.record(payout, lambda p: p.record_transfer(e.transfer_id))

    def _transfer_reversed(self, e: TransferReversed) -> None:
        payout = self._payout_of(e)
        self.payouts.record(payout, lambda p: p.report_reversed(e.reversed))

    def _bank_payout(self, e: BankPayoutEvent) -> None:
        merchant_id = self._merchant_of(e.merchant_id, e.account_id)
        account_id = PayoutAccount.create_id(merchant_id)
        status, reason = ("failed", e.reason) if isinstance(e, BankPayoutFailed) else (
            "paid", None)

        def attempt() -> None:
            account = self.load(PayoutAccount, account_id, "payout_account")
            if account.report_payout(e.payout_id or e.event_id, e.amount, status, reason):
                self.save(account)

        self.retrying(attempt, serialise=[account_id])

    def _payout_of(self, e: TransferEvent) -> UUID:
        if e.order_id is None or e.merchant_id is None:
            raise NotFoundError("payout")
        return Payout.create_id(e.order_id, e.merchant_id)

    def _merchant_of(self, merchant_id: UUID | None, account_id: str | None) -> UUID:
        if merchant_id is not None:
            return merchant_id
        claim = self.find(Claim.create_id(ACCOUNT_CLAIM, account_id or ""))
        if not isinstance(claim, Claim):
            raise NotFoundError("payout_account")
        return claim.holder_id
