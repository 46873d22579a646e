"""Outbound webhooks over HTTP, on both backends, with the sender running in the API process
and real receivers on 127.0.0.1 (docs/webhooks.md): retries until a 2xx, signatures checked
here with our own HMAC, one delivery per event and endpoint, tenants kept apart, the secret
shown once, replays, and SSRF refusals outside development."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from uuid import uuid4

import pytest
from fastapi.testclient import TestClient

from adapters.webhook_transport import HttpxWebhookTransport, is_global
from api.container import build_container
from api.main import create_app
from api.settings import Settings
from application.actors import Role
from domain.webhook_endpoint import EVENT_TYPES
from tests.support import Api, Shop

FAST = {"webhook_retry_first_seconds": 0.05, "webhook_retry_max_seconds": 0.2,
        "webhook_poll_seconds": 0.02}
LATEST = {"Prefer": "read-your-writes"}


class Receiver:
    """A real HTTP server on 127.0.0.1 that records every POST and answers the statuses it
    is given in turn, then 200."""

    def __init__(self, statuses: tuple[int, ...] = ()) -> None:
        self.statuses = list(statuses)
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.arrived = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the standard library's name
                body = self.rfile.read(int(self.headers["content-length"]))
                with receiver.arrived:
                    receiver.requests.append(({k.lower(): v for k, v in self.headers.items()},
                                              body))
                    status = receiver.statuses.pop(0) if receiver.statuses else 200
                    receiver.arrived.notify_all()
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/comptoir"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, count: int, timeout: float = 15) -> list[tuple[dict[str, str], bytes]]:
        with self.arrived:
            assert self.arrived.wait_for(lambda: len(self.requests) >= count, timeout), \
                f"{len(self.requests)} requests, {count} expected"
            return list(self.requests)

    def payloads(self) -> list[dict[str, Any]]:
        return [json.loads(body) for _, body in self.requests]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receivers() -> Iterator[list[Receiver]]:
    made: list[Receiver] = []
    yield made
    for receiver in made:
        receiver.close()


@pytest.fixture
def hooks(settings: Settings) -> Iterator[Api]:
    """The API with the sender and the followers running, retries a few milliseconds apart."""
    container = build_container(settings.model_copy(update=FAST))
    try:
        with TestClient(create_app(container=container)) as client:
            yield Api(client, container)
    finally:
        container.close()


def expected_signature(secret: str, webhook_id: str, timestamp: str, body: bytes) -> str:
    """Standard Webhooks, computed here and not by the code under test."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    mac = hmac.new(key, f"{webhook_id}.{timestamp}.".encode() + body, hashlib.sha256)
    return "v1," + base64.b64encode(mac.digest()).decode()


def register(api: Api, path: str, who: dict[str, str], url: str,
             types: list[str] | None = None) -> dict[str, Any]:
    response = api.client.post(path, headers=who, json={
        "url": url, "event_types": types or ["order.placed.v1"], "description": "Caisse"})
    assert response.status_code == 201, response.text
    return response.json()


def merchant_hooks(merchant_id: str) -> str:
    return f"/v1/merchants/{merchant_id}/webhook-endpoints"


def settle(api: Api) -> None:
    """Every event followed and every due delivery attempted (the sender's job runs too)."""
    api.container.projections.settle()
    api.container.webhook_jobs.run_once()


def test_an_order_reaches_its_merchant_once_after_two_failures_signed_and_verifiable(
        hooks: Api, receivers: list[Receiver]) -> None:
    api, shop = hooks, Shop(hooks)
    merchant, owner = shop.merchant(name="Fromagerie Boréale")
    cheddar = api.listing(merchant, owner, publish=True, stock=5, price_cents=12_99,
                          tax_class="zero_rated", sku="CHED-2")
    receiver = Receiver((500, 500))
    receivers.append(receiver)
    # The merchant registers its endpoint: the secret comes once, in this answer.
    endpoint = register(api, merchant_hooks(merchant), owner, receiver.url)
    assert endpoint["secret"].startswith("whsec_")
    assert len(base64.b64decode(endpoint["secret"].removeprefix("whsec_"))) == 32
    assert (endpoint["url"], endpoint["event_types"], endpoint["enabled"]) == (
        receiver.url, ["order.placed.v1"], True)

    # A shopper buys, to be delivered: the receiver fails twice, then takes it.
    order = shop.check_out(shop.cart({cheddar: 2}), fulfilment={merchant: "delivery"}).json()
    requests = receiver.wait_for(3)
    deliveries = f"{merchant_hooks(merchant)}/{endpoint['id']}/deliveries"
    wait_until(lambda: api.client.get(f"{deliveries}?status=succeeded", headers=owner).json())
    settle(api)
    assert len(receiver.requests) == 3  # and no more: once, as a success

    ids = {headers["webhook-id"] for headers, _ in requests}
    assert len(ids) == 1  # the same webhook-id on every attempt
    for headers, body in requests:
        assert headers["content-type"] == "application/json"
        assert headers["webhook-signature"] == expected_signature(
            endpoint["secret"], headers["webhook-id"], headers["webhook-timestamp"], body)
    assert len({body for _, body in requests}) == 1
    captured = next(hooks.container.webhook_endpoints.events("comptoir.Order.PaymentCaptured"))
    payload = receiver.payloads()[0]
    assert payload == {
        "id": payload["id"], "type": "order.placed.v1",
        "timestamp": captured.timestamp.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "data": {
            "order_id": order["id"], "merchant_id": merchant, "status": "placed",
            "storefront": None, "fulfilment": "delivery", "currency": "CAD",
            "lines": [{"listing_id": cheddar, "title": "Cheddar fort", "quantity": 2,
                       "unit_price_cents": 12_99, "amount_cents": 25_98,
                       "tax_class": "zero_rated"}],
            # Zero-rated goods: the delivery fee follows them, untaxed; commission 8 %.
            "subtotal_cents": 25_98, "fee_cents": 5_00, "gst_cents": 0, "qst_cents": 0,
            "total_cents": 30_98, "commission_cents": 2_08, "share_cents": 28_90,
            "taxes_remitted_by": "merchant",
            "delivery_address": {"name": "Marie Tremblay", "street": "10, rue Laval",
                                 "municipality": "Gatineau", "postal_code": "J8X 1A1",
                                 "region": "07", "province": "QC"}}}
    # No e-mail, no phone (819-555-…): looked for outside the ids, which are random and may
    # hold "555" themselves (one CI run's webhook id did).
    outside_ids = re.sub(rb"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", b"", requests[0][1])
    assert b"courriel" not in outside_ids and b"555" not in outside_ids

    # Every attempt is recorded and visible to the merchant.
    listed = api.client.get(deliveries, headers=owner).json()
    assert len(listed) == 1
    delivery = listed[0]
    assert (delivery["webhook_id"], delivery["event_id"], delivery["event_type"]) == (
        ids.pop(), payload["id"], "order.placed.v1")
    assert (delivery["status"], delivery["attempt_count"], delivery["next_attempt_at"],
            delivery["last_error"]) == ("succeeded", 3, None, None)
    assert [(a["status_code"], a["error"], a["replay"]) for a in delivery["attempts"]] == [
        (500, None, False), (500, None, False), (200, None, False)]
    assert all(a["duration_ms"] >= 0 for a in delivery["attempts"])


def test_a_merchant_endpoint_never_receives_another_merchants_events(
        hooks: Api, receivers: list[Receiver]) -> None:
    api, shop = hooks, Shop(hooks)
    a, a_owner = shop.merchant(name="Commerce A")
    b, b_owner = shop.merchant(name="Commerce B", neq="2298760001")
    listing_a = api.listing(a, a_owner, publish=True, stock=9)
    listing_b = api.listing(b, b_owner, publish=True, stock=9)
    to_a, to_b, to_operator = Receiver(), Receiver(), Receiver()
    receivers += [to_a, to_b, to_operator]
    register(api, merchant_hooks(a), a_owner, to_a.url)
    register(api, merchant_hooks(b), b_owner, to_b.url)
    register(api, "/v1/webhook-endpoints", api.auth(Role.ADMIN), to_operator.url)

    # One order from both merchants, then one from B alone.
    both = shop.check_out(shop.cart({listing_a: 1, listing_b: 1})).json()
    only_b = shop.check_out(shop.cart({listing_b: 2})).json()
    to_operator.wait_for(3)
    to_b.wait_for(2)
    to_a.wait_for(1)
    settle(api)

    assert [(p["data"]["order_id"], p["data"]["merchant_id"]) for p in to_a.payloads()] == [
        (both["id"], a)]
    assert [line["listing_id"] for line in to_a.payloads()[0]["data"]["lines"]] == [listing_a]
    assert to_a.payloads()[0]["data"]["delivery_address"] is None  # picked up: no address
    assert sorted((p["data"]["order_id"], p["data"]["merchant_id"]) for p in to_b.payloads()) \
        == sorted([(both["id"], b), (only_b["id"], b)])
    assert sorted((p["data"]["order_id"], p["data"]["merchant_id"])
                  for p in to_operator.payloads()) == sorted(
        [(both["id"], a), (both["id"], b), (only_b["id"], b)])
    # Each merchant's part of an order is its own event.
    assert len({p["id"] for p in to_operator.payloads()}) == 3


def test_one_merchant_cannot_see_or_touch_another_merchants_endpoints(
        hooks: Api, receivers: list[Receiver]) -> None:
    api, shop = hooks, Shop(hooks)
    a, a_owner = shop.merchant(name="Commerce A")
    b, b_owner = shop.merchant(name="Commerce B", neq="2298760001")
    receiver = Receiver()
    receivers.append(receiver)
    b_endpoint = register(api, merchant_hooks(b), b_owner, receiver.url)
    a_endpoint = register(api, merchant_hooks(a), a_owner, receiver.url)
    of_b = f"{merchant_hooks(b)}/{b_endpoint['id']}"
    b_as_a = f"{merchant_hooks(a)}/{b_endpoint['id']}"  # B's endpoint under A's own path
    delivery = f"/deliveries/{uuid4()}"

    for path in (of_b, b_as_a):
        for method, suffix, body in [
                ("GET", "", None), ("PATCH", "", {"enabled": False}), ("DELETE", "", None),
                ("POST", "/secret-rotation", {}), ("GET", "/deliveries", None),
                ("POST", delivery + "/replay", None)]:
            response = api.client.request(method, path + suffix, headers=a_owner, json=body)
            assert (method, suffix, response.status_code, response.json()["code"]) == (
                method, suffix, 404, "not_found")
    assert api.client.get(merchant_hooks(b), headers=a_owner).status_code == 404
    assert api.client.post(merchant_hooks(b), headers=a_owner, json={
        "url": receiver.url, "event_types": ["order.placed.v1"]}).status_code == 404
    assert api.client.get("/v1/webhook-endpoints", headers=a_owner).status_code == 404
    # A sees its own only; B's is intact.
    assert [e["id"] for e in api.client.get(merchant_hooks(a), headers={
        **a_owner, **LATEST}).json()] == [a_endpoint["id"]]
    assert api.client.get(of_b, headers=b_owner).json()["enabled"] is True

    # Who else: anonymous 401, a shopper 404, staff read, an auditor never writes.
    assert api.client.get(of_b).status_code == 401
    assert api.client.get(of_b, headers=shop.consumer).status_code == 404
    auditor = api.auth(Role.AUDITOR)
    assert api.client.get(of_b, headers=auditor).status_code == 200
    assert api.client.patch(of_b, headers=auditor, json={"enabled": False}).status_code == 403
    assert api.client.post(merchant_hooks(b), headers=api.auth(Role.VALIDATOR), json={
        "url": receiver.url, "event_types": ["order.placed.v1"]}).status_code == 403


def test_a_merchants_api_key_manages_its_endpoints_only(
        hooks: Api, receivers: list[Receiver]) -> None:
    from tests.http.test_accounts import merchant_owner  # an owner account, signed in

    api = hooks
    a, a_owner = merchant_owner(api, "caisse@erabliere.example")
    b, b_owner = api.approved_merchant(neq="2298760001")
    issued = api.client.post(f"/v1/merchants/{a}/api-keys", headers=a_owner,
                             json={"name": "Caisse"})
    assert issued.status_code == 201, issued.text
    a_key = {"Authorization": f"Bearer {issued.json()['key']}"}
    receiver = Receiver()
    receivers.append(receiver)
    endpoint = register(api, merchant_hooks(a), a_key, receiver.url)
    assert endpoint["merchant_id"] == a
    assert api.client.get(f"{merchant_hooks(a)}/{endpoint['id']}",
                          headers=a_owner).status_code == 200  # the people see it too
    b_endpoint = register(api, merchant_hooks(b), b_owner, receiver.url)
    assert api.client.get(f"{merchant_hooks(b)}/{b_endpoint['id']}",
                          headers=a_key).status_code == 404
    assert api.client.post(merchant_hooks(b), headers=a_key, json={
        "url": receiver.url, "event_types": ["order.placed.v1"]}).status_code == 404


def test_the_secret_is_shown_once_and_a_rotation_signs_with_both_for_a_while(
        hooks: Api, receivers: list[Receiver]) -> None:
    api, shop = hooks, Shop(hooks)
    merchant, owner = shop.merchant()
    listing = api.listing(merchant, owner, publish=True, stock=50)
    receiver = Receiver()
    receivers.append(receiver)
    created = register(api, merchant_hooks(merchant), owner, receiver.url,
                       ["listing.stock_changed.v1"])
    path = f"{merchant_hooks(merchant)}/{created['id']}"
    assert api.client.get(path, headers=owner).json()["secret"] is None
    assert [e["secret"] for e in api.client.get(merchant_hooks(merchant), headers={
        **owner, **LATEST}).json()] == [None]

    # A rotation keeping the old secret an hour: deliveries carry both signatures.
    rotated = api.client.post(f"{path}/secret-rotation", headers=owner,
                              json={"keep_previous_hours": 1})
    assert rotated.status_code == 200
    new_secret = rotated.json()["secret"]
    assert new_secret.startswith("whsec_") and new_secret != created["secret"]
    assert rotated.json()["previous_secret_expires_at"] is not None
    assert api.client.get(path, headers=owner).json()["secret"] is None
    assert api.client.put(f"/v1/listings/{listing}/stock", headers=owner,
                          json={"on_hand": 40}).status_code == 200
    headers, body = receiver.wait_for(1)[0]
    assert headers["webhook-signature"].split(" ") == [
        expected_signature(s, headers["webhook-id"], headers["webhook-timestamp"], body)
        for s in (new_secret, created["secret"])]
    assert json.loads(body)["data"] == {
        "listing_id": listing, "merchant_id": merchant, "sku": None, "on_hand": 40,
        "reserved": 0, "available": 40, "cause": "set", "reason": None, "variant": None}

    # Rotated again at once: only the newest secret signs.
    newest = api.client.post(f"{path}/secret-rotation", headers=owner,
                             json={"keep_previous_hours": 0}).json()
    assert newest["previous_secret_expires_at"] is None
    assert api.client.post(f"/v1/listings/{listing}/stock-adjustments", headers=owner,
                           json={"delta": -3, "reason": "damaged"}).status_code == 200
    headers, body = receiver.wait_for(2)[1]
    assert headers["webhook-signature"] == expected_signature(
        newest["secret"], headers["webhook-id"], headers["webhook-timestamp"], body)
    assert json.loads(body)["data"]["cause"] == "adjusted"
    assert json.loads(body)["data"]["reason"] == "damaged"


def test_a_delivery_is_replayed_with_the_same_webhook_id(
        hooks: Api, receivers: list[Receiver]) -> None:
    api, shop = hooks, Shop(hooks)
    merchant, owner = shop.merchant()
    listing = api.listing(merchant, owner, publish=True, stock=5)
    receiver = Receiver()
    receivers.append(receiver)
    endpoint = register(api, merchant_hooks(merchant), owner, receiver.url,
                        ["merchant_order.accepted.v1"])
    order = shop.check_out(shop.cart({listing: 1})).json()
    assert api.client.post(f"/v1/orders/{order['id']}/merchant-orders/{merchant}/acceptance",
                           headers=owner).status_code == 200
    first_headers, first_body = receiver.wait_for(1)[0]
    assert json.loads(first_body)["data"] == {
        "order_id": order["id"], "merchant_id": merchant, "status": "accepted"}
    deliveries = f"{merchant_hooks(merchant)}/{endpoint['id']}/deliveries"
    delivery = api.client.get(deliveries, headers=owner).json()[0]

    # The merchant asks for it again: one more attempt now, the same webhook-id.
    replayed = api.client.post(f"{deliveries}/{delivery['id']}/replay", headers=owner)
    assert replayed.status_code == 200, replayed.text
    again_headers, again_body = receiver.wait_for(2)[1]
    assert again_headers["webhook-id"] == first_headers["webhook-id"] == delivery["webhook_id"]
    assert again_body == first_body
    assert (replayed.json()["status"], replayed.json()["attempt_count"]) == ("succeeded", 2)
    assert [(a["status_code"], a["replay"]) for a in replayed.json()["attempts"]] == [
        (200, False), (200, True)]
    assert api.client.post(f"{deliveries}/{uuid4()}/replay", headers=owner).status_code == 404


def test_a_disabled_or_deleted_endpoint_receives_nothing(
        hooks: Api, receivers: list[Receiver]) -> None:
    api, shop = hooks, Shop(hooks)
    merchant, owner = shop.merchant()
    listing = api.listing(merchant, owner, publish=True, stock=5)
    receiver = Receiver()
    receivers.append(receiver)
    endpoint = register(api, merchant_hooks(merchant), owner, receiver.url,
                        ["listing.stock_changed.v1"])
    path = f"{merchant_hooks(merchant)}/{endpoint['id']}"
    for vague in ("yes", "no", 1, 0):  # only true or false say what was meant
        refused = api.client.patch(path, headers=owner, json={"enabled": vague})
        assert (refused.status_code, refused.json()["errors"][0]["field"]) == (422, "enabled")
    patched = api.client.patch(path, headers=owner, json={
        "enabled": False, "event_types": list(EVENT_TYPES), "description": None})
    assert patched.status_code == 200
    assert (patched.json()["enabled"], patched.json()["event_types"],
            patched.json()["description"]) == (False, list(EVENT_TYPES), None)
    api.client.put(f"/v1/listings/{listing}/stock", headers=owner, json={"on_hand": 4})
    settle(api)
    assert receiver.requests == []
    assert api.client.delete(path, headers=owner).status_code == 204
    assert api.client.get(path, headers=owner).status_code == 404
    assert api.client.get(merchant_hooks(merchant), headers={**owner, **LATEST}).json() == []
    api.client.put(f"/v1/listings/{listing}/stock", headers=owner, json={"on_hand": 3})
    settle(api)
    assert receiver.requests == []


def test_a_delivery_that_never_succeeds_is_failed_after_the_give_up_time(
        settings: Settings, receivers: list[Receiver]) -> None:
    container = build_container(settings.model_copy(update={
        **FAST, "webhook_give_up_hours": 2 / 3600}))  # two seconds
    receiver = Receiver((500,) * 1000)
    receivers.append(receiver)
    try:
        with TestClient(create_app(container=container)) as client:
            api = Api(client, container)
            merchant, owner = api.approved_merchant()
            listing = api.listing(merchant, owner)
            endpoint = register(api, merchant_hooks(merchant), owner, receiver.url,
                                ["listing.stock_changed.v1"])
            api.client.put(f"/v1/listings/{listing}/stock", headers=owner, json={"on_hand": 1})
            deliveries = f"{merchant_hooks(merchant)}/{endpoint['id']}/deliveries"
            failed = wait_until(lambda: api.client.get(
                f"{deliveries}?status=failed", headers=owner).json())
    finally:
        container.close()
    assert failed[0]["attempt_count"] == len(receiver.requests) >= 2
    assert {a["status_code"] for a in failed[0]["attempts"]} == {500}
    assert (failed[0]["next_attempt_at"], failed[0]["last_error"]) == (None, "http_500")


def wait_until(found: Any, timeout: float = 15) -> Any:
    done = threading.Event()
    for _ in range(int(timeout / 0.05)):
        if result := found():
            return result
        done.wait(0.05)
    raise AssertionError("never happened")


REFUSED_IN_PRODUCTION = [
    ("http://127.0.0.1:8080/hooks", "webhook_url_not_public"),
    ("https://localhost/hooks", "webhook_url_not_public"),
    ("https://10.0.0.8/hooks", "webhook_url_not_public"),
    ("https://169.254.169.254/latest", "webhook_url_not_public"),
    ("https://[::1]/hooks", "webhook_url_not_public"),
    ("https://[::ffff:127.0.0.1]/hooks", "webhook_url_not_public"),
    ("https://2130706433/hooks", "webhook_url_not_public"),
    ("https://metadata.internal/hooks", "webhook_url_not_public"),
    ("http://hooks.example.com/comptoir", "webhook_url_not_https"),
    ("https://user:pw@hooks.example.com/", "webhook_url_invalid"),
    ("ftp://hooks.example.com/", "webhook_url_invalid"),
]


def test_outside_development_only_public_https_endpoints_are_accepted(
        settings: Settings) -> None:
    container = build_container(settings.model_copy(update={
        "environment": "production", "run_projections": False,
        "smtp_host": "smtp.invalid"}))  # production mails through SMTP (never reached here)
    try:
        api = Api(TestClient(create_app(container=container)), container)
        merchant, owner = api.approved_merchant()
        refused = [api.client.post(merchant_hooks(merchant), headers=owner, json={
            "url": url, "event_types": ["order.placed.v1"]}) for url, _ in REFUSED_IN_PRODUCTION]
        assert [(r.status_code, [(e["field"], e["code"]) for e in r.json()["errors"]])
                for r in refused] == [(422, [("url", code)]) for _, code in REFUSED_IN_PRODUCTION]
        assert api.client.post(merchant_hooks(merchant), headers=owner, json={
            "url": "https://hooks.example.com/comptoir", "event_types": ["order.placed.v1"]},
        ).status_code == 201
    finally:
        container.close()


def test_the_sender_refuses_a_name_that_resolves_to_a_private_address() -> None:
    def rebinding(host: str, port: int) -> list[str]:
        return {"hooks.example.com": ["93.184.216.34", "169.254.169.254"]}.get(host, [])

    for transport, url in [
            (HttpxWebhookTransport(2, allow_private=False, resolver=rebinding),
             "https://hooks.example.com/comptoir"),
            (HttpxWebhookTransport(2, allow_private=False), "https://localhost:9/hooks")]:
        try:
            outcome = transport.post(url, b"{}", {})
            assert (outcome.status_code, outcome.error) == (None, "address_not_allowed")
        finally:
            transport.close()


@pytest.mark.parametrize(("address", "public"), [
    ("93.184.216.34", True), ("2606:2800:220:1:248:1893:25c8:1946", True),
    ("169.254.169.254", False), ("::ffff:169.254.169.254", False),
    ("64:ff9b::a9fe:a9fe", False),  # NAT64 of 169.254.169.254
    ("64:ff9b::5db8:d822", True),  # NAT64 of 93.184.216.34
    ("2002:a9fe:a9fe::1", False),  # 6to4 of 169.254.169.254
    ("192.0.0.8", False), ("10.0.0.1", False), ("fd00::1", False), ("224.0.0.1", False)])
def test_an_address_is_public_only_once_any_ipv4_address_inside_it_is(
        address: str, public: bool) -> None:
    assert is_global(address) is public


def test_in_the_portal_a_delivery_is_sent_again_and_the_endpoint_deleted(
        hooks: Api, receivers: list[Receiver]) -> None:
    from tests.web.test_merchant_portal import owner_session
    from tests.web.test_shop_forms import csrf_of

    api, shop = hooks, Shop(hooks)
    merchant, owner = shop.merchant(name="Fromagerie Boréale")
    listing = api.listing(merchant, owner, publish=True, stock=5)
    receiver = Receiver()
    receivers.append(receiver)
    endpoint = register(api, merchant_hooks(merchant), owner, receiver.url)
    shop.check_out(shop.cart({listing: 1}))
    first_headers, first_body = receiver.wait_for(1)[0]
    [delivery] = api.client.get(f"{merchant_hooks(merchant)}/{endpoint['id']}/deliveries",
                                headers=owner).json()
    portal = owner_session(api, merchant)
    token = csrf_of(portal, "/portail/integrations")
    again = f"/portail/integrations/webhooks/{endpoint['id']}/envois/{delivery['id']}/renvoi"
    assert f'action="{again}"' in portal.get("/portail/integrations").text

    # Another delivery id, or another merchant's endpoint: not found, nothing sent.
    for path in (f"/portail/integrations/webhooks/{endpoint['id']}/envois/{uuid4()}/renvoi",
                 f"/portail/integrations/webhooks/{uuid4()}/envois/{delivery['id']}/renvoi",
                 f"/portail/integrations/webhooks/{uuid4()}/suppression"):
        assert portal.post(path, data={"csrftoken": token}).status_code == 404, path
    sent = portal.post(again, data={"csrftoken": token}, follow_redirects=False)
    assert sent.headers["location"] == "/portail/integrations#webhooks"
    again_headers, again_body = receiver.wait_for(2)[1]
    assert (again_headers["webhook-id"], again_body) == (first_headers["webhook-id"], first_body)
    row = re.search(r'<td class="num" data-label="Essais">(\d+)</td>',
                    portal.get("/portail/integrations").text)
    assert row is not None and row.group(1) == "2"

    deleted = portal.post(f"/portail/integrations/webhooks/{endpoint['id']}/suppression",
                          data={"csrftoken": token}, follow_redirects=False)
    assert deleted.headers["location"] == "/portail/integrations#webhooks"
    assert "Aucun webhook." in portal.get("/portail/integrations").text
    assert api.client.get(f"{merchant_hooks(merchant)}/{endpoint['id']}",
                          headers=owner).status_code == 404
