"""One SQL text for SQLite and PostgreSQL: the read models written in plain SQL (ledger,
insights, audit chain) differ only in placeholders, schema prefix and a few column types."""

from __future__ import annotations

from typing import Any


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
