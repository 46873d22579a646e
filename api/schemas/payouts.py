"""Payout accounts, the payouts ledger and monthly statements (amounts in integer cents, CAD)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field

from application.payouts import PayoutAccountView
from projections.payouts_ledger import KINDS


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


class LedgerFigures(BaseModel):
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
    def figures(row: dict[str, Any]) -> dict[str, int]:
        f = {k: int(row[k]) for k in KINDS}
        return {
            "gross_cents": f["gross"], "goods_cents": f["goods"], "fee_cents": f["fee"],
            "gst_cents": f["gst"], "qst_cents": f["qst"], "commission_cents": f["commission"],
            "share_cents": f["share"], "refunded_cents": f["refund"],
            "refunded_gst_cents": f["refund_gst"], "refunded_qst_cents": f["refund_qst"],
            "refunded_commission_cents": f["refund_commission"],
            "refunded_share_cents": f["refund_share"], "transferred_cents": f["transfer"],
            "reversed_cents": f["reversal"],
            "owed_cents": f["share"] - f["refund_share"] - f["transfer"] + f["reversal"],
            "paid_cents": f["transfer"] - f["reversal"],
        }


class LedgerOrderOut(LedgerFigures):
    order_id: UUID
    captured_at: datetime
    status: Literal["waiting", "held", "due", "transferred", "closed"]
    taxes_remitted_by: Literal["merchant", "platform"]
    transfer_id: str | None
    reversals_due: int
    reversals_refused: int = Field(description="Refused by the gateway; retried by a job")

    @classmethod
    def of(cls, row: dict[str, Any]) -> LedgerOrderOut:
        return cls(order_id=row["order_id"], captured_at=row["captured_at"],
                   status=row["status"], taxes_remitted_by=row["remitter"],
                   transfer_id=row["transfer_id"], reversals_due=row["reversals_due"],
                   reversals_refused=row["reversals_refused"], **cls.figures(row))


class LedgerOut(BaseModel):
    merchant_id: UUID
    currency: Literal["CAD"] = "CAD"
    totals: LedgerFigures
    orders: list[LedgerOrderOut]


class StatementLine(BaseModel):
    at: datetime
    order_id: UUID
    kind: str = Field(description=", ".join(KINDS))
    amount_cents: int
    taxes_remitted_by: Literal["merchant", "platform"]
    reference: str | None = Field(description="The refund, transfer or reversal")


class StatementOut(BaseModel):
    merchant_id: UUID
    month: str = Field(description="YYYY-MM, in Québec's time zone")
    currency: Literal["CAD"] = "CAD"
    totals: LedgerFigures
    lines: list[StatementLine]


def totals(rows: list[dict[str, Any]]) -> LedgerFigures:
    summed = {k: sum(int(r[k]) for r in rows) for k in KINDS}
    return LedgerFigures(**LedgerFigures.figures(summed))
