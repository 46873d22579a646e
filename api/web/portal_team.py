"""The merchant's people in the portal: the team page (`/portail/equipe`: who acts for the
merchant, invitations, removal — its owner's, as `Accounts.members`, `invite` and
`remove_member`) and the page an invitation mail links to (`/portail/invitation?token=…`),
which offers to join and, once accepted, moves the session to the merchant's portal.

Whom a form acts on is a person id of this merchant's team; the merchant is always the
session's, never one from the form or the URL."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from api.deps import AccountsDep, AuthenticatorDep, MerchantsDep, ProjectionsDep, SessionsDep
from api.routing import OneHopRoute
from api.web.portal import settled
from api.web.render import Errors, Pages, redirect
from api.web.shop import PagesDep, not_found, sign_in_first
from api.web.spaces import moved, session_merchant, space_required
from application.accounts import Accounts
from application.actors import Role
from application.errors import NotFoundError
from application.merchants import Merchants
from domain.errors import DomainError, InvalidValueError

router = APIRouter(route_class=OneHopRoute, include_in_schema=False)
HERE = "/portail/equipe"
INVITATION = "/portail/invitation"


@router.get(HERE, response_class=HTMLResponse)
def team_page(page: PagesDep, accounts: AccountsDep, merchants: MerchantsDep,
              projections: ProjectionsDep, envoyee: str = "") -> Response:
    if guard := space_required(page, Role.MERCHANT):
        return guard
    settled(page, projections)  # someone who just joined is listed (an index, a moment behind)
    return _page(page, accounts, merchants, {}, Errors(), sent=envoyee == "1")


def _page(page: Pages, accounts: Accounts, merchants: Merchants, form: dict[str, Any],
          errors: Errors, status: int = 200, sent: bool = False) -> Response:
    merchant_id = session_merchant(page)
    try:
        members = accounts.members(page.actor, merchant_id)
    except NotFoundError:
        members = None  # a member: the team is its owner's to manage
    return page.render("portal/team.html", status, section="team",
                       merchant=merchants.get(page.actor, merchant_id), members=members,
                       form=form, errors=errors, sent=sent)


@router.post(HERE + "/invitations")
async def invite(request: Request, page: PagesDep, accounts: AccountsDep,
                 merchants: MerchantsDep) -> Response:
    if guard := space_required(page, Role.MERCHANT):
        return guard
    email = str((await request.form()).get("email", "")).strip()[:254]
    try:
        await run_in_threadpool(accounts.invite, page.actor, session_merchant(page), email)
    except NotFoundError:
        return not_found(page)
    except InvalidValueError as refused:
        refused.field = "email"
        return await run_in_threadpool(_page, page, accounts, merchants, {"email": email},
                                       Errors.of(refused, page.language), 422)
    except DomainError as refused:  # a merchant still under review invites no one yet
        return page.render("shop/problem.html", 409, errors=Errors.of(refused, page.language),
                           back=HERE)
    # Said on the page the redirect leads to, without the address (never in a URL).
    return redirect(HERE + "?envoyee=1#inviter")


@router.post(HERE + "/{person_id}/retrait")
async def remove(person_id: str, page: PagesDep, accounts: AccountsDep,
                 authenticator: AuthenticatorDep) -> Response:
    if guard := space_required(page, Role.MERCHANT):
        return guard
    try:
        removed = await run_in_threadpool(accounts.remove_member, page.actor,
                                          session_merchant(page), UUID(person_id))
    except (ValueError, NotFoundError):
        return not_found(page)
    except DomainError as refused:  # the owner itself
        return page.render("shop/problem.html", 409, errors=Errors.of(refused, page.language),
                           back=HERE)
    await run_in_threadpool(authenticator.end_sessions, removed)
    return redirect(HERE)


# -- the invitation's link --------------------------------------------------------------------

@router.get(INVITATION, response_class=HTMLResponse)
def invitation_page(page: PagesDep, accounts: AccountsDep, merchants: MerchantsDep,
                    token: str = "") -> Response:
    """Offers to join (a GET changes nothing: a mail client that follows links joins no one);
    whoever is not signed in signs in (or up) first and comes back here."""
    if page.actor.is_anonymous:
        return sign_in_first(page, f"{INVITATION}?{urlencode({'token': token})}")
    token = token[:2000]
    try:
        merchant_id = accounts.invited_to(token)
        merchant = merchants.get(page.actor, merchant_id)
    except (DomainError, ValueError):
        return _no_longer_valid(page)
    return page.render("portal/invitation.html", merchant=merchant, token=token)


@router.post(INVITATION)
async def accept(request: Request, page: PagesDep, accounts: AccountsDep,
                 sessions: SessionsDep) -> Response:
    if page.actor.is_anonymous:
        return sign_in_first(page, INVITATION)
    token = str((await request.form()).get("token", ""))[:2000]
    try:
        merchant_id = await run_in_threadpool(accounts.accept_invitation, page.actor, token)
        identity = await run_in_threadpool(accounts.switch, page.actor, Role.MERCHANT.value,
                                           merchant_id)
    except (DomainError, ValueError):
        return _no_longer_valid(page)  # expired, used, or sent to another address
    session = await run_in_threadpool(sessions.open, identity)
    return await moved(request, page, sessions, session, "/portail")


def _no_longer_valid(page: Pages) -> HTMLResponse:
    return page.render("shop/problem.html", 404, errors=Errors(
        general=[page.t["portal_team_link_invalid"]]), back="/compte")

