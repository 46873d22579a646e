"""Outbound webhooks end to end over real HTTP, on both backends: a real `comptoir serve`
(whose lifespan runs the followers and the sender) and a real receiver on 127.0.0.1 that
answers 500 twice. The order event arrives exactly once as a success, three requests with
one webhook-id, signed as Standard Webhooks says (checked with our own HMAC and with the
reference `standardwebhooks` library); the receiver of merchant A learns only A's part and
nothing of the shopper; the secret is answered once and is nowhere in the stored bytes."""

from __future__ import annotations

import base64
import json
import time
from uuid import uuid4

import httpx
import pytest
from fastapi.testclient import TestClient
from standardwebhooks import Webhook

from api.container import build_container
from api.main import create_app
from api.settings import Settings
from application.actors import Role
from tests.http.test_webhooks import Receiver, expected_signature
from tests.support import (
    Api,
    comptoir_server,
    consumer_body,
    everything_stored,
    listing_body,
    merchant_body,
)

FAST_RETRIES = {"COMPTOIR_WEBHOOK_RETRY_FIRST_SECONDS": "0.1",
                "COMPTOIR_WEBHOOK_RETRY_MAX_SECONDS": "0.3",
                "COMPTOIR_WEBHOOK_POLL_SECONDS": "0.05"}


def wait_for(found: object, timeout: float = 20) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := found():  # type: ignore[operator]
            return result
        time.sleep(0.05)
    raise AssertionError("never happened")


def test_a_served_platform_delivers_the_order_once_after_two_500s_signed_and_minimal(
        settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in FAST_RETRIES.items():
        monkeypatch.setenv(name, value)
    store = build_container(settings)  # the same data directory: the same token keys
    tokens = store.tokens
    store.close()
    receiver = Receiver((500, 500))
    shopper_id = uuid4()
    shopper = {"Authorization": f"Bearer {tokens.issue(Role.CONSUMER, subject=shopper_id)}"}
    validator = {"Authorization": f"Bearer {tokens.issue(Role.VALIDATOR)}"}
    try:
        with comptoir_server(settings) as base, httpx.Client(base_url=base, timeout=30) as http:
            owners, listings = {}, {}
            for name, fulfilment in [("A", {"pickup": True}),
                                     ("B", {"pickup": False, "delivery_radius_km": 10,
                                            "delivery_fee_cents": 500})]:
                merchant = http.post("/v1/merchants", json=merchant_body(
                    name=f"Commerce {name}", fulfilment=fulfilment)).json()["id"]
                assert http.post(f"/v1/merchants/{merchant}/approval",
                                 headers=validator).status_code == 200
                owners[name] = (merchant, {"Authorization": "Bearer " + tokens.issue(
                    Role.MERCHANT, merchant_id=merchant)})
                listing = http.post(f"/v1/merchants/{merchant}/listings",
                                    headers=owners[name][1],
                                    json=listing_body(title_fr=f"Produit {name}")).json()["id"]
                http.put(f"/v1/listings/{listing}/stock", headers=owners[name][1],
                         json={"on_hand": 5})
                http.post(f"/v1/listings/{listing}/publication", headers=owners[name][1])
                listings[name] = listing
            a, a_owner = owners["A"]
            b, b_owner = owners["B"]
            hooks = f"/v1/merchants/{a}/webhook-endpoints"

            # Anonymous: 401; merchant B on A's endpoints: 404.
            request = {"url": receiver.url, "event_types": ["order.placed.v1"]}
            assert http.post(hooks, json=request).status_code == 401
            assert http.post(hooks, headers=b_owner, json=request).status_code == 404
            assert http.get(hooks, headers=b_owner).status_code == 404

            # A registers its endpoint; the secret is in this answer only.
            keyed = {**a_owner, "Idempotency-Key": "caisse-a-1"}
            created = http.post(hooks, headers=keyed, json=request)
            assert created.status_code == 201, created.text
            endpoint = created.json()
            secret = endpoint["secret"]
            assert secret.startswith("whsec_")
            again = http.post(hooks, headers=keyed, json=request)  # the lost answer, retried
            assert (again.status_code, again.json()["id"], again.json()["secret"]) == (
                201, endpoint["id"], secret)
            path = f"{hooks}/{endpoint['id']}"
            assert http.get(path, headers=a_owner).json()["secret"] is None
            assert [e["secret"] for e in http.get(hooks, headers={
                **a_owner, "Prefer": "read-your-writes"}).json()] == [None]

            # One order from both merchants: A's part picked up, B's delivered.
            assert http.post("/v1/consumers", headers=shopper,
                             json=consumer_body()).status_code == 201
            cart = http.post("/v1/carts", headers=shopper).json()["id"]
            for listing in listings.values():
                http.put(f"/v1/carts/{cart}/lines/{listing}", headers=shopper,
                         json={"quantity": 1})
            order = http.post(f"/v1/carts/{cart}/checkout", headers=shopper, json={
                "fulfilment": {a: "pickup", b: "delivery"}})
            assert order.status_code == 201, order.text

            requests = receiver.wait_for(3)
            deliveries = f"{path}/deliveries"
            listed = wait_for(lambda: [d for d in http.get(deliveries, headers=a_owner).json()
                                       if d["status"] == "succeeded"])
            time.sleep(0.5)  # several retry periods: nothing more comes
            assert len(receiver.requests) == 3

            # Three requests, one webhook-id, one body, each signed for its own timestamp.
            assert len({h["webhook-id"] for h, _ in requests}) == 1
            assert len({body for _, body in requests}) == 1
            for headers, body in requests:
                assert headers["webhook-signature"] == expected_signature(
                    secret, headers["webhook-id"], headers["webhook-timestamp"], body)
                Webhook(secret).verify(body, headers)  # the reference implementation agrees

            # A's part only, and nothing about the shopper (a pickup: no address at all).
            headers, body = requests[0]
            payload = json.loads(body)
            assert (payload["type"], payload["data"]["order_id"],
                    payload["data"]["merchant_id"]) == ("order.placed.v1", order.json()["id"], a)
            assert [line["listing_id"] for line in payload["data"]["lines"]] == [listings["A"]]
            assert payload["data"]["fulfilment"] == "pickup"
            assert payload["data"]["delivery_address"] is None
            shopper_data = consumer_body()
            for secret_of_shopper in (shopper_data["name"], shopper_data["email"],
                                      shopper_data["phone"], "Tremblay", "rue Laval",
                                      str(shopper_id), b, listings["B"], "Produit B"):
                assert secret_of_shopper.encode() not in body, secret_of_shopper

            # The attempts are visible; a replay sends it again with the same webhook-id.
            [delivery] = listed  # type: ignore[misc]
            assert delivery["webhook_id"] == headers["webhook-id"]
            assert [t["status_code"] for t in delivery["attempts"]] == [500, 500, 200]
            replayed = http.post(f"{deliveries}/{delivery['id']}/replay", headers=a_owner)
            assert replayed.status_code == 200, replayed.text
            assert [t["status_code"] for t in replayed.json()["attempts"]] == [
                500, 500, 200, 200]
            replay_headers, replay_body = receiver.wait_for(4)[3]
            assert (replay_headers["webhook-id"], replay_body) == (headers["webhook-id"], body)
            assert http.post(f"/v1/merchants/{b}/webhook-endpoints/{endpoint['id']}/deliveries/"
                             f"{delivery['id']}/replay", headers=b_owner).status_code == 404

            # After a rotation, replaying the registration never reveals the new secret.
            rotated = http.post(f"{path}/secret-rotation", headers=a_owner,
                                json={"keep_previous_hours": 0})
            assert rotated.status_code == 200 and rotated.json()["secret"] != secret
            late = http.post(hooks, headers=keyed, json=request)
            assert (late.status_code, late.json()["id"], late.json()["secret"]) == (
                201, endpoint["id"], None)
            secrets = [secret, rotated.json()["secret"]]
    finally:
        receiver.close()

    # The secrets are in no stored byte: not as sent, nor as raw keys, in any encoding (a
    # pg_dump shows bytea columns, where the events are, in hex).
    stored = everything_stored(settings)

    def kept(value: bytes) -> bool:
        return value in stored or value.hex().encode() in stored

    assert kept(receiver.url.encode())  # the search looks where the endpoint is kept
    for shown in secrets:
        key = base64.b64decode(shown.removeprefix("whsec_"))
        for form in (shown.encode(), shown.removeprefix("whsec_").encode(), key,
                     base64.urlsafe_b64encode(key).rstrip(b"=")):
            assert not kept(form)


def test_the_sender_is_woken_by_the_follower_not_by_its_poll(settings: Settings) -> None:
    """A poll every 60 s, yet the event arrives at once: the outbox follower wakes the
    sender when it commits new deliveries."""
    container = build_container(settings.model_copy(update={"webhook_poll_seconds": 60}))
    receiver = Receiver()
    try:
        with TestClient(create_app(container=container)) as client:
            api = Api(client, container)
            merchant, owner = api.approved_merchant()
            listing = api.listing(merchant, owner)
            assert client.post(f"/v1/merchants/{merchant}/webhook-endpoints", headers=owner,
                               json={"url": receiver.url,
                                     "event_types": ["listing.stock_changed.v1"]}
                               ).status_code == 201
            started = time.monotonic()
            assert client.put(f"/v1/listings/{listing}/stock", headers=owner,
                              json={"on_hand": 7}).status_code == 200
            [(_, body)] = receiver.wait_for(1, timeout=10)
            assert time.monotonic() - started < 10
            assert json.loads(body)["data"]["on_hand"] == 7
    finally:
        container.close()
        receiver.close()
