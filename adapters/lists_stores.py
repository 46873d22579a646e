"""The lists read model (projections/lists/) in SQLite and in PostgreSQL: its rows
(lists_rows.py) and their tracked position commit in one transaction; its queries are
lists_queries.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder
from eventsourcing.sqlite import SQLiteTrackingRecorder
from psycopg import sql

from adapters.lists_queries import ListsQueries
from adapters.lists_rows import NAMES, TABLES, ListsRows
from adapters.sql_dialect import Dialect
from adapters.sqlite_datastore import read_model_datastore
from adapters.tracked_store import UPSTREAM, TrackedStore
from projections.lists import ListsProjection


class SQLiteListsStore(ListsQueries, TrackedStore, SQLiteTrackingRecorder):
    sql = Dialect("?", "")

    def __init__(self, path: Path) -> None:
        super().__init__(read_model_datastore(path, pool_size=2))
        self.projection = ListsProjection()
        self.create_table()

    def construct_create_table_statements(self) -> list[str]:
        tables = Dialect("?", "", key="TEXT")
        return [*super().construct_create_table_statements(), *(tables(t) for t in TABLES)]

    def unit_of_work(self, cursor: Any) -> ListsRows:
        return ListsRows(cursor, self.sql)

    def reset(self) -> None:
        with self.datastore.transaction(commit=True) as c:
            for table in NAMES:
                c.execute(f"DELETE FROM {table}")  # noqa: S608 - a constant name
            c.execute("DELETE FROM tracking WHERE application_name = ?", (UPSTREAM,))

    def rebuilt(self) -> None:
        pass


class PostgresListsStore(ListsQueries, TrackedStore, PostgresTrackingRecorder):
    def __init__(self, datastore: PostgresDatastore) -> None:
        super().__init__(datastore, tracking_table_name="lists_tracking")
        self.schema = datastore.schema
        self.sql = Dialect("%s", f'"{self.schema}".')
        tables = Dialect("%s", f'"{self.schema}".', key='TEXT COLLATE "C"')
        # eventsourcing declares list[Composed] yet puts plain SQL in it too, as we do here.
        self.sql_create_statements += [sql.SQL(tables(t)) for t in TABLES]  # type: ignore[misc]
        self.projection = ListsProjection()
        self.create_table()

    def unit_of_work(self, cursor: Any) -> ListsRows:
        return ListsRows(cursor, self.sql)

    def reset(self) -> None:
        with self.datastore.transaction(commit=True) as c:
            for table in (*NAMES, self.tracking_table_name):
                c.execute(f'DELETE FROM "{self.schema}"."{table}"')  # noqa: S608

    def rebuilt(self) -> None:
        pass
