"""Real-time stock: how long after a stock change answers does search show it?

A `comptoir serve` process follows the log in process; the client sets a listing's stock, then
polls search (every 2 ms, without `Prefer: read-your-writes`) until the new availability shows.
Printed next to the PUT's own round trip, the time the write itself took.

    python -m bench.freshness --backend sqlite|postgres [--count 100]
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from pathlib import Path

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
            http.close()
        elapsed = (sum(writes) + sum(visible)) / 1000
        report(f"Stock change to search visibility on {backend} ({count} changes)", [
            (Figures("visible in search after the PUT answered", count, elapsed, visible),
             Figures("", count, elapsed, writes)),
            (Figures("PUT /v1/listings/{id}/stock round trip", count, elapsed, writes), None),
        ])
        console.print(f"worst: {max(visible):.0f} ms (goal: under 1,000 ms)")
        container.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--count", type=int, default=100)
    args = parser.parse_args()
    run(args.backend, args.count)


if __name__ == "__main__":
    main()
