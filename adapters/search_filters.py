"""The filters of a listing search, written once for both databases: only how a parameter
and a set of values are spelled differs (SQLite `:name` and `IN (...)`, PostgreSQL
`%(name)s` and `= ANY(...)`). Text and distance are each database's own (FTS5 and an R*Tree,
tsvector and PostGIS) and stay in their modules."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from projections.search.query import SearchFilters


@dataclass(frozen=True)
class Spelling:
    param: Callable[[str], str]  # a named parameter
    one_of: Callable[[str, str, tuple[str, ...], dict[str, Any]], str]  # column in a set


def _sqlite_one_of(column: str, name: str, values: tuple[str, ...],
                   params: dict[str, Any]) -> str:
    for i, value in enumerate(values):
        params[f"{name}{i}"] = value
    return f"{column} IN ({', '.join(f':{name}{i}' for i in range(len(values)))})"


def _postgres_one_of(column: str, name: str, values: tuple[str, ...],
                     params: dict[str, Any]) -> str:
    params[name] = list(values)
    return f"{column} = ANY(%({name})s)"


SQLITE = Spelling(lambda name: f":{name}", _sqlite_one_of)
POSTGRES = Spelling(lambda name: f"%({name})s", _postgres_one_of)


def listing_conditions(f: SearchFilters, alias: str, spelling: Spelling,
                       params: dict[str, Any]) -> list[str]:
    where = []
    if f.categories:
        where.append(spelling.one_of(f"{alias}.category", "category", f.categories, params))
    if f.regions:
        where.append(spelling.one_of(f"{alias}.region", "region", f.regions, params))
    if f.origin:
        where.append(f"{alias}.origin = {spelling.param('origin')}")
        params["origin"] = f.origin
    if f.in_stock:
        where.append(f"{alias}.on_hand - {alias}.reserved > 0")
    for name, cents, op in (("min_price", f.min_price_cents, ">="),
                            ("max_price", f.max_price_cents, "<=")):
        if cents is not None:
            where.append(f"{alias}.price_cents {op} {spelling.param(name)}")
            params[name] = cents
    return where


def region_condition(f: SearchFilters, alias: str, spelling: Spelling,
                     params: dict[str, Any]) -> list[str]:
    return [spelling.one_of(f"{alias}.region", "region", f.regions, params)] if f.regions else []
