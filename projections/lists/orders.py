"""Orders, as their shopper lists them, and merchant orders, as each merchant's inbox lists
them: one row per order and one per merchant's part, with states, dates and amounts in cents.
The delivery address stays sealed in the log; a shopper is named by id only."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from domain.order import Order
from domain.order_terms import MerchantOrderStatus, OrderStatus, PaymentStatus

MS = MerchantOrderStatus
DONE = (str(MS.FULFILLED), str(MS.DECLINED))  # an order whose parts are all done is completed


@dataclass(frozen=True)
class Part:
    merchant_id: UUID
    merchant_name: str
    fulfilment: str
    units: int
    total_cents: int
    share_cents: int


class OrderRows(Protocol):
    def placed(self, order_id: UUID, consumer_id: UUID, at: datetime, storefront: str | None,
               parts: Sequence[Part]) -> None: ...

    def payment(self, order_id: UUID, at: datetime, payment_status: str | None,
                order_status: str | None, parts_status: str | None = None) -> None:
        """The order's payment or status changed (None: unchanged); with `parts_status`,
        every part takes it."""

    def part_status(self, order_id: UUID, merchant_id: UUID, status: str, at: datetime) -> None:
        ...

    def complete_if_done(self, order_id: UUID, done: Sequence[str], status: str,
                         at: datetime) -> None:
        """The order takes `status` when every one of its parts is in one of `done`."""

    def refunded(self, order_id: UUID, merchant_id: UUID, cents: int, at: datetime) -> None: ...


def _placed(e: Any, rows: OrderRows) -> None:
    rows.placed(e.originator_id, e.consumer_id, e.timestamp, e.storefront, [
        Part(t.merchant_id, t.merchant_name, str(t.fulfilment),
             sum(line.quantity for line in t.lines), t.breakdown.total.cents,
             t.breakdown.share.cents) for t in e.parts])


def _payment(payment: PaymentStatus | None, order: OrderStatus | None = None,
             parts: MerchantOrderStatus | None = None) -> Callable[[Any, OrderRows], None]:
    def apply(e: Any, rows: OrderRows) -> None:
        rows.payment(e.originator_id, e.timestamp, payment and str(payment),
                     order and str(order), parts and str(parts))

    return apply


def _part(status: MerchantOrderStatus) -> Callable[[Any, OrderRows], None]:
    def apply(e: Any, rows: OrderRows) -> None:
        rows.part_status(e.originator_id, e.merchant_id, str(status), e.timestamp)
        if str(status) in DONE:
            rows.complete_if_done(e.originator_id, DONE, str(OrderStatus.COMPLETED),
                                  e.timestamp)

    return apply


def _refund(e: Any, rows: OrderRows) -> None:
    rows.refunded(e.originator_id, e.merchant_id, e.refund.breakdown.amount.cents, e.timestamp)


HANDLERS: dict[type, Callable[[Any, Any], None]] = {
    Order.Placed: _placed,
    Order.PaymentAuthorized: _payment(PaymentStatus.AUTHORIZED),
    Order.PaymentCaptured: _payment(PaymentStatus.CAPTURED, OrderStatus.CONFIRMED),
    Order.PaymentFailed: _payment(PaymentStatus.FAILED, OrderStatus.FAILED, MS.CANCELLED),
    Order.Expired: _payment(None, OrderStatus.EXPIRED, MS.CANCELLED),
    Order.MerchantOrderAccepted: _part(MS.ACCEPTED),
    Order.MerchantOrderFulfilled: _part(MS.FULFILLED),
    Order.MerchantOrderDeclined: _part(MS.DECLINED),
    Order.RefundDecided: _refund,
}
