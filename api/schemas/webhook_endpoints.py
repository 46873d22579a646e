"""Outbound webhook endpoints and their deliveries (docs/webhooks.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field, StrictBool

from api.schemas.common import Input
from application.webhook_delivery import Attempt, Delivery
from application.webhook_endpoints import EndpointView
from domain.webhook_endpoint import EVENT_TYPES, MAX_DESCRIPTION, MAX_URL

EventType = Literal[EVENT_TYPES]  # type: ignore[valid-type]


class EndpointIn(Input):
    url: str = Field(max_length=MAX_URL, description=(
        "https:// to a public address (development also allows http://127.0.0.1 and localhost)"))
    event_types: list[EventType] = Field(min_length=1, max_length=len(EVENT_TYPES))
    description: str | None = Field(None, max_length=MAX_DESCRIPTION)


class EndpointPatch(Input):
    """The fields given replace the endpoint's (`description: null` clears it)."""

    url: str | None = Field(None, max_length=MAX_URL)
    event_types: list[EventType] | None = Field(None, min_length=1, max_length=len(EVENT_TYPES))
    enabled: StrictBool | None = None
    description: str | None = Field(None, max_length=MAX_DESCRIPTION)


class SecretRotationIn(Input):
    keep_previous_hours: float = Field(24, ge=0, le=72, description=(
        "How long deliveries are still signed with the current secret too (a second "
        "`v1,` signature), so that receivers can switch without losing an event; 0: at once"))


class EndpointOut(BaseModel):
    id: UUID
    merchant_id: UUID | None = Field(description="None: the operator's (every merchant's events)")
    url: str
    event_types: list[str]
    description: str | None
    enabled: bool
    created_at: datetime
    updated_at: datetime
    previous_secret_expires_at: datetime | None = Field(
        description="Until then deliveries carry a second signature, by the previous secret")
    secret: str | None = Field(None, description=(
        "`whsec_…`: only in the answer that made it (creation, rotation); keep it, it is never "
        "shown again"))

    @classmethod
    def of(cls, v: EndpointView) -> EndpointOut:
        return cls(id=v.id, merchant_id=v.merchant_id, url=v.url, event_types=list(v.event_types),
                   description=v.description, enabled=v.enabled, created_at=v.created_at,
                   updated_at=v.updated_at,
                   previous_secret_expires_at=v.previous_secret_expires_at, secret=v.secret)


class AttemptOut(BaseModel):
    at: datetime
    status_code: int | None = Field(description="The receiver's answer, if one came")
    error: str | None = Field(description="timeout, connection_failed, address_not_allowed…")
    duration_ms: int
    replay: bool

    @classmethod
    def of(cls, a: Attempt) -> AttemptOut:
        return cls(at=a.at, status_code=a.status_code, error=a.error, duration_ms=a.duration_ms,
                   replay=a.replay)


class DeliveryOut(BaseModel):
    id: UUID
    webhook_id: str = Field(description="The `webhook-id` header: the same on every attempt")
    event_id: UUID
    event_type: str
    merchant_id: UUID
    created_at: datetime = Field(description="When the event happened")
    status: Literal["pending", "succeeded", "failed", "cancelled"]
    attempt_count: int
    next_attempt_at: datetime | None
    give_up_at: datetime
    last_error: str | None
    attempts: list[AttemptOut]

    @classmethod
    def of(cls, d: Delivery) -> DeliveryOut:
        return cls(id=d.id, webhook_id=str(d.id), event_id=d.event_id, event_type=d.event_type,
                   merchant_id=d.merchant_id, created_at=d.created_at, status=d.status,
                   attempt_count=d.attempt_count,
                   next_attempt_at=d.next_attempt_at if d.status == "pending" else None,
                   give_up_at=d.deadline, last_error=d.last_error,
                   attempts=[AttemptOut.of(a) for a in d.attempts])
