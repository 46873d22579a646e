"""The mail outbox (application/notifications) in SQLite and in PostgreSQL.

Rows are added by the notifications follower in the transaction that records its position
(TrackedStore), once per (event, recipient) — a unique key, and `ON CONFLICT DO NOTHING` for
an event seen again — and read, claimed and marked by the sender job. One SQL text serves both
backends: text ids, ISO-8601 UTC text times that sort as text.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError, Tracking
from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder
from eventsourcing.sqlite import SQLiteTrackingRecorder
from psycopg import sql

from adapters.sql_dialect import Dialect, as_tuple
from adapters.sqlite_datastore import read_model_datastore
from adapters.tracked_store import UPSTREAM, TrackedStore
from application.notifications.outbox import OutboxMail
from application.notifications.triggers import NotificationProjection
from projections.follower import RebuildRefusedError

TABLES = (
    "CREATE TABLE IF NOT EXISTS {p}mail_outbox (mail_id TEXT PRIMARY KEY, "
    "event_id TEXT NOT NULL, recipient TEXT NOT NULL, subject_id TEXT NOT NULL, "
    "template TEXT NOT NULL, params TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'pending', "
    "attempts INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL, due_at TEXT, "
    "claimed_until TEXT, sent_at TEXT, error TEXT, UNIQUE (event_id, recipient))",
    "CREATE INDEX IF NOT EXISTS mail_outbox_due ON {p}mail_outbox (status, due_at)",
    "CREATE INDEX IF NOT EXISTS mail_outbox_by_subject ON {p}mail_outbox (subject_id)",
)
ROW = "event_id, recipient, subject_id, template, params, attempts"


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class OutboxUnit:
    def __init__(self, cursor: Any, sql: Dialect) -> None:
        self.c, self.sql = cursor, sql

    def load(self, events: Any) -> None:
        pass

    def flush(self) -> None:
        pass

    def add(self, mail: OutboxMail, at: datetime) -> None:
        self.c.execute(self.sql(
            "INSERT INTO {p}mail_outbox (mail_id, event_id, recipient, subject_id, template, "
            "params, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"),
            (str(mail.mail_id), mail.event_id, mail.recipient, str(mail.subject_id),
             mail.template, mail.params_json(), _utc(at)))


class OutboxQueries:
    """The sender's side (`application.notifications.outbox.Outbox`); needs `datastore` and
    `sql` from the store it is mixed into."""

    datastore: Any
    sql: Dialect

    def _rows(self, text: str, params: tuple = (), commit: bool = False) -> list[tuple]:
        """What a SELECT gives back, or a change with RETURNING (`commit`)."""
        with self.datastore.transaction(commit=commit) as c:
            c.execute(self.sql(text), params)
            return [as_tuple(row) for row in c.fetchall()]

    def _change(self, text: str, params: tuple) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute(self.sql(text), params)

    def claim_due(self, now: datetime, until: datetime, limit: int) -> list[OutboxMail]:
        # One statement for the round: reading the due rows, then claiming each in its own
        # commit, was a commit per mail. PostgreSQL skips rows another sender is claiming;
        # SQLite has one writer at a time.
        rows = self._rows(
            f"UPDATE {{p}}mail_outbox SET claimed_until = ? WHERE mail_id IN ("
            "SELECT mail_id FROM {p}mail_outbox WHERE status = 'pending' "
            "AND (due_at IS NULL OR due_at <= ?) AND (claimed_until IS NULL OR claimed_until "
            "<= ?) ORDER BY created_at, mail_id LIMIT ? {skip_locked}) "
            f"RETURNING {ROW}, created_at, mail_id",
            (_utc(until), _utc(now), _utc(now), limit), commit=True)
        return [OutboxMail.of_row(*row[:-2]) for row in sorted(rows, key=lambda r: r[-2:])]

    def sent(self, mail_ids: Sequence[UUID], at: datetime) -> None:
        if not mail_ids:
            return
        marks = ", ".join("?" * len(mail_ids))
        self._change("UPDATE {p}mail_outbox SET status = 'sent', sent_at = ?, error = NULL, "
                     f"claimed_until = NULL, attempts = attempts + 1 WHERE mail_id IN ({marks})",
                     (_utc(at), *map(str, mail_ids)))

    def retry(self, mail_id: UUID, reason: str, due_at: datetime) -> None:
        self._change("UPDATE {p}mail_outbox SET due_at = ?, error = ?, claimed_until = NULL, "
                     "attempts = attempts + 1 WHERE mail_id = ?",
                     (_utc(due_at), reason, str(mail_id)))

    def failed(self, mail_id: UUID, reason: str) -> None:
        self._change("UPDATE {p}mail_outbox SET status = 'failed', error = ?, claimed_until = "
                     "NULL, attempts = attempts + 1 WHERE mail_id = ?", (reason, str(mail_id)))

    def drop(self, mail_id: UUID) -> None:
        self._change("DELETE FROM {p}mail_outbox WHERE mail_id = ?", (str(mail_id),))

    def forget(self, subject_id: UUID) -> int:
        return len(self._rows("DELETE FROM {p}mail_outbox WHERE subject_id = ? "
                              "RETURNING mail_id", (str(subject_id),), commit=True))

    def forget_done(self, before: datetime) -> int:
        return len(self._rows(
            "DELETE FROM {p}mail_outbox WHERE status IN ('sent', 'failed') "
            "AND COALESCE(sent_at, due_at, created_at) < ? RETURNING mail_id",
            (_utc(before),), commit=True))

    def counts(self) -> dict[str, int]:
        rows = self._rows("SELECT status, COUNT(*) FROM {p}mail_outbox GROUP BY status")
        return {status: int(n) for status, n in rows}

    def rows(self) -> list[tuple]:
        """Every row: (event id, recipient, template, status, attempts), for tests and ops."""
        return self._rows("SELECT event_id, recipient, template, status, attempts "
                         "FROM {p}mail_outbox ORDER BY created_at, mail_id")


class OutboxStore(OutboxQueries, TrackedStore):
    def unit_of_work(self, cursor: Any) -> OutboxUnit:
        return OutboxUnit(cursor, self.sql)

    def start_at(self, head: int) -> None:
        """A new outbox begins at the log's head: a platform that turns mail on does not mail
        its whole past. Once: from then on, its tracked position says where it is."""
        if self.version() or self.position():
            return
        with suppress(IntegrityError), self.datastore.transaction(commit=True) as c:
            # Another process starting at the same time may have recorded it first.
            self._insert_tracking(c, Tracking(self._version_key,  # type: ignore[attr-defined]
                                              self.projection.version))
            if head:
                self._insert_tracking(c, Tracking(UPSTREAM, head))  # type: ignore[attr-defined]

    def reset(self) -> None:
        raise RebuildRefusedError(
            "the mail outbox is never rebuilt: replaying the log into it would send every past "
            "mail again (docs/notifications.md)")

    def rebuilt(self) -> None:
        pass


class SQLiteMailOutbox(OutboxStore, SQLiteTrackingRecorder):
    sql = Dialect("?", "", skip_locked="")

    def __init__(self, path: Path, projection: NotificationProjection) -> None:
        super().__init__(read_model_datastore(path, pool_size=2))
        self.projection = projection
        self.create_table()

    def construct_create_table_statements(self) -> list[str]:
        return [*super().construct_create_table_statements(), *(self.sql(t) for t in TABLES)]


class PostgresMailOutbox(OutboxStore, PostgresTrackingRecorder):
    def __init__(self, datastore: PostgresDatastore, projection: NotificationProjection) -> None:
        super().__init__(datastore, tracking_table_name="notifications_tracking")
        self.sql = Dialect("%s", f'"{datastore.schema}".', skip_locked="FOR UPDATE SKIP LOCKED")
        self.sql_create_statements += [sql.SQL(self.sql(t)) for t in TABLES]  # type: ignore[misc]
        self.projection = projection
        self.create_table()
