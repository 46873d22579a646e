"""Text entered by people, as the platform keeps it.

Every text value is NFC-normalised (one spelling of "é", whoever typed it) and may not hold
control characters but tab and newline: a NUL cannot be stored in PostgreSQL at all, and the
others have no business in a name or a title (they hide text, break CSV and logs). Identifiers
(NEQ, postal codes, tax numbers, phone numbers) are NFKC-folded first, so fullwidth digits
become ASCII ones, and then accept ASCII digits only: "J８X ３X７" is "J8X 3X7", and
Arabic-Indic digits are refused rather than becoming a second copy of a NEQ.
"""

from __future__ import annotations

import unicodedata

from domain.errors import InvalidValueError

_ALLOWED_CONTROLS = frozenset("\t\n")


def plain_text(text: str) -> str:
    """NFC, or InvalidValueError("text_control_characters") (surrogates included: they are
    not characters and no database takes them)."""
    text = unicodedata.normalize("NFC", str(text))
    for ch in text:
        if ch not in _ALLOWED_CONTROLS and unicodedata.category(ch) in ("Cc", "Cs"):
            raise InvalidValueError("text_control_characters")
    return text


def identifier_text(text: str) -> str:
    """NFKC-folded plain text, for values read by machines (digits, letters, a few signs)."""
    return unicodedata.normalize("NFKC", plain_text(text))


def clean_text(text: str | None, *, required: bool, maximum: int) -> str | None:
    cleaned = plain_text(text or "").strip()
    if not cleaned:
        if required:
            raise InvalidValueError("text_required")
        return None
    if len(cleaned) > maximum:
        raise InvalidValueError("text_too_long", max_length=maximum)
    return cleaned
