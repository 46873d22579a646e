"""Commission rules: what an admin sets, what the schedule holds (docs/payments.md)."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

from pydantic import BaseModel, Field, StrictInt

from api.schemas.common import Input, MoneyOut
from application.commission_rules import ScheduleView
from domain.commission import MAX_MINIMUM_CENTS, CommissionRule


class CommissionRuleIn(Input):
    rate: Decimal = Field(ge=0, le=1, allow_inf_nan=False, max_digits=6, decimal_places=5,
                          description="A fraction of the goods' subtotal: 0.08 is 8 %; at "
                                      "most 1 (100 %), five decimals",
                          examples=["0.065"])
    minimum_cents: StrictInt = Field(
        0, ge=0, le=MAX_MINIMUM_CENTS,
        description="At least this much per merchant order (never more than its goods' "
                    "subtotal)")


class CommissionRuleOut(BaseModel):
    rule_id: str = Field(description='"default", "category:<code>" or "merchant:<id>"')
    version: int = Field(description="The schedule's version that set it (0: the setting)")
    rate: str = Field(description="Decimal fraction, as text (no float): 0.08 is 8 %")
    minimum: MoneyOut

    @classmethod
    def of(cls, rule: CommissionRule) -> CommissionRuleOut:
        return cls(rule_id=rule.rule_id, version=rule.version, rate=format(rule.rate, "f"),
                   minimum=MoneyOut.of(rule.minimum))


class CommissionScheduleOut(BaseModel):
    id: UUID = Field(description="The schedule's aggregate id: its changes at /v1/audit/events")
    version: int
    default: CommissionRuleOut
    categories: dict[str, CommissionRuleOut]
    merchants: dict[UUID, CommissionRuleOut]

    @classmethod
    def of(cls, v: ScheduleView) -> CommissionScheduleOut:
        return cls(id=v.id, version=v.version, default=CommissionRuleOut.of(v.default),
                   categories={k: CommissionRuleOut.of(r) for k, r in v.categories.items()},
                   merchants={k: CommissionRuleOut.of(r) for k, r in v.merchants.items()})
