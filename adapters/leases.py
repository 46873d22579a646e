"""Which process does a piece of background work: a follower of one read model, the jobs, a
sender. Several processes may run them (`comptoir serve --workers N`, `comptoir work`); each
piece is done by the one process holding its lease, and a process that dies lets go at once.

- SQLite: one process does everything (the embedded default), so every lease is held.
- PostgreSQL: a session-level advisory lock per piece, on one connection of the process kept
  for that purpose. The server releases the locks when that connection ends (process killed,
  network lost), and a waiting process takes them at its next try (within a second).

A lease is an efficiency and a courtesy, not what keeps the data right: two holders for a
moment (a connection lost and not yet noticed) still cannot apply an event twice, since each
read model records its position in the same transaction as its rows, and the jobs are use cases
under optimistic concurrency (docs/deployment.md).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import threading
import time

import psycopg

log = logging.getLogger("comptoir.leases")

CHECK_EVERY = 1.0  # seconds between two looks at the lock connection, or two tries to take


class OneProcess:
    """SQLite: this process is the only one."""

    def holds(self, name: str) -> bool:
        return True

    def close(self) -> None:
        pass


class AdvisoryLocks:
    """PostgreSQL: `pg_try_advisory_lock` per lease, keyed by schema and name (two
    deployments, or two test schemas, in one database never share a lease)."""

    def __init__(self, dsn: str, schema: str, connect_timeout: float) -> None:
        self.dsn, self.schema, self.connect_timeout = dsn, schema, connect_timeout
        self._connection: psycopg.Connection | None = None
        self._held: set[str] = set()
        self._checked = 0.0
        self._next_try: dict[str, float] = {}
        self._lock = threading.Lock()  # one connection, several threads

    def key(self, name: str) -> int:
        return self.key_of(self.schema, name)

    @staticmethod
    def key_of(schema: str, name: str) -> int:
        digest = hashlib.sha256(f"comptoir:{schema}:{name}".encode()).digest()
        return int.from_bytes(digest[:8], "big", signed=True)

    def holds(self, name: str) -> bool:
        """True while this process holds `name`; tries to take it (at most once a second)
        when it does not."""
        with self._lock:
            now = time.monotonic()
            if not self._alive(now):
                return False
            if name in self._held:
                return True
            if now < self._next_try.get(name, 0.0):
                return False
            self._next_try[name] = now + CHECK_EVERY
            try:
                assert self._connection is not None
                row = self._connection.execute("SELECT pg_try_advisory_lock(%s)",
                                               [self.key(name)]).fetchone()
            except psycopg.Error:
                self._lost()
                return False
            if row and row[0]:
                self._held.add(name)
                log.info("lease %s taken by this process", name)
                return True
            return False

    def _alive(self, now: float) -> bool:
        """The lock connection works (looked at once a second), else reopened with no lease."""
        if self._connection is not None and now - self._checked < CHECK_EVERY:
            return True
        try:
            if self._connection is None:
                self._connection = psycopg.connect(self.dsn, autocommit=True,
                                                   connect_timeout=int(self.connect_timeout))
            else:
                self._connection.execute("SELECT 1")
            self._checked = now
            return True
        except psycopg.Error:
            self._lost()
            return False

    def _lost(self) -> None:
        if self._held:
            log.warning("leases %s lost with their connection", ", ".join(sorted(self._held)))
        self._held.clear()
        if self._connection is not None:
            with contextlib.suppress(psycopg.Error):
                self._connection.close()
        self._connection = None

    def close(self) -> None:
        with self._lock:
            self._held.clear()
            if self._connection is not None:
                self._connection.close()  # the server releases every lock of the session
                self._connection = None
