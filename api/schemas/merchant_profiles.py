"""Request and response bodies of a merchant's profile changes and images."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field

from api.schemas.common import GeoPointIn, Input, ShortText
from api.schemas.lists import NEXT, Order, PageParams
from api.schemas.merchants import AddressIn, ContactIn
from application.list_rows import IdentityChangeRow
from domain.merchant_changes import DAYS, MAX_PERIODS, MAX_TEXT, MAX_WEBSITE

Time = str  # "HH:MM", 00:00 to 24:00


class PeriodIn(Input):
    opens: Time = Field(max_length=5, examples=["09:00"])
    closes: Time = Field(max_length=5, examples=["17:30"])


_Periods = list[PeriodIn]


class HoursIn(Input):
    """Opening periods by day; a day left out or empty is closed."""

    monday: _Periods = Field(default_factory=list, max_length=MAX_PERIODS)
    tuesday: _Periods = Field(default_factory=list, max_length=MAX_PERIODS)
    wednesday: _Periods = Field(default_factory=list, max_length=MAX_PERIODS)
    thursday: _Periods = Field(default_factory=list, max_length=MAX_PERIODS)
    friday: _Periods = Field(default_factory=list, max_length=MAX_PERIODS)
    saturday: _Periods = Field(default_factory=list, max_length=MAX_PERIODS)
    sunday: _Periods = Field(default_factory=list, max_length=MAX_PERIODS)


class ProfileChangeIn(Input):
    """Only the fields sent change; `null` removes an optional one. A new address is placed
    on the map again (its municipality's centre, else its postal code's) unless `location`
    comes with it."""

    description_fr: str | None = Field(None, max_length=MAX_TEXT)
    description_en: str | None = Field(None, max_length=MAX_TEXT)
    website: str | None = Field(None, max_length=MAX_WEBSITE, examples=["https://exemple.ca"])
    hours: HoursIn | None = None
    address: AddressIn | None = None
    location: GeoPointIn | None = Field(None, description="Only with an address")
    contact: ContactIn | None = None
    logo: str | None = Field(None, max_length=64,
                             description="An image id from POST /v1/merchants/{id}/images")

    def changes(self) -> dict[str, Any]:
        """The fields sent, as the domain reads them (absent: unchanged)."""
        return self.model_dump(include=self.model_fields_set)


class IdentityChangeIn(Input):
    """A new legal name, a new NEQ, or both: applied once a validator approves."""

    legal_name: ShortText | None = None
    neq: str | None = Field(None, max_length=20)


class IdentityChangesParams(PageParams):
    status: list[Literal["pending", "approved", "rejected"]] = Field(
        [], description="Any of these (repeat the parameter)")
    order: Order = Field("oldest", description="By request date: oldest first (a queue)")


class IdentityChangeItem(BaseModel):
    merchant_id: UUID
    name: str = Field(description="The trade name")
    legal_name: str = Field(description="Requested")
    neq: str = Field(description="Requested")
    status: str
    requested_at: datetime
    decided_at: datetime | None

    @classmethod
    def of(cls, r: IdentityChangeRow) -> IdentityChangeItem:
        return cls(merchant_id=r.merchant_id, name=r.name, legal_name=r.legal_name, neq=r.neq,
                   status=r.status, requested_at=r.requested_at, decided_at=r.decided_at)


class IdentityChangesOut(BaseModel):
    items: list[IdentityChangeItem]
    next: str | None = Field(description=NEXT)
    total: int


__all__ = ["DAYS", "HoursIn", "IdentityChangeIn", "ProfileChangeIn"]
