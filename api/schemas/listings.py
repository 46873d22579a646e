"""Request and response bodies of the listing resource."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import AfterValidator, BaseModel, Field, StrictInt
from pydantic_core import PydanticCustomError

from api.schemas.common import CategoryCode, Input, LongText, MoneyOut, ShortText
from api.schemas.merchants import ImageOut
from application.catalog import ListingView, VariantView
from domain.errors import InvalidValueError
from domain.listing import MAX_STOCK, StockReason
from domain.taxonomy import OriginLabel, TaxClass
from domain.variants import MAX_LABEL, MAX_SKU, parse_sku


def _sku(value: Any) -> str:
    try:
        return parse_sku(value)
    except InvalidValueError as error:
        raise PydanticCustomError(error.code, "invalid SKU", error.params) from None


Sku = Annotated[str, Field(max_length=MAX_SKU * 4, description=(
    f"The merchant's own reference (1 to {MAX_SKU} printable characters, no control "
    "character), unique among its SKUs; another merchant may use the same")),
    AfterValidator(_sku)]


class ListingIn(Input):
    title_fr: ShortText
    title_en: ShortText | None = None
    description_fr: LongText
    description_en: LongText | None = None
    category: CategoryCode
    price_cents: StrictInt = Field(gt=0, description="Price before taxes, in cents")
    tax_class: TaxClass
    origin: OriginLabel = OriginLabel.NONE
    sku: str | None = Field(None, max_length=64, description=(
        "The merchant's own reference, unique among its SKUs (listings and variants); "
        "another merchant may use the same"))


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
    variant_id: UUID | None = Field(
        None, description="Required for a listing sold by variant: the variant adjusted")


class VariantIn(Input):
    sku: Sku
    label: str = Field(min_length=1, max_length=MAX_LABEL, examples=["500 g"],
                       description="What tells it from its siblings, shown after the title")
    price_cents: StrictInt = Field(gt=0, description="Price before taxes, in cents")


class VariantPatch(Input):
    """Only the fields given change."""

    sku: Sku | None = None
    label: str | None = Field(None, min_length=1, max_length=MAX_LABEL)
    price_cents: StrictInt | None = Field(None, gt=0)


class VariantOut(BaseModel):
    id: UUID
    sku: str | None = Field(description="Owner and staff only")
    label: str
    price: MoneyOut
    stock: StockOut

    @classmethod
    def of(cls, v: VariantView) -> VariantOut:
        return cls(id=v.id, sku=v.sku, label=v.label, price=MoneyOut.of(v.price),
                   stock=StockOut(available=v.available, on_hand=v.on_hand, reserved=v.reserved))


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
    stock: StockOut = Field(description="With variants: the sums of theirs")
    variants: list[VariantOut] = Field(description=(
        "Empty: sold as itself. Otherwise sold by variant only; `price` is then the lowest "
        "variant price"))
    photos: list[ImageOut] = Field(description="In the merchant's order (PUT …/photos)")
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
            variants=[VariantOut.of(variant) for variant in v.variants],
            photos=[ImageOut.of(image_id) for image_id in v.photos],
            created_at=v.created_on, updated_at=v.modified_on,
        )
