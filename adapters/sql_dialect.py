"""One SQL text for SQLite and PostgreSQL: the read models written in plain SQL (ledger,
insights, audit chain) differ only in placeholders, schema prefix and a few column types."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from eventsourcing.postgres import PostgresDatastore


class Dialect:
    """Rewrites `?` to the driver's placeholder, `{p}` to the schema prefix (`"schema".` on
    PostgreSQL, nothing on SQLite) and any other `{name}` given, e.g. `{blob}` → `bytea`."""

    def __init__(self, placeholder: str, prefix: str, **names: str) -> None:
        self.ph, self.p, self.names = placeholder, prefix, names

    def __call__(self, text: str) -> str:
        text = text.replace("{p}", self.p)
        for name, value in self.names.items():
            text = text.replace(f"{{{name}}}", value)
        return text.replace("?", self.ph)


def as_tuple(row: Any) -> tuple:
    """A row as a tuple, from SQLite (tuples) or from PostgreSQL (dict rows)."""
    return tuple(row.values()) if isinstance(row, dict) else tuple(row)


# The first statement of a PostgreSQL transaction whose statements must all see one moment.
ONE_SNAPSHOT = "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"


@contextmanager
def one_snapshot(datastore: Any) -> Iterator[Any]:
    """A read of several statements that must agree, such as a page and its count. SQLite's
    read transaction already sees one snapshot; PostgreSQL's default (READ COMMITTED) takes a
    new one for every statement, so a commit landing between them showed eleven payouts with
    the totals of ten."""
    with datastore.transaction(commit=False) as cursor:
        if isinstance(datastore, PostgresDatastore):
            cursor.execute(ONE_SNAPSHOT)
        yield cursor
