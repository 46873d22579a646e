"""What the eligibility rules find in an application (domain/eligibility.py) and the cursors
of the paged lists (application/paging.py), without a database."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from uuid import uuid4

import pytest

from application.paging import Page, PageRequest, Window, make_cursor, open_cursor, paged, utc_key
from domain.address import PostalCode
from domain.eligibility import eligibility_of
from domain.errors import ValidationFailedError
from domain.geo import GeoPoint
from domain.neq import NEQ
from tests.unit.test_merchant import new_merchant


def findings_of(**changes: object) -> dict[str, tuple[str, str]]:
    m = new_merchant()
    values = {"address": m.address, "location": m.location, "neq": m.neq,
              "categories": m.categories, "tax": m.tax, "fulfilment": m.fulfilment, **changes}
    return {f.rule: (str(f.outcome), f.code) for f in eligibility_of(**values)}  # type: ignore[arg-type]


def test_an_eligible_application_meets_every_rule_and_leaves_its_neq_to_confirm() -> None:
    assert findings_of() == {
        "quebec_address": ("met", "quebec_address"), "location": ("met", "location_in_quebec"),
        "neq": ("to_confirm", "neq_registration_to_confirm"),
        "categories": ("met", "categories"), "taxes": ("met", "small_supplier"),
        "fulfilment": ("met", "fulfilment")}


def test_rules_broken_since_the_application_say_which_and_why() -> None:
    m = new_merchant()
    ottawa = replace(m.address, postal_code=PostalCode("K1A 0A6"), province="ON")
    found = findings_of(address=ottawa, location=GeoPoint(45.42, -75.70 - 5),
                        neq=NEQ("4400000001"), categories=())
    assert found["quebec_address"] == ("not_met", "province_not_quebec")
    assert found["location"] == ("not_met", "location_not_quebec")
    assert found["neq"] == ("not_met", "neq_unknown_kind")
    assert found["categories"] == ("not_met", "categories_empty")


class Row:
    def __init__(self, n: int) -> None:
        self.position = (utc_key(datetime(2026, 3, 1, 12, n)), str(uuid4()))


def fetcher(rows: list[Row], seen: list[Window]
            ) -> Callable[[Window], tuple[list[Row], int]]:
    def fetch(window: Window) -> tuple[list[Row], int]:
        seen.append(window)
        later = [r for r in rows if window.after is None or r.position > window.after]
        return later[:window.limit], len(rows)

    return fetch


def test_pages_follow_each_other_through_their_cursors() -> None:
    rows, seen = [Row(n) for n in range(7)], []
    first: Page[Row] = paged("things", {"status": ("b", "a")}, PageRequest(3, None, False),
                             fetcher(rows, seen))
    assert (first.items, first.total, seen[0].limit) == (rows[:3], 7, 4)
    assert first.next is not None
    second = paged("things", {"status": ("a", "b")}, PageRequest(3, first.next, False),
                   fetcher(rows, seen))
    assert (second.items, seen[1].after) == (rows[3:6], rows[2].position)
    last = paged("things", {"status": ["a", "b"]}, PageRequest(3, second.next, False),
                 fetcher(rows, seen))
    assert (last.items, last.next) == (rows[6:], None)


SOME_ID = "0b6f3c1e-8d0a-4f63-9a4e-3c1d2b7e5f90"  # fixed: test ids must not change between runs


@pytest.mark.parametrize("cursor", [
    "", "!!!", "e30", base64.urlsafe_b64encode(b"[1]").decode(),
    make_cursor("another-list", ("2026-03-01T12:00:00.000000Z", SOME_ID)),
    make_cursor("fp", ("hier", SOME_ID)),
    make_cursor("fp", ("2026-03-01T12:00:00.000000Z", "not-a-uuid")),
    base64.urlsafe_b64encode(json.dumps([2, "fp", "2026-03-01T12:00:00.000000Z",
                                         SOME_ID]).encode()).decode(),
    "A" * 500,
])
def test_a_cursor_of_another_list_or_malformed_is_refused(cursor: str) -> None:
    with pytest.raises(ValidationFailedError) as error:
        open_cursor(cursor, "fp")
    assert [(e.field, e.code) for e in error.value.errors] == [("cursor", "cursor_invalid")]


def test_a_limit_out_of_range_is_refused() -> None:
    with pytest.raises(ValidationFailedError) as error:
        paged("things", {}, PageRequest(201), fetcher([], []))
    assert error.value.errors[0].code == "limit_out_of_range"


def test_a_time_without_zone_is_quebecs() -> None:
    assert utc_key(datetime(2026, 1, 15)) == "2026-01-15T05:00:00.000000Z"  # EST
    assert utc_key(datetime(2026, 7, 15)) == "2026-07-15T04:00:00.000000Z"  # EDT
