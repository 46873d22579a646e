"""Multi-merchant checkout over HTTP (3 merchants, 5 lines) at 1, 4 and 16 clients, beside a
raw psycopg baseline writing the same rows (reserve 5 listings, an order, 3 merchant orders,
5 lines, the cart) in one transaction each, at the same concurrency.

    python -m bench.checkout [--backend postgres|sqlite] [--per-client 40] [--workers 2]

`--workers N` (PostgreSQL): N API processes (`comptoir serve --workers N`, no background work
in them) and one `comptoir work` for the read models and jobs (docs/deployment.md).
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
import uuid
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import psycopg

from api.container import build_container
from application.actors import Actor, Role
from bench.common import Figures, concurrently, console, report
from bench.http_client import JsonClient
from bench.stock_updates import _form, settings_for
from tests.support import comptoir_server, comptoir_worker, listing_body

MERCHANTS, LISTINGS_PER_MERCHANT, STOCK = 3, 20, 100_000


def prepare(container, carts: int) -> list[tuple[str, str]]:  # noqa: ANN001
    """Three merchants with 20 listings each; `carts` consumers each with a 5-line cart."""
    validator = Actor(Role.VALIDATOR, str(uuid.uuid4()))
    catalogue: list[list[uuid.UUID]] = []
    for n in range(MERCHANTS):
        form = _form()
        merchant = container.merchants.apply(
            type(form)(**{**form.__dict__, "neq": f"33{8_000_000 + n:08d}",
                          "name": f"Commerce {n}"}))
        container.merchants.approve(validator, merchant.id)
        owner = Actor(Role.MERCHANT, str(uuid.uuid4()), merchant.id)
        listings = []
        for i in range(LISTINGS_PER_MERCHANT):
            listing_id = container.catalog.create_listing(owner, merchant.id, listing_body(
                title_fr=f"Article {n}-{i}", tax_class=random.choice(["taxable", "zero_rated"])))
            container.catalog.set_stock(owner, listing_id, STOCK)
            container.catalog.publish(owner, listing_id)
            listings.append(listing_id)
        catalogue.append(listings)
    rng = random.Random(4)
    prepared = []
    for _ in range(carts):
        consumer = Actor(Role.CONSUMER, str(uuid.uuid4()))
        container.consumers.register(consumer, {"name": "Client", "email": "c@bench.example",
                                                "phone": None, "address": None})
        cart = container.carts.open(consumer)
        picks = [(0, 2), (1, 2), (2, 1)]  # 5 lines over 3 merchants
        for merchant, count in picks:
            for listing_id in rng.sample(catalogue[merchant], count):
                container.carts.set_line(consumer, cart.id, listing_id, rng.randint(1, 3))
        token = container.tokens.issue(Role.CONSUMER, subject=uuid.UUID(consumer.subject))
        prepared.append((token, str(cart.id)))
    return prepared


def raw_checkout(dsn: str, schema: str) -> Any:
    """The baseline: a conventional row-per-thing checkout in one transaction."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"""
            CREATE TABLE "{schema}".raw_stock (id int PRIMARY KEY, on_hand int, reserved int);
            CREATE TABLE "{schema}".raw_orders (id uuid PRIMARY KEY, consumer uuid, total int);
            CREATE TABLE "{schema}".raw_parts (order_id uuid, merchant int, total int, share int,
                                               PRIMARY KEY (order_id, merchant));
            CREATE TABLE "{schema}".raw_lines (order_id uuid, listing int, quantity int,
                                               price int);
            CREATE TABLE "{schema}".raw_carts (id uuid PRIMARY KEY, order_id uuid);
            INSERT INTO "{schema}".raw_stock SELECT g, {STOCK}, 0 FROM generate_series(0, 59) g;
        """)

    def act(state: dict, _: Any) -> None:
        conn = state.setdefault("conn", psycopg.connect(dsn))
        order_id, cart_id = uuid.uuid4(), uuid.uuid4()
        picks = random.sample(range(60), 5)
        with conn.transaction():
            for listing in sorted(picks):
                row = conn.execute(f'UPDATE "{schema}".raw_stock SET reserved = reserved + 1 '
                                   f"WHERE id = %s AND on_hand - reserved >= 1 RETURNING id",
                                   (listing,)).fetchone()
                assert row is not None
            conn.execute(f'INSERT INTO "{schema}".raw_carts VALUES (%s, %s)', (cart_id, order_id))
            conn.execute(f'INSERT INTO "{schema}".raw_orders VALUES (%s, %s, %s)',
                         (order_id, cart_id, 10_000))
            for merchant in range(3):
                conn.execute(f'INSERT INTO "{schema}".raw_parts VALUES (%s, %s, %s, %s)',
                             (order_id, merchant, 3_000, 2_700))
            for listing in picks:
                conn.execute(f'INSERT INTO "{schema}".raw_lines VALUES (%s, %s, %s, %s)',
                             (order_id, listing, 1, 1_000))
    return act


def run(backend: str, per_client: int, workers: int = 1) -> None:
    levels = (1, 4, 16)
    with tempfile.TemporaryDirectory() as tmp:
        settings = settings_for(backend, Path(tmp))
        container = build_container(settings)
        carts = prepare(container, per_client * sum(levels))
        console.print(f"{backend}: {len(carts)} carts of 5 lines over 3 merchants prepared")
        rows: list[tuple[Figures, Figures | None]] = []
        baseline_act = raw_checkout(settings.postgres_dsn.get_secret_value(),
                                    settings.postgres_schema) if backend == "postgres" else None
        with ExitStack() as stack:
            if workers > 1:  # N API processes doing no background work, and a worker
                stack.enter_context(comptoir_worker(settings))
                base = stack.enter_context(comptoir_server(
                    settings, "--workers", str(workers),
                    env={"COMPTOIR_RUN_PROJECTIONS": "false"}))
            else:
                base = stack.enter_context(comptoir_server(settings))
            # The worker first follows what preparing the carts wrote (thousands of events):
            # measured beside it, the first level paid for that backlog.
            backlog = caught_up_after(container, time.perf_counter())
            console.print(f"the worker caught up with the preparation in {backlog:.1f} s")
            offset = 0
            for clients in levels:
                batch = carts[offset:offset + per_client * clients]
                offset += len(batch)

                def act(state: dict, item: tuple[str, str]) -> None:
                    token, cart_id = item
                    client = state.setdefault("http", JsonClient(base))
                    client._headers["Authorization"] = f"Bearer {token}"  # noqa: SLF001
                    status, body = client.request("POST", f"/v1/carts/{cart_id}/checkout", {})
                    assert status == 201 and body["payment"]["status"] == "captured", body

                served = concurrently(clients, batch, act)
                # The baseline runs once the worker has done what these checkouts asked (it
                # would otherwise share the cores with the worker's leftovers).
                caught_up = caught_up_after(container, time.perf_counter())
                baseline = (concurrently(clients, list(range(per_client * clients)),
                                         baseline_act) if baseline_act else None)
                rows.append((served, baseline))
                if baseline:
                    rows.append((Figures(f"  raw psycopg ×{clients}", baseline.count,
                                         baseline.seconds, baseline.latencies_ms), None))
        processes = f", {workers} API processes + a worker" if workers > 1 else ""
        report(f"Checkout over HTTP on {backend} (3 merchants, 5 lines{processes})", rows)
        oversold = check_stock(container)
        console.print(f"oversold listings: {oversold}")
        console.print(f"after the {levels[-1]} clients' last checkout, every read model at the "
                      f"head and no mail pending in {caught_up:.1f} s")
        container.close()


def caught_up_after(container, finished: float, timeout: float = 600) -> float:  # noqa: ANN001
    """Seconds from `finished` until the background work (read models, the payout process,
    mail) has done everything the checkouts asked of it: what the throughput above leaves
    behind for later."""
    outbox = container.projections["notifications"].store
    while time.perf_counter() - finished < timeout:
        if not any(container.projections.lag().values()) and \
                not outbox.counts().get("pending", 0):
            break
        time.sleep(0.1)
    return time.perf_counter() - finished


def check_stock(container) -> int:  # noqa: ANN001
    reader, oversold = Actor(Role.AUDITOR, "bench"), 0
    for n in container.app.recorder.select_notifications(1, 10**7,
                                                          topics=["comptoir.Listing.Created"]):
        listing = container.catalog.get(reader, n.originator_id)
        oversold += not (0 <= (listing.reserved or 0) <= (listing.on_hand or 0))
    return oversold


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="postgres")
    parser.add_argument("--per-client", type=int, default=40)
    parser.add_argument("--workers", type=int, default=1, help="API processes (PostgreSQL)")
    args = parser.parse_args()
    run(args.backend, args.per_client, args.workers)


if __name__ == "__main__":
    main()
