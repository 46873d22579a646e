"""Idempotent creation: the same Idempotency-Key and request create something only once.

The record of a key is an aggregate whose id derives from (scope, key); it is saved in the
same atomic save as what the request created. Two concurrent requests with one key collide on
that id: the loser's save fails as a whole, and its retry finds the winner's record.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from application.errors import IdempotencyKeyReusedError

IDEMPOTENCY_NAMESPACE = uuid5(NAMESPACE_URL, "https://comptoir.quebec/idempotency")
MAX_KEY = 255


class IdempotentRequest(Aggregate):
    TOPIC = "comptoir.IdempotentRequest"

    @staticmethod
    def create_id(scope: str, key: str) -> UUID:
        return uuid5(IDEMPOTENCY_NAMESPACE, f"{scope}\x00{key}")

    @event("Created", topic="comptoir.IdempotentRequest.Created")
    def __init__(self, scope: str, key: str, fingerprint: str, result_id: UUID) -> None:
        self.scope = scope
        self.key = key
        self.fingerprint = fingerprint
        self.result_id = result_id


@dataclass(frozen=True)
class IdempotencyKey:
    """A client's key, scoped to who sent it and to what operation, with its request's hash."""

    scope: str
    key: str
    fingerprint: str

    @classmethod
    def of(cls, key: str, *, operation: str, subject: str, request: Any) -> IdempotencyKey:
        canonical = json.dumps(request, sort_keys=True, default=str, ensure_ascii=False)
        fingerprint = hashlib.sha256(canonical.encode()).hexdigest()
        return cls(f"{subject}:{operation}", key, fingerprint)

    @property
    def record_id(self) -> UUID:
        return IdempotentRequest.create_id(self.scope, self.key)

    def record(self, result_id: UUID) -> IdempotentRequest:
        return IdempotentRequest(self.scope, self.key, self.fingerprint, result_id)

    def replay(self, prior: IdempotentRequest) -> UUID:
        if prior.fingerprint != self.fingerprint:
            raise IdempotencyKeyReusedError()
        return prior.result_id
