"""What a merchant declares when it applies, checked against the platform's eligibility rules."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from domain.address import Address
from domain.errors import FieldErrors, InvalidValueError
from domain.geo import GeoPoint
from domain.money import Money
from domain.neq import NEQ
from domain.personal import PersonalData, parse_contact
from domain.places import locate_address
from domain.taxonomy import parse_categories
from domain.text import clean_text, identifier_text, plain_text

MAX_DELIVERY_RADIUS_KM = 200.0
MAX_FEE = Money(500_00)
MAX_TEXT = 2000


@dataclass(frozen=True)
class TaxRegistration:
    """GST and QST numbers, or the small-supplier status (then the platform remits taxes)."""

    gst_number: str | None
    qst_number: str | None

    @property
    def is_registered(self) -> bool:
        return self.gst_number is not None and self.qst_number is not None

    @classmethod
    def parse(
        cls, gst_number: str | None, qst_number: str | None, small_supplier: bool
    ) -> TaxRegistration:
        if small_supplier:
            return cls(None, None)
        errors = FieldErrors()
        gst = errors.parse("gst_number", _registration, gst_number, r"[0-9]{9}RT[0-9]{4}", "gst")
        qst = errors.parse("qst_number", _registration, qst_number, r"[0-9]{10}TQ[0-9]{4}", "qst")
        errors.raise_if_any()
        return cls(gst, qst)


def _registration(text: str | None, pattern: str, kind: str) -> str:
    number = re.sub(r"[\s-]+", "", identifier_text(text or "")).upper()
    if not number:
        raise InvalidValueError(f"{kind}_number_required")
    if not re.fullmatch(pattern, number):
        raise InvalidValueError(f"{kind}_number_invalid")
    return number


@dataclass(frozen=True)
class FulfilmentOptions:
    pickup: bool
    delivery_radius_km: float | None  # None: no local delivery
    delivery_fee: Money | None
    shipping_fee: Money | None  # None: no shipping

    @classmethod
    def parse(
        cls,
        pickup: bool,
        delivery_radius_km: float | None,
        delivery_fee_cents: int | None,
        shipping_fee_cents: int | None,
    ) -> FulfilmentOptions:
        errors = FieldErrors()
        if delivery_radius_km is not None and not 0 < delivery_radius_km <= MAX_DELIVERY_RADIUS_KM:
            errors.add("delivery_radius_km", "delivery_radius_invalid",
                       maximum=MAX_DELIVERY_RADIUS_KM)
        delivery_fee = errors.parse("delivery_fee_cents", _fee, delivery_fee_cents)
        shipping_fee = errors.parse("shipping_fee_cents", _fee, shipping_fee_cents)
        if not pickup and delivery_radius_km is None and shipping_fee_cents is None:
            errors.add("pickup", "fulfilment_none")
        errors.raise_if_any()
        delivers = delivery_radius_km is not None
        return cls(pickup, delivery_radius_km, (delivery_fee or Money(0)) if delivers else None,
                   shipping_fee)


def _fee(cents: int | None) -> Money | None:
    if cents is None:
        return None
    fee = Money(cents)
    if fee.is_negative() or fee > MAX_FEE:
        raise InvalidValueError("fee_out_of_range", max_cents=MAX_FEE.cents)
    return fee



@dataclass(frozen=True)
class MerchantProfile:
    """A checked application: every value well formed and the merchant eligible."""

    name: str
    legal_name: str
    neq: NEQ
    address: Address
    location: GeoPoint
    categories: tuple[str, ...]
    contact: PersonalData
    tax: TaxRegistration
    fulfilment: FulfilmentOptions
    description_fr: str | None
    description_en: str | None
    website: str | None

    def differences(self, other: MerchantProfile) -> tuple[str, ...]:
        """The fields (dotted, as the API names them) whose values differ."""
        differ: list[str] = []
        for name in ("name", "legal_name", "neq", "location", "categories", "tax",
                     "fulfilment", "description_fr", "description_en", "website"):
            if getattr(self, name) != getattr(other, name):
                differ.append(name)
        for part in ("street", "municipality", "postal_code", "region", "province"):
            if getattr(self.address, part) != getattr(other.address, part):
                differ.append(f"address.{part}")
        for key in ("name", "email", "phone"):  # values, not keys: each person has their own
            if self.contact.get(key) != other.contact.get(key):
                differ.append(f"contact.{key}")
        return tuple(differ)


@dataclass(frozen=True)
class ApplicationForm:
    """The raw application, shaped like the API body; `check` reports every problem at once."""

    name: str
    legal_name: str
    neq: str
    address: dict[str, str]
    categories: list[str]
    contact: dict[str, str | None]
    # Keyed like the parameters of TaxRegistration.parse and FulfilmentOptions.parse, each
    # value of its own type (see _TAX_KEYS, _FULFILMENT_KEYS).
    tax: dict[str, Any]
    fulfilment: dict[str, Any]
    location: dict[str, float] | None = None
    description_fr: str | None = None
    description_en: str | None = None
    website: str | None = None

    @classmethod
    def from_raw(cls, raw: Any) -> ApplicationForm:
        """Whatever a request carried, as a form the rules can check: a value of the wrong
        type or shape counts as absent (the request schema reports its type; the rules then
        report everything else at once)."""
        body = raw if isinstance(raw, Mapping) else {}

        def part(name: str, keys: Iterable[str]) -> dict[str, Any]:
            value = body.get(name)
            value = value if isinstance(value, Mapping) else {}
            return {key: value.get(key) for key in keys if value.get(key) is not None}

        def text(value: Any) -> str | None:
            return value if isinstance(value, str) else None

        address = {"street": None, "municipality": None, "postal_code": None, "region": None,
                   **{k: text(v) for k, v in part("address", _ADDRESS_KEYS).items()}}
        contact = {"name": None, "email": None, "phone": None,
                   **{k: text(v) for k, v in part("contact", ("name", "email", "phone")).items()}}
        location = part("location", ("lat", "lon"))
        categories = body.get("categories")
        return cls(
            name=text(body.get("name")) or "", legal_name=text(body.get("legal_name")) or "",
            neq=text(body.get("neq")) or "", address=address,  # type: ignore[arg-type]
            categories=[c for c in categories if isinstance(c, str)]
            if isinstance(categories, list) else [],
            contact=contact, tax=_typed(part("tax", _TAX_KEYS), _TAX_KEYS),
            fulfilment=_typed(part("fulfilment", _FULFILMENT_KEYS), _FULFILMENT_KEYS),
            location=location if all(_is_number(location.get(k)) for k in ("lat", "lon"))
            and len(location) == 2 else None,
            description_fr=text(body.get("description_fr")),
            description_en=text(body.get("description_en")),
            website=text(body.get("website")),
        )

    def check(self, contact_subject_id: UUID) -> MerchantProfile:
        errors = FieldErrors()
        name = errors.parse("name", clean_text, self.name, required=True, maximum=200)
        legal_name = errors.parse("legal_name", clean_text, self.legal_name, required=True,
                                  maximum=200)
        neq = errors.parse("neq", NEQ.parse, self.neq)
        address = errors.parse("address", lambda: Address.parse(**self.address))
        if address:
            errors.merge("address", address.quebec_errors())
        # Without an address there is no municipality to place it at: the address's own
        # errors say what is wrong, "location required" would only add noise.
        location = (errors.parse("location", self._location, address)
                    if address is not None or self.location is not None else None)
        categories = errors.parse("categories", parse_categories, self.categories)
        contact = errors.parse("contact", lambda: parse_contact(contact_subject_id, **self.contact))
        tax = errors.parse("tax", lambda: TaxRegistration.parse(**self.tax))
        fulfilment = errors.parse("fulfilment", lambda: FulfilmentOptions.parse(**self.fulfilment))
        description_fr = errors.parse("description_fr", clean_text, self.description_fr,
                                      required=False, maximum=MAX_TEXT)
        description_en = errors.parse("description_en", clean_text, self.description_en,
                                      required=False, maximum=MAX_TEXT)
        website = errors.parse("website", _website, self.website)
        errors.raise_if_any()
        return MerchantProfile(
            name, legal_name, neq, address, location, categories, contact,  # type: ignore[arg-type]
            tax, fulfilment, description_fr, description_en, website,  # type: ignore[arg-type]
        )

    def _location(self, address: Address | None) -> GeoPoint:
        if self.location is not None:
            point = GeoPoint(self.location["lat"], self.location["lon"])
        elif address and (found := locate_address(address.municipality, address.region,
                                                   address.postal_code)):
            point = found  # the municipality's centre, else where its postal code is
        else:
            raise InvalidValueError("location_required")
        if not point.is_in_quebec():
            raise InvalidValueError("location_not_quebec")
        return point


_ADDRESS_KEYS = ("street", "municipality", "postal_code", "region", "province")
# key -> (the type it must have, its value when absent or of another type)
_TAX_KEYS: dict[str, tuple[type | tuple[type, ...], Any]] = {
    "small_supplier": (bool, False), "gst_number": (str, None), "qst_number": (str, None)}
_FULFILMENT_KEYS: dict[str, tuple[type | tuple[type, ...], Any]] = {
    "pickup": (bool, True), "delivery_radius_km": ((int, float), None),
    "delivery_fee_cents": (int, None), "shipping_fee_cents": (int, None)}


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _typed(values: dict[str, Any], keys: dict[str, tuple[Any, Any]]) -> dict[str, Any]:
    def fits(value: Any, kind: Any) -> bool:
        return isinstance(value, kind) and (kind is bool or not isinstance(value, bool))

    return {key: values[key] if fits(values.get(key), kind) else default
            for key, (kind, default) in keys.items()}


def _website(url: str | None) -> str | None:
    if not url:
        return None
    url = plain_text(url).strip()
    if len(url) > 300 or not re.fullmatch(r"https?://[^\s/$.?#][^\s]*", url, re.IGNORECASE):
        raise InvalidValueError("website_invalid")
    return url
