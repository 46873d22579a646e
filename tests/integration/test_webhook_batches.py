"""The webhook fan-out asks who listens once per batch of the log, and an endpoint event in
the middle of a batch changes the answer for the events after it (both backends)."""

from __future__ import annotations

from typing import Any

from api.container import Container
from tests.integration.test_payouts import Market

HOOK = {"url": "http://127.0.0.1:9/hooks", "event_types": ["listing.stock_changed.v1"]}


def test_stock_changes_before_during_and_after_an_endpoint_in_one_batch(
        shop: Container) -> None:
    market = Market(shop, onboard=False)
    shop.projections.settle()
    merchant_id, listing_id = next(iter(market.listings.items()))
    owner = market.owners[merchant_id]
    follower = shop.projections["webhooks"]
    before = follower.position()

    shop.catalog.set_stock(owner, listing_id, 11)  # nobody listens yet
    endpoint = shop.webhook_endpoints.register(owner, merchant_id, HOOK)
    shop.catalog.set_stock(owner, listing_id, 12)  # delivered
    shop.catalog.set_stock(owner, listing_id, 13)  # delivered
    shop.webhook_endpoints.update(owner, merchant_id, endpoint.id, {"enabled": False})
    shop.catalog.set_stock(owner, listing_id, 14)  # disabled: not delivered

    asked: list[str] = []
    unit_of_work = follower.store.unit_of_work

    def counting(cursor: Any) -> Any:
        unit = unit_of_work(cursor)
        statement = unit._x  # noqa: SLF001 - the unit's one way to the database

        def x(text: str, params: tuple = ()) -> list[tuple]:
            if text.startswith("SELECT"):
                asked.append(text)
            return statement(text, params)

        unit._x = x  # noqa: SLF001
        return unit

    follower.store.unit_of_work = counting
    assert follower.catch_up() == 6  # one batch: six events, one transaction
    del follower.store.unit_of_work
    # Asked once before the endpoint (nobody), then after each endpoint event: whether anyone
    # listens, and who (twice 2); the second stock change reuses the first one's answers.
    assert len(asked) == 5
    assert follower.position() > before
    delivered = follower.store.deliveries(endpoint.id, None, 10, 0)
    versions = sorted(d.source_version for d in delivered)
    assert len(delivered) == 2 and versions[1] == versions[0] + 1
    assert {d.event_type for d in delivered} == {"listing.stock_changed.v1"}
