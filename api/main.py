"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api import heap, problems, web
from api.consistency import ReadYourWrites
from api.container import Container, build_container, csrf_secret
from api.csrf import CSRF
from api.observability import BodyGuard, Metrics, RequestContext
from api.routers import (
    accounts,
    audit,
    catalogue,
    commission_rules,
    dev_mail,
    images,
    listings,
    lists,
    merchant_profiles,
    merchants,
    operations,
    orders,
    payouts,
    privacy,
    search,
    storefronts,
    webhook_endpoints,
)
from api.settings import Settings
from api.web import error_pages
from application.demo import demo_activity, load_demo_if_empty

DESCRIPTION = """
Comptoir: the event-sourced core of a local-buying marketplace for Québec.

Every change is an event in one append-only log. Errors are RFC 9457 problem details, in French
by default (`Accept-Language: en` for English). Authenticate with `Authorization: Bearer <JWT>`;
`comptoir token issue --role validator` makes one for development.
"""


def load_demo_if_log_empty(built: Container) -> None:
    """The demo catalogue, its people and a little activity, if the log is empty."""
    load_demo_if_empty(built.app, built.merchants, built.catalog, built.storefronts,
                       lambda catalogue: demo_activity(
                           built.consumers, built.carts, built.checkout,
                           built.insights, catalogue), built.accounts)


def create_app(settings: Settings | None = None, container: Container | None = None) -> FastAPI:
    settings = settings or (container.settings if container else Settings.load())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = container is None
        built = app.state.container = container or build_container(settings)
        if settings.demo_data:
            load_demo_if_log_empty(built)
        built.insights.start()
        if settings.run_projections:
            built.start_work()
        if owned:  # a serving process's one app (tests pass containers, many per process)
            heap.settle()
        try:
            yield
        finally:
            built.insights.stop()
            built.stop_work()
            if owned:
                built.close()

    app = FastAPI(
        title="Comptoir", version="0.1.0", description=DESCRIPTION, lifespan=lifespan,
        openapi_url="/openapi.json", docs_url="/docs", redoc_url=None,
    )
    app.state.default_language = settings.default_language
    app.state.metrics = Metrics()
    if container is not None:  # usable before its lifespan runs (ASGI test clients)
        app.state.container = container
    problems.install(app)
    app.add_middleware(ReadYourWrites)
    app.add_middleware(CSRF, secret=csrf_secret(settings),
                       secure=settings.environment != "development")

    app.add_middleware(BodyGuard, max_bytes=settings.max_body_bytes,
                       max_depth=settings.max_json_depth, refuse=error_pages.refused,
                       uploads=(images.UPLOADS,
                                settings.image_max_bytes + images.MULTIPART_OVERHEAD))
    app.add_middleware(RequestContext, metrics=app.state.metrics, on_error=error_pages.failed)
    app.include_router(operations.router)
    app.include_router(merchants.router)
    app.include_router(merchant_profiles.router)  # profile and identity changes
    app.include_router(images.router)  # logos and listing photos (docs/merchants.md)
    app.include_router(listings.router)
    app.include_router(catalogue.router)  # stock feeds, listing imports (docs/catalogue.md)
    app.include_router(lists.router)  # paged lists (docs/lists.md)
    app.include_router(search.router)
    app.include_router(orders.router)
    app.include_router(payouts.router)
    app.include_router(privacy.router)
    app.include_router(audit.router)
    app.include_router(storefronts.router)
    app.include_router(commission_rules.router)  # admin (docs/payments.md)
    web.install(app)  # the shop's pages and static files (docs/web.md)
    app.include_router(accounts.router)
    app.include_router(dev_mail.router)  # 404 unless in development
    app.include_router(webhook_endpoints.router)
    return app
