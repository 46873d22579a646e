"""The search read model in PostgreSQL (tsvector + GIN, PostGIS geography + GiST/KNN)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder
from psycopg import sql

from adapters.search_postgres_sql import (
    LISTING_FIELDS,
    MERCHANT_FIELDS,
    SEARCH_FIELDS,
    SETUP,
    TABLES,
    create_statements,
    listing_query,
    merchant_query,
    select_by_ids,
    upsert,
)
from adapters.tracked_store import TrackedStore
from projections.search.documents import ListingDoc, MerchantDoc
from projections.search.projection import SearchProjection
from projections.search.query import Hit, SearchFilters, SearchPage
from projections.search.results import count_facets, rounded_distance
from projections.search.text import listing_text, merchant_text


class PostgresSearchStore(TrackedStore, PostgresTrackingRecorder):
    def __init__(self, datastore: PostgresDatastore) -> None:
        super().__init__(datastore, tracking_table_name="search_tracking")
        self.schema = datastore.schema
        self.projection = SearchProjection()
        self.sql_create_statements.extend(create_statements(self.schema))
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(SETUP)
        self.create_table()

    def unit_of_work(self, cursor: Any) -> PostgresSearchUnit:
        return PostgresSearchUnit(cursor, self.schema)

    def reset(self) -> None:
        with self.datastore.transaction(commit=True) as curs:
            for table in TABLES:
                curs.execute(sql.SQL("DROP TABLE IF EXISTS {}.{}").format(
                    sql.Identifier(self.schema), sql.Identifier(table)))
            curs.execute(sql.SQL("DELETE FROM {}.{}").format(
                sql.Identifier(self.schema), sql.Identifier(self.tracking_table_name)))
        self.create_table()

    def search_listings(self, f: SearchFilters) -> SearchPage[ListingDoc]:
        if f.matches_nothing:
            return SearchPage([], 0, f.page, f.page_size, {})
        select, facets, params = listing_query(f, self.schema)
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(select, params)
            hits = [Hit(listing_doc(r), r["score"], rounded_distance(r["distance"]))
                    for r in curs.fetchall()]
            curs.execute(facets, params)
            total, counts = count_facets(
                ({"category": [r["category"]], "origin": [r["origin"]], "region": [r["region"]]},
                 r["count"]) for r in curs.fetchall())
        return SearchPage(hits, total, f.page, f.page_size, counts)

    def search_merchants(self, f: SearchFilters) -> SearchPage[MerchantDoc]:
        if f.matches_nothing:
            return SearchPage([], 0, f.page, f.page_size, {})
        select, facets, params = merchant_query(f, self.schema)
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(select, params)
            hits = [Hit(merchant_doc(r), r["score"], rounded_distance(r["distance"]))
                    for r in curs.fetchall()]
            curs.execute(facets, params)
            total, counts = count_facets(
                ({"category": r["categories"], "region": [r["region"]]}, r["count"])
                for r in curs.fetchall())
        return SearchPage(hits, total, f.page, f.page_size, counts)

    def dump(self) -> tuple[list[MerchantDoc], list[ListingDoc]]:
        with self.datastore.transaction(commit=False) as curs:
            merchants = [merchant_doc(r) for r in curs.execute(self._all("search_merchants",
                                                                         MERCHANT_FIELDS))]
            listings = [listing_doc(r) for r in curs.execute(self._all("search_listings",
                                                                       LISTING_FIELDS))]
        return merchants, listings

    def _all(self, table: str, fields: tuple[str, ...]) -> sql.Composed:
        return sql.SQL("SELECT {} FROM {}.{} ORDER BY id").format(
            sql.SQL(", ").join(map(sql.Identifier, fields)), sql.Identifier(self.schema),
            sql.Identifier(table))


def merchant_doc(r: dict[str, Any]) -> MerchantDoc:
    return MerchantDoc(**{f: r[f] for f in MERCHANT_FIELDS if f != "categories"},
                       categories=tuple(r["categories"]))


def listing_doc(r: dict[str, Any]) -> ListingDoc:
    return ListingDoc(**{f: r[f] for f in LISTING_FIELDS})


class PostgresSearchUnit:
    """The rows one batch touches: read in two queries, written in two pipelined upserts."""

    def __init__(self, cursor: Any, schema: str) -> None:
        self.c = cursor
        self.schema = schema
        self.merchants: dict[UUID, MerchantDoc | None] = {}
        self.listings: dict[UUID, ListingDoc | None] = {}
        self.changed_merchants: dict[UUID, MerchantDoc] = {}
        self.changed_listings: dict[UUID, ListingDoc] = {}

    def load(self, events: Sequence[Any]) -> None:
        merchant_ids, listing_ids = SearchProjection.keys(events)
        self._fetch("search_merchants", MERCHANT_FIELDS, merchant_ids, merchant_doc,
                    self.merchants)
        self._fetch("search_listings", LISTING_FIELDS, listing_ids, listing_doc, self.listings)

    def _fetch(self, table: str, fields: tuple[str, ...], ids: set[UUID], to_doc: Any,
               into: dict[UUID, Any]) -> None:
        wanted = [i for i in ids if i not in into]
        if not wanted:
            return
        self.c.execute(select_by_ids(self.schema, table, fields), (wanted,))
        for row in self.c.fetchall():
            into[row["id"]] = to_doc(row)
        for missing in set(wanted) - into.keys():
            into[missing] = None

    def merchant(self, merchant_id: UUID) -> MerchantDoc | None:
        if merchant_id not in self.merchants:
            self._fetch("search_merchants", MERCHANT_FIELDS, {merchant_id}, merchant_doc,
                        self.merchants)
        return self.changed_merchants.get(merchant_id) or self.merchants[merchant_id]

    def listing(self, listing_id: UUID) -> ListingDoc | None:
        if listing_id not in self.listings:
            self._fetch("search_listings", LISTING_FIELDS, {listing_id}, listing_doc,
                        self.listings)
        return self.changed_listings.get(listing_id) or self.listings[listing_id]

    def save_merchant(self, doc: MerchantDoc) -> None:
        self.changed_merchants[doc.id] = doc

    def save_listing(self, doc: ListingDoc) -> None:
        self.changed_listings[doc.id] = doc

    def flush(self) -> None:
        if self.changed_merchants:
            self.c.executemany(
                upsert(self.schema, "search_merchants", MERCHANT_FIELDS + SEARCH_FIELDS),
                [(*(getattr(d, f) for f in MERCHANT_FIELDS[:5]), list(d.categories),
                  *(getattr(d, f) for f in MERCHANT_FIELDS[6:]), *_search(merchant_text(d)))
                 for d in self.changed_merchants.values()])
        if self.changed_listings:
            self.c.executemany(
                upsert(self.schema, "search_listings", LISTING_FIELDS + SEARCH_FIELDS),
                [(*(getattr(d, f) for f in LISTING_FIELDS), *_search(listing_text(d)))
                 for d in self.changed_listings.values()])


def _search(text: Any) -> tuple[str, str, str, str]:
    return text.title_fr, text.title_en, text.body_fr, text.body_en
