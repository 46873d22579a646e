"""What every read-model store shares: rows and tracked position in one transaction.

Mixed into eventsourcing's SQLite and PostgreSQL tracking recorders, which own the tracking
table and refuse to record a position twice (so a re-delivered batch changes nothing). Events a
projection could not apply are recorded in the same transaction as the position that passes
them (`projection_failures`), so a skipped event is never silently skipped.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, Protocol

import psycopg
from eventsourcing.persistence import OperationalError, Tracking
from eventsourcing.postgres import PostgresTrackingRecorder

from adapters.sql_dialect import Dialect, as_tuple
from projections.follower import Failure

UPSTREAM = "comptoir"  # the application whose log is followed
CREATE_ATTEMPTS = 5
log = logging.getLogger("comptoir.projections")

FAILURES_SCHEMA = """CREATE TABLE IF NOT EXISTS {p}projection_failures (
  projection text NOT NULL, position bigint NOT NULL, topic text NOT NULL,
  originator_id text NOT NULL, error text NOT NULL, failed_at text NOT NULL,
  PRIMARY KEY (projection, position))"""


class UnitOfWork(Protocol):
    def load(self, events: Sequence[Any]) -> None: ...

    def flush(self) -> None: ...


class StatementCursors:
    """A cursor that runs each statement on a cursor of its own, for a pipeline. psycopg
    hands a pipeline's results to their cursors as they come back: one cursor reused for a
    write and then a read could be given the write's late result in place of the read's
    (seen twice in nine runs of 200 checkouts, on the tracking record after the payouts
    ledger's rows: "the last operation didn't produce records")."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self._last: Any = None

    def execute(self, *args: Any, **kwargs: Any) -> Any:
        self._last = self.connection.cursor()
        return self._last.execute(*args, **kwargs)

    def executemany(self, *args: Any, **kwargs: Any) -> None:
        self._last = self.connection.cursor()
        self._last.executemany(*args, **kwargs)

    def fetchone(self) -> Any:
        return self._last.fetchone()

    def fetchall(self) -> list[Any]:
        return self._last.fetchall()

    @property
    def rowcount(self) -> int:
        return self._last.rowcount


class TrackedStore:
    """Needs, from the recorder it is mixed into: `datastore.transaction`, `_insert_tracking`,
    `max_tracking_id`; and from the concrete store: `projection` and `unit_of_work(cursor)`."""

    projection: Any
    datastore: Any
    _failures_ready = False

    def unit_of_work(self, cursor: Any) -> UnitOfWork:
        raise NotImplementedError

    def create_table(self) -> None:
        """Creating is idempotent, and may have to be tried again: a process that starts
        while another's followers write takes their tables' locks in another order (an index,
        a column) and PostgreSQL settles the deadlock by aborting one side; SQLite answers
        "database is locked" when a write lands between its reads and its DDL."""
        for attempt in range(CREATE_ATTEMPTS):
            try:
                super().create_table()  # type: ignore[misc]
                return
            except (OperationalError, psycopg.errors.OperationalError):
                if attempt == CREATE_ATTEMPTS - 1:
                    raise
                log.warning("creating the tables of %s met a lock; trying again",
                            type(self).__name__)
                time.sleep(0.05 * 2 ** attempt)

    def position(self) -> int:
        return self.max_tracking_id(UPSTREAM) or 0  # type: ignore[attr-defined]

    def version(self) -> int:
        """The version of the projection that built these rows (0: none recorded). Kept as a
        tracking record of its own, so every store has it without a table of its own."""
        return self.max_tracking_id(self._version_key) or 0  # type: ignore[attr-defined]

    def record_version(self, version: int) -> None:
        self.insert_tracking(Tracking(self._version_key, version))  # type: ignore[attr-defined]

    @property
    def _version_key(self) -> str:
        return f"{self.projection.name}#version"

    def apply(self, events: Sequence[Any], position: int,
              failures: Sequence[Failure] = ()) -> None:
        with self.datastore.transaction(commit=True) as opened, self._pipelined(opened) as c:
            if events:
                unit = self.unit_of_work(c)
                unit.load(events)
                for event in events:
                    self.projection.process(event, unit)
                unit.flush()
            if failures:
                self._create_failures_table(c)
                c.executemany(self._sql(
                    "INSERT INTO {p}projection_failures VALUES (?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (projection, position) DO NOTHING"),
                    [(self.projection.name, f.position, f.topic, f.originator_id, f.error,
                      datetime.now(UTC).isoformat()) for f in failures])
            self._insert_tracking(c, Tracking(UPSTREAM, position))  # type: ignore[attr-defined]

    @contextmanager
    def _pipelined(self, cursor: Any) -> Iterator[Any]:
        """On PostgreSQL the batch's statements go out without waiting for each answer (a
        checkout's payouts are 24 ledger rows); a statement that reads waits as it must."""
        if not isinstance(self, PostgresTrackingRecorder):
            yield cursor
            return
        with cursor.connection.pipeline():
            yield StatementCursors(cursor.connection)

    def failures(self) -> list[Failure]:
        with self.datastore.transaction(commit=True) as cursor:
            self._create_failures_table(cursor)
            cursor.execute(self._sql(
                "SELECT position, topic, originator_id, error FROM {p}projection_failures "
                "WHERE projection = ? ORDER BY position"), (self.projection.name,))
            return [Failure(*as_tuple(row)) for row in cursor.fetchall()]

    def forget_failures(self) -> None:
        """A rebuild replays every event again: what failed is tried anew."""
        with self.datastore.transaction(commit=True) as cursor:
            self._create_failures_table(cursor)
            cursor.execute(self._sql("DELETE FROM {p}projection_failures WHERE projection = ?"),
                           (self.projection.name,))

    def _create_failures_table(self, cursor: Any) -> None:
        if not self._failures_ready:
            cursor.execute(self._sql(FAILURES_SCHEMA))
            self._failures_ready = True

    def _sql(self, text: str) -> str:
        if isinstance(self, PostgresTrackingRecorder):
            return Dialect("%s", f'"{self.datastore.schema}".')(text)
        return Dialect("?", "")(text)
