"""The payouts ledger (projections/payouts_ledger.py) in SQLite and in PostgreSQL.

One SQL text serves both: plain types (text ids, integer cents, ISO-8601 UTC text times that
sort as text), `INSERT … ON CONFLICT`; only the placeholder style and the schema differ.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder
from eventsourcing.sqlite import SQLiteTrackingRecorder
from psycopg import sql

from adapters.ledger_pages import LedgerPages
from adapters.sql_dialect import Dialect, as_tuple
from adapters.sqlite_datastore import read_model_datastore
from adapters.tracked_store import UPSTREAM, TrackedStore
from application.payout_statements import LedgerFigures, LedgerOrder, StatementEntry
from domain.money import Money
from projections.payouts_ledger import KINDS, PayoutsLedgerProjection, month_of


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


TABLES = (
    "CREATE TABLE IF NOT EXISTS {p}ledger_payouts (payout_id TEXT PRIMARY KEY, "
    "merchant_id TEXT NOT NULL, order_id TEXT NOT NULL, payment_id TEXT NOT NULL, "
    "remitter TEXT NOT NULL, captured_at TEXT NOT NULL, status TEXT NOT NULL, "
    "due INTEGER NOT NULL DEFAULT 0, transfer_id TEXT, reported_reversed INTEGER)",
    "CREATE INDEX IF NOT EXISTS ledger_payouts_by_merchant ON {p}ledger_payouts "
    "(merchant_id, captured_at)",
    "CREATE INDEX IF NOT EXISTS ledger_payouts_by_status ON {p}ledger_payouts "
    "(status, captured_at)",
    "CREATE TABLE IF NOT EXISTS {p}ledger_entries (entry_id TEXT PRIMARY KEY, "
    "payout_id TEXT NOT NULL, merchant_id TEXT NOT NULL, month TEXT NOT NULL, at TEXT NOT NULL, "
    "kind TEXT NOT NULL, amount INTEGER NOT NULL, ref TEXT)",
    "CREATE INDEX IF NOT EXISTS ledger_entries_by_payout ON {p}ledger_entries (payout_id)",
    "CREATE INDEX IF NOT EXISTS ledger_entries_by_month ON {p}ledger_entries "
    "(merchant_id, month, at)",
    "CREATE TABLE IF NOT EXISTS {p}ledger_reversals (payout_id TEXT NOT NULL, "
    "number INTEGER NOT NULL, amount INTEGER NOT NULL, status TEXT NOT NULL, reason TEXT, "
    "PRIMARY KEY (payout_id, number))",
)

SUMS = ", ".join(f"COALESCE(SUM(CASE WHEN e.kind = '{k}' THEN e.amount END), 0) AS {k}"
                 for k in KINDS)


class LedgerUnit:
    def __init__(self, cursor: Any, sql: Dialect) -> None:
        self.c, self.sql = cursor, sql
        # Consecutive statements of one text, sent as one `executemany` (a payout's seven
        # entries at capture): the order of every statement is kept.
        self._text: str | None = None
        self._rows: list[tuple] = []

    def load(self, events: Any) -> None:
        pass

    def flush(self) -> None:
        if self._rows:
            self.c.executemany(self.sql(str(self._text)), self._rows)
        self._text, self._rows = None, []

    def _x(self, text: str, params: tuple) -> None:
        if text != self._text:
            self.flush()
            self._text = text
        self._rows.append(params)

    def open(self, payout_id: UUID, merchant_id: UUID, order_id: UUID, payment_id: str,
             remitter: str, at: datetime) -> None:
        self._x("INSERT INTO {p}ledger_payouts (payout_id, merchant_id, order_id, payment_id, "
                "remitter, captured_at, status) VALUES (?, ?, ?, ?, ?, ?, 'waiting') "
                "ON CONFLICT (payout_id) DO NOTHING",
                (str(payout_id), str(merchant_id), str(order_id), payment_id, remitter, _utc(at)))

    def entry(self, entry_id: str, payout_id: UUID, at: datetime, kind: str, amount: Money,
              ref: str | None = None) -> None:
        self._x("INSERT INTO {p}ledger_entries SELECT ?, payout_id, merchant_id, ?, ?, ?, ?, ? "
                "FROM {p}ledger_payouts WHERE payout_id = ? ON CONFLICT (entry_id) DO NOTHING",
                (entry_id, month_of(at), _utc(at), kind, amount.cents, ref, str(payout_id)))

    def status(self, payout_id: UUID, status: str) -> None:
        self._x("UPDATE {p}ledger_payouts SET status = ? WHERE payout_id = ?",
                (status, str(payout_id)))

    def transfer_due(self, payout_id: UUID, amount: Money) -> None:
        self._x("UPDATE {p}ledger_payouts SET status = 'due', due = ? WHERE payout_id = ?",
                (amount.cents, str(payout_id)))

    def transferred(self, entry_id: str, payout_id: UUID, at: datetime,
                    transfer_id: str) -> None:
        self._x("UPDATE {p}ledger_payouts SET status = 'transferred', transfer_id = ? "
                "WHERE payout_id = ?", (transfer_id, str(payout_id)))
        self._x("INSERT INTO {p}ledger_entries SELECT ?, payout_id, merchant_id, ?, ?, "
                "'transfer', due, ? FROM {p}ledger_payouts WHERE payout_id = ? "
                "ON CONFLICT (entry_id) DO NOTHING",
                (entry_id, month_of(at), _utc(at), transfer_id, str(payout_id)))

    def reversal(self, payout_id: UUID, number: int, status: str, amount: Money | None = None,
                 reason: str | None = None) -> None:
        if amount is not None:
            self._x("INSERT INTO {p}ledger_reversals VALUES (?, ?, ?, ?, NULL) "
                    "ON CONFLICT (payout_id, number) DO NOTHING",
                    (str(payout_id), number, amount.cents, status))
        else:
            self._x("UPDATE {p}ledger_reversals SET status = ?, reason = ? "
                    "WHERE payout_id = ? AND number = ?", (status, reason, str(payout_id), number))

    def reversed(self, entry_id: str, payout_id: UUID, number: int, at: datetime,
                 reversal_id: str) -> None:
        self.reversal(payout_id, number, "done")
        self._x("INSERT INTO {p}ledger_entries SELECT ?, r.payout_id, p.merchant_id, ?, ?, "
                "'reversal', r.amount, ? FROM {p}ledger_reversals r JOIN {p}ledger_payouts p "
                "ON p.payout_id = r.payout_id WHERE r.payout_id = ? AND r.number = ? "
                "ON CONFLICT (entry_id) DO NOTHING",
                (entry_id, month_of(at), _utc(at), reversal_id, str(payout_id), number))

    def reported_reversed(self, payout_id: UUID, amount: Money) -> None:
        self._x("UPDATE {p}ledger_payouts SET reported_reversed = ? WHERE payout_id = ?",
                (amount.cents, str(payout_id)))


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _rows(cursor: Any) -> list[tuple]:
    return [as_tuple(r) for r in cursor.fetchall()]


class LedgerQueries:
    """Reading the ledger (needs `datastore` and `sql` from the store it is mixed into)."""

    datastore: Any
    sql: Dialect

    def _query(self, text: str, params: tuple = ()) -> list[tuple]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(self.sql(text), params)
            return _rows(c)

    def orders(self, merchant_id: UUID | None = None) -> list[dict[str, Any]]:
        """One row per payout (merchant order), oldest first, with every amount summed."""
        where, params = ("WHERE p.merchant_id = ?", (str(merchant_id),)) if merchant_id else (
            "", ())
        rows = self._query(
            "SELECT p.payout_id, p.merchant_id, p.order_id, p.payment_id, p.remitter, "
            "p.captured_at, p.status, p.transfer_id, p.reported_reversed, "
            "(SELECT COUNT(*) FROM {p}ledger_reversals r WHERE r.payout_id = p.payout_id "
            " AND r.status = 'due') AS reversals_due, "
            "(SELECT COUNT(*) FROM {p}ledger_reversals r WHERE r.payout_id = p.payout_id "
            " AND r.status = 'refused') AS reversals_refused, "
            f"{SUMS} FROM {{p}}ledger_payouts p "
            f"LEFT JOIN {{p}}ledger_entries e ON e.payout_id = p.payout_id {where} "
            "GROUP BY p.payout_id, p.merchant_id, p.order_id, p.payment_id, p.remitter, "
            "p.captured_at, p.status, p.transfer_id, p.reported_reversed "
            "ORDER BY p.captured_at, p.payout_id", params)
        names = ["payout_id", "merchant_id", "order_id", "payment_id", "remitter", "captured_at",
                 "status", "transfer_id", "reported_reversed", "reversals_due",
                 "reversals_refused", *KINDS]
        return [dict(zip(names, row, strict=True)) for row in rows]

    def entries(self, merchant_id: UUID, month: str) -> list[dict[str, Any]]:
        rows = self._query(
            "SELECT e.at, p.order_id, e.kind, e.amount, p.remitter, e.ref "
            "FROM {p}ledger_entries e JOIN {p}ledger_payouts p ON p.payout_id = e.payout_id "
            "WHERE e.merchant_id = ? AND e.month = ? ORDER BY e.at, e.entry_id",
            (str(merchant_id), month))
        return [dict(zip(("at", "order_id", "kind", "amount", "remitter", "ref"), r,
                         strict=True)) for r in rows]

    def payouts_of(self, merchant_id: UUID | None = None) -> list[LedgerOrder]:
        """`application.payout_statements.PayoutsLedger`."""
        return [LedgerOrder(
            UUID(r["order_id"]), UUID(r["merchant_id"]), r["payment_id"],
            _moment(r["captured_at"]), r["status"],
            r["remitter"], r["transfer_id"], r["reversals_due"], r["reversals_refused"],
            LedgerFigures(**{k: int(r[k]) for k in KINDS})) for r in self.orders(merchant_id)]

    def entries_of(self, merchant_id: UUID, month: str) -> list[StatementEntry]:
        return [StatementEntry(_moment(e["at"]), UUID(e["order_id"]), e["kind"], e["amount"],
                               e["remitter"], e["ref"]) for e in self.entries(merchant_id, month)]

    def waiting_since(self, captured_before: datetime, limit: int) -> list[UUID]:
        rows = self._query("SELECT payout_id FROM {p}ledger_payouts WHERE status = 'waiting' "
                           "AND captured_at <= ? ORDER BY captured_at LIMIT ?",
                           (_utc(captured_before), limit))
        return [UUID(r[0]) for r in rows]

    def unfinished(self, limit: int) -> list[UUID]:
        """Payouts whose transfer is due, or with a reversal due or refused."""
        rows = self._query(
            "SELECT payout_id FROM {p}ledger_payouts WHERE status = 'due' UNION "
            "SELECT payout_id FROM {p}ledger_reversals WHERE status IN ('due', 'refused') "
            "LIMIT ?", (limit,))
        return sorted(UUID(r[0]) for r in rows)

    def dump(self) -> list[tuple]:
        return [tuple(sorted(row.items())) for row in self.orders()]


class SQLiteLedgerStore(LedgerPages, LedgerQueries, TrackedStore, SQLiteTrackingRecorder):
    sql = Dialect("?", "")

    def __init__(self, path: Path) -> None:
        super().__init__(read_model_datastore(path, pool_size=2))
        self.projection = PayoutsLedgerProjection()
        self.create_table()

    def construct_create_table_statements(self) -> list[str]:
        return [*super().construct_create_table_statements(), *(self.sql(t) for t in TABLES)]

    def unit_of_work(self, cursor: Any) -> LedgerUnit:
        return LedgerUnit(cursor, self.sql)

    def reset(self) -> None:
        with self.datastore.transaction(commit=True) as c:
            for table in ("ledger_payouts", "ledger_entries", "ledger_reversals"):
                c.execute(f"DELETE FROM {table}")  # noqa: S608 - a constant name
            c.execute("DELETE FROM tracking WHERE application_name = ?", (UPSTREAM,))

    def rebuilt(self) -> None:
        pass


class PostgresLedgerStore(LedgerPages, LedgerQueries, TrackedStore,
                          PostgresTrackingRecorder):
    def __init__(self, datastore: PostgresDatastore) -> None:
        super().__init__(datastore, tracking_table_name="ledger_tracking")
        self.schema = datastore.schema
        self.sql = Dialect("%s", f'"{self.schema}".')
        # eventsourcing declares list[Composed] yet puts plain SQL in it too, as we do here.
        self.sql_create_statements += [sql.SQL(self.sql(t)) for t in TABLES]  # type: ignore[misc]
        self.projection = PayoutsLedgerProjection()
        self.create_table()

    def unit_of_work(self, cursor: Any) -> LedgerUnit:
        return LedgerUnit(cursor, self.sql)

    def reset(self) -> None:
        with self.datastore.transaction(commit=True) as c:
            for table in ("ledger_payouts", "ledger_entries", "ledger_reversals",
                          self.tracking_table_name):
                c.execute(f'DELETE FROM "{self.schema}"."{table}"')  # noqa: S608

    def rebuilt(self) -> None:
        pass
