"""The one place where settings become eventsourcing's persistence environment."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import psycopg
from eventsourcing.postgres import PostgresDatastore
from psycopg.conninfo import conninfo_to_dict

from application.settings import Settings


def eventsourcing_env(settings: Settings) -> dict[str, str]:
    if settings.backend == "sqlite":
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        return {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": str(settings.event_store_path),
            "SQLITE_LOCK_TIMEOUT": "10",
        }
    if settings.postgres_dsn is None:
        raise ValueError("COMPTOIR_POSTGRES_DSN is required when COMPTOIR_BACKEND=postgres")
    params = conninfo_to_dict(settings.postgres_dsn.get_secret_value())
    env = {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": str(params.get("dbname", "postgres")),
        "POSTGRES_HOST": str(params.get("host", "127.0.0.1")),
        "POSTGRES_PORT": str(params.get("port", "5432")),
        "POSTGRES_USER": str(params.get("user", "postgres")),
        "POSTGRES_PASSWORD": str(params.get("password", "")),
        "POSTGRES_SCHEMA": settings.postgres_schema,
        "POSTGRES_POOL_SIZE": str(settings.postgres_pool_size),
        "POSTGRES_MAX_OVERFLOW": str(settings.postgres_max_overflow),
        "POSTGRES_CONNECT_TIMEOUT": str(settings.postgres_connect_timeout),
        "POSTGRES_PRE_PING": "n",
        "POSTGRES_LOCK_TIMEOUT": "5",
    }
    return env


class DatabaseUnreachableError(Exception):
    """The database refused or did not answer at start-up: what it said, without secrets."""


def check_database(settings: Settings) -> None:
    """Connect once, directly: a pool would only say "couldn't get a connection after 4 s"
    whether the password is wrong, the database missing or the server down."""
    if settings.backend != "postgres" or settings.postgres_dsn is None:
        return
    dsn = settings.postgres_dsn.get_secret_value()
    params = conninfo_to_dict(dsn)
    where = (f"PostgreSQL at {params.get('host', 'localhost')}:{params.get('port', 5432)}, "
             f"database {params.get('dbname', '?')}, user {params.get('user', '?')}")
    try:
        psycopg.connect(dsn, connect_timeout=settings.postgres_connect_timeout).close()
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


def postgres_datastore(settings: Settings, pool_size: int = 4) -> PostgresDatastore:
    """A pool for read models, on the same database and schema as the event store."""
    env = eventsourcing_env(settings)
    return ReadModelDatastore(
        dbname=env["POSTGRES_DBNAME"], host=env["POSTGRES_HOST"], port=env["POSTGRES_PORT"],
        user=env["POSTGRES_USER"], password=env["POSTGRES_PASSWORD"],
        schema=settings.postgres_schema, pool_size=pool_size, max_overflow=pool_size,
        connect_timeout=settings.postgres_connect_timeout, lock_timeout=5,
    )
