"""Merchant insight counters (application/insights.py) in SQLite or PostgreSQL.

Only aggregates: per merchant, day, kind and region (three characters of a postal code, or
"unknown"), how many times and by how many distinct consumers. Distinct consumers are counted
with a per-day salted hash (HMAC-SHA-256 of the consumer id under that day's random salt,
truncated): the hashes and the salt are deleted once the day is over, leaving only the counts.
No consumer id, no postal code beyond three characters, no IP is ever written.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import sqlite3
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

from psycopg import sql

from adapters.event_store import Connections
from adapters.sql_dialect import ONE_SNAPSHOT, Dialect, as_tuple
from application.insights import InsightFigures, Sighting

TABLES = (
    "CREATE TABLE IF NOT EXISTS {p}insight_counts (merchant_id TEXT NOT NULL, day TEXT NOT NULL, "
    "kind TEXT NOT NULL, region TEXT NOT NULL, events INTEGER NOT NULL, "
    "consumers INTEGER NOT NULL, PRIMARY KEY (merchant_id, day, kind, region))",
    # A day's distinct consumers of a kind, whatever their region: one person may be counted
    # in two regions the day she gives her postal code, so regions' counts do not add up.
    "CREATE TABLE IF NOT EXISTS {p}insight_days (merchant_id TEXT NOT NULL, day TEXT NOT NULL, "
    "kind TEXT NOT NULL, events INTEGER NOT NULL, consumers INTEGER NOT NULL, "
    "PRIMARY KEY (merchant_id, day, kind))",
    "CREATE TABLE IF NOT EXISTS {p}insight_terms (merchant_id TEXT NOT NULL, day TEXT NOT NULL, "
    "term TEXT NOT NULL, events INTEGER NOT NULL, consumers INTEGER NOT NULL, "
    "PRIMARY KEY (merchant_id, day, term))",
    # Today's salted hashes, only to count each consumer once per cell; deleted with the day.
    "CREATE TABLE IF NOT EXISTS {p}insight_seen (cell TEXT NOT NULL, visitor TEXT NOT NULL, "
    "day TEXT NOT NULL, PRIMARY KEY (cell, visitor))",
    "CREATE TABLE IF NOT EXISTS {p}insight_salts (day TEXT PRIMARY KEY, salt TEXT NOT NULL)",
)


VISITORS_PER_STATEMENT = 500  # rows of one INSERT (SQLite allows 32,766 parameters)


@dataclass
class _Tally:
    """One cell's share of a batch: its sightings and the distinct visitors among them."""

    day: str
    events: int = 0
    visitors: set[str] = field(default_factory=set)


class InsightsStore:
    """Writes batches of sightings; reads counters. `_connection()` gives a DB-API connection
    in a transaction (SQLite: one connection and a lock; PostgreSQL: from a pool)."""

    q: Dialect

    def add(self, sightings: Iterable[Sighting]) -> None:
        """Tally the batch by cell first: a second of searches names the same merchants and
        words many times over, and each cell is then written once (its new visitors in one
        statement, its counter in another) instead of once per sighting."""
        tallies: dict[tuple[str, str, tuple[str, ...], str], _Tally] = {}
        with self._transaction() as c:
            salts: dict[str, bytes] = {}
            for s in sightings:
                day = s.day.isoformat()
                if day not in salts:
                    salts[day] = self._salt(c, day)
                visitor = None if s.consumer_id is None else hmac.new(
                    salts[day], s.consumer_id.bytes, hashlib.sha256).hexdigest()[:24]
                merchant = str(s.merchant_id)
                cells = [("insight_counts", "merchant_id, day, kind, region",
                          (merchant, day, s.kind, s.region),
                          f"{merchant}|{day}|{s.kind}|{s.region}"),
                         ("insight_days", "merchant_id, day, kind", (merchant, day, s.kind),
                          f"{merchant}|{day}|{s.kind}")]
                if s.term:
                    cells.append(("insight_terms", "merchant_id, day, term",
                                  (merchant, day, s.term), f"{merchant}|{day}|term|{s.term}"))
                for where in cells:
                    tally = tallies.setdefault(where, _Tally(day))
                    tally.events += 1
                    if visitor is not None:
                        tally.visitors.add(visitor)
            # In key order: two processes flushing at once take their row locks in one order.
            for (table, key, values, cell), tally in sorted(tallies.items()):
                self._count(c, table, key, values, cell, tally)

    def _count(self, c: Any, table: str, key: str, values: tuple, cell: str,
               tally: _Tally) -> None:
        new = 0
        visitors = sorted(tally.visitors)
        for start in range(0, len(visitors), VISITORS_PER_STATEMENT):
            part = visitors[start:start + VISITORS_PER_STATEMENT]
            c.execute(self.q("INSERT INTO {p}insight_seen VALUES "
                             + ", ".join("(?, ?, ?)" for _ in part)
                             + " ON CONFLICT (cell, visitor) DO NOTHING"),
                      [v for visitor in part for v in (cell, visitor, tally.day)])
            new += max(c.rowcount, 0)
        marks = ", ".join("?" for _ in values)
        c.execute(self.q(f"INSERT INTO {{p}}{table} AS t ({key}, events, consumers) "
                         f"VALUES ({marks}, ?, ?) ON CONFLICT ({key}) DO UPDATE SET "
                         "events = t.events + excluded.events, "
                         "consumers = t.consumers + excluded.consumers"),
                  (*values, tally.events, new))

    def _salt(self, c: Any, day: str) -> bytes:
        c.execute(self.q("INSERT INTO {p}insight_salts VALUES (?, ?) ON CONFLICT (day) "
                         "DO NOTHING"), (day, os.urandom(32).hex()))
        c.execute(self.q("SELECT salt FROM {p}insight_salts WHERE day = ?"), (day,))
        return bytes.fromhex(_first(c.fetchone()))

    def forget_before(self, day: date) -> int:
        """Delete the salted hashes and salts of the days before `day`; returns how many."""
        with self._transaction() as c:
            c.execute(self.q("DELETE FROM {p}insight_seen WHERE day < ?"), (day.isoformat(),))
            removed = max(c.rowcount, 0)
            c.execute(self.q("DELETE FROM {p}insight_salts WHERE day < ?"), (day.isoformat(),))
        return removed

    def figures(self, merchant_id: UUID, first: date, last: date) -> InsightFigures:
        """The range's counters, read in one snapshot: a flush from another process between
        two reads would make the regions and the whole days disagree."""
        params = (str(merchant_id), first.isoformat(), last.isoformat())
        with self._transaction(snapshot=True) as c:
            def rows(text: str) -> list[tuple]:
                c.execute(self.q(text), params)
                return [as_tuple(r) for r in c.fetchall()]

            return InsightFigures(
                rows("SELECT day, kind, region, events, consumers FROM {p}insight_counts "
                     "WHERE merchant_id = ? AND day >= ? AND day <= ? "
                     "ORDER BY day, kind, region"),
                rows("SELECT day, kind, events, consumers FROM {p}insight_days "
                     "WHERE merchant_id = ? AND day >= ? AND day <= ? ORDER BY day, kind"),
                rows("SELECT day, term, events, consumers FROM {p}insight_terms "
                     "WHERE merchant_id = ? AND day >= ? AND day <= ? ORDER BY day, term"))

    def dump_tables(self) -> dict[str, list[tuple]]:
        """Every row of every table (tests check what is, and is not, stored)."""
        out = {}
        for table in ("insight_counts", "insight_days", "insight_terms", "insight_seen",
                      "insight_salts"):
            with self._transaction() as c:
                c.execute(self.q(f"SELECT * FROM {{p}}{table}"))  # noqa: S608 - constant names
                out[table] = [as_tuple(r) for r in c.fetchall()]
        return out

    def _transaction(self, snapshot: bool = False) -> Any:
        raise NotImplementedError


def _first(row: Any) -> Any:
    return as_tuple(row)[0]


class SQLiteInsightsStore(InsightsStore):
    q = Dialect("?", "")

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None,
                                   timeout=10)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA secure_delete=ON")  # forgotten hashes do not linger
        for statement in TABLES:
            self._db.execute(self.q(statement))
        self._lock = threading.Lock()

    def _transaction(self, snapshot: bool = False) -> Any:
        return _SQLiteTransaction(self._db, self._lock)  # one connection: one snapshot

    def close(self) -> None:
        self._db.close()


class _SQLiteTransaction:
    def __init__(self, db: sqlite3.Connection, lock: threading.Lock) -> None:
        self.db, self.lock = db, lock

    def __enter__(self) -> sqlite3.Cursor:
        self.lock.acquire()
        self.db.execute("BEGIN IMMEDIATE")
        return self.db.cursor()

    def __exit__(self, kind: Any, *_: Any) -> None:
        try:
            self.db.execute("ROLLBACK" if kind else "COMMIT")
        finally:
            self.lock.release()


class PostgresInsightsStore(InsightsStore):
    def __init__(self, pool: Connections, schema: str) -> None:
        self.pool = pool
        self.q = Dialect("%s", f'"{schema}".')
        with pool.connection() as conn:
            for statement in TABLES:
                conn.execute(sql.SQL(self.q(statement)))

    def _transaction(self, snapshot: bool = False) -> Any:
        return _PostgresTransaction(self.pool, snapshot)


class _PostgresTransaction:
    def __init__(self, pool: Connections, snapshot: bool) -> None:
        self.pool, self.snapshot = pool, snapshot

    def __enter__(self) -> Any:
        self._conn_cm = self.pool.connection()
        conn = self._conn_cm.__enter__()
        self._tx = conn.transaction()
        self._tx.__enter__()
        cursor = conn.cursor()
        if self.snapshot:  # READ COMMITTED would take a snapshot per statement
            cursor.execute(ONE_SNAPSHOT)
        return cursor

    def __exit__(self, *exc: Any) -> None:
        try:
            self._tx.__exit__(*exc)
        finally:
            self._conn_cm.__exit__(*exc)
