"""Every CSV the product writes is safe to open in a spreadsheet (OWASP's CSV injection rule)."""

from __future__ import annotations

import csv
import io

import pytest

from api.spreadsheet import csv_writer


@pytest.mark.parametrize("cell", ["=HYPERLINK(\"http://x\",\"clic\")", "+cmd|' /C calc'!A0",
                                  "-2+3", "@SUM(A1)", "\t=1", "\r=1"])
def test_a_text_cell_a_spreadsheet_would_run_is_written_as_text(cell: str) -> None:
    out = io.StringIO()
    csv_writer(out).writerow([cell, "Fromagerie", -500, 12])
    assert next(csv.reader(io.StringIO(out.getvalue()))) == ["'" + cell, "Fromagerie", "-500",
                                                              "12"]
