"""Import of 22,000 merchant fiches until all are searchable, next to a raw bulk insert of
the same JSON rows into one table of the same database.

    python -m bench.import_fiches --backend sqlite|postgres [--merchants 22000]
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import tempfile
import time
import uuid
from pathlib import Path

import psycopg
from rich.table import Table

from api.container import build_container
from api.importer import Importer
from application.actors import Actor, Role
from bench.common import console
from bench.dataset import generate
from bench.stock_updates import settings_for
from projections.follower import Follower
from projections.search.query import check_filters


def raw_insert(settings, rows: list[str]) -> float:  # noqa: ANN001
    started = time.perf_counter()
    if settings.backend == "sqlite":
        db = sqlite3.connect(settings.data_dir / "raw-fiches.sqlite3")
        db.execute("CREATE TABLE fiches (id INTEGER PRIMARY KEY, body TEXT)")
        for start in range(0, len(rows), 200):
            with db:
                db.executemany("INSERT INTO fiches (body) VALUES (?)",
                               [(r,) for r in rows[start:start + 200]])
    else:
        with psycopg.connect(settings.postgres_dsn.get_secret_value(), autocommit=True) as conn:
            conn.execute(f'CREATE TABLE "{settings.postgres_schema}".raw_fiches '
                         f"(id bigserial PRIMARY KEY, body jsonb)")
            for start in range(0, len(rows), 200):
                with conn.transaction(), conn.cursor() as cursor:
                    cursor.executemany(
                        f'INSERT INTO "{settings.postgres_schema}".raw_fiches (body) VALUES (%s)',
                        [(r,) for r in rows[start:start + 200]])
    return time.perf_counter() - started


def run(backend: str, merchants: int) -> None:
    fiches = [m.fiche for m in generate(merchants, seed=7)]
    rows = [json.dumps(f, ensure_ascii=False) for f in fiches]
    with tempfile.TemporaryDirectory() as tmp:
        settings = settings_for(backend, Path(tmp))
        container = build_container(settings)
        follower = Follower(container.app, container.search_store)
        importer = Importer(container.merchants, Actor(Role.VALIDATOR, str(uuid.uuid4())))
        started = time.perf_counter()
        for number, fiche in enumerate(fiches, start=1):
            importer.add(number, dict(fiche))
        importer.flush()
        imported = time.perf_counter()
        follower.catch_up()
        searchable = time.perf_counter()
        found = container.search.search_merchants(check_filters(page_size=1)).total
        baseline = raw_insert(settings, rows)
        table = Table(title=f"Import of {merchants:,} fiches on {backend}")
        table.add_column("step")
        table.add_column("seconds", justify="right")
        table.add_column("fiches/s", justify="right")
        for step, seconds in (("import (validated, approved, events)", imported - started),
                              ("search projection catch-up", searchable - imported),
                              ("until searchable, in all", searchable - started),
                              ("raw bulk insert of the JSON rows (baseline)", baseline)):
            table.add_row(step, f"{seconds:.1f}", f"{merchants / seconds:,.0f}")
        console.print(table)
        console.print(f"{importer.report.imported:,} imported, {len(importer.report.rejected)} "
                      f"rejected; search shows {found:,} merchants (first {1000:,} counted)")
        container.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--merchants", type=int, default=22_000)
    args = parser.parse_args()
    run(args.backend, args.merchants)


if __name__ == "__main__":
    main()
