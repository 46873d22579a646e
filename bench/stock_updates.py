"""Real-time stock updates (the point-of-sale hot path): PUT /v1/listings/{id}/stock.

Measured on one backend: the use case in process with nothing else running; the HTTP
endpoint through a real uvicorn, in each topology (one process doing everything; on
PostgreSQL also an API process with `comptoir work` beside it), each next to the same use
case called in process while that topology runs (the HTTP stack's own share is their ratio);
GET /health through the same client and middleware; and the baseline: one raw SQL INSERT of
an equivalent row per transaction in the same database (what an append-only log costs at the
very least).

    python -m bench.stock_updates --backend sqlite|postgres [--count N] [--runs R]
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import tempfile
import uuid
from pathlib import Path

import psycopg

from api.container import build_container
from api.schemas.merchants import MerchantApplicationIn
from api.settings import Settings
from application.actors import Actor, Role
from bench.common import Figures, console, measure, median_of_runs, report
from bench.http_client import JsonClient
from tests.support import comptoir_server, comptoir_worker, listing_body, merchant_body


def settings_for(backend: str, data_dir: Path) -> Settings:
    if backend == "sqlite":
        return Settings(backend="sqlite", data_dir=data_dir)
    dsn = os.environ["COMPTOIR_TEST_POSTGRES_DSN"]
    return Settings(backend="postgres", postgres_dsn=dsn, data_dir=data_dir,
                    postgres_schema=f"bench_{uuid.uuid4().hex[:8]}")


def raw_insert(settings: Settings, count: int) -> Figures:
    """Baseline: one INSERT (id, version, small JSON) per transaction, same database."""
    payload = b'{"timestamp":"2026-11-23T00:00:00+00:00","on_hand":12}'
    stream = uuid.uuid4()
    if settings.backend == "sqlite":
        db = sqlite3.connect(settings.data_dir / "baseline.sqlite3", isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE IF NOT EXISTS e (id TEXT, v INTEGER, state BLOB, "
                   "PRIMARY KEY (id, v))")

        def insert(i: int) -> None:
            db.execute("BEGIN")
            db.execute("INSERT INTO e VALUES (?, ?, ?)", (stream.hex, i + 1000, payload))
            db.execute("COMMIT")
    else:
        assert settings.postgres_dsn is not None
        conn = psycopg.connect(settings.postgres_dsn.get_secret_value(), autocommit=True)
        conn.execute("CREATE TABLE IF NOT EXISTS bench_e (id uuid, v int, state bytea, "
                      "PRIMARY KEY (id, v))")

        def insert(i: int) -> None:
            with conn.transaction():
                conn.execute("INSERT INTO bench_e VALUES (%s, %s, %s)", (stream, i + 1000, payload))
    return measure("raw SQL insert (baseline)", insert, count)


def run(backend: str, count: int, runs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = settings_for(backend, Path(tmp))
        container = build_container(settings)
        merchant = container.merchants.apply(_form())
        container.merchants.approve(Actor(Role.VALIDATOR, str(uuid.uuid4())), merchant.id)
        owner = Actor(Role.MERCHANT, str(uuid.uuid4()), merchant.id)
        listing_id = container.catalog.create_listing(owner, merchant.id, listing_body())
        def use_case(name: str) -> Figures:
            return measure(name, lambda i: container.catalog.set_stock(owner, listing_id, i % 50),
                           count)

        quiet = median_of_runs([use_case(f"use case set_stock ({backend}, nothing else running)")
                                for _ in range(runs)])
        token = container.tokens.issue(Role.MERCHANT, merchant_id=merchant.id)
        path = f"/v1/listings/{listing_id}/stock"

        def beside(topology: str, base: str) -> list[Figures]:
            """HTTP PUTs, then the same use case in this process while that topology runs
            (its followers react to every change: they load the database and the cores for
            both), a run of each in turn; then GET /health through the same client and
            middleware, what any request costs before a route does anything."""
            http = JsonClient(base, {"Authorization": f"Bearer {token}"})
            puts: list[Figures] = []
            calls: list[Figures] = []
            try:
                for _ in range(runs):
                    puts.append(measure(f"HTTP PUT stock ({backend}, {topology})",
                                        lambda i: http.request("PUT", path, {"on_hand": i % 50}),
                                        count))
                    calls.append(use_case(f"use case set_stock ({backend}, beside {topology})"))
                health = median_of_runs([measure(
                    f"HTTP GET /health ({backend}, {topology})",
                    lambda i: http.request("GET", "/health"), count) for _ in range(runs)])
                return [median_of_runs(puts), median_of_runs(calls), health]
            finally:
                http.close()

        with comptoir_server(settings) as base:  # one process doing everything
            measured = [beside("one process", base)]
        if backend == "postgres":  # the production topology: the API, and a worker beside it
            with comptoir_worker(settings), comptoir_server(
                    settings, env={"COMPTOIR_RUN_PROJECTIONS": "false"}) as base:
                measured.append(beside("API + worker", base))
        baseline = median_of_runs([raw_insert(settings, count) for _ in range(runs)])
        rows = [quiet, *(figures for group in measured for figures in group)]
        report(f"Stock updates on {backend} (median of {runs} runs)",
               [(figures, baseline) for figures in rows] + [(baseline, None)])
        for put, call, _ in measured:
            console.print(f"{put.name}: p50 {put.percentile(50) / call.percentile(50):.2f}× the "
                          f"use case's beside it, {put.percentile(50) / quiet.percentile(50):.2f}× "
                          "the use case's with nothing else running (goal ≤ 2×)")
        container.close()


def _form():  # noqa: ANN202
    return MerchantApplicationIn(**merchant_body()).to_form()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    run(args.backend, args.count, args.runs)


if __name__ == "__main__":
    main()
