"""The Stripe gateway, with the real stripe library, against the fake Stripe of
tests/fake_stripe.py: what only this adapter does — the requests it sends, the answers it
reads, and what it makes of failures (declines, rate limits, 5xx, refusals, retries). What
every gateway must do (outcomes, amounts, idempotency, records) is the contract suite,
test_gateway_contract.py, run against this adapter and the local gateway alike. The library's
retries sleep 0.5 s to 1 s each: only the few tests about retries pay for them."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from uuid import UUID, uuid4

import pytest

from adapters.stripe_gateway import StripeGateway
from adapters.stripe_webhooks import StripeWebhooks
from application.errors import GatewayUnavailableError
from application.ports import PaymentCaptured, PaymentOutcome
from domain.errors import RuleViolatedError
from domain.money import Money
from tests.fake_stripe import FakeStripe, fake_stripe, signed_event

PAYMENT_INTENTS = "/v1/payment_intents"


@pytest.fixture
def fake() -> Iterator[FakeStripe]:
    with fake_stripe() as server:
        yield server


@pytest.fixture
def gateway(fake: FakeStripe) -> StripeGateway:
    return StripeGateway("sk_test_comptoir", api_base=fake.url, max_network_retries=2)


def paid(gateway: StripeGateway, cents: int) -> tuple[UUID, str]:
    """An order whose payment was authorised and captured in full."""
    order_id = uuid4()
    payment = gateway.create_payment(order_id, Money(cents), "pm_card_visa", f"{order_id}:pay")
    gateway.capture(payment.payment_id, Money(cents), f"{order_id}:capture")
    return order_id, payment.payment_id


def onboarded(gateway: StripeGateway, fake: FakeStripe) -> str:
    account_id = gateway.open_account(uuid4(), f"open:{uuid4()}")
    fake.complete_onboarding(account_id)
    return account_id


def keys(fake: FakeStripe, path: str) -> list[str | None]:
    return [r.idempotency_key for r in fake.sent("POST", path)]


# --- payments ------------------------------------------------------------------------------

def test_a_payment_carries_the_order_and_is_authorised_for_a_later_capture(
        gateway: StripeGateway, fake: FakeStripe) -> None:
    order_id = uuid4()
    outcome = gateway.create_payment(order_id, Money(25_00), "pm_card_visa", "order-1:payment")

    [intent_id] = fake.payment_intents
    assert outcome == PaymentOutcome(intent_id, "authorized")
    [request] = fake.sent("POST", PAYMENT_INTENTS)
    assert request.form == {
        "amount": "2500", "currency": "cad", "transfer_group": str(order_id),
        "metadata[order_id]": str(order_id), "capture_method": "manual",
        "allowed_payment_method_types[0]": "card", "payment_method": "pm_card_visa",
        "confirm": "true"}
    assert request.idempotency_key == "order-1:payment"
    assert fake.payment_intents[intent_id]["status"] == "requires_capture"


def test_without_a_method_the_consumers_device_confirms_with_the_client_secret(
        gateway: StripeGateway, fake: FakeStripe) -> None:
    outcome = gateway.create_payment(uuid4(), Money(12_34), None, "k")

    [intent] = fake.payment_intents.values()
    assert outcome == PaymentOutcome(intent["id"], "requires_confirmation",
                                     client_secret=intent["client_secret"])
    assert "confirm" not in fake.sent("POST", PAYMENT_INTENTS)[0].form


def test_capture_takes_the_amount_and_is_idempotent(gateway: StripeGateway,
                                                     fake: FakeStripe) -> None:
    payment = gateway.create_payment(uuid4(), Money(25_00), "pm_card_visa", "p")

    first = gateway.capture(payment.payment_id, Money(25_00), "order-1:capture")
    again = gateway.capture(payment.payment_id, Money(25_00), "order-1:capture")

    assert first == again == PaymentOutcome(payment.payment_id, "captured")
    path = f"{PAYMENT_INTENTS}/{payment.payment_id}/capture"
    assert [r.form for r in fake.sent("POST", path)] == [{"amount_to_capture": "2500"}] * 2
    assert keys(fake, path) == ["order-1:capture"] * 2
    charge = fake.charges[fake.payment_intents[payment.payment_id]["latest_charge"]]
    assert (charge["captured"], charge["amount_captured"]) == (True, 25_00)


def test_a_payment_that_cannot_be_captured_is_a_refusal(gateway: StripeGateway) -> None:
    payment = gateway.create_payment(uuid4(), Money(10_00), None, "p")
    with pytest.raises(RuleViolatedError) as refused:
        gateway.capture(payment.payment_id, Money(10_00), "c")
    assert refused.value.code == "payment_not_capturable"
    assert refused.value.params == {"status": "payment_intent_unexpected_state"}


def test_a_decline_that_names_no_payment_gets_a_placeholder_id(gateway: StripeGateway,
                                                               fake: FakeStripe) -> None:
    fake.fail_next(PAYMENT_INTENTS, 402, code="card_declined", decline_code="fraudulent")
    outcome = gateway.create_payment(uuid4(), Money(10_00), "pm_card_visa", "k")
    assert (outcome.status, outcome.failure_reason) == ("failed", "fraudulent")
    assert outcome.payment_id.startswith("pi_declined_") and len(outcome.payment_id) == 36
    assert fake.payment_intents == {}


# --- a gateway that does not answer ----------------------------------------------------------

def test_a_rate_limit_stripe_asks_to_retry_is_retried_with_the_same_key(
        gateway: StripeGateway, fake: FakeStripe) -> None:
    fake.fail_next(PAYMENT_INTENTS, 429, code="lock_timeout", should_retry=True)
    outcome = gateway.create_payment(uuid4(), Money(10_00), "pm_card_visa", "order-3:payment")
    assert outcome.status == "authorized"
    assert keys(fake, PAYMENT_INTENTS) == ["order-3:payment"] * 2
    assert len(fake.payment_intents) == 1


def test_a_plain_rate_limit_leaves_the_retry_to_the_caller_with_the_same_key(
        gateway: StripeGateway, fake: FakeStripe) -> None:
    fake.fail_next(PAYMENT_INTENTS, 429, code="rate_limit")
    order_id = uuid4()
    with pytest.raises(GatewayUnavailableError) as unavailable:
        gateway.create_payment(order_id, Money(10_00), "pm_card_visa", "order-4:payment")
    assert unavailable.value.reason == "rate_limited"
    assert fake.payment_intents == {}

    outcome = gateway.create_payment(order_id, Money(10_00), "pm_card_visa", "order-4:payment")
    assert outcome.status == "authorized"
    assert keys(fake, PAYMENT_INTENTS) == ["order-4:payment"] * 2


def test_a_server_error_is_retried_with_the_same_key(gateway: StripeGateway,
                                                     fake: FakeStripe) -> None:
    fake.fail_next(PAYMENT_INTENTS, 500)
    outcome = gateway.create_payment(uuid4(), Money(10_00), "pm_card_visa", "order-5:payment")
    [intent_id] = fake.payment_intents
    assert outcome == PaymentOutcome(intent_id, "authorized")
    assert keys(fake, PAYMENT_INTENTS) == ["order-5:payment"] * 2


def test_persistent_server_errors_make_the_gateway_unavailable(gateway: StripeGateway,
                                                               fake: FakeStripe) -> None:
    fake.fail_next(PAYMENT_INTENTS, 503, times=10)
    with pytest.raises(GatewayUnavailableError) as unavailable:
        gateway.create_payment(uuid4(), Money(10_00), "pm_card_visa", "order-6:payment")
    assert unavailable.value.reason == "gateway_error"
    assert keys(fake, PAYMENT_INTENTS) == ["order-6:payment"] * 3  # 1 try + 2 retries
    assert fake.payment_intents == {}


def test_an_unreachable_gateway_is_unavailable() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    gateway = StripeGateway("sk_test_comptoir", f"http://127.0.0.1:{port}",
                            max_network_retries=0)
    with pytest.raises(GatewayUnavailableError) as unavailable:
        gateway.create_payment(uuid4(), Money(10_00), "pm_card_visa", "k")
    assert unavailable.value.reason == "network"


# --- refunds -------------------------------------------------------------------------------

def test_a_refund_names_the_payment_intent_and_a_refusal_keeps_stripes_code(
        gateway: StripeGateway, fake: FakeStripe) -> None:
    _, payment_id = paid(gateway, 30_00)

    gateway.refund(payment_id, Money(20_00), "refund-a")
    gateway.refund(payment_id, Money(20_00), "refund-a")
    assert [r.form for r in fake.sent("POST", "/v1/refunds")] == [
        {"payment_intent": payment_id, "amount": "2000"}] * 2
    assert keys(fake, "/v1/refunds") == ["refund-a"] * 2
    with pytest.raises(RuleViolatedError) as refused:
        gateway.refund(payment_id, Money(10_01), "refund-b")
    assert (refused.value.code, refused.value.params) == (
        "refund_exceeds_captured", {"gateway_code": "amount_too_large"})


# --- transfers -----------------------------------------------------------------------------

def test_a_transfer_names_the_orders_charge_its_group_and_the_merchant(
        gateway: StripeGateway, fake: FakeStripe) -> None:
    order_id, payment_id = paid(gateway, 50_00)
    account_id = onboarded(gateway, fake)
    merchant_id = uuid4()

    for _ in range(2):
        gateway.transfer(payment_id=payment_id, account_id=account_id, amount=Money(42_00),
                         order_id=order_id, merchant_id=merchant_id, idempotency_key="t-1")

    sent = fake.sent("POST", "/v1/transfers")
    assert [r.form for r in sent] == [{
        "amount": "4200", "currency": "cad", "destination": account_id,
        "source_transaction": fake.payment_intents[payment_id]["latest_charge"],
        "transfer_group": str(order_id), "metadata[order_id]": str(order_id),
        "metadata[merchant_id]": str(merchant_id)}] * 2
    assert [r.idempotency_key for r in sent] == ["t-1"] * 2
    assert fake.balances[account_id] == 42_00


def test_a_transfer_to_an_account_not_onboarded_is_refused(gateway: StripeGateway) -> None:
    order_id, payment_id = paid(gateway, 10_00)
    account_id = gateway.open_account(uuid4(), "open")
    with pytest.raises(RuleViolatedError) as refused:
        gateway.transfer(payment_id=payment_id, account_id=account_id, amount=Money(5_00),
                         order_id=order_id, merchant_id=uuid4(), idempotency_key="t")
    assert (refused.value.code, refused.value.params) == (
        "gateway_refused", {"gateway_code": "insufficient_capabilities_for_transfer"})


def test_a_transfer_from_a_payment_never_confirmed_is_refused_before_stripe_is_asked(
        gateway: StripeGateway, fake: FakeStripe) -> None:
    payment = gateway.create_payment(uuid4(), Money(10_00), None, "p")
    with pytest.raises(RuleViolatedError) as refused:
        gateway.transfer(payment_id=payment.payment_id, account_id=onboarded(gateway, fake),
                         amount=Money(5_00), order_id=uuid4(), merchant_id=uuid4(),
                         idempotency_key="t")
    assert (refused.value.code, refused.value.params) == (
        "gateway_refused", {"gateway_code": "charge_missing"})
    assert fake.sent("POST", "/v1/transfers") == []


def test_a_reversal_sends_its_amount_and_key(gateway: StripeGateway, fake: FakeStripe) -> None:
    order_id, payment_id = paid(gateway, 50_00)
    account_id = onboarded(gateway, fake)
    transfer_id = gateway.transfer(payment_id=payment_id, account_id=account_id,
                                   amount=Money(40_00), order_id=order_id,
                                   merchant_id=uuid4(), idempotency_key="t")

    gateway.reverse_transfer(transfer_id, Money(15_00), "r-1")
    gateway.reverse_transfer(transfer_id, Money(15_00), "r-1")

    path = f"/v1/transfers/{transfer_id}/reversals"
    assert [r.form for r in fake.sent("POST", path)] == [{"amount": "1500"}] * 2
    assert keys(fake, path) == ["r-1"] * 2
    assert fake.balances[account_id] == 25_00


# --- connected accounts --------------------------------------------------------------------

def test_a_merchant_account_is_opened_as_express_with_the_platform_paying_the_fees(
        gateway: StripeGateway, fake: FakeStripe) -> None:
    merchant_id = uuid4()
    account_id = gateway.open_account(merchant_id, "merchant-1:account")
    [request] = fake.sent("POST", "/v1/accounts")
    assert request.form == {
        "country": "CA", "controller[fees][payer]": "application",
        "controller[losses][payments]": "application",
        "controller[stripe_dashboard][type]": "express",
        "capabilities[transfers][requested]": "true",
        "metadata[merchant_id]": str(merchant_id)}
    assert request.idempotency_key == "merchant-1:account"

    first = gateway.onboarding_link(account_id, "https://comptoir.test/refresh",
                                    "https://comptoir.test/return")
    again = gateway.onboarding_link(account_id, "https://comptoir.test/refresh",
                                    "https://comptoir.test/return")
    assert first != again  # single-use links: each call makes a new one
    sent = fake.sent("POST", "/v1/account_links")
    assert [r.form for r in sent] == [
        {"account": account_id, "refresh_url": "https://comptoir.test/refresh",
         "return_url": "https://comptoir.test/return", "type": "account_onboarding"}] * 2
    assert sent[0].idempotency_key != sent[1].idempotency_key  # never replayed


# --- reconciliation ------------------------------------------------------------------------

def test_order_records_read_the_charge_and_list_the_orders_transfer_group(
        gateway: StripeGateway, fake: FakeStripe) -> None:
    order_id, payment_id = paid(gateway, 100_00)

    gateway.order_records(order_id, payment_id)

    [intent] = fake.sent("GET", f"{PAYMENT_INTENTS}/{payment_id}")
    assert intent.query == {"expand[0]": "latest_charge"}
    [listing] = fake.sent("GET", "/v1/transfers")
    assert listing.query == {"transfer_group": str(order_id), "limit": "100"}


# --- webhooks about what the gateway did ---------------------------------------------------

def test_a_webhook_about_the_captured_payment_names_the_same_ids(gateway: StripeGateway,
                                                                 fake: FakeStripe) -> None:
    order_id, payment_id = paid(gateway, 25_00)
    intent = fake.payment_intents[payment_id]
    payload, header = signed_event("payment_intent.succeeded", intent, "whsec_test")

    event = StripeWebhooks("whsec_test").parse(payload, header)

    assert event == PaymentCaptured(event_id=event.event_id, payment_id=payment_id,
                                    order_id=order_id)
    assert event.event_id.startswith("evt_")
