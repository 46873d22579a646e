"""Changes a merchant makes after applying (docs/merchants.md).

The public profile (hours, descriptions, website, contact, logo, address) changes at once, by
its owner. Its legal identity (legal name, NEQ) is a request a validator approves or rejects;
until then the merchant sells under its current identity. An approved new NEQ is claimed in
the same save; the old one is free again for whoever registers it next.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from application.actors import Actor, Role
from application.errors import ConflictError, NotFoundError, denied
from application.images import image_key
from application.merchants import MerchantView
from application.ports import ImageStore
from application.service import Service
from domain.claim import Claim
from domain.errors import FieldError, InvalidValueError, ValidationFailedError
from domain.merchant import Merchant
from domain.merchant_changes import IdentityChange


class MerchantProfiles(Service):
    def __init__(self, *args: Any, images: ImageStore | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.images = images

    def change_profile(self, actor: Actor, merchant_id: UUID,
                       given: Mapping[str, Any]) -> MerchantView:
        """The owner changes some fields (absent: unchanged; null: removed)."""
        actor.require_signed_in()
        if not given:
            raise InvalidValueError("profile_change_empty")

        def attempt() -> MerchantView:
            merchant = self._owned(actor, merchant_id)
            profile = merchant.public_profile.changed(given)
            if profile.logo is not None and profile.logo != merchant.logo:
                self._check_image(profile.logo, "logo")
            merchant.change_profile(profile, by=actor.subject)
            self.save(merchant)
            return MerchantView.of(merchant, with_contact=True)

        return self.retrying(attempt, serialise=[merchant_id])

    def request_identity_change(self, actor: Actor, merchant_id: UUID, legal_name: str | None,
                                neq: str | None) -> MerchantView:
        actor.require_signed_in()

        def attempt() -> MerchantView:
            merchant = self._owned(actor, merchant_id)
            change = IdentityChange.parse(legal_name, neq, actor.subject, merchant.legal_name,
                                          merchant.neq)
            self._neq_free(change, merchant)  # told now rather than at the validator's desk
            merchant.request_identity_change(change)
            self.save(merchant)
            return MerchantView.of(merchant, with_contact=True)

        return self.retrying(attempt, serialise=[merchant_id])

    def approve_identity_change(self, actor: Actor, merchant_id: UUID) -> MerchantView:
        actor.require_signed_in()

        def attempt() -> MerchantView:
            merchant = self._reviewed(actor, merchant_id)
            pending = merchant.pending_identity
            claim = self._neq_free(pending, merchant) if pending is not None else None
            merchant.approve_identity_change(by=actor.subject)
            self.save(merchant, claim)
            return MerchantView.of(merchant, with_contact=True)

        return self.retrying(attempt, serialise=[merchant_id])

    def reject_identity_change(self, actor: Actor, merchant_id: UUID,
                               reason: str) -> MerchantView:
        actor.require_signed_in()

        def attempt() -> MerchantView:
            merchant = self._reviewed(actor, merchant_id)
            merchant.reject_identity_change(reason, by=actor.subject)
            self.save(merchant)
            return MerchantView.of(merchant, with_contact=True)

        return self.retrying(attempt, serialise=[merchant_id])

    def _owned(self, actor: Actor, merchant_id: UUID) -> Merchant:
        """Only its own merchant: any other one is not found, whoever asks."""
        if not actor.owns(merchant_id):
            if actor.role == Role.MERCHANT or actor.role == Role.CONSUMER:
                raise NotFoundError("merchant")
            raise denied(actor.is_anonymous)
        return self.load(Merchant, merchant_id, "merchant")

    def _reviewed(self, actor: Actor, merchant_id: UUID) -> Merchant:
        if actor.role != Role.VALIDATOR:
            if actor.role == Role.MERCHANT and not actor.owns(merchant_id):
                raise NotFoundError("merchant")
            raise denied(actor.is_anonymous)
        return self.load(Merchant, merchant_id, "merchant")

    def _neq_free(self, change: IdentityChange, merchant: Merchant) -> Claim | None:
        """The claim on the new NEQ this merchant may take (None: it keeps its own), or
        ConflictError("neq_taken") when another open merchant holds it."""
        if change.neq == merchant.neq:
            return None
        claim_id = Claim.create_id("neq", change.neq.value)
        claim = self.find(claim_id)
        if not isinstance(claim, Claim):
            return Claim("neq", change.neq.value, merchant.id)
        if claim.holder_id == merchant.id:
            return None
        holder = self.find(claim.holder_id)
        if isinstance(holder, Merchant) and holder.is_open and holder.neq == change.neq:
            raise ConflictError("neq_taken")
        claim.hand_over(merchant.id)
        return claim

    def _check_image(self, image_id: str, field: str) -> None:
        if self.images is None or not self.images.exists(image_key(image_id, "large")):
            raise ValidationFailedError([FieldError(field, "image_unknown")])
