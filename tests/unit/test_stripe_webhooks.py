"""Stripe webhooks: signed with stripe-python's own helper over Stripe's example objects, then
verified and translated by the adapter. No network."""

from __future__ import annotations

import json
import time
from typing import Any
from uuid import uuid4

import pytest

from adapters.stripe_webhooks import StripeWebhooks
from application.errors import InvalidWebhookError
from application.ports import GatewayEvent, PayoutAccountStatus
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


def expect(event: GatewayEvent, **fields: Any) -> GatewayEvent:
    return GatewayEvent(event_id=event.event_id, kind=event.kind, **fields)


def test_a_payment_that_succeeded() -> None:
    intent = fixture("payment_intent", id="pi_1", amount=25_00, amount_received=25_00,
                     status="succeeded", latest_charge="ch_1", last_payment_error=None,
                     metadata={"order_id": str(ORDER)}, transfer_group=str(ORDER))
    event = parse("payment_intent.succeeded", intent)
    assert event == expect(event, order_id=ORDER, payment_id="pi_1", object_id="ch_1",
                           amount=Money(25_00))


@pytest.mark.parametrize(("error", "reason"), [
    ({"type": "card_error", "code": "card_declined", "decline_code": "insufficient_funds"},
     "insufficient_funds"),
    ({"type": "card_error", "code": "expired_card"}, "expired_card")])
def test_a_payment_that_failed_names_the_decline(error: dict[str, str], reason: str) -> None:
    intent = fixture("payment_intent", id="pi_2", amount=18_00, amount_received=0,
                     status="requires_payment_method", latest_charge="ch_2",
                     last_payment_error=error, metadata={"order_id": str(ORDER)})
    event = parse("payment_intent.payment_failed", intent)
    assert event == expect(event, order_id=ORDER, payment_id="pi_2", object_id="ch_2",
                           amount=Money(18_00), failure_reason=reason)


def test_a_refunded_charge_carries_the_amount_refunded_so_far() -> None:
    charge = fixture("charge", id="ch_3", payment_intent="pi_3", amount=30_00,
                     amount_captured=30_00, amount_refunded=12_00,
                     metadata={"order_id": str(ORDER)}, transfer_group=str(ORDER))
    event = parse("charge.refunded", charge)
    assert event == expect(event, order_id=ORDER, payment_id="pi_3", object_id="ch_3",
                           amount=Money(12_00))


def test_a_dispute() -> None:
    dispute = fixture("dispute", payment_intent="pi_4", amount=30_00)
    event = parse("charge.dispute.created", dispute)
    assert event == expect(event, payment_id="pi_4", object_id="dp_1Pgc71B7WZ01zgkWMevJiAUx",
                           amount=Money(30_00), failure_reason="general")  # its reason


def test_an_updated_account_carries_its_status() -> None:
    account = fixture("account", id="acct_1", charges_enabled=True, payouts_enabled=False,
                      details_submitted=True, metadata={"merchant_id": str(MERCHANT)})
    event = parse("account.updated", account, account="acct_1")
    assert event == expect(event, merchant_id=MERCHANT, account_id="acct_1",
                           account_status=PayoutAccountStatus(
                               "acct_1", True, False, True,
                               tuple(account["requirements"]["currently_due"])))
    assert len(event.account_status.requirements) == 6  # type: ignore[union-attr]


def test_a_created_transfer_names_its_merchant_order_and_account() -> None:
    transfer = fixture("transfer", id="tr_1", amount=20_00, amount_reversed=0,
                       destination="acct_1", transfer_group=str(ORDER),
                       metadata={"order_id": str(ORDER), "merchant_id": str(MERCHANT)})
    event = parse("transfer.created", transfer)
    assert event == expect(event, order_id=ORDER, merchant_id=MERCHANT, object_id="tr_1",
                           account_id="acct_1", amount=Money(20_00))


def test_a_reversed_transfer_carries_the_amount_reversed_so_far() -> None:
    transfer = fixture("transfer", id="tr_2", amount=20_00, amount_reversed=5_00,
                       destination="acct_1", transfer_group=str(ORDER),
                       metadata={"merchant_id": str(MERCHANT)})
    event = parse("transfer.reversed", transfer)
    assert event == expect(event, order_id=ORDER, merchant_id=MERCHANT, object_id="tr_2",
                           account_id="acct_1", amount=Money(5_00))


def test_an_order_id_must_be_a_uuid() -> None:
    transfer = fixture("transfer", id="tr_3", amount=1_00, destination="acct_1",
                       transfer_group="group-7", metadata={"merchant_id": "m-7"})
    event = parse("transfer.created", transfer)
    assert (event.order_id, event.merchant_id) == (None, None)


@pytest.mark.parametrize(("kind", "failure_code"), [("payout.paid", None),
                                                    ("payout.failed", "account_closed")])
def test_payouts_of_a_connected_account(kind: str, failure_code: str | None) -> None:
    payout = fixture("payout", id="po_1", amount=45_00, failure_code=failure_code)
    event = parse(kind, payout, account="acct_9")
    assert event == expect(event, object_id="po_1", account_id="acct_9", amount=Money(45_00),
                           failure_reason=failure_code)


def test_other_events_keep_only_their_id_and_kind() -> None:
    plan = fixture("event")["data"]["object"]  # Stripe's example event is about a plan
    event = parse("plan.created", plan, account="acct_1")
    assert event == GatewayEvent(event_id=event.event_id, kind="plan.created")


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
    charge = fixture("charge", id="ch_6")
    payload, header = signed_event("charge.refunded", charge, SECRET,
                                   timestamp=int(time.time()) - 301)
    assert refused(payload, header) == "signature_stale"
    assert StripeWebhooks(SECRET, tolerance=600).parse(payload, header).object_id == "ch_6"


def test_a_signed_body_that_is_not_an_event_is_refused() -> None:
    for body in (b"not json", b'{"object": "charge", "id": "ch_1"}', b"[]", b"\xff\xfe"):
        header = sign(body, SECRET) if body != b"\xff\xfe" else "t=1,v1=00"
        assert refused(body, header) == "payload_invalid", body
