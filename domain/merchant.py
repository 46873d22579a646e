"""The Merchant aggregate: a Québec business and its life on the platform."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, ClassVar

from eventsourcing.domain import Aggregate, event

from domain.address import Address
from domain.errors import IllegalTransitionError, InvalidValueError
from domain.geo import GeoPoint
from domain.merchant_profile import FulfilmentOptions, MerchantProfile, TaxRegistration
from domain.neq import NEQ
from domain.personal import PersonalData
from domain.text import plain_text

MIN_REASON = 3
MAX_REASON = 500


class MerchantStatus(StrEnum):
    UNDER_REVIEW = "under_review"
    APPROVED = "approved"
    REJECTED = "rejected"
    SUSPENDED = "suspended"
    CLOSED = "closed"


def check_reason(reason: str) -> str:
    reason = " ".join(plain_text(reason).split())
    if not MIN_REASON <= len(reason) <= MAX_REASON:
        raise InvalidValueError(
            "reason_invalid", field="reason", min_length=MIN_REASON, max_length=MAX_REASON
        )
    return reason


class Merchant(Aggregate):
    TOPIC = "comptoir.Merchant"

    class Created(Aggregate.Created):
        """Never triggered (a merchant begins by applying) but pinned, as every event class
        of an aggregate with a TOPIC must be."""

        TOPIC = "comptoir.Merchant.Created"

    # The event classes the @event methods below generate when the class is made, declared
    # for type checkers (which cannot see them) because other modules name them.
    if TYPE_CHECKING:
        Applied: ClassVar[type[Aggregate.Event]]
        Approved: ClassVar[type[Aggregate.Event]]
        Rejected: ClassVar[type[Aggregate.Event]]
        Suspended: ClassVar[type[Aggregate.Event]]
        Reinstated: ClassVar[type[Aggregate.Event]]
        Closed: ClassVar[type[Aggregate.Event]]

    @classmethod
    def submit(cls, profile: MerchantProfile, slug: str) -> Merchant:
        return cls(
            name=profile.name,
            legal_name=profile.legal_name,
            neq=profile.neq,
            address=profile.address,
            location=profile.location,
            categories=profile.categories,
            contact=profile.contact,
            tax=profile.tax,
            fulfilment=profile.fulfilment,
            description_fr=profile.description_fr,
            description_en=profile.description_en,
            website=profile.website,
            slug=slug,
        )

    @event("Applied", topic="comptoir.Merchant.Applied")
    def __init__(
        self,
        name: str,
        legal_name: str,
        neq: NEQ,
        address: Address,
        location: GeoPoint,
        categories: tuple[str, ...],
        contact: PersonalData,
        tax: TaxRegistration,
        fulfilment: FulfilmentOptions,
        description_fr: str | None,
        description_en: str | None,
        website: str | None,
        slug: str,
    ) -> None:
        self.name = name
        self.legal_name = legal_name
        self.neq = neq
        self.address = address
        self.location = location
        self.categories = tuple(categories)
        self.contact = contact
        self.tax = tax
        self.fulfilment = fulfilment
        self.description_fr = description_fr
        self.description_en = description_en
        self.website = website
        self.slug = slug
        self.status = MerchantStatus.UNDER_REVIEW
        self.status_reason: str | None = None

    @property
    def is_approved(self) -> bool:
        return self.status == MerchantStatus.APPROVED

    @property
    def is_open(self) -> bool:
        """Still on the platform (its catalogue can be prepared), whatever its review state."""
        return self.status in (
            MerchantStatus.UNDER_REVIEW, MerchantStatus.APPROVED, MerchantStatus.SUSPENDED,
        )

    def approve(self, by: str) -> None:
        self._require("approve", MerchantStatus.UNDER_REVIEW)
        self._approved(by=by)

    def reject(self, reason: str, by: str) -> None:
        self._require("reject", MerchantStatus.UNDER_REVIEW)
        self._rejected(reason=check_reason(reason), by=by)

    def suspend(self, reason: str, by: str) -> None:
        self._require("suspend", MerchantStatus.APPROVED)
        self._suspended(reason=check_reason(reason), by=by)

    def reinstate(self, by: str) -> None:
        self._require("reinstate", MerchantStatus.SUSPENDED)
        self._reinstated(by=by)

    def close(self, by: str) -> None:
        if self.status == MerchantStatus.CLOSED:
            raise IllegalTransitionError("merchant", "close", str(self.status))
        self._closed(by=by)

    def _require(self, action: str, *allowed: MerchantStatus) -> None:
        if self.status not in allowed:
            raise IllegalTransitionError("merchant", action, str(self.status))

    @event("Approved", topic="comptoir.Merchant.Approved")
    def _approved(self, by: str) -> None:
        self.status = MerchantStatus.APPROVED
        self.status_reason = None

    @event("Rejected", topic="comptoir.Merchant.Rejected")
    def _rejected(self, reason: str, by: str) -> None:
        self.status = MerchantStatus.REJECTED
        self.status_reason = reason

    @event("Suspended", topic="comptoir.Merchant.Suspended")
    def _suspended(self, reason: str, by: str) -> None:
        self.status = MerchantStatus.SUSPENDED
        self.status_reason = reason

    @event("Reinstated", topic="comptoir.Merchant.Reinstated")
    def _reinstated(self, by: str) -> None:
        self.status = MerchantStatus.APPROVED
        self.status_reason = None

    @event("Closed", topic="comptoir.Merchant.Closed")
    def _closed(self, by: str) -> None:
        self.status = MerchantStatus.CLOSED
