"""The PaymentGateway contract: ONE suite, run against each gateway the application may be
given — the local gateway (a SQLite file) and the Stripe adapter with the real `stripe`
library against tests/fake_stripe.py — covering every operation of the port as the
application relies on it (application/payments.py, payouts.py, reconciliation.py).

Where the gateways differ by design, the difference is a field of the case
(tests/integration/gateway_cases.py), never a test of the gateway's name here. A known bug
(a difference the application notices) is named with `diverges(...)`: a strict xfail on the
gateway at fault."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from uuid import UUID, uuid4

import pytest

from application.errors import (
    GatewayUnavailableError,
    IdempotencyKeyReusedError,
    ReversalRefusedError,
)
from application.ports import OrderRecords, PaymentGateway, PayoutAccountStatus, TransferRecord
from domain.errors import RuleViolatedError
from domain.money import Money
from tests.integration.gateway_cases import CASES, READY, GatewayCase


@pytest.fixture(params=list(CASES))
def case(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[GatewayCase]:
    with CASES[request.param](tmp_path) as built:
        yield built


@pytest.fixture
def gateway(case: GatewayCase) -> PaymentGateway:
    return case.gateway


@pytest.fixture
def diverges(case: GatewayCase, request: pytest.FixtureRequest) -> Callable[[str], None]:
    """Name the known bug a test exposes: a strict xfail on the gateway that has it."""

    def known(name: str) -> None:
        if (bug := case.divergences.get(name)) is not None:
            request.applymarker(pytest.mark.xfail(reason=bug.reason, raises=bug.raises,
                                                  strict=True))

    return known


def authorized(gateway: PaymentGateway, cents: int) -> tuple[UUID, str]:
    order_id = uuid4()
    outcome = gateway.create_payment(order_id, Money(cents), "pm_card_visa", f"{order_id}:payment")
    assert outcome.status == "authorized"
    return order_id, outcome.payment_id


def paid(gateway: PaymentGateway, cents: int) -> tuple[UUID, str]:
    order_id, payment_id = authorized(gateway, cents)
    assert gateway.capture(payment_id, Money(cents), f"{order_id}:capture").status == "captured"
    return order_id, payment_id


def ready_account(case: GatewayCase) -> str:
    account_id = case.gateway.open_account(uuid4(), f"account:{uuid4()}")
    case.onboard(account_id)
    return account_id


def transfer(gateway: PaymentGateway, order: tuple[UUID, str], account_id: str, cents: int,
             key: str, merchant_id: UUID | None = None) -> str:
    return gateway.transfer(payment_id=order[1], account_id=account_id, amount=Money(cents),
                            order_id=order[0], merchant_id=merchant_id or uuid4(),
                            idempotency_key=key)


def records(gateway: PaymentGateway, order: tuple[UUID, str | None]) -> OrderRecords:
    return gateway.order_records(*order)


# --- payments: authorised, then captured -----------------------------------------------------

def test_an_approved_card_is_authorised_and_nothing_is_captured_yet(
        gateway: PaymentGateway) -> None:
    order_id = uuid4()
    outcome = gateway.create_payment(order_id, Money(25_00), "pm_card_visa", "o-1:payment")
    assert (outcome.status, outcome.failure_reason) == ("authorized", None)
    assert records(gateway, (order_id, outcome.payment_id)) == OrderRecords(Money(0), Money(0), ())


def test_a_capture_takes_the_authorised_amount(gateway: PaymentGateway) -> None:
    order = authorized(gateway, 25_00)
    captured = gateway.capture(order[1], Money(25_00), "o-1:capture")
    assert captured == gateway.capture(order[1], Money(25_00), "o-1:capture")  # the same key
    assert (captured.payment_id, captured.status, captured.failure_reason) == (
        order[1], "captured", None)
    assert records(gateway, order) == OrderRecords(Money(25_00), Money(0), ())


def test_the_same_payment_key_twice_charges_once(gateway: PaymentGateway) -> None:
    order_id = uuid4()
    first = gateway.create_payment(order_id, Money(19_99), "pm_card_visa", "o-2:payment")
    again = gateway.create_payment(order_id, Money(19_99), "pm_card_visa", "o-2:payment")
    assert again == first
    gateway.capture(first.payment_id, Money(19_99), "o-2:capture")
    assert records(gateway, (order_id, first.payment_id)).captured == Money(19_99)


def test_a_payment_with_no_method_is_as_the_gateway_asks_for_it(case: GatewayCase) -> None:
    outcome = case.gateway.create_payment(uuid4(), Money(12_34), None, "o-3:payment")
    assert (outcome.status, outcome.failure_reason) == (case.without_method, None)


def test_only_a_payment_awaiting_confirmation_carries_a_client_secret(
        gateway: PaymentGateway, diverges: Callable[[str], None]) -> None:
    diverges("client_secret")
    approved = gateway.create_payment(uuid4(), Money(10_00), "pm_card_visa", "o-4:payment")
    declined = gateway.create_payment(uuid4(), Money(10_00), "pm_card_chargeDeclined",
                                      "o-5:payment")
    assert (approved.client_secret, declined.client_secret) == (None, None)


@pytest.mark.parametrize(("method", "reason"), [("pm_card_chargeDeclined", "generic_decline"),
                                                ("pm_card_insufficientFunds",
                                                 "insufficient_funds")])
def test_a_declined_card_is_a_failed_payment_with_its_decline_code_and_charges_nothing(
        gateway: PaymentGateway, diverges: Callable[[str], None], method: str,
        reason: str) -> None:
    diverges(f"decline:{method}")
    order_id = uuid4()
    first = gateway.create_payment(order_id, Money(10_00), method, "o-6:payment")
    assert gateway.create_payment(order_id, Money(10_00), method, "o-6:payment") == first
    assert (first.status, first.failure_reason) == ("failed", reason)
    assert records(gateway, (order_id, first.payment_id)) == OrderRecords(Money(0), Money(0), ())


def test_a_declined_payment_cannot_be_captured(gateway: PaymentGateway) -> None:
    declined = gateway.create_payment(uuid4(), Money(10_00), "pm_card_chargeDeclined", "p")
    with pytest.raises(RuleViolatedError) as refused:
        gateway.capture(declined.payment_id, Money(10_00), "c")
    assert refused.value.code == "payment_not_capturable"


def test_a_capture_above_the_authorised_amount_is_refused(gateway: PaymentGateway) -> None:
    order = authorized(gateway, 10_00)
    with pytest.raises(RuleViolatedError) as refused:
        gateway.capture(order[1], Money(10_01), "c")
    assert refused.value.code == "payment_not_capturable"
    assert records(gateway, order).captured == Money(0)


def test_a_captured_payment_is_not_captured_again_under_another_key(
        gateway: PaymentGateway, diverges: Callable[[str], None]) -> None:
    diverges("capture_twice")
    order = paid(gateway, 25_00)
    with pytest.raises(RuleViolatedError) as refused:
        gateway.capture(order[1], Money(5_00), "another-capture")
    assert refused.value.code == "payment_not_capturable"
    assert records(gateway, order).captured == Money(25_00)


def test_a_gateway_that_does_not_answer_charges_nothing_and_the_same_key_later_charges_once(
        case: GatewayCase) -> None:
    gateway, order_id = case.gateway, uuid4()
    with pytest.raises(GatewayUnavailableError) as unavailable:
        gateway.create_payment(order_id, Money(8_00), case.outage(), "o-7:payment")
    assert unavailable.value.reason == case.outage_reason

    retried = gateway.create_payment(order_id, Money(8_00), "pm_card_visa", "o-7:payment")
    assert retried.status == "authorized"
    gateway.capture(retried.payment_id, Money(8_00), "o-7:capture")
    assert records(gateway, (order_id, retried.payment_id)).captured == Money(8_00)


def test_a_key_sent_again_with_other_parameters_is_refused(
        gateway: PaymentGateway, diverges: Callable[[str], None]) -> None:
    diverges("key_reuse")
    gateway.create_payment(uuid4(), Money(10_00), "pm_card_visa", "same-key")
    with pytest.raises(IdempotencyKeyReusedError):
        gateway.create_payment(uuid4(), Money(11_00), "pm_card_visa", "same-key")


# --- refunds ---------------------------------------------------------------------------------

def test_refunds_in_parts_never_exceed_the_capture(gateway: PaymentGateway) -> None:
    order = paid(gateway, 30_00)
    first = gateway.refund(order[1], Money(20_00), "refund:a")
    with pytest.raises(RuleViolatedError) as refused:
        gateway.refund(order[1], Money(10_01), "refund:b")
    assert refused.value.code == "refund_exceeds_captured"
    rest = gateway.refund(order[1], Money(10_00), "refund:c")
    assert first != rest
    with pytest.raises(RuleViolatedError):
        gateway.refund(order[1], Money(1), "refund:d")
    assert records(gateway, order) == OrderRecords(Money(30_00), Money(30_00), ())


def test_the_same_refund_key_twice_refunds_once(gateway: PaymentGateway) -> None:
    order = paid(gateway, 30_00)
    first = gateway.refund(order[1], Money(20_00), "refund:a")
    assert gateway.refund(order[1], Money(20_00), "refund:a") == first
    assert records(gateway, order).refunded == Money(20_00)


def test_a_payment_not_captured_cannot_be_refunded(gateway: PaymentGateway) -> None:
    order = authorized(gateway, 30_00)
    with pytest.raises(RuleViolatedError) as refused:
        gateway.refund(order[1], Money(1_00), "refund:a")
    assert refused.value.code == "refund_exceeds_captured"
    assert records(gateway, order).refunded == Money(0)


# --- transfers and reversals -----------------------------------------------------------------

def test_a_transfer_pays_the_connected_account_from_the_orders_charge(case: GatewayCase) -> None:
    gateway, order, merchant_id = case.gateway, paid(case.gateway, 50_00), uuid4()
    account_id = ready_account(case)
    transfer_id = transfer(gateway, order, account_id, 42_00, "transfer:1", merchant_id)
    assert records(gateway, order) == OrderRecords(
        Money(50_00), Money(0), (TransferRecord(transfer_id, merchant_id, Money(42_00),
                                                Money(0)),))


def test_the_same_transfer_key_twice_transfers_once(case: GatewayCase) -> None:
    gateway, order, merchant_id = case.gateway, paid(case.gateway, 50_00), uuid4()
    account_id = ready_account(case)
    first = transfer(gateway, order, account_id, 42_00, "transfer:1", merchant_id)
    assert transfer(gateway, order, account_id, 42_00, "transfer:1", merchant_id) == first
    assert records(gateway, order).transfers == (
        TransferRecord(first, merchant_id, Money(42_00), Money(0)),)


def test_a_transfer_above_what_is_left_of_the_charge_is_refused(case: GatewayCase) -> None:
    gateway, order = case.gateway, paid(case.gateway, 50_00)
    account_id = ready_account(case)
    transfer(gateway, order, account_id, 30_00, "transfer:1")
    with pytest.raises(RuleViolatedError) as refused:
        transfer(gateway, order, account_id, 20_01, "transfer:2")
    assert refused.value.code == case.transfer_refused
    assert [t.amount for t in records(gateway, order).transfers] == [Money(30_00)]


def test_a_payment_not_captured_cannot_be_transferred_from(case: GatewayCase) -> None:
    gateway, order = case.gateway, authorized(case.gateway, 50_00)
    account_id = ready_account(case)
    with pytest.raises(RuleViolatedError) as refused:
        transfer(gateway, order, account_id, 10_00, "transfer:1")
    assert refused.value.code == case.transfer_refused
    assert records(gateway, order).transfers == ()


def test_a_transfer_is_reversed_in_parts_up_to_its_amount(case: GatewayCase) -> None:
    gateway, order = case.gateway, paid(case.gateway, 50_00)
    transfer_id = transfer(gateway, order, ready_account(case), 40_00, "transfer:1")
    first = gateway.reverse_transfer(transfer_id, Money(15_00), "reversal:1:1")
    assert [t.reversed for t in records(gateway, order).transfers] == [Money(15_00)]
    rest = gateway.reverse_transfer(transfer_id, Money(25_00), "reversal:2:1")
    assert first != rest
    assert [(t.amount, t.reversed) for t in records(gateway, order).transfers] == [
        (Money(40_00), Money(40_00))]


def test_the_same_reversal_key_twice_reverses_once(case: GatewayCase) -> None:
    gateway, order = case.gateway, paid(case.gateway, 50_00)
    transfer_id = transfer(gateway, order, ready_account(case), 40_00, "transfer:1")
    first = gateway.reverse_transfer(transfer_id, Money(15_00), "reversal:1:1")
    assert gateway.reverse_transfer(transfer_id, Money(15_00), "reversal:1:1") == first
    assert [t.reversed for t in records(gateway, order).transfers] == [Money(15_00)]


def test_a_reversal_above_what_is_left_of_the_transfer_breaks_a_rule(
        case: GatewayCase, diverges: Callable[[str], None]) -> None:
    diverges("reversal_exceeds_transfer")
    gateway, order = case.gateway, paid(case.gateway, 50_00)
    transfer_id = transfer(gateway, order, ready_account(case), 40_00, "transfer:1")
    gateway.reverse_transfer(transfer_id, Money(15_00), "reversal:1:1")
    with pytest.raises(RuleViolatedError) as refused:
        gateway.reverse_transfer(transfer_id, Money(25_01), "reversal:2:1")
    assert refused.value.code == "reversal_exceeds_transfer"
    assert [t.reversed for t in records(gateway, order).transfers] == [Money(15_00)]


def test_a_reversal_the_balance_cannot_cover_is_refused_and_not_remembered(
        case: GatewayCase) -> None:
    gateway, order, account_id = case.gateway, paid(case.gateway, 50_00), ready_account(case)
    transfer_id = transfer(gateway, order, account_id, 40_00, "transfer:1")
    case.drain(account_id)
    with pytest.raises(ReversalRefusedError) as refused:
        gateway.reverse_transfer(transfer_id, Money(10_00), "reversal:1:1")
    assert refused.value.reason == "balance_insufficient"
    assert [t.reversed for t in records(gateway, order).transfers] == [Money(0)]

    # Another order's transfer fills the balance again: the same key now goes through.
    transfer(gateway, paid(gateway, 30_00), account_id, 20_00, "transfer:2")
    gateway.reverse_transfer(transfer_id, Money(10_00), "reversal:1:1")
    assert [t.reversed for t in records(gateway, order).transfers] == [Money(10_00)]


# --- connected accounts ----------------------------------------------------------------------

def test_an_account_is_opened_once_per_key(gateway: PaymentGateway) -> None:
    merchant_id = uuid4()
    first = gateway.open_account(merchant_id, f"account:{merchant_id}")
    assert gateway.open_account(merchant_id, f"account:{merchant_id}") == first


def test_an_account_is_ready_once_the_merchant_has_done_what_the_gateway_asks(
        case: GatewayCase) -> None:
    account_id = case.gateway.open_account(uuid4(), "account:1")
    assert case.gateway.account_status(account_id) == case.opened(account_id)

    case.onboard(account_id)
    after = case.gateway.account_status(account_id)
    assert after == PayoutAccountStatus(account_id, *READY)
    assert after.ready


def test_an_onboarding_link_is_made_for_the_account(case: GatewayCase) -> None:
    account_id = case.gateway.open_account(uuid4(), "account:1")
    link = case.gateway.onboarding_link(account_id, "https://comptoir.test/refresh",
                                        "https://comptoir.test/return")
    assert link.startswith(case.link_prefix(account_id, "https://comptoir.test/return"))


# --- what reconciliation reads ---------------------------------------------------------------

def test_order_records_sum_up_that_orders_payment_refunds_and_transfers(
        case: GatewayCase) -> None:
    gateway = case.gateway
    order, other = paid(gateway, 100_00), paid(gateway, 20_00)
    first, second = ready_account(case), ready_account(case)
    merchant_a, merchant_b = uuid4(), uuid4()
    transfer_a = transfer(gateway, order, first, 40_00, "a", merchant_a)
    transfer_b = transfer(gateway, order, second, 35_00, "b", merchant_b)
    transfer(gateway, other, first, 15_00, "other", merchant_a)
    gateway.refund(order[1], Money(12_50), "refund")
    gateway.reverse_transfer(transfer_b, Money(12_50), "reversal")

    found = records(gateway, order)

    assert (found.captured, found.refunded) == (Money(100_00), Money(12_50))
    # In no particular order: reconciliation groups them by merchant.
    assert sorted(found.transfers, key=lambda t: t.amount) == [
        TransferRecord(transfer_b, merchant_b, Money(35_00), Money(12_50)),
        TransferRecord(transfer_a, merchant_a, Money(40_00), Money(0))]
    assert records(gateway, (order[0], None)) == OrderRecords(Money(0), Money(0),
                                                              found.transfers)


def test_an_order_never_paid_has_empty_records(gateway: PaymentGateway) -> None:
    assert gateway.order_records(uuid4(), None) == OrderRecords(Money(0), Money(0), ())
