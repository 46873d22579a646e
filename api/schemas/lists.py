"""Query parameters and answers of the paged lists (docs/lists.md).

Every list answers `{"items": [...], "next": "<cursor>" | null, "total": <int>}`: `next` is
given back as `cursor` for the following page, with the same filters; `total` counts every
row matching the filters.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.common import MoneyOut, PlainText
from api.schemas.listings import StockOut
from application.list_rows import (
    ApplicationRow,
    ConsumerOrderRow,
    ListingRow,
    MerchantOrderRow,
    OrderFilters,
)
from application.paging import DEFAULT_LIMIT, MAX_CURSOR, MAX_LIMIT, PageRequest
from domain.listing import ListingStatus
from domain.merchant import MerchantStatus
from domain.order_terms import MerchantOrderStatus, OrderStatus, PaymentStatus

Order = Literal["newest", "oldest"]
NEXT = "The cursor of the next page (give it back as `cursor`, with the same filters); null " \
       "on the last page"


class PageParams(PlainText):
    model_config = ConfigDict(extra="forbid")

    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Rows per page")
    cursor: str | None = Field(None, max_length=MAX_CURSOR,
                               description="`next` of the previous page")
    order: Order = Field("newest", description="By date: newest or oldest first")

    def page(self) -> PageRequest:
        return PageRequest(self.limit, self.cursor, self.order == "newest")


class ApplicationsParams(PageParams):
    status: list[MerchantStatus] = Field([], description="Any of these (repeat the parameter)")
    region: str | None = Field(None, pattern=r"^\d{1,2}$", description="Québec region 01–17")
    order: Order = Field("oldest", description="By application date: oldest first (a queue)")


class OrdersParams(PageParams):
    payment_status: list[PaymentStatus] = Field([], description="Any of these")
    placed_after: datetime | None = Field(None, description="Inclusive; a date or a time "
                                          "without zone is Québec's")
    placed_before: datetime | None = Field(None, description="Exclusive")

    def filters(self, statuses: list[Any]) -> OrderFilters:
        return OrderFilters(tuple(str(s) for s in statuses),
                            tuple(str(s) for s in self.payment_status),
                            self.placed_after, self.placed_before)


class MerchantOrdersParams(OrdersParams):
    status: list[MerchantOrderStatus] = Field([], description="The merchant order's (repeat "
                                              "the parameter for several)")


class ConsumerOrdersParams(OrdersParams):
    status: list[OrderStatus] = Field([], description="The order's (repeat for several)")


class ListingsParams(PageParams):
    status: list[ListingStatus] = Field([], description="Any of these (repeat the parameter)")


class EligibilityOut(BaseModel):
    rule: str = Field(description="quebec_address, location, neq, categories, taxes, fulfilment")
    outcome: Literal["met", "to_confirm", "not_met"] = Field(
        description="to_confirm: the form is right, the validator confirms the rest (the NEQ's "
                    "registration at the Registraire des entreprises)")
    code: str = Field(description="What the rule found (an error code when not met)")
    params: dict[str, Any]


class ApplicationItem(BaseModel):
    id: UUID
    name: str
    status: str
    applied_at: datetime
    status_at: datetime = Field(description="When the status last changed")
    region: str
    municipality: str
    categories: list[str]
    eligibility: list[EligibilityOut]

    @classmethod
    def of(cls, r: ApplicationRow) -> ApplicationItem:
        return cls(id=r.merchant_id, name=r.name, status=r.status, applied_at=r.applied_at,
                   status_at=r.status_at, region=r.region, municipality=r.municipality,
                   categories=list(r.categories), eligibility=[
                       EligibilityOut(rule=f.rule, outcome=f.outcome.value,
                                      code=f.code, params=f.params) for f in r.eligibility])


class ApplicationsOut(BaseModel):
    items: list[ApplicationItem]
    next: str | None = Field(description=NEXT)
    total: int


class MerchantOrderItem(BaseModel):
    order_id: UUID
    merchant_id: UUID
    merchant_name: str
    placed_at: datetime
    status: str = Field(description="placed, accepted, fulfilled, declined, cancelled")
    payment_status: str = Field(description="The order's payment: pending, authorized, "
                                "captured, failed")
    fulfilment: str
    units: int
    total: MoneyOut = Field(description="What the shopper pays for this part")
    merchant_share: MoneyOut
    refunded: MoneyOut
    updated_at: datetime

    @classmethod
    def of(cls, r: MerchantOrderRow) -> MerchantOrderItem:
        return cls(order_id=r.order_id, merchant_id=r.merchant_id, merchant_name=r.merchant_name,
                   placed_at=r.placed_at, status=r.status, payment_status=r.payment_status,
                   fulfilment=r.fulfilment, units=r.units, total=_cad(r.total_cents),
                   merchant_share=_cad(r.share_cents), refunded=_cad(r.refunded_cents),
                   updated_at=r.updated_at)


class MerchantOrdersOut(BaseModel):
    items: list[MerchantOrderItem]
    next: str | None = Field(description=NEXT)
    total: int


class ConsumerPartOut(BaseModel):
    merchant_id: UUID
    merchant_name: str
    status: str
    fulfilment: str
    units: int
    total: MoneyOut
    refunded: MoneyOut


class ConsumerOrderItem(BaseModel):
    id: UUID
    placed_at: datetime
    status: str = Field(description="awaiting_payment, confirmed, completed, failed, expired")
    payment_status: str
    total: MoneyOut
    refunded: MoneyOut
    storefront: str | None
    merchant_orders: list[ConsumerPartOut]

    @classmethod
    def of(cls, r: ConsumerOrderRow) -> ConsumerOrderItem:
        return cls(id=r.order_id, placed_at=r.placed_at, status=r.status,
                   payment_status=r.payment_status, total=_cad(r.total_cents),
                   refunded=_cad(r.refunded_cents), storefront=r.storefront, merchant_orders=[
                       ConsumerPartOut(merchant_id=p.merchant_id, merchant_name=p.merchant_name,
                                       status=p.status, fulfilment=p.fulfilment, units=p.units,
                                       total=_cad(p.total_cents),
                                       refunded=_cad(p.refunded_cents)) for p in r.parts])


class ConsumerOrdersOut(BaseModel):
    items: list[ConsumerOrderItem]
    next: str | None = Field(description=NEXT)
    total: int


class ListingItem(BaseModel):
    id: UUID
    merchant_id: UUID
    status: str
    title_fr: str
    title_en: str | None
    category: str
    price: MoneyOut
    stock: StockOut
    created_at: datetime

    @classmethod
    def of(cls, r: ListingRow) -> ListingItem:
        return cls(id=r.listing_id, merchant_id=r.merchant_id, status=r.status,
                   title_fr=r.title_fr, title_en=r.title_en, category=r.category,
                   price=_cad(r.price_cents), created_at=r.created_at,
                   stock=StockOut(available=r.on_hand - r.reserved, on_hand=r.on_hand,
                                  reserved=r.reserved))


class ListingsOut(BaseModel):
    items: list[ListingItem]
    next: str | None = Field(description=NEXT)
    total: int


def _cad(cents: int) -> MoneyOut:
    return MoneyOut(cents=cents, currency="CAD")
