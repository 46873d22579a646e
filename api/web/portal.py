"""The merchant portal's home (`/portail`: the application's status and what to do next) and
the application form (`/portail/inscription`): `Merchants.apply`, the use case of the API's
`POST /v1/merchants`, with every problem at once (missing, malformed, ineligible). The person
who applies becomes its owner, and her session moves to the merchant's space."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from api.deps import AccountsDep, MerchantsDep, SessionsDep
from api.pages_text import category_label
from api.routing import OneHopRoute
from api.web.render import Errors, Pages, redirect
from api.web.shop import PagesDep, sign_in_first
from api.web.spaces import moved, session_merchant, space_required
from application.accounts import Accounts, SessionStore
from application.actors import Role
from application.merchants import Merchants
from domain.errors import DomainError
from domain.merchant_profile import ApplicationForm
from domain.quebec import REGIONS
from domain.taxonomy import CATEGORIES
from projections.workers import Projections

router = APIRouter(route_class=OneHopRoute, include_in_schema=False)
APPLY = "/portail/inscription"
# the use case's field paths -> the form's names (the others are their last part)
NAMES = {"contact.name": "contact_name", "contact.email": "contact_email",
         "contact.phone": "contact_phone", "tax": "small_supplier"}
TEXTS = ("name", "legal_name", "neq", "street", "municipality", "postal_code", "region",
         "contact_name", "contact_email", "contact_phone", "gst_number", "qst_number",
         "description_fr", "website")


@router.get("/portail", response_class=HTMLResponse)
def home(page: PagesDep, merchants: MerchantsDep) -> Response:
    if guard := space_required(page, Role.MERCHANT):
        return guard
    merchant = merchants.get(page.actor, session_merchant(page))
    return page.render("portal/home.html", section="home", merchant=merchant)


@router.get(APPLY, response_class=HTMLResponse)
def apply_form(page: PagesDep, accounts: AccountsDep) -> Response:
    if page.actor.is_anonymous:
        return sign_in_first(page)
    if _has_merchant(page, accounts):
        return redirect("/portail")
    return _form(page, {"pickup": "oui", "categories": []})


@router.post(APPLY)
async def apply(request: Request, page: PagesDep, accounts: AccountsDep,
                merchants: MerchantsDep, sessions: SessionsDep) -> Response:
    if page.actor.is_anonymous:
        return sign_in_first(page, APPLY)
    raw = await request.form()
    form: dict[str, Any] = {k: str(raw.get(k, ""))[:500].strip() for k in TEXTS}
    form.update(categories=[str(c) for c in raw.getlist("categories")][:20],
                small_supplier=raw.get("small_supplier", ""), pickup=raw.get("pickup", ""))
    try:
        token = await run_in_threadpool(_apply, page, accounts, merchants, sessions, form)
    except DomainError as refused:
        return _form(page, form, Errors.of(refused, page.language, NAMES), 422)
    if token is None:
        return redirect("/portail")
    return await moved(request, page, sessions, token, "/portail")


def _apply(page: Pages, accounts: Accounts, merchants: Merchants, sessions: SessionStore,
           form: dict[str, Any]) -> str | None:
    """The application; then a session acting as its owner (None: she already had one)."""
    if _has_merchant(page, accounts):
        return None
    view = merchants.apply(ApplicationForm.from_raw(_body(form)), applicant=page.actor)
    return sessions.open(accounts.switch(page.actor, "merchant", view.id))


def _body(form: dict[str, Any]) -> dict[str, Any]:
    """The form as the API's body (absent values left out, as a client would)."""
    def text(name: str) -> str | None:
        return form[name] or None

    return {
        "name": form["name"], "legal_name": form["legal_name"], "neq": form["neq"],
        "address": {"street": text("street"), "municipality": text("municipality"),
                    "postal_code": text("postal_code"), "region": text("region"),
                    "province": "QC"},
        "categories": form["categories"],
        "contact": {"name": text("contact_name"), "email": text("contact_email"),
                    "phone": text("contact_phone")},
        "tax": {"small_supplier": bool(form["small_supplier"]),
                "gst_number": text("gst_number"), "qst_number": text("qst_number")},
        "fulfilment": {"pickup": bool(form["pickup"])},
        "description_fr": text("description_fr"), "website": text("website"),
    }


def settled(page: Pages, projections: Projections) -> None:
    """After a change, the lists (a read model) show it: the API's `Prefer: read-your-writes`."""
    projections.wait_for(projections.head(), page.settings.read_your_writes_timeout)


def _has_merchant(page: Pages, accounts: Accounts) -> bool:
    return bool(accounts.get(page.actor, UUID(page.actor.subject)).merchants)


def _form(page: Pages, form: dict[str, Any], errors: Errors | None = None,
          status: int = 200) -> HTMLResponse:
    return page.render(
        "portal/apply.html", status, section="home", form=form, errors=errors,
        regions=[("", "—")] + [(code, f"{code} – {name}") for code, name in REGIONS.items()],
        categories=sorted(((code, category_label(code, page.language)) for code in CATEGORIES),
                          key=lambda c: c[1]))
