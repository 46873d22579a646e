"""Writers to the same aggregates wait for each other across processes (PostgreSQL).

Optimistic concurrency keeps the log correct whatever the number of processes: a save whose
versions moved meanwhile fails and its use case tries again. Under a hot item that rule is
correct but slow: two application instances with 16 threads buying from 60 listings had 193–200
of 320 checkouts' attempts fail on the other's save, each retry redoing the work after a random
pause; with these locks, none (docs/architecture.md, "Concurrency").
Within a process, `AggregateLocks` already turns collisions into waits; this does the same
between processes with transaction-scoped advisory locks, taken after the process's own locks,
in one order everywhere (by key), on a connection of their own held for the length of the
attempt. The version check stays the rule; these locks only make it rarely needed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from uuid import UUID

import psycopg
from eventsourcing.persistence import IntegrityError
from psycopg_pool import ConnectionPool

from adapters.event_store import Connections
from application.locks import AggregateLocks

WAIT_AT_MOST = "5s"  # then the attempt fails as a conflict, and its use case tries again


def lock_key(aggregate_id: UUID) -> int:
    """The advisory lock's 64-bit key: a collision only makes two writers wait needlessly."""
    return int.from_bytes(aggregate_id.bytes[:8], "big", signed=True)


class AdvisoryAggregateLocks(AggregateLocks):
    def __init__(self, connections: Connections) -> None:
        super().__init__()
        self.connections = connections

    @contextmanager
    def hold(self, ids: Iterable[UUID], between_processes: bool = True) -> Iterator[None]:
        ids = list(ids)  # read twice: the process's locks, then the database's
        keys = sorted({lock_key(i) for i in ids}) if between_processes else []
        with super().hold(ids):
            if not keys:
                yield
                return
            with self.connections.connection() as conn:
                # Two round trips, each a wait for this thread to win the GIL back: BEGIN
                # and the locks in key order, then the COMMIT that releases them.
                # psycopg's transaction() around a pipeline took three.
                try:
                    with conn.pipeline():
                        conn.execute("BEGIN")
                        conn.execute(f"SET LOCAL lock_timeout = '{WAIT_AT_MOST}'")
                        for key in keys:
                            conn.execute("SELECT pg_advisory_xact_lock(%s)", (key,))
                except (psycopg.errors.LockNotAvailable,
                        psycopg.errors.DeadlockDetected) as waited:
                    conn.execute("ROLLBACK")
                    raise IntegrityError(str(waited)) from waited
                try:
                    yield  # the attempt runs
                finally:
                    conn.execute("COMMIT")  # releases the locks


def advisory_locks(dsn: str, size: int, timeout: float) -> AdvisoryAggregateLocks:
    """Its own pool: a connection is held for the length of each write attempt."""
    return AdvisoryAggregateLocks(Connections(ConnectionPool(
        dsn, min_size=0, max_size=size, kwargs={"autocommit": True}, open=True,
        name="comptoir-writer-locks", timeout=timeout)))
