"""Auditors over HTTP, both backends: the log page by page, an order as it was at every past
position and time (equal to what the API answered then), the verification, the replay."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.container import build_container
from api.replay import replay
from api.settings import Settings
from application.actors import Role
from domain.erasure import ErasureReason, SubjectKind
from domain.errors import DomainError
from tests.integration.test_payouts import Market
from tests.support import Api, Shop, drop_schema


def seen(order: dict[str, Any]) -> tuple:
    """What matters of an order, as the API shows it and as the audit rebuilds it."""
    return (order["status"], order["payment"]["status"],
            tuple(sorted((m["merchant_id"], m["status"], len(m["refunds"]))
                         for m in order["merchant_orders"])))


def rebuilt(state: dict[str, Any]) -> tuple:
    return (state["status"], state["payment_status"],
            tuple(sorted((mo["terms"]["merchant_id"], mo["status"], len(mo["refunds"]))
                         for mo in state["merchant_orders"].values())))


def test_an_order_at_every_past_position_is_what_the_api_answered_then(api: Api) -> None:
    shop = Shop(api)
    cheese, cheese_owner = shop.merchant(name="Fromagerie Boréale")
    bakery, bakery_owner = shop.merchant(registered=False, name="Boulangerie du Coin",
                                         neq="2212340001")
    cheddar = api.listing(cheese, cheese_owner, publish=True, stock=20, price_cents=12_99)
    bread = api.listing(bakery, bakery_owner, publish=True, stock=20, price_cents=4_50,
                        category="boulangerie")
    order = shop.check_out(shop.cart({cheddar: 2, bread: 1})).json()
    url = f"/v1/orders/{order['id']}"
    history: list[tuple[int, datetime, tuple]] = []

    def record() -> None:
        now = api.client.get(url, headers=shop.consumer).json()
        history.append((api.log_length(), datetime.now(UTC), seen(now)))
        time.sleep(0.002)  # distinct instants for ?at=

    record()
    base = f"{url}/merchant-orders"
    for merchant, owner in ((cheese, cheese_owner), (bakery, bakery_owner)):
        assert api.client.post(f"{base}/{merchant}/acceptance", headers=owner).status_code == 200
        record()
    assert api.client.post(f"{base}/{cheese}/fulfilment", headers=cheese_owner).status_code == 200
    record()
    assert api.client.post(f"{base}/{cheese}/refunds", headers=cheese_owner,
                           json={"amount_cents": 12_99, "reason": "abîmé"}).status_code == 201
    record()
    assert api.client.post(f"{base}/{bakery}/decline", headers=bakery_owner,
                           json={"reason": "rupture"}).status_code == 200
    record()

    auditor = api.auth(Role.AUDITOR)
    audit = f"/v1/audit/aggregates/{order['id']}"
    assert len({state for _, _, state in history}) == len(history)  # every step changed it
    for position, moment, state in history:
        by_position = api.client.get(audit, params={"position": position}, headers=auditor)
        assert by_position.status_code == 200, by_position.text
        assert rebuilt(by_position.json()["state"]) == state
        by_time = api.client.get(audit, params={"at": moment.isoformat()}, headers=auditor)
        assert rebuilt(by_time.json()["state"]) == state
    before = api.client.get(audit, params={"position": 1}, headers=auditor)
    assert before.status_code == 404  # the order did not exist yet
    assert api.client.get(audit, headers=shop.consumer).status_code == 403
    assert api.client.get(audit).status_code == 401


def test_the_log_page_by_page_with_personal_data_sealed(api: Api) -> None:
    shop = Shop(api)
    merchant, owner = shop.merchant()
    listing = api.listing(merchant, owner, publish=True, stock=3)
    auditor = api.auth(Role.AUDITOR)
    events: list[dict[str, Any]] = []
    after = 0
    while True:
        page = api.client.get("/v1/audit/events", headers=auditor,
                              params={"after": after, "limit": 3}).json()
        events += page["events"]
        if page["next_after"] is None:
            break
        after = page["next_after"]
    positions = [e["position"] for e in events]
    assert positions == sorted(positions) and len(positions) == api.log_length()
    registered = next(e for e in events if e["topic"] == "comptoir.Consumer.Registered")
    assert registered["payload"]["profile"] == {"personal_data": "sealed"}
    of_listing = api.client.get("/v1/audit/events", headers=auditor,
                                params={"aggregate_id": listing}).json()["events"]
    assert [e["version"] for e in of_listing] == list(range(1, len(of_listing) + 1))
    assert [e["topic"] for e in of_listing][:3] == [
        "comptoir.Listing.Created", "comptoir.Listing.StockSet", "comptoir.Listing.Published"]
    only = api.client.get("/v1/audit/events", headers=auditor,
                          params={"topic": "comptoir.Merchant.Approved"}).json()["events"]
    assert [e["aggregate_id"] for e in only] == [merchant]
    later = api.client.get("/v1/audit/events", headers=auditor, params={
        "since": datetime.now(UTC).isoformat()}).json()["events"]
    assert later == []
    assert api.client.get("/v1/audit/events", headers=shop.consumer).status_code == 403

    verified = api.client.post("/v1/audit/verification", headers=auditor).json()
    assert (verified["ok"], verified["events_checked"]) == (True, api.log_length())
    assert api.client.post("/v1/audit/verification", headers=owner).status_code == 403


OPERATIONS = st.lists(st.sampled_from(["buy", "fulfil", "refund", "decline", "stock",
                                       "erase"]), min_size=5, max_size=25)


@settings(max_examples=6, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(operations=OPERATIONS, data=st.data())
def test_read_models_rebuilt_from_zero_equal_the_live_ones(
    settings: Settings, tmp_path: Path, operations: list[str], data: st.DataObject
) -> None:
    fresh = uuid4().hex[:12]  # each example starts from an empty store
    scratch = settings.model_copy(update={"data_dir": tmp_path / fresh,
                                          "postgres_schema": f"t_{fresh}"})
    container = build_container(scratch)
    try:
        market = Market(container)
        orders = [market.buy(quantity=1)]
        for op in operations:
            merchant_id = data.draw(st.sampled_from(list(market.listings)))
            owner = market.owners[merchant_id]
            order = data.draw(st.sampled_from(orders))
            try:
                if op == "buy":
                    orders.append(market.buy(quantity=data.draw(st.integers(1, 3))))
                elif op == "fulfil":
                    market.fulfil(order.id, merchant_id)
                elif op == "refund":
                    market.refund(order.id, merchant_id, data.draw(st.integers(1, 5_00)))
                elif op == "decline":
                    container.orders.decline(owner, order.id, merchant_id, "rupture")
                elif op == "stock":
                    container.catalog.set_stock(owner, market.listings[merchant_id],
                                                data.draw(st.integers(50, 200)))
                elif op == "erase":
                    container.privacy._erase(order.consumer_id,  # noqa: SLF001
                                             SubjectKind.CONSUMER, ErasureReason.REQUEST,
                                             by=str(uuid4()))
            except DomainError:
                pass  # an illegal step (fulfilling a declined part…) is refused: fine
        container.projections.settle()
        assert replay(container) == {"search": [], "deadlines": [], "payouts": [], "audit": [],
                                     "lists": [], "acceptance": []}
    finally:
        container.close()
        if scratch.backend == "postgres":
            drop_schema(scratch)
