"""Free text entered by people: trimmed, required or not, bounded."""

from __future__ import annotations

from domain.errors import InvalidValueError


def clean_text(text: str | None, *, required: bool, maximum: int) -> str | None:
    cleaned = (text or "").strip()
    if not cleaned:
        if required:
            raise InvalidValueError("text_required")
        return None
    if len(cleaned) > maximum:
        raise InvalidValueError("text_too_long", max_length=maximum)
    return cleaned
