"""The whole application on eventsourcing's in-memory store, for use-case tests.

`services` is the ONE place the use-case services are built (as api/container.py builds
them): when a constructor changes, adapt it here. The payment gateway is the local one (its
SQLite file in tmp_path: it is the gateway, not a database server; the contract suite keeps it
honest against Stripe). What threads do in production — following the log into the deadlines
index and the payout process — `settle()` does on demand, in the test's own thread.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol
from uuid import UUID

import pytest

from adapters.clock import FixedClock
from adapters.local_gateway import LocalGateway
from application.app import Comptoir
from application.carts import Carts
from application.catalog import Catalog
from application.checkout import Checkout
from application.consumers import Consumers
from application.locks import AggregateLocks
from application.merchants import Merchants
from application.orders import Orders
from application.payments import Payments
from application.payouts import PayoutPolicy, PayoutProcess, Payouts
from application.ports import OrderRecords, PaymentOutcome
from domain.money import Money
from projections.deadlines import DeadlinesProjection
from tests.unit.market import Market

COMMISSION_RATE = Decimal("0.08")  # the settings' defaults
RESERVATION_WINDOW = timedelta(minutes=15)


class Crash(Exception):
    """The process died between the gateway's answer and its record."""


class Gateway(LocalGateway):
    """The local gateway, noting the payment each order's checkout created (an OrderView does
    not show it), so that a test reads what the gateway holds for an order; and able to crash
    its caller right after a transfer is made."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.payment_of: dict[UUID, str] = {}
        self.crash_after_transfer = False

    def create_payment(self, order_id: UUID, amount: Money, method: str | None,
                       idempotency_key: str) -> PaymentOutcome:
        outcome = super().create_payment(order_id, amount, method, idempotency_key)
        self.payment_of[order_id] = outcome.payment_id
        return outcome

    def transfer(self, **kwargs: Any) -> str:
        transfer_id = super().transfer(**kwargs)
        if self.crash_after_transfer:
            self.crash_after_transfer = False
            raise Crash(transfer_id)
        return transfer_id

    def records(self, order_id: UUID) -> OrderRecords:
        return self.order_records(order_id, self.payment_of.get(order_id))


class Deadlines:
    """The deadlines read model, in dicts: orders awaiting payment, by deadline, and refunds
    awaiting the gateway."""

    def __init__(self) -> None:
        self.expiring: dict[UUID, datetime] = {}
        self.unsettled: dict[UUID, tuple[UUID, UUID, datetime]] = {}

    def add(self, order_id: UUID, expires_at: datetime) -> None:
        self.expiring[order_id] = expires_at

    def remove(self, order_id: UUID) -> None:
        self.expiring.pop(order_id, None)

    def refund_decided(self, refund_id: UUID, order_id: UUID, merchant_id: UUID,
                       decided_at: datetime) -> None:
        self.unsettled.setdefault(refund_id, (order_id, merchant_id, decided_at))

    def refund_settled(self, refund_id: UUID) -> None:
        self.unsettled.pop(refund_id, None)

    def due(self, now: object, limit: int) -> list[UUID]:
        assert isinstance(now, datetime)
        due = sorted((at, i) for i, at in self.expiring.items() if at <= now)
        return [order_id for _, order_id in due[:limit]]


class Follows(Protocol):
    topics: tuple[str, ...]

    def process(self, event: Any, unit: Any) -> None: ...


@dataclass
class Follower:
    """Follows the log into one projection or process, from its own position."""

    app: Comptoir
    projection: Follows
    unit: Any = None
    position: int = 0

    def catch_up(self) -> int:
        head = self.app.log_position()
        batch = self.app.recorder.select_notifications(
            self.position + 1, max(head - self.position, 1), topics=self.projection.topics)
        # A process brings its own unit of work for the batch, as in TrackedStore.apply.
        unit = getattr(self.projection, "unit_of_work", lambda: self.unit)()
        for notification in batch:
            self.projection.process(self.app.mapper.to_domain_event(notification), unit)
        if hasattr(unit, "flush"):
            unit.flush()
        self.position = head
        return len(batch)


@dataclass
class Services:
    app: Comptoir
    clock: FixedClock
    gateway: Gateway
    merchants: Merchants
    catalog: Catalog
    consumers: Consumers
    carts: Carts
    payments: Payments
    checkout: Checkout
    orders: Orders
    payouts: Payouts
    deadlines: Deadlines
    followers: list[Follower] = field(default_factory=list)

    def settle(self) -> None:
        """Follow the log until nothing new comes (the payout process writes events that it
        must follow in turn), as the projection threads would."""
        while sum(follower.catch_up() for follower in self.followers):
            pass

    def replay_payout_process(self) -> None:
        """Deliver every event to the payout process again, as after a crash that lost its
        tracked position."""
        self.followers[-1].position = 0
        self.settle()


@pytest.fixture
def services(memory_app: Comptoir, tmp_path: Path) -> Iterator[Services]:
    app = memory_app
    clock = FixedClock(datetime(2026, 11, 23, 12, tzinfo=UTC))
    gateway = Gateway(tmp_path / "local-gateway.sqlite3")
    shared: dict[str, Any] = {"locks": AggregateLocks()}
    deadlines = Deadlines()
    payouts = Payouts(app, gateway=gateway, clock=clock, policy=PayoutPolicy(), **shared)
    payments = Payments(app, gateway=gateway, **shared)
    carts = Carts(app, **shared)
    checkout = Checkout(app, carts=carts, payments=payments, clock=clock, sellers=payouts,
                        commission_rate=COMMISSION_RATE, reservation_window=RESERVATION_WINDOW,
                        due_orders=deadlines, **shared)
    built = Services(
        app=app, clock=clock, gateway=gateway, merchants=Merchants(app, **shared),
        catalog=Catalog(app, **shared), consumers=Consumers(app, **shared), carts=carts,
        payments=payments, checkout=checkout, orders=Orders(app, payments=payments, **shared),
        payouts=payouts, deadlines=deadlines,
        followers=[Follower(app, DeadlinesProjection(), deadlines),
                   Follower(app, PayoutProcess(payouts))])  # the payout process: last
    yield built
    gateway.close()


@pytest.fixture
def market(services: Services) -> Market:
    """Three merchants with their listings, and a shopper to buy from them."""
    return Market(services)

