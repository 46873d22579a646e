"""RFC 9457 problem details: one table from errors to HTTP, one renderer, French by default."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from eventsourcing import persistence as es_persistence
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.i18n import Language, message, negotiate, title
from application.errors import (
    AuthenticationRequiredError,
    ConflictError,
    IdempotencyKeyReusedError,
    NotFoundError,
    PermissionDeniedError,
    TooManyAttemptsError,
)
from application.images import ImageRejectedError, ImageTooLargeError, ImageTypeUnsupportedError
from domain.errors import (
    DomainError,
    FieldError,
    IllegalTransitionError,
    InvalidValueError,
    RuleViolatedError,
    ValidationFailedError,
)

PROBLEM_TYPE_BASE = "https://comptoir.quebec/problems/"
MEDIA_TYPE = "application/problem+json"
log = logging.getLogger("comptoir.api")


class FieldProblem(BaseModel):
    field: str
    pointer: str
    code: str
    detail: str


class Problem(BaseModel):
    """An RFC 9457 problem document (with a stable `code` and per-field `errors`)."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    instance: str | None = None
    errors: list[FieldProblem] = []


class ConflictProblem(Problem):
    """A 409: the command conflicts with the current state. Besides the standard members it
    carries what a client needs to act on (RFC 9457 extension members), by `code`."""

    model_config = ConfigDict(extra="allow")

    listing_id: str | None = Field(None, description=(
        "insufficient_stock, listing_not_for_sale: the listing that cannot be bought"))
    listing_title: str | None = Field(None, description="Its French title (`title` is RFC "
                                      "9457's summary of the problem type)")
    available: int | None = Field(None, description="insufficient_stock: units left to buy")
    requested: int | None = Field(None, description="insufficient_stock: units asked for")
    entity: str | None = Field(None, description="illegal_transition: what was acted on")
    action: str | None = Field(None, description="illegal_transition: the refused action")
    state: str | None = Field(None, description="illegal_transition: its current state")
    current_status: str | None = Field(None, description="merchant_not_open: the merchant's")
    order_id: str | None = Field(None, description="cart_checked_out: the order it became")
    reserved: int | None = Field(None, description="stock_below_reserved: units reserved")
    refundable_cents: int | None = Field(None, description="refund_exceeds_paid: what is left")


# Parameters of a 409 become members of its problem; these would shadow standard members.
_MEMBER_NAMES = {"title": "listing_title", "status": "current_status", "type": "kind",
                 "detail": "details", "code": "reason_code", "instance": "resource"}


class HTTPProblem(Exception):
    """Raised by the API layer itself (authentication, request headers)."""

    def __init__(self, status: int, problem_type: str, code: str, **params: Any) -> None:
        super().__init__(code)
        self.status, self.problem_type, self.code, self.params = status, problem_type, code, params


# error class -> (status, problem type); the first matching class wins.
ERROR_TABLE: list[tuple[type[DomainError], int, str]] = [
    (ValidationFailedError, 422, "validation-failed"),
    (ImageTooLargeError, 413, "payload-too-large"),
    (ImageTypeUnsupportedError, 415, "unsupported-media-type"),
    (ImageRejectedError, 422, "image-rejected"),
    (InvalidValueError, 422, "validation-failed"),
    (IdempotencyKeyReusedError, 422, "idempotency-key-reused"),
    (TooManyAttemptsError, 429, "too-many-requests"),
    (NotFoundError, 404, "not-found"),
    (AuthenticationRequiredError, 401, "unauthenticated"),
    (PermissionDeniedError, 403, "forbidden"),
    (IllegalTransitionError, 409, "illegal-transition"),
    (RuleViolatedError, 409, "rule-violated"),
    (ConflictError, 409, "conflict"),
]

HTTP_STATUS_PROBLEMS = {
    400: ("malformed-request", "malformed_request"),
    401: ("unauthenticated", "unauthenticated"),
    403: ("forbidden", "forbidden"),
    404: ("not-found", "route_not_found"),
    405: ("method-not-allowed", "method_not_allowed"),
}


@contextmanager
def located(prefix: str) -> Iterator[None]:
    """Name the fields of domain validation errors as FastAPI names request parts."""
    try:
        yield
    except ValidationFailedError as error:
        raise ValidationFailedError(
            [FieldError(f"{prefix}.{e.field}", e.code, e.params) for e in error.errors]
        ) from None


def language_of(request: Request) -> Language:
    return negotiate(request.headers.get("accept-language"), request.app.state.default_language)


def problem_response(
    request: Request, status: int, problem_type: str, code: str,
    params: dict[str, Any] | None = None, errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None, members: dict[str, Any] | None = None,
) -> JSONResponse:
    language = language_of(request)
    problem = Problem(
        type=PROBLEM_TYPE_BASE + problem_type,
        title=title(problem_type, language),
        status=status,
        detail=message(code, params or {}, language),
        code=code,
        instance=request.url.path,
        errors=[
            FieldProblem(
                field=e.field, pointer="#/" + e.field.replace(".", "/"), code=e.code,
                detail=message(e.code, e.params, language),
            )
            for e in errors or []
        ],
    )
    extra = {_MEMBER_NAMES.get(k, k): v for k, v in (members or {}).items() if v is not None}
    return JSONResponse(
        {**problem.model_dump(), **extra}, status_code=status, media_type=MEDIA_TYPE,
        headers={"Content-Language": language, **(headers or {})},
    )


async def domain_error_response(request: Request, error: DomainError) -> JSONResponse:
    status, problem_type = next(
        ((status, kind) for cls, status, kind in ERROR_TABLE if isinstance(error, cls)),
        (409, "rule-violated"),
    )
    errors = error.errors if isinstance(error, ValidationFailedError) else None
    if isinstance(error, InvalidValueError):
        errors = [FieldError(error.field or "body", error.code, error.params)]
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    if isinstance(error, TooManyAttemptsError):
        headers = {"Retry-After": str(error.retry_after)}
    return problem_response(request, status, problem_type, error.code, error.params, errors,
                            headers, members=error.params if status == 409 else None)


def pydantic_field_errors(errors: Sequence[Any]) -> list[FieldError]:
    """Pydantic's errors as ours: the field path, the error type as code, its context."""
    return [
        FieldError(".".join(str(part) for part in e.get("loc", ()) if part != "body") or "body",
                   e["type"], dict(e.get("ctx") or {}))
        for e in errors
    ]


# endpoint -> the rules its body must also follow, beyond its schema: run on a body the schema
# refused too, so that one answer lists every problem (a missing field AND an ineligible one).
BODY_RULES: dict[Callable[..., Any], Callable[[Any], list[FieldError]]] = {}


def also_check_body(endpoint: Callable[..., Any],
                    rules: Callable[[Any], list[FieldError]]) -> None:
    BODY_RULES[endpoint] = rules


def every_problem(schema_errors: list[FieldError], rule_errors: list[FieldError]
                  ) -> list[FieldError]:
    """The schema's errors, then the rules' errors about fields the schema did not refuse (a
    field it found missing or mistyped, or a part of it, is not reported twice)."""
    refused = [e.field for e in schema_errors]

    def related(a: str, b: str) -> bool:
        return a == b or a.startswith(b + ".") or b.startswith(a + ".")

    return schema_errors + [e for e in rule_errors
                            if not any(related(e.field, f) for f in refused)]


async def request_validation_response(request: Request,
                                      error: RequestValidationError) -> JSONResponse:
    if any(e["type"] == "json_invalid" for e in error.errors()):
        return problem_response(request, 400, "malformed-request", "json_invalid")
    errors = pydantic_field_errors(error.errors())
    endpoint = request.scope.get("endpoint")  # wrapped by api/routing.py's OneHopRoute
    rules = BODY_RULES.get(inspect.unwrap(endpoint)) if endpoint is not None else None
    if rules is not None and all(e.field.split(".")[0] not in ("query", "path", "header")
                                 for e in errors):
        errors = every_problem(errors, rules(error.body))
    return problem_response(request, 422, "validation-failed", "validation_failed",
                            errors=errors)


def http_status_problem(status: int) -> tuple[str, str]:
    """The problem type and code of an HTTP error no use case raised (a route not found...)."""
    return HTTP_STATUS_PROBLEMS.get(status, ("malformed-request", "malformed_request"))


async def http_exception_response(request: Request, error: StarletteHTTPException) -> JSONResponse:
    problem_type, code = http_status_problem(error.status_code)
    return problem_response(request, error.status_code, problem_type, code,
                            headers=getattr(error, "headers", None))


async def api_problem_response(request: Request, error: HTTPProblem) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if error.status == 401 else None
    return problem_response(request, error.status, error.problem_type, error.code, error.params,
                            headers=headers)


async def database_unavailable_response(request: Request, error: Exception) -> JSONResponse:
    """The database is down or unreachable (restart, failover, network): nothing was applied
    (every save is one transaction), so the client may retry — with its Idempotency-Key."""
    log.warning("database unavailable on %s %s: %s", request.method, request.url.path,
                type(error).__name__)
    return problem_response(request, 503, "unavailable", "database_unavailable",
                            headers={"Retry-After": "2"})


# Every store speaks eventsourcing's persistence errors (adapters/event_store.Connections).
DATABASE_DOWN: tuple[type[Exception], ...] = (
    es_persistence.OperationalError, es_persistence.InterfaceError)


def install(app: FastAPI) -> None:
    """The handlers are coroutines: Starlette runs a plain `def` handler in the thread pool, a
    hand-over between threads for an answer that only formats a problem."""
    for error in DATABASE_DOWN:
        app.add_exception_handler(error, database_unavailable_response)
    app.add_exception_handler(DomainError, domain_error_response)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, request_validation_response)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, http_exception_response)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPProblem, api_problem_response)  # type: ignore[arg-type]


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": model, "content": {MEDIA_TYPE: {}}, "description": description}
    for status, model, description in [
        (401, Problem, "Invalid or missing token"), (403, Problem, "Not allowed"),
        (404, Problem, "Not found, or not yours"),
        (409, ConflictProblem, "Conflicts with the current state (members say how)"),
        (422, Problem, "Invalid data (every problem at once, per field)"),
    ]
}
