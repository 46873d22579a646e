"""The business's own fiche in the portal (`/portail/commerce`): what `/m/{slug}` and search
show of it that its owner may change at once — descriptions, website, opening hours, address
and logo — and its contact person (never shown publicly), through
`MerchantProfiles.change_profile`, the use case of the API's `PATCH /v1/merchants/{id}/profile`,
with every problem at once; and a new legal name or NEQ asked of the validators
(`request_identity_change`). The logo is uploaded as the API's images are (`Images.upload`:
re-encoded, without metadata) and then named.

Hours are typed as people write them, a line a day: "9:00-17:00", "9 h à 12 h, 13 h à 17 h";
an empty day is closed. The address is sent only when it changed: the use case places a new
address on the map again, and the same address sent back must not move the business."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from api.deps import ImagesDep, MerchantProfilesDep, MerchantsDep, ProjectionsDep
from api.pages_text import texts as page_texts
from api.routing import OneHopRoute
from api.web.portal import settled
from api.web.render import Errors, Pages, redirect, uploaded_file
from api.web.shop import PagesDep
from api.web.spaces import session_merchant, space_required
from application.actors import Role
from application.images import Images
from application.merchant_profiles import MerchantProfiles
from application.merchants import MerchantView
from domain.address import Address
from domain.errors import DomainError, FieldError, ValidationFailedError
from domain.merchant_changes import DAYS, MAX_PERIODS
from domain.quebec import REGIONS

router = APIRouter(route_class=OneHopRoute, include_in_schema=False)
HERE = "/portail/commerce"
LOGO = HERE + "/logo"
ADDRESS = ("street", "municipality", "postal_code", "region")
# the use case's field paths -> the form's names (the others are their last part)
NAMES = {"location": "municipality", **{f"hours.{day}": f"hours_{day}" for day in DAYS},
         **{f"contact.{key}": f"contact_{key}" for key in ("name", "email", "phone")}}
_TIME = r"(\d{1,2})\s*(?:[h:]\s*(\d{2})?)?"
_PERIOD = re.compile(rf"^{_TIME}\s*(?:-|–|—|à|a|to)\s*{_TIME}$", re.IGNORECASE)


@router.get(HERE, response_class=HTMLResponse)
def profile_page(page: PagesDep, merchants: MerchantsDep, enregistre: str = "") -> Response:
    if guard := space_required(page, Role.MERCHANT):
        return guard
    merchant = merchants.get(page.actor, session_merchant(page))
    return _page(page, merchant, _shown(merchant), saved=enregistre == "1")


@router.post(HERE)
async def change(request: Request, page: PagesDep, profiles: MerchantProfilesDep,
                 merchants: MerchantsDep, projections: ProjectionsDep) -> Response:
    if guard := space_required(page, Role.MERCHANT):
        return guard
    form = {k: str(v)[:5000].strip() for k, v in (await request.form()).items()}
    merchant = await run_in_threadpool(merchants.get, page.actor, session_merchant(page))
    try:
        given = _changes(form, merchant)
        if given:
            await run_in_threadpool(profiles.change_profile, page.actor, merchant.id, given)
    except DomainError as refused:
        return _page(page, merchant, form, _errors(refused, page), 422)
    await run_in_threadpool(settled, page, projections)  # search and the page show it
    return redirect(HERE + "?enregistre=1")


@router.post(HERE + "/identite")
async def request_identity(request: Request, page: PagesDep, profiles: MerchantProfilesDep,
                           merchants: MerchantsDep) -> Response:
    """A new legal name or NEQ: asked here, applied once a validator approves (the business
    sells under its current identity meanwhile); only what differs is asked."""
    if guard := space_required(page, Role.MERCHANT):
        return guard
    form = {k: str(v)[:300].strip() for k, v in (await request.form()).items()}
    merchant = await run_in_threadpool(merchants.get, page.actor, session_merchant(page))
    legal_name, neq = form.get("legal_name", ""), form.get("neq", "")
    try:
        await run_in_threadpool(
            profiles.request_identity_change, page.actor, merchant.id,
            legal_name if legal_name != merchant.legal_name else None,
            neq if neq.replace(" ", "") != merchant.neq else None)
    except DomainError as refused:
        return _page(page, merchant, {**_shown(merchant), **form},
                     Errors.of(refused, page.language), 422)
    return redirect(HERE + "?enregistre=1#identite")


@router.post(LOGO)
async def upload_logo(request: Request, page: PagesDep, images: ImagesDep,
                      profiles: MerchantProfilesDep, merchants: MerchantsDep) -> Response:
    if guard := space_required(page, Role.MERCHANT):
        return guard
    data, _ = await uploaded_file(request, "fichier", images.limits.max_bytes + 1)
    try:
        await run_in_threadpool(_new_logo, page, images, profiles, data)
    except DomainError as refused:
        merchant = await run_in_threadpool(merchants.get, page.actor, session_merchant(page))
        errors = Errors.of(refused, page.language, {"": "fichier", "logo": "fichier"})
        return _page(page, merchant, _shown(merchant), errors, 422)
    return redirect(HERE + "?enregistre=1#logo")


@router.post(LOGO + "/retrait")
async def remove_logo(page: PagesDep, profiles: MerchantProfilesDep) -> Response:
    if guard := space_required(page, Role.MERCHANT):
        return guard
    await run_in_threadpool(profiles.change_profile, page.actor, session_merchant(page),
                            {"logo": None})
    return redirect(HERE + "?enregistre=1#logo")


def _new_logo(page: Pages, images: Images, profiles: MerchantProfiles, data: bytes) -> None:
    merchant_id = session_merchant(page)
    stored = images.upload(page.actor, merchant_id, data)
    profiles.change_profile(page.actor, merchant_id, {"logo": stored.id})


# -- the form ------------------------------------------------------------------------------------

def _shown(merchant: MerchantView) -> dict[str, str]:
    """The form's values as the fiche stands."""
    by_day: dict[str, list[str]] = {day: [] for day in DAYS}
    for period in merchant.hours.periods if merchant.hours else ():
        day, span = period.split(" ", 1)
        by_day[day].append(span)
    a, contact = merchant.address, merchant.contact
    return {**{f"contact_{key}": (contact.get(key) if contact else None) or ""
               for key in ("name", "email", "phone")},
            "legal_name": merchant.legal_name, "neq": merchant.neq,
            "description_fr": merchant.description_fr or "",
            "description_en": merchant.description_en or "", "website": merchant.website or "",
            "street": a.street, "municipality": a.municipality, "postal_code": a.postal_code.value,
            "region": a.region, **{f"hours_{day}": ", ".join(by_day[day]) for day in DAYS}}


def _changes(form: dict[str, str], merchant: MerchantView) -> dict[str, Any]:
    """The form as the use case's changes: every field, but the address only if it changed."""
    given: dict[str, Any] = {name: form.get(name) or None
                             for name in ("description_fr", "description_en", "website")}
    address = {name: form.get(name, "") for name in ADDRESS}
    try:
        same = Address.parse(**address) == merchant.address
    except DomainError:
        same = False  # the use case says what is wrong with it
    if not same:
        given["address"] = address
    # The contact person, sent as it stands: the same person, unchanged, records nothing.
    given["contact"] = {key: form.get(f"contact_{key}") or None
                        for key in ("name", "email", "phone")}
    hours: dict[str, list[dict[str, str]]] = {}
    for day in DAYS:
        text = form.get(f"hours_{day}", "")
        read = _periods(text)
        # A day not read is sent as a period the use case refuses: it is then reported with
        # every other problem of the form, and nothing is recorded.
        hours[day] = read if read is not None else [{"opens": text[:20], "closes": ""}]
    given["hours"] = hours if any(hours.values()) else None
    return given


def _periods(text: str) -> list[dict[str, str]] | None:
    """ "9:00-12:00, 13 h à 17 h" as periods; "" as none (closed); None: not read."""
    periods: list[dict[str, str]] = []
    for part in filter(None, (p.strip() for p in re.split(r"[,;]|\bet\b", text))):
        found = _PERIOD.match(part)
        if found is None or len(periods) == MAX_PERIODS:
            return None
        h1, m1, h2, m2 = found.groups()
        periods.append({"opens": f"{int(h1):02d}:{m1 or '00'}",
                        "closes": f"{int(h2):02d}:{m2 or '00'}"})
    return periods


def _errors(refused: DomainError, page: Pages) -> Errors:
    """A day's hours are said in the words of the form, not the API's `opens` and `closes`."""
    if isinstance(refused, ValidationFailedError):
        refused = ValidationFailedError([
            FieldError(e.field, "hours_as_typed")
            if e.field.startswith("hours.") and e.code != "hours_overlap" else e
            for e in refused.errors])
    return Errors.of(refused, page.language, NAMES)


def _page(page: Pages, merchant: MerchantView, form: dict[str, str],
          errors: Errors | None = None, status: int = 200, saved: bool = False) -> HTMLResponse:
    days = page_texts(page.language)
    return page.render(
        "portal/profile.html", status, section="profile", merchant=merchant, form=form,
        errors=errors or Errors(), saved=saved, days=[(day, days[day]) for day in DAYS],
        regions=[(code, f"{code} – {name}") for code, name in REGIONS.items()])
