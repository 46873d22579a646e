"""Group commit, measured on the event store alone (issue 18, goal 2; docs/architecture.md).

Concurrent writers in one process save checkout-shaped batches (8 events: a cart, an order,
five listings, an idempotency record) to the log, three ways, at 1, 4, 16 and 64 threads:

- **one statement a save**: Comptoir's recorder with groups of one save
  (adapters/group_commit.py, `max_saves=1`): one commit and one WAL flush a save, each under
  the log's table lock;
- **group commit**: the recorder as it runs: the saves queued while a group is written go
  together in the next (one statement, one commit, one flush);
- **raw SQL**: the same eight rows inserted into a plain table, one transaction each and no
  table lock (what PostgreSQL does with no total order to keep).

    python tests/pgcluster.py --durable -- python -m bench.group_commit [--saves 4000]
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

import psycopg
from eventsourcing.persistence import StoredEvent

from adapters.group_commit import MAX_SAVES, Save
from api.container import build_container
from bench.common import Figures, concurrently, console, report
from bench.stock_updates import settings_for

SIZES = (420, 2600, 380, 380, 380, 380, 380, 260)  # bytes of state: cart, order, listings…


def checkout_shaped() -> list[StoredEvent]:
    return [StoredEvent(uuid.uuid4(), 1, f"comptoir.Bench.Event{i}", b"x" * size)
            for i, size in enumerate(SIZES)]


def raw_rows(dsn: str, schema: str) -> Callable[[Sequence[StoredEvent]], object]:
    local = threading.local()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE TABLE "{schema}".raw_events (id uuid, v int, topic text, '
                     f"state bytea, PRIMARY KEY (id, v))")

    def insert(events: Sequence[StoredEvent]) -> None:
        if not hasattr(local, "conn"):
            local.conn = psycopg.connect(dsn)
        with local.conn.transaction():
            local.conn.cursor().executemany(
                f'INSERT INTO "{schema}".raw_events VALUES (%s, %s, %s, %s)',
                [(e.originator_id, e.originator_version, e.topic, e.state) for e in events])
    return insert


def writers(name: str, threads: int, saves: int,
            save: Callable[[Sequence[StoredEvent]], object]) -> Figures:
    batches = [checkout_shaped() for _ in range(saves)]
    return concurrently(threads, batches, lambda _state, events: save(events), name)


def run(saves: int = 4000) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = settings_for("postgres", Path(tmp))
        container = build_container(settings)
        recorder = container.app.recorder
        dsn = settings.postgres_dsn.get_secret_value()  # type: ignore[union-attr]
        raw = raw_rows(dsn, settings.postgres_schema)
        groups, write = recorder.groups, recorder.groups._write  # noqa: SLF001
        sizes: list[int] = []

        def counted(group: list[Save]) -> None:
            sizes.append(len(group))
            write(group)

        groups._write = counted  # noqa: SLF001
        rows: list[tuple[Figures, Figures | None]] = []
        for threads in (1, 4, 16, 64):
            count = saves if threads > 1 else saves // 4
            baseline = writers(f"  raw SQL ×{threads}", threads, count, raw)
            groups.max_saves = 1
            single = writers(f"one statement a save ×{threads}", threads, count,
                                  recorder.insert_events)
            groups.max_saves = MAX_SAVES
            sizes.clear()
            grouped = writers(f"group commit ×{threads}", threads, count,
                                   recorder.insert_events)
            ordered = sorted(sizes)
            console.print(f"×{threads}: {len(ordered)} groups, median "
                          f"{ordered[len(ordered) // 2]} saves, largest {ordered[-1]}")
            rows += [(single, baseline), (grouped, baseline), (baseline, None)]
        report("The log's saves, 8 events each (PostgreSQL)", rows)
        container.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=4000)
    run(parser.parse_args().saves)


if __name__ == "__main__":
    main()
