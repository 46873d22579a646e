"""Ports: what the application needs from the outside world, as typing.Protocols."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar, Literal, Protocol
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from domain.money import Money


class StoredStreams(Protocol):
    """Aggregates' stored events, many at once (adapters/stored_streams.py)."""

    def latest(self, ids: Sequence[UUID]) -> dict[UUID, list[StoredEvent]]:
        """Per id: its latest snapshot (if any), then its events after it, in order."""
        ...


class KeyStore(Protocol):
    """Per-person data keys, kept apart from the event store. Deleting a key forgets a person."""

    def get_or_create(self, subject_id: UUID) -> bytes: ...

    def create_many(self, subject_ids: list[UUID]) -> None:
        """Make keys for new subjects in one go (bulk imports)."""

    def get(self, subject_id: UUID) -> bytes | None: ...

    def without_key(self, subject_ids: Collection[UUID]) -> set[UUID]:
        """Those of them whose data no key opens any more (erased, or never given a key):
        `get` is None for each, asked in one go and nothing unwrapped."""

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


class Cipher(Protocol):
    """Authenticated encryption of personal data under a person's key."""

    def seal(self, key: bytes, plaintext: bytes, associated: bytes) -> tuple[bytes, bytes]:
        """(nonce, ciphertext)."""

    def open(self, key: bytes, nonce: bytes, ciphertext: bytes, associated: bytes) -> bytes: ...


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


class GatewayEventKind(StrEnum):
    """What a gateway's event means to the platform. The adapter translates the gateway's own
    event types into these (docs/payments.md has the table); the value is what
    `WebhookDelivery` records."""

    PAYMENT_AUTHORIZED = "payment_authorized"  # funds held on the card; the capture is ours
    PAYMENT_CAPTURED = "payment_captured"
    PAYMENT_FAILED = "payment_failed"
    PAYMENT_REFUNDED = "payment_refunded"  # all or part of it; proves the capture
    PAYMENT_DISPUTED = "payment_disputed"
    PAYOUT_ACCOUNT_UPDATED = "payout_account_updated"
    TRANSFER_MADE = "transfer_made"
    TRANSFER_REVERSED = "transfer_reversed"
    BANK_PAYOUT_PAID = "bank_payout_paid"
    BANK_PAYOUT_FAILED = "bank_payout_failed"
    IGNORED = "ignored"  # a type the platform does not act on: recorded once, nothing else


@dataclass(frozen=True, kw_only=True)
class GatewayEvent:
    """A webhook from the gateway, verified and put in domain terms by the adapter: one class
    per kind (below), each with only what its effect needs. String ids (`*_id: str`) are the
    gateway's own; order and merchant ids are ours, read back from what the platform gave the
    gateway (metadata, transfer group), and None when absent or not ours."""

    kind: ClassVar[GatewayEventKind]
    event_id: str  # the gateway's id of the event: deliveries are deduplicated on it


class IgnoredGatewayEvent(GatewayEvent):
    """An event of a type the platform does not act on."""

    kind = GatewayEventKind.IGNORED


@dataclass(frozen=True, kw_only=True)
class PaymentEvent(GatewayEvent):
    """About an order's one payment. The order is named by the payment's metadata or transfer
    group, or else found from the payment id (events about a charge or a dispute)."""

    payment_id: str | None = None
    order_id: UUID | None = None


class PaymentAuthorized(PaymentEvent):
    """The consumer's device confirmed the payment: the funds are held, ready to capture."""

    kind = GatewayEventKind.PAYMENT_AUTHORIZED


class PaymentCaptured(PaymentEvent):
    kind = GatewayEventKind.PAYMENT_CAPTURED


@dataclass(frozen=True, kw_only=True)
class PaymentFailed(PaymentEvent):
    kind = GatewayEventKind.PAYMENT_FAILED
    reason: str | None = None  # the decline code, when the gateway gives one


class PaymentRefunded(PaymentEvent):
    """All or part of the payment was refunded, which proves that it was captured. Refunds
    are the platform's own decisions: their amounts are compared by `payouts reconcile`."""

    kind = GatewayEventKind.PAYMENT_REFUNDED


@dataclass(frozen=True, kw_only=True)
class PaymentDisputed(PaymentEvent):
    """The consumer's bank disputes the payment."""

    kind = GatewayEventKind.PAYMENT_DISPUTED
    dispute_id: str
    amount: Money
    reason: str | None = None  # the gateway's reason (fraudulent, general…)


@dataclass(frozen=True, kw_only=True)
class PayoutAccountUpdated(GatewayEvent):
    """Where a merchant's connected account stands (the status names the account)."""

    kind = GatewayEventKind.PAYOUT_ACCOUNT_UPDATED
    status: PayoutAccountStatus
    merchant_id: UUID | None = None  # from the account's metadata; else found by its id


@dataclass(frozen=True, kw_only=True)
class TransferEvent(GatewayEvent):
    """About the transfer of one merchant order's share, named by the transfer's metadata and
    transfer group."""

    transfer_id: str
    order_id: UUID | None = None
    merchant_id: UUID | None = None


class TransferMade(TransferEvent):
    kind = GatewayEventKind.TRANSFER_MADE


@dataclass(frozen=True, kw_only=True)
class TransferReversed(TransferEvent):
    kind = GatewayEventKind.TRANSFER_REVERSED
    reversed: Money  # the gateway's running total of reversals, not this one's amount


@dataclass(frozen=True, kw_only=True)
class BankPayoutEvent(GatewayEvent):
    """A payout from a merchant's connected account to its bank account."""

    payout_id: str
    amount: Money
    account_id: str | None = None  # the connected account
    merchant_id: UUID | None = None  # from the payout's metadata; else found by the account


class BankPayoutPaid(BankPayoutEvent):
    kind = GatewayEventKind.BANK_PAYOUT_PAID


@dataclass(frozen=True, kw_only=True)
class BankPayoutFailed(BankPayoutEvent):
    kind = GatewayEventKind.BANK_PAYOUT_FAILED
    reason: str | None = None  # the bank's failure code


class WebhookVerifier(Protocol):
    def parse(self, payload: bytes, signature: str | None) -> GatewayEvent:
        """Verify the signature over the raw body and translate the event into one of the
        `GatewayEvent` classes (`IgnoredGatewayEvent` for a type the platform does not act
        on). Raises `InvalidWebhookError` (application.errors) when the signature is missing,
        wrong or stale, or the payload is not an event."""
        ...


# -- images (application/images.py, docs/merchants.md) ---------------------------------------


class ImageStore(Protocol):
    """Bytes of processed images by key ("images/ab/<id>/medium.webp"). Keys are content
    addressed: a key's bytes never change, so writing one twice is harmless."""

    def put(self, key: str, data: bytes, content_type: str) -> None: ...

    def get(self, key: str) -> bytes | None: ...

    def exists(self, key: str) -> bool: ...


@dataclass(frozen=True)
class DecodedImage:
    """An upload decoded and re-encoded: one WebP per standard size, no metadata."""

    width: int
    height: int
    source_format: str  # "JPEG", "PNG" or "WEBP"
    sizes: dict[str, bytes]  # size name -> WebP bytes


class ImageCodec(Protocol):
    def process(self, data: bytes, sizes: dict[str, int], max_pixels: int) -> DecodedImage:
        """Decode, check and re-encode `data`. Raises ImageRejectedError (application.errors)
        when it is not an accepted image or holds more than `max_pixels` pixels."""
