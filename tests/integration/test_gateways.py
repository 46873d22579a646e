"""What only the local gateway does. What every gateway must do — payments, captures,
refunds, transfers, reversals, accounts, records, idempotency — is the contract suite
(test_gateway_contract.py), run against this gateway and the Stripe adapter alike."""

from __future__ import annotations

from pathlib import Path
from uuid import uuid4

import pytest

from adapters.local_gateway import LocalGateway
from application.errors import GatewayUnavailableError
from domain.money import Money


@pytest.fixture
def gateway(tmp_path: Path) -> LocalGateway:
    return LocalGateway(tmp_path / "gateway.sqlite3")


def test_records_and_answers_survive_a_restart(tmp_path: Path) -> None:
    first = LocalGateway(tmp_path / "g.sqlite3")
    order_id = uuid4()
    payment = first.create_payment(order_id, Money(5_00), "pm_card_visa", "p")
    first.capture(payment.payment_id, Money(5_00), "c")
    records = first.order_records(order_id, payment.payment_id)
    first.close()

    second = LocalGateway(tmp_path / "g.sqlite3")
    assert second.create_payment(order_id, Money(5_00), "pm_card_visa", "p") == payment
    assert second.order_records(order_id, payment.payment_id) == records
    assert records.captured == Money(5_00)


def test_the_timeout_card_never_answers_even_when_asked_again_with_its_key(
        gateway: LocalGateway) -> None:
    order_id = uuid4()
    for _ in range(2):  # the payments job asks again with the same method and key
        with pytest.raises(GatewayUnavailableError) as unavailable:
            gateway.create_payment(order_id, Money(10_00), "pm_card_timeout", "o:payment")
        assert unavailable.value.reason == "timeout"


def test_a_bank_payout_empties_the_accounts_balance(gateway: LocalGateway) -> None:
    order_id = uuid4()
    payment = gateway.create_payment(order_id, Money(50_00), "pm_card_visa", "p")
    gateway.capture(payment.payment_id, Money(50_00), "c")
    account_id = gateway.open_account(uuid4(), "a")
    gateway.transfer(payment_id=payment.payment_id, account_id=account_id, amount=Money(42_00),
                     order_id=order_id, merchant_id=uuid4(), idempotency_key="t")

    assert gateway.pay_out(account_id) == Money(42_00)
    assert gateway.pay_out(account_id) == Money(0)
