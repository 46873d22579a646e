"""What a browser is shown when no page answers: the shop's own pages, not the API's problem
JSON. A person who follows an old link (`/portail/nope`), sends a form the wrong way, uploads
a photo larger than allowed, or meets a bug reads a page in the site's layout, in her language,
with a way back; the JSON API and every other client keep RFC 9457 problems
(api/problems.py)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from api import problems
from api.deps import actor
from api.i18n import message
from api.problems import HTTPProblem
from api.web.render import Errors, Pages
from application.actors import Actor

# Paths whose answers are for programs, whatever they accept.
NOT_PAGES = ("/v1/", "/images/", "/static/", "/health", "/ready", "/metrics", "/docs",
             "/redoc", "/openapi")


# What the API says for programs, said for people on a page.
IN_WORDS = {"body_too_large": "sent_too_large", "csrf_failed": "form_expired",
            "internal_error": "page_failed"}


def wants_page(request: Request) -> bool:
    return ("text/html" in request.headers.get("accept", "")
            and not request.url.path.startswith(NOT_PAGES))


async def http_error(request: Request, error: StarletteHTTPException) -> Response:
    """A route not found, a method not allowed: as a page for a browser."""
    if not wants_page(request):
        return await problems.http_exception_response(request, error)
    _, code = problems.http_status_problem(error.status_code)
    return await _page(request, error.status_code, code, getattr(error, "headers", None))


async def refused(scope: Any, status: int, code: str) -> Response:
    """A request refused before any route saw it: a body too large or too deep (the body
    guard), a form without its anti-CSRF token (api/csrf.py)."""
    request = Request(scope)
    if not wants_page(request):
        kind = "forbidden" if status == 403 else "malformed-request"
        return problems.problem_response(request, status, kind, code)
    return await _page(request, status, code)


async def failed(scope: Any) -> Response:
    """An error nobody expected (the request's context logged it with its traceback)."""
    request = Request(scope)
    if wants_page(request):
        try:
            return await _page(request, 500, "internal_error")
        except Exception:  # noqa: BLE001 - the page itself failing must not lose the answer
            pass
    return problems.problem_response(request, 500, "internal-error", "internal_error")


async def _page(request: Request, status: int, code: str,
                headers: dict[str, str] | None = None) -> Response:
    try:
        who = await actor(request, None)
    except HTTPProblem:  # a session that ended: the page is shown as to anyone
        who = Actor.anonymous()
    page = Pages(request, who, request.app.state.container.settings)
    if status == 404:
        answer = page.render("shop/not_found.html", 404)
    else:
        said = (page.t[IN_WORDS[code]] if code in IN_WORDS
                else message(code, {}, page.language))
        answer = page.render("shop/problem.html", status, back=_back(request),
                             errors=Errors(general=[said]))
    answer.headers.update(headers or {})
    return answer


def _back(request: Request) -> str:
    """The page the form was on, if it was one of ours; else the shop's first page."""
    referer = urlsplit(request.headers.get("referer", ""))
    same_site = referer.netloc == request.url.netloc and referer.path.startswith("/")
    return referer.path if same_site else "/"
