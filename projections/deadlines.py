"""Orders waiting for their payment, by the deadline of their reservations.

The expiry job asks it which orders are due; everything else about an order is read from the
order itself, so this read model stays a one-column index.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.utils import get_topic

from domain.order import Order


class DeadlineIndex(Protocol):
    def add(self, order_id: UUID, expires_at: datetime) -> None: ...

    def remove(self, order_id: UUID) -> None: ...


HANDLERS: dict[type, Callable[[Any, DeadlineIndex], None]] = {
    Order.Placed: lambda e, index: index.add(e.originator_id, e.expires_at),
    Order.PaymentCaptured: lambda e, index: index.remove(e.originator_id),
    Order.PaymentFailed: lambda e, index: index.remove(e.originator_id),
    Order.Expired: lambda e, index: index.remove(e.originator_id),
}


class DeadlinesProjection:
    name = "deadlines"
    version = 1
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
