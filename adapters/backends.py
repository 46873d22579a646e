"""The two backends, one factory each: every store the application needs, on SQLite files or
in one PostgreSQL schema. The composition root (api/container.py) picks one by name and
composes; nothing else in the code asks which backend it runs on.

- SQLite (the embedded default): one file per store under the data directory — the event
  store, each read model, the insight counters — and the key store in `secrets/`.
- PostgreSQL: one schema holds the event store, the key store, the read models and insight
  counters; a pool for the key and insight stores, another for the read models.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext, suppress
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

import psycopg
from psycopg import sql
from psycopg_pool import ConnectionPool

from adapters.acceptance_stores import PostgresAcceptanceStore, SQLiteAcceptanceStore
from adapters.access_stores import postgres_database, sqlite_database
from adapters.advisory_locks import AdvisoryAggregateLocks, advisory_locks
from adapters.audit_signing import AuditSigner
from adapters.audit_stores import (
    PostgresAuditChainStore,
    PostgresRawLog,
    SQLiteAuditChainStore,
    SQLiteRawLog,
)
from adapters.deadlines_stores import PostgresDeadlinesStore, SQLiteDeadlinesStore
from adapters.event_store import (
    Connections,
    StorageConfig,
    postgres_datastore,
    postgres_env,
    sqlite_env,
)
from adapters.insights_store import PostgresInsightsStore, SQLiteInsightsStore
from adapters.keystores import PostgresKeyStore, SQLiteKeyStore
from adapters.leases import AdvisoryLocks, OneProcess
from adapters.ledger_stores import PostgresLedgerStore, SQLiteLedgerStore
from adapters.lists_stores import PostgresListsStore, SQLiteListsStore
from adapters.mail_outbox import PostgresMailOutbox, SQLiteMailOutbox
from adapters.process_stores import PostgresProcessStore, SQLiteProcessStore
from adapters.search_postgres import PostgresSearchStore
from adapters.search_sqlite import SQLiteSearchStore
from adapters.webhook_stores import PostgresWebhookOutbox, SQLiteWebhookOutbox
from application.locks import AggregateLocks
from application.notifications.triggers import NotificationProjection
from application.ports import KeyEncryptionKeys
from application.webhook_fanout import WebhookFanout


@dataclass
class ReadModels:
    """The read models of one store (the live ones, or a scratch copy to compare with)."""

    search: SQLiteSearchStore | PostgresSearchStore
    deadlines: SQLiteDeadlinesStore | PostgresDeadlinesStore
    ledger: SQLiteLedgerStore | PostgresLedgerStore
    chain: SQLiteAuditChainStore | PostgresAuditChainStore
    lists: SQLiteListsStore | PostgresListsStore  # docs/lists.md
    acceptance: SQLiteAcceptanceStore | PostgresAcceptanceStore  # merchant orders to accept

    @property
    def stores(self) -> list[Any]:
        return [self.search, self.deadlines, self.ledger, self.chain, self.lists,
                self.acceptance]


class Backend(Protocol):
    config: StorageConfig

    def event_store_env(self) -> dict[str, str]: ...

    def key_store(self, keks: KeyEncryptionKeys) -> SQLiteKeyStore | PostgresKeyStore: ...

    def insights_store(self) -> SQLiteInsightsStore | PostgresInsightsStore: ...

    def read_models(self, signer: AuditSigner) -> ReadModels: ...

    def process_store(self, process: Any) -> SQLiteProcessStore | PostgresProcessStore: ...

    def mail_outbox(self, projection: NotificationProjection
                    ) -> SQLiteMailOutbox | PostgresMailOutbox: ...

    def webhook_outbox(self, fanout: WebhookFanout
                       ) -> SQLiteWebhookOutbox | PostgresWebhookOutbox: ...

    def raw_log(self) -> SQLiteRawLog | PostgresRawLog: ...

    def leases(self) -> OneProcess | AdvisoryLocks: ...

    def aggregate_locks(self) -> AggregateLocks: ...

    def setting_up(self) -> AbstractContextManager[None]:
        """Held while a process creates its tables: one process at a time."""
        ...

    def access_database(self) -> Any: ...

    def scratch(self) -> Backend:
        """The same backend on an empty, temporary place (replays compare into it)."""

    def close(self) -> None:
        """Close what it opened; a scratch backend also removes its place."""


class SQLiteBackend:
    def __init__(self, config: StorageConfig) -> None:
        self.config = config
        self.dir = config.data_dir
        self.dir.mkdir(parents=True, exist_ok=True)
        self._closers: list[Callable[[], Any]] = []

    def event_store_env(self) -> dict[str, str]:
        return sqlite_env(self.dir / "comptoir.sqlite3")

    def key_store(self, keks: KeyEncryptionKeys) -> SQLiteKeyStore:
        keys = SQLiteKeyStore(self.dir / "secrets" / "keys.sqlite3", keks,
                              legacy=self.dir / "keys.sqlite3")
        self._closers.append(keys.close)
        return keys

    def insights_store(self) -> SQLiteInsightsStore:
        store = SQLiteInsightsStore(self.dir / "insights.sqlite3")
        self._closers.append(store.close)
        return store

    def read_models(self, signer: AuditSigner) -> ReadModels:
        models = ReadModels(SQLiteSearchStore(self.dir / "search.sqlite3"),
                            SQLiteDeadlinesStore(self.dir / "deadlines.sqlite3"),
                            SQLiteLedgerStore(self.dir / "ledger.sqlite3"),
                            SQLiteAuditChainStore(self.dir / "audit.sqlite3", signer),
                            SQLiteListsStore(self.dir / "lists.sqlite3"),
                            SQLiteAcceptanceStore(self.dir / "acceptance.sqlite3"))
        self._closers += [store.datastore.close for store in models.stores]
        return models

    def process_store(self, process: Any) -> SQLiteProcessStore:
        store = SQLiteProcessStore(self.dir / f"{process.name.replace('_', '-')}.sqlite3",
                                   process)
        self._closers.append(store.datastore.close)
        return store

    def mail_outbox(self, projection: NotificationProjection) -> SQLiteMailOutbox:
        """Mail notifications: their outbox, fed by a follower (adapters/mail_outbox.py)."""
        store = SQLiteMailOutbox(self.dir / "mail.sqlite3", projection)
        self._closers.append(store.datastore.close)
        return store

    def webhook_outbox(self, fanout: WebhookFanout) -> SQLiteWebhookOutbox:
        """Outbound webhooks: their outbox, fed by a follower (adapters/webhook_stores.py)."""
        store = SQLiteWebhookOutbox(self.dir / "webhooks.sqlite3", fanout)
        self._closers.append(store.datastore.close)
        return store

    def access_database(self) -> Any:
        """Browser sessions and rate-limit counters (adapters/access_stores.py)."""
        return sqlite_database(self.dir / "access.sqlite3")

    def leases(self) -> OneProcess:
        return OneProcess()

    def aggregate_locks(self) -> AggregateLocks:
        return AggregateLocks()  # one process per data directory

    def setting_up(self) -> AbstractContextManager[None]:
        return nullcontext()  # one process per data directory

    def raw_log(self) -> SQLiteRawLog:
        return SQLiteRawLog(self.dir / "comptoir.sqlite3")

    def scratch(self) -> SQLiteBackend:
        place = Path(tempfile.mkdtemp(prefix="comptoir-scratch-"))
        backend = SQLiteBackend(replace(self.config, data_dir=place))
        backend._closers.append(lambda: shutil.rmtree(place, ignore_errors=True))
        return backend

    def close(self) -> None:
        for close in reversed(self._closers):
            with suppress(Exception):
                close()


class PostgresBackend:
    def __init__(self, config: StorageConfig) -> None:
        if config.postgres_dsn is None:
            raise ValueError("COMPTOIR_POSTGRES_DSN is required when COMPTOIR_BACKEND=postgres")
        self.config = config
        self.schema = config.postgres_schema
        self._closers: list[Callable[[], Any]] = []
        self._pool: Connections | None = None
        self._views: Any = None

    def event_store_env(self) -> dict[str, str]:
        return postgres_env(self.config)

    def key_store(self, keks: KeyEncryptionKeys) -> PostgresKeyStore:
        return PostgresKeyStore(self.pool, self.schema, keks)

    def insights_store(self) -> PostgresInsightsStore:
        return PostgresInsightsStore(self.pool, self.schema)

    def read_models(self, signer: AuditSigner) -> ReadModels:
        return ReadModels(PostgresSearchStore(self.views), PostgresDeadlinesStore(self.views),
                          PostgresLedgerStore(self.views),
                          PostgresAuditChainStore(self.views, signer),
                          PostgresListsStore(self.views), PostgresAcceptanceStore(self.views))

    def process_store(self, process: Any) -> PostgresProcessStore:
        return PostgresProcessStore(self.views, process)

    def mail_outbox(self, projection: NotificationProjection) -> PostgresMailOutbox:
        return PostgresMailOutbox(self.views, projection)

    def webhook_outbox(self, fanout: WebhookFanout) -> PostgresWebhookOutbox:
        return PostgresWebhookOutbox(self.views, fanout)

    def access_database(self) -> Any:
        return postgres_database(self.pool, self.schema)

    @contextmanager
    def setting_up(self) -> Iterator[None]:
        assert self.config.postgres_dsn is not None
        with psycopg.connect(self.config.postgres_dsn, autocommit=True,
                             connect_timeout=self.config.connect_timeout) as conn:
            key = AdvisoryLocks.key_of(self.schema, "setting-up")
            conn.execute("SELECT pg_advisory_lock(%s)", [key])
            try:
                yield
            finally:
                conn.execute("SELECT pg_advisory_unlock(%s)", [key])

    def leases(self) -> AdvisoryLocks:
        assert self.config.postgres_dsn is not None
        leases = AdvisoryLocks(self.config.postgres_dsn, self.schema, self.config.connect_timeout)
        self._closers.append(leases.close)
        return leases

    def aggregate_locks(self) -> AdvisoryAggregateLocks:
        """Writers to the same aggregates wait for each other across processes too."""
        assert self.config.postgres_dsn is not None
        locks = advisory_locks(self.config.postgres_dsn,
                               self.config.pool_size + self.config.max_overflow,
                               timeout=30.0)
        self._closers.append(locks.connections.close)
        return locks

    def raw_log(self) -> PostgresRawLog:
        return PostgresRawLog(self.views, self.schema)

    def scratch(self) -> PostgresBackend:
        schema = f"{self.schema}_scratch_{uuid.uuid4().hex[:8]}"[:63]
        self._execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
        backend = PostgresBackend(replace(self.config, postgres_schema=schema))
        backend._closers.append(lambda: self._execute(
            sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema))))
        return backend

    def close(self) -> None:
        for close in reversed(self._closers):
            with suppress(Exception):
                close()

    @property
    def pool(self) -> Connections:
        """Connections for the key and insight stores (autocommit; the schema made once)."""
        if self._pool is None:
            assert self.config.postgres_dsn is not None
            self._pool = Connections(ConnectionPool(
                self.config.postgres_dsn, min_size=1, max_size=self.config.pool_size,
                kwargs={"autocommit": True}, open=True, name="comptoir-keys",
                timeout=self.config.connect_timeout * 2))
            self._closers.append(self._pool.close)
            with self._pool.connection() as conn:
                conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(
                    sql.Identifier(self.schema)))
        return self._pool

    @property
    def views(self) -> Any:
        """The read models' datastore, in the same schema as the event store."""
        if self._views is None:
            self.pool  # noqa: B018 - the schema must exist first
            self._views = postgres_datastore(self.config)
            self._closers.append(self._views.close)
        return self._views

    def _execute(self, statement: sql.Composed) -> None:
        assert self.config.postgres_dsn is not None
        with psycopg.connect(self.config.postgres_dsn, autocommit=True) as conn:
            conn.execute(statement)


BACKENDS: dict[str, Callable[[StorageConfig], Backend]] = {
    "sqlite": SQLiteBackend, "postgres": PostgresBackend}
