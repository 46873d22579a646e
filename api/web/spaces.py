"""Which space a browser session acts in: the shop (consumer), one merchant's portal, or a
staff console. A session acts as one role (docs/accounts.md); a person holding several
switches here, and the portal and consoles send a session in the wrong role to this page."""

from __future__ import annotations

from urllib.parse import urlencode
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from api.authentication import SESSION_COOKIE
from api.deps import AccountsDep, MerchantsDep, SessionsDep
from api.routing import OneHopRoute
from api.web.render import Pages, local_path, redirect, signed_in
from api.web.shop import PagesDep, sign_in_first
from application.accounts import SessionStore
from application.actors import Actor, Role
from application.errors import NotFoundError
from domain.errors import DomainError

router = APIRouter(route_class=OneHopRoute, include_in_schema=False)

HOMES = {Role.CONSUMER: "/compte", Role.MERCHANT: "/portail", Role.VALIDATOR: "/validation",
         Role.AUDITOR: "/audit", Role.ADMIN: "/admin"}


def space_required(page: Pages, role: Role, *others: Role) -> Response | None:
    """None when the session acts in `role` (or one of `others`); else where to go: sign in
    first, or choose the space (the page asked for is where the choice leads back)."""
    if page.actor.is_anonymous:
        return sign_in_first(page, page.request.url.path)
    if page.actor.role in (role, *others):
        return None
    return redirect("/compte/espaces?" + urlencode({"suivant": page.request.url.path}))


def session_merchant(page: Pages) -> UUID:
    """The merchant a session in the merchant space acts for (after `space_required`): always
    the session's, never an id from a form or a URL."""
    assert page.actor.merchant_id is not None
    return page.actor.merchant_id


@router.get("/compte/espaces", response_class=HTMLResponse)
def spaces_page(page: PagesDep, accounts: AccountsDep, merchants: MerchantsDep,
                suivant: str = "") -> Response:
    if page.actor.is_anonymous:
        return sign_in_first(page)
    account = accounts.get(page.actor, UUID(page.actor.subject))
    spaces = [("consumer", "", page.t["space_consumer"])]
    for merchant_id in account.merchants:
        member = Actor(Role.MERCHANT, page.actor.subject, merchant_id)
        try:
            name = merchants.get(member, merchant_id).name
        except NotFoundError:
            continue  # closed or gone: nothing to manage there
        spaces.append(("merchant", str(merchant_id), page.t["space_merchant"].format(name=name)))
    spaces += [(role, "", page.t["space_" + role]) for role in account.roles
               if "space_" + role in page.t]
    current = (page.actor.role.value, str(page.actor.merchant_id or ""))
    return page.render("shop/spaces.html", spaces=spaces, current=current,
                       next=local_path(suivant, ""))


@router.post("/compte/espaces")
async def switch_space(request: Request, page: PagesDep, accounts: AccountsDep,
                       sessions: SessionsDep) -> Response:
    if page.actor.is_anonymous:
        return sign_in_first(page, "/compte/espaces")
    form = {k: str(v) for k, v in (await request.form()).items()}
    try:
        merchant_id = UUID(form["merchant_id"]) if form.get("merchant_id") else None
        identity = await run_in_threadpool(accounts.switch, page.actor, form.get("role", ""),
                                           merchant_id)
    except (ValueError, DomainError):
        return redirect("/compte/espaces")  # a role not held: the choices again
    token = await run_in_threadpool(sessions.open, identity)
    return await moved(request, page, sessions, token,
                       local_path(form.get("suivant"), HOMES[identity.role]))


async def moved(request: Request, page: Pages, sessions: SessionStore, token: str,
                to: str) -> Response:
    """The person now acts in another space through the session `token`: the request's
    session ends, and the new one's cookie goes on to `to`."""
    old = request.cookies.get(SESSION_COOKIE)
    if old:
        await run_in_threadpool(sessions.close, old)
    return signed_in(page, to, token)
