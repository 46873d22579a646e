"""Key stores for per-person data keys, apart from the event store.

Each data key is stored wrapped by a key-encryption key (KEK) that lives outside the database
(`KeyEncryptionKeys`: files under the secrets directory by default, a KMS in production). The
KEK in use is recorded in the store (`kek_state`), read in the same transaction as a key is
made: a rotation switches it for every process at once, re-wraps every live key, and only then
destroys the old KEK, so that any copy of a key left in WAL, archives or backups is useless.

A forgotten subject keeps a tombstone row (no key), so that no new key can ever be made for
it: data written after erasure could otherwise be read again.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from psycopg import sql

from adapters.event_store import Connections
from adapters.secrets_dir import check_private, destroy
from application.ports import KeyEncryptionKeys
from domain.errors import RuleViolatedError

KEY_BYTES = 32  # AES-256
REWRAP_BATCH = 1000


class SubjectForgottenError(RuleViolatedError):
    code = "subject_forgotten"


@dataclass(frozen=True)
class KekRotation:
    kek_id: str  # the KEK now in use
    rewrapped: int  # live keys wrapped again by it
    destroyed: tuple[str, ...]  # KEKs destroyed: copies of keys they wrapped are now useless


class InMemoryKeyStore:
    """Unwrapped keys in memory: the fake for unit tests (held to the real stores' contract)."""

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

    def without_key(self, subject_ids: Collection[UUID]) -> set[UUID]:
        return {s for s in subject_ids if self._keys.get(s) is None}

    def create_many(self, subject_ids: list[UUID]) -> None:
        with self._lock:
            for subject_id in subject_ids:
                self._keys.setdefault(subject_id, os.urandom(KEY_BYTES))

    def delete(self, subject_id: UUID) -> bool:
        with self._lock:
            existed = self._keys.get(subject_id) is not None
            self._keys[subject_id] = None
        return existed

    def kek_created_at(self) -> datetime | None:
        return None

    def rotate(self) -> KekRotation:
        return KekRotation("memory", 0, ())


class _Wrapping:
    """What both real stores do with a KEK."""

    keks: KeyEncryptionKeys

    def _unwrap(self, subject_id: UUID, row: Any) -> bytes | None:
        if row is None or row[0] is None:
            return None
        return self.keks.unwrap(row[1], subject_id, bytes(row[0]))

    def _new_rows(self, kek_id: str, subject_ids: Iterable[UUID]) -> list[tuple]:
        return [(s, self.keks.wrap(kek_id, s, os.urandom(KEY_BYTES)), kek_id)
                for s in subject_ids]

    def _rewrapped(self, kek_id: str, rows: list[Any]) -> list[tuple]:
        """(wrapped by kek_id, subject) for each (subject, wrapped, old kek) whose key is still
        readable; one whose KEK is already gone cannot be saved and is left as it is."""
        again = []
        for subject_id, wrapped, old in rows:
            subject = subject_id if isinstance(subject_id, UUID) else UUID(subject_id)
            key = self.keks.unwrap(old, subject, bytes(wrapped))
            if key is not None:
                again.append((self.keks.wrap(kek_id, subject, key), kek_id, subject_id))
        return again

    def _destroy_unused(self, kek_id: str, still_used: set[str]) -> tuple[str, ...]:
        gone = tuple(k for k in self.keks.ids() if k != kek_id and k not in still_used)
        for old in gone:
            self.keks.destroy(old)
        return gone


class SQLiteKeyStore(_Wrapping):
    """`data_dir/secrets/keys.sqlite3`, 0600 in a 0700 directory (SQLite gives its -wal and
    -shm files the database file's mode)."""

    def __init__(self, path: Path, keks: KeyEncryptionKeys, legacy: Path | None = None) -> None:
        self.keks = keks
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not path.exists():
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        check_private(path.parent)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=10)
        self._db.execute("PRAGMA journal_mode=WAL")
        # A destroyed key must not linger in free pages: SQLite zeroes what it deletes.
        self._db.execute("PRAGMA secure_delete=ON")
        self._db.execute("CREATE TABLE IF NOT EXISTS personal_data_keys (subject_id TEXT "
                         "PRIMARY KEY, wrapped BLOB, kek_id TEXT, forgotten_at TEXT)")
        self._db.execute("CREATE TABLE IF NOT EXISTS kek_state (singleton INTEGER PRIMARY KEY "
                         "CHECK (singleton = 1), current TEXT NOT NULL)")
        self._lock = threading.Lock()
        if legacy is not None and legacy.exists():
            self._adopt(legacy)

    def get_or_create(self, subject_id: UUID) -> bytes:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._insert([subject_id])
                row = self._select(subject_id)
            finally:
                self._db.execute("COMMIT")
        if row is None or row[0] is None:
            raise SubjectForgottenError()
        return self._unwrap(subject_id, row)  # type: ignore[return-value]

    def get(self, subject_id: UUID) -> bytes | None:
        with self._lock:
            row = self._select(subject_id)
        return self._unwrap(subject_id, row)

    def without_key(self, subject_ids: Collection[UUID]) -> set[UUID]:
        asked = {s.hex: s for s in subject_ids}
        with self._lock:
            live = {row[0] for row in self._db.execute(
                "SELECT subject_id FROM personal_data_keys WHERE wrapped IS NOT NULL AND "
                f"subject_id IN ({', '.join('?' * len(asked))})", list(asked))}
        return {subject for hex_id, subject in asked.items() if hex_id not in live}

    def create_many(self, subject_ids: list[UUID]) -> None:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._insert(subject_ids)
            finally:
                self._db.execute("COMMIT")

    def delete(self, subject_id: UUID) -> bool:
        with self._lock:
            row = self._select(subject_id)
            self._db.execute(
                "INSERT INTO personal_data_keys (subject_id, wrapped, kek_id, forgotten_at) "
                "VALUES (?, NULL, NULL, datetime('now')) ON CONFLICT (subject_id) "
                "DO UPDATE SET wrapped = NULL, kek_id = NULL, forgotten_at = excluded.forgotten_at",
                (subject_id.hex,))
            # ... nor in the write-ahead log: copy it back into the file and empty it.
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return row is not None and row[0] is not None

    def kek_created_at(self) -> datetime | None:
        with self._lock:
            row = self._db.execute("SELECT current FROM kek_state").fetchone()
        return self.keks.created_at(row[0]) if row else None

    def rotate(self) -> KekRotation:
        kek_id = self.keks.create()
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")  # every writer waits: one switch, one re-wrap
            try:
                self._db.execute("INSERT INTO kek_state VALUES (1, ?) ON CONFLICT (singleton) "
                                 "DO UPDATE SET current = excluded.current", (kek_id,))
                rows = self._db.execute(
                    "SELECT subject_id, wrapped, kek_id FROM personal_data_keys "
                    "WHERE wrapped IS NOT NULL AND kek_id <> ?", (kek_id,)).fetchall()
                again = self._rewrapped(kek_id, rows)
                self._db.executemany("UPDATE personal_data_keys SET wrapped = ?, kek_id = ? "
                                     "WHERE subject_id = ?", again)
                used = {r[0] for r in self._db.execute(
                    "SELECT DISTINCT kek_id FROM personal_data_keys WHERE wrapped IS NOT NULL")}
            finally:
                self._db.execute("COMMIT")
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return KekRotation(kek_id, len(again), self._destroy_unused(kek_id, used))

    def close(self) -> None:
        self._db.close()

    def _current(self) -> str:
        row = self._db.execute("SELECT current FROM kek_state").fetchone()
        if row is not None:
            return row[0]
        kek_id = self.keks.ids()[-1] if self.keks.ids() else self.keks.create()
        self._db.execute("INSERT INTO kek_state VALUES (1, ?)", (kek_id,))
        return kek_id

    def _insert(self, subject_ids: list[UUID]) -> None:
        known = {r[0] for r in self._db.execute(
            f"SELECT subject_id FROM personal_data_keys WHERE subject_id IN "
            f"({','.join('?' * len(subject_ids))})", [s.hex for s in subject_ids])}
        new = [s for s in dict.fromkeys(subject_ids) if s.hex not in known]
        if new:
            self._db.executemany(
                "INSERT INTO personal_data_keys (subject_id, wrapped, kek_id) VALUES (?, ?, ?)",
                [(s.hex, w, k) for s, w, k in self._new_rows(self._current(), new)])

    def _select(self, subject_id: UUID) -> Any:
        return self._db.execute("SELECT wrapped, kek_id FROM personal_data_keys "
                                "WHERE subject_id = ?", (subject_id.hex,)).fetchone()

    def _adopt(self, legacy: Path) -> None:
        """The key store of earlier versions (`data_dir/keys.sqlite3`, keys in clear): its
        keys are wrapped into this one, then its files are overwritten and removed."""
        old = sqlite3.connect(legacy)
        rows = old.execute("SELECT subject_id, key, forgotten_at FROM personal_data_keys")
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            kek_id = self._current()
            self._db.executemany(
                "INSERT OR IGNORE INTO personal_data_keys VALUES (?, ?, ?, ?)",
                [(s, None if k is None else self.keks.wrap(kek_id, UUID(s), k),
                  None if k is None else kek_id, f) for s, k, f in rows])
            self._db.execute("COMMIT")
        old.close()
        for suffix in ("", "-wal", "-shm"):
            destroy(legacy.with_name(legacy.name + suffix))


class PostgresKeyStore(_Wrapping):
    def __init__(self, pool: Connections, schema: str, keks: KeyEncryptionKeys) -> None:
        self._pool = pool
        self.keks = keks
        self._schema = schema
        self._table = sql.Identifier(schema, "personal_data_keys")
        self._state = sql.Identifier(schema, "kek_state")
        with pool.connection() as conn, conn.transaction():
            conn.execute(sql.SQL(
                "CREATE TABLE IF NOT EXISTS {} (subject_id uuid PRIMARY KEY, wrapped bytea, "
                "kek_id text, forgotten_at timestamptz)").format(self._table))
            conn.execute(sql.SQL(
                "CREATE TABLE IF NOT EXISTS {} (singleton integer PRIMARY KEY "
                "CHECK (singleton = 1), current text NOT NULL)").format(self._state))
            conn.execute(sql.SQL("ALTER TABLE {} ADD COLUMN IF NOT EXISTS wrapped bytea, "
                                 "ADD COLUMN IF NOT EXISTS kek_id text").format(self._table))
            adopted = self._adopt_clear_keys(conn)
        if adopted:  # the clear keys' old row versions: out of the table's pages
            with pool.connection() as conn:
                conn.execute(sql.SQL("VACUUM FULL {}").format(self._table))

    def get_or_create(self, subject_id: UUID) -> bytes:
        with self._pool.connection() as conn, conn.transaction():
            self._insert(conn, [subject_id])
            row = self._select(conn, subject_id)
        if row is None or row[0] is None:
            raise SubjectForgottenError()
        return self._unwrap(subject_id, row)  # type: ignore[return-value]

    def get(self, subject_id: UUID) -> bytes | None:
        with self._pool.connection() as conn:
            return self._unwrap(subject_id, self._select(conn, subject_id))

    def without_key(self, subject_ids: Collection[UUID]) -> set[UUID]:
        asked = set(subject_ids)
        with self._pool.connection() as conn:
            live = {row[0] for row in conn.execute(sql.SQL(
                "SELECT subject_id FROM {} WHERE subject_id = ANY(%s) AND wrapped IS NOT NULL"
            ).format(self._table), (list(asked),))}
        return asked - live

    def create_many(self, subject_ids: list[UUID]) -> None:
        with self._pool.connection() as conn, conn.transaction():
            self._insert(conn, subject_ids)

    def delete(self, subject_id: UUID) -> bool:
        with self._pool.connection() as conn:
            row = self._select(conn, subject_id)
            conn.execute(
                sql.SQL("INSERT INTO {} (subject_id, wrapped, kek_id, forgotten_at) VALUES "
                        "(%s, NULL, NULL, now()) ON CONFLICT (subject_id) DO UPDATE SET "
                        "wrapped = NULL, kek_id = NULL, forgotten_at = excluded.forgotten_at"
                        ).format(self._table), (subject_id,))
            # The old row version stays in the table's pages until vacuumed: VACUUM FULL
            # rewrites the (small) table without it. WAL, archives and backups keep it,
            # wrapped, until the KEK that wrapped it is destroyed (the next rotation).
            conn.execute(sql.SQL("VACUUM FULL {}").format(self._table))
        return row is not None and row[0] is not None

    def kek_created_at(self) -> datetime | None:
        with self._pool.connection() as conn:
            row = conn.execute(sql.SQL("SELECT current FROM {}").format(self._state)).fetchone()
        return self.keks.created_at(row[0]) if row else None

    def rotate(self) -> KekRotation:
        kek_id = self.keks.create()
        with self._pool.connection() as conn:
            with conn.transaction():  # waits for every key being made with the old KEK
                conn.execute(sql.SQL("LOCK TABLE {} IN EXCLUSIVE MODE").format(self._state))
                conn.execute(sql.SQL("INSERT INTO {} VALUES (1, %s) ON CONFLICT (singleton) DO "
                                     "UPDATE SET current = excluded.current").format(
                    self._state), (kek_id,))
            rewrapped = 0
            while True:
                with conn.transaction():
                    rows = conn.execute(sql.SQL(
                        "SELECT subject_id, wrapped, kek_id FROM {} WHERE wrapped IS NOT NULL "
                        "AND kek_id <> %s LIMIT %s FOR UPDATE").format(self._table),
                        (kek_id, REWRAP_BATCH)).fetchall()
                    again = self._rewrapped(kek_id, rows)
                    with conn.cursor() as cursor:
                        cursor.executemany(sql.SQL(
                            "UPDATE {} SET wrapped = %s, kek_id = %s WHERE subject_id = %s"
                        ).format(self._table), again)
                rewrapped += len(again)
                if len(rows) < REWRAP_BATCH or not again:
                    break
            conn.execute(sql.SQL("VACUUM FULL {}").format(self._table))
            used = {r[0] for r in conn.execute(sql.SQL(
                "SELECT DISTINCT kek_id FROM {} WHERE wrapped IS NOT NULL").format(self._table))}
        return KekRotation(kek_id, rewrapped, self._destroy_unused(kek_id, used))

    def _current(self, conn: Any) -> str:
        """The KEK in use, read FOR SHARE: a rotation waits until this key is made."""
        row = conn.execute(sql.SQL("SELECT current FROM {} FOR SHARE").format(
            self._state)).fetchone()
        if row is not None:
            return row[0]
        kek_id = self.keks.ids()[-1] if self.keks.ids() else self.keks.create()
        conn.execute(sql.SQL("INSERT INTO {} VALUES (1, %s) ON CONFLICT (singleton) DO NOTHING"
                             ).format(self._state), (kek_id,))
        return conn.execute(sql.SQL("SELECT current FROM {}").format(self._state)).fetchone()[0]

    def _insert(self, conn: Any, subject_ids: list[UUID]) -> None:
        known = {r[0] for r in conn.execute(sql.SQL(
            "SELECT subject_id FROM {} WHERE subject_id = ANY(%s)").format(self._table),
            (list(subject_ids),))}
        new = [s for s in dict.fromkeys(subject_ids) if s not in known]
        if new:
            with conn.cursor() as cursor:
                cursor.executemany(sql.SQL(
                    "INSERT INTO {} (subject_id, wrapped, kek_id) VALUES (%s, %s, %s) "
                    "ON CONFLICT (subject_id) DO NOTHING").format(self._table),
                    self._new_rows(self._current(conn), new))

    def _select(self, conn: Any, subject_id: UUID) -> Any:
        return conn.execute(sql.SQL("SELECT wrapped, kek_id FROM {} WHERE subject_id = %s")
                            .format(self._table), (subject_id,)).fetchone()

    def _adopt_clear_keys(self, conn: Any) -> bool:
        """Earlier versions kept keys in clear (column `key`): wrap them, drop the column."""
        if not conn.execute("SELECT 1 FROM information_schema.columns WHERE table_schema = %s "
                            "AND table_name = 'personal_data_keys' AND column_name = 'key'",
                            (self._schema,)).fetchone():
            return False
        kek_id = self._current(conn)
        rows = conn.execute(sql.SQL("SELECT subject_id, key FROM {} WHERE key IS NOT NULL")
                            .format(self._table)).fetchall()
        with conn.cursor() as cursor:
            cursor.executemany(sql.SQL("UPDATE {} SET wrapped = %s, kek_id = %s "
                                       "WHERE subject_id = %s").format(self._table),
                               [(self.keks.wrap(kek_id, s, bytes(k)), kek_id, s)
                                for s, k in rows])
        conn.execute(sql.SQL("ALTER TABLE {} DROP COLUMN key").format(self._table))
        return True
