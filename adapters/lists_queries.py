"""Reading the lists read model: keyset pages (application/paging.py) and their counts, one
SQL text for SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from adapters.sql_dialect import Dialect, as_tuple, one_snapshot
from application.list_rows import (
    ApplicationRow,
    ConsumerOrderRow,
    IdentityChangeRow,
    ListingRow,
    MerchantOrderRow,
    OrderFilters,
)
from application.paging import Window, from_key, utc_key
from domain.eligibility import Finding, Outcome

Where = list[tuple[str, tuple]]

APPLICATION = ("merchant_id, name, status, applied_at, status_at, region, municipality, "
               "categories, eligibility")
MERCHANT_ORDER = ("order_id, merchant_id, merchant_name, placed_at, status, payment_status, "
                  "fulfilment, units, total_cents, share_cents, refunded_cents, updated_at")
ORDER = ("order_id, consumer_id, placed_at, status, payment_status, total_cents, "
         "refunded_cents, storefront")
IDENTITY_CHANGE = "merchant_id, name, legal_name, neq, status, requested_at, decided_at"
LISTING = ("listing_id, merchant_id, status, title_fr, title_en, category, price_cents, "
           "on_hand, reserved, created_at")


def one_of(column: str, values: Sequence[str]) -> Where:
    return [(f"{column} IN ({', '.join('?' for _ in values)})", tuple(values))] if values else []


def placed_within(f: OrderFilters) -> Where:
    return ([("placed_at >= ?", (utc_key(f.placed_after),))] if f.placed_after else []) + (
        [("placed_at < ?", (utc_key(f.placed_before),))] if f.placed_before else [])


def _findings(text: str) -> tuple[Finding, ...]:
    return tuple(Finding(f["rule"], Outcome(f["outcome"]), f["code"], f["params"])
                 for f in json.loads(text))


def _merchant_order(r: tuple) -> MerchantOrderRow:
    return MerchantOrderRow(UUID(r[0]), UUID(r[1]), r[2], from_key(r[3]), r[4], r[5], r[6],
                            int(r[7]), int(r[8]), int(r[9]), int(r[10]), from_key(r[11]),
                            (r[3], r[0]))


class ListsQueries:
    """Needs `datastore` and `sql` from the store it is mixed into."""

    datastore: Any
    sql: Dialect

    def applications(self, statuses: Sequence[str], region: str | None,
                     window: Window) -> tuple[list[ApplicationRow], int]:
        where = one_of("status", statuses) + ([("region = ?", (region,))] if region else [])
        rows, total = self._page("list_applications", APPLICATION, "applied_at", "merchant_id",
                                 where, window)
        return [ApplicationRow(UUID(r[0]), r[1], r[2], from_key(r[3]), from_key(r[4]), r[5],
                               r[6], tuple(json.loads(r[7])), _findings(r[8]), (r[3], r[0]))
                for r in rows], total

    def identity_changes(self, statuses: Sequence[str],
                         window: Window) -> tuple[list[IdentityChangeRow], int]:
        rows, total = self._page("list_identity_changes", IDENTITY_CHANGE, "requested_at",
                                 "merchant_id", one_of("status", statuses), window)
        return [IdentityChangeRow(UUID(r[0]), r[1], r[2], r[3], r[4], from_key(r[5]),
                                  from_key(r[6]) if r[6] else None, (r[5], r[0]))
                for r in rows], total

    def merchant_orders(self, merchant_id: UUID, filters: OrderFilters,
                        window: Window) -> tuple[list[MerchantOrderRow], int]:
        where = [("merchant_id = ?", (str(merchant_id),)), *one_of("status", filters.statuses),
                 *one_of("payment_status", filters.payment_statuses), *placed_within(filters)]
        rows, total = self._page("list_merchant_orders", MERCHANT_ORDER, "placed_at", "order_id",
                                 where, window)
        return [_merchant_order(r) for r in rows], total

    def consumer_orders(self, consumer_id: UUID, filters: OrderFilters,
                        window: Window) -> tuple[list[ConsumerOrderRow], int]:
        where = [("consumer_id = ?", (str(consumer_id),)), *one_of("status", filters.statuses),
                 *one_of("payment_status", filters.payment_statuses), *placed_within(filters)]
        rows, total = self._page("list_orders", ORDER, "placed_at", "order_id", where, window)
        parts: dict[str, list[MerchantOrderRow]] = {r[0]: [] for r in rows}
        if parts:
            [(condition, ids)] = one_of("order_id", list(parts))
            for r in self._select(f"SELECT {MERCHANT_ORDER} FROM {{p}}list_merchant_orders "
                                  f"WHERE {condition} ORDER BY order_id, seq", ids):
                parts[r[0]].append(_merchant_order(r))
        return [ConsumerOrderRow(UUID(r[0]), UUID(r[1]), from_key(r[2]), r[3], r[4], int(r[5]),
                                 int(r[6]), r[7], tuple(parts[r[0]]), (r[2], r[0]))
                for r in rows], total

    def merchant_listings(self, merchant_id: UUID, statuses: Sequence[str],
                          window: Window) -> tuple[list[ListingRow], int]:
        where = [("merchant_id = ?", (str(merchant_id),)), *one_of("status", statuses)]
        rows, total = self._page("list_listings", LISTING, "created_at", "listing_id", where,
                                 window)
        return [ListingRow(UUID(r[0]), UUID(r[1]), r[2], r[3], r[4], r[5], int(r[6]), int(r[7]),
                           int(r[8]), from_key(r[9]), (r[9], r[0])) for r in rows], total

    def members_of(self, merchant_id: UUID) -> list[UUID]:
        """The account ids of the merchant's people, in the order they joined."""
        return [UUID(r[0]) for r in self._select(
            "SELECT account_id FROM {p}list_members WHERE merchant_id = ? "
            "ORDER BY joined_at, account_id", (str(merchant_id),))]

    def _page(self, table: str, columns: str, key: str, ident: str, where: Where,
              window: Window) -> tuple[list[tuple], int]:
        """The window's rows, ordered by (key, ident), and how many rows match `where`."""
        condition = " AND ".join(w for w, _ in where) or "1 = 1"
        params = tuple(p for _, values in where for p in values)
        direction, beyond = ("DESC", "<") if window.newest_first else ("ASC", ">")
        keyset = ""
        after: tuple[str, ...] = ()
        if window.after is not None:
            keyset, after = f" AND ({key}, {ident}) {beyond} (?, ?)", window.after
        with one_snapshot(self.datastore) as c:
            c.execute(self.sql(f"SELECT COUNT(*) FROM {{p}}{table} WHERE {condition}"), params)
            total = int(as_tuple(c.fetchone())[0])
            c.execute(self.sql(f"SELECT {columns} FROM {{p}}{table} WHERE {condition}{keyset} "
                               f"ORDER BY {key} {direction}, {ident} {direction} LIMIT ?"),
                      (*params, *after, window.limit))
            return [as_tuple(r) for r in c.fetchall()], total

    def _select(self, text: str, params: tuple = ()) -> list[tuple]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(self.sql(text), params)
            return [as_tuple(r) for r in c.fetchall()]

    def dump(self) -> tuple[list[tuple], ...]:
        """Every row of every table, in key order (a rebuild must give the same)."""
        keys = {"list_applications": "merchant_id", "list_orders": "order_id",
                "list_merchant_orders": "order_id, merchant_id", "list_listings": "listing_id",
                "list_identity_changes": "merchant_id",
                "list_members": "merchant_id, account_id"}
        return tuple(self._select(f"SELECT * FROM {{p}}{table} ORDER BY {key}")  # noqa: S608
                     for table, key in keys.items())
