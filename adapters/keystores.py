"""Key stores for per-person data keys, apart from the event store.

A forgotten subject keeps a tombstone row (no key), so that no new key can ever be made for
it: data written after erasure could otherwise be read again.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path
from uuid import UUID

from psycopg import sql
from psycopg_pool import ConnectionPool

from domain.errors import RuleViolatedError

KEY_BYTES = 32  # AES-256


class SubjectForgottenError(RuleViolatedError):
    code = "subject_forgotten"


class InMemoryKeyStore:
    def __init__(self) -> None:
        self._keys: dict[UUID, bytes | None] = {}
        self._lock = threading.Lock()

    def get_or_create(self, subject_id: UUID) -> bytes:
        with self._lock:
            if subject_id not in self._keys:
                self._keys[subject_id] = os.urandom(KEY_BYTES)
            key = self._keys[subject_id]
        if key is None:
            raise SubjectForgottenError()
        return key

    def get(self, subject_id: UUID) -> bytes | None:
        return self._keys.get(subject_id)

    def create_many(self, subject_ids: list[UUID]) -> None:
        with self._lock:
            for subject_id in subject_ids:
                self._keys.setdefault(subject_id, os.urandom(KEY_BYTES))

    def delete(self, subject_id: UUID) -> bool:
        with self._lock:
            existed = self._keys.get(subject_id) is not None
            self._keys[subject_id] = None
        return existed


class SQLiteKeyStore:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=10)
        self._db.execute("PRAGMA journal_mode=WAL")
        # A destroyed key must not linger in free pages: SQLite zeroes what it deletes.
        self._db.execute("PRAGMA secure_delete=ON")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS personal_data_keys "
            "(subject_id TEXT PRIMARY KEY, key BLOB, forgotten_at TEXT)"
        )
        self._lock = threading.Lock()

    def get_or_create(self, subject_id: UUID) -> bytes:
        with self._lock:
            self._db.execute(
                "INSERT OR IGNORE INTO personal_data_keys (subject_id, key) VALUES (?, ?)",
                (subject_id.hex, os.urandom(KEY_BYTES)),
            )
            key = self._select(subject_id)
        if key is None:
            raise SubjectForgottenError()
        return key

    def get(self, subject_id: UUID) -> bytes | None:
        with self._lock:
            return self._select(subject_id)

    def create_many(self, subject_ids: list[UUID]) -> None:
        with self._lock:
            self._db.execute("BEGIN")
            self._db.executemany(
                "INSERT OR IGNORE INTO personal_data_keys (subject_id, key) VALUES (?, ?)",
                [(s.hex, os.urandom(KEY_BYTES)) for s in subject_ids])
            self._db.execute("COMMIT")

    def delete(self, subject_id: UUID) -> bool:
        with self._lock:
            existed = self._select(subject_id) is not None
            self._db.execute(
                "INSERT INTO personal_data_keys (subject_id, key, forgotten_at) "
                "VALUES (?, NULL, datetime('now')) ON CONFLICT (subject_id) "
                "DO UPDATE SET key = NULL, forgotten_at = excluded.forgotten_at",
                (subject_id.hex,),
            )
            # ... nor in the write-ahead log: copy it back into the file and empty it.
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return existed

    def close(self) -> None:
        self._db.close()

    def _select(self, subject_id: UUID) -> bytes | None:
        row = self._db.execute(
            "SELECT key FROM personal_data_keys WHERE subject_id = ?", (subject_id.hex,)
        ).fetchone()
        return row[0] if row else None


class PostgresKeyStore:
    def __init__(self, pool: ConnectionPool, schema: str) -> None:
        self._pool = pool
        self._table = sql.Identifier(schema, "personal_data_keys")
        with pool.connection() as conn:
            conn.execute(sql.SQL(
                "CREATE TABLE IF NOT EXISTS {} (subject_id uuid PRIMARY KEY, key bytea, "
                "forgotten_at timestamptz)"
            ).format(self._table))

    def get_or_create(self, subject_id: UUID) -> bytes:
        with self._pool.connection() as conn:
            conn.execute(
                sql.SQL("INSERT INTO {} (subject_id, key) VALUES (%s, %s) "
                        "ON CONFLICT (subject_id) DO NOTHING").format(self._table),
                (subject_id, os.urandom(KEY_BYTES)),
            )
            key = self._select(conn, subject_id)
        if key is None:
            raise SubjectForgottenError()
        return key

    def get(self, subject_id: UUID) -> bytes | None:
        with self._pool.connection() as conn:
            return self._select(conn, subject_id)

    def create_many(self, subject_ids: list[UUID]) -> None:
        with self._pool.connection() as conn, conn.transaction(), conn.cursor() as cursor:
            cursor.executemany(
                sql.SQL("INSERT INTO {} (subject_id, key) VALUES (%s, %s) "
                        "ON CONFLICT (subject_id) DO NOTHING").format(self._table),
                [(s, os.urandom(KEY_BYTES)) for s in subject_ids])

    def delete(self, subject_id: UUID) -> bool:
        with self._pool.connection() as conn:
            existed = self._select(conn, subject_id) is not None
            conn.execute(
                sql.SQL("INSERT INTO {} (subject_id, key, forgotten_at) VALUES (%s, NULL, now()) "
                        "ON CONFLICT (subject_id) DO UPDATE SET key = NULL, "
                        "forgotten_at = excluded.forgotten_at").format(self._table),
                (subject_id,),
            )
            # The old row version (with the key) stays in the table's pages until vacuumed;
            # VACUUM FULL rewrites the (small) table without it. PostgreSQL's WAL and base
            # backups of the key store keep it until they are rotated: docs/privacy-and-audit.md.
            conn.execute(sql.SQL("VACUUM FULL {}").format(self._table))
        return existed

    def _select(self, conn: object, subject_id: UUID) -> bytes | None:
        row = conn.execute(  # type: ignore[attr-defined]
            sql.SQL("SELECT key FROM {} WHERE subject_id = %s").format(self._table), (subject_id,)
        ).fetchone()
        return bytes(row[0]) if row and row[0] is not None else None
