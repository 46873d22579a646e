"""What a merchant order costs, who gets what, and who remits the taxes — to the cent.

One merchant order is one supply by one merchant. Rules (docs/checkout.md):
- GST 5 % and QST 9.975 % (on the price before GST, not compounded), each computed once on the
  merchant order's taxable base and rounded half-up to the cent (Revenu Québec's rule).
- Zero-rated and exempt lines bear no tax. The fulfilment fee is taxable when the order has a
  taxable line (it follows the supply), untaxed otherwise.
- A registered merchant collects and remits its own taxes; for a small supplier the platform,
  as operator of a digital platform, collects and remits them.
- Commission: the platform's rate on the goods' subtotal (before taxes and fees), half-up;
  by rule (domain/commission.py): each line at its rule's rate, rounded once, at least the
  rules' minimum, never more than the goods' subtotal.
- The consumer pays `total`; the merchant's share is the total minus the commission, minus the
  taxes when the platform remits them. Hence, exactly:
  total == share + commission + taxes remitted by the platform.

Refunds are allocated by cumulative rounding: after refunds summing to R out of a total T,
each component (GST, QST, commission) has been refunded round(component × R / T). Each refund
is the difference of two such cumulative figures, so partial refunds are each rounded once and a
complete refund returns every component exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

from domain.commission import CommissionTerms
from domain.errors import InvalidValueError, RuleViolatedError
from domain.money import Money
from domain.taxonomy import TaxClass

GST_RATE = Decimal("0.05")
QST_RATE = Decimal("0.09975")


class Priceable(Protocol):
    """What pricing reads of a line. The one line type is `domain.order_terms.OrderLine`
    (unit price × quantity, frozen at checkout); pricing asks only this much of it, so that it
    does not depend on what an order is made of."""

    @property
    def amount(self) -> Money: ...

    @property
    def tax_class(self) -> TaxClass: ...


@dataclass(frozen=True)
class Breakdown:
    """The figures of one merchant order."""

    subtotal: Money  # goods, before taxes
    fee: Money  # fulfilment (delivery or shipping)
    taxable: Money  # the base GST and QST are computed on
    gst: Money
    qst: Money
    platform_remits: bool  # the merchant is a small supplier
    commission: Money
    total: Money  # what the consumer pays for this merchant order
    share: Money  # what the merchant is owed

    @property
    def platform_taxes(self) -> Money:
        return self.gst + self.qst if self.platform_remits else Money.zero()


def price(lines: Sequence[Priceable], fee: Money, merchant_registered: bool,
          commission_rate: Decimal | CommissionTerms) -> Breakdown:
    """`commission_rate`: one rate on the subtotal, or the rules that apply
    (CommissionTerms, whose bases sum to the subtotal)."""
    if not lines:
        raise InvalidValueError("order_lines_empty")
    subtotal = sum((line.amount for line in lines), Money.zero())
    taxable_goods = sum((line.amount for line in lines if line.tax_class == TaxClass.TAXABLE),
                        Money.zero())
    taxable = taxable_goods + fee if taxable_goods.is_positive() else Money.zero()
    gst, qst = taxable.apply_rate(GST_RATE), taxable.apply_rate(QST_RATE)
    terms = (commission_rate if isinstance(commission_rate, CommissionTerms)
             else CommissionTerms.flat(commission_rate, subtotal))
    commission = terms.commission(subtotal)
    total = subtotal + fee + gst + qst
    platform_remits = not merchant_registered
    share = total - commission - (gst + qst if platform_remits else Money.zero())
    return Breakdown(subtotal, fee, taxable, gst, qst, platform_remits, commission, total, share)


@dataclass(frozen=True)
class RefundBreakdown:
    """How one refund to the consumer is split among the order's components."""

    amount: Money  # returned to the consumer
    gst: Money
    qst: Money
    commission: Money  # the platform gives back this part of its commission
    share: Money  # taken back from the merchant's share
    platform_taxes: Money  # taxes the platform no longer remits

    @property
    def balances(self) -> bool:
        return self.amount == self.share + self.commission + self.platform_taxes


def allocate_refund(order: Breakdown, refunded_before: Money, amount: Money) -> RefundBreakdown:
    if not amount.is_positive():
        raise InvalidValueError("refund_amount_invalid", field="amount_cents")
    refundable = order.total - refunded_before
    if amount > refundable:
        raise RuleViolatedError("refund_exceeds_paid", refundable_cents=refundable.cents)
    after = refunded_before + amount

    def part(component: Money) -> Money:
        return _cumulative(component, after, order.total) - _cumulative(
            component, refunded_before, order.total)

    gst, qst, commission = part(order.gst), part(order.qst), part(order.commission)
    platform_taxes = gst + qst if order.platform_remits else Money.zero()
    share = amount - commission - platform_taxes
    return RefundBreakdown(amount, gst, qst, commission, share, platform_taxes)


def _cumulative(component: Money, refunded: Money, total: Money) -> Money:
    if not total.is_positive():
        return Money.zero()
    exact = Decimal(component.cents) * Decimal(refunded.cents) / Decimal(total.cents)
    return Money(int(exact.to_integral_value(rounding=ROUND_HALF_UP)))
