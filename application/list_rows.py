"""The rows of the lists (projections/lists/) as the read model gives them back, and the port
the `Lists` service reads them through. No personal data: ids, states, dates, amounts in
cents, merchant names and listing titles."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from application.paging import Position, Window
from domain.eligibility import Finding


@dataclass(frozen=True)
class ApplicationRow:
    merchant_id: UUID
    name: str
    status: str
    applied_at: datetime
    status_at: datetime  # when the status last changed (applied_at while under review)
    region: str
    municipality: str
    categories: tuple[str, ...]
    eligibility: tuple[Finding, ...]
    position: Position


@dataclass(frozen=True)
class IdentityChangeRow:
    """A merchant's request for a new legal name or NEQ (docs/merchants.md): business
    registry data, no person's."""

    merchant_id: UUID
    name: str  # the trade name, as in the queue of applications
    legal_name: str  # requested
    neq: str  # requested
    status: str  # pending, approved, rejected
    requested_at: datetime
    decided_at: datetime | None
    position: Position


@dataclass(frozen=True)
class MerchantOrderRow:
    """One merchant's part of an order: never another merchant's lines or figures."""

    order_id: UUID
    merchant_id: UUID
    merchant_name: str
    placed_at: datetime
    status: str  # the merchant order's: placed, accepted, fulfilled, declined, cancelled
    payment_status: str  # the order's payment
    fulfilment: str
    units: int
    total_cents: int  # what the consumer pays for this part, taxes and fee included
    share_cents: int  # what the merchant is owed for it, before refunds
    refunded_cents: int
    updated_at: datetime
    position: Position


@dataclass(frozen=True)
class ConsumerOrderRow:
    order_id: UUID
    consumer_id: UUID
    placed_at: datetime
    status: str
    payment_status: str
    total_cents: int
    refunded_cents: int
    storefront: str | None
    parts: tuple[MerchantOrderRow, ...]
    position: Position


@dataclass(frozen=True)
class ListingRow:
    listing_id: UUID
    merchant_id: UUID
    status: str
    title_fr: str
    title_en: str | None
    category: str
    price_cents: int
    on_hand: int
    reserved: int
    created_at: datetime
    position: Position


@dataclass(frozen=True)
class OrderFilters:
    statuses: tuple[str, ...] = ()
    payment_statuses: tuple[str, ...] = ()
    placed_after: datetime | None = None  # inclusive
    placed_before: datetime | None = None  # exclusive


class ListsReadModel(Protocol):
    """Each query: the window's rows in its order, and how many rows match the filters."""

    def applications(self, statuses: Sequence[str], region: str | None,
                     window: Window) -> tuple[list[ApplicationRow], int]: ...

    def merchant_orders(self, merchant_id: UUID, filters: OrderFilters,
                        window: Window) -> tuple[list[MerchantOrderRow], int]: ...

    def identity_changes(self, statuses: Sequence[str],
                         window: Window) -> tuple[list[IdentityChangeRow], int]: ...

    def consumer_orders(self, consumer_id: UUID, filters: OrderFilters,
                        window: Window) -> tuple[list[ConsumerOrderRow], int]: ...

    def merchant_listings(self, merchant_id: UUID, statuses: Sequence[str],
                          window: Window) -> tuple[list[ListingRow], int]: ...
