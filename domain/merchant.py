"""The Merchant aggregate: a Québec business and its life on the platform."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, ClassVar

from eventsourcing.domain import Aggregate, event

from domain.address import Address
from domain.errors import IllegalTransitionError, InvalidValueError
from domain.geo import GeoPoint
from domain.merchant_changes import IdentityChange, OpeningHours, PublicProfile
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
        ProfileChanged: ClassVar[type[Aggregate.Event]]
        IdentityChangeRequested: ClassVar[type[Aggregate.Event]]
        IdentityChangeApproved: ClassVar[type[Aggregate.Event]]
        IdentityChangeRejected: ClassVar[type[Aggregate.Event]]

    # Added after the first merchants applied: their events never set these.
    hours: OpeningHours | None = None
    logo: str | None = None
    pending_identity: IdentityChange | None = None

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

    # -- changes after applying (domain/merchant_changes.py) ----------------------------------

    @property
    def public_profile(self) -> PublicProfile:
        return PublicProfile(self.description_fr, self.description_en, self.website, self.hours,
                             self.address, self.location, self.contact, self.logo)

    def change_profile(self, profile: PublicProfile, by: str) -> tuple[str, ...]:
        """Record the new profile; the names of the fields that changed (none: nothing
        recorded)."""
        if self.status == MerchantStatus.CLOSED:
            raise IllegalTransitionError("merchant", "change_profile", str(self.status))
        fields = profile.differences(self.public_profile)
        if fields:
            self._profile_changed(
                fields=fields, description_fr=profile.description_fr,
                description_en=profile.description_en, website=profile.website,
                hours=profile.hours, address=profile.address, location=profile.location,
                contact=profile.contact, logo=profile.logo, by=by)
        return fields

    def request_identity_change(self, change: IdentityChange) -> None:
        """A new legal name or NEQ waits for a validator; meanwhile the merchant sells under
        its current identity. A second request replaces a pending one."""
        if not self.is_open:
            raise IllegalTransitionError("merchant", "request_identity_change", str(self.status))
        self._identity_change_requested(legal_name=change.legal_name, neq=change.neq,
                                        by=change.requested_by)

    def approve_identity_change(self, by: str) -> IdentityChange:
        change = self._pending("approve_identity_change")
        self._identity_change_approved(legal_name=change.legal_name, neq=change.neq, by=by)
        return change

    def reject_identity_change(self, reason: str, by: str) -> None:
        self._pending("reject_identity_change")
        self._identity_change_rejected(reason=check_reason(reason), by=by)

    def _pending(self, action: str) -> IdentityChange:
        if self.pending_identity is None:
            raise IllegalTransitionError("merchant", action, "no_identity_change_pending")
        return self.pending_identity

    @event("ProfileChanged", topic="comptoir.Merchant.ProfileChanged")
    def _profile_changed(
        self, fields: tuple[str, ...], description_fr: str | None, description_en: str | None,
        website: str | None, hours: OpeningHours | None, address: Address, location: GeoPoint,
        contact: PersonalData, logo: str | None, by: str,
    ) -> None:
        self.description_fr, self.description_en = description_fr, description_en
        self.website, self.hours, self.logo = website, hours, logo
        self.address, self.location, self.contact = address, location, contact

    @event("IdentityChangeRequested", topic="comptoir.Merchant.IdentityChangeRequested")
    def _identity_change_requested(self, legal_name: str, neq: NEQ, by: str) -> None:
        self.pending_identity = IdentityChange(legal_name, neq, by)

    @event("IdentityChangeApproved", topic="comptoir.Merchant.IdentityChangeApproved")
    def _identity_change_approved(self, legal_name: str, neq: NEQ, by: str) -> None:
        self.legal_name, self.neq = legal_name, neq
        self.pending_identity = None

    @event("IdentityChangeRejected", topic="comptoir.Merchant.IdentityChangeRejected")
    def _identity_change_rejected(self, reason: str, by: str) -> None:
        self.pending_identity = None

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
