"""Personal data: values about one identifiable person, kept apart from everything else.

A `PersonalData` travels inside events like any value, but the persistence layer stores it
only encrypted with its subject's own key; once that key is destroyed the values read back
as `forgotten` (Law 25 erasure by crypto-shredding).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from uuid import UUID

from domain.errors import FieldErrors, InvalidValueError
from domain.text import identifier_text, plain_text

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s.]+(\.[^@\s.]+)+$")
MAX_NAME = 200


class PersonalData:
    """Values about one person. Read back from storage they stay sealed until first used:
    loading a merchant to check its status never touches its contact's key."""

    __slots__ = ("subject_id", "sealed", "_opener", "_values")

    def __init__(
        self, subject_id: UUID, values: Mapping[str, str] | None = None, *,
        sealed: object = None, opener: Callable[[], Mapping[str, str] | None] | None = None,
    ) -> None:
        self.subject_id = subject_id
        self.sealed = sealed  # the stored form, opaque here; rewritten as is
        self._opener = opener
        self._values: Mapping[str, str] | None = dict(values) if values is not None else None

    @property
    def values(self) -> Mapping[str, str]:
        self._open()
        return self._values or {}

    @property
    def forgotten(self) -> bool:
        """The subject's key is gone: the values can never be read again."""
        self._open()
        return self._values is None

    def get(self, key: str) -> str | None:
        return self.values.get(key)

    def _open(self) -> None:
        if self._values is None and self._opener is not None:
            self._values = self._opener()
            self._opener = None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PersonalData):
            return NotImplemented
        return (self.subject_id, self.forgotten, self.values) == (
            other.subject_id, other.forgotten, other.values)

    def __hash__(self) -> int:
        return hash(self.subject_id)

    def __repr__(self) -> str:  # never the values: reprs end up in logs
        return f"PersonalData(subject_id={self.subject_id!s})"


def parse_email(text: str) -> str:
    email = plain_text(text).strip()
    if len(email) > 254 or not _EMAIL.match(email):
        raise InvalidValueError("email_invalid")
    local, domain = email.rsplit("@", 1)
    return f"{local}@{domain.lower()}"


def parse_phone(text: str) -> str:
    """North American numbers, normalised to +1XXXXXXXXXX."""
    digits = re.sub(r"[\s().+-]", "", identifier_text(text))
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if not re.fullmatch(r"[2-9][0-9]{2}[2-9][0-9]{6}", digits):
        raise InvalidValueError("phone_invalid")
    return "+1" + digits


def parse_person_name(text: str) -> str:
    name = " ".join(plain_text(text).split())
    if not name or len(name) > MAX_NAME:
        raise InvalidValueError("name_invalid", max_length=MAX_NAME)
    return name


def parse_contact(subject_id: UUID, name: str | None, email: str | None,
                  phone: str | None) -> PersonalData:
    errors = FieldErrors()
    values = {
        "name": errors.parse("name", parse_person_name, name),
        "email": errors.parse("email", parse_email, email),
    }
    if phone:
        values["phone"] = errors.parse("phone", parse_phone, phone)
    errors.raise_if_any()
    return PersonalData(subject_id, {k: v for k, v in values.items() if v is not None})
