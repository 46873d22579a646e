"""Stock feeds by SKU (what a point-of-sale connector sends): lines/s of a 1,000-line feed.

A merchant with `count` listings, each with its SKU (imported in process); then feeds of
`count` `{sku, on_hand}` lines, every line changing its stock, measured three ways on one
backend: the use case in process (resolve each SKU by its claim, load each listing, ONE atomic
save), the HTTP endpoint through a real uvicorn, and the baseline: the same updates as raw SQL
(`UPDATE stock SET on_hand = … WHERE merchant = … AND sku = …` × count, one transaction) in
the same database.

    python -m bench.stock_feed --backend sqlite|postgres [--count N] [--runs R]
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

import psycopg

from api.container import build_container
from api.schemas.merchants import MerchantApplicationIn
from api.settings import Settings
from application.actors import Actor, Role
from application.listing_import import ImportRow
from application.stock_feed import FeedLine
from bench.common import Figures, median_of_runs, report
from bench.http_client import JsonClient
from bench.stock_updates import settings_for
from tests.support import comptoir_server, comptoir_worker, listing_body, merchant_body


def timed(name: str, feed: Callable[[int], object], lines: int, runs: int) -> Figures:
    """Each run one feed of `lines` lines; throughput in lines/s, latencies per feed."""
    feed(-1)  # warm up (caches, connections, a first snapshot)
    latencies = []
    for run in range(runs):
        t0 = time.perf_counter()
        feed(run)
        latencies.append((time.perf_counter() - t0) * 1000)
    return Figures(name, lines * runs, sum(latencies) / 1000, latencies)


def raw_updates(settings: Settings, count: int, runs: int) -> Figures:
    """Baseline: the same `count` stock updates as SQL UPDATEs by (merchant, SKU), one
    transaction per feed, in the same database."""
    merchant = uuid.uuid4().hex
    skus = [f"P-{n:05d}" for n in range(count)]
    if settings.backend == "sqlite":
        db = sqlite3.connect(settings.data_dir / "baseline.sqlite3", isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE stock (merchant TEXT, sku TEXT, on_hand INTEGER, "
                   "PRIMARY KEY (merchant, sku))")
        db.executemany("INSERT INTO stock VALUES (?, ?, 0)", [(merchant, s) for s in skus])

        def feed(run: int) -> None:
            db.execute("BEGIN")
            db.executemany("UPDATE stock SET on_hand = ? WHERE merchant = ? AND sku = ?",
                           [(_level(run, n), merchant, s) for n, s in enumerate(skus)])
            db.execute("COMMIT")
    else:
        assert settings.postgres_dsn is not None
        conn = psycopg.connect(settings.postgres_dsn.get_secret_value(), autocommit=True)
        conn.execute("CREATE TABLE IF NOT EXISTS bench_stock (merchant text, sku text, "
                     "on_hand int, PRIMARY KEY (merchant, sku))")
        with conn.cursor() as cursor:
            cursor.executemany("INSERT INTO bench_stock VALUES (%s, %s, 0)",
                               [(merchant, s) for s in skus])

        def feed(run: int) -> None:
            with conn.transaction(), conn.cursor() as cursor:
                cursor.executemany(
                    "UPDATE bench_stock SET on_hand = %s WHERE merchant = %s AND sku = %s",
                    [(_level(run, n), merchant, s) for n, s in enumerate(skus)])
    return timed(f"raw SQL UPDATE × {count}, one transaction (baseline)", feed, count, runs)


def _level(run: int, n: int) -> int:
    """A stock level that differs from the previous run's for every line."""
    return 10 + (run + 2) % 3 + n % 7


def run(backend: str, count: int, runs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = settings_for(backend, Path(tmp))
        container = build_container(settings)
        merchant = container.merchants.apply(MerchantApplicationIn(**merchant_body()).to_form())
        container.merchants.approve(Actor(Role.VALIDATOR, str(uuid.uuid4())), merchant.id)
        owner = Actor(Role.MERCHANT, str(uuid.uuid4()), merchant.id)
        skus = [f"P-{n:05d}" for n in range(count)]
        listing = {k: v for k, v in listing_body().items() if k != "sku"}
        for start in range(0, count, 200):
            container.listing_imports.import_rows(owner, merchant.id, [
                ImportRow(n, sku, {**listing, "title_fr": f"Produit {n}"}, on_hand=1,
                          publish=True) for n, sku in enumerate(skus[start:start + 200], start)])

        def in_process(run: int) -> None:
            report_ = container.stock_feeds.feed_stock(owner, merchant.id, [
                FeedLine(n + 1, sku, _level(run, n)) for n, sku in enumerate(skus)])
            assert report_.updated == count, report_

        use_case = timed(f"use case feed_stock, {count} lines ({backend})", in_process,
                         count, runs)
        token = container.tokens.issue(Role.MERCHANT, merchant_id=merchant.id)
        topologies = [("one process", False)] + ([("API + worker", True)]
                                                  if backend == "postgres" else [])
        path, served = f"/v1/merchants/{merchant.id}/stock-feed", []
        for offset, (topology, with_worker) in enumerate(topologies, 1):
            with ExitStack() as stack:
                env = {}
                if with_worker:  # the production topology (docs/deployment.md)
                    stack.enter_context(comptoir_worker(settings))
                    env = {"COMPTOIR_RUN_PROJECTIONS": "false"}
                base = stack.enter_context(comptoir_server(settings, env=env))
                http = JsonClient(base, {"Authorization": f"Bearer {token}"})

                def over_http(run: int, http: JsonClient = http,
                              shift: int = offset * (runs + 1)) -> None:
                    status, body = http.request("POST", path, [
                        {"sku": sku, "on_hand": _level(run + shift, n)}
                        for n, sku in enumerate(skus)])
                    assert status == 200 and body["updated"] == count, (status, body)

                served.append(timed(f"HTTP POST stock-feed, {count} lines, {topology}",
                                    over_http, count, runs))
                http.close()
        baseline = median_of_runs([raw_updates(settings, count, runs)])
        report(f"Stock feed by SKU on {backend}: lines/s ({runs} feeds of {count} lines; "
               "p50 = ms per feed)", [(use_case, baseline),
                                      *((figures, baseline) for figures in served),
                                      (baseline, None)])
        container.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    run(args.backend, args.count, args.runs)


if __name__ == "__main__":
    main()
