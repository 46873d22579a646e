"""Merchants' API keys: made by the merchant's owner, shown once, kept hashed, revocable.

A key reads `ck_<key id>_<secret>`: the id finds the key's record in one read, the secret is
compared with its SHA-256 in constant time. A verified key is remembered for a few seconds
(every request of a point of sale carries it); a revocation takes effect within that time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from application.actors import Actor, Role
from application.errors import NotFoundError
from application.service import Service
from domain.account import Account, Membership
from domain.api_key import ApiKey

PREFIX = "ck_"
REMEMBER_SECONDS = 10.0


@dataclass(frozen=True)
class ApiKeyView:
    id: UUID
    merchant_id: UUID
    name: str
    revoked: bool
    key: str | None = None  # the whole key: only in the answer that made it


class ApiKeys(Service):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._verified: dict[str, tuple[Actor, float]] = {}

    def issue(self, actor: Actor, merchant_id: UUID, name: str) -> ApiKeyView:
        self._owner(actor, merchant_id)
        secret = secrets.token_urlsafe(32)
        key = ApiKey.issue(merchant_id, name, _digest(secret), by=actor.subject)
        self.save(key)
        return ApiKeyView(key.id, merchant_id, key.name, False,
                          f"{PREFIX}{key.id.hex}_{secret}")

    def list(self, actor: Actor, merchant_id: UUID) -> list[ApiKeyView]:
        self._owner(actor, merchant_id)
        keys = [self.find(e.originator_id) for e in self.events("comptoir.ApiKey.Issued")
                if e.merchant_id == merchant_id]
        return [ApiKeyView(k.id, k.merchant_id, k.name, k.revoked)
                for k in keys if isinstance(k, ApiKey)]

    def revoke(self, actor: Actor, merchant_id: UUID, key_id: UUID) -> ApiKeyView:
        self._owner(actor, merchant_id)
        key = self.find(key_id)
        if not isinstance(key, ApiKey) or key.merchant_id != merchant_id:
            raise NotFoundError("api_key")
        key.revoke(by=actor.subject)
        self.save(key)
        self._verified.clear()
        return ApiKeyView(key.id, key.merchant_id, key.name, True)

    def actor_for(self, presented: str) -> Actor | None:
        """The merchant a key acts for, or None (unknown, malformed, revoked)."""
        remembered = self._verified.get(presented)
        if remembered is not None and remembered[1] > time.monotonic():
            return remembered[0]
        parts = presented.removeprefix(PREFIX).split("_", 1)
        if not presented.startswith(PREFIX) or len(parts) != 2:
            return None
        try:
            key = self.find(UUID(hex=parts[0]))
        except ValueError:
            return None
        if not isinstance(key, ApiKey) or key.revoked \
                or not hmac.compare_digest(key.secret_hash, _digest(parts[1])):
            return None
        actor = Actor(Role.MERCHANT, str(key.id), key.merchant_id)
        self._verified[presented] = (actor, time.monotonic() + REMEMBER_SECONDS)
        return actor

    def _owner(self, actor: Actor, merchant_id: UUID) -> None:
        """The merchant's owner (an account that owns it) or an admin; to others, not found."""
        actor.require_signed_in()
        if actor.role == Role.ADMIN:
            return
        account = (self.find(Account.create_id(UUID(actor.subject)))
                   if actor.owns(merchant_id) else None)
        if not (isinstance(account, Account)
                and account.membership(merchant_id) == Membership.OWNER):
            raise NotFoundError("merchant")



def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
