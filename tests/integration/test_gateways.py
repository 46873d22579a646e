"""The PaymentGateway contract: what any gateway adapter must do (the local one here; the
Stripe one is held to the same)."""

from __future__ import annotations

from pathlib import Path
from uuid import uuid4

import pytest

from adapters.local_gateway import LocalGateway
from application.errors import GatewayUnavailableError
from domain.errors import RuleViolatedError
from domain.money import Money


@pytest.fixture
def gateway(tmp_path: Path) -> LocalGateway:
    return LocalGateway(tmp_path / "gateway.sqlite3")


def test_a_payment_is_created_once_per_key(gateway: LocalGateway) -> None:
    order_id = uuid4()
    first = gateway.create_payment(order_id, Money(25_00), "pm_card_visa", "order-1:payment")
    again = gateway.create_payment(order_id, Money(25_00), "pm_card_visa", "order-1:payment")
    assert first == again and first.status == "authorized"
    captured = gateway.capture(first.payment_id, Money(25_00), "order-1:capture")
    assert captured.status == "captured"
    assert gateway.capture(first.payment_id, Money(25_00), "order-1:capture") == captured


def test_declines_and_timeouts(gateway: LocalGateway) -> None:
    declined = gateway.create_payment(uuid4(), Money(10_00), "pm_card_chargeDeclined", "k1")
    assert (declined.status, declined.failure_reason) == ("failed", "card_declined")
    with pytest.raises(GatewayUnavailableError):
        gateway.create_payment(uuid4(), Money(10_00), "pm_card_timeout", "k2")


def test_refunds_are_idempotent_and_bounded_by_the_capture(gateway: LocalGateway) -> None:
    payment = gateway.create_payment(uuid4(), Money(30_00), None, "p")
    gateway.capture(payment.payment_id, Money(30_00), "c")
    refund = gateway.refund(payment.payment_id, Money(20_00), "refund-a")
    assert gateway.refund(payment.payment_id, Money(20_00), "refund-a") == refund
    with pytest.raises(RuleViolatedError):
        gateway.refund(payment.payment_id, Money(10_01), "refund-b")
    gateway.refund(payment.payment_id, Money(10_00), "refund-c")
    assert gateway.payment(payment.payment_id)["refunded"] == 30_00


def test_records_survive_a_restart(tmp_path: Path) -> None:
    first = LocalGateway(tmp_path / "g.sqlite3")
    payment = first.create_payment(uuid4(), Money(5_00), None, "p")
    first.close()
    second = LocalGateway(tmp_path / "g.sqlite3")
    assert second.create_payment(uuid4(), Money(5_00), None, "p") == payment
