"""The acceptance deadline: a merchant order its merchant has not accepted within the window
(COMPTOIR_ACCEPTANCE_DEADLINE_HOURS from the capture, recorded on the order) is declined on
the platform's behalf, run by a job (docs/payments.md).

It goes the merchant's own decline path: `MerchantOrderDeclined` (with `automatic=True` and
its reason), its stock released and what is left of it refunded in the same save, then the
refund carried out at the gateway; the payout process, the notifications and the webhooks
follow from those events as for any decline. A merchant accepting at the same moment races
on the order's version: whoever saves first wins, the other finds the part no longer placed
(the job does nothing; the merchant gets a 409).
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol
from uuid import UUID, uuid4

from application.orders import release_and_refund
from application.payments import Payments
from application.ports import Clock
from application.service import Service
from domain.listing import Listing
from domain.order import Order


class UnacceptedOrders(Protocol):
    """Paid orders with a part still unanswered at their acceptance deadline."""

    def due(self, now: datetime, limit: int) -> list[UUID]: ...


class AcceptanceDeadlines(Service):
    def __init__(self, *args: object, payments: Payments, clock: Clock,
                 due_orders: UnacceptedOrders, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.payments, self.clock, self.due_orders = payments, clock, due_orders

    def decline_overdue(self, limit: int = 100) -> int:
        """Decline and refund every part past its deadline; returns how many (the job)."""
        now = self.clock.now()
        declined = 0
        for order_id in self.due_orders.due(now, limit):
            refunds = self._decline(order_id, now)
            for merchant_id, refund_id in refunds:
                # Without an answer the refund stays decided; the refunds job asks again.
                self.payments.refund(order_id, merchant_id, refund_id)
            declined += len(refunds)
        return declined

    def _decline(self, order_id: UUID, now: datetime) -> list[tuple[UUID, UUID]]:
        order = self.load(Order, order_id, "order")
        ids = order.listing_ids

        def attempt() -> list[tuple[UUID, UUID]]:
            order = self.load(Order, order_id, "order")
            listings = {i: self.load(Listing, i, "listing") for i in ids}
            done, changed = [], []
            for merchant_id in order.unaccepted(now):
                order.decline_unaccepted(merchant_id, now)
                part = list({line.listing_id: listings[line.listing_id]  # each listing once
                             for line in order.merchant_order(merchant_id).lines}.values())
                refund_id = uuid4()
                release_and_refund(order, part, merchant_id, refund_id)
                done.append((merchant_id, refund_id))
                changed += part
            if done:
                self.save(order, *changed)
            return done

        return self.retrying(attempt, serialise=[order_id, *ids])
