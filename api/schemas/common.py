"""Shapes shared by several resources."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from domain.errors import InvalidValueError
from domain.merchant import MAX_REASON, MIN_REASON
from domain.money import Money
from domain.taxonomy import CATEGORIES
from domain.text import plain_text

if TYPE_CHECKING:  # a Literal built from data at import time is no type to a type checker
    CategoryCode = str
else:
    CategoryCode = Literal[tuple(CATEGORIES)]
ShortText = Annotated[str, Field(max_length=200)]
LongText = Annotated[str, Field(max_length=5000)]


def _plain(value: Any) -> Any:
    if isinstance(value, str):
        try:
            checked = plain_text(value)
        except InvalidValueError as error:
            raise PydanticCustomError(error.code, "control characters") from None
        return value if checked == value else checked  # an enum member stays one
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


class PlainText(BaseModel):
    """Every text value NFC-normalised, control characters (NUL...) refused with the field
    named: the domain's rule (domain/text.py), applied at the door to every field, including
    those the domain never parses."""

    @field_validator("*", mode="after")
    @classmethod
    def _plain_text(cls, value: Any) -> Any:
        return _plain(value)


class Input(PlainText):
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
