"""The deadlines read model (projections/deadlines.py) in SQLite and in PostgreSQL: orders
waiting for their payment, refunds waiting for the gateway."""

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
from projections.deadlines import DeadlinesProjection, DirectUnit, Unsettled


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")  # sorts as text


class SQLiteDeadlinesStore(TrackedStore, SQLiteTrackingRecorder):
    def __init__(self, path: Path) -> None:
        super().__init__(read_model_datastore(path, pool_size=2))
        self.projection = DeadlinesProjection()
        self.create_table()

    def construct_create_table_statements(self) -> list[str]:
        return [*super().construct_create_table_statements(),
                "CREATE TABLE IF NOT EXISTS deadlines (order_id TEXT PRIMARY KEY, "
                "expires_at TEXT NOT NULL)",
                "CREATE INDEX IF NOT EXISTS deadlines_by_time ON deadlines (expires_at)",
                "CREATE TABLE IF NOT EXISTS refunds_unsettled (refund_id TEXT PRIMARY KEY, "
                "order_id TEXT NOT NULL, merchant_id TEXT NOT NULL, decided_at TEXT NOT NULL)"]

    def unit_of_work(self, cursor: Any) -> Any:
        return _SQLiteUnit(cursor)

    def reset(self) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute("DELETE FROM deadlines")
            c.execute("DELETE FROM refunds_unsettled")
            c.execute("DELETE FROM tracking WHERE application_name = ?", (UPSTREAM,))

    def rebuilt(self) -> None:
        pass

    def due(self, now: datetime, limit: int) -> list[UUID]:
        with self.datastore.transaction(commit=False) as c:
            c.execute("SELECT order_id FROM deadlines WHERE expires_at <= ? "
                      "ORDER BY expires_at LIMIT ?", (_utc(now), limit))
            return [UUID(row[0]) for row in c.fetchall()]

    def waiting(self, now: datetime, limit: int) -> list[UUID]:
        """Orders still within their payment window."""
        with self.datastore.transaction(commit=False) as c:
            c.execute("SELECT order_id FROM deadlines WHERE expires_at > ? "
                      "ORDER BY expires_at LIMIT ?", (_utc(now), limit))
            return [UUID(row[0]) for row in c.fetchall()]

    def unsettled_refunds(self, decided_before: datetime, limit: int) -> list[Unsettled]:
        """Refunds decided before then that the gateway has not done yet, oldest first."""
        with self.datastore.transaction(commit=False) as c:
            c.execute("SELECT order_id, merchant_id, refund_id FROM refunds_unsettled "
                      "WHERE decided_at <= ? ORDER BY decided_at LIMIT ?",
                      (_utc(decided_before), limit))
            return [Unsettled(*map(UUID, row)) for row in c.fetchall()]

    def dump(self) -> list[tuple]:
        with self.datastore.transaction(commit=False) as c:
            c.execute("SELECT order_id, expires_at FROM deadlines ORDER BY order_id")
            return [tuple(row) for row in c.fetchall()]


class _SQLiteUnit(DirectUnit):
    def __init__(self, cursor: Any) -> None:
        self.c = cursor

    def add(self, order_id: UUID, expires_at: datetime) -> None:
        self.c.execute("INSERT OR REPLACE INTO deadlines VALUES (?, ?)",
                       (str(order_id), _utc(expires_at)))

    def remove(self, order_id: UUID) -> None:
        self.c.execute("DELETE FROM deadlines WHERE order_id = ?", (str(order_id),))

    def refund_decided(self, refund_id: UUID, order_id: UUID, merchant_id: UUID,
                       decided_at: datetime) -> None:
        self.c.execute("INSERT OR IGNORE INTO refunds_unsettled VALUES (?, ?, ?, ?)",
                       (str(refund_id), str(order_id), str(merchant_id), _utc(decided_at)))

    def refund_settled(self, refund_id: UUID) -> None:
        self.c.execute("DELETE FROM refunds_unsettled WHERE refund_id = ?", (str(refund_id),))


class PostgresDeadlinesStore(TrackedStore, PostgresTrackingRecorder):
    def __init__(self, datastore: PostgresDatastore) -> None:
        super().__init__(datastore, tracking_table_name="deadlines_tracking")
        self.schema = datastore.schema
        self.table = sql.Identifier(self.schema, "order_deadlines")
        self.refunds = sql.Identifier(self.schema, "refunds_unsettled")
        self.projection = DeadlinesProjection()
        self.sql_create_statements += [
            sql.SQL("CREATE TABLE IF NOT EXISTS {} (order_id uuid PRIMARY KEY, "
                    "expires_at timestamptz NOT NULL)").format(self.table),
            sql.SQL("CREATE INDEX IF NOT EXISTS order_deadlines_by_time ON {} (expires_at)")
            .format(self.table),
            sql.SQL("CREATE TABLE IF NOT EXISTS {} (refund_id uuid PRIMARY KEY, order_id uuid "
                    "NOT NULL, merchant_id uuid NOT NULL, decided_at timestamptz NOT NULL)")
            .format(self.refunds),
        ]
        self.create_table()

    def unit_of_work(self, cursor: Any) -> Any:
        return _PostgresUnit(cursor, self.table, self.refunds)

    def reset(self) -> None:
        with self.datastore.transaction(commit=True) as curs:
            for table in (self.table, self.refunds,
                          sql.Identifier(self.schema, self.tracking_table_name)):
                curs.execute(sql.SQL("DELETE FROM {}").format(table))

    def rebuilt(self) -> None:
        pass

    def due(self, now: datetime, limit: int) -> list[UUID]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(sql.SQL("SELECT order_id FROM {} WHERE expires_at <= %s "
                                 "ORDER BY expires_at LIMIT %s").format(self.table), (now, limit))
            return [row["order_id"] for row in curs.fetchall()]

    def waiting(self, now: datetime, limit: int) -> list[UUID]:
        """Orders still within their payment window."""
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(sql.SQL("SELECT order_id FROM {} WHERE expires_at > %s "
                                 "ORDER BY expires_at LIMIT %s").format(self.table), (now, limit))
            return [row["order_id"] for row in curs.fetchall()]

    def unsettled_refunds(self, decided_before: datetime, limit: int) -> list[Unsettled]:
        """Refunds decided before then that the gateway has not done yet, oldest first."""
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(sql.SQL("SELECT order_id, merchant_id, refund_id FROM {} "
                                 "WHERE decided_at <= %s ORDER BY decided_at LIMIT %s")
                         .format(self.refunds), (decided_before, limit))
            return [Unsettled(r["order_id"], r["merchant_id"], r["refund_id"])
                    for r in curs.fetchall()]

    def dump(self) -> list[tuple]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(sql.SQL("SELECT order_id, expires_at FROM {} ORDER BY order_id")
                         .format(self.table))
            return [(str(r["order_id"]), _utc(r["expires_at"])) for r in curs.fetchall()]


class _PostgresUnit(DirectUnit):
    def __init__(self, cursor: Any, table: sql.Composable, refunds: sql.Composable) -> None:
        self.c, self.table, self.refunds = cursor, table, refunds

    def add(self, order_id: UUID, expires_at: datetime) -> None:
        self.c.execute(sql.SQL("INSERT INTO {} VALUES (%s, %s) ON CONFLICT (order_id) "
                               "DO UPDATE SET expires_at = EXCLUDED.expires_at")
                       .format(self.table), (order_id, expires_at))

    def remove(self, order_id: UUID) -> None:
        self.c.execute(sql.SQL("DELETE FROM {} WHERE order_id = %s").format(self.table),
                       (order_id,))

    def refund_decided(self, refund_id: UUID, order_id: UUID, merchant_id: UUID,
                       decided_at: datetime) -> None:
        self.c.execute(sql.SQL("INSERT INTO {} VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING")
                       .format(self.refunds), (refund_id, order_id, merchant_id, decided_at))

    def refund_settled(self, refund_id: UUID) -> None:
        self.c.execute(sql.SQL("DELETE FROM {} WHERE refund_id = %s").format(self.refunds),
                       (refund_id,))
