"""The acceptance deadline's decline reaches the merchant's endpoint like its own would:
`merchant_order.declined.v1` saying it was automatic, then `merchant_order.refunded.v1`
(both backends, a real receiver on 127.0.0.1, a clock the test moves)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from adapters.clock import FixedClock
from api.container import build_container
from api.main import create_app
from api.settings import Settings
from tests.http.test_webhooks import FAST, Receiver, merchant_hooks, register, settle
from tests.support import Api, Shop

TYPES = ["merchant_order.declined.v1", "merchant_order.refunded.v1"]


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime.now(UTC))


@pytest.fixture
def hooks(settings: Settings, clock: FixedClock) -> Iterator[Api]:
    container = build_container(settings.model_copy(update={**FAST, "run_projections": False}),
                                clock=clock)
    try:
        with TestClient(create_app(container=container)) as client:
            yield Api(client, container)
    finally:
        container.close()


def test_the_automatic_decline_and_its_refund_reach_the_merchants_endpoint(
        hooks: Api, clock: FixedClock) -> None:
    api, shop = hooks, Shop(hooks)
    merchant, owner = shop.merchant(name="Fromagerie Boréale")
    cheddar = api.listing(merchant, owner, publish=True, stock=5, price_cents=12_99)
    receiver = Receiver()
    try:
        register(api, merchant_hooks(merchant), owner, receiver.url, TYPES)
        order = shop.check_out(shop.cart({cheddar: 2})).json()
        settle(api)
        assert receiver.requests == []  # placed and paid: nothing of these types yet

        # 48 hours and a minute later, nobody has answered: the platform declines it
        clock.advance(timedelta(hours=48, minutes=1))
        api.container.projections.settle()
        assert api.container.jobs.jobs["decline_unaccepted"]() == 1
        settle(api)
        receiver.wait_for(2)
        declined, refunded = sorted(receiver.payloads(), key=lambda p: TYPES.index(p["type"]))
        assert declined["type"] == "merchant_order.declined.v1"
        assert declined["data"] == {
            "order_id": order["id"], "merchant_id": merchant, "status": "declined",
            "reason": "Non acceptée dans les 48 h (déclin automatique)", "automatic": True}
        assert refunded["type"] == "merchant_order.refunded.v1"
        assert refunded["data"]["refund"]["amount_cents"] == 25_98
        assert refunded["data"]["refundable_cents"] == 0
    finally:
        receiver.close()
