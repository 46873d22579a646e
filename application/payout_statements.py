"""What a merchant is owed and was paid: the payouts ledger read for its merchant or staff.

The ledger is a read model (projections/payouts_ledger.py, one row per merchant order with
every amount summed, and dated entries); this query service adds who may read it and the
arithmetic people read it for, in one place: what is still owed, what was paid.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Protocol
from uuid import UUID

from application.actors import Actor
from application.errors import NotFoundError
from application.paging import PageRequest, Position, Window, paged
from domain.errors import FieldErrors, InvalidValueError

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
PAYOUT_STATUSES = ("waiting", "held", "due", "transferred", "closed")
OLDEST_FIRST = PageRequest(newest_first=False)


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
    # Where it sorts in a page (paging.py): captured at, payout id; not part of its value.
    position: Position = field(default=("", ""), compare=False)


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

    def payouts_page(self, merchant_id: UUID, statuses: Sequence[str], window: Window
                     ) -> tuple[list[LedgerOrder], int, LedgerFigures]:
        """The window's payouts of one merchant, how many match, and their sums."""


@dataclass(frozen=True)
class Ledger:
    merchant_id: UUID
    totals: LedgerFigures  # of every payout matching the filters, not only this page's
    orders: list[LedgerOrder]
    next: str | None = None  # the cursor of the next page
    total: int = 0  # payouts matching the filters


@dataclass(frozen=True)
class Statement:
    merchant_id: UUID
    month: str
    totals: LedgerFigures
    entries: list[StatementEntry]


class PayoutStatements:
    def __init__(self, ledger: PayoutsLedger) -> None:
        self.ledger_model = ledger

    def ledger(self, actor: Actor, merchant_id: UUID, statuses: Iterable[str] = (),
               page: PageRequest = OLDEST_FIRST) -> Ledger:
        """One page of the merchant's payouts (oldest first by default), filtered by status
        (docs/lists.md), with the totals of every payout the filters match."""
        self._may_read(actor, merchant_id)
        wanted = tuple(sorted(set(statuses)))
        errors = FieldErrors()
        for status in wanted:
            if status not in PAYOUT_STATUSES:
                errors.add("status", "status_unknown", value=status[:40],
                           allowed=", ".join(PAYOUT_STATUSES))
        errors.raise_if_any()
        sums: list[LedgerFigures] = []

        def fetch(window: Window) -> tuple[list[LedgerOrder], int]:
            rows, total, figures = self.ledger_model.payouts_page(merchant_id, wanted, window)
            sums.append(figures)
            return rows, total

        found = paged("payouts", {"merchant": merchant_id, "status": wanted}, page, fetch)
        return Ledger(merchant_id, sums[0], found.items, found.next, found.total)

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
