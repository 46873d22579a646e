"""What the eligibility rules find in a merchant's application, rule by rule, for validators.

An application that breaks a rule is refused when it is made (merchant_profile.py), so one in
the validators' queue met every rule then. The rules are run again on what was stored (they
may have changed since) and each says what it found: the region and municipality, the kind of
enterprise its NEQ announces, the categories, how taxes are handled, how goods are handed
over. The NEQ's form is all the domain can check: that the number is registered at the
Registraire des entreprises is the validator's to confirm (`to_confirm`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from domain.address import Address
from domain.errors import InvalidValueError
from domain.geo import GeoPoint
from domain.merchant_profile import FulfilmentOptions, TaxRegistration
from domain.neq import NEQ
from domain.quebec import REGIONS
from domain.taxonomy import parse_categories

NEQ_KIND_NAMES = {"11": "sole_proprietorship", "22": "partnership", "33": "legal_person",
                  "88": "other_registrant"}
RULES = ("quebec_address", "location", "neq", "categories", "taxes", "fulfilment")


class Outcome(StrEnum):
    MET = "met"
    TO_CONFIRM = "to_confirm"  # the form is right; a person must confirm the rest
    NOT_MET = "not_met"


@dataclass(frozen=True)
class Finding:
    rule: str  # one of RULES
    outcome: Outcome
    code: str  # what was found (an error code when the rule is not met)
    params: dict[str, Any] = field(default_factory=dict)  # str, int, bool or list of str


def eligibility_of(*, address: Address, location: GeoPoint, neq: NEQ,
                   categories: tuple[str, ...], tax: TaxRegistration,
                   fulfilment: FulfilmentOptions) -> tuple[Finding, ...]:
    """Every rule's finding, in RULES order."""
    return (_address(address), _location(location), _neq(neq), _categories(categories),
            _taxes(tax), _fulfilment(fulfilment))


def _address(address: Address) -> Finding:
    found = {"region": address.region, "region_name": REGIONS.get(address.region, ""),
             "municipality": address.municipality,
             "postal_area": address.postal_code.forward_sortation_area}
    errors = address.quebec_errors().errors
    if errors:
        return Finding("quebec_address", Outcome.NOT_MET, errors[0].code, found)
    return Finding("quebec_address", Outcome.MET, "quebec_address", found)


def _location(location: GeoPoint) -> Finding:
    if location.is_in_quebec():
        return Finding("location", Outcome.MET, "location_in_quebec")
    return Finding("location", Outcome.NOT_MET, "location_not_quebec")


def _neq(neq: NEQ) -> Finding:
    try:
        checked = NEQ.parse(neq.value)
    except InvalidValueError as error:
        return Finding("neq", Outcome.NOT_MET, error.code)
    return Finding("neq", Outcome.TO_CONFIRM, "neq_registration_to_confirm",
                   {"kind": NEQ_KIND_NAMES[checked.value[:2]]})


def _categories(categories: tuple[str, ...]) -> Finding:
    try:
        parsed = parse_categories(list(categories))
    except InvalidValueError as error:
        return Finding("categories", Outcome.NOT_MET, error.code, dict(error.params))
    return Finding("categories", Outcome.MET, "categories", {"count": len(parsed)})


def _taxes(tax: TaxRegistration) -> Finding:
    if tax.is_registered:
        return Finding("taxes", Outcome.MET, "tax_registered")
    return Finding("taxes", Outcome.MET, "small_supplier", {"platform_remits": True})


def _fulfilment(fulfilment: FulfilmentOptions) -> Finding:
    methods = [name for name, offered in (
        ("pickup", fulfilment.pickup), ("delivery", fulfilment.delivery_radius_km is not None),
        ("shipping", fulfilment.shipping_fee is not None)) if offered]
    if not methods:
        return Finding("fulfilment", Outcome.NOT_MET, "fulfilment_none")
    return Finding("fulfilment", Outcome.MET, "fulfilment", {"methods": methods})
