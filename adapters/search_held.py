"""The documents search holds out of its index (projections/search/staging.py), as JSON rows
in the read model's own database: one statement text for SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict
from typing import Any
from uuid import UUID

from adapters.sql_dialect import Dialect, as_tuple
from projections.search.documents import ListingDoc, MerchantDoc
from projections.search.projection import SearchProjection
from projections.search.staging import StagedIndex

SCHEMA = ("CREATE TABLE IF NOT EXISTS {p}search_held (id text PRIMARY KEY, kind text NOT NULL, "
          "merchant_id text, doc text NOT NULL)")
INDEX = "CREATE INDEX IF NOT EXISTS search_held_by_merchant ON {p}search_held (merchant_id)"
CHUNK = 500

Doc = MerchantDoc | ListingDoc


def encode(doc: Doc) -> str:
    return json.dumps(asdict(doc), default=str, ensure_ascii=False)


def decode(kind: str, text: str) -> Doc:
    data = json.loads(text)
    data["id"] = UUID(data["id"])
    if kind == "merchant":
        return MerchantDoc(**{**data, "categories": tuple(data["categories"])})
    return ListingDoc(**{**data, "merchant_id": UUID(data["merchant_id"])})


def with_held(cursor: Any, sql: Dialect, merchants: list[MerchantDoc],
              listings: list[ListingDoc]) -> tuple[list[MerchantDoc], list[ListingDoc]]:
    """Searchable rows and held documents together, by id: everything the model holds."""
    cursor.execute(sql("SELECT kind, doc FROM {p}search_held"))
    for kind, text in map(as_tuple, cursor.fetchall()):
        doc = decode(kind, text)
        (merchants if isinstance(doc, MerchantDoc) else listings).append(doc)  # type: ignore[arg-type]
    return (sorted(merchants, key=lambda d: str(d.id)),
            sorted(listings, key=lambda d: str(d.id)))


class HeldRows:
    """One batch's view of the held documents: read once, written at flush."""

    def __init__(self, cursor: Any, sql: Dialect) -> None:
        self.c, self.sql = cursor, sql
        self.docs: dict[UUID, Doc | None] = {}  # as read, then as changed (None: not held)
        self.changed: set[UUID] = set()
        self._by_merchant: set[UUID] = set()

    def load(self, ids: Iterable[UUID]) -> None:
        wanted = [i for i in ids if i not in self.docs]
        for start in range(0, len(wanted), CHUNK):
            chunk = wanted[start:start + CHUNK]
            self.c.execute(self.sql(f"SELECT id, kind, doc FROM {{p}}search_held WHERE id IN "
                                    f"({', '.join('?' * len(chunk))})"), [str(i) for i in chunk])
            for row in map(as_tuple, self.c.fetchall()):
                self.docs[UUID(row[0])] = decode(row[1], row[2])
        for missing in wanted:
            self.docs.setdefault(missing, None)

    def merchant(self, merchant_id: UUID) -> MerchantDoc | None:
        doc = self._get(merchant_id)
        return doc if isinstance(doc, MerchantDoc) else None

    def listing(self, listing_id: UUID) -> ListingDoc | None:
        doc = self._get(listing_id)
        return doc if isinstance(doc, ListingDoc) else None

    def hold(self, doc: Doc) -> None:
        self.docs[doc.id] = doc
        self.changed.add(doc.id)

    def release(self, doc_id: UUID) -> None:
        if self._get(doc_id) is not None:
            self.docs[doc_id] = None
            self.changed.add(doc_id)

    def listings_of(self, merchant_id: UUID) -> list[ListingDoc]:
        if merchant_id not in self._by_merchant:
            self._by_merchant.add(merchant_id)
            self.c.execute(self.sql("SELECT id, kind, doc FROM {p}search_held WHERE "
                                    "merchant_id = ? AND kind = 'listing'"), (str(merchant_id),))
            for row in map(as_tuple, self.c.fetchall()):
                self.docs.setdefault(UUID(row[0]), decode(row[1], row[2]))
        return [d for d in self.docs.values()
                if isinstance(d, ListingDoc) and d.merchant_id == merchant_id]

    def flush(self) -> None:
        gone = [str(i) for i in self.changed if self.docs[i] is None]
        kept = [doc for i in self.changed if (doc := self.docs[i]) is not None]
        if gone:
            self.c.executemany(self.sql("DELETE FROM {p}search_held WHERE id = ?"),
                               [(i,) for i in gone])
        if kept:
            self.c.executemany(self.sql(
                "INSERT INTO {p}search_held VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE "
                "SET kind = excluded.kind, merchant_id = excluded.merchant_id, "
                "doc = excluded.doc"),
                [(str(d.id), "merchant" if isinstance(d, MerchantDoc) else "listing",
                  str(d.merchant_id) if isinstance(d, ListingDoc) else None, encode(d))
                 for d in kept])

    def _get(self, doc_id: UUID) -> Doc | None:
        if doc_id not in self.docs:
            self.load([doc_id])
        return self.docs[doc_id]


class StagedUnit(StagedIndex):
    """A batch's unit of work over the searchable rows and the held documents."""

    rows: Any
    held: HeldRows

    def load(self, events: Any) -> None:
        self.rows.load(events)
        merchants, listings = SearchProjection.keys(events)
        self.held.load(merchants | listings)

    def flush(self) -> None:
        self.rows.flush()
        self.held.flush()
