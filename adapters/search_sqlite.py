"""The search read model in SQLite: FTS5 over analysed terms, an R*Tree for places.

Terms come from `projections.search.analysis` (unaccented, stemmed as PostgreSQL does); FTS5's
own tokenizer (unicode61, remove_diacritics 2) then sees plain words. One file per read model
(var/search.sqlite3): SQLite has one writer per file, and read models should not queue behind
each other.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.sqlite import SQLiteTrackingRecorder

from adapters.search_held import HeldRows, StagedUnit, with_held
from adapters.search_sqlite_sql import (
    LISTING_COLUMNS,
    LISTING_FIELDS,
    MERCHANT_COLUMNS,
    MERCHANT_FIELDS,
    SCHEMA,
    TABLES,
    rank_listings,
    rank_merchants,
)
from adapters.sql_dialect import Dialect
from adapters.sqlite_datastore import read_model_datastore
from adapters.tracked_store import UPSTREAM, TrackedStore
from application.merchant_pages import PublicListing
from domain.money import Money
from projections.search.documents import ListingDoc, MerchantDoc
from projections.search.engine import LISTING_FACETS, MERCHANT_FACETS, Ranking
from projections.search.projection import SearchProjection
from projections.search.query import Near, SearchFilters
from projections.search.text import listing_text, listing_text_key, merchant_text

CHUNK = 500


class SQLiteSearchStore(TrackedStore, SQLiteTrackingRecorder):
    def __init__(self, path: Path) -> None:
        super().__init__(read_model_datastore(path))
        self.projection = SearchProjection()
        self.create_table()

    def construct_create_table_statements(self) -> list[str]:
        return [*super().construct_create_table_statements(), *SCHEMA]

    def create_table(self) -> None:
        """The tables, and on those made before version 3 the photo's column: searches read
        it at once (empty until the rebuild that version 3 asks for fills it)."""
        super().create_table()
        with self.datastore.transaction(commit=True) as c:
            c.execute("SELECT name FROM pragma_table_info('listings')")
            if "photo" not in {row[0] for row in c.fetchall()}:
                c.execute("ALTER TABLE listings ADD COLUMN photo DEFAULT ''")

    def unit_of_work(self, cursor: Any) -> StagedUnit:
        return StagedUnit(SQLiteSearchUnit(cursor), HeldRows(cursor, Dialect("?", "")))

    def reset(self) -> None:
        with self.datastore.transaction(commit=True) as c:
            for table in TABLES:
                c.execute(f"DROP TABLE IF EXISTS {table}")
            c.execute("DELETE FROM tracking WHERE application_name = ?", (UPSTREAM,))
        self.create_table()

    def rebuilt(self) -> None:
        """FTS5 and R*Tree tables are indexes in themselves: nothing to build afterwards."""

    def rank_listings(self, f: SearchFilters, limit: int) -> Ranking:
        return Ranking(self._nearest_first(f, limit, rank_listings), LISTING_FACETS)

    def rank_merchants(self, f: SearchFilters, limit: int) -> Ranking:
        return Ranking(self._nearest_first(f, limit, rank_merchants), MERCHANT_FACETS, str.split)

    def _nearest_first(self, f: SearchFilters, limit: int, statement: Any) -> list[Any]:
        """SQLite has no KNN index: a distance order over a 50 km radius around Montréal
        would measure every row in it. Without text the order is distance alone, so the
        first `limit` rows within a smaller radius are the first ones within the whole: grow
        the radius from 2 km until it holds `limit` rows."""
        if f.terms or f.near is None:
            return self._rows(*statement(f, limit))
        radius = f.near.radius_km or math.inf
        tried = 2.0
        while tried < radius:
            rows = self._rows(*statement(replace(f, near=Near(f.near.point, tried)), limit))
            if len(rows) >= limit:
                return rows
            tried *= 4
        return self._rows(*statement(f, limit))

    def of_merchant(self, merchant_id: UUID, limit: int) -> list[PublicListing]:
        """A merchant's published listings (application.merchant_pages.PublishedListings): one
        indexed query, where the event store would need one aggregate read per listing."""
        rows = self._rows("SELECT id, title_fr, title_en, price_cents, on_hand - reserved > 0 "
                          "AS in_stock, photo FROM listings WHERE merchant_id = ? "
                          "ORDER BY id LIMIT ?",
                          (str(merchant_id), limit))
        return [public_listing(r) for r in rows]

    def listing_docs(self, ids: list[Hashable]) -> dict[Hashable, ListingDoc]:
        """By the ids as ranked (text)."""
        return {r["id"]: listing_doc(r) for r in self._by_id("listings", LISTING_COLUMNS, ids)}

    def merchant_docs(self, ids: list[Hashable]) -> dict[Hashable, MerchantDoc]:
        return {r["id"]: merchant_doc(r)
                for r in self._by_id("merchants", MERCHANT_COLUMNS, ids)}

    def dump(self) -> tuple[list[MerchantDoc], list[ListingDoc]]:
        """Every document, searchable or held, in id order: to compare a rebuilt model with
        the live one."""
        merchants = self._rows(f"SELECT {', '.join(MERCHANT_COLUMNS)} FROM merchants")
        listings = self._rows(f"SELECT {', '.join(LISTING_COLUMNS)} FROM listings")
        with self.datastore.transaction(commit=False) as c:
            return with_held(c, Dialect("?", ""), [merchant_doc(r) for r in merchants],
                             [listing_doc(r) for r in listings])

    def _rows(self, statement: str, params: Any = ()) -> list[Any]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(statement, params)
            return c.fetchall()

    def _by_id(self, table: str, columns: tuple[str, ...], ids: list[Hashable]) -> list[Any]:
        if not ids:
            return []
        return self._rows(f"SELECT {', '.join(columns)} FROM {table} WHERE id IN "
                          f"({','.join('?' * len(ids))})", [str(i) for i in ids])


def public_listing(r: Any) -> PublicListing:
    return PublicListing(UUID(str(r["id"])), r["title_fr"], r["title_en"] or None,
                         Money(r["price_cents"]), bool(r["in_stock"]), r["photo"] or None)


def merchant_doc(r: Any) -> MerchantDoc:
    return MerchantDoc(UUID(r["id"]), r["slug"], r["name"], r["description_fr"],
                       r["description_en"], tuple(r["categories"].split()), r["municipality"],
                       r["region"], r["lat"], r["lon"], bool(r["visible"]))


def listing_doc(r: Any) -> ListingDoc:
    return ListingDoc(
        UUID(r["id"]), UUID(r["merchant_id"]), r["merchant_name"], r["merchant_slug"],
        r["title_fr"], r["title_en"], r["description_fr"], r["description_en"], r["category"],
        r["origin"], r["price_cents"], r["on_hand"], r["reserved"], bool(r["published"]),
        bool(r["merchant_visible"]), r["municipality"], r["region"], r["lat"], r["lon"],
        r["photo"] or "")


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
        self.deleted_merchants: set[UUID] = set()
        self.deleted_listings: set[UUID] = set()
        self._next_rowid: dict[str, int] = {}

    def load(self, events: Sequence[Any]) -> None:
        merchant_ids, listing_ids = SearchProjection.keys(events)
        self._fetch("merchants", MERCHANT_COLUMNS, merchant_ids, merchant_doc, self.merchants)
        self._fetch("listings", LISTING_COLUMNS, listing_ids, listing_doc, self.listings)

    def _fetch(self, table: str, columns: tuple[str, ...], ids: set[UUID], to_doc: Any,
               into: dict[UUID, Any]) -> None:
        wanted = [str(i) for i in ids if i not in into]
        for start in range(0, len(wanted), CHUNK):
            chunk = wanted[start:start + CHUNK]
            self.c.execute(f"SELECT rowid, {', '.join(columns)} FROM {table} WHERE id IN "
                           f"({','.join('?' * len(chunk))})", chunk)
            for row in self.c.fetchall():
                into[UUID(row["id"])] = (row["rowid"], to_doc(row))
        for missing in ids - into.keys():
            into[missing] = (None, None)

    def merchant(self, merchant_id: UUID) -> MerchantDoc | None:
        if merchant_id in self.deleted_merchants:
            return None
        if merchant_id not in self.merchants:
            self._fetch("merchants", MERCHANT_COLUMNS, {merchant_id}, merchant_doc, self.merchants)
        return self.changed_merchants.get(merchant_id) or self.merchants[merchant_id][1]

    def listing(self, listing_id: UUID) -> ListingDoc | None:
        if listing_id in self.deleted_listings:
            return None
        if listing_id not in self.listings:
            self._fetch("listings", LISTING_COLUMNS, {listing_id}, listing_doc, self.listings)
        return self.changed_listings.get(listing_id) or self.listings[listing_id][1]

    def save_merchant(self, doc: MerchantDoc) -> None:
        self.merchants.setdefault(doc.id, (None, None))
        self.deleted_merchants.discard(doc.id)
        self.changed_merchants[doc.id] = doc

    def save_listing(self, doc: ListingDoc) -> None:
        self.listings.setdefault(doc.id, (None, None))
        self.deleted_listings.discard(doc.id)
        self.changed_listings[doc.id] = doc

    def delete_merchant(self, merchant_id: UUID) -> None:
        self.merchant(merchant_id)  # its rowid, if it has a row
        self.changed_merchants.pop(merchant_id, None)
        self.deleted_merchants.add(merchant_id)

    def delete_listing(self, listing_id: UUID) -> None:
        self.listing(listing_id)
        self.changed_listings.pop(listing_id, None)
        self.deleted_listings.add(listing_id)

    def listings_of(self, merchant_id: UUID) -> list[ListingDoc]:
        self.c.execute(f"SELECT rowid, {', '.join(LISTING_COLUMNS)} FROM listings "
                       "WHERE merchant_id = ?", (str(merchant_id),))
        for row in self.c.fetchall():
            self.listings.setdefault(UUID(row["id"]), (row["rowid"], listing_doc(row)))
        return [doc for listing_id in list(self.listings)
                if (doc := self.listing(listing_id)) is not None
                and doc.merchant_id == merchant_id]

    def flush(self) -> None:
        writes = _Writes()
        for doc in self.changed_merchants.values():
            rowid, before = self.merchants[doc.id]
            text = merchant_text(doc)
            values = (str(doc.id), doc.slug, doc.name, doc.description_fr, doc.description_en,
                      " " + " ".join(doc.categories) + " ", doc.municipality, doc.region,
                      doc.lat, doc.lon, int(doc.visible), padded(text.title_terms()))
            rowid = self._row(writes, "merchants", rowid, values)
            self.merchants[doc.id] = (rowid, doc)
            writes.move_if_moved("merchants", rowid, before, doc)
            if before is None or merchant_text(before) != text:
                writes.index("merchants", rowid, doc, text, fresh=before is None)
        for listing in self.changed_listings.values():
            rowid, previous = self.listings[listing.id]
            data = (*(getattr(listing, column) for column in LISTING_COLUMNS[2:]),
                    listing.visible)
            if rowid is not None:
                writes.move_if_moved("listings", rowid, previous, listing)
            if previous is not None and listing_text_key(previous) == listing_text_key(listing):
                writes.data_only.append((*data, rowid))  # stock, price, visibility: no indexing
                continue
            text = listing_text(listing)
            values = (str(listing.id), str(listing.merchant_id), *data, padded(text.title_terms()))
            rowid = self._row(writes, "listings", rowid, values)
            writes.index("listings", rowid, listing, text, fresh=previous is None)
        writes.run(self.c)
        for table, deleted, loaded in (("merchants", self.deleted_merchants, self.merchants),
                                       ("listings", self.deleted_listings, self.listings)):
            rowids = [(loaded[i][0],) for i in deleted if loaded.get(i, (None,))[0] is not None]
            for suffix, key in (("", "rowid"), ("_fts", "rowid"), ("_geo", "id")):
                self.c.executemany(f"DELETE FROM {table}{suffix} WHERE {key} = ?", rowids)

    def _row(self, writes: _Writes, table: str, rowid: int | None, values: tuple) -> int:
        """New rows get their rowid here (one writer per batch transaction), so that every
        insert of the batch goes in one executemany."""
        if rowid is None:
            if table not in self._next_rowid:
                self.c.execute(f"SELECT coalesce(max(rowid), 0) + 1 FROM {table}")
                self._next_rowid[table] = self.c.fetchone()[0]
            rowid = self._next_rowid[table]
            self._next_rowid[table] += 1
            writes.inserts.setdefault(table, []).append((rowid, *values))
        else:
            writes.updates.setdefault(table, []).append((*values[1:], rowid))
        return rowid


class _Writes:
    """The statements of one flush, grouped for executemany."""

    def __init__(self) -> None:
        self.inserts: dict[str, list[tuple]] = {}
        self.updates: dict[str, list[tuple]] = {}
        self.data_only: list[tuple] = []
        self.geo: dict[str, list[tuple]] = {}
        self.moved: dict[str, list[tuple]] = {}
        self.fts_removed: dict[str, list[tuple]] = {}
        self.fts: dict[str, list[tuple]] = {}

    def index(self, table: str, rowid: int, doc: Any, text: Any, fresh: bool) -> None:
        if fresh:
            self.geo.setdefault(table, []).append((rowid, doc.lat, doc.lat, doc.lon, doc.lon))
        else:
            self.fts_removed.setdefault(table, []).append((rowid,))
        self.fts.setdefault(table, []).append((rowid, " ".join(sorted(text.body_terms()))))

    def move_if_moved(self, table: str, rowid: int, before: Any, doc: Any) -> None:
        """A row that stays but changed place (a merchant's new address) moves in the R*Tree."""
        if before is not None and (before.lat, before.lon) != (doc.lat, doc.lon):
            self.moved.setdefault(table, []).append((doc.lat, doc.lat, doc.lon, doc.lon, rowid))

    def run(self, c: Any) -> None:
        fields = {"merchants": MERCHANT_FIELDS, "listings": LISTING_FIELDS}
        for table, rows in self.inserts.items():
            names = ("rowid", *fields[table])
            c.executemany(f"INSERT INTO {table} ({', '.join(names)}) VALUES "
                          f"({', '.join('?' * len(names))})", rows)
        for table, rows in self.updates.items():
            assignments = ", ".join(f"{name} = ?" for name in fields[table][1:])
            c.executemany(f"UPDATE {table} SET {assignments} WHERE rowid = ?", rows)
        if self.data_only:
            assignments = ", ".join(f"{name} = ?" for name in LISTING_FIELDS[2:-1])
            c.executemany(f"UPDATE listings SET {assignments} WHERE rowid = ?", self.data_only)
        for table, rows in self.geo.items():
            c.executemany(f"INSERT INTO {table}_geo VALUES (?, ?, ?, ?, ?)", rows)
        for table, rows in self.moved.items():
            c.executemany(f"UPDATE {table}_geo SET min_lat = ?, max_lat = ?, min_lon = ?, "
                          "max_lon = ? WHERE id = ?", rows)
        for table, rows in self.fts_removed.items():
            c.executemany(f"DELETE FROM {table}_fts WHERE rowid = ?", rows)
        for table, rows in self.fts.items():
            c.executemany(f"INSERT INTO {table}_fts (rowid, terms) VALUES (?, ?)", rows)

