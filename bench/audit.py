"""Audit chain throughput: catching the chain up over a log of N events, then verifying the
whole log against it, next to a raw read of the same events (the baseline, same run).

    python -m bench.audit [--backend sqlite|postgres] [--events 200000] [--runs 5]

Goal: verification at least 0.8 × the raw read and at least 50,000 events/s (medians).
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from collections.abc import Callable
from itertools import cycle
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from rich.table import Table

from adapters.audit_signing import AuditSigner
from adapters.audit_stores import (
    PostgresAuditChainStore,
    PostgresRawLog,
    SQLiteAuditChainStore,
    SQLiteRawLog,
    verify_store,
)
from adapters.event_store import postgres_datastore
from api.container import build_container, storage_config
from api.settings import Settings
from bench.common import console, machine, median, peak_rss_mb
from bench.dataset import generate
from bench.stock_updates import settings_for
from domain.listing import Listing, ListingDetails
from projections.follower import Follower

SAVE_BATCH = 200  # listings per save: 1,000 events per transaction
STOCK_CHANGES = 4  # each listing: Created then 4 StockSet (under the snapshot interval)
GOAL_RATIO, GOAL_RATE = 0.8, 50_000


def populate(container: Any, events: int) -> int:
    """Listings with realistic details and their stock changes, saved many per transaction
    (the use cases would take minutes for 200,000 events; the stored events are the same)."""
    listings = events // (1 + STOCK_CHANGES)
    bodies = [body for m in generate(max(1, min(listings, 2000) // 20), 20, seed=11)
              for body in m.listings]
    pending: list[Listing] = []
    for n, body in zip(range(listings), cycle(bodies), strict=False):
        listing = Listing(uuid.uuid4(), ListingDetails.check(body))
        for change in range(STOCK_CHANGES):
            listing.set_stock((n + change) % 50)
        pending.append(listing)
        if len(pending) == SAVE_BATCH:
            container.app.save(*pending)
            pending = []
    if pending:
        container.app.save(*pending)
    return container.app.log_position()


def audit_stores(settings: Settings, signer: AuditSigner) -> tuple[Any, Any]:
    if settings.backend == "postgres":
        assert settings.postgres_dsn is not None
        store = PostgresAuditChainStore(postgres_datastore(storage_config(settings)), signer)
        return store, PostgresRawLog(settings.postgres_dsn.get_secret_value(),
                                     settings.postgres_schema)
    return (SQLiteAuditChainStore(settings.data_dir / "audit.sqlite3", signer),
            SQLiteRawLog(settings.event_store_path))


def settle(settings: Settings) -> None:
    """What autovacuum does soon after a bulk load (PostgreSQL 13+ vacuums after inserts):
    done now, so that it does not run in the middle of the timed passes (it made them 5×
    slower for half a minute) and the figures are those of a settled store."""
    assert settings.postgres_dsn is not None
    with psycopg.connect(settings.postgres_dsn.get_secret_value(), autocommit=True) as conn:
        for table in ("comptoir_events", "audit_chain"):
            conn.execute(sql.SQL("VACUUM ANALYZE {}").format(
                sql.Identifier(settings.postgres_schema, table)))


def timed(operation: Callable[[], int]) -> tuple[int, float]:
    started = time.perf_counter()
    count = operation()
    return count, time.perf_counter() - started


def run(backend: str, events: int, runs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = settings_for(backend, Path(tmp))
        container = build_container(settings)
        written, seconds = timed(lambda: populate(container, events))
        console.print(f"{backend}: {written:,} events written in {seconds:.0f}s")
        signer = AuditSigner.generate()
        store, log = audit_stores(settings, signer)
        applied, catch_up = timed(Follower(container.app, store).catch_up)
        if backend == "postgres":
            settle(settings)
        check = signer.verifier()

        def raw() -> int:
            return sum(1 for _ in log.rows())

        def verification() -> int:
            report = verify_store(log, store, check)
            assert report.ok, report
            return report.events_checked

        raw(), verification()  # warm-up: caches, and PostgreSQL's hint bits on fresh rows
        raw_runs, verify_runs = [], []
        for _ in range(runs):  # interleaved, so drifts of a noisy machine hit both alike
            raw_runs.append(timed(raw))
            verify_runs.append(timed(verification))
        show(backend, runs, (applied, catch_up), raw_runs, verify_runs)
        store.datastore.close()
        container.close()


def show(backend: str, runs: int, catch_up: tuple[int, float], raw_runs: list[tuple[int, float]],
         verify_runs: list[tuple[int, float]]) -> None:
    table = Table(title=f"Audit chain on {backend} (p50 of {runs} runs)")
    for column in ("pass", "events", "p50 s", "best s", "events/s (p50)", "vs raw"):
        table.add_column(column, justify="left" if column == "pass" else "right")
    applied, seconds = catch_up
    table.add_row("catch up the chain (once)", f"{applied:,}", f"{seconds:.2f}", "",
                  f"{applied / seconds:,.0f}", "")
    raw_p50 = median([s for _, s in raw_runs])
    rates = {}
    for name, measured in (("raw read (baseline)", raw_runs), ("verify", verify_runs)):
        count, p50 = measured[0][0], median([s for _, s in measured])
        rates[name] = count / p50
        table.add_row(name, f"{count:,}", f"{p50:.3f}", f"{min(s for _, s in measured):.3f}",
                      f"{count / p50:,.0f}", f"{raw_p50 / p50:.2f}×")
    console.print(table)
    rate, ratio = rates["verify"], rates["verify"] / rates["raw read (baseline)"]
    met = rate >= GOAL_RATE and ratio >= GOAL_RATIO
    console.print(f"goal: verify ≥ {GOAL_RATIO} × raw and ≥ {GOAL_RATE:,} events/s → "
                  f"{ratio:.2f} × raw, {rate:,.0f} events/s: {'met' if met else 'NOT met'}")
    console.print(f"peak RSS {peak_rss_mb():.0f} MB · {machine()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    run(args.backend, args.events, args.runs)


if __name__ == "__main__":
    main()
