"""The outbound webhooks' outbox (application/webhook_fanout.py, webhook_delivery.py) in SQLite
and in PostgreSQL: one SQL text for both, as the ledger.

Tables: the index of endpoints and their subscriptions (as of the followed position), one row
per delivery (event × endpoint) with its status and next attempt, and one row per attempt.
Deliveries are the outbox, not a read model: a rebuild replays the index and queues again, and
what was already queued stays as it is (same ids, `ON CONFLICT DO NOTHING`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder
from eventsourcing.sqlite import SQLiteTrackingRecorder
from psycopg import sql as psql

from adapters.sql_dialect import Dialect, as_tuple
from adapters.sqlite_datastore import read_model_datastore
from adapters.tracked_store import UPSTREAM, TrackedStore
from application.webhook_delivery import Attempt, Delivery
from application.webhook_fanout import QueuedDelivery, WebhookFanout
from projections.follower import Failure

TABLES = (
    "CREATE TABLE IF NOT EXISTS {p}webhook_endpoints (endpoint_id TEXT PRIMARY KEY, "
    "merchant_id TEXT, enabled INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS {p}webhook_subscriptions (endpoint_id TEXT NOT NULL, "
    "event_type TEXT NOT NULL, PRIMARY KEY (endpoint_id, event_type))",
    "CREATE INDEX IF NOT EXISTS webhook_subscriptions_by_type ON {p}webhook_subscriptions "
    "(event_type)",
    "CREATE TABLE IF NOT EXISTS {p}webhook_deliveries (delivery_id TEXT PRIMARY KEY, "
    "event_id TEXT NOT NULL, endpoint_id TEXT NOT NULL, merchant_id TEXT NOT NULL, "
    "event_type TEXT NOT NULL, source_id TEXT NOT NULL, source_version INTEGER NOT NULL, "
    "created_at TEXT NOT NULL, deadline TEXT NOT NULL, status TEXT NOT NULL, "
    "attempt_count INTEGER NOT NULL DEFAULT 0, next_attempt_at TEXT, last_error TEXT)",
    "CREATE INDEX IF NOT EXISTS webhook_deliveries_due ON {p}webhook_deliveries "
    "(next_attempt_at) WHERE status = 'pending'",
    "CREATE INDEX IF NOT EXISTS webhook_deliveries_by_endpoint ON {p}webhook_deliveries "
    "(endpoint_id, created_at)",
    "CREATE TABLE IF NOT EXISTS {p}webhook_attempts (attempt_id TEXT PRIMARY KEY, "
    "delivery_id TEXT NOT NULL, at TEXT NOT NULL, status_code INTEGER, error TEXT, "
    "duration_ms INTEGER NOT NULL, replay INTEGER NOT NULL)",
    "CREATE INDEX IF NOT EXISTS webhook_attempts_by_delivery ON {p}webhook_attempts "
    "(delivery_id, at)",
)
INDEX_TABLES = ("webhook_endpoints", "webhook_subscriptions")
DELIVERY = ("delivery_id, event_id, endpoint_id, merchant_id, event_type, source_id, "
            "source_version, created_at, deadline, status, attempt_count, next_attempt_at, "
            "last_error")


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")  # sorts as text


def _moment(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


def _rowcount(cursor: Any) -> int:
    return getattr(cursor, "sqlite_cursor", cursor).rowcount


class OutboxUnit:
    """application.webhook_fanout.OutboxUnit, inside the follower's transaction."""

    def __init__(self, cursor: Any, sql: Dialect) -> None:
        self.c, self.sql = cursor, sql
        self.queued = False  # deliveries were queued: the sender is woken once it commits
        # Who listens, asked once per batch and event type (and merchant): a feed of 1,000
        # stock changes asked 1,000 times, a round trip each. Any endpoint event forgets it.
        self._asked: dict[tuple[str, UUID | None], Any] = {}

    def load(self, events: Sequence[Any]) -> None:
        pass

    def flush(self) -> None:
        pass

    def _x(self, text: str, params: tuple = ()) -> list[tuple]:
        self.c.execute(self.sql(text), params)
        return [as_tuple(r) for r in self.c.fetchall()] if text.startswith("SELECT") else []

    def endpoint(self, endpoint_id: UUID, merchant_id: UUID | None,
                 event_types: Sequence[str], enabled: bool) -> None:
        self._x("INSERT INTO {p}webhook_endpoints VALUES (?, ?, ?) ON CONFLICT (endpoint_id) "
                "DO NOTHING", (str(endpoint_id), str(merchant_id) if merchant_id else None,
                               int(enabled)))
        self.endpoint_changed(endpoint_id, event_types, enabled)

    def endpoint_changed(self, endpoint_id: UUID, event_types: Sequence[str],
                         enabled: bool) -> None:
        self._asked.clear()
        self._x("UPDATE {p}webhook_endpoints SET enabled = ? WHERE endpoint_id = ?",
                (int(enabled), str(endpoint_id)))
        self._x("DELETE FROM {p}webhook_subscriptions WHERE endpoint_id = ?", (str(endpoint_id),))
        self.c.executemany(self.sql("INSERT INTO {p}webhook_subscriptions VALUES (?, ?)"),
                           [(str(endpoint_id), t) for t in event_types])

    def endpoint_deleted(self, endpoint_id: UUID) -> None:
        self._asked.clear()
        for table in INDEX_TABLES:
            self._x(f"DELETE FROM {{p}}{table} WHERE endpoint_id = ?", (str(endpoint_id),))
        self._x("UPDATE {p}webhook_deliveries SET status = 'cancelled', next_attempt_at = NULL, "
                "last_error = 'endpoint_deleted' WHERE endpoint_id = ? AND status = 'pending'",
                (str(endpoint_id),))

    def anyone_subscribed(self, event_type: str) -> bool:
        key = (event_type, None)
        if key not in self._asked:
            self._asked[key] = bool(self._x(
                "SELECT 1 FROM {p}webhook_subscriptions WHERE event_type = ? LIMIT 1",
                (event_type,)))
        return bool(self._asked[key])

    def subscribers(self, event_type: str, merchant_id: UUID) -> list[UUID]:
        key = (event_type, merchant_id)
        if key not in self._asked:
            rows = self._x(
                "SELECT e.endpoint_id FROM {p}webhook_endpoints e JOIN "
                "{p}webhook_subscriptions s ON s.endpoint_id = e.endpoint_id "
                "WHERE s.event_type = ? AND e.enabled = 1 "
                "AND (e.merchant_id = ? OR e.merchant_id IS NULL) ORDER BY e.endpoint_id",
                (event_type, str(merchant_id)))
            self._asked[key] = [UUID(r[0]) for r in rows]
        return list(self._asked[key])

    def enqueue(self, deliveries: Sequence[QueuedDelivery]) -> None:
        if deliveries:
            self.queued = True
            self.c.executemany(self.sql(
                f"INSERT INTO {{p}}webhook_deliveries ({DELIVERY}) VALUES "
                "(?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, NULL) "
                "ON CONFLICT (delivery_id) DO NOTHING"),
                [(str(d.delivery_id), str(d.event_id), str(d.endpoint_id), str(d.merchant_id),
                  d.event_type, str(d.source_id), d.source_version, _utc(d.created_at),
                  _utc(d.deadline), _utc(d.created_at)) for d in deliveries])


class WakesSender:
    """Calls `listeners` (the sender's wake) after a transaction that queued deliveries."""

    sql: Dialect
    listeners: list[Callable[[], None]]
    _units: threading.local

    def unit_of_work(self, cursor: Any) -> OutboxUnit:
        unit = self._units.unit = OutboxUnit(cursor, self.sql)
        return unit

    def apply(self, events: Sequence[Any], position: int,
              failures: Sequence[Failure] = ()) -> None:
        self._units.unit = None
        super().apply(events, position, failures)  # type: ignore[misc]
        unit = self._units.unit
        if unit is not None and unit.queued:
            for listener in self.listeners:
                listener()


class OutboxQueries:
    """application.webhook_delivery.WebhookOutbox (needs `datastore` and `sql`)."""

    datastore: Any
    sql: Dialect

    def _read(self, text: str, params: tuple = ()) -> list[tuple]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(self.sql(text), params)
            return [as_tuple(r) for r in c.fetchall()]

    def endpoints_of(self, merchant_id: UUID | None) -> list[UUID]:
        where, params = (("merchant_id = ?", (str(merchant_id),)) if merchant_id
                         else ("merchant_id IS NULL", ()))
        return [UUID(r[0]) for r in self._read(
            f"SELECT endpoint_id FROM {{p}}webhook_endpoints WHERE {where}", params)]

    def due(self, now: datetime, limit: int) -> list[Delivery]:
        rows = self._read(
            f"SELECT {_prefixed('d.')} FROM {{p}}webhook_deliveries d "
            "JOIN {p}webhook_endpoints e ON e.endpoint_id = d.endpoint_id "
            "WHERE d.status = 'pending' AND d.next_attempt_at <= ? AND e.enabled = 1 "
            "ORDER BY d.next_attempt_at LIMIT ?", (_utc(now), limit))
        return [_delivery(r) for r in rows]

    def claim(self, delivery: Delivery, until: datetime) -> bool:
        assert delivery.next_attempt_at is not None
        with self.datastore.transaction(commit=True) as c:
            c.execute(self.sql(
                "UPDATE {p}webhook_deliveries SET next_attempt_at = ? WHERE delivery_id = ? "
                "AND status = 'pending' AND next_attempt_at = ?"),
                (_utc(until), str(delivery.id), _utc(delivery.next_attempt_at)))
            return _rowcount(c) == 1

    def record(self, delivery_id: UUID, attempt: Attempt | None, status: str | None,
               next_attempt_at: datetime | None, error: str | None = None) -> None:
        with self.datastore.transaction(commit=True) as c:
            if attempt is not None:
                c.execute(self.sql("INSERT INTO {p}webhook_attempts VALUES (?, ?, ?, ?, ?, ?, ?)"),
                          (str(uuid4()), str(delivery_id), _utc(attempt.at), attempt.status_code,
                           attempt.error, attempt.duration_ms, int(attempt.replay)))
                c.execute(self.sql(
                    "UPDATE {p}webhook_deliveries SET attempt_count = attempt_count + 1, "
                    "last_error = ? WHERE delivery_id = ?"),
                    (attempt.error or (None if attempt.succeeded else
                                       f"http_{attempt.status_code}"), str(delivery_id)))
            if status is not None:
                c.execute(self.sql(
                    "UPDATE {p}webhook_deliveries SET status = ?, next_attempt_at = ?, "
                    "last_error = COALESCE(?, last_error) WHERE delivery_id = ?"),
                    (status, _utc(next_attempt_at) if next_attempt_at else None, error,
                     str(delivery_id)))

    def delivery(self, delivery_id: UUID) -> Delivery | None:
        rows = self._read(f"SELECT {DELIVERY} FROM {{p}}webhook_deliveries WHERE delivery_id = ?",
                          (str(delivery_id),))
        return self._with_attempts([_delivery(r) for r in rows])[0] if rows else None

    def deliveries(self, endpoint_id: UUID, status: str | None, limit: int,
                   offset: int) -> list[Delivery]:
        where, params = ("AND status = ?", (status,)) if status else ("", ())
        rows = self._read(
            f"SELECT {DELIVERY} FROM {{p}}webhook_deliveries WHERE endpoint_id = ? {where} "
            "ORDER BY created_at DESC, delivery_id LIMIT ? OFFSET ?",
            (str(endpoint_id), *params, limit, offset))
        return self._with_attempts([_delivery(r) for r in rows])

    def _with_attempts(self, deliveries: list[Delivery]) -> list[Delivery]:
        if not deliveries:
            return []
        marks = ", ".join("?" for _ in deliveries)
        found: dict[str, list[Attempt]] = {}
        for r in self._read(
                "SELECT delivery_id, at, status_code, error, duration_ms, replay FROM "
                f"{{p}}webhook_attempts WHERE delivery_id IN ({marks}) ORDER BY at, attempt_id",
                tuple(str(d.id) for d in deliveries)):
            found.setdefault(r[0], []).append(
                Attempt(_moment(r[1]), r[2], r[3], r[4], bool(r[5])))  # type: ignore[arg-type]
        return [replace(d, attempts=tuple(found.get(str(d.id), ()))) for d in deliveries]

    def dump(self) -> list[tuple]:
        return self._read(f"SELECT {DELIVERY} FROM {{p}}webhook_deliveries ORDER BY delivery_id")


def _prefixed(prefix: str) -> str:
    return ", ".join(prefix + name.strip() for name in DELIVERY.split(","))


def _delivery(r: tuple) -> Delivery:
    return Delivery(UUID(r[0]), UUID(r[1]), UUID(r[2]), UUID(r[3]), r[4], UUID(r[5]), r[6],
                    _moment(r[7]), _moment(r[8]), r[9], r[10], _moment(r[11]),  # type: ignore[arg-type]
                    r[12])


class SQLiteWebhookOutbox(WakesSender, OutboxQueries, TrackedStore, SQLiteTrackingRecorder):
    sql = Dialect("?", "")

    def __init__(self, path: Path, fanout: WebhookFanout) -> None:
        super().__init__(read_model_datastore(path, pool_size=2))
        self.projection = fanout
        self.listeners, self._units = [], threading.local()
        self.create_table()

    def construct_create_table_statements(self) -> list[str]:
        return [*super().construct_create_table_statements(), *(self.sql(t) for t in TABLES)]

    def reset(self) -> None:
        """The index is rebuilt; deliveries and attempts stay (the outbox is not derived)."""
        with self.datastore.transaction(commit=True) as c:
            for table in INDEX_TABLES:
                c.execute(f"DELETE FROM {table}")  # noqa: S608 - a constant name
            c.execute("DELETE FROM tracking WHERE application_name = ?", (UPSTREAM,))

    def rebuilt(self) -> None:
        pass


class PostgresWebhookOutbox(WakesSender, OutboxQueries, TrackedStore,
                            PostgresTrackingRecorder):
    def __init__(self, datastore: PostgresDatastore, fanout: WebhookFanout) -> None:
        super().__init__(datastore, tracking_table_name="webhooks_tracking")
        self.schema = datastore.schema
        self.sql = Dialect("%s", f'"{self.schema}".')
        self.sql_create_statements += [psql.SQL(self.sql(t)) for t in TABLES]  # type: ignore[misc]
        self.projection = fanout
        self.listeners, self._units = [], threading.local()
        self.create_table()

    def reset(self) -> None:
        with self.datastore.transaction(commit=True) as c:
            for table in (*INDEX_TABLES, self.tracking_table_name):
                c.execute(f'DELETE FROM "{self.schema}"."{table}"')  # noqa: S608

    def rebuilt(self) -> None:
        pass
