"""The staff consoles' words (`/validation`, `/audit`, `/admin`), French (Québec) first."""

from __future__ import annotations

# key -> (French, English); keys start with "console_"
CONSOLE_TEXTS: dict[str, tuple[str, str]] = {
    "console_validation": ("Validation des commerces", "Merchant validation"),
    "console_audit": ("Audit", "Audit"),
    "console_admin": ("Administration", "Administration"),
}
