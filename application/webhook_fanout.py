"""From the one log to the webhook outbox: one delivery per (public event, endpoint).

Run by a `Follower` like a read model: the outbox rows and the tracked position commit in one
transaction, so each event is queued exactly once per endpoint, whatever crashes. The
endpoints that receive an event are those subscribed to its type when it happened — the
store keeps an index of them, fed from the endpoints' own events in the same log order. Ids
are derived (an event from its stored event and merchant, a delivery from its event and
endpoint), so that queuing again, after a rebuild say, adds nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.utils import get_topic

from application.webhook_events import TYPES, WebhookEvents
from domain.natural_keys import key_id
from domain.webhook_endpoint import WebhookEndpoint

ENDPOINT_EVENTS = (WebhookEndpoint.Registered, WebhookEndpoint.Updated, WebhookEndpoint.Deleted)


def webhook_event_id(source_id: UUID, version: int, merchant_id: UUID) -> UUID:
    return key_id("webhook-event", str(source_id), str(version), str(merchant_id))


def webhook_delivery_id(event_id: UUID, endpoint_id: UUID) -> UUID:
    """Also the `webhook-id` header: the same for every attempt, so receivers deduplicate."""
    return key_id("webhook-delivery", str(event_id), str(endpoint_id))


@dataclass(frozen=True)
class QueuedDelivery:
    delivery_id: UUID
    event_id: UUID
    endpoint_id: UUID
    merchant_id: UUID
    event_type: str
    source_id: UUID
    source_version: int
    created_at: datetime  # when the event happened
    deadline: datetime  # retried until then, then failed


class OutboxUnit(Protocol):
    """The outbox's side of one transaction (adapters/webhook_stores.py)."""

    def load(self, events: Sequence[Any]) -> None: ...

    def flush(self) -> None: ...

    def endpoint(self, endpoint_id: UUID, merchant_id: UUID | None,
                 event_types: Sequence[str], enabled: bool) -> None:
        """Insert or replace an endpoint in the index, with its subscriptions."""

    def endpoint_changed(self, endpoint_id: UUID, event_types: Sequence[str],
                         enabled: bool) -> None: ...

    def endpoint_deleted(self, endpoint_id: UUID) -> None:
        """Out of the index; its pending deliveries cancelled."""

    def anyone_subscribed(self, event_type: str) -> bool: ...

    def subscribers(self, event_type: str, merchant_id: UUID) -> list[UUID]:
        """Enabled endpoints of this merchant or of the operator subscribed to the type."""

    def enqueue(self, deliveries: Sequence[QueuedDelivery]) -> None:
        """Insert, or nothing where the delivery exists."""


class WebhookFanout:
    name = "webhooks"
    version = 1  # never raised: a rebuild keeps every delivery made (see the store's reset)

    def __init__(self, events: WebhookEvents, give_up_after: timedelta) -> None:
        self.events = events
        self.give_up_after = give_up_after
        self.topics = tuple(get_topic(cls) for cls in (*ENDPOINT_EVENTS, *TYPES))

    def process(self, event: Any, unit: OutboxUnit) -> None:
        kind = type(event)
        if kind is WebhookEndpoint.Registered:
            unit.endpoint(event.originator_id, event.merchant_id, event.event_types, True)
        elif kind is WebhookEndpoint.Updated:
            unit.endpoint_changed(event.originator_id, event.event_types, event.enabled)
        elif kind is WebhookEndpoint.Deleted:
            unit.endpoint_deleted(event.originator_id)
        else:
            self._queue(event, unit)

    def _queue(self, event: Any, unit: OutboxUnit) -> None:
        event_type = TYPES[type(event)]
        if not unit.anyone_subscribed(event_type):
            return  # nobody listens: nothing is loaded
        queued = []
        for merchant_id in self.events.merchants_of(event):
            event_id = webhook_event_id(event.originator_id, event.originator_version,
                                        merchant_id)
            queued += [QueuedDelivery(
                webhook_delivery_id(event_id, endpoint_id), event_id, endpoint_id, merchant_id,
                event_type, event.originator_id, event.originator_version, event.timestamp,
                event.timestamp + self.give_up_after)
                for endpoint_id in unit.subscribers(event_type, merchant_id)]
        unit.enqueue(queued)
