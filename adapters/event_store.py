"""Where the storage settings become eventsourcing's persistence environment."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from eventsourcing.persistence import OperationalError
from eventsourcing.postgres import PostgresDatastore
from psycopg.conninfo import conninfo_to_dict
from psycopg_pool import ConnectionPool, PoolTimeout


@dataclass(frozen=True)
class StorageConfig:
    """What the stores need to know of the settings (the composition root builds it)."""

    data_dir: Path
    postgres_dsn: str | None = None
    postgres_schema: str = "public"
    pool_size: int = 10
    max_overflow: int = 10
    connect_timeout: int = 5


def sqlite_env(path: Path) -> dict[str, str]:
    path.parent.mkdir(parents=True, exist_ok=True)
    return {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(path),
            "SQLITE_LOCK_TIMEOUT": "10"}


def postgres_env(config: StorageConfig) -> dict[str, str]:
    assert config.postgres_dsn is not None
    params = conninfo_to_dict(config.postgres_dsn)
    return {
        # eventsourcing's PostgreSQL factory, its events sent in binary (postgres_recorders).
        "PERSISTENCE_MODULE": "adapters.postgres_recorders:BinaryPostgresFactory",
        "POSTGRES_DBNAME": str(params.get("dbname", "postgres")),
        "POSTGRES_HOST": str(params.get("host", "127.0.0.1")),
        "POSTGRES_PORT": str(params.get("port", "5432")),
        "POSTGRES_USER": str(params.get("user", "postgres")),
        "POSTGRES_PASSWORD": str(params.get("password", "")),
        "POSTGRES_SCHEMA": config.postgres_schema,
        "POSTGRES_POOL_SIZE": str(config.pool_size),
        "POSTGRES_MAX_OVERFLOW": str(config.max_overflow),
        "POSTGRES_CONNECT_TIMEOUT": str(config.connect_timeout),
        "POSTGRES_PRE_PING": "n",
        "POSTGRES_LOCK_TIMEOUT": "5",
    }


class Connections:
    """A psycopg pool whose failures to connect speak eventsourcing's words: a database that
    is away raises `eventsourcing.persistence.OperationalError` (the API's 503) from every
    store alike, whichever driver or pool is under it."""

    def __init__(self, pool: ConnectionPool) -> None:
        self.pool = pool

    @contextmanager
    def connection(self) -> Iterator[Any]:
        try:
            with self.pool.connection() as conn:
                yield conn
        except (psycopg.OperationalError, psycopg.InterfaceError, PoolTimeout) as error:
            raise OperationalError(" ".join(str(error).split())) from error

    def close(self) -> None:
        self.pool.close()


class DatabaseUnreachableError(Exception):
    """The database refused or did not answer at start-up: what it said, without secrets."""


def check_database(config: StorageConfig) -> None:
    """Connect once, directly: a pool would only say "couldn't get a connection after 4 s"
    whether the password is wrong, the database missing or the server down."""
    if config.postgres_dsn is None:
        return
    params = conninfo_to_dict(config.postgres_dsn)
    where = (f"PostgreSQL at {params.get('host', 'localhost')}:{params.get('port', 5432)}, "
             f"database {params.get('dbname', '?')}, user {params.get('user', '?')}")
    try:
        psycopg.connect(config.postgres_dsn, connect_timeout=config.connect_timeout).close()
    except psycopg.Error as error:
        reason = " ".join(str(error).split())
        password = str(params.get("password") or "")
        if password:
            reason = reason.replace(password, "***")
        raise DatabaseUnreachableError(f"{where}: {reason}") from None


READ_MODEL_SETTINGS = (
    # Short queries, where JIT compilation only adds latency (it cost a geo search 1.6 s
    # when the planner misjudged a radius).
    "SET jit = off",
    # psycopg prepares a statement after five runs, and PostgreSQL may then plan it once for
    # any parameters: a plan fit for a 5 km radius in Chibougamau is not fit for 50 km around
    # Montréal (seen: 2.4 s at p99). Search statements are planned with their values.
    "SET plan_cache_mode = force_custom_plan",
    # Read models are derived data whose rows and tracked position commit together: a crash
    # may lose their last commits, which are then replayed from the log. The event store
    # itself keeps synchronous commits.
    "SET synchronous_commit = off",
)


class ReadModelDatastore(PostgresDatastore):
    def after_connect_func(self) -> Callable[[Any], None]:
        configure = super().after_connect_func()

        def after_connect(conn: Any) -> None:
            configure(conn)
            for setting in READ_MODEL_SETTINGS:
                conn.execute(setting)

        return after_connect


def postgres_datastore(config: StorageConfig, pool_size: int = 4) -> PostgresDatastore:
    """A pool for read models, on the same database and schema as the event store."""
    env = postgres_env(config)
    return ReadModelDatastore(
        dbname=env["POSTGRES_DBNAME"], host=env["POSTGRES_HOST"], port=env["POSTGRES_PORT"],
        user=env["POSTGRES_USER"], password=env["POSTGRES_PASSWORD"],
        schema=config.postgres_schema, pool_size=pool_size, max_overflow=pool_size,
        connect_timeout=config.connect_timeout, lock_timeout=5,
    )
