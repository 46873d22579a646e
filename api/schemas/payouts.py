"""Payout accounts, the payouts ledger and monthly statements (amounts in integer cents, CAD)."""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field

from api.schemas.lists import NEXT, Order, PageParams
from application.payout_statements import Ledger, LedgerFigures, LedgerOrder, Statement
from application.payouts import PayoutAccountView


class BankPayoutOut(BaseModel):
    id: str
    amount_cents: int
    status: Literal["paid", "failed"]
    failure: str | None


class PayoutAccountOut(BaseModel):
    merchant_id: UUID
    account_id: str | None
    ready: bool = Field(description="Transfers can be made (payouts enabled, details submitted)")
    charges_enabled: bool
    payouts_enabled: bool
    details_submitted: bool
    requirements: list[str] = Field(description="What the gateway still needs")
    bank_payouts: list[BankPayoutOut] = Field(description="From the account to the bank")
    onboarding_url: str | None = Field(None, description="Single use; ask again for a new one")

    @classmethod
    def of(cls, v: PayoutAccountView) -> PayoutAccountOut:
        return cls(**{**v.__dict__, "requirements": list(v.requirements), "bank_payouts": [
            BankPayoutOut(id=i, amount_cents=a.cents, status=s, failure=f)
            for i, a, s, f in v.bank_payouts]})


class LedgerFiguresOut(BaseModel):
    gross_cents: int = Field(description="What the consumer paid for the merchant order")
    goods_cents: int
    fee_cents: int = Field(description="Delivery or shipping")
    gst_cents: int
    qst_cents: int
    commission_cents: int
    share_cents: int = Field(description="The merchant's share before refunds")
    refunded_cents: int
    refunded_gst_cents: int
    refunded_qst_cents: int
    refunded_commission_cents: int
    refunded_share_cents: int
    transferred_cents: int
    reversed_cents: int
    owed_cents: int = Field(description="Still owed to the merchant (negative: owed back)")
    paid_cents: int = Field(description="Transferred minus reversed")

    @staticmethod
    def figures(f: LedgerFigures) -> dict[str, int]:
        return {
            "gross_cents": f.gross, "goods_cents": f.goods, "fee_cents": f.fee,
            "gst_cents": f.gst, "qst_cents": f.qst, "commission_cents": f.commission,
            "share_cents": f.share, "refunded_cents": f.refund,
            "refunded_gst_cents": f.refund_gst, "refunded_qst_cents": f.refund_qst,
            "refunded_commission_cents": f.refund_commission,
            "refunded_share_cents": f.refund_share, "transferred_cents": f.transfer,
            "reversed_cents": f.reversal, "owed_cents": f.owed, "paid_cents": f.paid,
        }

    @classmethod
    def of(cls, f: LedgerFigures) -> LedgerFiguresOut:
        return cls(**cls.figures(f))


class LedgerOrderOut(LedgerFiguresOut):
    order_id: UUID
    captured_at: datetime
    status: Literal["waiting", "held", "due", "transferred", "closed"]
    taxes_remitted_by: Literal["merchant", "platform"]
    transfer_id: str | None
    reversals_due: int
    reversals_refused: int = Field(description="Refused by the gateway; retried by a job")

    @classmethod
    def of_order(cls, o: LedgerOrder) -> LedgerOrderOut:
        return cls(order_id=o.order_id, captured_at=o.captured_at, status=o.status,
                   taxes_remitted_by=o.remitter, transfer_id=o.transfer_id,
                   reversals_due=o.reversals_due, reversals_refused=o.reversals_refused,
                   **cls.figures(o.figures))


class PayoutsParams(PageParams):
    status: list[Literal["waiting", "held", "due", "transferred", "closed"]] = Field(
        [], description="Any of these (repeat the parameter)")
    order: Order = Field("oldest", description="By capture date: oldest first by default")


class LedgerOut(BaseModel):
    """One page of the merchant's payouts (docs/lists.md), one per merchant order."""

    merchant_id: UUID
    currency: Literal["CAD"] = "CAD"
    totals: LedgerFiguresOut = Field(description="Of every payout matching the filters, not "
                                     "only this page's")
    items: list[LedgerOrderOut]
    next: str | None = Field(description=NEXT)
    total: int = Field(description="Payouts matching the filters")

    @classmethod
    def of(cls, ledger: Ledger) -> LedgerOut:
        return cls(merchant_id=ledger.merchant_id, totals=LedgerFiguresOut.of(ledger.totals),
                   items=[LedgerOrderOut.of_order(o) for o in ledger.orders], next=ledger.next,
                   total=ledger.total)


class StatementLine(BaseModel):
    at: datetime
    order_id: UUID
    kind: str = Field(description=", ".join(f.name for f in fields(LedgerFigures)))
    amount_cents: int
    taxes_remitted_by: Literal["merchant", "platform"]
    reference: str | None = Field(description=(
        "The refund, transfer or reversal; for the commission, the rules it was computed "
        "under (rule id, version, rate, base, minimum)"))


class StatementOut(BaseModel):
    merchant_id: UUID
    month: str = Field(description="YYYY-MM, in Québec's time zone")
    currency: Literal["CAD"] = "CAD"
    totals: LedgerFiguresOut
    lines: list[StatementLine]

    @classmethod
    def of(cls, s: Statement) -> StatementOut:
        return cls(merchant_id=s.merchant_id, month=s.month,
                   totals=LedgerFiguresOut.of(s.totals),
                   lines=[StatementLine(at=e.at, order_id=e.order_id, kind=e.kind,
                                        amount_cents=e.amount, taxes_remitted_by=e.remitter,
                                        reference=e.reference) for e in s.entries])
