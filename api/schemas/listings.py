"""Request and response bodies of the listing resource."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, Field, StrictInt

from api.schemas.common import CategoryCode, Input, LongText, MoneyOut, ShortText
from application.catalog import ListingView
from domain.listing import MAX_STOCK, StockReason
from domain.taxonomy import OriginLabel, TaxClass


class ListingIn(Input):
    title_fr: ShortText
    title_en: ShortText | None = None
    description_fr: LongText
    description_en: LongText | None = None
    category: CategoryCode
    price_cents: StrictInt = Field(gt=0, description="Price before taxes, in cents")
    tax_class: TaxClass
    origin: OriginLabel = OriginLabel.NONE
    sku: str | None = Field(None, max_length=64, description="The merchant's own reference")


class ListingPatch(Input):
    """Only the fields given change; `null` clears an optional one."""

    title_fr: ShortText | None = None
    title_en: ShortText | None = None
    description_fr: LongText | None = None
    description_en: LongText | None = None
    category: CategoryCode | None = None
    price_cents: StrictInt | None = Field(None, gt=0)
    tax_class: TaxClass | None = None
    origin: OriginLabel | None = None
    sku: str | None = Field(None, max_length=64)


class StockIn(Input):
    on_hand: StrictInt = Field(ge=0, le=MAX_STOCK, description="Units physically available")


class StockAdjustmentIn(Input):
    delta: StrictInt = Field(
        ge=-MAX_STOCK, le=MAX_STOCK, description="Units added (+) or removed (−)")
    reason: StockReason


class StockOut(BaseModel):
    available: int = Field(description="On hand minus reserved: what can be bought now")
    on_hand: int | None = Field(description="Owner and staff only")
    reserved: int | None = Field(description="Owner and staff only")


class ListingOut(BaseModel):
    id: UUID
    merchant_id: UUID
    status: str
    title_fr: str
    title_en: str | None
    description_fr: str
    description_en: str | None
    category: str
    price: MoneyOut
    tax_class: str
    origin: str
    sku: str | None
    stock: StockOut
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, v: ListingView) -> ListingOut:
        d = v.details
        return cls(
            id=v.id, merchant_id=v.merchant_id, status=v.status, title_fr=d.title_fr,
            title_en=d.title_en, description_fr=d.description_fr, description_en=d.description_en,
            category=d.category, price=MoneyOut.of(d.price), tax_class=str(d.tax_class),
            origin=str(d.origin), sku=d.sku,
            stock=StockOut(available=v.available, on_hand=v.on_hand, reserved=v.reserved),
            created_at=v.created_on, updated_at=v.modified_on,
        )
