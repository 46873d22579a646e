"""Idempotent creation: the same Idempotency-Key and request create something only once.

The record of a key is an aggregate whose id derives from (scope, key); it is saved in the
same atomic save as what the request created. Two concurrent requests with one key collide on
that id: the loser's save fails as a whole, and its retry finds the winner's record.

What a record keeps of the request is a keyed hash (HMAC-SHA256) under a key derived from the
personal-data key of the person it concerns: a request body holds personal data (a name, an
address), a plain SHA-256 of it can be confirmed by guessing, and erasing the person destroys
the key, so the record then proves nothing about them. Neither the body nor the client's key
string is stored.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from application.errors import IdempotencyKeyReusedError
from domain.natural_keys import idempotency_id

MAX_KEY = 255
_PURPOSE = b"comptoir idempotency fingerprint"


class IdempotentRequest(Aggregate):
    TOPIC = "comptoir.IdempotentRequest"

    class Created(Aggregate.Created):
        TOPIC = "comptoir.IdempotentRequest.Created"
        class_version = 2  # v2: a keyed hash and whose key made it; no more raw client key
        scope: str
        fingerprint: str
        result_id: UUID
        hashed_for: UUID | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state.pop("key", None)
            state["hashed_for"] = None  # v1: a plain SHA-256 of the request

    @staticmethod
    def id_of(scope: str, key: str) -> UUID:
        return idempotency_id(scope, key)

    @event(Created)
    def __init__(self, scope: str, fingerprint: str, result_id: UUID,
                 hashed_for: UUID | None) -> None:
        self.scope = scope
        self.fingerprint = fingerprint
        self.result_id = result_id
        self.hashed_for = hashed_for


Secrets = Callable[[UUID], bytes | None]  # a person's data key, None once erased


@dataclass(frozen=True)
class IdempotencyKey:
    """A client's key, scoped to who sent it and to what operation, with its request (kept
    in memory only, to be hashed)."""

    scope: str
    key: str
    request: str  # canonical JSON
    subject: str  # the caller

    @classmethod
    def of(cls, key: str, *, operation: str, subject: str, request: Any) -> IdempotencyKey:
        canonical = json.dumps(request, sort_keys=True, default=str, ensure_ascii=False)
        return cls(f"{subject}:{operation}", key, canonical, subject)

    @property
    def record_id(self) -> UUID:
        return IdempotentRequest.id_of(self.scope, self.key)

    def record(self, result_id: UUID, hashed_for: UUID, secret: bytes) -> IdempotentRequest:
        return IdempotentRequest._create(  # its id comes from the key, not from its fields
            IdempotentRequest.Created, id=self.record_id, scope=self.scope,
            fingerprint=self._keyed_hash(secret), result_id=result_id, hashed_for=hashed_for)

    def replay(self, prior: IdempotentRequest, secrets: Secrets) -> UUID:
        """The prior result if this is the same request; a record whose person was erased
        can no longer tell, and creates nothing more either."""
        if prior.hashed_for is None:
            same = prior.fingerprint == hashlib.sha256(self.request.encode()).hexdigest()
        else:
            secret = secrets(prior.hashed_for)
            same = secret is not None and hmac.compare_digest(
                prior.fingerprint, self._keyed_hash(secret))
        if not same:
            raise IdempotencyKeyReusedError()
        return prior.result_id

    def _keyed_hash(self, secret: bytes) -> str:
        key = hmac.new(secret, _PURPOSE, hashlib.sha256).digest()
        return hmac.new(key, self.request.encode(), hashlib.sha256).hexdigest()
