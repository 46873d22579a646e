"""Personal data: values about one identifiable person, kept apart from everything else.

A `PersonalData` travels inside events like any value, but the persistence layer stores it
only encrypted with its subject's own key; once that key is destroyed the values read back
as `forgotten` (Law 25 erasure by crypto-shredding).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from uuid import UUID

from domain.errors import FieldErrors, InvalidValueError

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s.]+(\.[^@\s.]+)+$")
MAX_NAME = 200


@dataclass(frozen=True)
class PersonalData:
    subject_id: UUID
    values: Mapping[str, str] = field(default_factory=dict)
    forgotten: bool = False

    def get(self, key: str) -> str | None:
        return self.values.get(key)

    @classmethod
    def forgotten_for(cls, subject_id: UUID) -> PersonalData:
        return cls(subject_id, {}, forgotten=True)


def parse_email(text: str) -> str:
    email = str(text).strip()
    if len(email) > 254 or not _EMAIL.match(email):
        raise InvalidValueError("email_invalid")
    local, domain = email.rsplit("@", 1)
    return f"{local}@{domain.lower()}"


def parse_phone(text: str) -> str:
    """North American numbers, normalised to +1XXXXXXXXXX."""
    digits = re.sub(r"[\s().+-]", "", str(text))
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if not re.fullmatch(r"[2-9]\d{2}[2-9]\d{6}", digits):
        raise InvalidValueError("phone_invalid")
    return "+1" + digits


def parse_person_name(text: str) -> str:
    name = " ".join(str(text).split())
    if not name or len(name) > MAX_NAME:
        raise InvalidValueError("name_invalid", max_length=MAX_NAME)
    return name


def parse_contact(subject_id: UUID, name: str, email: str, phone: str | None) -> PersonalData:
    errors = FieldErrors()
    values = {
        "name": errors.parse("name", parse_person_name, name),
        "email": errors.parse("email", parse_email, email),
    }
    if phone:
        values["phone"] = errors.parse("phone", parse_phone, phone)
    errors.raise_if_any()
    return PersonalData(subject_id, {k: v for k, v in values.items() if v is not None})
