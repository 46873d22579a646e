"""What the order jobs come back to: orders waiting for their payment, by the deadline of
their reservations, and refunds decided that the gateway has not yet done.

The expiry job asks which orders are due, the refunds job which refunds are still unsettled;
everything else is read from the order itself, so this read model stays an index of ids.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, NamedTuple, Protocol
from uuid import UUID

from eventsourcing.utils import get_topic

from domain.order import Order


class Unsettled(NamedTuple):
    """A refund decided that the gateway has not done yet."""

    order_id: UUID
    merchant_id: UUID
    refund_id: UUID


class DeadlineIndex(Protocol):
    def add(self, order_id: UUID, expires_at: datetime) -> None: ...

    def remove(self, order_id: UUID) -> None: ...

    def refund_decided(self, refund_id: UUID, order_id: UUID, merchant_id: UUID,
                       decided_at: datetime) -> None: ...

    def refund_settled(self, refund_id: UUID) -> None: ...


HANDLERS: dict[type, Callable[[Any, DeadlineIndex], None]] = {
    Order.Placed: lambda e, index: index.add(e.originator_id, e.expires_at),
    Order.PaymentCaptured: lambda e, index: index.remove(e.originator_id),
    Order.PaymentFailed: lambda e, index: index.remove(e.originator_id),
    Order.Expired: lambda e, index: index.remove(e.originator_id),
    Order.RefundDecided: lambda e, index: index.refund_decided(
        e.refund.refund_id, e.originator_id, e.merchant_id, e.timestamp),
    Order.RefundSettled: lambda e, index: index.refund_settled(e.refund_id),
}


class DeadlinesProjection:
    name = "deadlines"
    version = 2  # 2: refunds waiting for the gateway
    topics = tuple(get_topic(cls) for cls in HANDLERS)

    def process(self, event: Any, index: DeadlineIndex) -> None:
        handler = HANDLERS.get(type(event))
        if handler is not None:
            handler(event, index)


class DirectUnit:
    """A unit of work that writes as it goes (each change is one statement)."""

    def load(self, events: Sequence[Any]) -> None:
        pass

    def flush(self) -> None:
        pass
