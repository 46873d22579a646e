"""A merchant's shareable page at /m/{merchant_slug}, in the shop's layout.

Made to be shared: French by default (`?lang=en`, else the shop's language choice or
`Accept-Language`), OpenGraph and Twitter tags for link previews, no JavaScript. Cached by
shared caches for a minute when the visitor is not signed in (the header then is everyone's);
a signed-in visitor's copy is hers alone. Errors are HTML pages too (a person followed a link):
404 when the merchant is unknown or not shown (under review, rejected, suspended), 410 when it
has closed.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from api.deps import MerchantPagesDep
from api.i18n import LANGUAGES, Language
from api.pages_text import category_label, price, texts, title_key
from api.routing import OneHopRoute
from api.web.render import Pages
from api.web.shop import PagesDep
from application.errors import NotFoundError
from application.merchant_pages import MAX_LISTINGS, MerchantGoneError, MerchantPage

router = APIRouter(route_class=OneHopRoute, include_in_schema=False)

MAX_DESCRIPTION = 200  # link previews cut longer ones anyway


@router.api_route("/m/{merchant_slug}", methods=["GET", "HEAD"], response_class=HTMLResponse)
def merchant_page(merchant_slug: str, page: PagesDep, service: MerchantPagesDep,
                  lang: str | None = None) -> HTMLResponse:
    if lang in LANGUAGES:  # an explicit ?lang= wins: a shared link keeps its language
        page.speak(lang)
    t = texts(page.language)
    try:
        found = service.by_slug(merchant_slug)
    except MerchantGoneError as gone:
        return _shared(page, page.render("shop/message.html", 410, title=t["gone_title"],
                                         text=t["gone"].format(name=gone.name),
                                         link=("/", page.t["nav_search"]), noindex=True))
    except NotFoundError:
        return _shared(page, page.render("shop/not_found.html", 404))
    base = page.settings.public_base_url.rstrip("/")
    default: Language = page.request.app.state.default_language
    return _shared(page, page.render("shop/merchant.html", pt=t, page=_page(
        found, page.language, default, base, t)))


def _shared(page: Pages, response: HTMLResponse) -> HTMLResponse:
    """Shared caches may keep the page a minute unless it shows someone signed in."""
    if page.actor.is_anonymous:
        response.headers["Cache-Control"] = "public, max-age=60"
    return response


def _page(page: MerchantPage, language: Language, default: Language, base: str,
          t: dict[str, str]) -> dict[str, Any]:
    """What the template shows, worded and formatted for one language."""
    other: Language = "en" if language == "fr" else "fr"

    def url(lang: Language) -> str:
        address = f"{base}/m/{page.slug}"
        return address if lang == default else f"{address}?lang={lang}"

    categories = [category_label(code, language) for code in page.categories]
    place = t["in_place"].format(category=categories[0], municipality=page.address.municipality)
    own = page.description_fr if language == "fr" else page.description_en
    other_description = page.description_en if language == "fr" else page.description_fr
    lat, lon = f"{page.location.lat:.5f}", f"{page.location.lon:.5f}"  # about a metre
    address = page.address
    return {
        "name": page.name,
        "og_title": f"{page.name} — {address.municipality}",
        "title": f"{page.name} — {address.municipality} · {t['site']}",
        "description": _shortened(own or place),
        "about": own or other_description,
        # A description only written in the other language is marked as such (screen readers).
        "about_lang": None if own else texts(other)["html_lang"],
        "url": url(language),
        "other_url": url(other),
        "other_lang": other,
        "other_locale": texts(other)["og_locale"],
        "alternates": [{"hreflang": texts(lang)["html_lang"], "url": url(lang)}
                       for lang in LANGUAGES] + [{"hreflang": "x-default", "url": url(default)}],
        "categories": categories,
        "street": address.street,
        "locality": f"{address.municipality} {t['province']} {address.postal_code.value}",
        "map_url": f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=16/{lat}/{lon}",
        "website": page.website,
        # Absolute, as link previews need; the large size (1600 px at most, WebP).
        "image": f"{base}/images/{page.logo}/large.webp" if page.logo else None,
        "logo": f"/images/{page.logo}/small.webp" if page.logo else None,
        "logo_alt": t["logo"].format(name=page.name),
        "hours": _hours(page, t),
        "products": _products(page, language),
        "more_products": (t["more_products"].format(count=MAX_LISTINGS)
                          if page.more_listings else None),
    }


def _hours(page: MerchantPage, t: dict[str, str]) -> list[dict[str, str]] | None:
    """Each day, in order, with its periods ("9 h 00 – 17 h 00" in French), or none said."""
    if page.hours is None or not page.hours.periods:
        return None
    french = t["html_lang"].startswith("fr")

    def time(text: str) -> str:
        hours, minutes = text.split(":")
        return f"{int(hours)} h {minutes}" if french else text

    return [{"day": t[day], "periods": ", ".join(f"{time(o)} – {time(c)}" for o, c in spans)
             or t["closed"]} for day, spans in page.hours.by_day().items()]


def _products(page: MerchantPage, language: Language) -> list[dict[str, Any]]:
    """By the title shown (a listing without an English title shows its French one)."""
    products = [{
        "title": (listing.title_en or listing.title_fr) if language == "en"
        else listing.title_fr,
        "price": price(listing.price, language),
        "amount": "{}.{:02d}".format(*divmod(listing.price.cents, 100)),
        "in_stock": listing.in_stock,
        "id": listing.id,
        "photo": listing.photo,
    } for listing in page.listings]
    return sorted(products, key=lambda product: (title_key(product["title"]), product["id"]))


def _shortened(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= MAX_DESCRIPTION:
        return text
    return text[:MAX_DESCRIPTION - 1].rsplit(" ", 1)[0] + "…"
