"""Reconciliation: the payouts ledger against the gateway's own records, order by order.

For every order in the ledger: what the gateway captured equals the sum of its merchant orders'
gross; what it refunded equals the refunds recorded; and, per merchant, what it transferred
net of reversals equals what the ledger says was paid — through one transfer at most, and
none to a merchant the ledger does not know for that order.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

from application.payout_statements import LedgerOrder
from application.ports import PaymentGateway


@dataclass(frozen=True)
class Difference:
    order_id: UUID
    merchant_id: UUID | None
    what: str  # captured, refunded, paid, transfers
    ledger: int  # cents (or a count, for transfers)
    gateway: int


def reconcile(ledger: Iterable[LedgerOrder], gateway: PaymentGateway) -> list[Difference]:
    """`ledger`: the payouts ledger's merchant orders (amounts summed)."""
    orders: dict[UUID, list[LedgerOrder]] = defaultdict(list)
    for row in ledger:
        orders[row.order_id].append(row)
    differences: list[Difference] = []
    for order_id, rows in orders.items():
        records = gateway.order_records(order_id, rows[0].payment_id)
        differences += _compare(order_id, None, "captured",
                                sum(r.figures.gross for r in rows), records.captured.cents)
        differences += _compare(order_id, None, "refunded",
                                sum(r.figures.refund for r in rows), records.refunded.cents)
        transfers = defaultdict(list)
        for t in records.transfers:
            transfers[t.merchant_id].append(t)
        for row in rows:
            made = transfers.pop(row.merchant_id, [])
            differences += _compare(order_id, row.merchant_id, "paid", row.figures.paid,
                                    sum(t.amount.cents - t.reversed.cents for t in made))
            differences += _compare(order_id, row.merchant_id, "transfers",
                                    1 if row.transfer_id else 0, len(made))
        for merchant_id, made in transfers.items():  # transfers the ledger knows nothing of
            differences.append(Difference(order_id, merchant_id, "transfers", 0, len(made)))
    return differences


def _compare(order_id: UUID, merchant_id: UUID | None, what: str, ledger: int,
             gateway: int) -> list[Difference]:
    return [] if ledger == gateway else [Difference(order_id, merchant_id, what, ledger, gateway)]
