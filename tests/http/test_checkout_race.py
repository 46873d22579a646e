"""64 clients race for the last 10 units over real HTTP (uvicorn on 127.0.0.1), both backends:
exactly 10 sold, every other client a clear 409, no reservation leaked."""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from uuid import UUID, uuid4

import httpx
import pytest

from api.container import build_container
from api.settings import Settings
from application.actors import Actor, Role
from tests.support import comptoir_server, consumer_body, listing_body, merchant_body

CLIENTS, UNITS = 64, 10
RUNS = int(os.environ.get("COMPTOIR_SOAK_RUNS", "1"))  # `make soak`: 20 on PostgreSQL


@pytest.mark.parametrize("run", range(RUNS))
def test_sixty_four_clients_race_for_the_last_ten_units(settings: Settings, run: int) -> None:
    store = build_container(settings)
    tokens = store.tokens
    try:
        with comptoir_server(settings) as base, httpx.Client(base_url=base, timeout=60) as http:
            validator = {"Authorization": f"Bearer {tokens.issue(Role.VALIDATOR)}"}
            merchant_id = http.post("/v1/merchants", json=merchant_body()).json()["id"]
            http.post(f"/v1/merchants/{merchant_id}/approval", headers=validator)
            owner = {"Authorization": "Bearer " + tokens.issue(Role.MERCHANT,
                                                               merchant_id=merchant_id)}
            listing_id = http.post(f"/v1/merchants/{merchant_id}/listings", headers=owner,
                                   json=listing_body()).json()["id"]
            http.put(f"/v1/listings/{listing_id}/stock", headers=owner, json={"on_hand": UNITS})
            http.post(f"/v1/listings/{listing_id}/publication", headers=owner)

            carts = []
            for _ in range(CLIENTS):  # each client: a consumer with one unit in its cart
                consumer = {"Authorization": "Bearer " + tokens.issue(Role.CONSUMER,
                                                                      subject=uuid4())}
                assert http.post("/v1/consumers", headers=consumer,
                                 json=consumer_body()).status_code == 201
                cart_id = http.post("/v1/carts", headers=consumer).json()["id"]
                http.put(f"/v1/carts/{cart_id}/lines/{listing_id}", headers=consumer,
                         json={"quantity": 1})
                carts.append((consumer, cart_id))

            start = threading.Barrier(CLIENTS)

            def buy(client: tuple[dict, str]) -> httpx.Response:
                consumer, cart_id = client
                with httpx.Client(base_url=base, timeout=60) as own:
                    start.wait()
                    return own.post(f"/v1/carts/{cart_id}/checkout", headers=consumer, json={})

            with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
                answers = list(pool.map(buy, carts))

        statuses = sorted(a.status_code for a in answers)
        assert statuses == [201] * UNITS + [409] * (CLIENTS - UNITS)
        refused = [a.json() for a in answers if a.status_code == 409]
        assert {p["code"] for p in refused} == {"insufficient_stock"}
        assert all(p["type"].endswith("/rule-violated") for p in refused)
        sold = [a.json() for a in answers if a.status_code == 201]
        assert {o["payment"]["status"] for o in sold} == {"captured"}

        listing = store.catalog.get(Actor(Role.AUDITOR, str(uuid4())), UUID(listing_id))
        assert (listing.on_hand, listing.reserved, listing.available) == (UNITS, UNITS, 0)
        reservations = store.app.repository.get(listing.id).reservations
        assert sorted(reservations) == sorted(UUID(o["id"]).hex for o in sold)
    finally:
        store.close()
