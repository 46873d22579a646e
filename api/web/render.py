"""How the shop's pages are rendered: the language (a cookie, else the browser's), the CSRF
token of every form, inline errors in the API's own words, money, dates and times (Québec's
civil time, whatever the server's zone), and the headers (a strict CSP: our own scripts and
styles only, images from us and the tile server)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.datastructures import UploadFile

from api.authentication import SESSION_COOKIE
from api.i18n import LANGUAGES, Language, message, negotiate
from api.pages_text import category_label, price
from api.settings import Settings
from api.web.texts import origin_label, texts
from application.actors import Actor
from domain.errors import DomainError, FieldError, InvalidValueError, ValidationFailedError
from domain.money import Money
from domain.quebec import CIVIL_TIME

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
STATIC = Path(__file__).resolve().parent.parent / "static"
LANGUAGE_COOKIE = "comptoir_langue"
MONTHS_FR = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
             "septembre", "octobre", "novembre", "décembre")

_templates = Environment(
    loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, auto_reload=False,
)


def civil(when: datetime) -> datetime:
    """An instant as a clock in Québec reads it (stored instants are UTC: an order placed at
    21:30 in Gaspé is on the evening of its day, not the next morning). A naive value is a
    calendar day or time already, shown as it is."""
    return when.astimezone(CIVIL_TIME) if when.tzinfo is not None else when


def day_text(when: datetime, language: Language) -> str:
    """ "1er décembre 2026", "December 1, 2026": the day in Québec."""
    when = civil(when)
    if language == "fr":
        return f"{when.day}{'er' if when.day == 1 else ''} {MONTHS_FR[when.month - 1]} {when.year}"
    return when.strftime("%B %-d, %Y")


def moment_text(when: datetime, language: Language) -> str:
    """A day and a time of day in Québec: "3 décembre 2026, 14 h 05" (the Office québécois de
    la langue française's usage), "December 3, 2026, 2:05 p.m." (Canadian English)."""
    when = civil(when)
    if language == "fr":
        return f"{day_text(when, language)}, {when.hour} h {when.minute:02d}"
    half = "a.m." if when.hour < 12 else "p.m."
    return f"{day_text(when, language)}, {when.hour % 12 or 12}:{when.minute:02d} {half}"


def language_of(request: Request) -> Language:
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    return negotiate(request.headers.get("accept-language"), request.app.state.default_language)


def local_path(target: str | None, default: str = "/") -> str:
    """A place on this site to go back to: a path, never another site (`//evil`, `http:`)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    parts = urlsplit(target)
    return default if parts.scheme or parts.netloc else target


@dataclass
class Errors:
    """Every problem of a form at once, by field; `general` for those of no field."""

    fields: dict[str, str] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.fields or self.general)

    @classmethod
    def of(cls, error: DomainError, language: Language,
           names: dict[str, str] | None = None) -> Errors:
        """`names` maps a use case's field path (`address.postal_code`) to the form's."""
        found = cls()
        listed: list[FieldError] = (
            error.errors if isinstance(error, ValidationFailedError)
            else [FieldError(error.field or "", error.code, error.params)]
            if isinstance(error, InvalidValueError) else [])
        for problem in listed:
            name = (names or {}).get(problem.field, problem.field.rsplit(".", 1)[-1])
            text = message(problem.code, problem.params, language)
            if name and name not in found.fields:
                found.fields[name] = text
            elif not name:
                found.general.append(text)
        if not listed:
            found.general.append(message(error.code, error.params, language))
        return found


class Pages:
    """One request's rendering: its language, its words, who is signed in."""

    def __init__(self, request: Request, actor: Actor, settings: Settings) -> None:
        self.request, self.actor, self.settings = request, actor, settings
        self.language = language_of(request)
        self.t = texts(self.language)
        self.loads_stripe_js = False  # the one page that may: the Payment Element

    def speak(self, language: Language) -> None:
        """This page in `language` whatever the visitor's choice (a shared link's ?lang=)."""
        self.language, self.t = language, texts(language)

    def money(self, amount: Money) -> str:
        return price(amount, self.language) if amount.cents >= 0 else "-" + price(
            Money(-amount.cents), self.language)

    def km(self, distance: float) -> str:
        text = f"{distance:.1f}"
        return text.replace(".", ",") if self.language == "fr" else text

    def date(self, when: datetime) -> str:
        return day_text(when, self.language)

    def moment(self, when: datetime) -> str:
        return moment_text(when, self.language)

    def csrf(self) -> str:
        make = self.request.scope.get("csrftoken")
        return str(make()) if make else ""

    def render(self, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        here = self.request.url.path + (f"?{self.request.url.query}"
                                        if self.request.url.query else "")
        body = _templates.get_template(template).render(
            t=self.t, lang=self.language, actor=self.actor, here=here, csrf=self.csrf,
            money=self.money, date=self.date, moment=self.moment,
            money_cents=lambda c: self.money(Money(c)), km=self.km,
            errors=context.pop("errors", None) or Errors(),
            category=lambda code: category_label(code, self.language),
            origin=lambda code: origin_label(code, self.language),
            **context)
        return HTMLResponse(body, status_code=status, headers=self.headers())

    def headers(self) -> dict[str, str]:
        tiles = urlsplit(self.settings.map_tiles_url)
        tile_origin = f" {tiles.scheme}://{tiles.netloc}" if tiles.netloc else ""
        # The portal's onboarding form is answered by a redirect to Stripe's hosted pages, and
        # form-action governs where a form's redirects may lead too.
        onboarding = " https://connect.stripe.com" if self.settings.gateway == "stripe" else ""
        # Stripe's card form must come from Stripe (PCI DSS): js.stripe.com, its frames and its
        # API, on the payment page only; every other page loads nothing from elsewhere.
        stripe = (("https://js.stripe.com", "https://js.stripe.com https://hooks.stripe.com",
                   " https://api.stripe.com") if self.loads_stripe_js else ("", "'none'", ""))
        return {
            "Cache-Control": "no-store",  # carts, orders and accounts are one person's
            "Content-Language": self.t["html_lang"],
            "Vary": "Cookie, Accept-Language",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "same-origin",
            "Content-Security-Policy": (
                f"default-src 'none'; script-src 'self' {stripe[0]}; style-src 'self'; "
                f"frame-src {stripe[1]}; "
                f"img-src 'self' data:{tile_origin}; connect-src 'self'{stripe[2]}; "
                f"form-action 'self'{onboarding}; "
                f"frame-ancestors 'none'; base-uri 'none'"),
        }


async def uploaded_file(request: Request, name: str, limit: int = -1) -> tuple[bytes, str]:
    """A multipart form's file: its bytes (at most `limit` read, past which the use case
    refuses it) and the name it was sent with; none sent: empty."""
    upload = (await request.form()).get(name)
    if not isinstance(upload, UploadFile):
        return b"", ""
    return await upload.read(limit), upload.filename or ""


def redirect(to: str) -> RedirectResponse:
    """After a form: 303, so that a reload does not post it again."""
    return RedirectResponse(to, status_code=303, headers={"Cache-Control": "no-store"})


def signed_in(page: Pages, to: str, token: str) -> RedirectResponse:
    """After a sign-in or a change of space: on to `to`, with the session's cookie."""
    response = redirect(to)
    response.set_cookie(SESSION_COOKIE, token, max_age=int(page.settings.session_days * 86400),
                        path="/", httponly=True, samesite="lax",
                        secure=page.settings.environment != "development")
    return response
