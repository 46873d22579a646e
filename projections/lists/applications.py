"""The validators' queue: one row per merchant, with its status and what the eligibility
rules found in its application (domain/eligibility.py). No contact person: the contact stays
sealed in the log."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from domain.eligibility import Finding, eligibility_of
from domain.merchant import Merchant, MerchantStatus


class ApplicationRows(Protocol):
    def applied(self, merchant_id: UUID, name: str, at: datetime, region: str,
                municipality: str, categories: tuple[str, ...],
                eligibility: tuple[Finding, ...]) -> None: ...

    def merchant_status(self, merchant_id: UUID, status: str, at: datetime) -> None: ...

    def merchant_place(self, merchant_id: UUID, region: str, municipality: str) -> None: ...

    def identity_change(self, merchant_id: UUID, at: datetime, status: str,
                        legal_name: str | None = None, neq: str | None = None) -> None:
        """A request (legal name and NEQ given) opens or replaces the merchant's row; a
        decision sets its status."""


def _applied(e: Any, rows: ApplicationRows) -> None:
    categories = tuple(e.categories)
    rows.applied(e.originator_id, e.name, e.timestamp, e.address.region, e.address.municipality,
                 categories, eligibility_of(address=e.address, location=e.location, neq=e.neq,
                                            categories=categories, tax=e.tax,
                                            fulfilment=e.fulfilment))


def _status(status: MerchantStatus) -> Callable[[Any, ApplicationRows], None]:
    def apply(e: Any, rows: ApplicationRows) -> None:
        rows.merchant_status(e.originator_id, str(status), e.timestamp)

    return apply


def _requested(e: Any, rows: ApplicationRows) -> None:
    rows.identity_change(e.originator_id, e.timestamp, "pending", e.legal_name, e.neq.value)


def _decided(status: str) -> Callable[[Any, ApplicationRows], None]:
    def apply(e: Any, rows: ApplicationRows) -> None:
        rows.identity_change(e.originator_id, e.timestamp, status)

    return apply


HANDLERS: dict[type, Callable[[Any, Any], None]] = {
    Merchant.Applied: _applied,
    Merchant.Approved: _status(MerchantStatus.APPROVED),
    Merchant.Rejected: _status(MerchantStatus.REJECTED),
    Merchant.Suspended: _status(MerchantStatus.SUSPENDED),
    Merchant.Reinstated: _status(MerchantStatus.APPROVED),
    Merchant.Closed: _status(MerchantStatus.CLOSED),
    Merchant.ProfileChanged: lambda e, rows: rows.merchant_place(
        e.originator_id, e.address.region, e.address.municipality),
    Merchant.IdentityChangeRequested: _requested,
    Merchant.IdentityChangeApproved: _decided("approved"),
    Merchant.IdentityChangeRejected: _decided("rejected"),
}
