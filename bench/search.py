"""Search over HTTP on 22,000 merchants and 500,000 listings, next to the raw SQL it runs.

The read model is filled through its own write path (the projection's unit of work) from the
synthetic catalogue; the events themselves are measured by bench/projection.py. Three query
mixes: text, geo, text + geo + in stock. Each request over HTTP (a `comptoir serve` process,
keep-alive client) is compared with the same SQL statements (page + facets) run directly on the
same tables.

    python -m bench.search --backend sqlite|postgres [--merchants 22000] [--listings 500000]
"""

from __future__ import annotations

import argparse
import hashlib
import math
import os
import random
import sqlite3
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

import psycopg

from adapters.event_store import READ_MODEL_SETTINGS
from adapters.search_postgres import PostgresSearchStore
from adapters.search_postgres_sql import LISTING_FIELDS, select_by_ids
from adapters.search_postgres_sql import rank_listings as pg_rank
from adapters.search_sqlite import SQLiteSearchStore
from adapters.search_sqlite_sql import rank_listings as sqlite_rank
from adapters.sqlite_datastore import READ_PRAGMAS
from api.container import build_container
from bench.common import Figures, console, measure, report
from bench.dataset import PRODUCTS, QUALIFIERS, generate
from bench.http_client import JsonClient
from bench.stock_updates import settings_for
from domain.quebec import MUNICIPALITIES
from projections.search.documents import ListingDoc, MerchantDoc, nudge
from projections.search.engine import WINDOW
from projections.search.query import Near, check_filters
from tests.support import comptoir_server

BATCH = 5000


def fill(store: Any, merchants: int, listings: int, seed: int = 7) -> float:
    """Write the synthetic catalogue through the store's unit of work; returns seconds."""
    per_merchant = max(1, listings // merchants)
    started = time.perf_counter()
    unit, pending = None, 0
    for n, synthetic in enumerate(generate(merchants, per_merchant, seed)):
        if unit is None:
            transaction = store.datastore.transaction(commit=True)
            unit = store.unit_of_work(transaction.__enter__())
        merchant = merchant_doc(synthetic.fiche, n)
        unit.save_merchant(merchant)
        for i, listing in enumerate(synthetic.listings):
            unit.save_listing(listing_doc(listing, merchant, n * per_merchant + i))
        pending += 1 + per_merchant
        if pending >= BATCH:
            unit.flush()
            transaction.__exit__(None, None, None)
            unit, pending = None, 0
    if unit is not None:
        unit.flush()
        transaction.__exit__(None, None, None)
    return time.perf_counter() - started


def merchant_doc(fiche: dict, n: int) -> MerchantDoc:
    a, location = fiche["address"], fiche["location"]
    return MerchantDoc(UUID(int=n + 1), f"commerce-{n}", fiche["name"], fiche["description_fr"],
                       "", tuple(fiche["categories"]), a["municipality"], a["region"],
                       location["lat"], location["lon"], True)


def listing_id(n: int) -> UUID:
    """A version-4 UUID, as the application makes, but the same for the same n: ids in no
    particular order, like real ones (sequential ids would follow the table's physical order)."""
    digest = hashlib.blake2b(n.to_bytes(8, "big"), digest_size=16).digest()
    return UUID(bytes=digest, version=4)


def listing_doc(listing: dict, merchant: MerchantDoc, n: int) -> ListingDoc:
    key = listing_id(n)
    return ListingDoc(
        key, merchant.id, merchant.name, merchant.slug, listing["title_fr"],
        listing["title_en"] or "", listing["description_fr"], "", listing["category"],
        listing["origin"], listing["price_cents"], listing["stock"], 0, True, True,
        merchant.municipality, merchant.region, *nudge(merchant.lat, merchant.lon, key))


def queries(kind: str, count: int, seed: int = 3) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    words = [p.split()[0] for products in PRODUCTS.values() for p, _, _ in products]
    words += [q for q in QUALIFIERS if q]
    out = []
    for _ in range(count):
        town = rng.choice(MUNICIPALITIES)
        point = {"lat": town.lat, "lon": town.lon, "radius_km": rng.choice([5, 10, 25, 50])}
        text = {"q": " ".join(rng.sample(words, rng.choice([1, 1, 2])))}
        out.append({"text": text, "geo": point, "mixed": {**text, **point, "in_stock": True}}[
            kind])
    return out


def raw_sql(store: Any, backend: str) -> Callable[[dict[str, Any]], None]:
    """The statements a search runs (ranking window, then the page's rows), run directly."""
    limit = WINDOW + 1
    if backend == "sqlite":
        db = sqlite3.connect(store.datastore.pool.db_name)
        for pragma in READ_PRAGMAS:
            db.execute(pragma)

        def run(params: dict[str, Any]) -> None:
            f = _filters(params)
            rows = db.execute(*sqlite_rank(f, limit)).fetchall() if f.terms or not f.near \
                else _nearest_first(db, f, limit)
            ids = [row[0] for row in rows[:20]]
            db.execute(f"SELECT * FROM listings WHERE id IN ({','.join('?' * len(ids))})",
                       ids).fetchall()
        return run
    conn = psycopg.connect(autocommit=True, **_pg_kwargs(store))
    for setting in READ_MODEL_SETTINGS:
        conn.execute(setting)

    def run_pg(params: dict[str, Any]) -> None:
        tiers = pg_rank(_filters(params), store.schema)
        with conn.transaction():
            if tiers.knn:
                conn.execute("SET LOCAL enable_bitmapscan = off")
            rows = tiers.run(lambda statement, values: conn.execute(statement, values)
                             .fetchall(), limit)
        ids = [row[0] for row in rows[:20]]
        conn.execute(select_by_ids(store.schema, "search_listings", LISTING_FIELDS),
                     (ids,)).fetchall()
    return run_pg


def _nearest_first(db: sqlite3.Connection, f: Any, limit: int) -> list[Any]:
    """The statements SQLiteSearchStore runs for a distance order (growing radius)."""
    tried = 2.0
    while tried < (f.near.radius_km or math.inf):
        rows = db.execute(*sqlite_rank(replace(f, near=Near(f.near.point, tried)),
                                       limit)).fetchall()
        if len(rows) >= limit:
            return rows
        tried *= 4
    return db.execute(*sqlite_rank(f, limit)).fetchall()


def _pg_kwargs(store: Any) -> dict[str, Any]:
    return {k: v for k, v in store.datastore.pool.kwargs.items()
            if k in ("dbname", "host", "port", "user", "password")}


def _filters(params: dict[str, Any]) -> Any:
    return check_filters(text=params.get("q"), **{k: v for k, v in params.items() if k != "q"})


def run(backend: str, merchants: int, listings: int, count: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = settings_for(backend, Path(tmp))
        container = build_container(settings)  # creates the schema and the (empty) stores
        store = container.search_store
        seconds = fill(store, merchants, listings)
        console.print(f"{backend}: {merchants:,} merchants and {listings:,} listings written in "
                      f"{seconds:.0f}s")
        if isinstance(store, PostgresSearchStore):
            with store.datastore.transaction(commit=True) as curs:
                curs.execute("ANALYZE")
        rows: list[tuple[Figures, Figures | None]] = []
        raw = raw_sql(store, backend)
        # Anonymous searches are rate-limited per client (600/minute): still counted here, as
        # in production, but never refused — a 429 would be timed as a very fast search.
        os.environ["COMPTOIR_LIMIT_SEARCH_CLIENT"] = "1000000/minute"
        with comptoir_server(settings) as base:
            http = JsonClient(base)

            def search(params: dict[str, Any]) -> None:
                status, _ = http.request("GET", "/v1/search/listings?" + urlencode(params))
                if status != 200:
                    raise RuntimeError(f"search {params}: HTTP {status}")

            for kind in ("text", "geo", "mixed"):
                mix = queries(kind, count)
                baseline = measure(f"{kind}: raw SQL", lambda i, m=mix: raw(m[i % len(m)]),
                                   count)
                served = measure(f"{kind}: HTTP", lambda i, m=mix: search(m[i % len(m)]),
                                 count)
                rows += [(served, baseline), (baseline, None)]
            http.close()
        report(f"Search on {backend}: {merchants:,} merchants, {listings:,} listings", rows)
        container.close()
        if isinstance(store, SQLiteSearchStore):
            store.datastore.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--merchants", type=int, default=22_000)
    parser.add_argument("--listings", type=int, default=500_000)
    parser.add_argument("--count", type=int, default=300)
    args = parser.parse_args()
    run(args.backend, args.merchants, args.listings, args.count)


if __name__ == "__main__":
    main()
