"""Stripe webhooks: signed with stripe-python's own helper over Stripe's example objects, then
verified and translated by the adapter into the port's domain events (Stripe's types never
reach the application). No network."""

from __future__ import annotations

import json
import time
from typing import Any
from uuid import uuid4

import pytest

from adapters.stripe_webhooks import StripeWebhooks
from application.errors import InvalidWebhookError
from application.ports import (
    BankPayoutFailed,
    BankPayoutPaid,
    GatewayEvent,
    GatewayEventKind,
    IgnoredGatewayEvent,
    PaymentAuthorized,
    PaymentCaptured,
    PaymentDisputed,
    PaymentFailed,
    PaymentRefunded,
    PayoutAccountStatus,
    PayoutAccountUpdated,
    TransferMade,
    TransferReversed,
)
from domain.money import Money
from tests.fake_stripe import fixture, sign, signed_event

SECRET = "whsec_test_comptoir"
ORDER = uuid4()
MERCHANT = uuid4()
webhooks = StripeWebhooks(SECRET)


def parse(kind: str, obj: dict[str, Any], account: str | None = None) -> GatewayEvent:
    payload, header = signed_event(kind, obj, SECRET, account=account)
    event = webhooks.parse(payload, header)
    assert event.event_id == json.loads(payload)["id"]
    return event


# --- the mapping: every Stripe type the platform acts on, to its domain kind ---------------

def intent(**fields: Any) -> dict[str, Any]:
    return fixture("payment_intent", id="pi_1", amount=25_00, latest_charge="ch_1",
                   metadata={"order_id": str(ORDER)}, transfer_group=str(ORDER)) | fields


def transfer(**fields: Any) -> dict[str, Any]:
    return fixture("transfer", id="tr_1", amount=20_00, amount_reversed=0,
                   destination="acct_1", transfer_group=str(ORDER),
                   metadata={"order_id": str(ORDER), "merchant_id": str(MERCHANT)}) | fields


ACCOUNT = fixture("account", id="acct_1", charges_enabled=True, payouts_enabled=False,
                  details_submitted=True, metadata={"merchant_id": str(MERCHANT)})

MAPPING: list[tuple[str, dict[str, Any], str | None, GatewayEventKind, GatewayEvent]] = [
    ("payment_intent.amount_capturable_updated",
     intent(status="requires_capture", amount_capturable=25_00), None,
     GatewayEventKind.PAYMENT_AUTHORIZED,
     PaymentAuthorized(event_id="", payment_id="pi_1", order_id=ORDER)),
    ("payment_intent.succeeded", intent(status="succeeded", amount_received=25_00), None,
     GatewayEventKind.PAYMENT_CAPTURED,
     PaymentCaptured(event_id="", payment_id="pi_1", order_id=ORDER)),
    ("payment_intent.payment_failed", intent(status="requires_payment_method",
                                             last_payment_error={"code": "card_declined",
                                                                 "decline_code": "lost_card"}),
     None, GatewayEventKind.PAYMENT_FAILED,
     PaymentFailed(event_id="", payment_id="pi_1", order_id=ORDER, reason="lost_card")),
    ("charge.refunded", fixture("charge", id="ch_3", payment_intent="pi_3", amount=30_00,
                                amount_refunded=12_00, metadata={"order_id": str(ORDER)}),
     None, GatewayEventKind.PAYMENT_REFUNDED,
     PaymentRefunded(event_id="", payment_id="pi_3", order_id=ORDER)),
    ("charge.dispute.created", fixture("dispute", payment_intent="pi_4", amount=30_00), None,
     GatewayEventKind.PAYMENT_DISPUTED,
     PaymentDisputed(event_id="", payment_id="pi_4", dispute_id="dp_1Pgc71B7WZ01zgkWMevJiAUx",
                     amount=Money(30_00), reason="general")),
    ("account.updated", ACCOUNT, "acct_1", GatewayEventKind.PAYOUT_ACCOUNT_UPDATED,
     PayoutAccountUpdated(event_id="", merchant_id=MERCHANT, status=PayoutAccountStatus(
         "acct_1", True, False, True, tuple(ACCOUNT["requirements"]["currently_due"])))),
    ("transfer.created", transfer(), None, GatewayEventKind.TRANSFER_MADE,
     TransferMade(event_id="", transfer_id="tr_1", order_id=ORDER, merchant_id=MERCHANT)),
    ("transfer.reversed", transfer(amount_reversed=5_00, metadata={"merchant_id": str(MERCHANT)}),
     None, GatewayEventKind.TRANSFER_REVERSED,  # the order from the transfer group
     TransferReversed(event_id="", transfer_id="tr_1", order_id=ORDER, merchant_id=MERCHANT,
                      reversed=Money(5_00))),
    ("payout.paid", fixture("payout", id="po_1", amount=45_00, status="paid"), "acct_9",
     GatewayEventKind.BANK_PAYOUT_PAID,
     BankPayoutPaid(event_id="", payout_id="po_1", amount=Money(45_00), account_id="acct_9")),
    ("payout.failed", fixture("payout", id="po_2", amount=45_00, status="failed",
                              failure_code="account_closed",
                              metadata={"merchant_id": str(MERCHANT)}), "acct_9",
     GatewayEventKind.BANK_PAYOUT_FAILED,
     BankPayoutFailed(event_id="", payout_id="po_2", amount=Money(45_00), account_id="acct_9",
                      merchant_id=MERCHANT, reason="account_closed")),
]


@pytest.mark.parametrize(("stripe_type", "obj", "account", "kind", "expected"), MAPPING,
                         ids=[row[0] for row in MAPPING])
def test_each_stripe_type_becomes_its_domain_event(stripe_type: str, obj: dict[str, Any],
                                                   account: str | None, kind: GatewayEventKind,
                                                   expected: GatewayEvent) -> None:
    event = parse(stripe_type, obj, account=account)
    assert event.kind == kind
    assert event == type(expected)(**vars(expected) | {"event_id": event.event_id})


def test_every_kind_but_ignored_comes_from_one_stripe_type_or_two() -> None:
    assert {row[3] for row in MAPPING} == set(GatewayEventKind) - {GatewayEventKind.IGNORED}
    assert all(type(row[4]).kind == row[3] for row in MAPPING)


@pytest.mark.parametrize("stripe_type", [
    "payment_intent.created", "payment_intent.canceled", "charge.succeeded",
    "charge.refund.updated", "capability.updated", "transfer.updated", "payout.created",
    "plan.created"])
def test_other_stripe_types_are_ignored(stripe_type: str) -> None:
    obj = {"payment_intent": intent(), "charge": fixture("charge"), "transfer": transfer(),
           "payout": fixture("payout"), "charge.refund": fixture("refund"),
           "capability": {"id": "transfers", "object": "capability", "account": "acct_1"},
           }.get(stripe_type.rsplit(".", 1)[0], fixture("event")["data"]["object"])
    event = parse(stripe_type, obj, account="acct_1")
    assert event == IgnoredGatewayEvent(event_id=event.event_id)
    assert event.kind == GatewayEventKind.IGNORED


def test_a_known_type_carrying_another_object_is_ignored() -> None:
    event = parse("payment_intent.succeeded", fixture("charge"))
    assert event == IgnoredGatewayEvent(event_id=event.event_id)


@pytest.mark.parametrize(("error", "reason"), [
    ({"type": "card_error", "code": "card_declined", "decline_code": "insufficient_funds"},
     "insufficient_funds"),
    ({"type": "card_error", "code": "expired_card"}, "expired_card"),
    (None, None)])
def test_a_payment_that_failed_names_the_decline(error: dict[str, str] | None,
                                                 reason: str | None) -> None:
    event = parse("payment_intent.payment_failed", intent(last_payment_error=error))
    assert isinstance(event, PaymentFailed) and event.reason == reason


def test_a_refunded_charge_without_metadata_names_its_payment() -> None:
    charge = fixture("charge", id="ch_3", payment_intent="pi_3", amount_refunded=12_00)
    event = parse("charge.refunded", charge)
    assert event == PaymentRefunded(event_id=event.event_id, payment_id="pi_3")


def test_an_updated_account_carries_its_requirements() -> None:
    event = parse("account.updated", ACCOUNT, account="acct_1")
    assert isinstance(event, PayoutAccountUpdated)
    assert len(event.status.requirements) == 6


def test_an_order_id_must_be_a_uuid() -> None:
    event = parse("transfer.created", transfer(id="tr_3", transfer_group="group-7",
                                               metadata={"merchant_id": "m-7"}))
    assert event == TransferMade(event_id=event.event_id, transfer_id="tr_3")


def test_missing_amounts_are_zero() -> None:
    event = parse("transfer.reversed", transfer(amount_reversed=None))
    assert isinstance(event, TransferReversed) and event.reversed == Money(0)


# --- refused deliveries --------------------------------------------------------------------

def refused(payload: bytes, header: str | None, verifier: StripeWebhooks = webhooks) -> str:
    with pytest.raises(InvalidWebhookError) as error:
        verifier.parse(payload, header)
    return error.value.reason


def delivery() -> tuple[bytes, str]:
    charge = fixture("charge", id="ch_5", amount_refunded=10_00)
    return signed_event("charge.refunded", charge, SECRET)


def test_a_missing_signature_is_refused() -> None:
    payload, _ = delivery()
    assert refused(payload, None) == "signature_missing"
    assert refused(payload, "") == "signature_missing"


def test_a_tampered_body_is_refused() -> None:
    payload, header = delivery()
    tampered = payload.replace(b'"amount_refunded": 1000', b'"amount_refunded": 9000')
    assert tampered != payload
    assert refused(tampered, header) == "signature_invalid"


def test_a_signature_made_with_another_secret_is_refused() -> None:
    payload, header = delivery()
    assert refused(payload, header, StripeWebhooks("whsec_other")) == "signature_invalid"
    assert refused(payload, "t=1,v1=deadbeef") == "signature_invalid"
    assert refused(payload, "garbage") == "signature_invalid"


def test_a_stale_signature_is_refused() -> None:
    charge = fixture("charge", id="ch_6", payment_intent="pi_6")
    payload, header = signed_event("charge.refunded", charge, SECRET,
                                   timestamp=int(time.time()) - 301)
    assert refused(payload, header) == "signature_stale"
    late = StripeWebhooks(SECRET, tolerance=600).parse(payload, header)
    assert late == PaymentRefunded(event_id=late.event_id, payment_id="pi_6")


def test_a_signed_body_that_is_not_an_event_is_refused() -> None:
    for body in (b"not json", b'{"object": "charge", "id": "ch_1"}', b"[]", b"\xff\xfe"):
        header = sign(body, SECRET) if body != b"\xff\xfe" else "t=1,v1=00"
        assert refused(body, header) == "payload_invalid", body
