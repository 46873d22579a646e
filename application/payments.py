"""The payment of an order through the PaymentGateway port, and what its outcomes change.

Gateway calls happen outside the atomic saves (a network call never holds a database
transaction); each is idempotent on a key derived from the order, so a retried checkout or a
crash between the call and its record can never charge twice. Outcomes are recorded as events:
captured → reservations held; failed → reservations released (compensation).
"""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from application.errors import GatewayUnavailableError
from application.ports import PaymentGateway, PaymentOutcome
from application.service import Service
from domain.listing import Listing
from domain.order import Order
from domain.order_terms import OrderStatus


class Payments(Service):
    def __init__(self, *args: object, gateway: PaymentGateway, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.gateway = gateway

    def request(self, order_id: UUID, method: str | None) -> str | None:
        """Charge the order once (create, then capture). Returns the client secret the
        consumer's device needs when the gateway asks for a confirmation. Safe to repeat."""
        order = self.load(Order, order_id, "order")
        if order.status != OrderStatus.AWAITING_PAYMENT:
            return None
        try:
            outcome = self.gateway.create_payment(order_id, order.total, method,
                                                  idempotency_key=f"{order_id}:payment")
            self.apply(order_id, outcome)
            if outcome.status == "authorized":
                self.apply(order_id, self.gateway.capture(
                    outcome.payment_id, order.total, idempotency_key=f"{order_id}:capture"))
        except GatewayUnavailableError as error:
            note = f"gateway_{error.reason}"
            self._change(order_id, lambda o, _: o.note_payment_delay(note))
            return None
        return outcome.client_secret

    def apply(self, order_id: UUID, outcome: PaymentOutcome) -> None:
        """Record where the payment stands (from a gateway answer or a webhook)."""

        def record(order: Order, listings: list[Listing]) -> None:
            order.record_payment(outcome.payment_id)
            if outcome.status == "authorized":
                order.authorize()
            elif outcome.status == "captured":
                order.capture()
                for listing in listings:
                    listing.hold(order.id)
            elif outcome.status == "failed":
                order.fail_payment(outcome.failure_reason or "payment_failed")
                for listing in listings:
                    listing.release(order.id, reason="payment_failed")

        self._change(order_id, record)

    def refund(self, order_id: UUID, merchant_id: UUID, refund_id: UUID) -> None:
        """Carry out a decided refund at the gateway, then record its settlement."""
        order = self.load(Order, order_id, "order")
        refund = next(r for r in order.refunds[merchant_id.hex] if r.refund_id == refund_id)
        if refund.gateway_refund_id is not None or order.payment_id is None:
            return
        gateway_refund_id = self.gateway.refund(order.payment_id, refund.breakdown.amount,
                                                idempotency_key=f"refund:{refund_id}")
        self._change(order_id, lambda o, _: o.settle_refund(merchant_id, refund_id,
                                                             gateway_refund_id))

    def _change(self, order_id: UUID,
                decide: Callable[[Order, list[Listing]], None]) -> None:
        def attempt() -> None:
            order = self.load(Order, order_id, "order")
            listings = [self.load(Listing, line.listing_id, "listing")
                        for part in order.parts.values() for line in part.lines]
            decide(order, listings)
            self.save(order, *listings)

        order = self.load(Order, order_id, "order")
        ids = [line.listing_id for part in order.parts.values() for line in part.lines]
        self.retrying(attempt, serialise=[order_id, *ids])

