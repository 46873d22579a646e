"""Merchants: application, review and lifecycle."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, cast
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError

from application.actors import Actor, Role
from application.errors import ConflictError, NotFoundError, denied
from application.idempotency import IdempotencyKey
from application.service import Service
from domain.account import Account, Membership
from domain.address import Address
from domain.claim import Claim
from domain.errors import DomainError
from domain.geo import GeoPoint
from domain.merchant import Merchant
from domain.merchant_changes import IdentityChange, OpeningHours
from domain.merchant_profile import (
    ApplicationForm,
    FulfilmentOptions,
    MerchantProfile,
    TaxRegistration,
)
from domain.personal import PersonalData
from domain.slug import slugify

MAX_SLUG_SUFFIX = 1000


@dataclass(frozen=True)
class ImportOutcome:
    """What became of one imported fiche. `conflicting`: its external id was imported before
    with other values (named in `differences`); the first import stands (docs/search.md)."""

    external_id: str
    status: Literal["imported", "already", "conflicting", "rejected"]
    error: DomainError | None = None
    differences: tuple[str, ...] = ()


@dataclass(frozen=True)
class MerchantChange:
    """One event of a merchant's history, as staff read it: when, what, and why if said."""

    at: datetime
    change: str  # the event's name: Applied, Approved, Rejected, Suspended, ProfileChanged…
    reason: str | None


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
    hours: OpeningHours | None = None
    logo: str | None = None  # an image id (application/images.py)
    pending_identity: IdentityChange | None = None  # waiting for a validator

    @classmethod
    def of(cls, m: Merchant, *, with_contact: bool) -> MerchantView:
        return cls(
            m.id, m.slug, str(m.status), m.status_reason, m.name, m.legal_name, m.neq.value,
            m.address, m.location, m.categories, m.tax, m.fulfilment, m.description_fr,
            m.description_en, m.website, m.contact if with_contact else None,
            m.created_on, m.modified_on, hours=m.hours, logo=m.logo,
            pending_identity=m.pending_identity,
        )


class Merchants(Service):
    def apply(self, form: ApplicationForm, key: IdempotencyKey | None = None,
              applicant: Actor | None = None) -> MerchantView:
        """Anyone may apply; the answer shows the applicant what it sent, contact included.
        A signed-in account that applies becomes the merchant's owner, in the same save."""

        contact = uuid4()  # the contact person's id, known before: it keys the record

        def build() -> tuple[UUID, list[Aggregate]]:
            merchant, claims = self._submission(form, contact_subject_id=contact)
            owner = self._account_of(applicant)
            if owner is not None:
                owner.join(merchant.id, Membership.OWNER, by=str(owner.person_id))
            return merchant.id, [merchant, *claims, *([owner] if owner else [])]

        merchant_id = self.create(key, build, concerns=contact)
        return MerchantView.of(self.load(Merchant, merchant_id, "merchant"), with_contact=True)

    def import_fiche(
        self, external_id: str, form: ApplicationForm, approver: Actor | None = None
    ) -> ImportOutcome:
        """Apply (and approve, in the same atomic save) once per external id: a re-run of an
        import finds its claim and imports nothing twice."""
        self._check_approver(approver)
        claim_id = Claim.create_id("import", external_id)

        def attempt() -> ImportOutcome:
            if self.exists(claim_id):
                return self._compared(external_id, form, {})
            self.save(*self._imported(external_id, form, approver, set()))
            return ImportOutcome(external_id, "imported")

        try:
            return self.retrying(attempt, serialise=[claim_id])
        except DomainError as error:
            return ImportOutcome(external_id, "rejected", error)

    def import_fiches(
        self, fiches: list[tuple[str, ApplicationForm]], approver: Actor | None = None
    ) -> list[ImportOutcome]:
        """Many fiches in ONE atomic save (bulk imports: one commit, not one per fiche). If
        another writer got in the way, the batch is retried fiche by fiche."""
        self._check_approver(approver)
        outcomes: list[ImportOutcome] = []
        taken: set[tuple[str, str]] = set()
        in_batch: dict[str, MerchantProfile] = {}
        aggregates: list[Aggregate] = []
        for external_id, form in fiches:
            try:
                if external_id in in_batch or self.exists(Claim.create_id("import", external_id)):
                    outcomes.append(self._compared(external_id, form, in_batch))
                    continue
                imported = self._imported(external_id, form, approver, taken)
            except DomainError as error:
                outcomes.append(ImportOutcome(external_id, "rejected", error))
                continue
            in_batch[external_id] = profile_of(imported[0])  # type: ignore[arg-type]
            aggregates += imported
            outcomes.append(ImportOutcome(external_id, "imported"))
        self.app.keys.create_many([a.contact.subject_id for a in aggregates
                                   if isinstance(a, Merchant)])
        try:
            self.save(*aggregates)
        except IntegrityError:
            return [self.import_fiche(external_id, form, approver)
                    for external_id, form in fiches]
        return outcomes

    def _compared(self, external_id: str, form: ApplicationForm,
                  in_batch: dict[str, MerchantProfile]) -> ImportOutcome:
        """A fiche whose external id was imported: the same values, or a conflict naming the
        fields that differ from what the platform holds now (a row that breaks the rules is
        rejected first, with its reasons)."""
        profile = form.check(contact_subject_id=uuid4())
        held = in_batch.get(external_id)
        if held is None:
            claim = self.find(Claim.create_id("import", external_id))
            assert isinstance(claim, Claim)
            held = profile_of(self.load(Merchant, claim.holder_id, "merchant"))
        differences = profile.differences(held)
        if differences:
            return ImportOutcome(external_id, "conflicting", differences=differences)
        return ImportOutcome(external_id, "already")

    @staticmethod
    def _check_approver(approver: Actor | None) -> None:
        if approver is not None and approver.role != Role.VALIDATOR:
            raise denied(approver.is_anonymous)

    def _imported(self, external_id: str, form: ApplicationForm, approver: Actor | None,
                  taken: set[tuple[str, str]]) -> list[Aggregate]:
        merchant, claims = self._submission(form, taken)
        if approver is not None:
            merchant.approve(by=approver.subject)
        taken.add(("import", external_id))
        return [merchant, *claims, Claim("import", external_id, merchant.id)]

    def _submission(
        self, form: ApplicationForm, taken: set[tuple[str, str]] | None = None,
        contact_subject_id: UUID | None = None,
    ) -> tuple[Merchant, list[Claim]]:
        """A checked application and the claims it takes (its NEQ, its slug). `taken` holds
        the keys claimed by other submissions of the same save."""
        taken = set() if taken is None else taken
        profile = form.check(contact_subject_id=contact_subject_id or uuid4())
        if ("neq", profile.neq.value) in taken:
            raise ConflictError("neq_taken")
        neq_claim = self._neq_claim(profile.neq.value)
        slug = self._free_slug(slugify(profile.name, profile.address.municipality), taken)
        taken |= {("neq", profile.neq.value), ("slug", slug)}
        merchant = Merchant.submit(profile, slug)
        if neq_claim is None:
            neq_claim = Claim("neq", profile.neq.value, merchant.id)
        else:
            neq_claim.hand_over(merchant.id)
        return merchant, [neq_claim, Claim("slug", slug, merchant.id)]

    def _account_of(self, actor: Actor | None) -> Account | None:
        if actor is None or actor.is_anonymous:
            return None
        try:
            found = self.find(Account.create_id(UUID(actor.subject)))
        except ValueError:
            return None
        return found if isinstance(found, Account) else None

    def get(self, actor: Actor, merchant_id: UUID) -> MerchantView:
        return self._view(actor, self._visible(actor, merchant_id))

    def history(self, actor: Actor, merchant_id: UUID) -> list[MerchantChange]:
        """What happened to a merchant, oldest first, for the staff who review it (and its
        own people): each decision with its reason, each profile or identity change."""
        actor.require_signed_in()
        if not (actor.owns(merchant_id) or actor.reads_everything):
            raise NotFoundError("merchant")
        self._visible(actor, merchant_id)
        events = [cast(Aggregate.Event, event)
                  for event in self.app.repository.event_store.get(merchant_id)]
        return [MerchantChange(event.timestamp, type(event).__name__,
                               getattr(event, "reason", None)) for event in events]

    def visit(self, actor: Actor, merchant_id: UUID) -> MerchantView:
        """Someone looks at the fiche: as `get`, and counted in the merchant's insight."""
        view = self.get(actor, merchant_id)
        self.sightings.saw(actor, "fiche_view", [merchant_id])
        return view

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
        actor.require_signed_in()

        def attempt() -> MerchantView:
            merchant = self._acted_on(actor, merchant_id)
            if not (self.owns_outright(actor, merchant_id) or actor.role == Role.VALIDATOR):
                raise denied(actor.is_anonymous)
            merchant.close(by=actor.subject)
            self.save(merchant)
            return self._view(actor, merchant)

        return self.retrying(attempt, serialise=[merchant_id])

    def _review(
        self, actor: Actor, merchant_id: UUID, decide: Callable[[Merchant], None]
    ) -> MerchantView:
        actor.require_signed_in()

        def attempt() -> MerchantView:
            merchant = self._acted_on(actor, merchant_id)
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

    def _acted_on(self, actor: Actor, merchant_id: UUID) -> Merchant:
        """A merchant a command is about: to another merchant it is not found, whatever it
        may see of it (one tenant never acts on another's)."""
        if actor.role == Role.MERCHANT and not actor.owns(merchant_id):
            raise NotFoundError("merchant")
        return self._visible(actor, merchant_id)

    def _neq_claim(self, neq: str) -> Claim | None:
        """The NEQ's claim if it may be handed to a new applicant; a live holder keeps it."""
        claim_id = Claim.create_id("neq", neq)
        claim = self.find(claim_id) if self.exists(claim_id) else None
        if not isinstance(claim, Claim):
            return None
        holder = self.find(claim.holder_id)
        # A holder that changed its NEQ since (application/merchant_profiles.py) let it go.
        if isinstance(holder, Merchant) and holder.is_open and holder.neq.value == neq:
            raise ConflictError("neq_taken")
        return claim

    def _free_slug(self, base: str, taken: set[tuple[str, str]]) -> str:
        for suffix in range(1, MAX_SLUG_SUFFIX):
            slug = base if suffix == 1 else f"{base}-{suffix}"
            if ("slug", slug) not in taken and not self.exists(Claim.create_id("slug", slug)):
                return slug
        raise ConflictError("slug_exhausted")


def profile_of(merchant: Merchant) -> MerchantProfile:
    """What a merchant declared, as it stands now."""
    return MerchantProfile(
        merchant.name, merchant.legal_name, merchant.neq, merchant.address, merchant.location,
        merchant.categories, merchant.contact, merchant.tax, merchant.fulfilment,
        merchant.description_fr, merchant.description_en, merchant.website)
