"""What an order is made of, as decided at checkout: lines, fulfilment, figures per merchant."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID

from domain.commission import CommissionTerms
from domain.money import Money
from domain.pricing import Breakdown, RefundBreakdown
from domain.taxonomy import TaxClass


class Fulfilment(StrEnum):
    PICKUP = "pickup"
    DELIVERY = "delivery"
    SHIPPING = "shipping"


@dataclass(frozen=True)
class OrderLine:
    """A line of a merchant order, its price frozen at checkout: the one line type, which
    `domain.pricing.price` prices (it is pricing's `Priceable`). Stored in events
    (`order_line`)."""

    listing_id: UUID
    title: str
    unit_price: Money
    quantity: int
    tax_class: TaxClass
    # The variant bought (its label is in the title); None for a listing sold as itself and
    # in every line stored before variants existed.
    variant_id: UUID | None = None

    @property
    def amount(self) -> Money:
        return self.unit_price.times(self.quantity)


@dataclass(frozen=True)
class MerchantOrderTerms:
    """One merchant's part of an order: a supply by that merchant, priced once."""

    merchant_id: UUID
    merchant_name: str
    lines: tuple[OrderLine, ...]
    fulfilment: Fulfilment
    breakdown: Breakdown
    # The commission rules it was priced under (None: placed before rules existed, at the
    # platform's one rate then).
    commission: CommissionTerms | None = None


@dataclass(frozen=True)
class Refund:
    """Money returned to the consumer out of one merchant order, and how it is split."""

    refund_id: UUID
    breakdown: RefundBreakdown
    reason: str
    gateway_refund_id: str | None = None  # set once the gateway has done it


class MerchantOrderStatus(StrEnum):
    PLACED = "placed"
    ACCEPTED = "accepted"
    FULFILLED = "fulfilled"
    DECLINED = "declined"
    CANCELLED = "cancelled"  # the order's payment failed or expired


class PaymentStatus(StrEnum):
    PENDING = "pending"
    AUTHORIZED = "authorized"
    CAPTURED = "captured"
    FAILED = "failed"


class OrderStatus(StrEnum):
    AWAITING_PAYMENT = "awaiting_payment"
    CONFIRMED = "confirmed"  # paid: the merchants prepare their parts
    COMPLETED = "completed"  # every part fulfilled or declined
    FAILED = "failed"  # the payment was refused
    EXPIRED = "expired"  # not paid within the reservation window


def sum_money(amounts: list[Money] | tuple[Money, ...]) -> Money:
    return sum(amounts, Money.zero())


def order_total(parts: tuple[MerchantOrderTerms, ...] | list[MerchantOrderTerms]) -> Money:
    return sum_money([part.breakdown.total for part in parts])
