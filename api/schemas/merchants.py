"""Request and response bodies of the merchant resource."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID, uuid4

from pydantic import BaseModel, Field, StrictBool, StrictInt

from api.schemas.common import (
    CategoryCode,
    GeoPointIn,
    GeoPointOut,
    Input,
    LongText,
    MoneyOut,
    ShortText,
)
from application.images import IMAGE_SIZES
from application.merchants import MerchantView
from domain.errors import FieldError, ValidationFailedError
from domain.merchant_changes import IdentityChange, OpeningHours
from domain.merchant_profile import ApplicationForm, FulfilmentOptions
from domain.quebec import REGIONS


class AddressIn(Input):
    street: ShortText
    municipality: ShortText
    postal_code: str = Field(max_length=10, examples=["J8X 3X7"])
    region: str = Field(pattern=r"^\d{1,2}$", examples=["07"], description="Québec region 01–17")
    province: str = Field("QC", max_length=2)


class ContactIn(Input):
    """The contact person (personal data: stored encrypted, shown only to owner and staff)."""

    name: ShortText
    email: str = Field(max_length=254)
    phone: str | None = Field(None, max_length=30)


class TaxIn(Input):
    small_supplier: StrictBool = Field(
        False, description="Not registered (≤ $30,000 a year): the platform remits the taxes")
    gst_number: str | None = Field(None, max_length=20, examples=["123456789RT0001"])
    qst_number: str | None = Field(None, max_length=20, examples=["1234567890TQ0001"])


class FulfilmentIn(Input):
    pickup: StrictBool = True
    delivery_radius_km: float | None = Field(None, allow_inf_nan=False)
    delivery_fee_cents: StrictInt | None = None
    shipping_fee_cents: StrictInt | None = None


class MerchantApplicationIn(Input):
    name: ShortText = Field(description="Trade name shown to consumers")
    legal_name: ShortText
    neq: str = Field(max_length=20, description="Québec enterprise number (10 digits)")
    address: AddressIn
    location: GeoPointIn | None = Field(
        None, description="Defaults to the municipality's centre, else to where the postal "
                          "code is (docs/places.md)")
    categories: Annotated[list[CategoryCode], Field(max_length=20, description="1 to 5 codes")]
    contact: ContactIn
    tax: TaxIn
    fulfilment: FulfilmentIn = FulfilmentIn()
    description_fr: LongText | None = None
    description_en: LongText | None = None
    website: str | None = Field(None, max_length=300)

    def to_form(self) -> ApplicationForm:
        data = self.model_dump()
        return ApplicationForm(**data)


def application_rule_errors(body: Any) -> list[FieldError]:
    """What the eligibility rules find in a raw application (any shape)."""
    try:
        ApplicationForm.from_raw(body).check(contact_subject_id=uuid4())
    except ValidationFailedError as error:
        return error.errors
    return []


class AddressOut(BaseModel):
    street: str
    municipality: str
    postal_code: str
    region: str
    region_name: str
    province: str


class ContactOut(BaseModel):
    name: str | None
    email: str | None
    phone: str | None
    forgotten: bool = Field(description="True once the person was erased (Law 25)")


class TaxOut(BaseModel):
    registered: bool
    gst_number: str | None
    qst_number: str | None


class FulfilmentOut(BaseModel):
    pickup: bool
    delivery_radius_km: float | None
    delivery_fee: MoneyOut | None
    shipping_fee: MoneyOut | None

    @classmethod
    def of(cls, f: FulfilmentOptions) -> FulfilmentOut:
        return cls(pickup=f.pickup, delivery_radius_km=f.delivery_radius_km,
                   delivery_fee=MoneyOut.of(f.delivery_fee) if f.delivery_fee else None,
                   shipping_fee=MoneyOut.of(f.shipping_fee) if f.shipping_fee else None)


class PeriodOut(BaseModel):
    opens: str
    closes: str


def hours_out(hours: OpeningHours | None) -> dict[str, list[PeriodOut]] | None:
    if hours is None:
        return None
    return {day: [PeriodOut(opens=o, closes=c) for o, c in periods]
            for day, periods in hours.by_day().items()}


IMAGE_PATH = "/images/{id}/{size}.webp"


class ImageOut(BaseModel):
    id: str
    urls: dict[str, str] = Field(description="Size name -> address (WebP, cached for a year)")

    @classmethod
    def of(cls, image_id: str) -> ImageOut:
        return cls(id=image_id, urls={size: IMAGE_PATH.format(id=image_id, size=size)
                                      for size in IMAGE_SIZES})


class PendingIdentityOut(BaseModel):
    legal_name: str
    neq: str

    @classmethod
    def of(cls, change: IdentityChange | None) -> PendingIdentityOut | None:
        return None if change is None else cls(legal_name=change.legal_name,
                                               neq=change.neq.value)


class MerchantOut(BaseModel):
    id: UUID
    slug: str
    status: str
    status_reason: str | None
    name: str
    legal_name: str
    neq: str
    address: AddressOut
    location: GeoPointOut
    categories: list[str]
    tax: TaxOut
    fulfilment: FulfilmentOut
    description_fr: str | None
    description_en: str | None
    website: str | None
    contact: ContactOut | None = Field(description="Only for the owner and platform staff")
    created_at: datetime
    updated_at: datetime
    hours: dict[str, list[PeriodOut]] | None = Field(
        None, description="Opening periods by day (docs/merchants.md); null: not said")
    logo: ImageOut | None = None
    pending_identity: PendingIdentityOut | None = Field(
        None, description="A legal name or NEQ change waiting for a validator (owner and "
                          "staff only)")

    @classmethod
    def of(cls, v: MerchantView) -> MerchantOut:
        a, f = v.address, v.fulfilment
        return cls(
            id=v.id, slug=v.slug, status=v.status, status_reason=v.status_reason, name=v.name,
            legal_name=v.legal_name, neq=v.neq,
            address=AddressOut(
                street=a.street, municipality=a.municipality, postal_code=a.postal_code.value,
                region=a.region, region_name=REGIONS[a.region], province=a.province),
            location=GeoPointOut(lat=v.location.lat, lon=v.location.lon),
            categories=list(v.categories),
            tax=TaxOut(registered=v.tax.is_registered, gst_number=v.tax.gst_number,
                       qst_number=v.tax.qst_number),
            fulfilment=FulfilmentOut.of(f),
            description_fr=v.description_fr, description_en=v.description_en, website=v.website,
            contact=None if v.contact is None else ContactOut(
                name=v.contact.get("name"), email=v.contact.get("email"),
                phone=v.contact.get("phone"), forgotten=v.contact.forgotten),
            created_at=v.created_on, updated_at=v.modified_on, hours=hours_out(v.hours),
            logo=ImageOut.of(v.logo) if v.logo else None,
            pending_identity=PendingIdentityOut.of(v.pending_identity)
            if v.contact is not None else None,
        )
