"""The shop's web pages (docs/web.md): server-rendered HTML over the same use cases as the
JSON API, French first, usable without JavaScript, and their static files."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.staticfiles import StaticFiles
from xstatic.pkg import leaflet  # type: ignore[import-untyped]

from api.web import (
    account,
    admin,
    audit_console,
    error_pages,
    merchant_page,
    portal,
    portal_insight,
    portal_integrations,
    portal_listings,
    portal_orders,
    portal_payouts,
    portal_profile,
    portal_team,
    shop,
    spaces,
    validation,
)
from api.web.render import STATIC


def install(app: FastAPI) -> None:
    # After the API's problems (api/problems.py): a browser is shown a page instead.
    app.add_exception_handler(StarletteHTTPException, error_pages.http_error)  # type: ignore[arg-type]
    app.include_router(shop.router)
    app.include_router(account.router)
    app.include_router(spaces.router)
    app.include_router(merchant_page.router)  # /m/{slug}, the shareable page
    for module in (portal, portal_profile, portal_listings, portal_orders, portal_payouts,
                   portal_insight, portal_integrations, portal_team, validation, audit_console,
                   admin):
        app.include_router(module.router)
    app.mount("/static/shop", StaticFiles(directory=STATIC), name="shop-static")
    app.mount("/static/leaflet", StaticFiles(directory=leaflet.BASE_DIR), name="leaflet")
