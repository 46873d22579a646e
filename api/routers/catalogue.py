"""Bulk catalogue routes for a merchant's point of sale and back office: stock feeds by SKU and
listing imports (docs/catalogue.md). Same roles as the merchant's other routes: its owner or
members (session), its API key or token; another merchant's is a 404."""

from __future__ import annotations

import csv
import json
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from api.deps import ListingImportsDep, SignedInDep, StockFeedsDep
from api.listing_import import ListingImporter, ListingImportReport
from api.listing_import import csv_rows as import_csv_rows
from api.problems import PROBLEM_RESPONSES, language_of
from api.routing import OneHopRoute
from api.schemas.catalogue import (
    LISTING_IMPORT_BODY,
    MAX_FEED_LINES,
    MAX_IMPORT_ROWS,
    STOCK_FEED,
    STOCK_FEED_BODY,
    ImportRowOut,
    LineErrorOut,
    ListingImportOut,
    RejectedLineOut,
    StockFeedOut,
    csv_rows,
)
from application.stock_feed import FeedLine

router = APIRouter(route_class=OneHopRoute, prefix="/v1", tags=["catalogue"],
                   responses=PROBLEM_RESPONSES)

MAX_BODY_BYTES = 2_000_000


async def raw_body(request: Request) -> bytes:
    return await request.body()


RawBody = Annotated[bytes, Depends(raw_body)]


@router.post("/merchants/{merchant_id}/stock-feed", operation_id="feedStockBySku",
             summary="Set the stock of many products by SKU (point of sale)",
             openapi_extra=STOCK_FEED_BODY)
def feed_stock(merchant_id: UUID, request: Request, body: RawBody, feeds: StockFeedsDep,
               actor: SignedInDep) -> StockFeedOut:
    """Up to 1,000 `{sku, on_hand}` lines (JSON list, or CSV with a `sku,on_hand`
    header), saved in ONE atomic commit. A malformed line (control characters in a SKU,
    a negative or huge `on_hand`) refuses the whole batch with a 422 naming it; an unknown
    SKU, or a line the stock rules refuse, is reported and the others are saved."""
    feeds.check_may_change(actor, merchant_id)
    rows = _rows(request.headers.get("content-type", ""), body)
    try:
        lines = STOCK_FEED.validate_python([row for _, row in rows])
    except ValidationError as error:
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in error.errors(include_url=False)]
        ) from None
    report = feeds.feed_stock(actor, merchant_id, [
        FeedLine(number, line.sku, line.on_hand)
        for (number, _), line in zip(rows, lines, strict=True)])
    language = language_of(request)
    return StockFeedOut(
        updated=report.updated, unchanged=report.unchanged, unknown_skus=report.unknown_skus,
        rejected=[RejectedLineOut(line=number, reasons=[LineErrorOut.of(e, language)
                                                        for e in reasons])
                  for number, reasons in report.rejected])


@router.post("/merchants/{merchant_id}/listings/import", operation_id="importListings",
             summary="Import listings (and variants) from CSV or JSON, idempotent on the SKU",
             openapi_extra=LISTING_IMPORT_BODY)
def import_listings(merchant_id: UUID, request: Request, body: RawBody,
                    imports: ListingImportsDep, actor: SignedInDep) -> ListingImportOut:
    """Up to 2,000 rows (a CSV with a header row, or a JSON list of row objects), checked by
    the listing routes' rules and saved in batches of 200, each ONE atomic commit. The report
    accounts for every row: `imported`; `already_imported` (a SKU the merchant's products
    carry, with the same values); `conflicting` (the same SKU with other values: the first
    import stands, the differing fields are named); `rejected` (every reason). Sending the
    same file again imports nothing twice. docs/catalogue.md has the columns."""
    imports.check_may_change(actor, merchant_id)
    importer = ListingImporter(imports, actor, merchant_id)
    for line, data in _rows(request.headers.get("content-type", ""), body, MAX_IMPORT_ROWS,
                            import_csv_rows):
        importer.add(line, data)
    importer.flush()
    return _import_report(importer.report, request)


def _import_report(report: ListingImportReport, request: Request) -> ListingImportOut:
    language = language_of(request)
    return ListingImportOut(
        imported=report.count("imported"), already_imported=report.count("already_imported"),
        conflicting=report.count("conflicting"), rejected=report.count("rejected"),
        rows=[ImportRowOut(line=row.line, sku=row.sku, outcome=row.outcome,
                           errors=[LineErrorOut.of(e, language) for e in row.errors])
              for row in sorted(report.rows, key=lambda r: r.line)])


def _rows(content_type: str, body: bytes, maximum: int = MAX_FEED_LINES,
          parse_csv: Any = csv_rows) -> list[tuple[int, Any]]:
    """(line number, row) of a JSON list or a CSV file; at most `maximum` rows."""
    if len(body) > MAX_BODY_BYTES:
        _refuse("too_long", max_length=maximum)
    if content_type.split(";")[0].strip().lower() == "text/csv":
        try:
            rows = list(parse_csv(body.decode("utf-8-sig")))
        except (UnicodeDecodeError, ValueError, csv.Error):
            _refuse("csv_invalid")
    else:
        try:
            data = json.loads(body)
        except (UnicodeDecodeError, ValueError):
            raise RequestValidationError([{"type": "json_invalid", "loc": ("body",),
                                           "msg": "JSON decode error", "input": None}]) from None
        if not isinstance(data, list):
            _refuse("list_type")
        rows = list(enumerate(data, start=1))
    if not rows:
        _refuse("too_short", min_length=1)
    if len(rows) > maximum:
        _refuse("too_long", max_length=maximum)
    return rows


def _refuse(code: str, **ctx: Any) -> Any:
    raise RequestValidationError([{"type": code, "loc": ("body",), "msg": code, "input": None,
                                   "ctx": ctx}])
