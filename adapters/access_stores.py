"""What sign-in needs to share between API processes: browser sessions and rate-limit
counters, in the database (a SQLite file, or tables of the PostgreSQL schema). Neither is an
event: a session or a counter is short-lived working state, not history.

Sessions are stored by the SHA-256 of their token (the token itself, a 256-bit random value,
only ever lives in the browser's cookie); rate-limit keys are already keyed hashes.
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

from limits import RateLimitItem, parse
from limits.storage import Storage
from limits.strategies import FixedWindowRateLimiter

from adapters.event_store import Connections
from adapters.sql_dialect import Dialect, as_tuple
from application.accounts import Identity
from application.actors import Role

TABLES = (
    "CREATE TABLE IF NOT EXISTS {p}sessions (token_hash text PRIMARY KEY, account_id text "
    "NOT NULL, role text NOT NULL, merchant_id text, epoch integer NOT NULL, "
    "expires_at text NOT NULL)",
    "CREATE INDEX IF NOT EXISTS sessions_by_account ON {p}sessions (account_id)",
    "CREATE TABLE IF NOT EXISTS {p}rate_limits (key text PRIMARY KEY, hits integer NOT NULL, "
    "expires_at double precision NOT NULL)",
)


class _Database:
    """One connection source, one SQL text for both databases."""

    def __init__(self, connect: Any, sql: Dialect) -> None:
        self._connect, self.sql = connect, sql

    def run(self, text: str, params: tuple = ()) -> list[tuple]:
        with self._connect() as c:
            cursor = c.execute(self.sql(text), params)
            return [as_tuple(r) for r in cursor.fetchall()] if cursor.description else []


def sqlite_database(path: Path) -> _Database:
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=10)
    db.execute("PRAGMA journal_mode=WAL")
    lock = threading.Lock()

    @contextmanager
    def connect() -> Iterator[sqlite3.Connection]:
        with lock:
            yield db

    database = _Database(connect, Dialect("?", ""))
    for statement in TABLES:
        database.run(statement.replace("double precision", "real"))
    return database


def postgres_database(pool: Connections, schema: str) -> _Database:
    def connect() -> AbstractContextManager[Any]:
        return pool.connection()

    database = _Database(connect, Dialect("%s", f'"{schema}".'))
    for statement in TABLES:
        database.run(statement)
    return database


class Sessions:
    """Browser sessions: a cookie's token names one identity until it expires or its account
    ends its sessions."""

    def __init__(self, database: _Database, lifetime: timedelta) -> None:
        self.db, self.lifetime = database, lifetime

    def open(self, identity: Identity) -> str:
        token = secrets.token_urlsafe(32)
        expires = datetime.now(UTC) + self.lifetime
        self.db.run("INSERT INTO {p}sessions VALUES (?, ?, ?, ?, ?, ?)", (
            _digest(token), str(identity.account_id), str(identity.role),
            str(identity.merchant_id) if identity.merchant_id else None, identity.epoch,
            expires.isoformat()))
        return token

    def identity(self, token: str) -> Identity | None:
        rows = self.db.run("SELECT account_id, role, merchant_id, epoch, expires_at FROM "
                           "{p}sessions WHERE token_hash = ?", (_digest(token),))
        if not rows:
            return None
        account_id, role, merchant_id, epoch, expires_at = rows[0]
        if datetime.fromisoformat(expires_at) <= datetime.now(UTC):
            self.close(token)
            return None
        return Identity(UUID(account_id), Role(role), UUID(merchant_id) if merchant_id else None,
                        int(epoch))

    def close(self, token: str) -> None:
        self.db.run("DELETE FROM {p}sessions WHERE token_hash = ?", (_digest(token),))

    def close_all(self, account_id: UUID) -> int:
        found = self.db.run("SELECT count(*) FROM {p}sessions WHERE account_id = ?",
                            (str(account_id),))
        self.db.run("DELETE FROM {p}sessions WHERE account_id = ?", (str(account_id),))
        return int(found[0][0])

    def forget_expired(self) -> int:
        now = datetime.now(UTC).isoformat()
        found = self.db.run("SELECT count(*) FROM {p}sessions WHERE expires_at <= ?", (now,))
        self.db.run("DELETE FROM {p}sessions WHERE expires_at <= ?", (now,))
        return int(found[0][0])


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class SQLStorage(Storage):
    """A storage for the `limits` library's fixed-window strategy, in our database: every API
    process counts in the same rows. One statement increments, or starts a new window."""

    STORAGE_SCHEME = ["comptoir-sql"]  # noqa: RUF012 - limits' registry reads the class

    def __init__(self, database: _Database) -> None:
        super().__init__()
        self.db = database

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return (sqlite3.Error, OSError)

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        rows = self.db.run(
            "INSERT INTO {p}rate_limits VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET "
            "hits = CASE WHEN {p}rate_limits.expires_at <= ? THEN excluded.hits "
            "ELSE {p}rate_limits.hits + excluded.hits END, "
            "expires_at = CASE WHEN {p}rate_limits.expires_at <= ? THEN excluded.expires_at "
            "ELSE {p}rate_limits.expires_at END RETURNING hits",
            (key, amount, now + expiry, now, now))
        return int(rows[0][0])

    def get(self, key: str) -> int:
        rows = self.db.run("SELECT hits FROM {p}rate_limits WHERE key = ? AND expires_at > ?",
                           (key, time.time()))
        return int(rows[0][0]) if rows else 0

    def get_expiry(self, key: str) -> float:
        rows = self.db.run("SELECT expires_at FROM {p}rate_limits WHERE key = ?", (key,))
        return float(rows[0][0]) if rows else time.time()

    def check(self) -> bool:
        return True

    def reset(self) -> int | None:
        self.db.run("DELETE FROM {p}rate_limits")
        return None

    def clear(self, key: str) -> None:
        self.db.run("DELETE FROM {p}rate_limits WHERE key = ?", (key,))


class RateLimits:
    """`application.accounts.RateLimiter`: named rules ("10/15 minutes") over SQLStorage."""

    def __init__(self, database: _Database, rules: dict[str, str]) -> None:
        self.db = database
        self.limiter = FixedWindowRateLimiter(SQLStorage(database))
        self.rules: dict[str, RateLimitItem] = {name: parse(r) for name, r in rules.items()}

    def hit(self, rule: str, key: str) -> int | None:
        item = self.rules.get(rule)
        if item is None:
            return None
        if self.limiter.hit(item, rule, key):
            return None
        return self._wait(item, rule, key)

    def blocked(self, rule: str, key: str) -> int | None:
        item = self.rules.get(rule)
        if item is None or self.limiter.test(item, rule, key):
            return None
        return self._wait(item, rule, key)

    def forget_expired(self) -> int:
        """Delete the counters whose window has ended (they name clients and addresses'
        blind indexes: kept no longer than their window)."""
        now = time.time()
        found = self.db.run("SELECT count(*) FROM {p}rate_limits WHERE expires_at <= ?", (now,))
        self.db.run("DELETE FROM {p}rate_limits WHERE expires_at <= ?", (now,))
        return int(found[0][0])

    def _wait(self, item: RateLimitItem, rule: str, key: str) -> int:
        reset_at, _ = self.limiter.get_window_stats(item, rule, key)
        return max(1, int(reset_at - time.time()) + 1)
