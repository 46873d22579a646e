"""Stripe webhooks: verified over the raw body, then put in the port's terms (`GatewayEvent`).

The signature (`Stripe-Signature: t=<unix>,v1=<HMAC-SHA256 of "t.body">`) is checked with
stripe-python's own `WebhookSignature.verify_header`, twice: first without a tolerance, then
with it. `Webhook.construct_event` does both at once and cannot tell a forged body from a late
delivery; the two checks can, and the reasons differ: `signature_missing`,
`signature_invalid` (wrong secret, tampered body, malformed header), `signature_stale`
(a valid signature older than the tolerance: a replay, or a clock far off) and
`payload_invalid` (a signed body that is not an event).

Translation goes by the type of `data.object`, not by the event type, so every event about a
payment intent, charge, dispute, refund, transfer, payout or account is read the same way
(e.g. `charge.refund.updated` carries a refund, not a charge). Events about anything else keep
only their id and kind: the application ignores them. Platform events and Connect events
(which name the connected account in `event.account`) arrive alike.
"""

from __future__ import annotations

import json
from typing import Any

import stripe

from adapters.stripe_gateway import account_status, uuid_or_none
from application.errors import InvalidWebhookError
from application.ports import GatewayEvent
from domain.money import Money


class StripeWebhooks:
    def __init__(self, secret: str, tolerance: int = 300) -> None:
        self._secret = secret
        self._tolerance = tolerance

    def parse(self, payload: bytes, signature: str | None) -> GatewayEvent:
        if not signature:
            raise InvalidWebhookError("signature_missing")
        try:
            stripe.WebhookSignature.verify_header(payload, signature, self._secret, None)
        except stripe.SignatureVerificationError as error:
            raise InvalidWebhookError("signature_invalid") from error
        except UnicodeDecodeError as error:  # signed bodies are UTF-8 text: no event here
            raise InvalidWebhookError("payload_invalid") from error
        try:
            stripe.WebhookSignature.verify_header(payload, signature, self._secret,
                                                  self._tolerance)
        except stripe.SignatureVerificationError as error:
            raise InvalidWebhookError("signature_stale") from error
        try:
            event = json.loads(payload)
        except ValueError as error:
            raise InvalidWebhookError("payload_invalid") from error
        if not (isinstance(event, dict) and event.get("object") == "event"
                and isinstance(event.get("id"), str) and isinstance(event.get("type"), str)
                and isinstance((event.get("data") or {}).get("object"), dict)):
            raise InvalidWebhookError("payload_invalid")
        return translate(event)


def translate(event: dict[str, Any]) -> GatewayEvent:
    """A verified Stripe event in the port's terms (see the module docstring)."""
    kind: str = event["type"]
    obj: dict[str, Any] = event["data"]["object"]
    metadata = obj.get("metadata") or {}
    common: dict[str, Any] = {
        "event_id": event["id"], "kind": kind,
        "order_id": uuid_or_none(metadata.get("order_id")) or uuid_or_none(
            obj.get("transfer_group")),
        "merchant_id": uuid_or_none(metadata.get("merchant_id")),
        "account_id": event.get("account"),
    }
    match obj.get("object"):
        case "payment_intent":
            error = obj.get("last_payment_error") or {}
            return GatewayEvent(**common, payment_id=obj["id"], object_id=obj.get("latest_charge"),
                                amount=_money(obj.get("amount_received") or obj.get("amount")),
                                failure_reason=error.get("decline_code") or error.get("code"))
        case "charge":
            amount = obj.get("amount_refunded") if kind == "charge.refunded" else obj.get("amount")
            return GatewayEvent(**common, payment_id=obj.get("payment_intent"),
                                object_id=obj["id"], amount=_money(amount),
                                failure_reason=obj.get("failure_code"))
        case "dispute" | "refund":  # a dispute's reason, a refund's failure
            return GatewayEvent(**common, payment_id=obj.get("payment_intent"),
                                object_id=obj["id"], amount=_money(obj.get("amount")),
                                failure_reason=obj.get("reason") if obj["object"] == "dispute"
                                else obj.get("failure_reason"))
        case "transfer":
            amount = obj.get("amount_reversed") if kind == "transfer.reversed" else obj.get(
                "amount")
            return GatewayEvent(**common | {"account_id": obj.get("destination")},
                                object_id=obj["id"], amount=_money(amount))
        case "payout":
            return GatewayEvent(**common, object_id=obj["id"], amount=_money(obj.get("amount")),
                                failure_reason=obj.get("failure_code"))
        case "account":
            return GatewayEvent(**common | {"account_id": obj["id"]},
                                account_status=account_status(obj))
        case "capability":  # a capability changed: the caller re-reads the account's status
            return GatewayEvent(**common | {"account_id": obj.get("account")},
                                object_id=obj.get("id"))
        case _:
            return GatewayEvent(event_id=event["id"], kind=kind)


def _money(cents: object) -> Money | None:
    return Money(cents) if isinstance(cents, int) and not isinstance(cents, bool) else None
