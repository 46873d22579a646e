"""Pages show days and times as a clock in Québec reads them, whatever the server's zone:
instants are stored in UTC, and an order placed in the evening is on the evening of its day."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from api.web.audit_console import _moment
from api.web.render import day_text, moment_text


@pytest.mark.parametrize(("instant", "french", "english"), [
    # 21:30 in Gaspé on November 30 (EST, UTC-5) is already December 1 in UTC.
    (datetime(2026, 12, 1, 2, 30, tzinfo=UTC),
     "30 novembre 2026, 21 h 30", "November 30, 2026, 9:30 p.m."),
    # Summer time (EDT, UTC-4): noon five on Canada Day.
    (datetime(2026, 7, 1, 16, 5, tzinfo=UTC),
     "1er juillet 2026, 12 h 05", "July 1, 2026, 12:05 p.m."),
    # Midnight.
    (datetime(2026, 7, 2, 4, 0, tzinfo=UTC), "2 juillet 2026, 0 h 00", "July 2, 2026, 12:00 a.m."),
])
def test_a_moment_reads_as_the_clock_in_quebec(instant: datetime, french: str,
                                               english: str) -> None:
    assert moment_text(instant, "fr") == french
    assert moment_text(instant, "en") == english
    assert day_text(instant, "fr") == french.split(",")[0]


def test_a_calendar_day_without_a_zone_is_shown_as_it_is() -> None:
    """The insight table's days are calendar days already: never shifted to the day before."""
    assert day_text(datetime(2026, 11, 28), "fr") == "28 novembre 2026"
    assert day_text(datetime(2026, 11, 28), "en") == "November 28, 2026"


def test_a_moment_typed_without_an_offset_in_the_audit_console_is_quebec_time() -> None:
    assert _moment("2026-11-28") == datetime(2026, 11, 28, 5, 0, tzinfo=UTC)
    assert _moment("2026-07-01T09:00") == datetime(2026, 7, 1, 13, 0, tzinfo=UTC)
    assert _moment("2026-11-28T14:00:00+00:00") == datetime(2026, 11, 28, 14, 0, tzinfo=UTC)
    assert _moment("  ") is None
