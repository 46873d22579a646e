"""Writing the lists read model (projections/lists/): one SQL text for SQLite and PostgreSQL.

Times are ISO-8601 UTC text (they sort as time does), amounts integer cents; each change is
one statement in the batch's transaction.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any
from uuid import UUID

from adapters.sql_dialect import Dialect
from application.paging import utc_key
from domain.eligibility import Finding
from projections.lists.orders import Part

# {key}: a column lists sort on, compared byte by byte on both backends.
TABLES = (
    "CREATE TABLE IF NOT EXISTS {p}list_applications (merchant_id {key} PRIMARY KEY, "
    "name TEXT NOT NULL, status TEXT NOT NULL, applied_at {key} NOT NULL, "
    "status_at TEXT NOT NULL, region TEXT NOT NULL, municipality TEXT NOT NULL, "
    "categories TEXT NOT NULL, eligibility TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS list_applications_by_status ON {p}list_applications "
    "(status, applied_at, merchant_id)",
    "CREATE INDEX IF NOT EXISTS list_applications_by_time ON {p}list_applications "
    "(applied_at, merchant_id)",
    "CREATE TABLE IF NOT EXISTS {p}list_identity_changes (merchant_id {key} PRIMARY KEY, "
    "name TEXT NOT NULL, legal_name TEXT NOT NULL, neq TEXT NOT NULL, status TEXT NOT NULL, "
    "requested_at {key} NOT NULL, decided_at TEXT)",
    "CREATE INDEX IF NOT EXISTS list_identity_changes_by_status ON {p}list_identity_changes "
    "(status, requested_at, merchant_id)",
    "CREATE TABLE IF NOT EXISTS {p}list_orders (order_id {key} PRIMARY KEY, "
    "consumer_id TEXT NOT NULL, placed_at {key} NOT NULL, status TEXT NOT NULL, "
    "payment_status TEXT NOT NULL, total_cents BIGINT NOT NULL, "
    "refunded_cents BIGINT NOT NULL DEFAULT 0, storefront TEXT, updated_at TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS list_orders_by_consumer ON {p}list_orders "
    "(consumer_id, placed_at, order_id)",
    "CREATE TABLE IF NOT EXISTS {p}list_merchant_orders (order_id {key} NOT NULL, "
    "merchant_id TEXT NOT NULL, seq INTEGER NOT NULL, merchant_name TEXT NOT NULL, "
    "placed_at {key} NOT NULL, status TEXT NOT NULL, payment_status TEXT NOT NULL, "
    "fulfilment TEXT NOT NULL, units BIGINT NOT NULL, total_cents BIGINT NOT NULL, "
    "share_cents BIGINT NOT NULL, refunded_cents BIGINT NOT NULL DEFAULT 0, "
    "updated_at TEXT NOT NULL, PRIMARY KEY (order_id, merchant_id))",
    "CREATE INDEX IF NOT EXISTS list_merchant_orders_by_time ON {p}list_merchant_orders "
    "(merchant_id, placed_at, order_id)",
    "CREATE INDEX IF NOT EXISTS list_merchant_orders_by_status ON {p}list_merchant_orders "
    "(merchant_id, status, placed_at, order_id)",
    "CREATE TABLE IF NOT EXISTS {p}list_listings (listing_id {key} PRIMARY KEY, "
    "merchant_id TEXT NOT NULL, status TEXT NOT NULL, title_fr TEXT NOT NULL, title_en TEXT, "
    "category TEXT NOT NULL, price_cents BIGINT NOT NULL, on_hand BIGINT NOT NULL DEFAULT 0, "
    "reserved BIGINT NOT NULL DEFAULT 0, created_at {key} NOT NULL)",
    "CREATE INDEX IF NOT EXISTS list_listings_by_time ON {p}list_listings "
    "(merchant_id, created_at, listing_id)",
    "CREATE INDEX IF NOT EXISTS list_listings_by_status ON {p}list_listings "
    "(merchant_id, status, created_at, listing_id)",
    "CREATE TABLE IF NOT EXISTS {p}list_members (merchant_id {key} NOT NULL, "
    "account_id {key} NOT NULL, membership TEXT NOT NULL, joined_at {key} NOT NULL, "
    "PRIMARY KEY (merchant_id, account_id))",
)
STOCK_ROWS = 250  # listings per statement (4 parameters each)
# The first row names the types (PostgreSQL infers a VALUES column's from it; SQLite keeps them).
STOCK_FIRST_ROW = "(CAST(? AS TEXT), CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT))"
NAMES = ("list_applications", "list_orders", "list_merchant_orders", "list_listings",
         "list_identity_changes", "list_members")


def eligibility_json(findings: Sequence[Finding]) -> str:
    return json.dumps([{**asdict(f), "outcome": str(f.outcome)} for f in findings],
                      ensure_ascii=False, sort_keys=True)


class ListsRows:
    """The unit of work of one batch (projections/lists: ListsUnit)."""

    def __init__(self, cursor: Any, sql: Dialect) -> None:
        self.c, self.sql = cursor, sql
        # listing → [on_hand set to (None: not set), on_hand added, reserved added] in this
        # batch: written by `flush` in a few statements where a stock feed's 1,000 changes
        # were 1,000 (nothing else in a batch reads or writes a listing's stock).
        self._stock: dict[UUID, list[Any]] = {}

    def load(self, events: Any) -> None:
        pass

    def flush(self) -> None:
        changes = [(str(listing_id), *change) for listing_id, change in self._stock.items()]
        for start in range(0, len(changes), STOCK_ROWS):
            chunk = changes[start:start + STOCK_ROWS]
            rows = ", ".join([STOCK_FIRST_ROW] + ["(?, ?, ?, ?)"] * (len(chunk) - 1))
            self._x("UPDATE {p}list_listings SET on_hand = COALESCE(v.column2, on_hand) + "
                    f"v.column3, reserved = reserved + v.column4 FROM (VALUES {rows}) AS v "
                    "WHERE listing_id = v.column1", tuple(x for row in chunk for x in row))
        self._stock.clear()

    def _x(self, text: str, params: tuple) -> None:
        self.c.execute(self.sql(text), params)

    # -- applications ------------------------------------------------------------------------

    def applied(self, merchant_id: UUID, name: str, at: datetime, region: str,
                municipality: str, categories: tuple[str, ...],
                eligibility: tuple[Finding, ...]) -> None:
        self._x("INSERT INTO {p}list_applications VALUES (?, ?, 'under_review', ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (merchant_id) DO NOTHING",
                (str(merchant_id), name, utc_key(at), utc_key(at), region, municipality,
                 json.dumps(list(categories)), eligibility_json(eligibility)))

    def merchant_status(self, merchant_id: UUID, status: str, at: datetime) -> None:
        self._x("UPDATE {p}list_applications SET status = ?, status_at = ? WHERE merchant_id = ?",
                (status, utc_key(at), str(merchant_id)))

    def merchant_place(self, merchant_id: UUID, region: str, municipality: str) -> None:
        self._x("UPDATE {p}list_applications SET region = ?, municipality = ? "
                "WHERE merchant_id = ?", (region, municipality, str(merchant_id)))

    def identity_change(self, merchant_id: UUID, at: datetime, status: str,
                        legal_name: str | None = None, neq: str | None = None) -> None:
        if legal_name is None or neq is None:
            self._x("UPDATE {p}list_identity_changes SET status = ?, decided_at = ? "
                    "WHERE merchant_id = ?", (status, utc_key(at), str(merchant_id)))
            return
        self._x("INSERT INTO {p}list_identity_changes (merchant_id, name, legal_name, neq, "
                "status, requested_at, decided_at) SELECT ?, name, ?, ?, ?, ?, NULL "
                "FROM {p}list_applications WHERE merchant_id = ? ON CONFLICT (merchant_id) "
                "DO UPDATE SET legal_name = excluded.legal_name, neq = excluded.neq, "
                "status = excluded.status, requested_at = excluded.requested_at, "
                "decided_at = NULL",
                (str(merchant_id), legal_name, neq, status, utc_key(at), str(merchant_id)))

    # -- orders ------------------------------------------------------------------------------

    def placed(self, order_id: UUID, consumer_id: UUID, at: datetime, storefront: str | None,
               parts: Sequence[Part]) -> None:
        when = utc_key(at)
        self._x("INSERT INTO {p}list_orders VALUES (?, ?, ?, 'awaiting_payment', 'pending', ?, 0, "
                "?, ?) ON CONFLICT (order_id) DO NOTHING",
                (str(order_id), str(consumer_id), when, sum(p.total_cents for p in parts),
                 storefront, when))
        for seq, p in enumerate(parts):
            self._x("INSERT INTO {p}list_merchant_orders VALUES (?, ?, ?, ?, ?, 'placed', "
                    "'pending', ?, ?, ?, ?, 0, ?) ON CONFLICT (order_id, merchant_id) DO NOTHING",
                    (str(order_id), str(p.merchant_id), seq, p.merchant_name, when, p.fulfilment,
                     p.units, p.total_cents, p.share_cents, when))

    def payment(self, order_id: UUID, at: datetime, payment_status: str | None,
                order_status: str | None, parts_status: str | None = None) -> None:
        for table, status in (("list_orders", order_status), ("list_merchant_orders",
                                                             parts_status)):
            changes = {"payment_status": payment_status, "status": status}
            sets = "".join(f"{column} = ?, " for column, value in changes.items()
                           if value is not None)
            self._x(f"UPDATE {{p}}{table} SET {sets}updated_at = ? WHERE order_id = ?",
                    (*(v for v in changes.values() if v is not None), utc_key(at),
                     str(order_id)))

    def part_status(self, order_id: UUID, merchant_id: UUID, status: str, at: datetime) -> None:
        self._x("UPDATE {p}list_merchant_orders SET status = ?, updated_at = ? "
                "WHERE order_id = ? AND merchant_id = ?",
                (status, utc_key(at), str(order_id), str(merchant_id)))
        self._x("UPDATE {p}list_orders SET updated_at = ? WHERE order_id = ?",
                (utc_key(at), str(order_id)))

    def complete_if_done(self, order_id: UUID, done: Sequence[str], status: str,
                         at: datetime) -> None:
        marks = ", ".join("?" for _ in done)
        self._x("UPDATE {p}list_orders SET status = ?, updated_at = ? WHERE order_id = ? "
                "AND NOT EXISTS (SELECT 1 FROM {p}list_merchant_orders WHERE order_id = ? "
                f"AND status NOT IN ({marks}))",
                (status, utc_key(at), str(order_id), str(order_id), *done))

    def refunded(self, order_id: UUID, merchant_id: UUID, cents: int, at: datetime) -> None:
        self._x("UPDATE {p}list_merchant_orders SET refunded_cents = refunded_cents + ?, "
                "updated_at = ? WHERE order_id = ? AND merchant_id = ?",
                (cents, utc_key(at), str(order_id), str(merchant_id)))
        self._x("UPDATE {p}list_orders SET refunded_cents = refunded_cents + ?, updated_at = ? "
                "WHERE order_id = ?", (cents, utc_key(at), str(order_id)))

    # -- listings ----------------------------------------------------------------------------

    def listing_created(self, listing_id: UUID, merchant_id: UUID, at: datetime, title_fr: str,
                        title_en: str | None, category: str, price_cents: int) -> None:
        self._x("INSERT INTO {p}list_listings VALUES (?, ?, 'draft', ?, ?, ?, ?, 0, 0, ?) "
                "ON CONFLICT (listing_id) DO NOTHING",
                (str(listing_id), str(merchant_id), title_fr, title_en, category, price_cents,
                 utc_key(at)))

    def listing_revised(self, listing_id: UUID, title_fr: str, title_en: str | None,
                        category: str) -> None:
        self._x("UPDATE {p}list_listings SET title_fr = ?, title_en = ?, category = ? "
                "WHERE listing_id = ?", (title_fr, title_en, category, str(listing_id)))

    def listing_repriced(self, listing_id: UUID, price_cents: int) -> None:
        self._x("UPDATE {p}list_listings SET price_cents = ? WHERE listing_id = ?",
                (price_cents, str(listing_id)))

    def listing_status(self, listing_id: UUID, status: str) -> None:
        self._x("UPDATE {p}list_listings SET status = ? WHERE listing_id = ?",
                (status, str(listing_id)))

    def stock(self, listing_id: UUID, *, on_hand: int | None = None, on_hand_delta: int = 0,
              reserved_delta: int = 0) -> None:
        change = self._stock.setdefault(listing_id, [None, 0, 0])
        if on_hand is not None:
            change[0], change[1] = on_hand, 0  # what was added before is replaced
        change[1] += on_hand_delta
        change[2] += reserved_delta

    # -- merchants' people -------------------------------------------------------------------

    def member_joined(self, merchant_id: UUID, account_id: UUID, membership: str,
                      at: datetime) -> None:
        self._x("INSERT INTO {p}list_members VALUES (?, ?, ?, ?) ON CONFLICT (merchant_id, "
                "account_id) DO UPDATE SET membership = excluded.membership",
                (str(merchant_id), str(account_id), membership, utc_key(at)))

    def member_left(self, merchant_id: UUID, account_id: UUID) -> None:
        self._x("DELETE FROM {p}list_members WHERE merchant_id = ? AND account_id = ?",
                (str(merchant_id), str(account_id)))
