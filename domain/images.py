"""References to uploaded images. Images themselves are not events (their bytes live in an
image store, application/images.py); their ids are, in the events that use them."""

from __future__ import annotations

import re
from typing import Any

from domain.errors import FieldErrors, InvalidValueError

MAX_PHOTOS = 10
_IMAGE_ID = re.compile(r"^[0-9a-f]{32}$")


def parse_image_id(text: Any) -> str:
    """32 lowercase hex digits: the start of the SHA-256 of what was uploaded."""
    if not isinstance(text, str) or not _IMAGE_ID.match(text):
        raise InvalidValueError("image_id_invalid")
    return text


def parse_photos(ids: Any) -> tuple[str, ...]:
    """An ordered list of distinct image ids, the first shown first."""
    if not isinstance(ids, list | tuple) or len(ids) > MAX_PHOTOS:
        raise InvalidValueError("photos_too_many", maximum=MAX_PHOTOS)
    errors = FieldErrors()
    photos = [errors.parse(str(i), parse_image_id, value) for i, value in enumerate(ids)]
    errors.raise_if_any()
    if len(set(photos)) != len(photos):
        raise InvalidValueError("photos_repeated")
    return tuple(p for p in photos if p is not None)
