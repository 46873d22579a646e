"""The Merchant aggregate: eligibility on application and every lifecycle transition."""

from __future__ import annotations

from collections.abc import Callable
from uuid import uuid4

import pytest

from domain.errors import IllegalTransitionError, InvalidValueError, ValidationFailedError
from domain.merchant import Merchant, MerchantStatus
from domain.merchant_profile import ApplicationForm

BY = "validator-1"


def form(**overrides: object) -> ApplicationForm:
    fields: dict[str, object] = {
        "name": "Boulangerie Le Pain Doré", "legal_name": "9123-4567 Québec inc.",
        "neq": "1165432109",
        "address": {"street": "45, avenue du Mont-Royal Est", "municipality": "Montréal",
                    "postal_code": "h2t1n6", "region": "6", "province": "QC"},
        "categories": ["boulangerie"],
        "contact": {"name": "Luc Gagnon", "email": "luc@pain.example", "phone": None},
        "tax": {"small_supplier": True, "gst_number": None, "qst_number": None},
        "fulfilment": {"pickup": True, "delivery_radius_km": None, "delivery_fee_cents": None,
                       "shipping_fee_cents": None},
    }
    fields.update(overrides)
    return ApplicationForm(**fields)  # type: ignore[arg-type]


def new_merchant() -> Merchant:
    return Merchant.submit(form().check(uuid4()), slug="boulangerie-le-pain-dore-montreal")


def test_an_eligible_application_is_under_review_with_normalised_values() -> None:
    merchant = new_merchant()
    assert merchant.status == MerchantStatus.UNDER_REVIEW
    assert merchant.address.postal_code.value == "H2T 1N6"
    assert merchant.address.region == "06"
    assert (merchant.location.lat, merchant.location.lon) == (45.5017, -73.5673)  # town centre
    assert merchant.tax.is_registered is False
    assert [type(e).__name__ for e in merchant.collect_events()] == ["Applied"]


def test_every_violated_eligibility_rule_is_reported_at_once() -> None:
    bad = form(
        neq="4400000001",
        address={"street": "1 Wellington St", "municipality": "Ottawa", "postal_code": "K1A 0A6",
                 "region": "07", "province": "ON"},
        categories=[],
        contact={"name": "Luc", "email": "pas-un-courriel", "phone": None},
        tax={"small_supplier": False, "gst_number": None, "qst_number": "123"},
        fulfilment={"pickup": False, "delivery_radius_km": None, "delivery_fee_cents": None,
                    "shipping_fee_cents": None},
    )
    with pytest.raises(ValidationFailedError) as error:
        bad.check(uuid4())
    assert [(e.field, e.code) for e in error.value.errors] == [
        ("neq", "neq_unknown_kind"),
        ("address.province", "province_not_quebec"),
        ("address.postal_code", "postal_code_not_quebec"),
        ("location", "location_required"),
        ("categories", "categories_empty"),
        ("contact.email", "email_invalid"),
        ("tax.gst_number", "gst_number_required"),
        ("tax.qst_number", "qst_number_invalid"),
        ("fulfilment.pickup", "fulfilment_none"),
    ]


def test_coordinates_outside_quebec_are_refused() -> None:
    with pytest.raises(ValidationFailedError) as error:
        form(location={"lat": 45.42, "lon": -75.69 + 0.5 - 5}).check(uuid4())  # west of Québec
    assert [(e.field, e.code) for e in error.value.errors] == [("location", "location_not_quebec")]


LEGAL: list[tuple[str, list[Callable[[Merchant], None]], MerchantStatus]] = [
    ("approve", [lambda m: m.approve(BY)], MerchantStatus.APPROVED),
    ("reject", [lambda m: m.reject("NEQ radié au registre", BY)], MerchantStatus.REJECTED),
    ("suspend", [lambda m: m.approve(BY), lambda m: m.suspend("Plaintes répétées", BY)],
     MerchantStatus.SUSPENDED),
    ("reinstate", [lambda m: m.approve(BY), lambda m: m.suspend("Plaintes", BY),
                   lambda m: m.reinstate(BY)], MerchantStatus.APPROVED),
    ("close under review", [lambda m: m.close(BY)], MerchantStatus.CLOSED),
    ("close approved", [lambda m: m.approve(BY), lambda m: m.close(BY)], MerchantStatus.CLOSED),
    ("close suspended", [lambda m: m.approve(BY), lambda m: m.suspend("Fraude", BY),
                         lambda m: m.close(BY)], MerchantStatus.CLOSED),
    ("close rejected", [lambda m: m.reject("Hors Québec", BY), lambda m: m.close(BY)],
     MerchantStatus.CLOSED),
]


@pytest.mark.parametrize(("name", "steps", "status"), LEGAL, ids=[c[0] for c in LEGAL])
def test_legal_transitions(name: str, steps: list[Callable[[Merchant], None]],
                           status: MerchantStatus) -> None:
    merchant = new_merchant()
    for step in steps:
        step(merchant)
    assert merchant.status == status


ACTIONS: dict[str, Callable[[Merchant], None]] = {
    "approve": lambda m: m.approve(BY),
    "reject": lambda m: m.reject("Motif valable", BY),
    "suspend": lambda m: m.suspend("Motif valable", BY),
    "reinstate": lambda m: m.reinstate(BY),
    "close": lambda m: m.close(BY),
}
REACH: dict[MerchantStatus, list[str]] = {
    MerchantStatus.UNDER_REVIEW: [],
    MerchantStatus.APPROVED: ["approve"],
    MerchantStatus.REJECTED: ["reject"],
    MerchantStatus.SUSPENDED: ["approve", "suspend"],
    MerchantStatus.CLOSED: ["close"],
}
ALLOWED: dict[MerchantStatus, set[str]] = {
    MerchantStatus.UNDER_REVIEW: {"approve", "reject", "close"},
    MerchantStatus.APPROVED: {"suspend", "close"},
    MerchantStatus.REJECTED: {"close"},
    MerchantStatus.SUSPENDED: {"reinstate", "close"},
    MerchantStatus.CLOSED: set(),
}
ILLEGAL = [(state, action) for state in MerchantStatus for action in ACTIONS
           if action not in ALLOWED[state]]


@pytest.mark.parametrize(("state", "action"), ILLEGAL, ids=[f"{s}-{a}" for s, a in ILLEGAL])
def test_illegal_transitions_name_the_current_state_and_change_nothing(
    state: MerchantStatus, action: str
) -> None:
    merchant = new_merchant()
    for step in REACH[state]:
        ACTIONS[step](merchant)
    merchant.collect_events()
    with pytest.raises(IllegalTransitionError) as error:
        ACTIONS[action](merchant)
    assert error.value.params == {"entity": "merchant", "action": action, "state": str(state)}
    assert merchant.status == state
    assert merchant.collect_events() == []


@pytest.mark.parametrize("reason", ["", "  ", "ok", "x" * 501])
def test_rejection_and_suspension_need_a_real_reason(reason: str) -> None:
    merchant = new_merchant()
    with pytest.raises(InvalidValueError, match="reason_invalid"):
        merchant.reject(reason, BY)
    assert merchant.status == MerchantStatus.UNDER_REVIEW


def test_the_rejection_reason_is_kept_for_the_applicant_and_cleared_on_approval() -> None:
    merchant = new_merchant()
    merchant.reject("  Adresse   hors du Québec ", BY)
    assert merchant.status_reason == "Adresse hors du Québec"
    other = new_merchant()
    other.approve(BY)
    other.suspend("Plaintes", BY)
    other.reinstate(BY)
    assert other.status_reason is None
