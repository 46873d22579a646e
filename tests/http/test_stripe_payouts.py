"""The whole Stripe Connect flow over HTTP, both backends, with the real `stripe` library
talking to our fake Stripe server: onboarding and `account.updated`, one charge for a
three-merchant order, one transfer per merchant after fulfilment, a partial refund and its
reversal, signed webhooks (rejected, duplicated, out of order), and reconciliation."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.container import build_container
from api.main import create_app
from api.settings import Settings
from application.reconciliation import reconcile
from tests.fake_stripe import FakeStripe, fake_stripe, sign, signed_event
from tests.integration.test_payouts import CrashAfterTransfer
from tests.support import Api, Shop

SECRET = "whsec_test_comptoir"


@contextmanager
def paying_with_stripe(settings: Settings, **more: Any) -> Iterator[tuple[Api, FakeStripe]]:
    """The app with Stripe as its gateway (our fake Stripe server), and these other settings."""
    with fake_stripe() as fake:
        container = build_container(settings.model_copy(update={
            "stripe_secret_key": SecretStr("sk_test_comptoir"), "stripe_api_base": fake.url,
            "stripe_webhook_secret": SecretStr(SECRET), **more}))
        try:
            with TestClient(create_app(container=container)) as client:
                yield Api(client, container), fake
        finally:
            container.close()


@pytest.fixture
def stripe_api(settings: Settings) -> Iterator[tuple[Api, FakeStripe]]:
    with paying_with_stripe(settings, run_projections=False) as paying:
        yield paying


def deliver(api: Api, kind: str, obj: dict[str, Any], account: str | None = None) -> Any:
    payload, header = signed_event(kind, obj, SECRET, account=account)
    return api.client.post("/v1/payments/webhooks/stripe", content=payload,
                           headers={"Stripe-Signature": header,
                                    "Content-Type": "application/json"})


def settle(api: Api) -> None:
    api.container.projections.settle()


class Market:
    def __init__(self, api: Api, fake: FakeStripe) -> None:
        self.api, self.fake, self.shop = api, fake, Shop(api)
        self.merchants: dict[str, tuple[dict[str, str], str]] = {}
        for n, (registered, price, tax_class, category) in enumerate([
                (True, 12_99, "zero_rated", "fromagerie"),
                (False, 12_00, "taxable", "boulangerie"),
                (True, 24_95, "taxable", "librairie")]):
            merchant_id, owner = self.shop.merchant(registered=registered, name=f"Commerce {n}",
                                                    neq=f"33123400{n:02d}")
            listing = api.listing(merchant_id, owner, publish=True, stock=20, price_cents=price,
                                  tax_class=tax_class, category=category)
            self.merchants[merchant_id] = (owner, listing)

    def onboard(self, merchant_id: str) -> dict[str, Any]:
        owner = self.merchants[merchant_id][0]
        response = self.api.client.put(f"/v1/merchants/{merchant_id}/payout-account",
                                       headers=owner)
        assert response.status_code == 200, response.text
        account = response.json()
        self.fake.complete_onboarding(account["account_id"])
        assert deliver(self.api, "account.updated",
                       self.fake.accounts[account["account_id"]]).status_code == 200
        return account

    def order(self, **body: Any) -> dict[str, Any]:
        cart = self.shop.cart({listing: 2 for _, listing in self.merchants.values()})
        response = self.shop.check_out(cart, **body)
        assert response.status_code == 201, response.text
        return response.json()

    def act(self, order_id: str, merchant_id: str, action: str, **body: Any) -> Any:
        owner = self.merchants[merchant_id][0]
        return self.api.client.post(
            f"/v1/orders/{order_id}/merchant-orders/{merchant_id}/{action}", headers=owner,
            json=body or None)


def test_one_charge_one_transfer_per_merchant_a_refund_reverses_its_part_and_all_reconciles(
    stripe_api: tuple[Api, FakeStripe],
) -> None:
    api, fake = stripe_api
    market = Market(api, fake)
    first = next(iter(market.merchants))
    onboarding = api.client.put(f"/v1/merchants/{first}/payout-account",
                                headers=market.merchants[first][0]).json()
    assert (onboarding["ready"], onboarding["account_id"].startswith("acct_")) == (False, True)
    assert onboarding["onboarding_url"] and onboarding["requirements"]
    accounts = {m: market.onboard(m)["account_id"] for m in market.merchants}
    ready = api.client.put(f"/v1/merchants/{first}/payout-account",
                           headers=market.merchants[first][0]).json()
    assert (ready["ready"], ready["account_id"]) == (True, accounts[first])
    assert len(fake.accounts) == 3  # asking again made no second account

    order = market.order(payment_method="pm_card_visa")
    assert (order["status"], order["payment"]["status"]) == ("confirmed", "captured")
    [intent] = fake.payment_intents.values()
    assert (intent["amount"], intent["currency"], intent["transfer_group"]) == (
        order["total"]["cents"], "cad", order["id"])
    assert intent["metadata"] == {"order_id": order["id"]}
    [create] = fake.sent("POST", "/v1/payment_intents")
    assert create.idempotency_key == f"{order['id']}:payment"

    for merchant_id in market.merchants:
        assert market.act(order["id"], merchant_id, "acceptance").status_code == 200
        assert market.act(order["id"], merchant_id, "fulfilment").status_code == 200
    settle(api)
    shares = {m["merchant_id"]: m["merchant_share"]["cents"] for m in order["merchant_orders"]}
    transfers = {t["metadata"]["merchant_id"]: t for t in fake.transfers.values()}
    assert {m: t["amount"] for m, t in transfers.items()} == shares
    assert {t["source_transaction"] for t in transfers.values()} == {intent["latest_charge"]}
    assert {m: t["destination"] for m, t in transfers.items()} == accounts
    assert {t["transfer_group"] for t in transfers.values()} == {order["id"]}

    refunded = market.act(order["id"], first, "refunds", amount_cents=12_99, reason="abîmé")
    assert refunded.status_code == 201, refunded.text
    settle(api)
    part = next(m for m in refunded.json()["merchant_orders"] if m["merchant_id"] == first)
    refund_share = part["refunds"][0]["share"]["cents"]
    [reversal] = fake.reversals.values()
    assert (reversal["amount"], reversal["transfer"]) == (refund_share, transfers[first]["id"])
    assert fake.charges[intent["latest_charge"]]["amount_refunded"] == 12_99

    ledger = api.client.get(f"/v1/merchants/{first}/payouts",
                            headers=market.merchants[first][0]).json()
    [row] = ledger["items"]
    assert (row["share_cents"], row["transferred_cents"], row["reversed_cents"],
            row["refunded_share_cents"], row["owed_cents"], row["paid_cents"]) == (
        shares[first], shares[first], refund_share, refund_share, 0,
        shares[first] - refund_share)
    assert reconcile(api.container.ledger.payouts_of(), api.container.gateway) == []


def test_webhooks_are_verified_deduplicated_and_converge_in_any_order(
    stripe_api: tuple[Api, FakeStripe],
) -> None:
    api, fake = stripe_api
    market = Market(api, fake)
    order = market.order()  # no payment method: the consumer's device will confirm
    assert (order["status"], order["payment"]["status"]) == ("awaiting_payment", "pending")
    assert order["payment"]["client_secret"].startswith("pi_")
    [intent] = fake.payment_intents.values()
    before = api.log_length()

    payload, header = signed_event("payment_intent.succeeded", intent, SECRET)
    post = api.client.post
    url = "/v1/payments/webhooks/stripe"
    rejected = [
        post(url, content=payload),  # no signature
        post(url, content=payload.replace(b'"pi_', b'"pX_'), headers={"Stripe-Signature": header}),
        post(url, content=payload, headers={"Stripe-Signature": sign(payload, "whsec_other")}),
        post(url, content=payload, headers={"Stripe-Signature": sign(
            payload, SECRET, int(time.time()) - 301)}),
    ]
    assert [(r.status_code, r.json()["code"]) for r in rejected] == [
        (400, "signature_missing"), (400, "signature_invalid"), (400, "signature_invalid"),
        (400, "signature_stale")]
    assert rejected[0].headers["content-type"] == "application/problem+json"
    assert api.log_length() == before  # nothing recorded

    # The device confirms; Stripe says the payment can be captured: we capture it.
    intent["payment_method"] = "pm_card_visa"
    fake._confirm(intent)  # noqa: SLF001 - what Stripe.js does on the consumer's device
    refunded_first = dict(fake.charges[intent["latest_charge"]], amount_refunded=0)
    # Out of order: a charge.refunded comes before anything else; it proves the capture.
    assert deliver(api, "charge.refunded", refunded_first).json() == {
        "received": True, "duplicate": False}
    seen = api.client.get(f"/v1/orders/{order['id']}", headers=market.shop.consumer).json()
    assert (seen["status"], seen["payment"]["status"]) == ("confirmed", "captured")

    capturable = deliver(api, "payment_intent.amount_capturable_updated", intent)
    assert capturable.status_code == 200
    first = signed_event("payment_intent.succeeded", intent, SECRET)
    headers = {"Stripe-Signature": first[1]}
    assert post(url, content=first[0], headers=headers).json()["duplicate"] is False
    length = api.log_length()
    assert post(url, content=first[0], headers=headers).json()["duplicate"] is True
    assert api.log_length() == length  # a redelivery changes nothing

    dispute = {"id": "dp_1", "object": "dispute", "amount": 5_00, "charge": intent[
        "latest_charge"], "payment_intent": intent["id"], "reason": "fraudulent",
        "status": "needs_response", "metadata": {}}
    assert deliver(api, "charge.dispute.created", dispute).status_code == 200
    disputed = api.client.get(f"/v1/orders/{order['id']}", headers=market.shop.consumer).json()
    assert disputed["disputes"] == [{"id": "dp_1", "amount": {"cents": 5_00, "currency": "CAD"},
                                     "reason": "fraudulent"}]
    # A type the platform does not act on is recorded once, and changes nothing else.
    assert deliver(api, "payment_intent.created", intent).json()["duplicate"] is False
    assert api.client.get(f"/v1/orders/{order['id']}",
                          headers=market.shop.consumer).json() == disputed
    notifications = api.container.app.recorder.select_notifications(1, 100_000)
    events = [n.topic for n in notifications]
    assert events.count("comptoir.Order.PaymentCaptured") == 1
    assert events.count("comptoir.WebhookDelivery.Received") == 5
    recorded = [api.container.webhooks.find(n.originator_id) for n in notifications
                if n.topic == "comptoir.WebhookDelivery.Received"]
    assert [getattr(r, "kind", None) for r in recorded] == [  # the domain's kinds, not Stripe's
        "payment_refunded", "payment_authorized", "payment_captured", "payment_disputed",
        "ignored"]


def test_payouts_and_statements_are_the_merchants_own(
    stripe_api: tuple[Api, FakeStripe],
) -> None:
    api, fake = stripe_api
    market = Market(api, fake)
    first, second, _ = market.merchants
    for merchant_id in market.merchants:
        market.onboard(merchant_id)
    order = market.order(payment_method="pm_card_visa")
    assert market.act(order["id"], first, "acceptance").status_code == 200
    assert market.act(order["id"], first, "fulfilment").status_code == 200
    settle(api)
    owner = market.merchants[first][0]
    other = market.merchants[second][0]
    assert api.client.get(f"/v1/merchants/{first}/payouts", headers=other).status_code == 404
    assert api.client.get(f"/v1/merchants/{first}/payouts").status_code == 401
    month = api.client.get(f"/v1/merchants/{first}/payouts", headers=owner).json()[
        "items"][0]["captured_at"]
    month = _quebec_month(month)
    statement = api.client.get(f"/v1/merchants/{first}/payout-statements/{month}",
                               headers=owner).json()
    share = next(m["merchant_share"]["cents"] for m in order["merchant_orders"]
                 if m["merchant_id"] == first)
    assert (statement["totals"]["share_cents"], statement["totals"]["transferred_cents"],
            statement["totals"]["owed_cents"]) == (share, share, 0)
    assert [line["kind"] for line in statement["lines"]][-1] == "transfer"
    as_csv = api.client.get(f"/v1/merchants/{first}/payout-statements/{month}?format=csv",
                            headers=owner)
    assert as_csv.headers["content-type"].startswith("text/csv")
    lines = as_csv.text.splitlines()
    assert lines[0] == "date,commande,type,montant_cents,taxes_remises_par,reference"
    assert f"total,,share,{share},," in lines
    bad = api.client.get(f"/v1/merchants/{first}/payout-statements/2026-13", headers=owner)
    assert (bad.status_code, bad.json()["code"]) == (422, "month_invalid")


def _quebec_month(iso: str) -> str:
    from datetime import datetime

    from projections.payouts_ledger import month_of

    return month_of(datetime.fromisoformat(iso.replace("Z", "+00:00")))


def test_killed_between_the_stripe_transfer_and_its_record_the_restart_pays_once(
    stripe_api: tuple[Api, FakeStripe],
) -> None:
    api, fake = stripe_api
    market = Market(api, fake)
    merchant_id = next(iter(market.merchants))
    market.onboard(merchant_id)
    order = market.order(payment_method="pm_card_visa")
    assert market.act(order["id"], merchant_id, "acceptance").status_code == 200
    assert market.act(order["id"], merchant_id, "fulfilment").status_code == 200
    payouts = api.container.payouts
    real = payouts.gateway

    payouts.gateway = CrashAfterTransfer(real)  # type: ignore[assignment]
    with pytest.raises(SystemExit):
        settle(api)
    payouts.gateway = real  # the restarted process (its position was not recorded)
    settle(api)

    [transfer] = fake.transfers.values()
    sent = fake.sent("POST", "/v1/transfers")
    assert len(sent) == 2 and sent[0].idempotency_key == sent[1].idempotency_key
    share = next(m["merchant_share"]["cents"] for m in order["merchant_orders"]
                 if m["merchant_id"] == merchant_id)
    assert (transfer["amount"], transfer["metadata"]["merchant_id"]) == (share, merchant_id)
    assert reconcile(api.container.ledger.payouts_of(), api.container.gateway) == []


def test_a_payment_the_gateway_did_not_answer_completes_once_it_recovers(
    stripe_api: tuple[Api, FakeStripe],
) -> None:
    api, fake = stripe_api
    market = Market(api, fake)
    fake.fail_next("/v1/payment_intents", 500, times=3)  # the library's 3 attempts all fail
    order = market.order(payment_method="pm_card_visa")
    assert (order["status"], order["payment"]["status"], order["payment"]["note"]) == (
        "awaiting_payment", "pending", "gateway_gateway_error")

    api.container.projections.settle()
    waiting = api.container.projections["deadlines"].store.waiting(  # type: ignore[attr-defined]
        datetime.now(UTC), 100)
    assert api.container.payments.retry_delayed(waiting) == 1  # the payments job
    paid = api.client.get(f"/v1/orders/{order['id']}", headers=market.shop.consumer).json()
    assert (paid["status"], paid["payment"]["status"]) == ("confirmed", "captured")
    assert len(fake.payment_intents) == 1  # charged once
    keys = {r.idempotency_key for r in fake.sent("POST", "/v1/payment_intents")}
    assert keys == {f"{order['id']}:payment"}
    assert api.container.payments.retry_delayed(waiting) == 0  # nothing left to ask
