"""`comptoir audit replay`: rebuild every read model from zero into a scratch area (a temporary
directory, or a temporary PostgreSQL schema) and compare it with the live one."""

from __future__ import annotations

import shutil
import tempfile
import uuid
from contextlib import suppress
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from api.container import Container, read_models
from projections.follower import Follower


def replay(container: Container) -> dict[str, list[str]]:
    """Each read model's differences (live only / rebuilt only), empty when they agree."""
    settings = container.settings
    live = {name: container.projections[name] for name in container.projections.names}
    scratch_dir = Path(tempfile.mkdtemp(prefix="comptoir-replay-"))
    schema = f"{settings.postgres_schema}_replay_{uuid.uuid4().hex[:8]}"[:63]
    scratch = settings.model_copy(update={"data_dir": scratch_dir, "postgres_schema": schema})
    closers: list[Any] = []
    try:
        if settings.backend == "postgres":
            _execute(settings, sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
        models = read_models(scratch, closers, container.signer)
        found: dict[str, list[str]] = {}
        for store in models.stores:
            name = store.projection.name
            live[name].catch_up()
            Follower(container.app, store).catch_up()
            found[name] = differences(live[name].store.dump(), store.dump())
        return found
    finally:
        for close in closers:
            with suppress(Exception):
                close()
        shutil.rmtree(scratch_dir, ignore_errors=True)
        if settings.backend == "postgres":
            _execute(settings, sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(
                sql.Identifier(schema)))


def _execute(settings: Any, statement: sql.Composable) -> None:
    assert settings.postgres_dsn is not None
    with psycopg.connect(settings.postgres_dsn.get_secret_value(), autocommit=True) as conn:
        conn.execute(statement)


def differences(live: Any, rebuilt: Any, most: int = 20) -> list[str]:
    """What only one side has, as readable lines (the first `most`)."""
    if live == rebuilt:
        return []
    live_rows, rebuilt_rows = _rows(live), _rows(rebuilt)
    only_live = [f"live only: {r}" for r in live_rows if r not in rebuilt_rows]
    only_rebuilt = [f"rebuilt only: {r}" for r in rebuilt_rows if r not in live_rows]
    return (only_live + only_rebuilt)[:most] or ["same rows, in another order"]


def _rows(dump: Any) -> set[str]:
    if isinstance(dump, tuple) and all(isinstance(part, list) for part in dump):
        return {repr(row) for part in dump for row in part}
    return {repr(row) for row in dump}
