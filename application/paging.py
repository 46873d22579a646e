"""Keyset paging for lists: a stable order, a limit, and an opaque cursor for the next page.

A list is ordered by an immutable sort key (a date, as ISO-8601 UTC text) then by id, so a
page starts strictly after the last row of the previous one: no row is shown twice or
skipped when rows arrive while a client pages (a new row lands where it sorts: before the
first page when newest first, on the last page when oldest first).

A cursor is base64url of JSON `[version, fingerprint, key, id]`. The fingerprint is a short
hash of the list's name, the filters and the direction it was made for: a cursor brought to
another list or other filters is refused (`cursor_invalid`) rather than read out of place. A
cursor is opaque, not secret: it only says where a page starts in a list the caller may read.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, Protocol, TypeVar
from uuid import UUID

from domain.errors import FieldError, ValidationFailedError
from domain.quebec import CIVIL_TIME

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
CURSOR_VERSION = 1
MAX_CURSOR = 400
_KEY = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")

Position = tuple[str, str]  # (sort key, id) of a row


class Positioned(Protocol):
    @property
    def position(self) -> Position: ...


R = TypeVar("R", bound=Positioned)


@dataclass(frozen=True)
class PageRequest:
    limit: int = DEFAULT_LIMIT
    cursor: str | None = None
    newest_first: bool = True


@dataclass(frozen=True)
class Window:
    """What a read model fetches: rows strictly after `after`, at most `limit` of them."""

    after: Position | None
    limit: int
    newest_first: bool


@dataclass(frozen=True)
class Page(Generic[R]):
    items: list[R]
    next: str | None  # the cursor of the next page; None on the last one
    total: int  # rows matching the filters


def paged(name: str, filters: Mapping[str, Any], request: PageRequest,
          fetch: Callable[[Window], tuple[list[R], int]]) -> Page[R]:
    """One page of a list: `fetch` is asked one row more than the limit, to know if another
    page follows."""
    if not 1 <= request.limit <= MAX_LIMIT:
        raise ValidationFailedError([FieldError("limit", "limit_out_of_range",
                                                {"maximum": MAX_LIMIT})])
    fingerprint = _fingerprint(name, filters, request.newest_first)
    after = open_cursor(request.cursor, fingerprint) if request.cursor is not None else None
    rows, total = fetch(Window(after, request.limit + 1, request.newest_first))
    items = rows[:request.limit]
    more = len(rows) > request.limit
    return Page(items, make_cursor(fingerprint, items[-1].position) if more else None, total)


def make_cursor(fingerprint: str, position: Position) -> str:
    text = json.dumps([CURSOR_VERSION, fingerprint, *position], separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def open_cursor(cursor: str, fingerprint: str) -> Position:
    """The position a cursor points after, or a `cursor_invalid` validation error."""
    try:
        if len(cursor) > MAX_CURSOR:
            raise ValueError("too long")
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        version, made_for, key, row_id = raw
        if version != CURSOR_VERSION or made_for != fingerprint or not _KEY.match(key):
            raise ValueError("not this list's")
        return key, str(UUID(row_id))
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError, AttributeError):
        raise ValidationFailedError([FieldError("cursor", "cursor_invalid")]) from None


def _fingerprint(name: str, filters: Mapping[str, Any], newest_first: bool) -> str:
    canonical = json.dumps([name, newest_first, {k: _plain(v) for k, v in filters.items()}],
                           sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def _plain(value: Any) -> Any:
    if isinstance(value, tuple | list | set | frozenset):
        return sorted(str(v) for v in value)
    if isinstance(value, datetime):
        return utc_key(value)
    return None if value is None else str(value)


def aware(moment: datetime) -> datetime:
    """A moment with its time zone: a date or time given without one is Québec's."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=CIVIL_TIME)


def utc_key(moment: datetime) -> str:
    """A moment as the sort key lists store: ISO-8601 UTC text, which sorts as time does
    (a moment beyond year 1 or 9999 once in UTC sorts as those bounds)."""
    try:
        utc = aware(moment).astimezone(UTC).replace(tzinfo=None)
    except OverflowError:
        utc = datetime.max if moment.year > 1 else datetime.min
    return utc.isoformat(timespec="microseconds") + "Z"


def from_key(key: str) -> datetime:
    return datetime.fromisoformat(key.replace("Z", "+00:00"))
