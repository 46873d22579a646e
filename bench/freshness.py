"""Real-time stock: how long after a stock change answers does search show it?

A `comptoir serve` process follows the log in process. Two paths, each polled every 2 ms
without `Prefer: read-your-writes`:
- a merchant sets a listing's stock (PUT), until search shows the new availability;
- a shopper checks out the last unit of a listing, until `in_stock=true` no longer finds it.
Printed next to each write's own round trip.

    python -m bench.freshness --backend sqlite|postgres [--count 100]
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from api.container import build_container
from application.actors import Actor, Role
from bench.common import Figures, console, report
from bench.http_client import JsonClient
from bench.stock_updates import _form, settings_for
from tests.support import comptoir_server, listing_body


def run(backend: str, count: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = settings_for(backend, Path(tmp))
        container = build_container(settings)
        merchant = container.merchants.apply(_form())
        container.merchants.approve(Actor(Role.VALIDATOR, str(uuid.uuid4())), merchant.id)
        owner = Actor(Role.MERCHANT, str(uuid.uuid4()), merchant.id)
        listing_id = container.catalog.create_listing(
            owner, merchant.id, listing_body(title_fr="Tomme fraîcheur"))
        container.catalog.publish(owner, listing_id)
        token = container.tokens.issue(Role.MERCHANT, merchant_id=merchant.id)
        last_unit = container.catalog.create_listing(
            owner, merchant.id, listing_body(title_fr="Dernier pot de cretons"))
        container.catalog.publish(owner, last_unit)
        shoppers = [_shopper(container, last_unit) for _ in range(count)]
        writes, visible = [], []
        with comptoir_server(settings) as base:
            http = JsonClient(base, {"Authorization": f"Bearer {token}"})
            search = "/v1/search/listings?q=tomme"
            for i in range(count):
                on_hand = i % 40 + 1
                started = time.perf_counter()
                http.request("PUT", f"/v1/listings/{listing_id}/stock", {"on_hand": on_hand})
                written = time.perf_counter()
                while True:
                    _, body = http.request("GET", search)
                    if body["items"] and body["items"][0]["available"] == on_hand:
                        break
                    time.sleep(0.002)
                writes.append((written - started) * 1000)
                visible.append((time.perf_counter() - written) * 1000)
            sold, gone = _sell_last_units(http, base, listing_id=last_unit, shoppers=shoppers)
            http.close()
        elapsed = (sum(writes) + sum(visible)) / 1000
        sold_elapsed = (sum(sold) + sum(gone)) / 1000
        report(f"Stock change to search visibility on {backend} ({count} changes)", [
            (Figures("visible in search after the PUT answered", count, elapsed, visible),
             Figures("", count, elapsed, writes)),
            (Figures("PUT /v1/listings/{id}/stock round trip", count, elapsed, writes), None),
            (Figures("last unit gone from in_stock=true after the checkout answered", count,
                     sold_elapsed, gone), Figures("", count, sold_elapsed, sold)),
            (Figures("POST /v1/carts/{id}/checkout round trip", count, sold_elapsed, sold),
             None),
        ])
        console.print(f"worst: {max(visible):.0f} ms after a PUT, {max(gone):.0f} ms after a "
                      "checkout (goal: under 1,000 ms)")
        container.close()


def _shopper(container: Any, listing_id: uuid.UUID) -> tuple[str, uuid.UUID]:
    """A registered consumer with one unit of the listing in a cart, and its token."""
    consumer = Actor(Role.CONSUMER, str(uuid.uuid4()))
    container.consumers.register(consumer, {"name": "Client", "email": "c@bench.example",
                                            "phone": None, "address": None})
    cart = container.carts.open(consumer)
    container.carts.set_line(consumer, cart.id, listing_id, 1)
    return container.tokens.issue(Role.CONSUMER, subject=uuid.UUID(consumer.subject)), cart.id


def _sell_last_units(http: JsonClient, base: str, listing_id: uuid.UUID,
                     shoppers: list[tuple[str, uuid.UUID]]) -> tuple[list[float], list[float]]:
    """Each round: one unit received (visible in stock), then a shopper buys it."""
    sold, gone = [], []
    in_stock = "/v1/search/listings?q=cretons&in_stock=true"
    for token, cart_id in shoppers:
        status, _ = http.request("POST", f"/v1/listings/{listing_id}/stock-adjustments",
                                 {"delta": 1, "reason": "received"})
        assert status == 200, status
        while not http.request("GET", in_stock)[1]["items"]:
            time.sleep(0.002)
        shopper = JsonClient(base, {"Authorization": f"Bearer {token}"})
        started = time.perf_counter()
        status, _ = shopper.request("POST", f"/v1/carts/{cart_id}/checkout", {})
        answered = time.perf_counter()
        shopper.close()
        assert status == 201, status
        while http.request("GET", in_stock)[1]["items"]:
            time.sleep(0.002)
        sold.append((answered - started) * 1000)
        gone.append((time.perf_counter() - answered) * 1000)
    return sold, gone


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--count", type=int, default=100)
    args = parser.parse_args()
    run(args.backend, args.count)


if __name__ == "__main__":
    main()
