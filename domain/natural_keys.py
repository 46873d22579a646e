"""Aggregates named by a natural key instead of a random id: a claim on a NEQ or a slug, the
record of an Idempotency-Key, the record of a gateway's webhook delivery.

Each is the one aggregate its key names (its id is a uuid5 of the key), so two concurrent
writers of one key collide on the event store's optimistic concurrency check and only one is
saved: uniqueness without a lock or a unique index. The three derivations are stored ids and
cannot change; they live here side by side, pinned by tests/unit/test_natural_keys.py. A new
kind of keyed aggregate uses `key_id`.
"""

from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid5

_BASE = "https://comptoir.quebec/"


def key_id(kind: str, *parts: str) -> UUID:
    """The id of the aggregate that `parts` name within `kind` (the convention for any new
    kind: one namespace per kind, parts joined by NUL, which no key contains)."""
    return uuid5(uuid5(NAMESPACE_URL, _BASE + kind), "\x00".join(parts))


def claim_id(kind: str, key: str) -> UUID:
    """A claim on a public key (kind "neq", "slug", "import", "payment", "account")."""
    return uuid5(uuid5(NAMESPACE_URL, _BASE + "claims"), f"{kind}:{key}")


def idempotency_id(scope: str, key: str) -> UUID:
    """An Idempotency-Key's record: the key within its scope (the caller and the operation)."""
    return key_id("idempotency", scope, key)


def webhook_delivery_id(event_id: str) -> UUID:
    """A gateway event's delivery, once whatever the number of deliveries."""
    return uuid5(NAMESPACE_URL, f"comptoir:webhook:{event_id}")
