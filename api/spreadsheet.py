"""CSV for spreadsheets: every CSV the product emits is written through `csv_writer`.

A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is a formula to Excel,
LibreOffice and Google Sheets (`=HYPERLINK(...)`, `+cmd|' /C calc'!A0`): a merchant's name or a
listing title would run in the accountant's spreadsheet. OWASP's rule: such a text cell is
prefixed with a single quote, which spreadsheets show as text. Numbers are written as numbers
(a negative amount is an int, not text, and stays a number).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any, Protocol

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class Writer(Protocol):
    def writerow(self, row: Iterable[Any]) -> Any: ...


def neutralised(cell: Any) -> Any:
    if isinstance(cell, str) and cell.startswith(FORMULA_PREFIXES):
        return "'" + cell
    return cell


class _SafeWriter:
    def __init__(self, stream: Any) -> None:
        self._writer = csv.writer(stream)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([neutralised(cell) for cell in row])


def csv_writer(stream: Any) -> Writer:
    return _SafeWriter(stream)
