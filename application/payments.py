"""The payment of an order through the PaymentGateway port, and what its outcomes change.

Gateway calls happen outside the atomic saves (a network call never holds a database
transaction); each is idempotent on a key derived from the order, so a retried checkout or a
crash between the call and its record can never charge twice. Outcomes are recorded as events:
captured → the order paid (its reservations then last until the merchants hand over or
decline); failed → reservations released (compensation).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

from eventsourcing.domain import Aggregate

from application.errors import GatewayUnavailableError
from application.ports import Clock, PaymentGateway, PaymentOutcome
from application.service import Service
from domain.claim import Claim
from domain.listing import Listing
from domain.order import Order
from domain.order_terms import OrderStatus

log = logging.getLogger("comptoir.payments")


@dataclass(frozen=True)
class SavedOrder:
    """An order and its listings as just saved (their versions are current)."""

    order: Order
    listings: list[Listing]


class Payments(Service):
    def __init__(self, *args: object, gateway: PaymentGateway,
                 acceptance_window: timedelta | None = None, clock: Clock | None = None,
                 **kwargs: object) -> None:
        """`acceptance_window`: how long the merchants have, from the capture, to accept
        their parts before the acceptance deadline declines them (None: no deadline)."""
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.gateway, self.acceptance_window, self.clock = gateway, acceptance_window, clock

    def request(self, order_id: UUID, method: str | None,
                fresh: SavedOrder | None = None) -> tuple[str | None, Order]:
        """Charge the order once (create, then capture). Returns the client secret the
        consumer's device needs when the gateway asks for a confirmation, and the order as
        recorded. Safe to repeat.

        `fresh`: the order and its listings as checkout just saved them, to record the
        outcome without reading them again (if another writer changed them since, they are
        read again)."""
        order = fresh.order if fresh else self.load(Order, order_id, "order")
        if order.status != OrderStatus.AWAITING_PAYMENT:
            return None, order
        ids = order.listing_ids
        try:
            created = self.gateway.create_payment(order_id, order.total, method,
                                                  idempotency_key=f"{order_id}:payment")
            outcomes = [created]
            if created.status == "authorized":
                outcomes.append(self.gateway.capture(
                    created.payment_id, order.total, idempotency_key=f"{order_id}:capture"))
        except GatewayUnavailableError as error:
            note = f"gateway_{error.reason}"
            return None, self._change(
                order_id, ids, lambda o, _: o.note_payment_delay(note, method), fresh)
        return created.client_secret, self.apply(order_id, *outcomes, listing_ids=ids,
                                                 fresh=fresh)

    def retry_delayed(self, order_ids: list[UUID]) -> int:
        """The payments job: ask again for the payments the gateway did not answer, while
        their window is open. The same idempotency keys make it charge at most once."""
        retried = 0
        for order_id in order_ids:
            order = self.load(Order, order_id, "order")
            if (order.status == OrderStatus.AWAITING_PAYMENT
                    and (order.payment_note or "").startswith("gateway_")):
                self.request(order_id, order.payment_method)
                retried += 1
        return retried

    def retry_refunds(self, unsettled: Iterable[tuple[UUID, UUID, UUID]]) -> int:
        """The refunds job: carry out at the gateway the refunds decided that it has not done
        (it did not answer, or the process stopped between the decision and the call); how
        many it did now. The refund's idempotency key makes the gateway refund at most once;
        one that still fails is tried again at the next round."""
        done = 0
        for order_id, merchant_id, refund_id in unsettled:
            try:
                done += self.refund(order_id, merchant_id, refund_id)
            except Exception as error:  # noqa: BLE001 - the others are still due; logged
                log.warning("refund %s of order %s not done yet: %s", refund_id, order_id,
                            type(error).__name__)
        return done

    def capture_confirmed(self, order_id: UUID, payment_id: str) -> None:
        """The consumer's device confirmed the payment (the gateway says it can be captured):
        capture it. Safe to repeat (same idempotency key as the checkout's own capture)."""
        order = self.load(Order, order_id, "order")
        if order.status != OrderStatus.AWAITING_PAYMENT:
            return
        try:
            captured = self.gateway.capture(payment_id, order.total,
                                            idempotency_key=f"{order_id}:capture")
        except GatewayUnavailableError as error:
            note = f"gateway_{error.reason}"
            self._change(order_id, order.listing_ids, lambda o, _: o.note_payment_delay(note))
            return
        self.apply(order_id, PaymentOutcome(payment_id, "authorized"), captured,
                   listing_ids=order.listing_ids)

    def apply(self, order_id: UUID, *outcomes: PaymentOutcome,
              listing_ids: list[UUID] | None = None,
              fresh: SavedOrder | None = None) -> Order:
        """Record where the payment stands (gateway answers or a webhook), in one save."""

        def record(order: Order, listings: list[Listing]) -> list[Aggregate]:
            # Gateway events about a charge or a dispute name the payment, not the order.
            claim: list[Aggregate] = [] if order.payment_id else [
                Claim(PAYMENT_CLAIM, outcomes[0].payment_id, order.id)]
            for outcome in outcomes:
                order.record_payment(outcome.payment_id)
                if outcome.status == "authorized":
                    order.authorize()
                elif outcome.status == "captured":
                    order.capture(*self._acceptance_deadline())
                elif outcome.status == "failed":
                    order.fail_payment(outcome.failure_reason or "payment_failed")
                    for listing in listings:
                        listing.release(order.id, reason="payment_failed")
            return claim

        if not any(outcome.status == "failed" for outcome in outcomes):
            # Only a failure changes the listings (it releases their reservations). A paid
            # order's reservations need no event of their own: they lapse only through the
            # order (Checkout.expire_due asks the listings of orders that expired unpaid),
            # so the capture leaves the busiest aggregates alone.
            listing_ids = []
            fresh = SavedOrder(fresh.order, []) if fresh else None
        elif listing_ids is None:
            listing_ids = self.load(Order, order_id, "order").listing_ids
        return self._change(order_id, listing_ids, record, fresh)

    def refund(self, order_id: UUID, merchant_id: UUID, refund_id: UUID) -> bool:
        """Carry out a decided refund at the gateway, then record its settlement. False when
        the gateway did not answer: the refund stays decided (`pending`), and the refunds job
        asks again (`retry_refunds`) — a merchant's refund is not an error for a timeout."""
        order = self.load(Order, order_id, "order")
        refund = order.merchant_order(merchant_id).refund_by_id(refund_id)
        if refund.gateway_refund_id is not None or order.payment_id is None:
            return True
        try:
            gateway_refund_id = self.gateway.refund(order.payment_id, refund.breakdown.amount,
                                                    idempotency_key=f"refund:{refund_id}")
        except GatewayUnavailableError as error:
            log.warning("refund %s of order %s left to the refunds job: no answer (%s)",
                        refund_id, order_id, error.reason)
            return False
        self._change(order_id, [], lambda o, _: o.settle_refund(merchant_id, refund_id,
                                                                 gateway_refund_id))
        return True

    def _acceptance_deadline(self) -> tuple[datetime | None, float | None]:
        if self.acceptance_window is None:
            return None, None
        now = self.clock.now() if self.clock is not None else datetime.now(UTC)
        return now + self.acceptance_window, self.acceptance_window.total_seconds() / 3600

    def _change(self, order_id: UUID, listing_ids: list[UUID],
                decide: Callable[[Order, list[Listing]], list[Aggregate] | None],
                fresh: SavedOrder | None = None) -> Order:
        """Load the order and the given listings, decide, save them together."""
        given = iter([fresh])  # only the first attempt may use what was just saved

        def attempt() -> Order:
            loaded = next(given, None)
            if loaded is not None:
                order, listings = loaded.order, loaded.listings
            else:
                order = self.load(Order, order_id, "order")
                listings = [self.load(Listing, i, "listing") for i in listing_ids]
            also = decide(order, listings) or []
            self.save(order, *listings, *also)
            return order

        # An order this request just placed is written by it alone, but for a webhook or a
        # job at the same moment: its version check answers that, without the database's
        # locks on the first attempt. Its listings (a failed payment) are the busiest of all.
        return self.retrying(attempt, serialise=[order_id, *listing_ids],
                             rarely_contended=fresh is not None and not listing_ids)


PAYMENT_CLAIM = "payment"  # Claim(kind, gateway payment id) → order id
