"""Outbound webhooks: an integrator's endpoint and the public events it asks for.

An endpoint belongs to one merchant (it receives events about that merchant only) or to the
platform's operator (`merchant_id` None: every merchant's events). Its signing secrets are not
here: the events name them (`secret_id`), the key store holds them, encrypted, and deleting
the endpoint destroys them. Public event types are a contract apart from the stored topics:
versioned (`.v1`), a change of payload is a new type.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar
from urllib.parse import urlsplit
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import FieldErrors, IllegalTransitionError, InvalidValueError
from domain.text import clean_text, plain_text

EVENT_TYPES = (
    "order.placed.v1",
    "merchant_order.accepted.v1",
    "merchant_order.fulfilled.v1",
    "merchant_order.declined.v1",
    "merchant_order.refunded.v1",
    "payout.sent.v1",
    "payout.reversed.v1",
    "listing.stock_changed.v1",
)
MAX_URL = 2000
MAX_DESCRIPTION = 200
# Names that never lead to the public Internet.
_LOCAL_SUFFIXES = (".localhost", ".local", ".localdomain", ".internal", ".intranet", ".lan",
                   ".home.arpa", ".corp")


def is_loopback_host(host: str) -> bool:
    host = host.lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_public_host(host: str) -> bool:
    """Whether a URL's host may be public: a global IP address, or a dotted name that is not
    a local one. Numeric shorthands (`2130706433`, `0x7f.1`) are not names. The sender checks
    again what the name resolves to, at every connection."""
    host = host.lower().rstrip(".")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        labels = host.split(".")
        top = labels[-1]
        return (len(labels) > 1 and not top.isdigit() and not top.startswith("0x")
                and host != "localhost" and not host.endswith(_LOCAL_SUFFIXES))
    return address.is_global and not address.is_multicast


def check_url(url: str, allow_local: bool) -> str:
    """An endpoint's URL: https to a public host; with `allow_local` (development) also
    http and https to this machine (127.0.0.1, ::1, localhost) and to private addresses."""
    text = plain_text(url or "").strip()
    if not text or len(text) > MAX_URL or any(c.isspace() for c in text):
        raise InvalidValueError("webhook_url_invalid", field="url", max_length=MAX_URL)
    try:
        parts = urlsplit(text)
        host, _port = parts.hostname or "", parts.port
    except ValueError:
        raise InvalidValueError("webhook_url_invalid", field="url", max_length=MAX_URL) from None
    if (parts.scheme not in ("https", "http") or not host or parts.username is not None
            or parts.password is not None or parts.fragment):
        raise InvalidValueError("webhook_url_invalid", field="url", max_length=MAX_URL)
    if not is_public_host(host) and not allow_local:
        raise InvalidValueError("webhook_url_not_public", field="url")
    if parts.scheme == "http" and not (allow_local and is_loopback_host(host)):
        raise InvalidValueError("webhook_url_not_https", field="url")
    return text


def check_event_types(types: Iterable[str]) -> tuple[str, ...]:
    chosen = list(types)
    unknown = [t for t in chosen if t not in EVENT_TYPES]
    if unknown:
        raise InvalidValueError("webhook_event_type_unknown", field="event_types",
                                value=unknown[0], allowed=", ".join(EVENT_TYPES))
    if not chosen:
        raise InvalidValueError("webhook_event_types_empty", field="event_types")
    return tuple(t for t in EVENT_TYPES if t in chosen)  # the catalogue's order, once each


def check_endpoint(url: str, event_types: Iterable[str], description: str | None,
                   allow_local: bool) -> tuple[str, tuple[str, ...], str | None]:
    """Every field at once (one answer lists every problem)."""
    errors = FieldErrors()
    checked = (errors.parse("url", check_url, url, allow_local),
               errors.parse("event_types", check_event_types, event_types),
               errors.parse("description", clean_text, description, required=False,
                            maximum=MAX_DESCRIPTION))
    errors.raise_if_any()
    return checked  # type: ignore[return-value]


class WebhookEndpoint(Aggregate):
    TOPIC = "comptoir.WebhookEndpoint"

    class Created(Aggregate.Created):
        TOPIC = "comptoir.WebhookEndpoint.Created"  # never triggered: an endpoint is registered

    # The event classes the @event methods below generate, declared for type checkers.
    if TYPE_CHECKING:
        Registered: ClassVar[type[Aggregate.Event]]
        Updated: ClassVar[type[Aggregate.Event]]
        SecretRotated: ClassVar[type[Aggregate.Event]]
        Deleted: ClassVar[type[Aggregate.Event]]

    @event("Registered", topic="comptoir.WebhookEndpoint.Registered")
    def __init__(self, merchant_id: UUID | None, url: str, event_types: list[str],
                 description: str | None, secret_id: UUID, by: str) -> None:
        self.merchant_id = merchant_id
        self.url = url
        self.event_types = list(event_types)
        self.description = description
        self.enabled = True
        self.secret_id = secret_id
        self.previous_secret_id: UUID | None = None
        self.previous_until: datetime | None = None
        self.deleted = False

    def signing_secret_ids(self, now: datetime) -> list[UUID]:
        """The current secret, and the previous one while it is still honoured."""
        kept = self.previous_secret_id is not None and self.previous_until is not None \
            and now < self.previous_until
        return [self.secret_id, *([self.previous_secret_id] if kept else [])]  # type: ignore[list-item]

    def update(self, url: str, event_types: tuple[str, ...], enabled: bool,
               description: str | None, by: str) -> bool:
        self._check_live("update")
        if (url, list(event_types), enabled, description) == (
                self.url, self.event_types, self.enabled, self.description):
            return False
        self._updated(url=url, event_types=list(event_types), enabled=enabled,
                      description=description, by=by)
        return True

    def rotate_secret(self, secret_id: UUID, previous_until: datetime | None, by: str) -> None:
        """A new secret; the current one is still honoured until `previous_until` (None: at
        once no more)."""
        self._check_live("rotate_secret")
        self._secret_rotated(secret_id=secret_id, previous_secret_id=self.secret_id,
                             previous_until=previous_until, by=by)

    def delete(self, by: str) -> None:
        self._check_live("delete")
        self._deleted(by=by)

    def _check_live(self, action: str) -> None:
        if self.deleted:
            raise IllegalTransitionError("webhook_endpoint", action, "deleted")

    @event("Updated", topic="comptoir.WebhookEndpoint.Updated")
    def _updated(self, url: str, event_types: list[str], enabled: bool,
                 description: str | None, by: str) -> None:
        self.url, self.event_types, self.enabled = url, list(event_types), enabled
        self.description = description

    @event("SecretRotated", topic="comptoir.WebhookEndpoint.SecretRotated")
    def _secret_rotated(self, secret_id: UUID, previous_secret_id: UUID,
                        previous_until: datetime | None, by: str) -> None:
        self.secret_id = secret_id
        self.previous_secret_id = previous_secret_id
        self.previous_until = previous_until

    @event("Deleted", topic="comptoir.WebhookEndpoint.Deleted")
    def _deleted(self, by: str) -> None:
        self.deleted = True
        self.enabled = False
