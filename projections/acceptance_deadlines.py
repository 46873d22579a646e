"""Merchant orders waiting for their merchant's acceptance, by the order's acceptance deadline.

One row per merchant order from checkout (no deadline yet); the capture gives the order's rows
their deadline; a part's row goes when it is accepted or declined, an order's when its payment
fails or expires. The acceptance job (application/acceptance.py) asks it which orders are due
and reads everything else from the order itself. Orders captured before the deadline existed
(`accept_by` None once upcast) have none, so they leave the index at their capture.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.utils import get_topic

from domain.order import Order


class AcceptanceIndex(Protocol):
    def expect(self, order_id: UUID, merchant_ids: list[UUID]) -> None: ...

    def start(self, order_id: UUID, accept_by: datetime) -> None: ...

    def answered(self, order_id: UUID, merchant_id: UUID) -> None: ...

    def drop(self, order_id: UUID) -> None: ...


def _captured(e: Any, index: AcceptanceIndex) -> None:
    if e.accept_by is None:
        index.drop(e.originator_id)
    else:
        index.start(e.originator_id, e.accept_by)


HANDLERS: dict[type, Callable[[Any, AcceptanceIndex], None]] = {
    Order.Placed: lambda e, index: index.expect(e.originator_id,
                                                [part.merchant_id for part in e.parts]),
    Order.PaymentCaptured: _captured,
    Order.PaymentFailed: lambda e, index: index.drop(e.originator_id),
    Order.Expired: lambda e, index: index.drop(e.originator_id),
    Order.MerchantOrderAccepted: lambda e, index: index.answered(e.originator_id, e.merchant_id),
    Order.MerchantOrderDeclined: lambda e, index: index.answered(e.originator_id, e.merchant_id),
}


class AcceptanceDeadlinesProjection:
    name = "acceptance"
    version = 1
    topics = tuple(get_topic(cls) for cls in HANDLERS)

    def process(self, event: Any, index: AcceptanceIndex) -> None:
        HANDLERS[type(event)](event, index)
