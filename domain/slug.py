"""URL slugs for public pages: lower-case ASCII words joined by hyphens."""

from __future__ import annotations

import re
import unicodedata

MAX_SLUG = 80


def slugify(*parts: str) -> str:
    text = " ".join(parts)
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    slug = "-".join(words)[:MAX_SLUG].strip("-")
    return slug or "commerce"
