"""`comptoir import merchants FILE`: merchant fiches from CSV or JSON lines, checked by the very
rules of the API (its request schema, then the domain's eligibility rules).

Each valid row is applied (and approved with --approve) in one atomic save together with a
claim on its external id: a re-run imports nothing twice and completes what a crash left.
Rejected rows go to a report (CSV, French messages) with every reason.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from api.i18n import message
from api.problems import every_problem, pydantic_field_errors
from api.schemas.merchants import MerchantApplicationIn, application_rule_errors
from api.spreadsheet import csv_writer
from application.actors import Actor
from application.merchants import Merchants
from domain.errors import DomainError, FieldError, ValidationFailedError
from domain.merchant_profile import ApplicationForm

TRUE = {"true", "vrai", "oui", "yes", "1", "o", "y"}
FALSE = {"false", "faux", "non", "no", "0", "n", ""}


OUTCOMES = ("imported", "already_imported", "conflicting", "rejected")
REPORT_COLUMNS = ("ligne", "external_id", "resultat", "champ", "code", "message")


@dataclass(frozen=True)
class RowOutcome:
    line: int
    external_id: str
    outcome: str  # one of OUTCOMES
    errors: tuple[FieldError, ...] = ()  # rejected: why; conflicting: the fields that differ


@dataclass
class ImportReport:
    """Every input row, with what became of it."""

    rows: list[RowOutcome] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(1 for row in self.rows if row.outcome == outcome)

    @property
    def summary(self) -> str:
        return (f"{self.count('imported'):,} imported, {self.count('already_imported'):,} "
                f"already imported, {self.count('conflicting'):,} conflicting, "
                f"{self.count('rejected'):,} rejected")

    def write(self, path: Path) -> None:
        """One line per row imported or already imported, one per reason a row was
        rejected, one per field that conflicts: every input line is in it."""
        with open(path, "w", newline="", encoding="utf-8") as out:
            writer = csv_writer(out)
            writer.writerow(REPORT_COLUMNS)
            for row in sorted(self.rows, key=lambda r: r.line):
                if not row.errors:
                    writer.writerow([row.line, row.external_id, row.outcome, "", "", ""])
                for e in row.errors:
                    writer.writerow([row.line, row.external_id, row.outcome, e.field, e.code,
                                     message(e.code, e.params, "fr")])


def rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, row) of a .csv file (header row) or a JSON lines file."""
    with open(path, encoding="utf-8-sig", newline="") as source:
        if path.suffix.lower() == ".csv":
            for number, row in enumerate(csv.DictReader(source), start=2):
                yield number, nested(row)
            return
        for number, line in enumerate(source, start=1):
            if line.strip():
                try:
                    data = json.loads(line)
                except json.JSONDecodeError:
                    data = {"__invalid_json__": True}
                yield number, nested(data) if "street" in data else data


def nested(row: dict[str, Any]) -> dict[str, Any]:
    """A flat CSV row to the API's nested body (empty cells are absent values)."""
    def get(name: str) -> Any:
        value = row.get(name)
        return None if value is None or str(value).strip() == "" else value

    location = ({"lat": _number(get("lat")), "lon": _number(get("lon"))}
                if get("lat") is not None or get("lon") is not None else None)
    return {
        "external_id": get("external_id"), "name": get("name"), "legal_name": get("legal_name"),
        "neq": get("neq"),
        "address": {k: get(k) for k in ("street", "municipality", "postal_code", "region")},
        "location": location,
        "categories": [c.strip() for c in str(get("categories") or "").replace(",", ";")
                       .split(";") if c.strip()],
        "contact": {"name": get("contact_name"), "email": get("contact_email"),
                    "phone": get("contact_phone")},
        "tax": {"small_supplier": _flag(get("small_supplier")), "gst_number": get("gst_number"),
                "qst_number": get("qst_number")},
        "fulfilment": {"pickup": _flag(get("pickup"), default=True),
                       "delivery_radius_km": _number(get("delivery_radius_km")),
                       "delivery_fee_cents": _integer(get("delivery_fee_cents")),
                       "shipping_fee_cents": _integer(get("shipping_fee_cents"))},
        **{k: get(k) for k in ("description_fr", "description_en", "website")},
    }


def _flag(value: Any, default: bool = False) -> Any:
    if value is None:
        return default
    text = str(value).strip().lower()
    return True if text in TRUE else False if text in FALSE else value


def _number(value: Any) -> Any:
    try:
        return None if value is None else float(str(value).replace(",", "."))
    except ValueError:
        return value


def _integer(value: Any) -> Any:
    try:
        return None if value is None else int(str(value))
    except ValueError:
        return value


BATCH = 200


class Importer:
    """Validates rows as they come and imports the valid ones in batches (one save each)."""

    def __init__(self, merchants: Merchants, approver: Actor | None) -> None:
        self.merchants = merchants
        self.approver = approver
        self.report = ImportReport()
        self._pending: list[tuple[int, str, ApplicationForm]] = []

    def add(self, number: int, data: dict[str, Any]) -> None:
        if data.pop("__invalid_json__", False):
            self._reject(number, "", [FieldError("row", "json_invalid")])
            return
        external_id = str(data.pop("external_id", None) or "").strip()
        if not external_id:
            self._reject(number, "", [FieldError("external_id", "text_required")])
            return
        try:
            form = MerchantApplicationIn.model_validate(data).to_form()
        except ValidationError as error:  # every problem at once, as the API answers
            self._reject(number, external_id, every_problem(
                pydantic_field_errors(error.errors()), application_rule_errors(data)))
            return
        self._pending.append((number, external_id, form))
        if len(self._pending) >= BATCH:
            self.flush()

    def flush(self) -> None:
        batch, self._pending = self._pending, []
        if not batch:
            return
        outcomes = self.merchants.import_fiches([(e, f) for _, e, f in batch], self.approver)
        for (number, external_id, _), outcome in zip(batch, outcomes, strict=True):
            if outcome.status == "rejected":
                self._reject(number, external_id, _errors(outcome.error))
            else:
                self.report.rows.append(RowOutcome(
                    number, external_id, _OUTCOME[outcome.status],
                    tuple(FieldError(name, "external_id_conflict")
                          for name in outcome.differences)))

    def _reject(self, number: int, external_id: str, errors: list[FieldError]) -> None:
        self.report.rows.append(RowOutcome(number, external_id, "rejected", tuple(errors)))


_OUTCOME = {"imported": "imported", "already": "already_imported", "conflicting": "conflicting"}


def _errors(error: DomainError | None) -> list[FieldError]:
    if isinstance(error, ValidationFailedError):
        return error.errors
    assert error is not None
    return [FieldError("row", error.code, error.params)]
