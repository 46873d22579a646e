"""Who is acting: the role and identity carried by a verified token."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID

from application.errors import AuthenticationRequiredError


class Role(StrEnum):
    ANONYMOUS = "anonymous"
    CONSUMER = "consumer"
    MERCHANT = "merchant"
    VALIDATOR = "validator"
    AUDITOR = "auditor"
    ADMIN = "admin"


@dataclass(frozen=True)
class Actor:
    role: Role
    subject: str  # an opaque id (uuid), never an e-mail or a name: it is written into events
    merchant_id: UUID | None = None

    @classmethod
    def anonymous(cls) -> Actor:
        return cls(Role.ANONYMOUS, "anonymous")

    @property
    def is_anonymous(self) -> bool:
        return self.role == Role.ANONYMOUS

    def require_signed_in(self) -> None:
        """Checked before anything is looked up: an anonymous caller learns nothing about
        what exists (401 whatever the id), and a token might allow the call."""
        if self.is_anonymous:
            raise AuthenticationRequiredError()

    def owns(self, merchant_id: UUID) -> bool:
        return self.role == Role.MERCHANT and self.merchant_id == merchant_id

    @property
    def reads_everything(self) -> bool:
        """Platform staff see every merchant and listing, whatever its state."""
        return self.role in (Role.VALIDATOR, Role.AUDITOR, Role.ADMIN)

    @property
    def sees_personal_data(self) -> bool:
        """Staff who need contact details for their work (the auditor does not)."""
        return self.role in (Role.VALIDATOR, Role.ADMIN)
