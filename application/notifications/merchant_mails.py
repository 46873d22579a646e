"""Mails to a merchant (at its application's contact address): a new paid order, the review's
outcome, payouts sent or taken back. A new order names no shopper: the merchant reads the
delivery address, when it needs one, in the portal (`/portail/commandes/{id}`), so no mail
in its inbox outlives a shopper's erasure."""

from __future__ import annotations

from typing import Any

from application.notifications.drafts import Content, Draft, Reader
from application.notifications.formats import order_reference
from application.notifications.receipts import figures, fulfilment, indented
from application.notifications.shopper_mails import hours
from domain.merchant import Merchant
from domain.payout import Payout


def merchant_new_order(r: Reader, d: Draft) -> Content:
    order, t = r.order(d), d.t
    part = order.merchant_order(d.merchant_id)
    name, ref = part.terms.merchant_name, order_reference(order.id)
    detail = [*figures(part, t, d.language), fulfilment(part, t)]
    return d.content(t["merchant_new_order.subject"].format(ref=ref, merchant=name),
                     t["merchant_new_order.body"].format(merchant=name),
                     "\n".join(indented(detail)),
                     t["merchant_new_order.share"].format(share=d.money(part.breakdown.share)),
                     t["merchant_new_order.act"].format(
                         url=r.url(f"/portail/commandes/{order.id}")))


def merchant_order_not_accepted(r: Reader, d: Draft) -> Content:
    """The merchant let a paid order lapse: declined for it, stock back, shopper refunded."""
    order, t = r.order(d), d.t
    part = order.merchant_order(d.merchant_id)
    fields = {"merchant": part.terms.merchant_name, "ref": order_reference(order.id)}
    return d.content(t["merchant_order_not_accepted.subject"].format(**fields),
                     t["merchant_order_not_accepted.body"].format(
                         hours=hours(order, d.language), total=d.money(part.refundable), **fields),
                     t["merchant_order_not_accepted.see"].format(
                         url=r.url(f"/portail/commandes/{order.id}")))


def merchant_approved(r: Reader, d: Draft) -> Content:
    merchant, t = r.at(Merchant, d.merchant_id, d.version, "merchant"), d.t
    return d.content(t["merchant_approved.subject"].format(merchant=merchant.name),
                     t["merchant_approved.body"].format(
                         merchant=merchant.name, url=r.url(f"/m/{merchant.slug}")))


def merchant_rejected(r: Reader, d: Draft) -> Content:
    merchant, t = r.at(Merchant, d.merchant_id, d.version, "merchant"), d.t
    return d.content(t["merchant_rejected.subject"].format(merchant=merchant.name),
                     t["merchant_rejected.body"].format(merchant=merchant.name,
                                                        reason=merchant.status_reason))


def payout_sent(r: Reader, d: Draft) -> Content:
    payout = r.at(Payout, d.param("payout_id"), d.version, "payout")
    return _payout_news(r, d, "payout_sent", payout, payout.transferred)


def payout_reversed(r: Reader, d: Draft) -> Content:
    payout = r.at(Payout, d.param("payout_id"), d.version, "payout")
    reversal = payout.reversals[int(d.mail.params["number"])]
    return _payout_news(r, d, "payout_reversed", payout, reversal.amount)


def _payout_news(r: Reader, d: Draft, template: str, payout: Payout, amount: Any) -> Content:
    t = d.t
    fields = {"amount": d.money(amount), "ref": order_reference(payout.order_id),
              "merchant": r.merchant(payout.merchant_id).name}
    return d.content(t[f"{template}.subject"].format(**fields),
                     t[f"{template}.body"].format(**fields),
                     t["payouts_link"].format(url=r.url("/portail/versements")))


WRITERS = {"merchant_new_order": merchant_new_order, "merchant_approved": merchant_approved,
           "merchant_rejected": merchant_rejected, "payout_sent": payout_sent,
           "payout_reversed": payout_reversed,
           "merchant_order_not_accepted": merchant_order_not_accepted}
