"""The composition root: settings in, a wired application out. Nothing is built at import."""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass, field

from psycopg import sql
from psycopg_pool import ConnectionPool

from adapters.event_store import eventsourcing_env
from adapters.keystores import PostgresKeyStore, SQLiteKeyStore
from api.auth import Tokens
from application.app import Comptoir
from application.catalog import Catalog
from application.locks import AggregateLocks
from application.merchants import Merchants
from application.ports import KeyStore
from application.settings import Settings


@dataclass
class Container:
    settings: Settings
    app: Comptoir
    keys: KeyStore
    tokens: Tokens
    merchants: Merchants
    catalog: Catalog
    pool: ConnectionPool | None = None
    _closers: list = field(default_factory=list)

    def close(self) -> None:
        self.app.close()
        for close in self._closers:
            with suppress(Exception):
                close()


def build_container(settings: Settings) -> Container:
    pool, keys, closers = None, None, []
    if settings.backend == "postgres":
        pool = postgres_pool(settings)
        keys = PostgresKeyStore(pool, settings.postgres_schema)
        closers.append(pool.close)
    else:
        keys = SQLiteKeyStore(settings.data_dir / "keys.sqlite3")
        closers.append(keys.close)
    app = Comptoir(eventsourcing_env(settings), keys)
    shared = {"conflict_retries": settings.conflict_retries, "locks": AggregateLocks()}
    return Container(
        settings=settings, app=app, keys=keys, tokens=Tokens.from_settings(settings),
        merchants=Merchants(app, **shared),
        catalog=Catalog(app, **shared),
        pool=pool, _closers=closers,
    )


def postgres_pool(settings: Settings) -> ConnectionPool:
    assert settings.postgres_dsn is not None
    pool = ConnectionPool(
        settings.postgres_dsn.get_secret_value(), min_size=1,
        max_size=settings.postgres_pool_size, kwargs={"autocommit": True}, open=True,
        name="comptoir-views",
    )
    with pool.connection() as conn:
        conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(
            sql.Identifier(settings.postgres_schema)))
    return pool
