"""Outbound webhooks for integrators: endpoints, their secrets, their deliveries.

Not to be confused with application/webhooks.py, the INBOUND webhooks of the payment gateway.

A merchant (its people, or one of its API keys) manages the endpoints that receive events
about it; the operator (admin) manages the platform's own, which receive every merchant's.
Staff who read everything (validators, auditors, admins) may read them. The signing secret is
shown in the answer that makes it (creation, rotation) and kept only in the key store,
encrypted; deleting the endpoint destroys it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate

from application.actors import Actor, Role
from application.errors import NotFoundError, denied
from application.idempotency import IdempotencyKey
from application.ports import Clock
from application.service import Service
from application.webhook_delivery import Delivery, WebhookOutbox, WebhookSender, new_secret
from domain.errors import RuleViolatedError
from domain.merchant import Merchant
from domain.webhook_endpoint import WebhookEndpoint, check_endpoint

MAX_ENDPOINTS = 10  # per merchant, and for the operator
DELIVERY_STATUSES = ("pending", "succeeded", "failed", "cancelled")


@dataclass(frozen=True)
class EndpointView:
    id: UUID
    merchant_id: UUID | None  # None: the operator's
    url: str
    event_types: tuple[str, ...]
    description: str | None
    enabled: bool
    created_at: datetime
    updated_at: datetime
    previous_secret_expires_at: datetime | None
    secret: str | None = None  # only in the answer that made it

    @classmethod
    def of(cls, e: WebhookEndpoint, now: datetime, secret: str | None = None) -> EndpointView:
        kept = e.previous_until if len(e.signing_secret_ids(now)) > 1 else None
        return cls(e.id, e.merchant_id, e.url, tuple(e.event_types), e.description, e.enabled,
                   e.created_on, e.modified_on, kept, secret)


class WebhookEndpoints(Service):
    def __init__(self, *args: Any, clock: Clock, outbox: WebhookOutbox, sender: WebhookSender,
                 allow_local: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.clock, self.outbox, self.sender = clock, outbox, sender
        self.allow_local = allow_local  # development: http://127.0.0.1 and private addresses

    def register(self, actor: Actor, merchant_id: UUID | None, request: dict[str, Any],
                 key: IdempotencyKey | None = None) -> EndpointView:
        self._may_write(actor, merchant_id)
        if merchant_id is not None:
            self.load(Merchant, merchant_id, "merchant")
        url, types, description = check_endpoint(
            request.get("url", ""), request.get("event_types", ()), request.get("description"),
            self.allow_local)

        def build() -> tuple[UUID, list[Aggregate]]:
            if len(self.outbox.endpoints_of(merchant_id)) >= MAX_ENDPOINTS:
                raise RuleViolatedError("webhook_endpoints_too_many", maximum=MAX_ENDPOINTS)
            secret_id = uuid4()
            self.app.keys.get_or_create(secret_id)
            endpoint = WebhookEndpoint(merchant_id, url, list(types), description, secret_id,
                                       by=actor.subject)
            return endpoint.id, [endpoint]

        endpoint_id = self.create(key, build)
        endpoint = self._endpoint(merchant_id, endpoint_id)  # a replay: the same answer
        # ...with the secret it made, unless it was rotated since: a replay of the creation
        # never reveals a later secret (that one was shown to whoever rotated it).
        made = None if endpoint.previous_secret_id else self.app.keys.get(endpoint.secret_id)
        return self._view(endpoint, made)

    def all(self, actor: Actor, merchant_id: UUID | None) -> list[EndpointView]:
        """From the outbox's index: an endpoint shows within a moment of being registered
        (at once with `Prefer: read-your-writes`)."""
        self._may_read(actor, merchant_id)
        found = [self.find(i) for i in self.outbox.endpoints_of(merchant_id)]
        live = [e for e in found if isinstance(e, WebhookEndpoint) and not e.deleted
                and e.merchant_id == merchant_id]
        return [self._view(e) for e in sorted(live, key=lambda e: (e.created_on, str(e.id)))]

    def get(self, actor: Actor, merchant_id: UUID | None, endpoint_id: UUID) -> EndpointView:
        self._may_read(actor, merchant_id)
        return self._view(self._endpoint(merchant_id, endpoint_id))

    def update(self, actor: Actor, merchant_id: UUID | None, endpoint_id: UUID,
               changes: dict[str, Any]) -> EndpointView:
        """PATCH: the fields given replace the endpoint's."""
        self._may_write(actor, merchant_id)

        def attempt() -> WebhookEndpoint:
            e = self._endpoint(merchant_id, endpoint_id)
            url, types, description = check_endpoint(
                changes.get("url", e.url), changes.get("event_types", e.event_types),
                changes.get("description", e.description), self.allow_local)
            if e.update(url, types, bool(changes.get("enabled", e.enabled)), description,
                        by=actor.subject):
                self.save(e)
            return e

        return self._view(self.retrying(attempt, serialise=[endpoint_id]))

    def delete(self, actor: Actor, merchant_id: UUID | None, endpoint_id: UUID) -> None:
        """Its pending deliveries are cancelled and its secrets destroyed."""
        self._may_write(actor, merchant_id)

        def attempt() -> WebhookEndpoint:
            e = self._endpoint(merchant_id, endpoint_id)
            e.delete(by=actor.subject)
            self.save(e)
            return e

        deleted = self.retrying(attempt, serialise=[endpoint_id])
        for secret_id in (deleted.secret_id, deleted.previous_secret_id):
            if secret_id is not None:
                self.app.keys.delete(secret_id)

    def rotate_secret(self, actor: Actor, merchant_id: UUID | None, endpoint_id: UUID,
                      keep_previous: timedelta) -> EndpointView:
        """A new secret, shown once; the current one is still honoured (a second signature)
        for `keep_previous`, so that receivers can switch without losing an event."""
        self._may_write(actor, merchant_id)
        secret_id = uuid4()
        key = self.app.keys.get_or_create(secret_id)
        until = self.clock.now() + keep_previous if keep_previous > timedelta(0) else None
        retired: list[UUID | None] = []

        def attempt() -> WebhookEndpoint:
            e = self._endpoint(merchant_id, endpoint_id)
            retired[:] = [e.previous_secret_id] + ([] if until else [e.secret_id])
            e.rotate_secret(secret_id, until, by=actor.subject)
            self.save(e)
            return e

        endpoint = self.retrying(attempt, serialise=[endpoint_id])
        for old in retired:
            if old is not None:
                self.app.keys.delete(old)
        return self._view(endpoint, key)

    def deliveries(self, actor: Actor, merchant_id: UUID | None, endpoint_id: UUID,
                   status: str | None = None, limit: int = 50, offset: int = 0
                   ) -> list[Delivery]:
        self._may_read(actor, merchant_id)
        self._endpoint(merchant_id, endpoint_id)
        return self.outbox.deliveries(endpoint_id, status, limit, offset)

    def delivery(self, actor: Actor, merchant_id: UUID | None, endpoint_id: UUID,
                 delivery_id: UUID) -> Delivery:
        self._may_read(actor, merchant_id)
        self._endpoint(merchant_id, endpoint_id)
        return self._delivery(endpoint_id, delivery_id)

    def replay(self, actor: Actor, merchant_id: UUID | None, endpoint_id: UUID,
               delivery_id: UUID) -> Delivery:
        """One more attempt, now, with the same webhook-id (and a fresh timestamp and
        signature). A success marks the delivery succeeded; a failure changes nothing else."""
        self._may_write(actor, merchant_id)
        self._endpoint(merchant_id, endpoint_id)
        self.sender.attempt(self._delivery(endpoint_id, delivery_id), replay=True)
        return self._delivery(endpoint_id, delivery_id)

    # -- helpers ------------------------------------------------------------------------------

    def _view(self, endpoint: WebhookEndpoint, key: bytes | None = None) -> EndpointView:
        return EndpointView.of(endpoint, self.clock.now(), new_secret(key) if key else None)

    def _endpoint(self, merchant_id: UUID | None, endpoint_id: UUID) -> WebhookEndpoint:
        endpoint = self.load(WebhookEndpoint, endpoint_id, "webhook_endpoint")
        if endpoint.deleted or endpoint.merchant_id != merchant_id:
            raise NotFoundError("webhook_endpoint")
        return endpoint

    def _delivery(self, endpoint_id: UUID, delivery_id: UUID) -> Delivery:
        delivery = self.outbox.delivery(delivery_id)
        if delivery is None or delivery.endpoint_id != endpoint_id:
            raise NotFoundError("webhook_delivery")
        return delivery

    @staticmethod
    def _may_read(actor: Actor, merchant_id: UUID | None) -> None:
        """A merchant's own endpoints, or staff who read everything; to others, not found."""
        actor.require_signed_in()
        if not (actor.reads_everything or (merchant_id is not None and actor.owns(merchant_id))):
            raise NotFoundError("webhook_endpoint")

    @classmethod
    def _may_write(cls, actor: Actor, merchant_id: UUID | None) -> None:
        cls._may_read(actor, merchant_id)
        if actor.role != Role.ADMIN and not (merchant_id is not None and actor.owns(merchant_id)):
            raise denied(actor.is_anonymous)
