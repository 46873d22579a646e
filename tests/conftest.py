"""Shared fixtures: every backend-dependent test runs on a real SQLite file and a real PostgreSQL.

PostgreSQL comes from tests/pgcluster.py (`make test` wraps pytest in it); without it the
PostgreSQL variants fail with a clear message: they are never skipped.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient
from psycopg import sql

from adapters.aes_gcm import AesGcm
from adapters.keystores import InMemoryKeyStore
from api.container import Container, build_container
from api.main import create_app
from api.settings import Settings
from application.app import Comptoir
from tests.support import Api

BACKENDS = ["sqlite", "postgres"]


def postgres_dsn() -> str:
    dsn = os.environ.get("COMPTOIR_TEST_POSTGRES_DSN")
    if not dsn:
        pytest.fail(
            "COMPTOIR_TEST_POSTGRES_DSN is not set: run the suite with `make test`, or wrap "
            "pytest in `python tests/pgcluster.py -- pytest ...`", pytrace=False)
    return dsn


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def settings(backend: str, tmp_path: Path) -> Iterator[Settings]:
    """Settings for a fresh, empty store: a new SQLite directory or a new PostgreSQL schema."""
    if backend == "sqlite":
        yield Settings(backend="sqlite", data_dir=tmp_path / "var")
        return
    dsn = postgres_dsn()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    yield Settings(backend="postgres", postgres_dsn=dsn, postgres_schema=schema,
                   postgres_pool_size=4, data_dir=tmp_path / "var")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


@pytest.fixture
def container(settings: Settings) -> Iterator[Container]:
    built = build_container(settings)
    yield built
    built.close()


@pytest.fixture
def api(container: Container) -> Iterator[Api]:
    with TestClient(create_app(container=container)) as client:
        yield Api(client, container)


@pytest.fixture
def memory_app() -> Iterator[Comptoir]:
    """The application on eventsourcing's in-memory store: for fast unit tests of use cases."""
    app = Comptoir({"PERSISTENCE_MODULE": "eventsourcing.popo"}, InMemoryKeyStore(), AesGcm())
    yield app
    app.close()
