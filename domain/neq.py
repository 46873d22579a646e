"""The Québec enterprise number (numéro d'entreprise du Québec, NEQ).

Ten digits assigned by the Registraire des entreprises; the first two give the kind of
enterprise: 11 (sole proprietorship), 22 (partnership), 33 (legal person), 88 (other
registrants). The Registraire publishes no check-digit algorithm, so the check is the format
and the kind; confirming that the number is registered is the validator's job (REQ lookup).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from domain.errors import InvalidValueError
from domain.text import identifier_text

NEQ_KINDS = frozenset({"11", "22", "33", "88"})


@dataclass(frozen=True)
class NEQ:
    value: str

    @classmethod
    def parse(cls, text: str) -> NEQ:
        digits = re.sub(r"[\s-]+", "", identifier_text(text))
        if not re.fullmatch(r"[0-9]{10}", digits):
            raise InvalidValueError("neq_malformed")
        if digits[:2] not in NEQ_KINDS:
            raise InvalidValueError("neq_unknown_kind")
        if len(set(digits[2:])) == 1:
            raise InvalidValueError("neq_placeholder")
        return cls(digits)
