"""The Order aggregate's lifecycle: payment first, then each merchant's part."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import (
    DatetimeAsISO,
    DecimalAsStr,
    JSONTranscoder,
    Mapper,
    StoredEvent,
    UUIDAsHex,
)

from application.transcodings import register_value_objects
from domain.errors import IllegalTransitionError, RuleViolatedError
from domain.money import Money
from domain.order import MerchantOrder, Order
from domain.order_terms import Fulfilment, MerchantOrderTerms, OrderLine
from domain.pricing import price
from domain.taxonomy import TaxClass

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
A, B = uuid4(), uuid4()


def part(merchant_id, cents: int) -> MerchantOrderTerms:  # noqa: ANN001
    line = OrderLine(uuid4(), "Article", Money(cents), 1, TaxClass.TAXABLE)
    breakdown = price([line], Money.zero(), True, Decimal("0.08"))
    return MerchantOrderTerms(merchant_id, "Commerce", (line,), Fulfilment.PICKUP, breakdown)


def new_order() -> Order:
    return Order(uuid4(), uuid4(), None, (part(A, 10_00), part(B, 20_00)), None,
                 NOW + timedelta(minutes=15))


def test_nothing_happens_to_a_part_before_the_payment_is_captured() -> None:
    order = new_order()
    for act in (lambda: order.accept(A), lambda: order.decline(A, "x"),
                lambda: order.refund(A, Money(1_00), "x", uuid4())):
        with pytest.raises(IllegalTransitionError) as error:
            act()
        assert error.value.params["state"] == "awaiting_payment"


def test_a_paid_order_moves_part_by_part_and_completes() -> None:
    order = new_order()
    order.record_payment("pi_1")
    order.authorize()
    order.capture()
    assert (order.status, order.total) == ("confirmed", Money(11_50 + 23_00))
    order.accept(A)
    with pytest.raises(IllegalTransitionError):
        order.fulfil(B)  # not accepted yet
    order.fulfil(A)
    order.decline(B, "Rupture")
    assert (order.status, {m: mo.status for m, mo in order.merchant_orders.items()}) == (
        "completed", {A: "fulfilled", B: "declined"})
    with pytest.raises(IllegalTransitionError):
        order.accept(A)


def test_refunds_of_a_part_never_exceed_what_it_cost() -> None:
    order = new_order()
    order.capture()
    order.refund(A, Money(11_00), "Abîmé", uuid4())
    with pytest.raises(RuleViolatedError, match="refund_exceeds_paid"):
        order.refund(A, Money(51), "Encore", uuid4())
    order.refund(A, Money(50), "Le reste", uuid4())
    a, b = order.merchant_order(A), order.merchant_order(B)
    assert (a.refunded, a.refundable, b.refundable) == (Money(11_50), Money.zero(), Money(23_00))
    with pytest.raises(RuleViolatedError, match="merchant_not_in_order"):
        order.refund(uuid4(), Money(1), "?", uuid4())


def test_an_unpaid_order_expires_only_after_its_window() -> None:
    order = new_order()
    order.note_payment_delay("gateway_timeout")
    assert order.expire(NOW + timedelta(minutes=14)) is False
    assert order.expire(NOW + timedelta(minutes=15)) is True
    assert (order.status, order.status_reason) == ("expired", "gateway_timeout")
    assert {mo.status for mo in order.merchant_orders.values()} == {"cancelled"}
    with pytest.raises(IllegalTransitionError):
        order.capture()  # a late capture cannot revive it: the stock is gone


def test_a_failed_payment_cancels_every_part() -> None:
    order = new_order()
    order.fail_payment("card_declined")
    order.fail_payment("card_declined")  # a redelivered outcome changes nothing
    assert (order.status, order.status_reason, order.payment_status) == (
        "failed", "card_declined", "failed")
    assert len([e for e in order.collect_events() if type(e).__name__ == "PaymentFailed"]) == 1


def paid_order() -> Order:
    order = new_order()
    order.record_payment("pi_1")
    order.capture()
    return order


def illegal(act: Callable[[], object]) -> dict[str, str]:
    with pytest.raises(IllegalTransitionError) as error:
        act()
    return error.value.params


def test_a_merchant_order_is_placed_then_accepted_then_fulfilled() -> None:
    order = paid_order()
    mo = order.merchant_order(A)
    assert (mo.merchant_id, mo.status, mo.reason, mo.refunds) == (A, "placed", None, [])
    assert (mo.refunded, mo.refundable) == (Money.zero(), mo.breakdown.total)
    assert illegal(lambda: order.fulfil(A)) == {
        "entity": "merchant_order", "action": "fulfil", "state": "placed"}
    order.accept(A)
    assert mo.status == "accepted"
    order.fulfil(A)
    assert (mo.status, mo.is_done, order.status) == ("fulfilled", True, "confirmed")
    for act in (lambda: order.accept(A), lambda: order.fulfil(A),
                lambda: order.decline(A, "Trop tard")):
        assert illegal(act)["state"] == "fulfilled"
    order.refund(A, Money(2_00), "Un article abîmé", uuid4())  # after fulfilment too
    assert (mo.status, mo.refunded) == ("fulfilled", Money(2_00))


def test_a_declined_merchant_order_keeps_its_reason_and_is_refunded_what_is_left() -> None:
    order = paid_order()
    mo = order.merchant_order(B)
    order.refund(B, Money(3_00), "Retard", uuid4())
    order.decline(B, "Rupture de stock")
    refund = order.refund(B, mo.refundable, "Rupture de stock", uuid4())
    assert (mo.status, mo.reason) == ("declined", "Rupture de stock")
    assert (refund.breakdown.amount, mo.refunded, mo.refundable) == (
        Money(20_00), Money(23_00), Money.zero())
    assert refund.breakdown.balances
    assert sum(r.breakdown.gst.cents for r in mo.refunds) == mo.breakdown.gst.cents
    assert illegal(lambda: order.accept(B)) == {
        "entity": "merchant_order", "action": "accept", "state": "declined"}
    assert order.merchant_order(A).status == "placed"  # the other merchant's is untouched
    assert order.status == "confirmed"  # A is still to be served


def test_a_refund_never_goes_beyond_what_was_paid_for_that_merchant_order() -> None:
    order = paid_order()
    with pytest.raises(RuleViolatedError) as error:
        order.refund(A, Money(11_51), "Trop", uuid4())
    assert error.value.params == {"refundable_cents": 11_50}
    first = order.refund(A, Money(11_49), "Presque tout", uuid4())
    with pytest.raises(RuleViolatedError, match="refund_exceeds_paid"):
        order.refund(A, Money(2), "Encore", uuid4())
    assert order.merchant_order(A).refunds == [first]  # a refused refund records nothing
    order.settle_refund(A, first.refund_id, "re_1")
    order.settle_refund(A, first.refund_id, "re_2")  # settled once
    assert order.merchant_order(A).refund_by_id(first.refund_id).gateway_refund_id == "re_1"


def test_every_merchant_order_is_cancelled_when_the_payment_fails() -> None:
    order = new_order()
    order.fail_payment("card_declined")
    assert [mo.status for mo in order.merchant_orders.values()] == ["cancelled", "cancelled"]
    for action, act in (("accept", lambda: order.accept(A)),
                        ("decline", lambda: order.decline(A, "x")),
                        ("refund", lambda: order.refund(A, Money(1), "x", uuid4()))):
        assert illegal(act) == {"entity": "order", "action": action, "state": "failed"}
    for action in ("accept", "fulfil", "decline", "refund"):  # nothing left to do for it
        with pytest.raises(IllegalTransitionError) as error:
            order.merchant_order(A).check(action)
        assert error.value.params == {
            "entity": "merchant_order", "action": action, "state": "cancelled"}


# -- the stored format: what Order events look like in the store, and what they rebuild ----------


def _uuid(n: int) -> dict[str, str]:
    return {"_type_": "uuid_hex", "_data_": UUID(int=n).hex}


def _money(cents: int) -> dict[str, Any]:
    return {"_type_": "money", "_data_": {"cents": cents, "currency": "CAD"}}


def _at(second: int) -> dict[str, str]:
    return {"_type_": "datetime_iso", "_data_": f"2026-11-23T12:00:{second:02d}+00:00"}


STORED = [  # as checkout, capture, a refund, its settlement and a decline have written them
    ("comptoir.Order.Placed", {
        "timestamp": _at(0), "originator_topic": "comptoir.Order",
        "consumer_id": _uuid(1), "cart_id": _uuid(2), "storefront": None,
        "parts": [{"_type_": "merchant_order_terms", "_data_": {
            "merchant_id": _uuid(0xA), "merchant_name": "Fromagerie",
            "lines": [{"_type_": "order_line", "_data_": {
                "listing_id": _uuid(0x1A), "title": "Cheddar", "unit_price": _money(10_00),
                "quantity": 1, "tax_class": "taxable"}}],
            "fulfilment": "pickup",
            "breakdown": {"_type_": "breakdown", "_data_": {
                "subtotal": _money(10_00), "fee": _money(0), "taxable": _money(10_00),
                "gst": _money(50), "qst": _money(1_00), "platform_remits": False,
                "commission": _money(80), "total": _money(11_50), "share": _money(10_70)}}}}],
        "delivery_address": None, "expires_at": _at(59)}),
    ("comptoir.Order.PaymentCaptured", {"timestamp": _at(1)}),
    ("comptoir.Order.RefundDecided", {
        "timestamp": _at(2), "merchant_id": _uuid(0xA),
        "refund": {"_type_": "refund", "_data_": {
            "refund_id": _uuid(0xF),
            "breakdown": {"_type_": "refund_breakdown", "_data_": {
                "amount": _money(1_00), "gst": _money(4), "qst": _money(9),
                "commission": _money(7), "share": _money(93), "platform_taxes": _money(0)}},
            "reason": "Abîmé", "gateway_refund_id": None}}}),
    ("comptoir.Order.RefundSettled", {
        "timestamp": _at(3), "merchant_id": _uuid(0xA), "refund_id": _uuid(0xF),
        "gateway_refund_id": "re_1"}),
    ("comptoir.Order.MerchantOrderDeclined", {
        "timestamp": _at(4), "merchant_id": _uuid(0xA), "reason": "Rupture"}),
]


UPCAST = {  # what the events whose shape changed since gain when read (class_version 2)
    "comptoir.Order.PaymentCaptured": {"accept_by": None, "accept_hours": None,
                                       "class_version": 2},
    "comptoir.Order.MerchantOrderDeclined": {"automatic": False, "class_version": 2},
}


def _with_commission(state: dict[str, Any]) -> dict[str, Any]:
    parts = [{**p, "_data_": {**p["_data_"], "commission": None}} for p in state.get("parts", [])]
    return {**state, "parts": parts} if parts else state


def _with_line_variants(state: dict[str, Any]) -> dict[str, Any]:
    """Lines stored before variants existed are written today with `variant_id: null`."""
    def part(p: dict[str, Any]) -> dict[str, Any]:
        lines = [{**line, "_data_": {**line["_data_"], "variant_id": None}}
                 for line in p["_data_"]["lines"]]
        return {**p, "_data_": {**p["_data_"], "lines": lines}}

    return {**state, "parts": [part(p) for p in state["parts"]]} if "parts" in state else state


def _mapper() -> Mapper[UUID]:
    transcoder = JSONTranscoder()
    for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO()):
        transcoder.register(transcoding)
    register_value_objects(transcoder)
    return Mapper(transcoder=transcoder)


def test_stored_order_events_rebuild_one_merchant_order_per_merchant() -> None:
    mapper, order_id = _mapper(), uuid4()
    events: list[Any] = [mapper.to_domain_event(StoredEvent(order_id, version, topic,
                                                 json.dumps(state).encode()))
              for version, (topic, state) in enumerate(STORED, start=1)]
    order: Order | None = None
    for domain_event in events:
        order = domain_event.mutate(order)
    assert order is not None and list(order.merchant_orders) == [UUID(int=0xA)]
    mo = order.merchant_order(UUID(int=0xA))
    assert isinstance(mo, MerchantOrder)
    assert (mo.status, mo.reason, order.status) == ("declined", "Rupture", "completed")
    assert [line.listing_id for line in mo.lines] == [UUID(int=0x1A)]
    assert (mo.breakdown.total, mo.refunded, mo.refundable) == (
        Money(11_50), Money(1_00), Money(10_50))
    assert mo.refund_by_id(UUID(int=0xF)).gateway_refund_id == "re_1"
    # v1 events read as upcast: no acceptance deadline, declined by the merchant itself
    assert (order.accept_by, mo.declined_automatically) == (None, False)
    # and the same events are written today as they were stored, the upcast ones at v2
    # (terms placed before commission rules gain an empty `commission`)
    assert [(s.topic, json.loads(s.state)) for s in map(mapper.to_stored_event, events)] == [
        (topic, _with_line_variants(_with_commission({**state, **UPCAST.get(topic, {})})))
        for topic, state in STORED]
