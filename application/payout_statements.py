"""What a merchant is owed and was paid: the payouts ledger read for its merchant or staff.

The ledger is a read model (projections/payouts_ledger.py, one row per merchant order with
every amount summed, and dated entries); this query service adds who may read it and the
arithmetic people read it for, in one place: what is still owed, what was paid.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Protocol
from uuid import UUID

from application.actors import Actor
from application.errors import NotFoundError
from domain.errors import InvalidValueError

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class LedgerFigures:
    """Amounts in cents, summed over one merchant order or several."""

    gross: int = 0  # what the consumer paid
    goods: int = 0
    fee: int = 0  # delivery or shipping
    gst: int = 0
    qst: int = 0
    commission: int = 0
    share: int = 0  # the merchant's, before refunds
    refund: int = 0
    refund_gst: int = 0
    refund_qst: int = 0
    refund_commission: int = 0
    refund_share: int = 0
    transfer: int = 0
    reversal: int = 0

    @property
    def owed(self) -> int:
        """Still owed to the merchant (negative: owed back)."""
        return self.share - self.refund_share - self.transfer + self.reversal

    @property
    def paid(self) -> int:
        return self.transfer - self.reversal

    @classmethod
    def total(cls, many: list[LedgerFigures]) -> LedgerFigures:
        return cls(**{f.name: sum(getattr(m, f.name) for m in many) for f in fields(cls)})


@dataclass(frozen=True)
class LedgerOrder:
    """One merchant order's payout, as the ledger sums it."""

    order_id: UUID
    merchant_id: UUID
    payment_id: str  # the gateway's charge
    captured_at: datetime
    status: str  # waiting, held, due, transferred, closed
    remitter: str  # who remits the taxes: merchant or platform
    transfer_id: str | None
    reversals_due: int
    reversals_refused: int
    figures: LedgerFigures


@dataclass(frozen=True)
class StatementEntry:
    at: datetime
    order_id: UUID
    kind: str  # one of LedgerFigures' names
    amount: int
    remitter: str
    reference: str | None  # the refund, transfer or reversal


class PayoutsLedger(Protocol):
    def payouts_of(self, merchant_id: UUID | None = None) -> list[LedgerOrder]:
        """One merchant's (or every merchant's), oldest first."""

    def entries_of(self, merchant_id: UUID, month: str) -> list[StatementEntry]:
        """A month's entries (YYYY-MM in Québec's time zone), in time order."""


@dataclass(frozen=True)
class Ledger:
    merchant_id: UUID
    totals: LedgerFigures
    orders: list[LedgerOrder]


@dataclass(frozen=True)
class Statement:
    merchant_id: UUID
    month: str
    totals: LedgerFigures
    entries: list[StatementEntry]


class PayoutStatements:
    def __init__(self, ledger: PayoutsLedger) -> None:
        self.ledger_model = ledger

    def ledger(self, actor: Actor, merchant_id: UUID) -> Ledger:
        self._may_read(actor, merchant_id)
        orders = self.ledger_model.payouts_of(merchant_id)
        return Ledger(merchant_id, LedgerFigures.total([o.figures for o in orders]), orders)

    def statement(self, actor: Actor, merchant_id: UUID, month: str) -> Statement:
        self._may_read(actor, merchant_id)
        if not _MONTH.match(month):
            raise InvalidValueError("month_invalid", field="month")
        entries = self.ledger_model.entries_of(merchant_id, month)
        summed: dict[str, int] = {}
        for e in entries:
            summed[e.kind] = summed.get(e.kind, 0) + e.amount
        return Statement(merchant_id, month, LedgerFigures(**summed), entries)

    @staticmethod
    def _may_read(actor: Actor, merchant_id: UUID) -> None:
        """The merchant's owner and staff; to anyone else a merchant's payouts do not exist."""
        actor.require_signed_in()
        if not (actor.owns(merchant_id) or actor.reads_everything):
            raise NotFoundError("merchant")
