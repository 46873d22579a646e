"""Ports: what the application needs from the outside world, as typing.Protocols."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Protocol
from uuid import UUID

from domain.money import Money


class KeyStore(Protocol):
    """Per-person data keys, kept apart from the event store. Deleting a key forgets a person."""

    def get_or_create(self, subject_id: UUID) -> bytes: ...

    def create_many(self, subject_ids: list[UUID]) -> None:
        """Make keys for new subjects in one go (bulk imports)."""

    def get(self, subject_id: UUID) -> bytes | None: ...

    def delete(self, subject_id: UUID) -> bool: ...

    def kek_created_at(self) -> datetime | None:
        """When the key-encryption key in use was made (None: no KEK, or none yet)."""

    def rotate(self) -> Any:
        """A new KEK for every live key; the old ones destroyed (a KekRotation report)."""


class KeyEncryptionKeys(Protocol):
    """Keys that wrap the per-person data keys, held outside the database: files under the
    secrets directory by default, a KMS in production (same operations, other adapter)."""

    def ids(self) -> list[str]:
        """The KEKs that exist, oldest first."""

    def create(self) -> str: ...

    def created_at(self, kek_id: str) -> datetime: ...

    def wrap(self, kek_id: str, subject_id: UUID, data_key: bytes) -> bytes: ...

    def unwrap(self, kek_id: str, subject_id: UUID, wrapped: bytes) -> bytes | None:
        """None once the KEK is destroyed."""

    def destroy(self, kek_id: str) -> None: ...


class Clock(Protocol):
    def now(self) -> datetime: ...


@dataclass(frozen=True)
class PaymentOutcome:
    """Where a payment stands at the gateway."""

    payment_id: str
    status: Literal["requires_confirmation", "authorized", "captured", "failed"]
    client_secret: str | None = None  # for the consumer's device to confirm (never stored)
    failure_reason: str | None = None


@dataclass(frozen=True)
class PayoutAccountStatus:
    """A merchant's connected account at the gateway, as last reported."""

    account_id: str
    charges_enabled: bool
    payouts_enabled: bool
    details_submitted: bool
    requirements: tuple[str, ...] = ()  # what the gateway still needs (currently_due)

    @property
    def ready(self) -> bool:
        return self.payouts_enabled and self.details_submitted


@dataclass(frozen=True)
class TransferRecord:
    """A transfer as the gateway knows it (reconciliation)."""

    transfer_id: str
    merchant_id: UUID | None  # from the transfer's metadata
    amount: Money
    reversed: Money


@dataclass(frozen=True)
class OrderRecords:
    """What the gateway holds for one order (its payment and its transfer group)."""

    captured: Money
    refunded: Money
    transfers: tuple[TransferRecord, ...]


class PaymentGateway(Protocol):
    """One charge per order ("separate charges and transfers"), one transfer per merchant order.
    Every mutating call carries an idempotency key derived from the event that caused it, so
    that a retry after a crash cannot charge, refund or pay twice. A gateway that does not
    answer (timeout, network, rate limit or 5xx after its retries) raises
    `GatewayUnavailableError` (application.errors): the outcome is unknown, the caller keeps
    the operation pending and retries later with the same key."""

    def create_payment(self, order_id: UUID, amount: Money, method: str | None,
                       idempotency_key: str) -> PaymentOutcome: ...

    def capture(self, payment_id: str, amount: Money, idempotency_key: str) -> PaymentOutcome: ...

    def refund(self, payment_id: str, amount: Money, idempotency_key: str) -> str:
        """Returns the gateway's refund id."""
        ...

    def transfer(self, *, payment_id: str, account_id: str, amount: Money, order_id: UUID,
                 merchant_id: UUID, idempotency_key: str) -> str:
        """Transfer a merchant's share from the order's charge (source transaction) to its
        connected account, in the order's transfer group. Returns the transfer id."""
        ...

    def reverse_transfer(self, transfer_id: str, amount: Money, idempotency_key: str) -> str:
        """Take back part of a transfer. Returns the reversal id; raises
        `ReversalRefusedError` (application.errors) when the gateway refuses (e.g. the
        merchant's balance cannot cover it)."""
        ...

    def open_account(self, merchant_id: UUID, idempotency_key: str) -> str:
        """Create the merchant's connected account; returns its id."""
        ...

    def onboarding_link(self, account_id: str, refresh_url: str, return_url: str) -> str:
        """A fresh single-use onboarding link."""
        ...

    def account_status(self, account_id: str) -> PayoutAccountStatus: ...

    def order_records(self, order_id: UUID, payment_id: str | None) -> OrderRecords: ...


@dataclass(frozen=True)
class GatewayEvent:
    """A webhook from the gateway, verified and put in domain terms."""

    event_id: str  # the gateway's id: deliveries are deduplicated on it
    kind: str  # the gateway's type, e.g. "payment_intent.succeeded"
    order_id: UUID | None = None  # from metadata or the transfer group
    merchant_id: UUID | None = None  # from a transfer's metadata
    payment_id: str | None = None
    object_id: str | None = None  # the transfer, payout, dispute or charge concerned
    amount: Money | None = None  # amount (refunded so far for charge.refunded; reversed so
    #                                far for transfer.reversed; payout, dispute, transfer amount)
    account_id: str | None = None  # the connected account concerned
    failure_reason: str | None = None
    account_status: PayoutAccountStatus | None = None  # account.updated


class WebhookVerifier(Protocol):
    def parse(self, payload: bytes, signature: str | None) -> GatewayEvent:
        """Verify the signature over the raw body and translate the event. Raises
        `InvalidWebhookError` (application.errors) when the signature is missing, wrong or
        stale, or the payload is not an event."""
        ...
