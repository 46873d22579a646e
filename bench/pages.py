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
                api = measure(api_name, _get(client, api_path, api_params), count)
                html = measure(page_name, _get(client, page_path, params), count)
                rows += [(html, api), (api, None)]
            # The merchant portal, signed in as the demo owner of that listing's merchant.
            owner = TestClient(client.app)
            email = next(e for e, what in demo_people() if what == f"merchant: {merchant.name}")
            signed = owner.post("/compte/connexion", data={
                "email": email, "password": DEMO_PASSWORD, "suivant": "/portail/versements"})
            assert signed.status_code == 200, signed.text[:300]
            for page_name, page_path, api_name, api_path in [
                    ("/portail/versements", "/portail/versements",
                     "GET /v1/merchants/{id}/payouts", f"/v1/merchants/{merchant.id}/payouts"),
                    ("/portail/statistiques", "/portail/statistiques",
                     "GET /v1/merchants/{id}/insights", f"/v1/merchants/{merchant.id}/insights"),
                    ("/portail/integrations", "/portail/integrations",
                     "GET /v1/merchants/{id}/api-keys", f"/v1/merchants/{merchant.id}/api-keys")]:
                api = measure(api_name, _get(owner, api_path, None), count)
                html = measure(page_name, _get(owner, page_path, None), count)
                rows += [(html, api), (api, None)]
            # The portal's orders and listings, then the staff consoles (demo staff accounts).
            for page_name, page_path, api_name, api_path in [
                    ("/portail/commandes", "/portail/commandes",
                     "GET /v1/merchants/{id}/orders", f"/v1/merchants/{merchant.id}/orders"),
                    ("/portail/fiches", "/portail/fiches",
                     "GET /v1/merchants/{id}/listings", f"/v1/merchants/{merchant.id}/listings")]:
                api = measure(api_name, _get(owner, api_path, None), count)
                html = measure(page_name, _get(owner, page_path, None), count)
                rows += [(html, api), (api, None)]
            for email, page_name, page_path, api_name, api_path, api_params in [
                    ("validation@demo.example", "/validation (queue)", "/validation",
                     "GET /v1/merchants?status=under_review", "/v1/merchants",
                     {"status": "under_review"}),
                    ("audit@demo.example", "/audit (the log, 50 events)", "/audit",
                     "GET /v1/audit/events", "/v1/audit/events", {"limit": "50"}),
                    ("admin@demo.example", "/admin", "/admin", "GET /v1/storefronts",
                     "/v1/storefronts", None)]:
                staff = TestClient(client.app)
                signed = staff.post("/compte/connexion", data={
                    "email": email, "password": DEMO_PASSWORD, "suivant": page_path})
                assert signed.status_code == 200, signed.text[:300]
                api = measure(api_name, _get(staff, api_path, api_params), count)
                html = measure(page_name, _get(staff, page_path, None), count)
                rows += [(html, api), (api, None)]
        report(f"Shop pages beside the JSON API ({backend}, demo catalogue)", rows)


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
