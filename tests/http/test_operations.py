"""Operations and bad input, both backends: probes, metrics, request ids; oversized, deep,
mistyped, badly encoded or absurd requests get a clear 4xx problem and change nothing."""

from __future__ import annotations

import importlib
import json
import pkgutil
from typing import Any

import anyio.to_thread
import pytest

from api.routing import OneHopRoute
from application.actors import Role
from tests.support import Api, Shop


def test_probes_metrics_and_request_ids(api: Api) -> None:
    assert api.client.get("/health").json() == {"status": "ok"}
    api.container.projections.catch_up()
    ready = api.client.get("/ready")
    assert ready.status_code == 200 and ready.json() == {"status": "ready"}  # a bare probe
    admin = api.auth(Role.ADMIN)
    detailed = api.client.get("/ready", headers=admin).json()
    assert detailed["position"] == api.log_length()
    assert detailed["failed_events"] == dict.fromkeys(api.container.projections.names, 0)

    shop = Shop(api)
    merchant, owner = shop.merchant()
    listing = api.listing(merchant, owner, publish=True, stock=1)
    assert shop.check_out(shop.cart({listing: 1})).status_code == 201
    assert shop.check_out(shop.cart({listing: 1})).status_code == 409  # sold out
    echoed = api.client.get(f"/v1/listings/{listing}", headers={"X-Request-ID": "abc-123-xyz"})
    assert echoed.headers["x-request-id"] == "abc-123-xyz"
    made = api.client.get(f"/v1/listings/{listing}", headers={"X-Request-ID": "bad id!"})
    assert len(made.headers["x-request-id"]) == 32  # an invalid one is replaced

    assert api.client.get("/metrics").status_code == 401
    assert api.client.get("/metrics", headers=api.auth(Role.AUDITOR)).status_code == 403
    text = api.client.get("/metrics", headers=admin).text
    assert 'comptoir_checkouts_total{outcome="payment_captured"} 1.0' in text
    assert 'comptoir_checkouts_total{outcome="insufficient_stock"} 1.0' in text
    assert ('comptoir_http_request_seconds_count{method="GET",route="/v1/listings/{listing_id}"'
            ',status="200"} 2.0') in text
    assert listing not in text  # ids never become label values
    assert 'comptoir_projection_lag_events{projection="search"}' in text
    assert 'comptoir_projection_lag_seconds{projection="audit"}' in text
    assert 'comptoir_projection_failures{projection="search"} 0.0' in text


def test_ready_says_which_read_models_are_behind(api: Api) -> None:
    api.container.projections.stop()
    api.container.settings.ready_max_lag_events = 0  # type: ignore[misc]
    Shop(api).merchant()
    behind = api.client.get("/ready")
    assert behind.status_code == 503
    assert behind.json()["code"] == "projections_behind"
    assert "search" in behind.json()["detail"]


def bad_requests(cart_id: str, listing_id: str) -> list[tuple[str, str, dict]]:
    """(method, url, httpx arguments) of requests that must all be refused."""
    deep = "[" * 100 + "]" * 100
    return [
        ("POST", "/v1/merchants", {"content": b"{" + b'"a":"' + b"x" * 2_000_000 + b'"}',
                                   "headers": {"Content-Type": "application/json"}}),
        ("POST", "/v1/merchants", {"content": '{"name": ' + deep + "}",
                                   "headers": {"Content-Type": "application/json"}}),
        ("POST", "/v1/merchants", {"content": b'{"name": "\xff\xfe"}',
                                   "headers": {"Content-Type": "application/json"}}),
        ("POST", "/v1/merchants", {"content": "name=Fromagerie", "headers": {
            "Content-Type": "application/x-www-form-urlencoded"}}),
        ("POST", "/v1/merchants", {"content": "not json",
                                   "headers": {"Content-Type": "application/json"}}),
        ("PUT", f"/v1/carts/{cart_id}/lines/{listing_id}", {"json": {"quantity": -3}}),
        ("PUT", f"/v1/carts/{cart_id}/lines/{listing_id}", {"json": {"quantity": 10**12}}),
        ("PUT", f"/v1/carts/{cart_id}/lines/{listing_id}", {"json": {"quantity": "3"}}),
        ("PUT", f"/v1/listings/{listing_id}/stock", {"json": {"on_hand": -1}}),
        ("GET", "/v1/search/listings?page_size=100000", {}),
        ("GET", "/v1/search/listings?page=-1", {}),
        ("GET", "/v1/search/listings?lat=91&lon=0", {}),
        ("GET", "/v1/search/listings?min_price_cents=99999999999999999999", {}),
        ("GET", "/v1/carts/not-a-uuid", {}),
    ]


@pytest.mark.parametrize("index", range(14))
def test_bad_input_gets_a_clear_problem_and_changes_nothing(api: Api, index: int) -> None:
    shop = Shop(api)
    merchant, owner = shop.merchant()
    listing = api.listing(merchant, owner, publish=True, stock=5)
    cart = shop.cart({})
    method, url, arguments = bad_requests(cart, listing)[index]
    headers = {**shop.consumer, **arguments.pop("headers", {})}
    if "/stock" in url:
        headers.update(owner)
    before = api.log_length()
    response = api.client.request(method, url, headers=headers, **arguments)
    assert 400 <= response.status_code < 500, (url, response.status_code, response.text[:200])
    assert response.headers["content-type"] == "application/problem+json"
    problem: dict[str, Any] = json.loads(response.content)
    assert {"type", "title", "status", "detail", "code"} <= problem.keys()
    assert problem["status"] == response.status_code
    assert problem["detail"] and "Traceback" not in problem["detail"]
    assert api.log_length() == before


def test_a_plain_def_route_hands_its_request_to_a_thread_once(
        api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    """A `def` route runs in the thread pool once; FastAPI would validate what it returned
    in a second trip (api/routing.py). Counted on a stock update, a read and a refusal."""
    merchant_id, owner = api.approved_merchant()
    path = f"/v1/listings/{api.listing(merchant_id, owner)}"
    assert api.client.get(path, headers=owner).status_code == 200  # the token is known now
    hops: list[str] = []
    real = anyio.to_thread.run_sync

    async def counted(func: Any, *args: Any, **kwargs: Any) -> Any:
        called = getattr(func, "func", func)  # run_in_threadpool passes a partial
        hops.append(getattr(called, "__name__", repr(called)))
        return await real(func, *args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", counted)
    updated = api.client.put(f"{path}/stock", headers=owner, json={"on_hand": 7})
    assert (updated.status_code, updated.json()["stock"]["on_hand"]) == (200, 7)
    assert hops == ["set_stock"]
    assert api.client.get(path, headers=owner).json()["stock"]["on_hand"] == 7
    assert hops == ["set_stock", "get"]
    refused = api.client.put(f"{path}/stock", headers=owner, json={"on_hand": -1})
    assert refused.status_code == 422  # refused before the route: no hop at all
    assert hops == ["set_stock", "get"]


def test_every_router_builds_one_hop_routes() -> None:
    """A router made without `OneHopRoute` would bring the second hand-over back to its
    routes, with nothing else to show it."""
    import api.routers
    import api.web

    routers = {f"{package.__name__}.{info.name}": module.router
               for package in (api.routers, api.web)
               for info in pkgutil.iter_modules(package.__path__)
               if hasattr(module := importlib.import_module(f"{package.__name__}.{info.name}"),
                          "router")}
    assert len(routers) >= 25
    assert {name for name, router in routers.items()
            if router.route_class is not OneHopRoute} == set()
