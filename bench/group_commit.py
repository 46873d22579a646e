"""Group commit, measured on the event store alone (issue 18, goal 2; docs/architecture.md).

Concurrent writers in one process save checkout-shaped batches (8 events: a cart, an order,
five listings, an idempotency record) to the log, three ways, at 1, 4, 16 and 64 threads:

- **one statement a save**: Comptoir's recorder as it is (adapters/postgres_recorders.py), one
  commit, one WAL flush, each under the log's table lock;
- **group commit**: a prototype kept here, not in the product. A save joins a queue; the
  first writer to find no group in flight leads: it takes every save queued, writes them with
  one statement (a PL/pgSQL function inserting each save in its own exception block, so that a
  save whose version check fails is answered "conflict" alone), and answers each. The others
  queue meanwhile and go with the next group. One commit, one flush, one table lock for many
  saves, and no wait when the store is idle;
- **raw SQL**: the same eight rows inserted into a plain table, one transaction each and no
  table lock (what PostgreSQL does with no total order to keep).

    python tests/pgcluster.py --durable -- python -m bench.group_commit [--saves 4000]
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from pathlib import Path

import psycopg
from eventsourcing.persistence import IntegrityError, StoredEvent
from psycopg.sql import SQL, Identifier
from psycopg.types.composite import CompositeInfo, register_composite

from api.container import build_container
from bench.common import Figures, console, report
from bench.stock_updates import settings_for

SIZES = (420, 2600, 380, 380, 380, 380, 380, 260)  # bytes of state: cart, order, listings…


def checkout_shaped() -> list[StoredEvent]:
    return [StoredEvent(uuid.uuid4(), 1, f"comptoir.Bench.Event{i}", b"x" * size)
            for i, size in enumerate(SIZES)]


class GroupCommit:
    """Saves queued by concurrent writers, written by whichever finds no group in flight."""

    def __init__(self, recorder, dsn: str) -> None:  # noqa: ANN001 (the product's recorder)
        self.recorder = recorder
        self.conn = psycopg.connect(dsn, autocommit=True)
        schema, table = recorder.datastore.schema, recorder.events_table_name
        names = {"schema": Identifier(schema), "table": Identifier(table),
                 "type": Identifier(recorder.stored_event_type_name)}
        self.conn.execute(SQL(
            "CREATE OR REPLACE FUNCTION {schema}.bench_insert_groups"
            "(events {schema}.{type}[], sizes int[]) "
            "RETURNS TABLE (save int, ids bigint[]) LANGUAGE plpgsql AS $$ "
            "DECLARE first int := 1; "
            "BEGIN "
            "LOCK TABLE {schema}.{table} IN EXCLUSIVE MODE; "
            "FOR i IN 1 .. array_length(sizes, 1) LOOP "
            "  save := i; "
            "  BEGIN "
            "    WITH inserted AS (INSERT INTO {schema}.{table} "
            "      (originator_id, originator_version, topic, state) "
            "      SELECT originator_id, originator_version, topic, state "
            "      FROM unnest(events[first : first + sizes[i] - 1]) "
            "      RETURNING notification_id) "
            "    SELECT array_agg(notification_id ORDER BY notification_id) INTO ids "
            "    FROM inserted; "
            "  EXCEPTION WHEN unique_violation THEN ids := NULL; "
            "  END; "
            "  RETURN NEXT; "
            "  first := first + sizes[i]; "
            "END LOOP; "
            "END $$").format(**names))
        self.call = SQL("SELECT save, ids FROM {schema}.bench_insert_groups"
                        "(%b::{schema}.{type}[], %s)").format(**names)
        info = CompositeInfo.fetch(self.conn, f"{schema}.{recorder.stored_event_type_name}")
        assert info is not None
        register_composite(info, self.conn)
        assert info.python_type is not None
        self.row: Callable[..., object] = info.python_type
        self._lock = threading.Lock()
        self._queue: list[tuple[Sequence[StoredEvent], Future[list[int] | None]]] = []
        self._leading = False
        self.groups: list[int] = []

    def save(self, events: Sequence[StoredEvent]) -> list[int]:
        answer: Future[list[int] | None] = Future()
        with self._lock:
            self._queue.append((events, answer))
            lead = not self._leading
            self._leading = True
        while lead:
            with self._lock:
                group, self._queue = self._queue, []
                if not group:
                    self._leading = False
                    break
            self._write(group)
        ids = answer.result()
        if ids is None:
            raise IntegrityError("a version was taken meanwhile")
        return ids

    def _write(self, group: list[tuple[Sequence[StoredEvent], Future[list[int] | None]]],
               ) -> None:
        rows = [self.row(e.originator_id, e.originator_version, e.topic, e.state)
                for events, _ in group for e in events]
        try:
            sizes = [len(events) for events, _ in group]
            found = self.conn.execute(self.call, (rows, sizes), prepare=True).fetchall()
            answers: dict[int, list[int] | None] = dict(found)
        except Exception as failed:  # noqa: BLE001 - every save of the group fails with it
            for _, answer in group:
                answer.set_exception(failed)
            return
        self.groups.append(len(group))
        for n, (_, answer) in enumerate(group, start=1):
            answer.set_result(answers[n])


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


def concurrently(name: str, threads: int, saves: int,
                 save: Callable[[Sequence[StoredEvent]], object]) -> Figures:
    batches = [checkout_shaped() for _ in range(saves)]
    latencies: list[float] = []
    lock = threading.Lock()

    def writer(mine: list[list[StoredEvent]]) -> None:
        for events in mine:
            started = time.perf_counter()
            save(events)
            with lock:
                latencies.append((time.perf_counter() - started) * 1000)

    workers = [threading.Thread(target=writer, args=(batches[i::threads],))
               for i in range(threads)]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return Figures(name, saves, time.perf_counter() - started, latencies)


def conflicts_answered_alone(grouped: GroupCommit) -> None:
    """A save whose version is taken fails alone; the others of its group are written."""
    taken = checkout_shaped()
    grouped.save(taken)
    results: dict[str, object] = {}
    go = threading.Barrier(3)

    def attempt(name: str, events: list[StoredEvent]) -> None:
        go.wait()
        try:
            results[name] = len(grouped.save(events))
        except IntegrityError:
            results[name] = "conflict"

    writers = [threading.Thread(target=attempt, args=args) for args in
               [("again", [taken[0]]), ("new", checkout_shaped()),
                ("other", checkout_shaped())]]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    assert results == {"again": "conflict", "new": 8, "other": 8}, results


def run(saves: int = 4000) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = settings_for("postgres", Path(tmp))
        container = build_container(settings)
        recorder = container.app.recorder
        dsn = settings.postgres_dsn.get_secret_value()  # type: ignore[union-attr]
        grouped = GroupCommit(recorder, dsn)
        conflicts_answered_alone(grouped)
        raw = raw_rows(dsn, settings.postgres_schema)
        rows: list[tuple[Figures, Figures | None]] = []
        for threads in (1, 4, 16, 64):
            count = saves if threads > 1 else saves // 4
            baseline = concurrently(f"  raw SQL ×{threads}", threads, count, raw)
            single = concurrently(f"one statement a save ×{threads}", threads, count,
                                  recorder.insert_events)
            grouped.groups.clear()
            group = concurrently(f"group commit ×{threads}", threads, count, grouped.save)
            sizes = sorted(grouped.groups)
            console.print(f"×{threads}: {len(sizes)} groups, median {sizes[len(sizes) // 2]} "
                          f"saves, largest {sizes[-1]}")
            rows += [(single, baseline), (group, baseline), (baseline, None)]
        report("The log's saves, 8 events each (PostgreSQL)", rows)
        grouped.conn.close()
        container.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=4000)
    run(parser.parse_args().saves)


if __name__ == "__main__":
    main()
