"""The search read model in PostgreSQL (tsvector + GIN, PostGIS geography + GiST/KNN)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder
from psycopg import sql
from psycopg.rows import tuple_row

from adapters.search_held import HeldRows, StagedUnit, with_held
from adapters.search_postgres_sql import (
    LISTING_FIELDS,
    LISTING_TYPES,
    MERCHANT_FIELDS,
    SETUP,
    TABLES,
    Tiers,
    create_statements,
    delete_by_ids,
    index_statements,
    listings_of_merchant,
    rank_listings,
    rank_merchants,
    select_by_ids,
    update_data,
    upsert,
)
from adapters.search_sqlite import public_listing
from adapters.sql_dialect import Dialect, one_snapshot
from adapters.tracked_store import TrackedStore
from application.merchant_pages import PublicListing
from projections.search.documents import ListingDoc, MerchantDoc
from projections.search.engine import LISTING_FACETS, MERCHANT_FACETS, Ranking
from projections.search.projection import SearchProjection
from projections.search.query import SearchFilters
from projections.search.text import SearchText, listing_text, listing_text_key, merchant_text


class PostgresSearchStore(TrackedStore, PostgresTrackingRecorder):
    def __init__(self, datastore: PostgresDatastore) -> None:
        super().__init__(datastore, tracking_table_name="search_tracking")
        self.schema = datastore.schema
        self.projection = SearchProjection()
        self.sql_create_statements.extend(create_statements(self.schema))
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(SETUP)
        self.create_table()

    def unit_of_work(self, cursor: Any) -> StagedUnit:
        return StagedUnit(PostgresSearchUnit(cursor, self.schema),
                          HeldRows(cursor, Dialect("%s", f'"{self.schema}".')))

    def reset(self) -> None:
        """Empty tables without their indexes: a rebuild fills them, then `rebuilt` indexes
        them in one pass (a GIN index built at once is several times faster than row by row)."""
        with self.datastore.transaction(commit=True) as curs:
            for table in TABLES:
                curs.execute(sql.SQL("DROP TABLE IF EXISTS {}.{}").format(
                    sql.Identifier(self.schema), sql.Identifier(table)))
            curs.execute(sql.SQL("DELETE FROM {}.{}").format(
                sql.Identifier(self.schema), sql.Identifier(self.tracking_table_name)))
            for statement in create_statements(self.schema, with_indexes=False):
                curs.execute(statement)

    def rebuilt(self) -> None:
        with self.datastore.transaction(commit=True) as curs:
            for statement in index_statements(self.schema):
                curs.execute(statement)
            for table in TABLES:
                curs.execute(sql.SQL("ANALYZE {}.{}").format(sql.Identifier(self.schema),
                                                              sql.Identifier(table)))

    def rank_listings(self, f: SearchFilters, limit: int) -> Ranking:
        return Ranking(self._ranked(rank_listings(f, self.schema), limit), LISTING_FACETS)

    def rank_merchants(self, f: SearchFilters, limit: int) -> Ranking:
        return Ranking(self._ranked(rank_merchants(f, self.schema), limit), MERCHANT_FACETS,
                       tuple)

    def _ranked(self, tiers: Tiers, limit: int) -> list[tuple[Any, ...]]:
        with one_snapshot(self.datastore) as curs:  # the tiers see the same rows
            curs.row_factory = tuple_row
            if tiers.knn:
                # Its row estimates for a radius and for several words are poor (words of a
                # product name always come together): left alone, the planner often reads
                # every row in the radius, or every match of the words, and sorts them, when
                # the KNN index scan (words checked in the index) stops at `limit`. Measured
                # on 500,000 listings: p95 112 ms against 8 ms without words; "format
                # familial" within 50 km, 124 ms against 19 ms.
                curs.execute("SET LOCAL enable_bitmapscan = off")
            return tiers.run(lambda statement, params: curs.execute(statement, params)
                             .fetchall(), limit)

    def of_merchant(self, merchant_id: UUID, limit: int) -> list[PublicListing]:
        """A merchant's published listings (application.merchant_pages.PublishedListings)."""
        rows = self._rows(sql.SQL(
            "SELECT id, title_fr, title_en, price_cents, on_hand - reserved > 0 AS in_stock, "
            "photo FROM {}.search_listings WHERE merchant_id = %s ORDER BY id LIMIT %s").format(
            sql.Identifier(self.schema)), (merchant_id, limit))
        return [public_listing(r) for r in rows]

    def listing_docs(self, ids: list[Any]) -> dict[Any, ListingDoc]:
        rows = self._rows(select_by_ids(self.schema, "search_listings", LISTING_FIELDS), (ids,))
        return {r["id"]: listing_doc(r) for r in rows}

    def merchant_docs(self, ids: list[Any]) -> dict[Any, MerchantDoc]:
        rows = self._rows(select_by_ids(self.schema, "search_merchants", MERCHANT_FIELDS), (ids,))
        return {r["id"]: merchant_doc(r) for r in rows}

    def _rows(self, statement: Any, params: Any) -> list[dict[str, Any]]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(statement, params)
            return curs.fetchall()

    def dump(self) -> tuple[list[MerchantDoc], list[ListingDoc]]:
        with one_snapshot(self.datastore) as curs:
            merchants = [merchant_doc(r) for r in curs.execute(self._all("search_merchants",
                                                                         MERCHANT_FIELDS))]
            listings = [listing_doc(r) for r in curs.execute(self._all("search_listings",
                                                                       LISTING_FIELDS))]
            return with_held(curs, Dialect("%s", f'"{self.schema}".'), merchants, listings)

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
        self.deleted_merchants: set[UUID] = set()
        self.deleted_listings: set[UUID] = set()

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
        if merchant_id in self.deleted_merchants:
            return None
        if merchant_id not in self.merchants:
            self._fetch("search_merchants", MERCHANT_FIELDS, {merchant_id}, merchant_doc,
                        self.merchants)
        return self.changed_merchants.get(merchant_id) or self.merchants[merchant_id]

    def listing(self, listing_id: UUID) -> ListingDoc | None:
        if listing_id in self.deleted_listings:
            return None
        if listing_id not in self.listings:
            self._fetch("search_listings", LISTING_FIELDS, {listing_id}, listing_doc,
                        self.listings)
        return self.changed_listings.get(listing_id) or self.listings[listing_id]

    def save_merchant(self, doc: MerchantDoc) -> None:
        self.deleted_merchants.discard(doc.id)
        self.changed_merchants[doc.id] = doc

    def save_listing(self, doc: ListingDoc) -> None:
        self.deleted_listings.discard(doc.id)
        self.changed_listings[doc.id] = doc

    def delete_merchant(self, merchant_id: UUID) -> None:
        self.changed_merchants.pop(merchant_id, None)
        self.deleted_merchants.add(merchant_id)

    def delete_listing(self, listing_id: UUID) -> None:
        self.changed_listings.pop(listing_id, None)
        self.deleted_listings.add(listing_id)

    def listings_of(self, merchant_id: UUID) -> list[ListingDoc]:
        self.c.execute(listings_of_merchant(self.schema, LISTING_FIELDS), (merchant_id,))
        for row in self.c.fetchall():
            self.listings.setdefault(row["id"], listing_doc(row))
        return [doc for listing_id in list(self.listings)
                if (doc := self.listing(listing_id)) is not None
                and doc.merchant_id == merchant_id]

    def flush(self) -> None:
        if self.changed_merchants:
            self.c.executemany(
                upsert(self.schema, "search_merchants", MERCHANT_FIELDS),
                [(*(getattr(d, f) for f in MERCHANT_FIELDS[:5]), list(d.categories),
                  *(getattr(d, f) for f in MERCHANT_FIELDS[6:]), *_words(merchant_text(d)))
                 for d in self.changed_merchants.values()])
        reindexed, data_only = [], []
        for d in self.changed_listings.values():
            before = self.listings.get(d.id)
            values = [getattr(d, f) for f in LISTING_FIELDS]
            if before is not None and listing_text_key(before) == listing_text_key(d):
                data_only.append(values)
            else:
                reindexed.append((*values, *_words(listing_text(d))))
        if reindexed:
            self.c.executemany(upsert(self.schema, "search_listings", LISTING_FIELDS), reindexed)
        if data_only:
            columns = [list(values) for values in zip(*data_only, strict=True)]
            self.c.execute(update_data(self.schema, "search_listings", LISTING_FIELDS,
                                       LISTING_TYPES), columns)
        for table, deleted in (("search_merchants", self.deleted_merchants),
                               ("search_listings", self.deleted_listings)):
            if deleted:
                self.c.execute(delete_by_ids(self.schema, table), (list(deleted),))


def _words(text: SearchText) -> tuple[str, str, str, str]:
    return text.title_fr, text.title_en, text.body_fr, text.body_en

