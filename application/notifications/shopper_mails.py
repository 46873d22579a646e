"""Mails to the shopper: the order confirmation (a receipt per merchant), cancellations,
refunds. Links lead to the shop's order page (`/commandes/{id}`)."""

from __future__ import annotations

from application.notifications.drafts import Content, Draft, Reader
from application.notifications.formats import order_reference
from application.notifications.receipts import receipt
from domain.order import Order, hours_text


def order_confirmed(r: Reader, d: Draft) -> Content:
    order, t = r.order(d), d.t
    ref, total = order_reference(order.id), d.money(order.total)
    receipts = [receipt(part, r.merchant(part.merchant_id).tax, t, d.language)
                for part in order.merchant_orders.values()]
    return d.content(t["order_confirmed.subject"].format(ref=ref),
                     t["order_confirmed.body"].format(total=total, ref=ref),
                     *receipts, t["receipt.paid"].format(total=total), _link(r, d, order))


def order_cancelled(r: Reader, d: Draft) -> Content:
    order, t = r.order(d), d.t
    ref = order_reference(order.id)
    why = d.mail.params["why"]  # payment_failed or expired
    return d.content(t["order_cancelled.subject"].format(ref=ref),
                     t[f"order_cancelled.{why}"].format(ref=ref, total=d.money(order.total)))


def merchant_order_declined(r: Reader, d: Draft) -> Content:
    order, t = r.order(d), d.t
    part = order.merchant_order(d.param("merchant_id"))
    fields = {"merchant": part.terms.merchant_name, "ref": order_reference(order.id)}
    return d.content(t["merchant_order_declined.subject"].format(**fields),
                     t["merchant_order_declined.body"].format(
                         reason=part.reason, total=d.money(part.refundable), **fields),
                     _link(r, d, order))


def order_part_not_accepted(r: Reader, d: Draft) -> Content:
    """A part its merchant did not accept in time: declined by the platform, refunded."""
    order, t = r.order(d), d.t
    part = order.merchant_order(d.param("merchant_id"))
    fields = {"merchant": part.terms.merchant_name, "ref": order_reference(order.id)}
    return d.content(t["order_part_not_accepted.subject"].format(**fields),
                     t["order_part_not_accepted.body"].format(
                         hours=hours(order, d.language), total=d.money(part.refundable),
                         **fields),
                     _link(r, d, order))


def refund_settled(r: Reader, d: Draft) -> Content:
    order, t = r.order(d), d.t
    part = order.merchant_order(d.param("merchant_id"))
    refund = part.refund_by_id(d.param("refund_id"))
    fields = {"merchant": part.terms.merchant_name, "ref": order_reference(order.id),
              "amount": d.money(refund.breakdown.amount)}
    reason = refund.reason
    if part.declined_automatically and reason == part.reason:  # said in the reader's words
        reason = t["not_accepted.reason"].format(hours=hours(order, d.language))
    return d.content(t["refund_settled.subject"].format(**fields),
                     t["refund_settled.body"].format(reason=reason, **fields),
                     _link(r, d, order))


def hours(order: Order, language: str) -> str:
    """The acceptance window the order was paid under: "48", "1,5" (fr) or "1.5" (en)."""
    text = hours_text(order.accept_hours)
    return text if language == "fr" else text.replace(",", ".")


def _link(r: Reader, d: Draft, order: Order) -> str:
    return d.t["your_order"].format(url=r.url(f"/commandes/{order.id}"))


WRITERS = {"order_confirmed": order_confirmed, "order_cancelled": order_cancelled,
           "merchant_order_declined": merchant_order_declined, "refund_settled": refund_settled,
           "order_part_not_accepted": order_part_not_accepted}
