"""What a merchant may change after applying: its public profile at once, its legal identity
only through a validator (docs/merchants.md).

A profile change is checked as a whole (every problem reported at once) and recorded with
the complete new values of the fields it may touch, so a reader of one event needs no other.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from domain.address import Address
from domain.errors import FieldErrors, InvalidValueError
from domain.geo import GeoPoint
from domain.images import parse_image_id
from domain.neq import NEQ
from domain.personal import PersonalData, parse_contact
from domain.places import locate_address
from domain.text import clean_text, plain_text

DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MAX_PERIODS = 4  # a day's opening periods (morning, afternoon, evening...)
MAX_TEXT = 2000
MAX_WEBSITE = 300
_TIME = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$")
_WEBSITE = re.compile(r"^https?://[^\s/$.?#@][^\s@]*$", re.IGNORECASE)
# The fields a profile change may touch, as the API names them.
PROFILE_FIELDS = ("description_fr", "description_en", "website", "hours", "address", "contact",
                  "logo")


@dataclass(frozen=True)
class OpeningHours:
    """Weekly opening hours: periods such as "monday 09:00-17:00", in day order. A period
    ends the day it starts (at "24:00" at the latest). No periods at all: closed, or not
    said; the merchant's page then shows none."""

    periods: tuple[str, ...]

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> OpeningHours:
        errors = FieldErrors()
        periods: list[str] = []
        for day in raw:
            if day not in DAYS:
                errors.add(str(day)[:20], "day_unknown", allowed=", ".join(DAYS))
        for day in DAYS:
            found = errors.parse(day, _day_periods, raw.get(day) or [])
            periods += [f"{day} {opens}-{closes}" for opens, closes in found or []]
        errors.raise_if_any()
        return cls(tuple(periods))

    def by_day(self) -> dict[str, list[tuple[str, str]]]:
        days: dict[str, list[tuple[str, str]]] = {day: [] for day in DAYS}
        for period in self.periods:
            day, span = period.split(" ")
            opens, closes = span.split("-")
            days[day].append((opens, closes))
        return days


def _day_periods(raw: Any) -> list[tuple[str, str]]:
    if not isinstance(raw, list | tuple) or len(raw) > MAX_PERIODS:
        raise InvalidValueError("hours_invalid", max_periods=MAX_PERIODS)
    spans: list[tuple[str, str]] = []
    for item in raw:
        opens = item.get("opens") if isinstance(item, Mapping) else None
        closes = item.get("closes") if isinstance(item, Mapping) else None
        if not (isinstance(opens, str) and isinstance(closes, str)
                and _TIME.match(opens) and _TIME.match(closes) and opens < closes):
            raise InvalidValueError("hours_period_invalid")
        spans.append((opens, closes))
    spans.sort()
    if any(later[0] < earlier[1] for earlier, later in zip(spans, spans[1:], strict=False)):
        raise InvalidValueError("hours_overlap")
    return spans


def parse_website(url: str | None) -> str | None:
    """An http(s) address, or none: a `javascript:` or `data:` URL would run in the page of
    whoever clicks it, and user:password@ hides where a link really goes."""
    if not url:
        return None
    url = plain_text(url).strip()
    if len(url) > MAX_WEBSITE or not _WEBSITE.match(url):
        raise InvalidValueError("website_invalid")
    return url


@dataclass(frozen=True)
class PublicProfile:
    """The fields a merchant changes by itself, all of them, as they stand."""

    description_fr: str | None
    description_en: str | None
    website: str | None
    hours: OpeningHours | None
    address: Address
    location: GeoPoint
    contact: PersonalData
    logo: str | None

    def changed(self, given: Mapping[str, Any]) -> PublicProfile:
        """This profile with the fields `given` (raw, as the API has them; absent: unchanged,
        None: removed) checked and replaced. An address is re-placed on the map from its
        municipality or postal code unless a location comes with it."""
        errors = FieldErrors()
        values: dict[str, Any] = {}
        for name in ("description_fr", "description_en"):
            if name in given:
                values[name] = errors.parse(name, clean_text, given[name], required=False,
                                            maximum=MAX_TEXT)
        if "website" in given:
            values["website"] = errors.parse("website", parse_website, given["website"])
        if "hours" in given:
            values["hours"] = (None if given["hours"] is None
                               else errors.parse("hours", OpeningHours.parse, given["hours"]))
        if "logo" in given:
            values["logo"] = (None if given["logo"] is None
                              else errors.parse("logo", parse_image_id, given["logo"]))
        if "location" in given and "address" not in given:
            errors.add("location", "location_without_address")
        for required in ("contact", "address"):
            if required in given and not isinstance(given[required], Mapping):
                errors.add(required, "value_required")  # neither may be removed
        if isinstance(given.get("contact"), Mapping):
            values["contact"] = errors.parse("contact", lambda: parse_contact(
                self.contact.subject_id, **_contact_keys(given["contact"])))
        if isinstance(given.get("address"), Mapping):
            address = errors.parse("address", lambda: Address.parse(**_address_keys(
                given["address"])))
            if address is not None:
                errors.merge("address", address.quebec_errors())
                values["address"] = address
                values["location"] = errors.parse("location", _placed, address,
                                                  given.get("location"))
        errors.raise_if_any()
        return PublicProfile(**{**self.__dict__, **values})

    def differences(self, other: PublicProfile) -> tuple[str, ...]:
        """The API's names of the fields that differ (an address's location goes with it)."""
        moved = self.location != other.location
        return tuple(name for name in PROFILE_FIELDS
                     if getattr(self, name) != getattr(other, name)
                     or (name == "address" and moved))


def _contact_keys(raw: Mapping[str, Any]) -> dict[str, Any]:
    return {key: raw.get(key) if isinstance(raw.get(key), str) else None
            for key in ("name", "email", "phone")}


def _address_keys(raw: Mapping[str, Any]) -> dict[str, str]:
    keys = ("street", "municipality", "postal_code", "region", "province")
    found = {key: raw[key] for key in keys if isinstance(raw.get(key), str)}
    return {"street": "", "municipality": "", "postal_code": "", "region": "", **found}


def _placed(address: Address, given: Mapping[str, float] | None) -> GeoPoint:
    if given is not None:
        point = GeoPoint(given["lat"], given["lon"])
    else:
        found = locate_address(address.municipality, address.region, address.postal_code)
        if found is None:
            raise InvalidValueError("location_required")
        point = found
    if not point.is_in_quebec():
        raise InvalidValueError("location_not_quebec")
    return point


@dataclass(frozen=True)
class IdentityChange:
    """A change of legal identity a merchant asked for, waiting for a validator."""

    legal_name: str
    neq: NEQ
    requested_by: str

    @classmethod
    def parse(cls, legal_name: str | None, neq: str | None, by: str,
              current_legal_name: str, current_neq: NEQ) -> IdentityChange:
        errors = FieldErrors()
        name = (errors.parse("legal_name", clean_text, legal_name, required=True, maximum=200)
                if legal_name is not None else current_legal_name)
        number = errors.parse("neq", NEQ.parse, neq) if neq is not None else current_neq
        errors.raise_if_any()
        assert name is not None and number is not None
        if (name, number) == (current_legal_name, current_neq):
            raise InvalidValueError("identity_unchanged")
        return cls(name, number, by)
