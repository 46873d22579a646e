"""The audit chain (projections/audit_chain.py) in SQLite and PostgreSQL, and the raw log it
is verified against.

The raw logs read the event table directly, in big chunks, as tuples: verification is one pass
over the whole log, so this is its hot loop. Both yield the originator id as 32 lowercase hex
digits (how eventsourcing stores it on SQLite; `uuid::text` without dashes on PostgreSQL), so
the same history hashes to the same chain on both backends.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, closing
from datetime import UTC, datetime
from itertools import chain
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder
from eventsourcing.sqlite import SQLiteTrackingRecorder
from psycopg import sql
from psycopg.rows import tuple_row

from adapters.audit_signing import AuditSigner, Verify
from adapters.sql_dialect import ONE_SNAPSHOT, Dialect, as_tuple
from adapters.sqlite_datastore import read_model_datastore
from adapters.tracked_store import UPSTREAM, TrackedStore
from projections.audit_chain import (
    GENESIS,
    AuditChainProjection,
    ChainBatch,
    ChainRow,
    Checkpoint,
    Row,
    VerificationReport,
    chain_agrees,
    checkpoint_message,
    not_yet_chained,
    utc_text,
    verify,
)

CHUNK = 10_000  # rows per fetch
PIECE = 4096  # chain hashes per concatenated piece
LAST = 2**63 - 1

RAW_SQLITE = ("SELECT rowid, originator_id, originator_version, topic, state FROM stored_events "
              "WHERE rowid >= ? AND rowid <= ? ORDER BY rowid")
RAW_POSTGRES = ("SELECT notification_id, replace(originator_id::text, '-', ''), "
                "originator_version, topic, state FROM {table} WHERE notification_id > %s "
                "AND notification_id <= %s ORDER BY notification_id LIMIT %s")


class SQLiteRawLog:
    """The SQLite event store read through its own read-only connection."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def rows(self, start: int = 1, stop: int | None = None) -> Iterator[Row]:
        return chain.from_iterable(_sqlite_chunks(self.path, RAW_SQLITE, start, stop))

    def rows_of(self, originator_id: UUID) -> list[Row]:
        with closing(_read_only(self.path)) as db:
            return db.execute(RAW_SQLITE.replace("rowid >= ? AND rowid <= ?", "originator_id = ?"),
                              (originator_id.hex,)).fetchall()


class PostgresRawLog:
    """The PostgreSQL event table, by keyset pages in one REPEATABLE READ snapshot."""

    def __init__(self, source: PostgresDatastore | str, schema: str,
                 table: str = "comptoir_events") -> None:
        self.source = source
        self.table = sql.Identifier(schema, table)

    def rows(self, start: int = 1, stop: int | None = None) -> Iterator[Row]:
        query = sql.SQL(RAW_POSTGRES).format(table=self.table)
        return chain.from_iterable(_read_ahead(_postgres_chunks(self._connection, query, start,
                                                                stop)))

    def rows_of(self, originator_id: UUID) -> list[Row]:
        query = sql.SQL(RAW_POSTGRES.replace("notification_id > %s AND notification_id <= %s "
                                             "ORDER BY notification_id LIMIT %s",
                                             "originator_id = %s ORDER BY notification_id"))
        with self._connection() as conn:
            cursor = conn.cursor(row_factory=tuple_row, binary=True)
            return cursor.execute(query.format(table=self.table), (originator_id,)).fetchall()

    def _connection(self) -> AbstractContextManager[psycopg.Connection[Any]]:
        if isinstance(self.source, str):
            return psycopg.connect(self.source, autocommit=True)
        return self.source.get_connection()


def _read_only(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    db.execute("PRAGMA mmap_size = 1073741824")  # a sequential pass: map it, no read() per page
    return db


def _sqlite_chunks(path: Path, query: str, start: int, stop: int | None) -> Iterator[list[Any]]:
    db = _read_only(path)
    try:  # one statement: one snapshot of the file for the whole pass
        cursor = db.execute(query, (start, LAST if stop is None else stop))
        while batch := cursor.fetchmany(CHUNK):
            yield batch
    finally:
        db.close()


def _postgres_chunks(connect: Callable[[], AbstractContextManager[psycopg.Connection[Any]]],
                     query: sql.Composed, start: int,
                     stop: int | None) -> Generator[list[Any], None, None]:
    with connect() as conn, conn.transaction():
        cursor = conn.cursor(row_factory=tuple_row, binary=True)
        cursor.execute(ONE_SNAPSHOT)
        after, last = start - 1, LAST if stop is None else stop
        while True:
            batch = cursor.execute(query, (after, last, CHUNK), prepare=True).fetchall()
            if batch:
                yield batch
            if len(batch) < CHUNK:
                return
            after = batch[-1][0]


def _read_ahead(chunks: Generator[Any, None, None]) -> Iterator[Any]:
    """The next chunk is fetched in a thread while the current one is used: PostgreSQL
    produces it, and psycopg waits for it without the GIL, while Python works on this one."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="audit-read") as reader:
        pending = reader.submit(next, chunks, None)
        try:
            while (chunk := pending.result()) is not None:
                pending = reader.submit(next, chunks, None)
                yield chunk
        finally:  # done or left early: let a fetch in flight end, close the source in its thread
            if not pending.cancel():
                pending.exception()
            reader.submit(chunks.close).result()


def chain_tables(q: Dialect) -> list[str]:
    """The chain's tables (`{key}`, `{blob}`: the dialect's integer and bytes types)."""
    return [q("CREATE TABLE IF NOT EXISTS {p}audit_chain (position {key} PRIMARY KEY, "
              "hash {blob} NOT NULL, digest {blob} NOT NULL)"),
            q("CREATE TABLE IF NOT EXISTS {p}audit_checkpoints (position {key} PRIMARY "
              "KEY, head_hash {blob} NOT NULL, at TEXT NOT NULL, "
              "signature {blob} NOT NULL)")]



class ChainUnit:
    """One batch: the head read once, links hashed in memory, rows and checkpoints written in
    bulk by `flush` (in the follower's transaction, with the tracked position)."""

    add: Callable[[Any], None]  # bound to the batch in `load`: one call less per event

    def __init__(self, store: AuditChainQueries, cursor: Any) -> None:
        self.store, self.c = store, cursor

    def load(self, events: Any) -> None:
        q = self.store.sql
        self.c.execute(q("SELECT position, hash FROM {p}audit_chain ORDER BY position DESC "
                         "LIMIT 1"))
        head = self.c.fetchone()
        self.c.execute(q("SELECT COALESCE(MAX(position), 0) FROM {p}audit_checkpoints"))
        anchored = as_tuple(self.c.fetchone())[0]
        self.batch = ChainBatch(as_tuple(head) if head else (0, GENESIS), anchored,
                                self.store.checkpoint_every)
        self.add = self.batch.add

    def flush(self) -> None:
        if self.batch.rows:
            self.store.insert_chain(self.c, self.batch.rows)
        if marks := self.batch.checkpoints():
            at, sign = datetime.now(UTC), self.store.signer.sign
            self.c.executemany(
                self.store.sql("INSERT INTO {p}audit_checkpoints VALUES (?, ?, ?, ?)"),
                [(p, head, utc_text(at), sign(checkpoint_message(p, head, at)))
                 for p, head in marks])


class AuditChainQueries:
    """Reading the chain (needs `datastore`, `sql`, `_chain_chunks` and `hash_pieces` from the
    concrete store)."""

    datastore: Any
    sql: Dialect
    signer: AuditSigner
    checkpoint_every: int

    def _chain_chunks(self, start: int, stop: int | None) -> Iterator[list[Any]]:
        raise NotImplementedError

    def unit_of_work(self, cursor: Any) -> ChainUnit:
        return ChainUnit(self, cursor)

    def insert_chain(self, cursor: Any, rows: list[ChainRow]) -> None:
        cursor.executemany(self.sql("INSERT INTO {p}audit_chain VALUES (?, ?, ?)"), rows)

    def head(self) -> tuple[int, bytes]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(self.sql("SELECT position, hash FROM {p}audit_chain ORDER BY position DESC "
                               "LIMIT 1"))
            row = c.fetchone()
            return (int(as_tuple(row)[0]), bytes(as_tuple(row)[1])) if row else (0, GENESIS)

    def chain_rows(self, start: int = 1, stop: int | None = None) -> Iterator[ChainRow]:
        """(position, hash, digest) in position order, streamed."""
        return chain.from_iterable(self._chain_chunks(start, stop))

    def hash_pieces(self, size: int = PIECE, stop: int | None = None) -> Iterator[bytes]:
        """The chain's hashes in position order, `size` at a time, concatenated: one object
        per piece instead of three per row (verification's fast path)."""
        raise NotImplementedError

    def checkpoints(self, stop: int | None = None) -> list[Checkpoint]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(self.sql("SELECT position, head_hash, at, signature FROM "
                               "{p}audit_checkpoints WHERE position <= ? ORDER BY position"),
                      (LAST if stop is None else stop,))
            return [Checkpoint(p, bytes(h), datetime.strptime(at, "%Y-%m-%dT%H:%M:%S.%f%z"),
                               bytes(s)) for p, h, at, s in map(as_tuple, c.fetchall())]

    def dump(self) -> list[tuple[int, str, str]]:
        """The chain rows (checkpoints are left out: their times and batching differ)."""
        return [(p, h.hex(), d.hex()) for p, h, d in self.chain_rows()]

    def rebuilt(self) -> None:
        pass


class SQLiteAuditChainStore(AuditChainQueries, TrackedStore, SQLiteTrackingRecorder):
    sql = Dialect("?", "", key="INTEGER", blob="BLOB")

    def __init__(self, path: Path, signer: AuditSigner, checkpoint_every: int = 1000) -> None:
        super().__init__(read_model_datastore(path, pool_size=2))
        self.path, self.signer, self.checkpoint_every = path, signer, checkpoint_every
        self.projection = AuditChainProjection()
        self.create_table()

    def construct_create_table_statements(self) -> list[str]:
        return [*super().construct_create_table_statements(), *chain_tables(self.sql)]

    def _chain_chunks(self, start: int, stop: int | None) -> Iterator[list[Any]]:
        return _sqlite_chunks(self.path, "SELECT position, hash, digest FROM audit_chain "
                              "WHERE position >= ? AND position <= ? ORDER BY position",
                              start, stop)

    def hash_pieces(self, size: int = PIECE, stop: int | None = None) -> Iterator[bytes]:
        # hex(): group_concat makes text, and hex digits survive that whatever the bytes are.
        db, after = _read_only(self.path), 0
        try:
            while True:
                last, text = db.execute(
                    "SELECT max(position), group_concat(h, '') FROM (SELECT position, "
                    "hex(hash) AS h FROM audit_chain WHERE position > ? AND position <= ? "
                    "ORDER BY position LIMIT ?)", (after, LAST if stop is None else stop, size),
                ).fetchone()
                if last is None:
                    return
                yield bytes.fromhex(text)
                after = last
        finally:
            db.close()

    def reset(self) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute("DELETE FROM audit_chain")
            c.execute("DELETE FROM audit_checkpoints")
            c.execute("DELETE FROM tracking WHERE application_name = ?", (UPSTREAM,))


class PostgresAuditChainStore(AuditChainQueries, TrackedStore, PostgresTrackingRecorder):
    def __init__(self, datastore: PostgresDatastore, signer: AuditSigner,
                 checkpoint_every: int = 1000) -> None:
        super().__init__(datastore, tracking_table_name="audit_tracking")
        self.schema = datastore.schema
        self.sql = Dialect("%s", f'"{self.schema}".', key="bigint", blob="bytea")
        # eventsourcing declares list[Composed] yet puts plain SQL in it too, as we do here.
        self.sql_create_statements += [sql.SQL(t) for t in chain_tables(self.sql)]  # type: ignore[misc]
        self.signer, self.checkpoint_every = signer, checkpoint_every
        self.projection = AuditChainProjection()
        self.create_table()

    def _chain_chunks(self, start: int, stop: int | None) -> Iterator[list[Any]]:
        query = sql.SQL("SELECT position, hash, digest FROM {} WHERE position > %s "
                        "AND position <= %s ORDER BY position LIMIT %s").format(
                            sql.Identifier(self.schema, "audit_chain"))
        return _read_ahead(_postgres_chunks(self.datastore.get_connection, query, start, stop))

    def insert_chain(self, cursor: Any, rows: list[ChainRow]) -> None:
        """One statement of three arrays: executemany's round trips (even pipelined) cost
        three times more than hashing the batch. Binary parameters (%b): bytea arrays in
        text would be escaped byte by byte."""
        cursor.execute(self.sql("INSERT INTO {p}audit_chain SELECT * FROM "
                                "unnest(%b::bigint[], %b::bytea[], %b::bytea[])"),
                       [list(column) for column in zip(*rows, strict=True)])

    def hash_pieces(self, size: int = PIECE, stop: int | None = None) -> Iterator[bytes]:
        return _read_ahead(self._pieces(size, LAST if stop is None else stop))

    def _pieces(self, size: int, stop: int) -> Generator[bytes, None, None]:
        query = sql.SQL("SELECT max(position), string_agg(hash, ''::bytea ORDER BY position) "
                        "FROM (SELECT position, hash FROM {} WHERE position > %s AND "
                        "position <= %s ORDER BY position LIMIT %s) AS piece").format(
                            sql.Identifier(self.schema, "audit_chain"))
        with self.datastore.get_connection() as conn, conn.transaction():
            cursor = conn.cursor(row_factory=tuple_row, binary=True)
            cursor.execute(ONE_SNAPSHOT)
            after = 0
            while (piece := cursor.execute(query, (after, stop, size), prepare=True)
                   .fetchone()) and piece[0] is not None:
                yield piece[1]
                after = piece[0]

    def reset(self) -> None:
        with self.datastore.transaction(commit=True) as c:
            for table in ("audit_chain", "audit_checkpoints", self.tracking_table_name):
                c.execute(sql.SQL("DELETE FROM {}").format(sql.Identifier(self.schema, table)))


def verify_store(raw_log: SQLiteRawLog | PostgresRawLog,
                 chain_store: SQLiteAuditChainStore | PostgresAuditChainStore,
                 verify_signature: Verify) -> VerificationReport:
    """Verify the log as stored now against the chain and its signed checkpoints: a fast
    pass for the common case (everything agrees), the row-by-row one to name a problem.

    The chain's head is read first and the chain compared up to it: the log (append-only)
    holds every position the chain has seen, whatever is appended meanwhile; events after
    the head are reported as not yet chained."""
    head, _ = chain_store.head()
    marks = chain_store.checkpoints(stop=head)
    if all(verify_signature(mark.message(), mark.signature) for mark in marks):
        agreed = chain_agrees(raw_log.rows(stop=head), chain_store.hash_pieces(PIECE, head),
                              marks, PIECE)
        if agreed is not None:
            unchained = sum(1 for _ in raw_log.rows(head + 1))
            return VerificationReport(True, agreed, len(marks), None, None,
                                      not_yet_chained(unchained, head), unchained)
    # Something disagrees: the row-by-row verification finds and names the first place.
    return verify(raw_log.rows(), chain_store.chain_rows(stop=head), marks, verify_signature)
