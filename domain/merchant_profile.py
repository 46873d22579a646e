"""What a merchant declares when it applies, checked against the platform's eligibility rules."""

from __future__ import annotations

import re
from dataclasses import dataclass
from uuid import UUID

from domain.address import Address
from domain.errors import FieldErrors, InvalidValueError
from domain.geo import GeoPoint
from domain.money import Money
from domain.neq import NEQ
from domain.personal import PersonalData, parse_contact
from domain.quebec import find_municipality
from domain.taxonomy import parse_categories
from domain.text import clean_text

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
        gst = errors.parse("gst_number", _registration, gst_number, r"\d{9}RT\d{4}", "gst")
        qst = errors.parse("qst_number", _registration, qst_number, r"\d{10}TQ\d{4}", "qst")
        errors.raise_if_any()
        return cls(gst, qst)


def _registration(text: str | None, pattern: str, kind: str) -> str:
    number = re.sub(r"[\s-]+", "", text or "").upper()
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


@dataclass(frozen=True)
class ApplicationForm:
    """The raw application, shaped like the API body; `check` reports every problem at once."""

    name: str
    legal_name: str
    neq: str
    address: dict[str, str]
    categories: list[str]
    contact: dict[str, str | None]
    tax: dict[str, str | bool | None]
    fulfilment: dict[str, bool | float | int | None]
    location: dict[str, float] | None = None
    description_fr: str | None = None
    description_en: str | None = None
    website: str | None = None

    def check(self, contact_subject_id: UUID) -> MerchantProfile:
        errors = FieldErrors()
        name = errors.parse("name", clean_text, self.name, required=True, maximum=200)
        legal_name = errors.parse("legal_name", clean_text, self.legal_name, required=True,
                                  maximum=200)
        neq = errors.parse("neq", NEQ.parse, self.neq)
        address = errors.parse("address", lambda: Address.parse(**self.address))
        if address:
            errors.merge("address", address.quebec_errors())
        location = errors.parse("location", self._location, address)
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
        elif address and (town := find_municipality(address.municipality, address.region)):
            point = GeoPoint(town.lat, town.lon)
        else:
            raise InvalidValueError("location_required")
        if not point.is_in_quebec():
            raise InvalidValueError("location_not_quebec")
        return point


def _website(url: str | None) -> str | None:
    if not url:
        return None
    url = url.strip()
    if len(url) > 300 or not re.fullmatch(r"https?://[^\s/$.?#][^\s]*", url, re.IGNORECASE):
        raise InvalidValueError("website_invalid")
    return url
