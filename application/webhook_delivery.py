"""Sending the webhook outbox: signed POSTs, retried with backoff, every attempt recorded.

Standard Webhooks (standardwebhooks.com): `webhook-id` is the delivery's id (the same on every
attempt and replay, so receivers deduplicate), `webhook-timestamp` the attempt's time in
seconds, `webhook-signature` `v1,<base64 HMAC-SHA256(secret, "{id}.{timestamp}.{body}")>` —
one per secret honoured, space-separated, while a rotated secret is still honoured.

Any 2xx is a success; anything else (another status, a timeout, a refused address) is retried
after an exponential delay with jitter, until the delivery's deadline (three days after the
event by default), then the delivery is failed. Deliveries are claimed with a lease, so
several processes may send one outbox without sending a delivery twice at once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import random
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol
from uuid import UUID

from application.ports import Clock
from application.service import Service
from application.webhook_events import WebhookEvents
from domain.webhook_endpoint import WebhookEndpoint

log = logging.getLogger("comptoir.webhooks")
SECRET_PREFIX = "whsec_"
USER_AGENT = "Comptoir-Webhooks/1"


@dataclass(frozen=True)
class Attempt:
    at: datetime
    status_code: int | None
    error: str | None  # why no answer came (timeout, refused address...)
    duration_ms: int
    replay: bool = False

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


@dataclass(frozen=True)
class Delivery:
    id: UUID  # the webhook-id
    event_id: UUID
    endpoint_id: UUID
    merchant_id: UUID
    event_type: str
    source_id: UUID
    source_version: int
    created_at: datetime
    deadline: datetime
    status: str  # pending, succeeded, failed, cancelled (its endpoint was deleted)
    attempt_count: int
    next_attempt_at: datetime | None
    last_error: str | None = None
    attempts: tuple[Attempt, ...] = ()  # read with the delivery, oldest first


class WebhookOutbox(Protocol):
    def endpoints_of(self, merchant_id: UUID | None) -> list[UUID]:
        """Endpoints in the index: a merchant's, or the operator's (None)."""

    def due(self, now: datetime, limit: int) -> list[Delivery]: ...

    def claim(self, delivery: Delivery, until: datetime) -> bool:
        """Move a due delivery's next attempt to `until` unless someone else did first."""

    def record(self, delivery_id: UUID, attempt: Attempt | None, status: str | None,
               next_attempt_at: datetime | None, error: str | None = None) -> None:
        """An attempt (if any) and the delivery's new status and next attempt (status None:
        both unchanged, as after a replay that failed)."""

    def delivery(self, delivery_id: UUID) -> Delivery | None: ...

    def deliveries(self, endpoint_id: UUID, status: str | None, limit: int,
                   offset: int) -> list[Delivery]:
        """Newest first, with their attempts."""


@dataclass(frozen=True)
class PostOutcome:
    status_code: int | None
    error: str | None
    duration_ms: int


class WebhookTransport(Protocol):
    def post(self, url: str, body: bytes, headers: dict[str, str]) -> PostOutcome:
        """POST once; never raises for what the receiver or the network did."""


@dataclass(frozen=True)
class RetryPolicy:
    first_delay: timedelta = timedelta(seconds=30)
    max_delay: timedelta = timedelta(hours=6)
    give_up_after: timedelta = timedelta(days=3)
    lease: timedelta = timedelta(minutes=2)  # longer than one attempt can last

    def delay(self, attempts: int) -> timedelta:
        """After the n-th failed attempt: first × 2^(n−1), capped, half of it random."""
        full = min(self.first_delay * 2 ** min(attempts - 1, 40), self.max_delay)
        return full / 2 + full / 2 * random.random()  # noqa: S311 - jitter, not secrecy


def new_secret(key: bytes) -> str:
    return SECRET_PREFIX + base64.b64encode(key).decode()


def signature(key: bytes, webhook_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


class WebhookSender(Service):
    def __init__(self, *args: Any, events: WebhookEvents, outbox: WebhookOutbox,
                 transport: WebhookTransport, clock: Clock, policy: RetryPolicy,
                 parallel: int = 8, batch: int = 100, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.payloads, self.outbox, self.transport = events, outbox, transport
        self.clock, self.policy, self.batch = clock, policy, batch
        self._pool = ThreadPoolExecutor(max_workers=parallel, thread_name_prefix="webhook")

    def send_due(self) -> int:
        """One round (a job): every due delivery this process can claim, attempted once."""
        now = self.clock.now()
        claimed = [d for d in self.outbox.due(now, self.batch)
                   if self.outbox.claim(d, now + self.policy.lease)]
        return sum(1 for _ in self._pool.map(self._attempt_logged, claimed))

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _attempt_logged(self, delivery: Delivery) -> None:
        try:
            self.attempt(delivery)
        except Exception:  # noqa: BLE001 - the lease runs out and the next round retries
            log.exception("webhook delivery %s failed unexpectedly", delivery.id)

    def attempt(self, delivery: Delivery, replay: bool = False) -> Attempt | None:
        """POST the delivery now and record it; None when nothing was sent."""
        now = self.clock.now()
        endpoint = self.find(delivery.endpoint_id)
        if not isinstance(endpoint, WebhookEndpoint) or endpoint.deleted:
            self.outbox.record(delivery.id, None, "cancelled", None, "endpoint_deleted")
            return None
        if not replay and delivery.attempt_count == 0 and now > delivery.deadline:
            # Never tried in time (a sender stopped for days; a rebuild queuing old events).
            self.outbox.record(delivery.id, None, "failed", None, "expired")
            return None
        outcome = self._post(endpoint, delivery, now)
        attempt = Attempt(now, outcome.status_code, outcome.error, outcome.duration_ms, replay)
        if attempt.succeeded:
            self.outbox.record(delivery.id, attempt, "succeeded", None)
        elif replay:
            self.outbox.record(delivery.id, attempt, None, None)
        else:
            later = now + self.policy.delay(delivery.attempt_count + 1)
            if later <= delivery.deadline:
                self.outbox.record(delivery.id, attempt, "pending", later)
            else:
                self.outbox.record(delivery.id, attempt, "failed", None)
        return attempt

    def _post(self, endpoint: WebhookEndpoint, delivery: Delivery, now: datetime) -> PostOutcome:
        keys = [k for secret_id in endpoint.signing_secret_ids(now)
                if (k := self.app.keys.get(secret_id)) is not None]
        if not keys:
            return PostOutcome(None, "secret_missing", 0)
        body = json.dumps(self.payloads.body(
            delivery.event_id, delivery.event_type, delivery.source_id, delivery.source_version,
            delivery.merchant_id), ensure_ascii=False, separators=(",", ":")).encode()
        timestamp = int(now.timestamp())
        return self.transport.post(endpoint.url, body, {
            "content-type": "application/json", "user-agent": USER_AGENT,
            "webhook-id": str(delivery.id), "webhook-timestamp": str(timestamp),
            "webhook-signature": " ".join(
                signature(k, str(delivery.id), timestamp, body) for k in keys)})
