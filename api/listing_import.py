"""Listing imports from CSV or JSON, checked by the very rules of the API: its request schema
(`ListingImportRowIn`, the listing body plus `sku`, `on_hand`, `publish` and a variant's
`variant_label`/`listing_ref`), then the domain's (application/listing_import.py). Shared by
`POST /v1/merchants/{id}/listings/import` and `comptoir listings import FILE --merchant ID`.

Every row is accounted for, as in the merchant-fiche import (api/importer.py): imported,
already_imported, conflicting (the differing fields named), rejected (every reason).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID

from pydantic import ValidationError

from api.i18n import message
from api.importer import FALSE, OUTCOMES, TRUE
from api.problems import every_problem, pydantic_field_errors
from api.schemas.catalogue import ListingImportRowIn
from api.schemas.listings import ListingIn
from api.spreadsheet import csv_writer
from application.actors import Actor
from application.listing_import import ImportRow, ListingImports, RowResult
from domain.errors import FieldError, ValidationFailedError
from domain.listing import ListingDetails

BATCH = 200  # rows per atomic save
REPORT_COLUMNS = ("ligne", "sku", "resultat", "champ", "code", "message")
INTEGERS = ("price_cents", "on_hand")


@dataclass
class ListingImportReport:
    rows: list[RowResult] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(1 for row in self.rows if row.outcome == outcome)

    @property
    def summary(self) -> str:
        return ", ".join(f"{self.count(o):,} {o.replace('_', ' ')}" for o in OUTCOMES)

    def write(self, path: Path) -> None:
        """One line per row imported or already imported, one per reason a row was rejected,
        one per field that conflicts: every input line is in it (French messages)."""
        with open(path, "w", newline="", encoding="utf-8") as out:
            writer = csv_writer(out)
            writer.writerow(REPORT_COLUMNS)
            for row in sorted(self.rows, key=lambda r: r.line):
                if not row.errors:
                    writer.writerow([row.line, row.sku, row.outcome, "", "", ""])
                for e in row.errors:
                    writer.writerow([row.line, row.sku, row.outcome, e.field, e.code,
                                     message(e.code, e.params, "fr")])


class ListingImporter:
    """Checks rows as they come; imports the valid ones in batches (one save each)."""

    def __init__(self, imports: ListingImports, actor: Actor, merchant_id: UUID) -> None:
        self.imports, self.actor, self.merchant_id = imports, actor, merchant_id
        self.report = ListingImportReport()
        self._pending: list[ImportRow] = []

    def add(self, line: int, data: Any) -> None:
        if not isinstance(data, dict):
            self._reject(line, "", [FieldError("row", "row_invalid")])
            return
        try:
            row = ListingImportRowIn.model_validate(data)
        except ValidationError as error:  # every problem at once, as the API answers
            self._reject(line, str(data.get("sku") or ""), every_problem(
                pydantic_field_errors(error.errors()), _rule_errors(data)))
            return
        listing = row.model_dump(include=set(ListingIn.model_fields) - {"sku"})
        self._pending.append(ImportRow(line, row.sku, listing, row.on_hand, row.publish,
                                       row.variant_label, row.listing_ref))
        if len(self._pending) >= BATCH:
            self.flush()

    def flush(self) -> None:
        batch, self._pending = self._pending, []
        if batch:
            self.report.rows += self.imports.import_rows(self.actor, self.merchant_id, batch)

    def _reject(self, line: int, sku: str, errors: list[FieldError]) -> None:
        self.report.rows.append(RowResult(line, sku, "rejected", tuple(errors)))


def _rule_errors(data: dict[str, Any]) -> list[FieldError]:
    try:
        ListingDetails.check({k: v for k, v in data.items() if k != "sku"})
    except ValidationFailedError as error:
        return error.errors
    except Exception:  # noqa: BLE001 (a value of the wrong type: the schema reported it)
        return []
    return []


def csv_rows(text: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """(file line, row) of a CSV with a header row: empty cells are absent values, whole
    numbers integers, oui/non flags booleans (anything else is left for the schema to refuse)."""
    reader = csv.DictReader(io.StringIO(text))
    for row in reader:
        values: dict[str, Any] = {k.strip(): v.strip() for k, v in row.items()
                                  if k is not None and isinstance(v, str) and v.strip()}
        for name in INTEGERS:
            text = str(values.get(name, ""))
            if text.lstrip("-").isdigit() and len(text) < 19:
                values[name] = int(text)
        if "publish" in values:
            flag = str(values["publish"]).lower()
            values["publish"] = True if flag in TRUE else False if flag in FALSE else flag
        yield reader.line_num, values


def json_rows(data: Any) -> Iterator[tuple[int, Any]]:
    """A JSON list of row objects: (1-based position, row)."""
    yield from enumerate(data, start=1)


def file_rows(path: Path) -> Iterator[tuple[int, Any]]:
    """A .csv file (header row), a JSON list, or JSON lines."""
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() == ".csv":
        yield from csv_rows(text)
        return
    stripped = text.lstrip()
    if stripped.startswith("["):
        yield from json_rows(json.loads(stripped))
        return
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            try:
                yield number, json.loads(line)
            except json.JSONDecodeError:
                yield number, None
