"""Errors of the application layer (the domain's own live in domain.errors)."""

from __future__ import annotations

from domain.errors import DomainError


class NotFoundError(DomainError):
    """Unknown, or not visible to this actor: both answer the same, so nothing leaks."""

    code = "not_found"

    def __init__(self, kind: str) -> None:
        super().__init__(kind=kind)


class PermissionDeniedError(DomainError):
    code = "forbidden"


class AuthenticationRequiredError(PermissionDeniedError):
    """Refused to an anonymous caller: a token might allow it (HTTP 401, not 403)."""

    code = "unauthenticated"


def denied(actor_is_anonymous: bool) -> PermissionDeniedError:
    return AuthenticationRequiredError() if actor_is_anonymous else PermissionDeniedError()


class TooManyAttemptsError(DomainError):
    """Too many attempts from one client or at one address (HTTP 429 with Retry-After)."""

    code = "too_many_attempts"

    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after=retry_after)
        self.retry_after = retry_after


class ConflictError(DomainError):
    """The state this command relied on kept changing under it, or a key is already taken."""

    code = "conflict"


class IdempotencyKeyReusedError(DomainError):
    """The same Idempotency-Key came back with a different request."""

    code = "idempotency_key_reused"


class GatewayUnavailableError(Exception):
    """The payment gateway did not answer (timeout, network, 5xx after its retries): the
    outcome is unknown; the caller keeps the payment pending."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ReversalRefusedError(Exception):
    """The gateway refused to reverse a transfer (e.g. `balance_insufficient`)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class InvalidWebhookError(Exception):
    """A webhook whose signature is missing, wrong or stale, or that is not an event."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
