"""Merchants: application, review and lifecycle."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate

from application.actors import Actor, Role
from application.errors import ConflictError, NotFoundError, denied
from application.idempotency import IdempotencyKey
from application.service import Service
from domain.address import Address
from domain.claim import Claim
from domain.geo import GeoPoint
from domain.merchant import Merchant
from domain.merchant_profile import ApplicationForm, FulfilmentOptions, TaxRegistration
from domain.personal import PersonalData
from domain.slug import slugify

MAX_SLUG_SUFFIX = 1000


@dataclass(frozen=True)
class MerchantView:
    """A merchant as one actor may see it: contact details only for those allowed."""

    id: UUID
    slug: str
    status: str
    status_reason: str | None
    name: str
    legal_name: str
    neq: str
    address: Address
    location: GeoPoint
    categories: tuple[str, ...]
    tax: TaxRegistration
    fulfilment: FulfilmentOptions
    description_fr: str | None
    description_en: str | None
    website: str | None
    contact: PersonalData | None
    created_on: datetime
    modified_on: datetime

    @classmethod
    def of(cls, m: Merchant, *, with_contact: bool) -> MerchantView:
        return cls(
            m.id, m.slug, str(m.status), m.status_reason, m.name, m.legal_name, m.neq.value,
            m.address, m.location, m.categories, m.tax, m.fulfilment, m.description_fr,
            m.description_en, m.website, m.contact if with_contact else None,
            m.created_on, m.modified_on,
        )


class Merchants(Service):
    def apply(self, form: ApplicationForm, key: IdempotencyKey | None = None) -> MerchantView:
        """Anyone may apply; the answer shows the applicant what it sent, contact included."""
        def build() -> tuple[UUID, list[Aggregate]]:
            profile = form.check(contact_subject_id=uuid4())
            neq_claim = self._neq_claim(profile.neq.value)
            slug = self._free_slug(slugify(profile.name, profile.address.municipality))
            merchant = Merchant.submit(profile, slug)
            if neq_claim is None:
                neq_claim = Claim("neq", profile.neq.value, merchant.id)
            else:
                neq_claim.hand_over(merchant.id)
            return merchant.id, [merchant, neq_claim, Claim("slug", slug, merchant.id)]

        merchant_id = self.create(key, build)
        return MerchantView.of(self.load(Merchant, merchant_id, "merchant"), with_contact=True)

    def get(self, actor: Actor, merchant_id: UUID) -> MerchantView:
        return self._view(actor, self._visible(actor, merchant_id))

    def _view(self, actor: Actor, merchant: Merchant) -> MerchantView:
        with_contact = actor.owns(merchant.id) or actor.sees_personal_data
        return MerchantView.of(merchant, with_contact=with_contact)

    def approve(self, actor: Actor, merchant_id: UUID) -> MerchantView:
        return self._review(actor, merchant_id, lambda m: m.approve(by=actor.subject))

    def reject(self, actor: Actor, merchant_id: UUID, reason: str) -> MerchantView:
        return self._review(actor, merchant_id, lambda m: m.reject(reason, by=actor.subject))

    def suspend(self, actor: Actor, merchant_id: UUID, reason: str) -> MerchantView:
        return self._review(actor, merchant_id, lambda m: m.suspend(reason, by=actor.subject))

    def reinstate(self, actor: Actor, merchant_id: UUID) -> MerchantView:
        return self._review(actor, merchant_id, lambda m: m.reinstate(by=actor.subject))

    def close(self, actor: Actor, merchant_id: UUID) -> MerchantView:
        def attempt() -> MerchantView:
            merchant = self._visible(actor, merchant_id)
            if not (actor.owns(merchant_id) or actor.role == Role.VALIDATOR):
                raise denied(actor.is_anonymous)
            merchant.close(by=actor.subject)
            self.save(merchant)
            return self._view(actor, merchant)

        return self.retrying(attempt, serialise=[merchant_id])

    def _review(
        self, actor: Actor, merchant_id: UUID, decide: Callable[[Merchant], None]
    ) -> MerchantView:
        def attempt() -> MerchantView:
            merchant = self._visible(actor, merchant_id)
            if actor.role != Role.VALIDATOR:
                raise denied(actor.is_anonymous)
            decide(merchant)
            self.save(merchant)
            return self._view(actor, merchant)

        return self.retrying(attempt, serialise=[merchant_id])

    def _visible(self, actor: Actor, merchant_id: UUID) -> Merchant:
        merchant = self.load(Merchant, merchant_id, "merchant")
        if not (merchant.is_approved or actor.owns(merchant.id) or actor.reads_everything):
            raise NotFoundError("merchant")
        return merchant

    def _neq_claim(self, neq: str) -> Claim | None:
        """The NEQ's claim if it may be handed to a new applicant; a live holder keeps it."""
        claim = self.find(Claim.create_id("neq", neq))
        if not isinstance(claim, Claim):
            return None
        holder = self.find(claim.holder_id)
        if isinstance(holder, Merchant) and holder.is_open:
            raise ConflictError("neq_taken")
        return claim

    def _free_slug(self, base: str) -> str:
        for suffix in range(1, MAX_SLUG_SUFFIX):
            slug = base if suffix == 1 else f"{base}-{suffix}"
            if self.find(Claim.create_id("slug", slug)) is None:
                return slug
        raise ConflictError("slug_exhausted")
