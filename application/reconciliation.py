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
from typing import Any
from uuid import UUID

from application.ports import PaymentGateway


@dataclass(frozen=True)
class Difference:
    order_id: UUID
    merchant_id: UUID | None
    what: str  # captured, refunded, paid, transfers
    ledger: int  # cents (or a count, for transfers)
    gateway: int


def reconcile(ledger_rows: Iterable[dict[str, Any]],
              gateway: PaymentGateway) -> list[Difference]:
    """`ledger_rows`: the payouts ledger's rows (one per merchant order, amounts summed)."""
    orders: dict[UUID, list[dict[str, Any]]] = defaultdict(list)
    for row in ledger_rows:
        orders[UUID(str(row["order_id"]))].append(row)
    differences: list[Difference] = []
    for order_id, rows in orders.items():
        records = gateway.order_records(order_id, rows[0]["payment_id"])
        differences += _compare(order_id, None, "captured", sum(r["gross"] for r in rows),
                                records.captured.cents)
        differences += _compare(order_id, None, "refunded", sum(r["refund"] for r in rows),
                                records.refunded.cents)
        transfers = defaultdict(list)
        for t in records.transfers:
            transfers[t.merchant_id].append(t)
        for row in rows:
            merchant_id = UUID(str(row["merchant_id"]))
            made = transfers.pop(merchant_id, [])
            differences += _compare(order_id, merchant_id, "paid",
                                    row["transfer"] - row["reversal"],
                                    sum(t.amount.cents - t.reversed.cents for t in made))
            differences += _compare(order_id, merchant_id, "transfers",
                                    1 if row["transfer_id"] else 0, len(made))
        for merchant_id, made in transfers.items():  # transfers the ledger knows nothing of
            differences.append(Difference(order_id, merchant_id, "transfers", 0, len(made)))
    return differences


def _compare(order_id: UUID, merchant_id: UUID | None, what: str, ledger: int,
             gateway: int) -> list[Difference]:
    return [] if ledger == gateway else [Difference(order_id, merchant_id, what, ledger, gateway)]
