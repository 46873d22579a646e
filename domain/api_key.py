"""API keys: how a merchant's own systems (a point of sale, an ERP) act for it.

A key is shown once when it is made; only the SHA-256 of its secret part is kept (a 256-bit
random secret needs no slow hash). It acts for its merchant only, as the merchant role, until
it is revoked.
"""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import IllegalTransitionError
from domain.text import clean_text

MAX_NAME = 80


class ApiKey(Aggregate):
    TOPIC = "comptoir.ApiKey"

    class Created(Aggregate.Created):
        TOPIC = "comptoir.ApiKey.Created"  # never triggered: a key is issued

    @classmethod
    def issue(cls, merchant_id: UUID, name: str, secret_hash: str, by: str) -> ApiKey:
        return cls(merchant_id=merchant_id,
                   name=clean_text(name, required=True, maximum=MAX_NAME) or "",
                   secret_hash=secret_hash, by=by)

    @event("Issued", topic="comptoir.ApiKey.Issued")
    def __init__(self, merchant_id: UUID, name: str, secret_hash: str, by: str) -> None:
        self.merchant_id = merchant_id
        self.name = name
        self.secret_hash = secret_hash
        self.revoked = False

    def revoke(self, by: str) -> None:
        if self.revoked:
            raise IllegalTransitionError("api_key", "revoke", "revoked")
        self._revoked(by=by)

    @event("Revoked", topic="comptoir.ApiKey.Revoked")
    def _revoked(self, by: str) -> None:
        self.revoked = True
