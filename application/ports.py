"""Ports: what the application needs from the outside world, as typing.Protocols."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol
from uuid import UUID

from domain.money import Money


class KeyStore(Protocol):
    """Per-person data keys, kept apart from the event store. Deleting a key forgets a person."""

    def get_or_create(self, subject_id: UUID) -> bytes: ...

    def create_many(self, subject_ids: list[UUID]) -> None:
        """Make keys for new subjects in one go (bulk imports)."""

    def get(self, subject_id: UUID) -> bytes | None: ...

    def delete(self, subject_id: UUID) -> bool: ...


class Clock(Protocol):
    def now(self) -> datetime: ...


@dataclass(frozen=True)
class PaymentOutcome:
    """Where a payment stands at the gateway."""

    payment_id: str
    status: Literal["requires_confirmation", "authorized", "captured", "failed"]
    client_secret: str | None = None  # for the consumer's device to confirm (never stored)
    failure_reason: str | None = None


class PaymentGateway(Protocol):
    """One charge per order. Every mutating call carries an idempotency key derived from what
    caused it, so that a retry after a crash cannot charge or refund twice. A gateway that does
    not answer raises `GatewayUnavailableError` (application.errors)."""

    def create_payment(self, order_id: UUID, amount: Money, method: str | None,
                       idempotency_key: str) -> PaymentOutcome: ...

    def capture(self, payment_id: str, amount: Money, idempotency_key: str) -> PaymentOutcome: ...

    def refund(self, payment_id: str, amount: Money, idempotency_key: str) -> str:
        """Returns the gateway's refund id."""
        ...
