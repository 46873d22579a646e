"""Stripe webhooks: verified over the raw body, then put in the port's terms (`GatewayEvent`
and its kinds, application/ports.py). Stripe's event types and object shapes are known here
and nowhere else: the application sees only the domain's kinds.

The signature (`Stripe-Signature: t=<unix>,v1=<HMAC-SHA256 of "t.body">`) is checked with
stripe-python's own `WebhookSignature.verify_header`, twice: first without a tolerance, then
with it. `Webhook.construct_event` does both at once and cannot tell a forged body from a late
delivery; the two checks can, and the reasons differ: `signature_missing`,
`signature_invalid` (wrong secret, tampered body, malformed header), `signature_stale`
(a valid signature older than the tolerance: a replay, or a clock far off) and
`payload_invalid` (a signed body that is not an event).

Translation goes by the event type, and the object must be the one that type carries: one
case per type in `translate` (the table, with each effect, is in docs/payments.md).
Any other type (`payment_intent.created`, `charge.succeeded`, `capability.updated`…), or one of
these with another object, is an `IgnoredGatewayEvent`: recorded once, no effect. Our ids come
back from what the platform gave Stripe: `metadata.order_id` or the transfer group,
`metadata.merchant_id`; anything that is not a UUID is not ours (None). Platform events and
Connect events (which name the connected account in `event.account`) arrive alike.
"""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

import stripe

from adapters.stripe_gateway import account_status, uuid_or_none
from application.errors import InvalidWebhookError
from application.ports import (
    BankPayoutFailed,
    BankPayoutPaid,
    GatewayEvent,
    IgnoredGatewayEvent,
    PaymentAuthorized,
    PaymentCaptured,
    PaymentDisputed,
    PaymentFailed,
    PaymentRefunded,
    PayoutAccountUpdated,
    TransferMade,
    TransferReversed,
)
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
    event_id: str = event["id"]
    obj: dict[str, Any] = event["data"]["object"]
    order_id = _ours(obj, "order_id") or uuid_or_none(obj.get("transfer_group"))
    merchant_id = _ours(obj, "merchant_id")
    match event["type"], obj.get("object"):
        case "payment_intent.amount_capturable_updated", "payment_intent":
            return PaymentAuthorized(event_id=event_id, payment_id=obj["id"], order_id=order_id)
        case "payment_intent.succeeded", "payment_intent":
            return PaymentCaptured(event_id=event_id, payment_id=obj["id"], order_id=order_id)
        case "payment_intent.payment_failed", "payment_intent":
            error = obj.get("last_payment_error") or {}
            return PaymentFailed(event_id=event_id, payment_id=obj["id"], order_id=order_id,
                                 reason=error.get("decline_code") or error.get("code"))
        case "charge.refunded", "charge":
            return PaymentRefunded(event_id=event_id, payment_id=obj.get("payment_intent"),
                                   order_id=order_id)
        case "charge.dispute.created", "dispute":
            return PaymentDisputed(event_id=event_id, payment_id=obj.get("payment_intent"),
                                   order_id=order_id, dispute_id=obj["id"],
                                   amount=_money(obj.get("amount")), reason=obj.get("reason"))
        case "account.updated", "account":
            return PayoutAccountUpdated(event_id=event_id, status=account_status(obj),
                                        merchant_id=merchant_id)
        case "transfer.created", "transfer":
            return TransferMade(event_id=event_id, transfer_id=obj["id"], order_id=order_id,
                                merchant_id=merchant_id)
        case "transfer.reversed", "transfer":
            return TransferReversed(event_id=event_id, transfer_id=obj["id"], order_id=order_id,
                                    merchant_id=merchant_id,
                                    reversed=_money(obj.get("amount_reversed")))
        case "payout.paid", "payout":
            return BankPayoutPaid(event_id=event_id, payout_id=obj["id"],
                                  amount=_money(obj.get("amount")),
                                  account_id=event.get("account"), merchant_id=merchant_id)
        case "payout.failed", "payout":
            return BankPayoutFailed(event_id=event_id, payout_id=obj["id"],
                                    amount=_money(obj.get("amount")),
                                    account_id=event.get("account"), merchant_id=merchant_id,
                                    reason=obj.get("failure_code"))
        case _:
            return IgnoredGatewayEvent(event_id=event_id)


def _ours(obj: dict[str, Any], key: str) -> UUID | None:
    """One of our ids, from the metadata the platform gave the object."""
    return uuid_or_none((obj.get("metadata") or {}).get(key))


def _money(cents: object) -> Money:
    """An amount in cents; zero when Stripe gives none."""
    return Money(cents) if isinstance(cents, int) and not isinstance(cents, bool) else Money.zero()
