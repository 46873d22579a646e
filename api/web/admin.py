"""The administrators' console (`/admin`): storefronts (`Storefronts.all/open`, the API's
`/v1/storefronts`), staff role grants by e-mail (`Accounts.grant/revoke`, the API's
`/v1/role-grants` and `/v1/role-revocations`: a revocation ends the account's sessions), the
followers' health (what `/ready` and `comptoir project failures` show) and the Law 25
retention run (`Privacy.apply_retention`: a dry run first, then the run)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from api.deps import (
    AccountsDep,
    AuthenticatorDep,
    PrivacyDep,
    ProjectionsDep,
    StorefrontsDep,
)
from api.routing import OneHopRoute
from api.web.render import Errors, Pages, redirect
from api.web.shop import PagesDep
from api.web.spaces import space_required
from application.actors import Role
from domain.account import StaffRole
from domain.errors import DomainError
from domain.quebec import REGIONS

router = APIRouter(route_class=OneHopRoute, include_in_schema=False)
STAFF = tuple(str(r) for r in StaffRole)


async def _form(request: Request) -> dict[str, Any]:
    form = await request.form()
    return {k: [str(v) for v in form.getlist(k)] if k == "regions" else str(form[k])
            for k in form}


@router.get("/admin", response_class=HTMLResponse)
def admin_page(page: PagesDep, storefronts: StorefrontsDep, projections: ProjectionsDep,
               fait: str = "") -> Response:
    if guard := space_required(page, Role.ADMIN):
        return guard
    return _home(page, storefronts, projections, done=fait[:20])


def _home(page: Pages, storefronts: Any, projections: Any, status: int = 200,
          **context: Any) -> Response:
    head, lag, failures = projections.head(), projections.lag(), projections.failures()
    followers = [{"name": n, "lag": lag.get(n, 0), "failures": failures.get(n, [])}
                 for n in sorted(lag)]
    context = {"errors": None, "form": {}, "done": "", "candidates": None, **context}
    return page.render("consoles/admin_home.html", status, storefronts=storefronts.all(),
                       head=head, followers=followers, regions=REGIONS, staff=STAFF,
                       **context)


@router.post("/admin/vitrines")
async def open_storefront(request: Request, page: PagesDep, storefronts: StorefrontsDep,
                          projections: ProjectionsDep) -> Response:
    if guard := space_required(page, Role.ADMIN):
        return guard
    form = await _form(request)
    fields = {"slug": form.get("slug", "").strip(), "name_fr": form.get("name_fr", ""),
              "name_en": form.get("name_en", ""), "regions": form.get("regions", [])}
    try:
        await run_in_threadpool(storefronts.open, page.actor, fields)
    except DomainError as refused:
        return _home(page, storefronts, projections, 422, form=fields,
                     errors=Errors.of(refused, page.language))
    return redirect("/admin?fait=vitrine")


@router.post("/admin/roles")
async def change_role(request: Request, page: PagesDep, accounts: AccountsDep,
                      authenticator: AuthenticatorDep,
                      storefronts: StorefrontsDep, projections: ProjectionsDep) -> Response:
    if guard := space_required(page, Role.ADMIN):
        return guard
    form = await _form(request)
    email, role = form.get("email", "").strip(), form.get("role", "")
    try:
        if form.get("action") == "revoke":
            account_id = await run_in_threadpool(accounts.revoke, page.actor, email,
                                                 StaffRole(role))
            # As the API's revocation: its sessions end.
            await run_in_threadpool(authenticator.end_sessions, account_id)
        else:
            await run_in_threadpool(accounts.grant, page.actor, email, StaffRole(role))
    except ValueError:
        return redirect("/admin")  # a forged role: nothing changes
    except DomainError as refused:
        return _home(page, storefronts, projections, 422, form={"email": email, "role": role},
                     errors=Errors.of(refused, page.language))
    return redirect("/admin?fait=" + ("revoke" if form.get("action") == "revoke" else "grant"))


@router.post("/admin/conservation", response_class=HTMLResponse)
async def retention(request: Request, page: PagesDep, privacy: PrivacyDep,
                    storefronts: StorefrontsDep, projections: ProjectionsDep) -> Response:
    if guard := space_required(page, Role.ADMIN):
        return guard
    dry = (await _form(request)).get("run") != "1"
    found = await run_in_threadpool(privacy.apply_retention, dry)
    counts: dict[str, int] = {}
    for candidate in found:
        counts[str(candidate.kind)] = counts.get(str(candidate.kind), 0) + 1
    if not dry:
        return redirect(f"/admin?fait=conservation-{len(found)}")
    return _home(page, storefronts, projections, candidates=counts)
