"""Use cases of the merchants and catalogue services, on the in-memory event store."""

from __future__ import annotations

from uuid import uuid4

import pytest

from application.actors import Actor, Role
from application.app import Comptoir
from application.catalog import Catalog
from application.errors import (
    AuthenticationRequiredError,
    ConflictError,
    IdempotencyKeyReusedError,
    NotFoundError,
    PermissionDeniedError,
)
from application.idempotency import IdempotencyKey
from application.merchants import Merchants
from domain.errors import RuleViolatedError
from domain.listing import StockReason
from tests.unit.test_merchant import form

VALIDATOR = Actor(Role.VALIDATOR, str(uuid4()))
ANONYMOUS = Actor.anonymous()
LISTING = {"title_fr": "Baguette", "description_fr": "Tradition", "category": "boulangerie",
           "price_cents": 375, "tax_class": "zero_rated", "origin": "transformed"}


@pytest.fixture
def merchants(memory_app: Comptoir) -> Merchants:
    return Merchants(memory_app)


@pytest.fixture
def catalog(memory_app: Comptoir) -> Catalog:
    return Catalog(memory_app)


def test_one_neq_cannot_be_held_by_two_live_merchants(merchants: Merchants) -> None:
    merchants.apply(form())
    with pytest.raises(ConflictError) as error:
        merchants.apply(form(name="Autre nom"))
    assert error.value.code == "neq_taken"


def test_a_rejected_applicant_may_apply_again_with_its_neq(merchants: Merchants) -> None:
    first = merchants.apply(form())
    merchants.reject(VALIDATOR, first.id, "Pièces manquantes")
    second = merchants.apply(form())
    assert second.id != first.id
    assert second.status == "under_review"


def test_slugs_are_unique_and_stable(merchants: Merchants) -> None:
    one = merchants.apply(form())
    two = merchants.apply(form(neq="2265432108"))
    assert one.slug == "boulangerie-le-pain-dore-montreal"
    assert two.slug == "boulangerie-le-pain-dore-montreal-2"


def test_the_same_idempotency_key_and_request_create_one_merchant(
    merchants: Merchants, memory_app: Comptoir
) -> None:
    key = IdempotencyKey.of("k-1", operation="merchants.apply", subject="anonymous",
                            request={"neq": "1165432109"})
    first = merchants.apply(form(), key)
    position = memory_app.log_position()
    again = merchants.apply(form(), key)
    assert again.id == first.id
    assert memory_app.log_position() == position


def test_an_idempotency_key_reused_for_another_request_is_refused(merchants: Merchants) -> None:
    merchants.apply(form(), IdempotencyKey.of("k-2", operation="merchants.apply",
                                              subject="anonymous", request={"a": 1}))
    with pytest.raises(IdempotencyKeyReusedError):
        merchants.apply(form(), IdempotencyKey.of("k-2", operation="merchants.apply",
                                                  subject="anonymous", request={"a": 2}))


def test_only_validators_review(merchants: Merchants) -> None:
    applied = merchants.apply(form())
    for role in (Role.ADMIN, Role.AUDITOR):
        with pytest.raises(PermissionDeniedError):
            merchants.approve(Actor(role, str(uuid4())), applied.id)
    owner = Actor(Role.MERCHANT, str(uuid4()), applied.id)
    with pytest.raises(PermissionDeniedError):
        merchants.approve(owner, applied.id)
    with pytest.raises(AuthenticationRequiredError):  # 401 before anything is looked up
        merchants.approve(ANONYMOUS, applied.id)
    with pytest.raises(AuthenticationRequiredError):
        merchants.approve(ANONYMOUS, uuid4())


def test_contact_details_are_shown_to_owner_and_validators_only(merchants: Merchants) -> None:
    applied = merchants.apply(form())
    merchants.approve(VALIDATOR, applied.id)
    owner = Actor(Role.MERCHANT, str(uuid4()), applied.id)
    assert merchants.get(owner, applied.id).contact.get("email") == "luc@pain.example"
    assert merchants.get(VALIDATOR, applied.id).contact is not None
    assert merchants.get(ANONYMOUS, applied.id).contact is None
    assert merchants.get(Actor(Role.AUDITOR, "a"), applied.id).contact is None


def test_a_listing_cannot_be_published_before_approval_and_disappears_on_suspension(
    merchants: Merchants, catalog: Catalog
) -> None:
    applied = merchants.apply(form())
    owner = Actor(Role.MERCHANT, str(uuid4()), applied.id)
    listing_id = catalog.create_listing(owner, applied.id, LISTING)
    with pytest.raises(RuleViolatedError, match="merchant_not_approved"):
        catalog.publish(owner, listing_id)
    merchants.approve(VALIDATOR, applied.id)
    catalog.publish(owner, listing_id)
    assert catalog.get(ANONYMOUS, listing_id).status == "published"
    merchants.suspend(VALIDATOR, applied.id, "Plaintes répétées")
    with pytest.raises(NotFoundError):
        catalog.get(ANONYMOUS, listing_id)
    assert catalog.get(owner, listing_id).status == "published"


def test_a_merchant_never_touches_another_merchants_listings(
    merchants: Merchants, catalog: Catalog
) -> None:
    a = merchants.apply(form())
    b = merchants.apply(form(neq="2265432108"))
    owner_a = Actor(Role.MERCHANT, str(uuid4()), a.id)
    owner_b = Actor(Role.MERCHANT, str(uuid4()), b.id)
    draft = catalog.create_listing(owner_a, a.id, LISTING)
    with pytest.raises(NotFoundError):
        catalog.get(owner_b, draft)
    with pytest.raises(NotFoundError):
        catalog.set_stock(owner_b, draft, 5)
    with pytest.raises(NotFoundError):  # b cannot see a's application, so cannot learn of it
        catalog.create_listing(owner_b, a.id, LISTING)
    merchants.approve(VALIDATOR, a.id)
    catalog.publish(owner_a, draft)
    with pytest.raises(NotFoundError):  # visible to all now, but still not b's: not found
        catalog.adjust_stock(owner_b, draft, 3, StockReason.RECEIVED)
    assert catalog.get(owner_a, draft).on_hand == 0


def test_a_closed_merchant_cannot_change_its_catalogue(
    merchants: Merchants, catalog: Catalog
) -> None:
    applied = merchants.apply(form())
    owner = Actor(Role.MERCHANT, str(uuid4()), applied.id)
    listing_id = catalog.create_listing(owner, applied.id, LISTING)
    merchants.close(owner, applied.id)
    with pytest.raises(RuleViolatedError, match="merchant_not_open"):
        catalog.set_stock(owner, listing_id, 4)
