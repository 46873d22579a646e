"""Gateway webhooks, verified by the adapter, recorded here once per gateway event id.

Effects are decided by the aggregates and are no-ops when already true, so that deliveries in
any order and any number of times converge: a `charge.refunded` arriving before the
`payment_intent.succeeded` it implies records the capture first; a duplicate changes nothing.
The `WebhookDelivery` record (id derived from the gateway's event id) is written after the
effect: a crash in between makes the redelivery apply effects that are already true.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import IntegrityError

from application.errors import NotFoundError
from application.payments import PAYMENT_CLAIM, Payments
from application.payouts import ACCOUNT_CLAIM, Payouts
from application.ports import GatewayEvent, PaymentOutcome
from application.service import Service
from domain.claim import Claim
from domain.money import Money
from domain.order import Order
from domain.order_terms import OrderStatus
from domain.payout import Payout
from domain.payout_account import PayoutAccount


class WebhookDelivery(Aggregate):
    TOPIC = "comptoir.WebhookDelivery"

    class Created(Aggregate.Created):
        TOPIC = "comptoir.WebhookDelivery.Created"  # never triggered

    @staticmethod
    def create_id(event_id: str) -> UUID:
        return uuid5(NAMESPACE_URL, f"comptoir:webhook:{event_id}")

    @event("Received", topic="comptoir.WebhookDelivery.Received")
    def __init__(self, event_id: str, kind: str) -> None:
        self.event_id = event_id
        self.kind = kind


class Webhooks(Service):
    def __init__(self, *args: Any, payments: Payments, payouts: Payouts, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.payments = payments
        self.payouts = payouts
        self.effects: dict[str, Callable[[GatewayEvent], None]] = {
            "payment_intent.amount_capturable_updated": self._capturable,
            "payment_intent.succeeded": self._succeeded,
            "payment_intent.payment_failed": self._failed,
            "charge.refunded": self._refunded,
            "charge.dispute.created": self._disputed,
            "account.updated": self._account_updated,
            "transfer.created": self._transfer_created,
            "transfer.reversed": self._transfer_reversed,
            "payout.paid": self._payout,
            "payout.failed": self._payout,
        }

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
            self.save(WebhookDelivery(gateway_event.event_id, gateway_event.kind))
        except IntegrityError:
            return False  # a concurrent delivery of the same event recorded it first
        return True

    # -- payments -----------------------------------------------------------------------------

    def _succeeded(self, e: GatewayEvent) -> None:
        order = self._order(e)
        if order.status == OrderStatus.AWAITING_PAYMENT:
            self.payments.apply(order.id, PaymentOutcome(e.payment_id or order.payment_id or "",
                                                         "captured"))

    def _capturable(self, e: GatewayEvent) -> None:
        order = self._order(e)
        if order.status == OrderStatus.AWAITING_PAYMENT:
            self.payments.capture_confirmed(order.id, e.payment_id or order.payment_id or "")

    def _failed(self, e: GatewayEvent) -> None:
        order = self._order(e)
        if order.status == OrderStatus.AWAITING_PAYMENT:
            self.payments.apply(order.id, PaymentOutcome(
                e.payment_id or order.payment_id or "", "failed",
                failure_reason=e.failure_reason or "payment_failed"))

    def _refunded(self, e: GatewayEvent) -> None:
        # A refund proves the capture, whose own event may not have come yet. The refunds
        # themselves are the platform's decisions; `payouts reconcile` compares the totals.
        self._succeeded(e)

    def _disputed(self, e: GatewayEvent) -> None:
        order_id = self._order(e).id

        def attempt() -> None:
            order = self.load(Order, order_id, "order")
            if order.open_dispute(e.object_id or e.event_id, e.amount or Money.zero(),
                                  e.failure_reason or "disputed"):
                self.save(order)

        self.retrying(attempt, serialise=[order_id])

    def _order(self, e: GatewayEvent) -> Order:
        order_id = e.order_id
        if order_id is None and e.payment_id:
            claim = self.find(Claim.create_id(PAYMENT_CLAIM, e.payment_id))
            order_id = claim.holder_id if isinstance(claim, Claim) else None
        if order_id is None:
            raise NotFoundError("order")
        return self.load(Order, order_id, "order")

    # -- payouts ------------------------------------------------------------------------------

    def _account_updated(self, e: GatewayEvent) -> None:
        if e.account_status is not None:
            self.payouts.report_account(self._merchant_of(e), e.account_status)

    def _transfer_created(self, e: GatewayEvent) -> None:
        payout = self._payout_of(e)
        self.payouts.record(payout, lambda p: p.record_transfer(e.object_id or ""))

    def _transfer_reversed(self, e: GatewayEvent) -> None:
        payout = self._payout_of(e)
        self.payouts.record(payout, lambda p: p.report_reversed(e.amount or Money.zero()))

    def _payout(self, e: GatewayEvent) -> None:
        merchant_id = self._merchant_of(e)
        account_id = PayoutAccount.create_id(merchant_id)

        def attempt() -> None:
            account = self.load(PayoutAccount, account_id, "payout_account")
            status = "paid" if e.kind == "payout.paid" else "failed"
            if account.report_payout(e.object_id or e.event_id, e.amount or Money.zero(),
                                     status, e.failure_reason):
                self.save(account)

        self.retrying(attempt, serialise=[account_id])

    def _payout_of(self, e: GatewayEvent) -> UUID:
        if e.order_id is None or e.merchant_id is None:
            raise NotFoundError("payout")
        return Payout.create_id(e.order_id, e.merchant_id)

    def _merchant_of(self, e: GatewayEvent) -> UUID:
        if e.merchant_id is not None:
            return e.merchant_id
        claim = self.find(Claim.create_id(ACCOUNT_CLAIM, e.account_id or ""))
        if not isinstance(claim, Claim):
            raise NotFoundError("payout_account")
        return claim.holder_id
