"""Request ids, JSON logs, Prometheus metrics, and guards on request bodies.

Logs carry what happened, never to whom: the request id, method, route template (ids stay in
the path, no personal data is ever in a URL), status and duration. A request id comes from a
valid `X-Request-ID` header or is made here, and is echoed in the response.
"""

from __future__ import annotations

import contextvars
import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from pythonjsonlogger.json import JsonFormatter
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
access_log = logging.getLogger("comptoir.access")
log = logging.getLogger("comptoir.api")


class Metrics:
    """One registry per application (tests build several apps in one process)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.latency = Histogram(
            "comptoir_http_request_seconds", "HTTP request latency", ["method", "route", "status"],
            registry=self.registry,
            buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5))
        self.checkouts = Counter("comptoir_checkouts_total", "Checkouts by outcome",
                                 ["outcome"], registry=self.registry)
        self.webhooks = Counter("comptoir_webhooks_total", "Gateway webhooks by outcome",
                                ["outcome"], registry=self.registry)
        self.lag_events = Gauge("comptoir_projection_lag_events",
                                "Events a read model is behind the log", ["projection"],
                                registry=self.registry)
        self.lag_seconds = Gauge("comptoir_projection_lag_seconds",
                                 "Age of the oldest event a read model has not applied",
                                 ["projection"], registry=self.registry)
        self.failures = Gauge("comptoir_projection_failures",
                              "Events a read model could not apply and passed "
                              "(`comptoir project failures`)", ["projection"],
                              registry=self.registry)


class RequestContext:
    """Pure ASGI middleware: request id, access log line, latency histogram, and the answer
    to an unexpected error. Starlette's own error middleware sits outside every other one: it
    would answer without the request id and then re-raise, which makes the server close a
    keep-alive connection that the next request of the client expects to reuse."""

    def __init__(self, app: ASGIApp, metrics: Metrics,
                 on_error: Callable[[Scope], Awaitable[Response]]) -> None:
        self.app, self.metrics, self.on_error = app, metrics, on_error

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        rid = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        token = request_id.set(rid)
        started, status = time.perf_counter(), 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", []).append((b"x-request-id", rid.encode()))
            await send(message)

        started_response = False

        async def send_tracked(message: Message) -> None:
            nonlocal started_response
            started_response = started_response or message["type"] == "http.response.start"
            await send_with_id(message)

        try:
            await self.app(scope, receive, send_tracked)
        except Exception:
            log.exception("unexpected error on %s %s", scope["method"], _route_of(scope))
            if started_response:  # half an answer went out: only closing can end it
                raise
            await (await self.on_error(scope))(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = _route_of(scope)
            self.metrics.latency.labels(scope["method"], route, str(status)).observe(elapsed)
            access_log.info("request", extra={
                "method": scope["method"], "route": route, "status": status,
                "duration_ms": round(elapsed * 1000, 2)})
            request_id.reset(token)


def _route_of(scope: Scope) -> str:
    """The route's template (`/v1/orders/{order_id}`), as routing recorded it in the scope:
    bounded label values for metrics, and no ids in the access log."""
    route = scope.get("route")
    return getattr(route, "path_format", None) or getattr(route, "path", None) or "unmatched"


class BodyGuard:
    """Refuse bodies larger than `max_bytes` (413) and JSON nested deeper than `max_depth`
    (400) before anything parses them: a deep document would exhaust Python's recursion.
    `uploads`: the paths that take files (images), with their own limit and no JSON scan."""

    def __init__(self, app: ASGIApp, max_bytes: int, max_depth: int,
                 refuse: Callable[[Scope, int, str], Awaitable[Response]],
                 uploads: tuple[re.Pattern[str], int] | None = None) -> None:
        self.app, self.max_bytes, self.max_depth, self.refuse = app, max_bytes, max_depth, refuse
        self.uploads = uploads

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        upload = self.uploads is not None and bool(self.uploads[0].match(scope["path"]))
        max_bytes = self.uploads[1] if upload and self.uploads else self.max_bytes
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > max_bytes:
            await (await self.refuse(scope, 413, "body_too_large"))(scope, receive, send)
            return
        body, more = b"", True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > max_bytes:
                await (await self.refuse(scope, 413, "body_too_large"))(scope, receive, send)
                return
        if not upload and _depth(body) > self.max_depth:
            await (await self.refuse(scope, 400, "json_too_deep"))(scope, receive, send)
            return
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if delivered:
                return await receive()
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


def _depth(body: bytes) -> int:
    """How deeply brackets nest outside strings (a byte scan: cheap, never recursive)."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            deepest = max(deepest, depth)
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return deepest


class _RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


def json_logging(level: str = "INFO") -> dict[str, Any]:
    """A logging config (for uvicorn's `log_config`): one JSON object per line."""
    return {
        "version": 1, "disable_existing_loggers": False,
        "filters": {"request_id": {"()": _RequestIdFilter}},
        "formatters": {"json": {"()": JsonFormatter,
                                "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s "
                                       "%(request_id)s",
                                "rename_fields": {"asctime": "time", "levelname": "level",
                                                  "name": "logger"}}},
        "handlers": {"stdout": {"class": "logging.StreamHandler", "formatter": "json",
                                "filters": ["request_id"], "stream": "ext://sys.stdout"}},
        "loggers": {
            "comptoir": {"handlers": ["stdout"], "level": level, "propagate": False},
            "uvicorn": {"handlers": ["stdout"], "level": level, "propagate": False},
            # our own access lines replace uvicorn's (they carry the route and request id)
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
        },
    }


def refresh_lag(metrics: Metrics, projections: Any, log_time: Callable[[int], float | None]
                ) -> dict[str, int]:
    """Set the lag gauges at scrape time; returns the lag in events."""
    lag = projections.lag()
    now = time.time()
    for name, behind in lag.items():
        metrics.lag_events.labels(name).set(behind)
        oldest = log_time(projections[name].position() + 1) if behind else None
        metrics.lag_seconds.labels(name).set(max(0.0, now - oldest) if oldest else 0.0)
    for name, failed in projections.failures().items():
        metrics.failures.labels(name).set(len(failed))
    return lag


__all__ = ["BodyGuard", "Metrics", "Request", "RequestContext", "json_logging", "refresh_lag"]
