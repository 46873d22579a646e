"""The acceptance deadline in the Order aggregate: recorded at capture, it declines only the
parts still placed once it has passed, says it was automatic, and never acts twice."""

from __future__ import annotations

from datetime import timedelta

from domain.order import Order
from tests.unit.test_order import NOW, A, B, new_order

DEADLINE = NOW + timedelta(hours=48)


def paid() -> Order:
    order = new_order()
    order.record_payment("pi_1")
    order.capture(accept_by=DEADLINE, accept_hours=48)
    return order


def test_only_parts_still_placed_after_the_deadline_are_declined_and_they_say_so() -> None:
    order = paid()
    order.accept(A)
    assert order.unaccepted(DEADLINE - timedelta(seconds=1)) == []
    assert order.unaccepted(DEADLINE) == [B]
    assert order.decline_unaccepted(A, DEADLINE) is False  # accepted in time
    assert order.decline_unaccepted(B, DEADLINE) is True
    part = order.merchant_order(B)
    assert (part.status, part.declined_automatically) == ("declined", True)
    assert part.reason == "Non acceptée dans les 48 h (déclin automatique)"
    assert order.decline_unaccepted(B, DEADLINE) is False  # never twice
    event = order.collect_events()[-1]
    assert isinstance(event, Order.MerchantOrderDeclined)
    assert (event.automatic, event.merchant_id) == (True, B)


def test_a_merchants_own_decline_is_not_automatic_and_no_deadline_means_none() -> None:
    order = paid()
    order.decline(A, "Rupture de stock")
    assert order.merchant_order(A).declined_automatically is False
    assert order.unaccepted(DEADLINE) == [B]
    undated = new_order()
    undated.record_payment("pi_2")
    undated.capture()  # as orders captured before the deadline existed
    assert undated.unaccepted(DEADLINE + timedelta(days=365)) == []
