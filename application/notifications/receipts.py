"""A merchant order's receipt: each merchant order is a supply by its merchant, so the shopper
gets one receipt per merchant, naming it, with its taxes and who remits them — the merchant's
GST and QST registration numbers, or the platform when the merchant is not registered."""

from __future__ import annotations

from application.notifications.formats import money
from domain.merchant_profile import TaxRegistration
from domain.order import MerchantOrder
from domain.order_terms import Fulfilment


def receipt(part: MerchantOrder, tax: TaxRegistration, t: dict[str, str], language: str) -> str:
    lines = figures(part, t, language)
    if part.breakdown.platform_remits:
        lines.append(t["receipt.platform_remits"])
    elif tax.is_registered:
        lines.append(t["receipt.registered"].format(gst=tax.gst_number, qst=tax.qst_number))
    lines.append(fulfilment(part, t))
    return "\n".join([t["receipt.title"].format(merchant=part.terms.merchant_name),
                      *indented(lines)])


def figures(part: MerchantOrder, t: dict[str, str], language: str) -> list[str]:
    """Its lines, subtotal, fee, taxes and total, as the shopper paid them."""
    b = part.breakdown
    lines = [t["receipt.line"].format(quantity=line.quantity, title=line.title,
                                      unit=money(line.unit_price, language),
                                      amount=money(line.amount, language))
             for line in part.lines]
    lines.append(t["receipt.subtotal"].format(amount=money(b.subtotal, language)))
    if b.fee.cents:
        kind = "shipping" if part.fulfilment == Fulfilment.SHIPPING else "delivery"
        lines.append(t[f"receipt.fee.{kind}"].format(amount=money(b.fee, language)))
    lines.append(t["receipt.gst"].format(amount=money(b.gst, language)))
    lines.append(t["receipt.qst"].format(amount=money(b.qst, language)))
    lines.append(t["receipt.total"].format(amount=money(b.total, language)))
    return lines


def fulfilment(part: MerchantOrder, t: dict[str, str]) -> str:
    return t["receipt.fulfilment"].format(fulfilment=t[f"fulfilment.{part.fulfilment}"])


def indented(lines: list[str]) -> list[str]:
    return ["  " + line for line in lines]
