"""Public webhook events: which stored events become which public type, about which merchant,
and what their payload says (docs/webhooks.md).

A payload is built when it is sent, from the stored event and its aggregate as it was at that
event: the outbox keeps no copy of it, so personal data is never written there in clear and a
shopper erased meanwhile reads as forgotten. It holds what the merchant needs to fulfil: its
own merchant order (lines, quantities, amounts in integer cents, the fulfilment method) and,
only when that part is delivered or shipped, the name and address it goes to — never the
shopper's e-mail or phone.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from application.app import project
from application.service import Service
from domain.listing import Listing
from domain.order import MerchantOrder, Order
from domain.order_terms import Fulfilment
from domain.payout import Payout
from domain.personal import PersonalData

TYPES: dict[type, str] = {
    Order.PaymentCaptured: "order.placed.v1",  # placed AND paid: the merchant may fulfil
    Order.MerchantOrderAccepted: "merchant_order.accepted.v1",
    Order.MerchantOrderFulfilled: "merchant_order.fulfilled.v1",
    Order.MerchantOrderDeclined: "merchant_order.declined.v1",
    Order.RefundDecided: "merchant_order.refunded.v1",
    Payout.Transferred: "payout.sent.v1",
    Payout.Reversed: "payout.reversed.v1",
    Listing.StockSet: "listing.stock_changed.v1",
    Listing.StockAdjusted: "listing.stock_changed.v1",
    Listing.Reserved: "listing.stock_changed.v1",
    Listing.ReservationReleased: "listing.stock_changed.v1",
    Listing.ReservationConsumed: "listing.stock_changed.v1",
    Listing.VariantStockSet: "listing.stock_changed.v1",
}
STOCK_CAUSES: dict[type, str] = {
    Listing.StockSet: "set", Listing.StockAdjusted: "adjusted", Listing.Reserved: "reserved",
    Listing.ReservationReleased: "released", Listing.ReservationConsumed: "consumed",
    Listing.VariantStockSet: "set",
}
ADDRESS_FIELDS = ("name", "street", "municipality", "postal_code", "region", "province")


def utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class WebhookEvents(Service):
    def merchants_of(self, event: Any) -> list[UUID]:
        """The merchants a stored event is about (an order's payment: each of its merchants)."""
        if isinstance(event, Order.PaymentCaptured):
            order = self.load(Order, event.originator_id, "order")
            return sorted(order.merchant_orders)
        if merchant_id := getattr(event, "merchant_id", None):
            return [merchant_id]
        owner = self.find(event.originator_id)  # a payout or a listing: its merchant
        return [owner.merchant_id] if owner is not None else []  # type: ignore[attr-defined]

    def body(self, event_id: UUID, event_type: str, source_id: UUID, version: int,
             merchant_id: UUID) -> dict[str, Any]:
        """The payload of one public event, as the stored event and its aggregate say."""
        stored = self.app.recorder.select_events(source_id, gt=version - 1, lte=version)
        event: Any = self.app.mapper.to_domain_event(stored[0])
        aggregate = self.app.repository.get(source_id, version=version, projector_func=project)
        data = DATA[type(event)](event, aggregate, merchant_id)
        return {"id": str(event_id), "type": event_type, "timestamp": utc_text(event.timestamp),
                "data": data}


def _part(order: Order, merchant_id: UUID) -> dict[str, Any]:
    return {"order_id": str(order.id), "merchant_id": str(merchant_id),
            "status": str(order.merchant_order(merchant_id).status)}


def _placed(event: Any, order: Order, merchant_id: UUID) -> dict[str, Any]:
    part = order.merchant_order(merchant_id)
    return {**_part(order, merchant_id), "storefront": order.storefront,
            "fulfilment": str(part.fulfilment), "currency": "CAD",
            "lines": [{"listing_id": str(line.listing_id), "title": line.title,
                       "quantity": line.quantity, "unit_price_cents": line.unit_price.cents,
                       "amount_cents": line.amount.cents, "tax_class": str(line.tax_class)}
                      for line in part.lines],
            **_amounts(part), "delivery_address": _delivery_address(order, part)}


def _amounts(part: MerchantOrder) -> dict[str, Any]:
    b = part.breakdown
    return {"subtotal_cents": b.subtotal.cents, "fee_cents": b.fee.cents,
            "gst_cents": b.gst.cents, "qst_cents": b.qst.cents, "total_cents": b.total.cents,
            "commission_cents": b.commission.cents, "share_cents": b.share.cents,
            "taxes_remitted_by": "platform" if b.platform_remits else "merchant"}


def _delivery_address(order: Order, part: MerchantOrder) -> dict[str, Any] | None:
    """Only to a merchant who delivers or ships this part; the shopper's own values."""
    address: PersonalData | None = order.delivery_address
    if part.fulfilment == Fulfilment.PICKUP or address is None:
        return None
    if address.forgotten:
        return {"forgotten": True}
    return {name: address.get(name) for name in ADDRESS_FIELDS}


def _refunded(event: Any, order: Order, merchant_id: UUID) -> dict[str, Any]:
    refund, part = event.refund, order.merchant_order(merchant_id)
    return {**_part(order, merchant_id), "currency": "CAD", "refund": {
        "refund_id": str(refund.refund_id), "amount_cents": refund.breakdown.amount.cents,
        "share_cents": refund.breakdown.share.cents, "reason": refund.reason},
        "refunded_cents": part.refunded.cents, "refundable_cents": part.refundable.cents}


def _payout(payout: Payout) -> dict[str, Any]:
    return {"payout_id": str(payout.id), "order_id": str(payout.order_id),
            "merchant_id": str(payout.merchant_id), "currency": "CAD"}


def _reversed(event: Any, payout: Payout, _merchant_id: UUID) -> dict[str, Any]:
    reversal = payout.reversals[event.number]
    return {**_payout(payout), "reversal_number": reversal.number,
            "amount_cents": reversal.amount.cents, "reversal_id": event.reversal_id}


def _stock(event: Any, listing: Listing, _merchant_id: UUID) -> dict[str, Any]:
    return {"listing_id": str(listing.id), "merchant_id": str(listing.merchant_id),
            "sku": listing.details.sku, "on_hand": listing.on_hand,
            "reserved": listing.reserved, "available": listing.available,
            "cause": STOCK_CAUSES[type(event)], "reason": getattr(event, "reason", None),
            "variant": _variant(listing, getattr(event, "variant_id", None))}


def _variant(listing: Listing, variant_id: UUID | None) -> dict[str, Any] | None:
    """The variant the change is about (the listing's figures are then its variants' sums)."""
    v = listing.variants.get(variant_id.hex) if variant_id is not None else None
    return None if v is None else {
        "variant_id": str(v.variant_id), "sku": v.sku, "label": v.label, "on_hand": v.on_hand,
        "reserved": v.reserved, "available": v.available}


DATA: dict[type, Callable[[Any, Any, UUID], dict[str, Any]]] = {
    Order.PaymentCaptured: _placed,
    Order.MerchantOrderAccepted: lambda e, order, m: _part(order, m),
    Order.MerchantOrderFulfilled: lambda e, order, m: _part(order, m),
    Order.MerchantOrderDeclined: lambda e, order, m: {  # automatic: the acceptance deadline
        **_part(order, m), "reason": e.reason, "automatic": e.automatic},
    Order.RefundDecided: _refunded,
    Payout.Transferred: lambda e, payout, m: {
        **_payout(payout), "amount_cents": payout.transferred.cents,
        "transfer_id": e.transfer_id},
    Payout.Reversed: _reversed,
    **{cls: _stock for cls in STOCK_CAUSES},
}
