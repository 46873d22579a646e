"""Claims: uniqueness of a public key (a NEQ, a slug) across aggregates.

A claim's id is derived from the key, so two concurrent claims of one key collide on the
event store's optimistic concurrency check and only one is saved. Keys are public business
identifiers, never personal data.
"""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.natural_keys import claim_id


class Claim(Aggregate):
    TOPIC = "comptoir.Claim"

    @staticmethod
    def create_id(kind: str, key: str) -> UUID:
        return claim_id(kind, key)

    @event("Created", topic="comptoir.Claim.Created")
    def __init__(self, kind: str, key: str, holder_id: UUID) -> None:
        self.kind = kind
        self.key = key
        self.holder_id = holder_id

    def hand_over(self, holder_id: UUID) -> None:
        """Give the key to a new holder, once the previous one has left (rejected, closed)."""
        self._handed_over(holder_id=holder_id)

    @event("HandedOver", topic="comptoir.Claim.HandedOver")
    def _handed_over(self, holder_id: UUID) -> None:
        self.holder_id = holder_id
