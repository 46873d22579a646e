"""The portal's integrations (`/portail/integrations`): the merchant's API keys (owner only, as
`ApiKeys`) and its webhook endpoints with their recent deliveries, each of which may be sent
again — the use cases of `/v1/merchants/{id}/api-keys` and
`/v1/merchants/{id}/webhook-endpoints`, with their rules (the SSRF refusal of a private address
is the URL field's error).

A secret (a key, a signing secret) is shown once: the form that made it answers with a 303 and
a short-lived cookie scoped to this page, which the next GET shows and deletes."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from api.deps import ApiKeysDep, MerchantsDep, ProjectionsDep, WebhookEndpointsDep
from api.routing import OneHopRoute
from api.web.portal import settled
from api.web.render import Errors, Pages, redirect
from api.web.shop import PagesDep, not_found
from api.web.spaces import session_merchant, space_required
from application.actors import Role
from application.api_keys import ApiKeys
from application.errors import NotFoundError
from application.merchants import Merchants
from application.webhook_endpoints import WebhookEndpoints
from domain.errors import DomainError, InvalidValueError
from domain.webhook_endpoint import EVENT_TYPES

router = APIRouter(route_class=OneHopRoute, include_in_schema=False)
HERE = "/portail/integrations"
SECRET_COOKIE = "comptoir_secret"
RECENT = 10  # deliveries shown per endpoint


@router.get(HERE, response_class=HTMLResponse)
def integrations_page(request: Request, page: PagesDep, keys: ApiKeysDep,
                      endpoints: WebhookEndpointsDep, merchants: MerchantsDep) -> Response:
    if guard := space_required(page, Role.MERCHANT):
        return guard
    response = _page(page, keys, endpoints, merchants, _revealed(request), {}, Errors())
    response.delete_cookie(SECRET_COOKIE, path=HERE)
    return response


def _page(page: Pages, keys: ApiKeys, endpoints: WebhookEndpoints, merchants: Merchants,
          secret: dict[str, str] | None, form: dict[str, Any], errors: Errors,
          status: int = 200) -> Response:
    merchant_id = session_merchant(page)
    try:
        listed = keys.list(page.actor, merchant_id)
    except NotFoundError:
        listed = None  # a member: keys are the owner's
    hooks = [(e, endpoints.deliveries(page.actor, merchant_id, e.id, limit=RECENT))
             for e in endpoints.all(page.actor, merchant_id)]
    return page.render("portal/integrations.html", status, section="integrations",
                       merchant=merchants.get(page.actor, merchant_id), keys=listed,
                       hooks=hooks, secret=secret, form=form, errors=errors,
                       event_types=EVENT_TYPES)


# -- API keys ---------------------------------------------------------------------------------

@router.post(HERE + "/cles")
async def issue_key(request: Request, page: PagesDep, keys: ApiKeysDep,
                    endpoints: WebhookEndpointsDep, merchants: MerchantsDep) -> Response:
    if guard := space_required(page, Role.MERCHANT):
        return guard
    name = str((await request.form()).get("name", ""))[:200]
    try:
        made = await run_in_threadpool(keys.issue, page.actor, session_merchant(page), name)
    except InvalidValueError as refused:
        refused.field = refused.field or "name"
        return await run_in_threadpool(_page, page, keys, endpoints, merchants, None,
                                       {"name": name}, Errors.of(refused, page.language), 422)
    except NotFoundError:
        return not_found(page)
    return _reveal("#cles", {"kind": "key", "name": made.name, "secret": made.key or ""}, page)


@router.post(HERE + "/cles/{key_id}/revocation")
async def revoke_key(key_id: str, page: PagesDep, keys: ApiKeysDep) -> Response:
    if guard := space_required(page, Role.MERCHANT):
        return guard
    return await _act(page, lambda: keys.revoke(page.actor, session_merchant(page), UUID(key_id)),
                      "#cles")


# -- webhook endpoints --------------------------------------------------------------------------

@router.post(HERE + "/webhooks")
async def add_endpoint(request: Request, page: PagesDep, keys: ApiKeysDep,
                       endpoints: WebhookEndpointsDep, merchants: MerchantsDep,
                       projections: ProjectionsDep) -> Response:
    if guard := space_required(page, Role.MERCHANT):
        return guard
    posted = await request.form()
    form = {"url": str(posted.get("url", ""))[:2100],
            "event_types": [str(v) for v in posted.getlist("event_types")][:len(EVENT_TYPES)],
            "description": str(posted.get("description", ""))[:300] or None}
    try:
        made = await run_in_threadpool(endpoints.register, page.actor, session_merchant(page), form)
    except DomainError as refused:
        return await run_in_threadpool(_page, page, keys, endpoints, merchants, None, form,
                                       Errors.of(refused, page.language), 422)
    await run_in_threadpool(settled, page, projections)
    return _reveal("#webhooks", {"kind": "hook", "name": made.url, "secret": made.secret or ""},
                   page)


@router.post(HERE + "/webhooks/{endpoint_id}/etat")
async def switch_endpoint(endpoint_id: str, request: Request, page: PagesDep,
                          endpoints: WebhookEndpointsDep) -> Response:
    if guard := space_required(page, Role.MERCHANT):
        return guard
    enabled = (await request.form()).get("enabled") == "1"
    return await _act(page, lambda: endpoints.update(
        page.actor, session_merchant(page), UUID(endpoint_id), {"enabled": enabled}), "#webhooks")


@router.post(HERE + "/webhooks/{endpoint_id}/secret")
async def rotate_secret(endpoint_id: str, page: PagesDep,
                        endpoints: WebhookEndpointsDep) -> Response:
    """A new secret, shown once; the current one signs too for 24 hours (the API's default)."""
    if guard := space_required(page, Role.MERCHANT):
        return guard
    done: list[Any] = []
    answer = await _act(page, lambda: done.append(endpoints.rotate_secret(
        page.actor, session_merchant(page), UUID(endpoint_id), timedelta(hours=24))), "#webhooks")
    if not done:
        return answer
    return _reveal("#webhooks", {"kind": "hook", "name": done[0].url,
                                 "secret": done[0].secret or ""}, page)


@router.post(HERE + "/webhooks/{endpoint_id}/suppression")
async def delete_endpoint(endpoint_id: str, page: PagesDep,
                          endpoints: WebhookEndpointsDep) -> Response:
    """Its pending deliveries are cancelled and its secrets destroyed (the API's DELETE)."""
    if guard := space_required(page, Role.MERCHANT):
        return guard
    return await _act(page, lambda: endpoints.delete(
        page.actor, session_merchant(page), UUID(endpoint_id)), "#webhooks")


@router.post(HERE + "/webhooks/{endpoint_id}/envois/{delivery_id}/renvoi")
async def replay_delivery(endpoint_id: str, delivery_id: str, page: PagesDep,
                          endpoints: WebhookEndpointsDep) -> Response:
    """One more attempt, now, with the same webhook-id (the API's replay): the row then shows
    its answer."""
    if guard := space_required(page, Role.MERCHANT):
        return guard
    return await _act(page, lambda: endpoints.replay(
        page.actor, session_merchant(page), UUID(endpoint_id), UUID(delivery_id)), "#webhooks")


# -- helpers ------------------------------------------------------------------------------------


async def _act(page: Pages, change: Callable[[], Any], anchor: str) -> Response:
    """A change of one key or endpoint of this merchant; another's (or none) is not found."""
    try:
        await run_in_threadpool(change)
    except (ValueError, NotFoundError):
        return not_found(page)
    except DomainError as refused:
        return page.render("shop/problem.html", 409, errors=Errors.of(refused, page.language),
                           back=HERE)
    return redirect(HERE + anchor)


def _reveal(anchor: str, secret: dict[str, str], page: Pages) -> Response:
    response = redirect(HERE + anchor)
    value = base64.urlsafe_b64encode(json.dumps(secret).encode()).decode()
    response.set_cookie(SECRET_COOKIE, value, max_age=300, path=HERE, httponly=True,
                        samesite="strict", secure=page.settings.environment != "development")
    return response


def _revealed(request: Request) -> dict[str, str] | None:
    value = request.cookies.get(SECRET_COOKIE)
    if not value:
        return None
    try:
        shown = json.loads(base64.urlsafe_b64decode(value.encode()))
    except ValueError:
        return None
    return shown if isinstance(shown, dict) else None
