"""The payouts ledger: per merchant and per order, every amount that concerns its payout.

Fed by the Payout aggregates' events only (they carry the merchant order's figures from the
capture on), as append-only entries dated when they happened, so that a monthly statement is
the sum of that month's entries and a balance is the sum of all of them:

    gross, goods, fee, gst, qst (with who remits them), commission, share   (at capture)
    refund, refund_gst, refund_qst, refund_commission, refund_share        (each refund)
    transfer, reversal                                                     (gateway outcomes)

Owed to the merchant = share − refund_share − transfer + reversal.
Statements are by calendar month in Québec's time zone.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.utils import get_topic

from domain.money import Money
from domain.payout import Payout
from domain.quebec import CIVIL_TIME

SALE_KINDS = ("gross", "goods", "fee", "gst", "qst", "commission", "share")
REFUND_KINDS = ("refund", "refund_gst", "refund_qst", "refund_commission", "refund_share")
KINDS = (*SALE_KINDS, *REFUND_KINDS, "transfer", "reversal")


def month_of(moment: datetime) -> str:
    return moment.astimezone(CIVIL_TIME).strftime("%Y-%m")


class LedgerUnit(Protocol):
    def open(self, payout_id: UUID, merchant_id: UUID, order_id: UUID, payment_id: str,
             remitter: str, at: datetime) -> None: ...

    def entry(self, entry_id: str, payout_id: UUID, at: datetime, kind: str,
              amount: Money, ref: str | None = None) -> None: ...

    def status(self, payout_id: UUID, status: str) -> None: ...

    def transfer_due(self, payout_id: UUID, amount: Money) -> None: ...

    def transferred(self, entry_id: str, payout_id: UUID, at: datetime,
                    transfer_id: str) -> None:
        """A `transfer` entry of the amount that was due."""

    def reversal(self, payout_id: UUID, number: int, status: str, amount: Money | None = None,
                 reason: str | None = None) -> None: ...

    def reversed(self, entry_id: str, payout_id: UUID, number: int, at: datetime,
                 reversal_id: str) -> None:
        """A `reversal` entry of that reversal's amount."""

    def reported_reversed(self, payout_id: UUID, amount: Money) -> None: ...


def _entry_id(event: Any, kind: str = "") -> str:
    return f"{event.originator_id}:{event.originator_version}:{kind}"


def _opened(e: Any, unit: LedgerUnit) -> None:
    b = e.breakdown
    unit.open(e.originator_id, e.merchant_id, e.order_id, e.payment_id,
              "platform" if b.platform_remits else "merchant", e.captured_at)
    for kind, amount in zip(SALE_KINDS, (b.total, b.subtotal, b.fee, b.gst, b.qst,
                                         b.commission, b.share), strict=True):
        # The commission entry names the rules it was computed under (statements show it).
        ref = e.commission_rule if kind == "commission" else None
        unit.entry(_entry_id(e, kind), e.originator_id, e.captured_at, kind, amount, ref=ref)


def _refund_noted(e: Any, unit: LedgerUnit) -> None:
    r = e.refund
    for kind, amount in zip(REFUND_KINDS, (r.amount, r.gst, r.qst, r.commission, r.share),
                            strict=True):
        unit.entry(_entry_id(e, kind), e.originator_id, e.timestamp, kind, amount,
                   ref=str(e.refund_id))


HANDLERS: dict[type, Callable[[Any, LedgerUnit], None]] = {
    Payout.Opened: _opened,
    Payout.RefundNoted: _refund_noted,
    Payout.Held: lambda e, u: u.status(e.originator_id, "held"),
    Payout.Closed: lambda e, u: u.status(e.originator_id, "closed"),
    Payout.TransferDue: lambda e, u: u.transfer_due(e.originator_id, e.amount),
    Payout.Transferred: lambda e, u: u.transferred(_entry_id(e), e.originator_id, e.timestamp,
                                                   e.transfer_id),
    Payout.ReversalDue: lambda e, u: u.reversal(e.originator_id, e.number, "due", e.amount),
    Payout.Reversed: lambda e, u: u.reversed(_entry_id(e), e.originator_id, e.number,
                                             e.timestamp, e.reversal_id),
    Payout.ReversalRefused: lambda e, u: u.reversal(e.originator_id, e.number, "refused",
                                                    reason=e.reason),
    Payout.ReversalRetried: lambda e, u: u.reversal(e.originator_id, e.number, "due"),
    Payout.ReversedReported: lambda e, u: u.reported_reversed(e.originator_id, e.amount),
}


class PayoutsLedgerProjection:
    name = "payouts"
    version = 1
    topics = tuple(get_topic(cls) for cls in HANDLERS)

    def process(self, event: Any, unit: LedgerUnit) -> None:
        HANDLERS[type(event)](event, unit)
