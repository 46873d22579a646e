"""Shapes shared by several resources."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from domain.merchant import MAX_REASON, MIN_REASON
from domain.money import Money
from domain.taxonomy import CATEGORIES

CategoryCode = Literal[tuple(CATEGORIES)]  # type: ignore[valid-type]
ShortText = Annotated[str, Field(max_length=200)]
LongText = Annotated[str, Field(max_length=5000)]


class Input(BaseModel):
    """Request bodies refuse unknown fields: a typo is an error, not silently ignored."""

    model_config = ConfigDict(extra="forbid")


class MoneyOut(BaseModel):
    cents: int = Field(description="Integer cents")
    currency: Literal["CAD"] = "CAD"

    @classmethod
    def of(cls, money: Money) -> MoneyOut:
        return cls(cents=money.cents, currency="CAD")


class GeoPointIn(Input):
    lat: float = Field(ge=-90, le=90, allow_inf_nan=False)
    lon: float = Field(ge=-180, le=180, allow_inf_nan=False)


class GeoPointOut(BaseModel):
    lat: float
    lon: float


class ReasonIn(Input):
    reason: str = Field(min_length=MIN_REASON, max_length=MAX_REASON,
                        description="Shown to the merchant; spaces are collapsed, then it must "
                                    f"be {MIN_REASON} to {MAX_REASON} characters")
