"""The search read model in SQLite: FTS5 over analysed terms, an R*Tree for places.

Terms come from `projections.search.analysis` (unaccented, stemmed as PostgreSQL does); FTS5's
own tokenizer (unicode61, remove_diacritics 2) then sees plain words. One file per read model
(var/search.sqlite3): SQLite has one writer per file, and projections should not queue behind
each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.sqlite import SQLiteDatastore, SQLiteTrackingRecorder

from adapters.search_sqlite_sql import (
    LISTING_COLUMNS,
    LISTING_FIELDS,
    MERCHANT_COLUMNS,
    MERCHANT_FIELDS,
    SCHEMA,
    TABLES,
    listing_query,
    merchant_query,
)
from adapters.tracked_store import UPSTREAM, TrackedStore
from projections.search.documents import ListingDoc, MerchantDoc
from projections.search.projection import SearchProjection
from projections.search.query import Hit, SearchFilters, SearchPage
from projections.search.results import count_facets, rounded_distance
from projections.search.text import listing_text, merchant_text

CHUNK = 500


class SQLiteSearchStore(TrackedStore, SQLiteTrackingRecorder):
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        super().__init__(SQLiteDatastore(db_name=str(path), lock_timeout=10, pool_size=4))
        self.projection = SearchProjection()
        self.create_table()

    def construct_create_table_statements(self) -> list[str]:
        return [*super().construct_create_table_statements(), *SCHEMA]

    def unit_of_work(self, cursor: Any) -> SQLiteSearchUnit:
        return SQLiteSearchUnit(cursor)

    def reset(self) -> None:
        with self.datastore.transaction(commit=True) as c:
            for table in TABLES:
                c.execute(f"DROP TABLE IF EXISTS {table}")
            c.execute("DELETE FROM tracking WHERE application_name = ?", (UPSTREAM,))
        self.create_table()

    def search_listings(self, f: SearchFilters) -> SearchPage[ListingDoc]:
        if f.matches_nothing:
            return SearchPage([], 0, f.page, f.page_size, {})
        select, facets, params = listing_query(f)
        with self.datastore.transaction(commit=False) as c:
            c.execute(select, params)
            hits = [Hit(listing_doc(r), r["score"], rounded_distance(r["distance"]))
                    for r in c.fetchall()]
            c.execute(facets, params)
            total, counts = count_facets(
                ({"category": [r[0]], "origin": [r[1]], "region": [r[2]]}, r[3])
                for r in c.fetchall())
        return SearchPage(hits, total, f.page, f.page_size, counts)

    def search_merchants(self, f: SearchFilters) -> SearchPage[MerchantDoc]:
        if f.matches_nothing:
            return SearchPage([], 0, f.page, f.page_size, {})
        select, facets, params = merchant_query(f)
        with self.datastore.transaction(commit=False) as c:
            c.execute(select, params)
            hits = [Hit(merchant_doc(r), r["score"], rounded_distance(r["distance"]))
                    for r in c.fetchall()]
            c.execute(facets, params)
            total, counts = count_facets(
                ({"category": r[0].split(), "region": [r[1]]}, r[2]) for r in c.fetchall())
        return SearchPage(hits, total, f.page, f.page_size, counts)

    def dump(self) -> tuple[list[MerchantDoc], list[ListingDoc]]:
        """Every row, in id order: to compare a rebuilt model with the live one."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT {MERCHANT_COLUMNS} FROM merchants ORDER BY id")
            merchants = [merchant_doc(r) for r in c.fetchall()]
            c.execute(f"SELECT {LISTING_COLUMNS} FROM listings ORDER BY id")
            listings = [listing_doc(r) for r in c.fetchall()]
        return merchants, listings


def merchant_doc(r: Any) -> MerchantDoc:
    return MerchantDoc(UUID(r["id"]), r["slug"], r["name"], r["description_fr"],
                       r["description_en"], tuple(r["categories"].split()), r["municipality"],
                       r["region"], r["lat"], r["lon"], bool(r["visible"]))


def listing_doc(r: Any) -> ListingDoc:
    return ListingDoc(
        UUID(r["id"]), UUID(r["merchant_id"]), r["merchant_name"], r["merchant_slug"],
        r["title_fr"], r["title_en"], r["description_fr"], r["description_en"], r["category"],
        r["origin"], r["price_cents"], r["on_hand"], r["reserved"], bool(r["published"]),
        r["municipality"], r["region"], r["lat"], r["lon"])


def padded(terms: set[str]) -> str:
    return " " + " ".join(sorted(terms)) + " "


class SQLiteSearchUnit:
    """The rows one batch touches, loaded at once, changed in memory, written at the end."""

    def __init__(self, cursor: Any) -> None:
        self.c = cursor
        self.merchants: dict[UUID, tuple[int | None, MerchantDoc | None]] = {}
        self.listings: dict[UUID, tuple[int | None, ListingDoc | None]] = {}
        self.changed_merchants: dict[UUID, MerchantDoc] = {}
        self.changed_listings: dict[UUID, ListingDoc] = {}

    def load(self, events: Sequence[Any]) -> None:
        merchant_ids, listing_ids = SearchProjection.keys(events)
        self._fetch("merchants", MERCHANT_COLUMNS, merchant_ids, merchant_doc, self.merchants)
        self._fetch("listings", LISTING_COLUMNS, listing_ids, listing_doc, self.listings)

    def _fetch(self, table: str, columns: str, ids: set[UUID], to_doc: Any,
               into: dict[UUID, Any]) -> None:
        wanted = [str(i) for i in ids if i not in into]
        for start in range(0, len(wanted), CHUNK):
            chunk = wanted[start:start + CHUNK]
            self.c.execute(f"SELECT rowid, {columns} FROM {table} WHERE id IN "
                           f"({','.join('?' * len(chunk))})", chunk)
            for row in self.c.fetchall():
                into[UUID(row["id"])] = (row["rowid"], to_doc(row))
        for missing in ids - into.keys():
            into[missing] = (None, None)

    def merchant(self, merchant_id: UUID) -> MerchantDoc | None:
        if merchant_id not in self.merchants:
            self._fetch("merchants", MERCHANT_COLUMNS, {merchant_id}, merchant_doc, self.merchants)
        return self.changed_merchants.get(merchant_id) or self.merchants[merchant_id][1]

    def listing(self, listing_id: UUID) -> ListingDoc | None:
        if listing_id not in self.listings:
            self._fetch("listings", LISTING_COLUMNS, {listing_id}, listing_doc, self.listings)
        return self.changed_listings.get(listing_id) or self.listings[listing_id][1]

    def save_merchant(self, doc: MerchantDoc) -> None:
        self.merchants.setdefault(doc.id, (None, None))
        self.changed_merchants[doc.id] = doc

    def save_listing(self, doc: ListingDoc) -> None:
        self.listings.setdefault(doc.id, (None, None))
        self.changed_listings[doc.id] = doc

    def flush(self) -> None:
        for doc in self.changed_merchants.values():
            rowid, before = self.merchants[doc.id]
            text = merchant_text(doc)
            values = (str(doc.id), doc.slug, doc.name, doc.description_fr, doc.description_en,
                      " " + " ".join(doc.categories) + " ", doc.municipality, doc.region,
                      doc.lat, doc.lon, int(doc.visible), padded(text.title_terms()))
            rowid = self._write("merchants", MERCHANT_FIELDS, rowid, values)
            self.merchants[doc.id] = (rowid, doc)
            self._index("merchants", rowid, doc, before, text, merchant_text)
        for doc in self.changed_listings.values():
            rowid, before = self.listings[doc.id]
            text = listing_text(doc)
            values = (str(doc.id), str(doc.merchant_id), doc.merchant_name, doc.merchant_slug,
                      doc.title_fr, doc.title_en, doc.description_fr, doc.description_en,
                      doc.category, doc.origin, doc.price_cents, doc.on_hand, doc.reserved,
                      int(doc.published), doc.municipality, doc.region, doc.lat, doc.lon,
                      padded(text.title_terms()), self._merchant_rowid(doc.merchant_id))
            rowid = self._write("listings", LISTING_FIELDS, rowid, values)
            self._index("listings", rowid, doc, before, text, listing_text)

    def _merchant_rowid(self, merchant_id: UUID) -> int | None:
        self.merchant(merchant_id)  # loads it if this batch did not
        return self.merchants[merchant_id][0]

    def _write(self, table: str, names: tuple[str, ...], rowid: int | None, values: tuple) -> int:
        if rowid is None:
            self.c.execute(f"INSERT INTO {table} ({', '.join(names)}) VALUES "
                           f"({', '.join('?' * len(names))})", values)
            return self.c.lastrowid
        assignments = ", ".join(f"{name} = ?" for name in names[1:])
        self.c.execute(f"UPDATE {table} SET {assignments} WHERE rowid = ?", (*values[1:], rowid))
        return rowid

    def _index(self, table: str, rowid: int, doc: Any, before: Any, text: Any,
               text_of: Any) -> None:
        if before is None:
            self.c.execute(f"INSERT INTO {table}_geo VALUES (?, ?, ?, ?, ?)",
                           (rowid, doc.lat, doc.lat, doc.lon, doc.lon))
        if before is None or text_of(before) != text:
            self.c.execute(f"DELETE FROM {table}_fts WHERE rowid = ?", (rowid,))
            self.c.execute(f"INSERT INTO {table}_fts (rowid, terms) VALUES (?, ?)",
                           (rowid, " ".join(sorted(text.body_terms()))))

