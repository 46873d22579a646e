"""Consumers: the people who buy, registered under the subject of their token."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from application.actors import Actor, Role
from application.errors import ConflictError, NotFoundError, denied
from application.idempotency import IdempotencyKey
from application.service import Service
from domain.consumer import Consumer, check_profile
from domain.personal import PersonalData


@dataclass(frozen=True)
class ConsumerView:
    id: UUID
    profile: PersonalData
    postal_area: str | None


class Consumers(Service):
    def register(self, actor: Actor, profile: dict[str, Any],
                 key: IdempotencyKey | None = None) -> ConsumerView:
        """A consumer token registers its own subject, once."""
        if actor.role != Role.CONSUMER:
            raise denied(actor.is_anonymous)
        consumer_id = UUID(actor.subject)

        def build() -> tuple[UUID, list[Aggregate]]:
            if self.exists(consumer_id):
                raise ConflictError("consumer_exists")
            checked = check_profile(consumer_id, **profile)
            return consumer_id, [Consumer.register(consumer_id, checked)]

        self.create(key, build, serialise=[consumer_id])
        return self.get(actor, consumer_id)

    def get(self, actor: Actor, consumer_id: UUID) -> ConsumerView:
        actor.require_signed_in()
        consumer = self.load(Consumer, consumer_id, "consumer")
        if actor.subject != str(consumer_id) and actor.role != Role.ADMIN:
            raise NotFoundError("consumer")
        return ConsumerView(consumer.id, consumer.profile, consumer.postal_area)

    def postal_areas(self, consumer_ids: set[UUID]) -> dict[UUID, str | None]:
        """The region insights use (three characters of the postal code, or None) of each
        consumer, read together: a second's flush of insights names many."""
        found = self.app.aggregates(list(consumer_ids))
        return {consumer_id: consumer.postal_area
                if isinstance(consumer := found.get(consumer_id), Consumer) else None
                for consumer_id in consumer_ids}
