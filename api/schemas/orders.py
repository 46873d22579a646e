"""Request and response bodies of consumers, carts and orders."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field, StrictInt

from api.schemas.common import Input, MoneyOut, ShortText
from api.schemas.merchants import AddressIn, FulfilmentOut
from application.carts import CartView
from application.consumers import ConsumerView
from application.orders import OrderView, PartView
from domain.order_terms import Fulfilment
from domain.personal import PersonalData


class ConsumerIn(Input):
    """Personal data: stored encrypted with the person's own key, shown to them only."""

    name: ShortText
    email: str = Field(max_length=254)
    phone: str | None = Field(None, max_length=30)
    address: AddressIn | None = Field(None, description="For delivery and shipping")


class PersonOut(BaseModel):
    name: str | None
    email: str | None = None
    phone: str | None = None
    street: str | None = None
    municipality: str | None = None
    postal_code: str | None = None
    region: str | None = None
    forgotten: bool = Field(description="True once the person was erased (Law 25)")

    @classmethod
    def of(cls, data: PersonalData) -> PersonOut:
        return cls(forgotten=data.forgotten, **{
            k: data.get(k) for k in ("name", "email", "phone", "street", "municipality",
                                     "postal_code", "region")})


class ConsumerOut(BaseModel):
    id: UUID
    profile: PersonOut
    postal_area: str | None = Field(description="First three characters of the postal code")

    @classmethod
    def of(cls, v: ConsumerView) -> ConsumerOut:
        return cls(id=v.id, profile=PersonOut.of(v.profile), postal_area=v.postal_area)


class CartIn(Input):
    storefront: str | None = Field(None, max_length=80, description="Where the cart began")


class CartLineIn(Input):
    quantity: StrictInt = Field(ge=1, le=999)
    variant_id: UUID | None = Field(
        None, description="Required for a listing sold by variant: the variant bought (each "
                          "variant of a listing is its own line)")


class CartLineOut(BaseModel):
    listing_id: UUID
    variant_id: UUID | None = Field(description="The variant, for a listing sold by variant")
    title: str = Field(description="With a variant: the listing's title — the variant's label")
    unit_price: MoneyOut
    quantity: int
    amount: MoneyOut
    available: int
    problems: list[str] = Field(
        description="listing_unavailable, merchant_unavailable, insufficient_stock")


class CartMerchantOut(BaseModel):
    merchant_id: UUID
    name: str
    subtotal: MoneyOut
    fulfilment: FulfilmentOut
    lines: list[CartLineOut]


class CartOut(BaseModel):
    id: UUID
    consumer_id: UUID
    status: Literal["open", "checked_out"]
    order_id: UUID | None
    storefront: str | None
    merchants: list[CartMerchantOut]
    subtotal: MoneyOut = Field(description="Goods, at today's prices, before taxes and fees")
    ready: bool = Field(description="Every line can be bought as it stands")

    @classmethod
    def of(cls, v: CartView) -> CartOut:
        return cls(
            id=v.id, consumer_id=v.consumer_id, order_id=v.order_id, storefront=v.storefront,
            status="checked_out" if v.order_id else "open", subtotal=MoneyOut.of(v.subtotal),
            ready=v.ready, merchants=[CartMerchantOut(
                merchant_id=m.merchant_id, name=m.name, subtotal=MoneyOut.of(m.subtotal),
                fulfilment=FulfilmentOut.of(m.fulfilment), lines=[CartLineOut(
                    listing_id=line.listing_id, variant_id=line.variant_id, title=line.title,
                    quantity=line.quantity,
                    unit_price=MoneyOut.of(line.unit_price), amount=MoneyOut.of(line.amount),
                    available=line.available, problems=list(line.problems))
                    for line in m.lines]) for m in v.merchants])


class CheckoutIn(Input):
    fulfilment: dict[UUID, Fulfilment] = Field(
        default_factory=dict, description="Per merchant id; default: pickup when offered")
    payment_method: str | None = Field(
        None, max_length=64, examples=["pm_card_visa", "pm_card_chargeDeclined"],
        description="The local gateway's outcome (see docs/checkout.md); Stripe's later")


class OrderLineOut(BaseModel):
    listing_id: UUID
    variant_id: UUID | None = Field(description="The variant bought, if the listing has them")
    title: str = Field(description="With a variant: the listing's title — the variant's label")
    unit_price: MoneyOut
    quantity: int
    amount: MoneyOut
    tax_class: str


class RefundOut(BaseModel):
    id: UUID
    amount: MoneyOut
    gst: MoneyOut
    qst: MoneyOut
    commission: MoneyOut = Field(description="Commission the platform gives back")
    share: MoneyOut = Field(description="Taken back from the merchant's share")
    reason: str
    status: Literal["pending", "settled"]


class AppliedRuleOut(BaseModel):
    rule_id: str = Field(description='"default", "category:<code>" or "merchant:<id>"')
    version: int = Field(description="The commission schedule's version that set it")
    rate: str = Field(description="Decimal fraction, as text: 0.08 is 8 %")
    minimum: MoneyOut
    base: MoneyOut = Field(description="The part of the goods' subtotal it priced")


class MerchantOrderOut(BaseModel):
    merchant_id: UUID
    merchant_name: str
    status: str
    reason: str | None
    declined_automatically: bool = Field(
        description="Declined by the platform: not accepted before its acceptance deadline")
    accept_by: datetime | None = Field(
        description="While placed: declined and refunded if not accepted by then")
    fulfilment: str
    lines: list[OrderLineOut]
    subtotal: MoneyOut
    fee: MoneyOut
    taxable: MoneyOut
    gst: MoneyOut
    qst: MoneyOut
    taxes_remitted_by: Literal["merchant", "platform"]
    commission: MoneyOut
    commission_rules: list[AppliedRuleOut] = Field(
        description="The rules the commission was computed under, as the order recorded "
                    "them (empty for orders placed before rules existed)")
    total: MoneyOut
    merchant_share: MoneyOut
    refunded: MoneyOut
    refundable: MoneyOut
    refunds: list[RefundOut]

    @classmethod
    def of(cls, p: PartView) -> MerchantOrderOut:
        t, b = p.terms, p.terms.breakdown
        m = MoneyOut.of
        return cls(
            merchant_id=t.merchant_id, merchant_name=t.merchant_name, status=p.status,
            reason=p.reason, declined_automatically=p.declined_automatically,
            accept_by=p.accept_by, fulfilment=str(t.fulfilment),
            lines=[OrderLineOut(listing_id=line.listing_id, variant_id=line.variant_id,
                                title=line.title,
                                unit_price=m(line.unit_price), quantity=line.quantity,
                                amount=m(line.amount), tax_class=str(line.tax_class))
                   for line in t.lines],
            subtotal=m(b.subtotal), fee=m(b.fee), taxable=m(b.taxable), gst=m(b.gst),
            qst=m(b.qst), taxes_remitted_by="platform" if b.platform_remits else "merchant",
            commission=m(b.commission), total=m(b.total), merchant_share=m(b.share),
            commission_rules=[AppliedRuleOut(rule_id=r.rule_id, version=r.version,
                                             rate=format(r.rate, "f"), minimum=m(r.minimum),
                                             base=m(r.base))
                              for r in (t.commission.rules if t.commission else ())],
            refunded=m(p.refunded), refundable=m(p.refundable),
            refunds=[RefundOut(id=r.refund_id, amount=m(r.breakdown.amount),
                               gst=m(r.breakdown.gst), qst=m(r.breakdown.qst),
                               commission=m(r.breakdown.commission), share=m(r.breakdown.share),
                               reason=r.reason,
                               status="settled" if r.gateway_refund_id else "pending")
                     for r in p.refunds])


class PaymentOut(BaseModel):
    status: str = Field(description="pending, authorized, captured or failed")
    note: str | None = Field(description="Why it is still pending (e.g. gateway_timeout)")
    client_secret: str | None = Field(None, description="Only in the checkout answer")


class DisputeOut(BaseModel):
    id: str
    amount: MoneyOut
    reason: str


class OrderOut(BaseModel):
    id: UUID
    consumer_id: UUID
    status: str = Field(description="awaiting_payment, confirmed, completed, failed, expired")
    status_reason: str | None
    payment: PaymentOut
    expires_at: datetime = Field(description="Unpaid by then, the stock is released")
    created_at: datetime
    total: MoneyOut | None = Field(description="The whole order (not shown to a merchant)")
    delivery_address: PersonOut | None
    merchant_orders: list[MerchantOrderOut]
    disputes: list[DisputeOut] = Field(
        default_factory=list, description="Charges disputed by the consumer's bank")

    @classmethod
    def of(cls, v: OrderView) -> OrderOut:
        return cls(
            id=v.id, consumer_id=v.consumer_id, status=v.status, status_reason=v.status_reason,
            payment=PaymentOut(status=v.payment_status, note=v.payment_note,
                               client_secret=v.client_secret),
            expires_at=v.expires_at, created_at=v.created_on,
            total=MoneyOut.of(v.total) if v.total is not None else None,
            delivery_address=PersonOut.of(v.delivery_address) if v.delivery_address else None,
            merchant_orders=[MerchantOrderOut.of(p) for p in v.parts],
            disputes=[DisputeOut(id=d, amount=MoneyOut.of(a), reason=r) for d, a, r in v.disputes])


MERCHANT_TEXT = ("Shown to the shopper and kept with the order as long as its books (6 "
                 "years): say why, never name a person (no customer names, e-mails or phone "
                 "numbers).")


class DeclineIn(Input):
    reason: str = Field(min_length=1, max_length=500, description=MERCHANT_TEXT,
                        examples=["Rupture de stock chez notre fournisseur"])


class RefundIn(Input):
    amount_cents: StrictInt = Field(gt=0, description="Returned to the consumer, in cents")
    reason: str = Field(min_length=1, max_length=500, description=MERCHANT_TEXT,
                        examples=["Pot arrivé fêlé"])
