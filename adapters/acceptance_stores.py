"""The acceptance deadlines read model (projections/acceptance_deadlines.py) in SQLite and in
PostgreSQL: one row per merchant order awaiting its merchant's answer."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder
from eventsourcing.sqlite import SQLiteTrackingRecorder
from psycopg import sql

from adapters.sqlite_datastore import read_model_datastore
from adapters.tracked_store import UPSTREAM, TrackedStore
from projections.acceptance_deadlines import AcceptanceDeadlinesProjection
from projections.deadlines import DirectUnit


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")  # sorts as text


class SQLiteAcceptanceStore(TrackedStore, SQLiteTrackingRecorder):
    def __init__(self, path: Path) -> None:
        super().__init__(read_model_datastore(path, pool_size=2))
        self.projection = AcceptanceDeadlinesProjection()
        self.create_table()

    def construct_create_table_statements(self) -> list[str]:
        return [*super().construct_create_table_statements(),
                "CREATE TABLE IF NOT EXISTS acceptance (order_id TEXT NOT NULL, "
                "merchant_id TEXT NOT NULL, accept_by TEXT, PRIMARY KEY (order_id, merchant_id))",
                "CREATE INDEX IF NOT EXISTS acceptance_by_time ON acceptance (accept_by)"]

    def unit_of_work(self, cursor: Any) -> Any:
        return _SQLiteUnit(cursor)

    def reset(self) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute("DELETE FROM acceptance")
            c.execute("DELETE FROM tracking WHERE application_name = ?", (UPSTREAM,))

    def rebuilt(self) -> None:
        pass

    def due(self, now: datetime, limit: int) -> list[UUID]:
        with self.datastore.transaction(commit=False) as c:
            c.execute("SELECT order_id FROM acceptance WHERE accept_by <= ? GROUP BY order_id "
                      "ORDER BY MIN(accept_by) LIMIT ?", (_utc(now), limit))
            return [UUID(row[0]) for row in c.fetchall()]

    def dump(self) -> list[tuple]:
        with self.datastore.transaction(commit=False) as c:
            c.execute("SELECT order_id, merchant_id, accept_by FROM acceptance "
                      "ORDER BY order_id, merchant_id")
            return [tuple(row) for row in c.fetchall()]


class _SQLiteUnit(DirectUnit):
    def __init__(self, cursor: Any) -> None:
        self.c = cursor

    def expect(self, order_id: UUID, merchant_ids: list[UUID]) -> None:
        self.c.executemany("INSERT OR IGNORE INTO acceptance VALUES (?, ?, NULL)",
                           [(str(order_id), str(m)) for m in merchant_ids])

    def start(self, order_id: UUID, accept_by: datetime) -> None:
        self.c.execute("UPDATE acceptance SET accept_by = ? WHERE order_id = ?",
                       (_utc(accept_by), str(order_id)))

    def answered(self, order_id: UUID, merchant_id: UUID) -> None:
        self.c.execute("DELETE FROM acceptance WHERE order_id = ? AND merchant_id = ?",
                       (str(order_id), str(merchant_id)))

    def drop(self, order_id: UUID) -> None:
        self.c.execute("DELETE FROM acceptance WHERE order_id = ?", (str(order_id),))


class PostgresAcceptanceStore(TrackedStore, PostgresTrackingRecorder):
    def __init__(self, datastore: PostgresDatastore) -> None:
        super().__init__(datastore, tracking_table_name="acceptance_tracking")
        self.schema = datastore.schema
        self.table = sql.Identifier(self.schema, "acceptance_deadlines")
        self.projection = AcceptanceDeadlinesProjection()
        self.sql_create_statements += [
            sql.SQL("CREATE TABLE IF NOT EXISTS {} (order_id uuid NOT NULL, merchant_id uuid "
                    "NOT NULL, accept_by timestamptz, PRIMARY KEY (order_id, merchant_id))")
            .format(self.table),
            sql.SQL("CREATE INDEX IF NOT EXISTS acceptance_deadlines_by_time ON {} (accept_by)")
            .format(self.table),
        ]
        self.create_table()

    def unit_of_work(self, cursor: Any) -> Any:
        return _PostgresUnit(cursor, self.table)

    def reset(self) -> None:
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(sql.SQL("DELETE FROM {}").format(self.table))
            curs.execute(sql.SQL("DELETE FROM {}").format(
                sql.Identifier(self.schema, self.tracking_table_name)))

    def rebuilt(self) -> None:
        pass

    def due(self, now: datetime, limit: int) -> list[UUID]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(sql.SQL("SELECT order_id FROM {} WHERE accept_by <= %s GROUP BY "
                                 "order_id ORDER BY MIN(accept_by) LIMIT %s").format(self.table),
                         (now, limit))
            return [row["order_id"] for row in curs.fetchall()]

    def dump(self) -> list[tuple]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(sql.SQL("SELECT order_id, merchant_id, accept_by FROM {} "
                                 "ORDER BY order_id::text, merchant_id::text").format(self.table))
            return [(str(r["order_id"]), str(r["merchant_id"]),
                     r["accept_by"] and _utc(r["accept_by"])) for r in curs.fetchall()]


class _PostgresUnit(DirectUnit):
    def __init__(self, cursor: Any, table: sql.Composable) -> None:
        self.c, self.table = cursor, table

    def expect(self, order_id: UUID, merchant_ids: list[UUID]) -> None:
        self.c.executemany(sql.SQL("INSERT INTO {} VALUES (%s, %s, NULL) ON CONFLICT DO NOTHING")
                           .format(self.table), [(order_id, m) for m in merchant_ids])

    def start(self, order_id: UUID, accept_by: datetime) -> None:
        self.c.execute(sql.SQL("UPDATE {} SET accept_by = %s WHERE order_id = %s")
                       .format(self.table), (accept_by, order_id))

    def answered(self, order_id: UUID, merchant_id: UUID) -> None:
        self.c.execute(sql.SQL("DELETE FROM {} WHERE order_id = %s AND merchant_id = %s")
                       .format(self.table), (order_id, merchant_id))

    def drop(self, order_id: UUID) -> None:
        self.c.execute(sql.SQL("DELETE FROM {} WHERE order_id = %s").format(self.table),
                       (order_id,))
