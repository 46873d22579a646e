"""The Stripe gateway: Stripe Connect with "separate charges and transfers".

One PaymentIntent per order (the consumer is charged once for the whole cart), authorised
with manual capture; its charge then pays each merchant by a Transfer to the merchant's
connected account. The platform keeps its commission by transferring less. Every transfer
names the charge as `source_transaction`, so it waits for the charge's funds instead of
drawing on (or failing for lack of) the platform's balance, and carries the order id as
`transfer_group` and the order and merchant ids as metadata, so that reconciliation can find
everything an order caused (`order_records`).

PaymentIntent status → `PaymentOutcome.status`:

| Stripe | outcome |
|---|---|
| `requires_capture` | `authorized` |
| `succeeded` | `captured` |
| `requires_payment_method`, `requires_confirmation` | `requires_confirmation` |
| `requires_action`, `processing` | `requires_confirmation` |
| `canceled`, or a card decline (HTTP 402) | `failed`, with the decline code as reason |

`requires_confirmation` comes with the client secret, for the consumer's device (Stripe.js).

Errors:
- no usable answer after the library's own retries (`max_network_retries`, exponential
  back-off, same idempotency key on every attempt): `GatewayUnavailableError` with reason
  `rate_limited` (429), `network` (connection or timeout) or `gateway_error` (5xx, 409).
  The outcome is unknown; the caller retries later with the same key. Stripe's client retries
  a 429 only when Stripe says so (`Stripe-Should-Retry`, e.g. lock timeouts).
- a refusal (400/404, or a 402 outside `create_payment`): retrying cannot help, so it is a
  `RuleViolatedError`, as the local gateway raises: `payment_not_capturable` (capture),
  `refund_exceeds_captured` (refund) or `gateway_refused` (the rest), with Stripe's error
  code as parameter `status` (capture: its message names it) or `gateway_code` (the rest).
  A refused reversal is a `ReversalRefusedError` carrying Stripe's code (e.g.
  `balance_insufficient`): the port makes it a state the caller must show.
- the same idempotency key reused with other parameters: `IdempotencyKeyReusedError`.
- authentication and permission errors (401, 403) propagate as Stripe raised them: a wrong
  or restricted key is a misconfiguration to fix, not a state to record or retry.

Idempotency: every mutating call sends the caller's key as `Idempotency-Key`; Stripe answers
a repeated key with the first answer (for 24 hours at least), so retries, after a crash or a
timeout, never charge, refund, transfer or reverse twice. Reads send no key.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Literal
from uuid import UUID

import stripe
from stripe.params import PaymentIntentCreateParams

from application.errors import (
    GatewayUnavailableError,
    IdempotencyKeyReusedError,
    ReversalRefusedError,
)
from application.ports import OrderRecords, PaymentOutcome, PayoutAccountStatus, TransferRecord
from domain.errors import RuleViolatedError
from domain.money import Money

CURRENCY = "cad"

Status = Literal["requires_confirmation", "authorized", "captured", "failed"]
STATUSES: dict[str, Status] = {
    "requires_capture": "authorized",
    "succeeded": "captured",
    "requires_payment_method": "requires_confirmation",
    "requires_confirmation": "requires_confirmation",
    "requires_action": "requires_confirmation",
    # A card payment leaves `processing` within seconds; the device's Stripe.js follows it.
    "processing": "requires_confirmation",
    "canceled": "failed",
}


class StripeGateway:
    def __init__(self, secret_key: str, api_base: str | None = None,
                 max_network_retries: int = 2) -> None:
        client = stripe.StripeClient(secret_key, max_network_retries=max_network_retries,
                                     base_addresses={"api": api_base} if api_base else {})
        self._v1 = client.v1

    def create_payment(self, order_id: UUID, amount: Money, method: str | None,
                       idempotency_key: str) -> PaymentOutcome:
        # Cards only. Since API 2026-09-30.endive (stripe 16 pins 2026-10-28.endive),
        # `payment_method_types` is refused (payment_method_types_no_longer_supported).
        params: PaymentIntentCreateParams = {
            "amount": amount.cents, "currency": CURRENCY, "transfer_group": str(order_id),
            "metadata": {"order_id": str(order_id)}, "capture_method": "manual",
            "allowed_payment_method_types": ["card"]}
        if method:
            params |= {"payment_method": method, "confirm": True}
        with _reaching():
            try:
                intent = self._v1.payment_intents.create(params, _key(idempotency_key))
            except stripe.CardError as error:
                return _declined(error, idempotency_key)
        return _outcome(intent.to_dict())

    def capture(self, payment_id: str, amount: Money, idempotency_key: str) -> PaymentOutcome:
        with _reaching("payment_not_capturable", code_as="status"):
            intent = self._v1.payment_intents.capture(
                payment_id, {"amount_to_capture": amount.cents}, _key(idempotency_key))
        return _outcome(intent.to_dict())

    def refund(self, payment_id: str, amount: Money, idempotency_key: str) -> str:
        with _reaching("refund_exceeds_captured"):
            refund = self._v1.refunds.create(
                {"payment_intent": payment_id, "amount": amount.cents}, _key(idempotency_key))
        return refund.id

    def transfer(self, *, payment_id: str, account_id: str, amount: Money, order_id: UUID,
                 merchant_id: UUID, idempotency_key: str) -> str:
        with _reaching():
            charge_id = self._v1.payment_intents.retrieve(payment_id).to_dict()["latest_charge"]
            if charge_id is None:  # never confirmed: there are no funds to transfer from
                raise RuleViolatedError("gateway_refused", gateway_code="charge_missing")
            transfer = self._v1.transfers.create({
                "amount": amount.cents, "currency": CURRENCY, "destination": account_id,
                "source_transaction": charge_id, "transfer_group": str(order_id),
                "metadata": {"order_id": str(order_id), "merchant_id": str(merchant_id)},
            }, _key(idempotency_key))
        return transfer.id

    def reverse_transfer(self, transfer_id: str, amount: Money, idempotency_key: str) -> str:
        with _reaching():
            try:
                reversal = self._v1.transfers.reversals.create(
                    transfer_id, {"amount": amount.cents}, _key(idempotency_key))
            except stripe.InvalidRequestError as error:
                if error.code == "amount_too_large":  # more than is left of the transfer
                    raise RuleViolatedError("reversal_exceeds_transfer") from error
                raise ReversalRefusedError(error.code or "reversal_refused") from error
        return reversal.id

    def open_account(self, merchant_id: UUID, idempotency_key: str) -> str:
        # The platform pays the fees and bears the losses (it charges the consumer itself);
        # Stripe collects the merchant's details through its hosted onboarding.
        with _reaching():
            account = self._v1.accounts.create({
                "country": "CA",
                "controller": {"fees": {"payer": "application"},
                               "losses": {"payments": "application"},
                               "stripe_dashboard": {"type": "express"}},
                "capabilities": {"transfers": {"requested": True}},
                "metadata": {"merchant_id": str(merchant_id)},
            }, _key(idempotency_key))
        return account.id

    def onboarding_link(self, account_id: str, refresh_url: str, return_url: str) -> str:
        # Links are single-use and expire within minutes: no key, a retry wants a new one.
        with _reaching():
            link = self._v1.account_links.create({
                "account": account_id, "refresh_url": refresh_url, "return_url": return_url,
                "type": "account_onboarding"})
        return link.url

    def account_status(self, account_id: str) -> PayoutAccountStatus:
        with _reaching():
            account = self._v1.accounts.retrieve(account_id).to_dict()
        return account_status(account)

    def order_records(self, order_id: UUID, payment_id: str | None) -> OrderRecords:
        captured = refunded = 0
        with _reaching():
            if payment_id is not None:
                intent = self._v1.payment_intents.retrieve(
                    payment_id, {"expand": ["latest_charge"]}).to_dict()
                captured = intent["amount_received"]
                refunded = (intent["latest_charge"] or {}).get("amount_refunded", 0)
            listed = self._v1.transfers.list({"transfer_group": str(order_id), "limit": 100})
            transfers = tuple(TransferRecord(
                transfer_id=t["id"], merchant_id=uuid_or_none(t["metadata"].get("merchant_id")),
                amount=Money(t["amount"]), reversed=Money(t["amount_reversed"]))
                for t in (item.to_dict() for item in listed.auto_paging_iter()))
        return OrderRecords(captured=Money(captured), refunded=Money(refunded),
                            transfers=transfers)


def account_status(account: dict[str, Any]) -> PayoutAccountStatus:
    """A connected account as the port sees it (shared with the webhook translator)."""
    requirements = account.get("requirements") or {}
    return PayoutAccountStatus(
        account_id=account["id"], charges_enabled=bool(account.get("charges_enabled")),
        payouts_enabled=bool(account.get("payouts_enabled")),
        details_submitted=bool(account.get("details_submitted")),
        requirements=tuple(requirements.get("currently_due") or ()))


def uuid_or_none(value: object) -> UUID | None:
    """Metadata and transfer groups are free text at Stripe: only a real UUID is ours."""
    try:
        return UUID(str(value)) if value else None
    except ValueError:
        return None


def _key(idempotency_key: str) -> stripe.RequestOptions:
    return {"idempotency_key": idempotency_key}


def _outcome(intent: dict[str, Any]) -> PaymentOutcome:
    status: Status = STATUSES.get(intent["status"], "requires_confirmation")
    if status == "failed":
        error = intent.get("last_payment_error") or {}
        reason = (error.get("decline_code") or error.get("code")
                  or intent.get("cancellation_reason") or "canceled")
        return PaymentOutcome(intent["id"], "failed", failure_reason=reason)
    secret = intent.get("client_secret") if status == "requires_confirmation" else None
    return PaymentOutcome(intent["id"], status, client_secret=secret)


def _declined(error: stripe.CardError, idempotency_key: str) -> PaymentOutcome:
    """A decline at confirmation: Stripe still created the PaymentIntent and names it in the
    error; the placeholder (stable per key) only covers an error that does not."""
    body = error.json_body if isinstance(error.json_body, dict) else {}
    details = body.get("error") or {}
    intent = details.get("payment_intent") or {}
    payment_id = intent.get("id") or (
        "pi_declined_" + hashlib.sha256(idempotency_key.encode()).hexdigest()[:24])
    reason = details.get("decline_code") or error.code or "card_declined"
    return PaymentOutcome(payment_id, "failed", failure_reason=reason)


@contextmanager
def _reaching(refused: str = "gateway_refused", code_as: str = "gateway_code") -> Iterator[None]:
    """Stripe's errors in the port's terms (see the module docstring). A refusal carries
    Stripe's error code as the parameter `code_as`: the one its message names, if any."""
    try:
        yield
    except stripe.RateLimitError as error:
        raise GatewayUnavailableError("rate_limited") from error
    except stripe.APIConnectionError as error:
        raise GatewayUnavailableError("network") from error
    except stripe.APIError as error:
        raise GatewayUnavailableError("gateway_error") from error
    except stripe.IdempotencyError as error:
        raise IdempotencyKeyReusedError() from error
    except (stripe.InvalidRequestError, stripe.CardError) as error:
        raise RuleViolatedError(refused, **{code_as: error.code or "unknown"}) from error
