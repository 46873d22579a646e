"""Pages of the payouts ledger (adapters/ledger_stores.py): one merchant's payouts, filtered
by status, in keyset pages (application/paging.py), with the count and the sums of every
payout the filters match, all read in one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from adapters.sql_dialect import Dialect, as_tuple, one_snapshot
from application.paging import Window, from_key
from application.payout_statements import LedgerFigures, LedgerOrder
from projections.payouts_ledger import KINDS

SUMS = ", ".join(f"COALESCE(SUM(CASE WHEN e.kind = '{k}' THEN e.amount END), 0) AS {k}"
                 for k in KINDS)
COLUMNS = ("payout_id", "merchant_id", "order_id", "payment_id", "remitter", "captured_at",
           "status", "transfer_id", "reported_reversed")
_P = ", ".join(f"p.{c}" for c in COLUMNS)


class LedgerPages:
    """Needs `datastore` and `sql` from the store it is mixed into."""

    datastore: Any
    sql: Dialect

    def payouts_page(self, merchant_id: UUID, statuses: Sequence[str], window: Window
                     ) -> tuple[list[LedgerOrder], int, LedgerFigures]:
        where = "p.merchant_id = ?" + (
            f" AND p.status IN ({', '.join('?' for _ in statuses)})" if statuses else "")
        params: tuple = (str(merchant_id), *statuses)
        direction, beyond = ("DESC", "<") if window.newest_first else ("ASC", ">")
        keyset = ""
        after: tuple[str, ...] = ()
        if window.after is not None:
            keyset, after = f" AND (p.captured_at, p.payout_id) {beyond} (?, ?)", window.after
        with one_snapshot(self.datastore) as c:
            c.execute(self.sql(
                f"SELECT COUNT(DISTINCT p.payout_id), {SUMS} FROM {{p}}ledger_payouts p "
                f"LEFT JOIN {{p}}ledger_entries e ON e.payout_id = p.payout_id WHERE {where}"),
                params)
            counted = as_tuple(c.fetchone())
            c.execute(self.sql(
                f"SELECT {_P}, "
                "(SELECT COUNT(*) FROM {p}ledger_reversals r WHERE r.payout_id = p.payout_id "
                " AND r.status = 'due') AS reversals_due, "
                "(SELECT COUNT(*) FROM {p}ledger_reversals r WHERE r.payout_id = p.payout_id "
                f" AND r.status = 'refused') AS reversals_refused, {SUMS} "
                f"FROM (SELECT * FROM {{p}}ledger_payouts p WHERE {where}{keyset} "
                f"ORDER BY p.captured_at {direction}, p.payout_id {direction} LIMIT ?) p "
                "LEFT JOIN {p}ledger_entries e ON e.payout_id = p.payout_id "
                f"GROUP BY {_P} ORDER BY p.captured_at {direction}, p.payout_id {direction}"),
                (*params, *after, window.limit))
            rows = [as_tuple(r) for r in c.fetchall()]
        return ([_order(r) for r in rows], int(counted[0]),
                LedgerFigures(**{k: int(v) for k, v in zip(KINDS, counted[1:], strict=True)}))


def _order(r: tuple) -> LedgerOrder:
    row = dict(zip((*COLUMNS, "reversals_due", "reversals_refused", *KINDS), r, strict=True))
    return LedgerOrder(
        UUID(row["order_id"]), UUID(row["merchant_id"]), row["payment_id"],
        from_key(row["captured_at"]), row["status"], row["remitter"], row["transfer_id"],
        int(row["reversals_due"]), int(row["reversals_refused"]),
        LedgerFigures(**{k: int(row[k]) for k in KINDS}),
        position=(row["captured_at"], row["payout_id"]))
