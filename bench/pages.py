"""The shop's pages (docs/web.md) beside the JSON API call for the same data, in process (the
ASGI app through Starlette's test client, which adds about the same to both), on the demo
catalogue: the search page, a listing, a cart of three merchants and an order. Goal: p95 under
50 ms for every page.

    python -m bench.pages --backend sqlite|postgres [--count N]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from uuid import UUID

from fastapi.testclient import TestClient

from api.main import create_app
from application.actors import Actor, Role
from application.checkout import CheckoutChoices
from application.demo import DEMO_PASSWORD, demo_people
from bench.common import Figures, measure, report
from bench.stock_updates import settings_for
from projections.search.query import check_filters
from tests.support import consumer_body

EMAIL, PASSWORD = "banc.pages@essai.example", "un mot de passe de banc d'essai"
SEARCH = {"q": "fromage", "near": "Gatineau"}


def run(backend: str, count: int = 300) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = settings_for(backend, Path(tmp)).model_copy(
            update={"demo_data": True, "map_tiles_url": ""})
        with TestClient(create_app(settings)) as client:
            container = client.app.state.container  # type: ignore[attr-defined]
            listings = _listings(container)
            account = container.accounts.create_verified(EMAIL, PASSWORD)
            shopper = Actor(Role.CONSUMER, str(account))
            container.consumers.register(shopper, consumer_body(email=EMAIL))
            cart, order = _cart(container, shopper, listings), None
            paid = container.carts.open(shopper)
            for listing in listings[:3]:
                container.carts.set_line(shopper, paid.id, listing, 1)
            order = container.checkout.check_out(shopper, paid.id, CheckoutChoices()).id
            assert client.post("/compte/connexion", data={
                "email": EMAIL, "password": PASSWORD}).status_code == 200
            client.cookies.set("comptoir_panier", str(cart))
            repository = container.app.repository
            merchant = repository.get(repository.get(listings[0]).merchant_id)
            pairs = [
                ("/m/{slug} (shareable page)", f"/m/{merchant.slug}", None,
                 "GET /v1/merchants/{id}", f"/v1/merchants/{merchant.id}", None),
                ("/ (search page)", "/", SEARCH, "GET /v1/search/listings",
                 "/v1/search/listings", SEARCH),
                ("/produits/{id}", f"/produits/{listings[0]}", None, "GET /v1/listings/{id}",
                 f"/v1/listings/{listings[0]}", None),
                ("/panier (3 merchants)", "/panier", None, "GET /v1/carts/{id}",
                 f"/v1/carts/{cart}", None),
                ("/commandes/{id}", f"/commandes/{order}", None, "GET /v1/orders/{id}",
                 f"/v1/orders/{order}", None),
            ]
            rows: list[tuple[Figures, Figures | None]] = []
            for page_name, page_path, params, api_name, api_path, api_params in pairs:
                rows += _side_by_side(client, count, (page_name, page_path, params),
                                      (api_name, api_path, api_params))
            # The merchant portal, signed in as the demo owner of that listing's merchant.
            email = next(e for e, what in demo_people() if what == f"merchant: {merchant.name}")
            owner = _signed_in_as(client, email, "/portail/versements")
            for page_path, api_name, api_path in [
                    ("/portail/versements", "GET /v1/merchants/{id}/payouts", "payouts"),
                    ("/portail/statistiques", "GET /v1/merchants/{id}/insights", "insights"),
                    ("/portail/integrations", "GET /v1/merchants/{id}/api-keys", "api-keys"),
                    ("/portail/commandes", "GET /v1/merchants/{id}/orders", "orders"),
                    ("/portail/fiches", "GET /v1/merchants/{id}/listings", "listings")]:
                rows += _side_by_side(owner, count, (page_path, page_path, None), (
                    api_name, f"/v1/merchants/{merchant.id}/{api_path}", None))
            # The staff consoles, each signed in as its demo account.
            for email, page_name, page_path, api_name, api_path, api_params in [
                    ("validation@demo.example", "/validation (queue)", "/validation",
                     "GET /v1/merchants?status=under_review", "/v1/merchants",
                     {"status": "under_review"}),
                    ("audit@demo.example", "/audit (the log, 50 events)", "/audit",
                     "GET /v1/audit/events", "/v1/audit/events", {"limit": "50"}),
                    ("admin@demo.example", "/admin", "/admin", "GET /v1/storefronts",
                     "/v1/storefronts", None)]:
                rows += _side_by_side(_signed_in_as(client, email, page_path), count,
                                      (page_name, page_path, None),
                                      (api_name, api_path, api_params))
        report(f"Shop pages beside the JSON API ({backend}, demo catalogue)", rows)


Target = tuple[str, str, dict[str, str] | None]  # (name shown, path, query)


def _side_by_side(client: TestClient, count: int, page: Target,
                  api: Target) -> list[tuple[Figures, Figures | None]]:
    """A page measured beside the API call for the same data (its baseline)."""
    baseline = measure(api[0], _get(client, api[1], api[2]), count)
    return [(measure(page[0], _get(client, page[1], page[2]), count), baseline),
            (baseline, None)]


def _signed_in_as(client: TestClient, email: str, then: str) -> TestClient:
    """Another browser on the same app, signed in (a demo account) on the way to `then`."""
    browser = TestClient(client.app)
    signed = browser.post("/compte/connexion", data={
        "email": email, "password": DEMO_PASSWORD, "suivant": then})
    assert signed.status_code == 200, signed.text[:300]
    return browser


def _get(client: TestClient, path: str, params: dict[str, str] | None):  # type: ignore[no-untyped-def]
    def get(_: int) -> None:
        response = client.get(path, params=params)
        assert response.status_code == 200, (path, response.status_code, response.text[:300])
    return get


def _listings(container: object) -> list[UUID]:
    """Published listings of three merchants, once the demo has reached the search model."""
    deadline = time.monotonic() + 30
    while True:
        hits = container.search.search_listings(  # type: ignore[attr-defined]
            check_filters(in_stock=True, page_size=100)).hits
        chosen: dict[UUID, UUID] = {}
        for hit in hits:
            chosen.setdefault(hit.doc.merchant_id, hit.doc.id)
        if len(chosen) >= 3 or time.monotonic() > deadline:
            return list(chosen.values())[:3]
        time.sleep(0.2)


def _cart(container: object, shopper: Actor, listings: list[UUID]) -> UUID:
    cart = container.carts.open(shopper)  # type: ignore[attr-defined]
    for listing in listings:
        container.carts.set_line(shopper, cart.id, listing, 2)  # type: ignore[attr-defined]
    return cart.id  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--count", type=int, default=300)
    args = parser.parse_args()
    run(args.backend, args.count)


if __name__ == "__main__":
    main()
