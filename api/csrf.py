"""CSRF protection for browsers: asgi-csrf's double-submit cookie, on every request that
changes something and arrives with a session cookie.

The token is in the `csrftoken` cookie (signed) and must come back in an `X-CSRFToken` header
(scripts) or a `csrftoken` form field (HTML forms). Programs authenticated by a bearer token
or an API key carry no cookie a third-party site could ride on, and are not asked for it.
"""

from __future__ import annotations

from contextvars import ContextVar
from http.cookies import SimpleCookie
from typing import Any

import asgi_csrf as _asgi_csrf
from asgi_csrf import asgi_csrf
from python_multipart import FormParser
from starlette.types import ASGIApp, Receive, Scope, Send

from api.authentication import SESSION_COOKIE
from api.web import error_pages

# Routes that act on what their body carries (a password, a mailed token), never through the
# session: a stale cookie must not stop someone signing in again. Only as JSON, which no page of
# another site can send without a CORS preflight we never grant; an HTML form posting to them
# (login CSRF) still needs the token.
_CREDENTIAL_ROUTES = frozenset({"/v1/sessions", "/v1/accounts", "/v1/accounts/email-verification",
                                "/v1/password-resets", "/v1/password-resets/completion"})


def _authorized(scope: Scope) -> bool:
    """The request names its caller in an Authorization header: that takes precedence over
    any session cookie, and no other site's page can set it."""
    return any(name == b"authorization" for name, _ in scope.get("headers") or [])


def _rides_on_session(scope: Scope) -> bool:
    """The request (one without an Authorization header) would act through the session
    cookie: it has one."""
    headers = dict(scope.get("headers") or [])
    if scope.get("path") in _CREDENTIAL_ROUTES and headers.get(
            b"content-type", b"").split(b";")[0].strip().lower() == b"application/json":
        return False
    return SESSION_COOKIE in SimpleCookie(headers.get(b"cookie", b"").decode("latin-1"))


def _form_parser(content_type: str, on_field: Any, on_file: Any, boundary: Any = None,
                 FileClass: Any = None) -> FormParser:  # noqa: N803 (asgi-csrf's keyword)
    """asgi-csrf 0.11 passes `FileClass`, which python-multipart 0.0.2x dropped: without this,
    every multipart form (a file upload) fails with a 500. A file before the token is read
    whole and the token then found missing: refused (403) all the same."""
    return FormParser(content_type, on_field, None, boundary=boundary)


_asgi_csrf.FormParser = _form_parser


async def _refused(scope: Scope, send: Send, _message_id: Any) -> None:
    response = await error_pages.refused(scope, 403, "csrf_failed")  # a page to a browser

    async def no_body() -> Any:
        return {"type": "http.request", "body": b"", "more_body": False}

    await response(scope, no_body, send)


# asgi-csrf hands the app a copy of the scope: what routing records there (the route, for the
# metrics' labels and the access log) is copied back to the caller's scope.
_outer_scope: ContextVar[Scope] = ContextVar("outer_scope")
_ROUTED = ("route", "endpoint", "path_params")


class CSRF:
    def __init__(self, app: ASGIApp, secret: str, secure: bool) -> None:
        async def routed(scope: Scope, receive: Receive, send: Send) -> None:
            try:
                await app(scope, receive, send)
            finally:
                outer = _outer_scope.get()
                outer.update({k: scope[k] for k in _ROUTED if k in scope})

        self.app = asgi_csrf(routed, signing_secret=secret, cookie_secure=secure,
                             skip_if_scope=lambda scope: not _rides_on_session(scope),
                             send_csrf_failed=_refused)
        self.inner = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and _authorized(scope):
            # A program's request: no check, and no token to make (asgi-csrf signs a fresh
            # one for every request it sees, a tenth of a stock update's time over HTTP).
            await self.inner(scope, receive, send)
            return
        token = _outer_scope.set(scope)
        try:
            await self.app(scope, receive, send)
        finally:
            _outer_scope.reset(token)
