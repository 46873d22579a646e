"""A merchant's published listings, read from the search read model.

The search read model already holds every listing with its price and stock, kept current by
the follower, and indexes them by merchant on both backends (`listings_by_merchant`,
`search_listings_merchant_id`): one indexed query per page, where the event store would need
one aggregate read per listing. Its ranked searches have no merchant filter, hence this query.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from psycopg import sql

from adapters.search_postgres import PostgresSearchStore
from adapters.search_sqlite import SQLiteSearchStore
from application.fiches import PublicListing
from domain.money import Money

_SQLITE = ("SELECT id, title_fr, title_en, price_cents, on_hand - reserved > 0 AS in_stock "
           "FROM listings WHERE merchant_id = ? AND visible = 1 ORDER BY id LIMIT ?")
_POSTGRES = ("SELECT id, title_fr, title_en, price_cents, on_hand - reserved > 0 AS in_stock "
             "FROM {}.search_listings WHERE merchant_id = %s AND visible ORDER BY id LIMIT %s")


class SearchModelListings:
    """`application.fiches.PublishedListings` over the search read model of either backend."""

    def __init__(self, store: SQLiteSearchStore | PostgresSearchStore) -> None:
        self.store = store
        self.ids_as_text = isinstance(store, SQLiteSearchStore)  # a uuid column in PostgreSQL
        self.statement: Any = _SQLITE if self.ids_as_text else sql.SQL(_POSTGRES).format(
            sql.Identifier(store.schema))  # type: ignore[union-attr]

    def of_merchant(self, merchant_id: UUID, limit: int) -> list[PublicListing]:
        key = str(merchant_id) if self.ids_as_text else merchant_id
        with self.store.datastore.transaction(commit=False) as cursor:
            cursor.execute(self.statement, (key, limit))
            rows = cursor.fetchall()
        return [PublicListing(
            UUID(str(r["id"])), r["title_fr"], r["title_en"] or None, Money(r["price_cents"]),
            bool(r["in_stock"]),
        ) for r in rows]
