"""Bodies of the bulk catalogue routes: stock feeds by SKU and listing imports."""

from __future__ import annotations

import csv
import io
from typing import Any, Literal

from pydantic import BaseModel, Field, StrictBool, StrictInt, TypeAdapter

from api.i18n import Language, message
from api.schemas.common import Input
from api.schemas.listings import ListingIn, Sku
from domain.errors import FieldError
from domain.listing import MAX_STOCK
from domain.variants import MAX_LABEL, MAX_SKU

MAX_FEED_LINES = 1000


class StockLineIn(Input):
    sku: Sku
    on_hand: StrictInt = Field(ge=0, le=MAX_STOCK, description="Units physically available")


STOCK_FEED = TypeAdapter(list[StockLineIn])
STOCK_FEED_SCHEMA: dict[str, Any] = {
    "type": "array", "maxItems": MAX_FEED_LINES, "minItems": 1,
    "items": {"type": "object", "required": ["sku", "on_hand"], "additionalProperties": False,
              "properties": {"sku": {"type": "string", "maxLength": 64},
                             "on_hand": {"type": "integer", "minimum": 0,
                                         "maximum": MAX_STOCK}}},
}
STOCK_FEED_BODY: dict[str, Any] = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": STOCK_FEED_SCHEMA, "example": [
        {"sku": "MIEL-500", "on_hand": 12}, {"sku": "MIEL-250", "on_hand": 0}]},
    "text/csv": {"schema": {"type": "string"},
                 "example": "sku,on_hand\nMIEL-500,12\nMIEL-250,0\n"},
}}}


def csv_rows(text: str) -> list[tuple[int, dict[str, Any]]]:
    """(file line, row) of a CSV with a header row; whole numbers become integers (a cell
    that is not one stays text, and is refused by the schema)."""
    rows = []
    reader = csv.DictReader(io.StringIO(text))
    for row in reader:
        cleaned: dict[str, Any] = {k.strip(): v for k, v in row.items() if k is not None}
        rows.append((reader.line_num, {k: _integer(v) for k, v in cleaned.items()}))
    return rows


def _integer(value: Any) -> Any:
    text = str(value).strip() if value is not None else ""
    return int(text) if text.lstrip("-").isdigit() and len(text) < 20 else value


class LineErrorOut(BaseModel):
    field: str
    code: str
    detail: str

    @classmethod
    def of(cls, error: FieldError, language: Language) -> LineErrorOut:
        return cls(field=error.field, code=error.code,
                   detail=message(error.code, error.params, language))


class RejectedLineOut(BaseModel):
    line: int = Field(description="1-based position in the JSON list; the file line in a CSV "
                                  "(the header is line 1)")
    reasons: list[LineErrorOut] = Field(description="Every reason, in French by default")


class ImportRowOut(BaseModel):
    line: int = Field(description="1-based position in the JSON list; the file line in a CSV")
    sku: str
    outcome: Literal["imported", "already_imported", "conflicting", "rejected"]
    errors: list[LineErrorOut] = Field(description=(
        "rejected: every reason; conflicting: each field that differs (code sku_conflict)"))


class ListingImportOut(BaseModel):
    """Every row accounted for, in order."""

    imported: int
    already_imported: int
    conflicting: int
    rejected: int
    rows: list[ImportRowOut]


class ListingImportRowIn(ListingIn):
    """One row: a listing sold as itself, or (variant_label + listing_ref) one variant of the
    listing its listing_ref names; `price_cents` is then the variant's."""

    sku: Sku  # required here: imports are idempotent on it
    on_hand: StrictInt = Field(0, ge=0, le=MAX_STOCK, description="Stock on hand")
    publish: StrictBool = Field(False, description="Publish it (the merchant must be approved)")
    variant_label: str | None = Field(None, min_length=1, max_length=MAX_LABEL,
                                      description="This row is a variant: its label (500 g)")
    listing_ref: str | None = Field(None, min_length=1, max_length=MAX_SKU, description=(
        "Rows sharing it are the variants of one listing (the first row's fields make it)"))


def _row_schema() -> dict[str, Any]:
    """The row's JSON schema, its enums referred to where OpenAPI keeps them (the listing
    routes' `TaxClass`, `OriginLabel`)."""
    schema = ListingImportRowIn.model_json_schema(ref_template="#/components/schemas/{model}")
    schema.pop("$defs", None)
    return schema


MAX_IMPORT_ROWS = 2000  # per request: a 400-product catalogue is one
LISTING_IMPORT_BODY: dict[str, Any] = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": {"type": "array", "maxItems": MAX_IMPORT_ROWS,
                                    "items": _row_schema()}},
    "text/csv": {"schema": {"type": "string"}, "example": (
        "sku,title_fr,description_fr,category,price_cents,tax_class,origin,on_hand,publish,"
        "variant_label,listing_ref\n"
        "MIEL-250,Miel de trèfle,Miel cru,alimentation,599,zero_rated,produced,12,oui,250 g,"
        "MIEL\n"
        "MIEL-500,Miel de trèfle,Miel cru,alimentation,999,zero_rated,produced,4,oui,500 g,"
        "MIEL\n")},
}}}


class StockFeedOut(BaseModel):
    updated: int = Field(description="Lines that changed a stock (all saved in one commit)")
    unchanged: int = Field(description="Lines whose stock already said so (nothing recorded)")
    unknown_skus: list[str] = Field(description="SKUs none of this merchant's products carry")
    rejected: list[RejectedLineOut] = Field(description=(
        "Lines refused, with every reason (below what is reserved, a listing sold by variant "
        "named by its own SKU, a SKU repeated in the batch)"))
