"""Real-time stock updates (the point-of-sale hot path): PUT /v1/listings/{id}/stock.

Measured three ways on one backend: the use case in process, the HTTP endpoint through a
real uvicorn, and the baseline: one raw SQL INSERT of an equivalent row per transaction in
the same database (what an append-only log costs at the very least).

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
        in_process = [measure(f"use case set_stock ({backend})",
                              lambda i: container.catalog.set_stock(owner, listing_id, i % 50),
                              count) for _ in range(runs)]
        token = container.tokens.issue(Role.MERCHANT, merchant_id=merchant.id)
        path = f"/v1/listings/{listing_id}/stock"

        def over_http(name: str, base: str) -> Figures:
            http = JsonClient(base, {"Authorization": f"Bearer {token}"})
            try:
                return median_of_runs([measure(
                    name, lambda i: http.request("PUT", path, {"on_hand": i % 50}), count)
                    for _ in range(runs)])
            finally:
                http.close()

        with comptoir_server(settings) as base:  # one process doing everything
            alone = over_http(f"HTTP PUT stock ({backend}, one process)", base)
        rows = [(median_of_runs(in_process), None), (alone, None)]
        if backend == "postgres":  # the production topology: the API, and a worker beside it
            with comptoir_worker(settings), comptoir_server(
                    settings, env={"COMPTOIR_RUN_PROJECTIONS": "false"}) as base:
                rows.append((over_http(f"HTTP PUT stock ({backend}, API + worker)", base),
                             None))
        baseline = median_of_runs([raw_insert(settings, count) for _ in range(runs)])
        use_case = rows[0][0]
        report(f"Stock updates on {backend} (median of {runs} runs)",
               [(figures, baseline) for figures, _ in rows] + [(baseline, None)])
        for figures, _ in rows[1:]:
            ratio = figures.percentile(50) / use_case.percentile(50)
            console.print(f"{figures.name}: p50 {ratio:.2f}× the use case's (goal ≤ 2×)")
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
