"""The shop seen through a regional storefront (docs/insights-and-storefronts.md): a regional
platform links to `/?storefront=outaouais`; the search page then shows only what that
storefront covers, names it, and remembers it for this browser (a cookie holding the slug,
nothing personal), so that the cart opened next is credited to it, as `POST /v1/carts` with
`{"storefront": …}` does. `/?storefront=` goes back to the whole of Québec."""

from __future__ import annotations

from fastapi.responses import Response

from api.web.render import Pages
from application.errors import NotFoundError
from application.storefronts import Storefronts, StorefrontView

STOREFRONT_COOKIE = "comptoir_vitrine"


def storefront_of(page: Pages, storefronts: Storefronts,
                  asked: str | None) -> StorefrontView | None:
    """The storefront asked in the URL (`""`: none), else the one this browser is in; an
    unknown slug is none."""
    slug = asked if asked is not None else page.request.cookies.get(STOREFRONT_COOKIE, "")
    if not slug:
        return None
    try:
        return storefronts.get(slug[:60])
    except NotFoundError:
        return None


def remember_storefront(page: Pages, response: Response, asked: str | None,
                        shown_in: StorefrontView | None) -> None:
    if asked is None:
        return
    if shown_in is None:
        response.delete_cookie(STOREFRONT_COOKIE)
        return
    response.set_cookie(STOREFRONT_COOKIE, shown_in.slug, max_age=30 * 86400, httponly=True,
                        samesite="lax", secure=page.settings.environment != "development")
