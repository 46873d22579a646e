"""The shopper's account pages: sign-up, the verification landing, sign-in (the same session
cookie as `POST /v1/sessions`), sign-out, "Mon compte" with the orders, and Law 25's export
and erasure — the use cases of application/accounts.py and application/privacy.py."""

from __future__ import annotations

import contextlib
import json
from urllib.parse import urlencode
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from api.authentication import SESSION_COOKIE
from api.deps import (
    AccountsDep,
    AuthenticatorDep,
    ClientDep,
    ListsDep,
    PrivacyDep,
    SessionsDep,
)
from api.i18n import LANGUAGES, message
from api.routing import OneHopRoute
from api.web.forms import CART_COOKIE
from api.web.render import LANGUAGE_COOKIE, Errors, Pages, local_path, redirect, signed_in
from api.web.shop import PagesDep, sign_in_first
from application.accounts import Accounts, SessionStore
from application.lists import Lists
from domain.account import check_password
from domain.errors import DomainError, FieldError, InvalidValueError, ValidationFailedError

router = APIRouter(route_class=OneHopRoute, include_in_schema=False)


@router.get("/langue/{code}")
def choose_language(code: str, retour: str = "/") -> Response:
    """The language switch: remembered in a cookie for a year (no account needed)."""
    response = redirect(local_path(retour))
    if code in LANGUAGES:
        response.set_cookie(LANGUAGE_COOKIE, code, max_age=365 * 86400, samesite="lax",
                            path="/")
    return response


# -- signing up --------------------------------------------------------------------------------

@router.get("/compte/inscription", response_class=HTMLResponse)
def sign_up_form(page: PagesDep) -> HTMLResponse:
    return page.render("shop/sign_up.html", form={})


@router.post("/compte/inscription", response_class=HTMLResponse)
async def sign_up(request: Request, page: PagesDep, accounts: AccountsDep,
                  client: ClientDep) -> HTMLResponse:
    form = {k: str(v) for k, v in (await request.form()).items()}
    email, password = form.get("email", "").strip(), form.get("password", "")
    try:
        await run_in_threadpool(accounts.sign_up, email, password, page.language, client)
    except DomainError as refused:
        return page.render("shop/sign_up.html", 422, form={"email": email},
                           errors=Errors.of(_with_password(refused, password), page.language))
    return page.render("shop/message.html", title=page.t["check_mail_title"],
                       text=page.t["check_mail"])


def _with_password(refused: DomainError, password: str) -> DomainError:
    """The address was refused first: say what is wrong with the password too, at once."""
    if not (isinstance(refused, InvalidValueError) and refused.field == "email"):
        return refused
    errors = [FieldError("email", refused.code, refused.params)]
    try:
        check_password(password)
    except InvalidValueError as weak:
        errors.append(FieldError("password", weak.code, weak.params))
    return ValidationFailedError(errors)


@router.get("/compte/verification", response_class=HTMLResponse)
def verification(page: PagesDep, accounts: AccountsDep, token: str = "") -> HTMLResponse:
    """The landing of the verification mail's link."""
    try:
        accounts.verify_email(token[:2000])
    except DomainError as refused:
        return page.render("shop/message.html", 400, title=page.t["not_verified_title"],
                           text=message(refused.code, refused.params, page.language))
    return page.render("shop/message.html", title=page.t["verified_title"],
                       text=page.t["verified"], link=("/compte/connexion",
                                                      page.t["sign_in_title"]))


# -- signing in and out ------------------------------------------------------------------------

@router.get("/compte/connexion", response_class=HTMLResponse)
def sign_in_form(page: PagesDep, suivant: str = "/compte") -> HTMLResponse:
    return page.render("shop/sign_in.html", form={}, next=local_path(suivant, "/compte"))


@router.post("/compte/connexion")
async def sign_in(request: Request, page: PagesDep, accounts: AccountsDep,
                  sessions: SessionsDep, client: ClientDep) -> Response:
    form = {k: str(v) for k, v in (await request.form()).items()}
    email, back = form.get("email", "").strip(), local_path(form.get("suivant"), "/compte")
    try:
        token = await run_in_threadpool(_open, accounts, sessions, email,
                                        form.get("password", ""), client, back)
    except DomainError as refused:
        return page.render("shop/sign_in.html", 401 if refused.code == "sign_in_failed" else 422,
                           form={"email": email}, next=back,
                           errors=Errors(general=[message(refused.code, refused.params,
                                                          page.language)]))
    return signed_in(page, back, token)


def _open(accounts: Accounts, sessions: SessionStore, email: str, password: str,
          client: str, back: str) -> str:
    """The shop signs in as the shopper (an account's consumer role, which every account has);
    a sign-in on the way to the portal or a console acts in that space when the account holds
    it (one merchant, or the staff role), else as the shopper, who may switch at /compte/espaces."""
    identity = accounts.sign_in(email, password, client, "consumer")
    wanted = next((role for prefix, role in SPACE_OF_PATH if back.startswith(prefix)), None)
    if wanted is not None:
        with contextlib.suppress(DomainError):
            identity = accounts.switch(identity.actor, wanted)
    return sessions.open(identity)


SPACE_OF_PATH = (("/portail", "merchant"), ("/validation", "validator"), ("/audit", "auditor"),
                 ("/admin", "admin"))


@router.post("/compte/deconnexion")
def sign_out(request: Request, sessions: SessionsDep) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        sessions.close(token)
    return _signed_out(redirect("/"))


def _signed_out_saying(page: Pages, title: str, text: str) -> Response:
    """Signed out, told why (the words of `title` and `text`), with the way back in."""
    return _signed_out(page.render("shop/message.html", title=page.t[title], text=page.t[text],
                                   link=("/compte/connexion", page.t["sign_in_title"])))


def _signed_out(response: Response) -> Response:
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CART_COOKIE, path="/")
    return response


# -- a forgotten password (the reset mail links here) -------------------------------------------

@router.get("/compte/mot-de-passe-oublie", response_class=HTMLResponse)
def forgotten_form(page: PagesDep) -> HTMLResponse:
    return page.render("shop/forgotten.html", form={})


@router.post("/compte/mot-de-passe-oublie", response_class=HTMLResponse)
async def forgotten(request: Request, page: PagesDep, accounts: AccountsDep,
                    client: ClientDep) -> HTMLResponse:
    """The same answer whether or not the address has an account (as the API)."""
    form = await request.form()
    try:
        await run_in_threadpool(accounts.request_password_reset,
                                str(form.get("email", "")).strip(), client)
    except DomainError as refused:
        return page.render("shop/forgotten.html", 422, form={"email": form.get("email", "")},
                           errors=Errors.of(refused, page.language))
    return page.render("shop/message.html", title=page.t["check_mail_title"],
                       text=page.t["reset_sent"])


@router.get("/compte/nouveau-mot-de-passe", response_class=HTMLResponse)
def new_password_form(page: PagesDep, token: str = "") -> HTMLResponse:
    return page.render("shop/new_password.html", token=token[:2000])


@router.post("/compte/nouveau-mot-de-passe", response_class=HTMLResponse)
async def new_password(request: Request, page: PagesDep, accounts: AccountsDep,
                       authenticator: AuthenticatorDep) -> Response:
    """A new password with the mail's token; every session of the account ends."""
    form = {k: str(v) for k, v in (await request.form()).items()}
    token = form.get("token", "")[:2000]
    try:
        account_id = await run_in_threadpool(accounts.reset_password, token,
                                             form.get("password", ""))
    except DomainError as refused:
        return page.render("shop/new_password.html", 422, token=token,
                           errors=Errors.of(refused, page.language, {"token": ""}))
    await run_in_threadpool(authenticator.end_sessions, account_id)
    return _signed_out_saying(page, "password_changed_title", "password_changed")


# -- Mon compte --------------------------------------------------------------------------------

@router.get("/compte", response_class=HTMLResponse)
def account_page(page: PagesDep, accounts: AccountsDep, lists: ListsDep) -> Response:
    if page.actor.is_anonymous:
        return sign_in_first(page)
    return _account(page, accounts, lists)


def _account(page: Pages, accounts: Accounts, lists: Lists, errors: Errors | None = None,
             status: int = 200) -> HTMLResponse:
    subject = UUID(page.actor.subject)
    account = accounts.get(page.actor, subject)
    orders = lists.consumer_orders(page.actor, subject).items
    return page.render("shop/account.html", status, account=account, orders=orders,
                       errors=errors or Errors())


@router.post("/compte/mot-de-passe", response_class=HTMLResponse)
async def change_password(request: Request, page: PagesDep, accounts: AccountsDep,
                          lists: ListsDep, authenticator: AuthenticatorDep) -> Response:
    """The current password and a new one (as `PUT /v1/accounts/me/password`): every session
    and token of the account ends, this one too, and the person signs in again."""
    if page.actor.is_anonymous:
        return sign_in_first(page, "/compte")
    form = {k: str(v)[:1000] for k, v in (await request.form()).items()}
    try:
        await run_in_threadpool(accounts.change_password, page.actor,
                                form.get("current_password", ""), form.get("new_password", ""))
    except DomainError as refused:
        return await run_in_threadpool(_account, page, accounts, lists, Errors.of(
            refused, page.language, {"password": "new_password"}), 422)
    await run_in_threadpool(authenticator.end_sessions, UUID(page.actor.subject))
    return _signed_out_saying(page, "password_changed_title", "password_changed")


@router.post("/compte/deconnexion-partout", response_class=HTMLResponse)
async def sign_out_everywhere(page: PagesDep, accounts: AccountsDep,
                              authenticator: AuthenticatorDep) -> Response:
    """Every session and token of the account ends, on every device (a lost phone)."""
    if page.actor.is_anonymous:
        return sign_in_first(page, "/compte")
    await run_in_threadpool(accounts.end_sessions, page.actor)
    await run_in_threadpool(authenticator.end_sessions, UUID(page.actor.subject))
    return _signed_out_saying(page, "signed_out_everywhere", "signed_out_everywhere_text")


@router.get("/compte/donnees")
def export(page: PagesDep, privacy: PrivacyDep) -> Response:
    """Law 25 portability: everything held about the person, as a JSON file."""
    if page.actor.is_anonymous:
        return sign_in_first(page, "/compte")
    data = privacy.export(page.actor, UUID(page.actor.subject))
    body = json.dumps(jsonable_encoder(data), ensure_ascii=False, indent=2)
    return Response(body, media_type="application/json; charset=utf-8", headers={
        "Content-Disposition": 'attachment; filename="mes-donnees-comptoir.json"',
        "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})


@router.get("/compte/effacement", response_class=HTMLResponse)
def erase_form(page: PagesDep) -> Response:
    if page.actor.is_anonymous:
        return sign_in_first(page)
    return page.render("shop/erase.html")


@router.post("/compte/effacement", response_class=HTMLResponse)
async def erase(request: Request, page: PagesDep, privacy: PrivacyDep,
                authenticator: AuthenticatorDep) -> Response:
    """Law 25 erasure, confirmed by a ticked box: the person's key is destroyed, every session
    ends (as `POST /v1/privacy/subjects/{id}/erasure`)."""
    if page.actor.is_anonymous:
        return sign_in_first(page, "/compte/effacement")
    form = await request.form()
    if form.get("confirm") != "oui":
        return page.render("shop/erase.html", 422,
                           errors=Errors(fields={"confirm": page.t["erase_required"]}))
    subject = UUID(page.actor.subject)
    await run_in_threadpool(privacy.erase, page.actor, subject)
    await run_in_threadpool(authenticator.end_sessions, subject)
    return _signed_out(redirect("/?" + urlencode({"efface": "1"})))
