"""The validators' console (`/validation`): the queue of applications oldest first with what
the eligibility rules found (`Lists.applications`, the API's `GET /v1/merchants`), the queue of
requests for a new legal name or NEQ (`Lists.identity_changes`), a merchant's page, and the
decisions of the API (`Merchants.approve/reject/suspend/reinstate`,
`MerchantProfiles.approve/reject_identity_change`). Only a validator decides (the use cases'
rule); the reason's rule (3–500 characters) is the domain's, shown inline."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from api.deps import ListsDep, MerchantProfilesDep, MerchantsDep, ProjectionsDep
from api.routing import OneHopRoute
from api.web.render import Errors, Pages, redirect
from api.web.shop import PagesDep, not_found
from api.web.spaces import space_required
from application.actors import Role
from application.errors import NotFoundError
from application.merchants import Merchants
from domain.errors import DomainError

router = APIRouter(route_class=OneHopRoute, include_in_schema=False)
DECISIONS = ("approve", "reject", "suspend", "reinstate")
IDENTITY_DECISIONS = {"identite-approuvee": "approve_identity_change",
                      "identite-refusee": "reject_identity_change"}


@router.get("/validation", response_class=HTMLResponse)
def queue_page(page: PagesDep, lists: ListsDep, projections: ProjectionsDep) -> Response:
    if guard := space_required(page, Role.VALIDATOR):
        return guard
    # The queue as of now (the API's `Prefer: read-your-writes`): a decision just taken shows.
    projections.wait_for(projections.head(), page.settings.read_your_writes_timeout)
    queue = lists.applications(page.actor, ["under_review"])
    identities = lists.identity_changes(page.actor, ["pending"])
    return page.render("consoles/validation_queue.html", queue=queue.items, total=queue.total,
                       identities=identities.items)


@router.get("/validation/{merchant_id}", response_class=HTMLResponse)
def merchant_page(merchant_id: str, page: PagesDep, merchants: MerchantsDep) -> Response:
    if guard := space_required(page, Role.VALIDATOR):
        return guard
    return _merchant(page, merchants, merchant_id)


def _merchant(page: Pages, merchants: Merchants, merchant_id: str,
              errors: Errors | None = None, reason: str = "") -> Response:
    try:
        merchant = merchants.get(page.actor, UUID(merchant_id))
    except (ValueError, NotFoundError):
        return not_found(page)
    return page.render("consoles/validation_merchant.html", 422 if errors else 200,
                       merchant=merchant, errors=errors, reason=reason,
                       history=merchants.history(page.actor, merchant.id))


@router.post("/validation/{merchant_id}/{decision}")
async def decide(merchant_id: str, decision: str, request: Request, page: PagesDep,
                 merchants: MerchantsDep, profiles: MerchantProfilesDep) -> Response:
    if guard := space_required(page, Role.VALIDATOR):
        return guard
    if decision not in DECISIONS and decision not in IDENTITY_DECISIONS:
        return not_found(page)
    reason = str((await request.form()).get("reason", ""))
    try:
        target = UUID(merchant_id)
        act = (getattr(profiles, IDENTITY_DECISIONS[decision]) if decision in IDENTITY_DECISIONS
               else getattr(merchants, decision))
        args = ((target, reason.strip())
                if decision in ("reject", "suspend", "identite-refusee") else (target,))
        await run_in_threadpool(act, page.actor, *args)
    except (ValueError, NotFoundError):
        return not_found(page)
    except DomainError as refused:
        return _merchant(page, merchants, merchant_id, Errors.of(refused, page.language),
                         reason[:500])
    return redirect(f"/validation/{merchant_id}?fait={decision}")
