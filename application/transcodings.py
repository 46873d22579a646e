"""How domain value objects are written into stored events and snapshots.

Stored events are a long-lived format: each value object has a stable transcoding name, and
decoding restores the object without re-running today's validation, so that tightening a
rule never makes yesterday's events unreadable.
"""

from __future__ import annotations

import dataclasses
import enum
import typing
from typing import Any

from eventsourcing.persistence import JSONTranscoder, Transcoding

from domain.address import Address, PostalCode
from domain.commission import AppliedRule, CommissionTerms
from domain.geo import GeoPoint
from domain.listing import ListingDetails, Variant
from domain.merchant_changes import IdentityChange, OpeningHours
from domain.merchant_profile import FulfilmentOptions, TaxRegistration
from domain.money import Money
from domain.neq import NEQ
from domain.order_terms import MerchantOrderTerms, OrderLine, Refund
from domain.pricing import Breakdown, RefundBreakdown
from domain.storefront import StorefrontScope


class ValueObjectAsDict(Transcoding):
    """A frozen dataclass as a dict of its fields (nested values go through the transcoder)."""

    def __init__(self, cls: type, name: str) -> None:
        self.type = cls
        self.name = name
        hints = typing.get_type_hints(cls)
        self._fields = [f.name for f in dataclasses.fields(cls)]
        self._enums = {
            name: hint for name, hint in hints.items()
            if isinstance(hint, type) and issubclass(hint, enum.Enum)
        }

    def encode(self, obj: Any) -> dict[str, Any]:
        return {name: getattr(obj, name) for name in self._fields}

    def decode(self, data: dict[str, Any]) -> Any:
        obj: Any = object.__new__(self.type)
        for name in self._fields:
            value = data.get(name)
            if name in self._enums and value is not None:
                value = self._enums[name](value)
            elif isinstance(value, list):
                value = tuple(value)
            object.__setattr__(obj, name, value)
        return obj


VALUE_OBJECTS: dict[str, type] = {
    "money": Money,
    "postal_code": PostalCode,
    "address": Address,
    "geo_point": GeoPoint,
    "neq": NEQ,
    "tax_registration": TaxRegistration,
    "fulfilment_options": FulfilmentOptions,
    "opening_hours": OpeningHours,
    "identity_change": IdentityChange,
    "listing_details": ListingDetails,
    "listing_variant": Variant,
    "order_line": OrderLine,
    "merchant_order_terms": MerchantOrderTerms,
    "breakdown": Breakdown,
    "refund_breakdown": RefundBreakdown,
    "refund": Refund,
    "storefront_scope": StorefrontScope,
    "commission_terms": CommissionTerms,
    "applied_rule": AppliedRule,
}


def register_value_objects(transcoder: JSONTranscoder) -> None:
    for name, cls in VALUE_OBJECTS.items():
        transcoder.register(ValueObjectAsDict(cls, name))
