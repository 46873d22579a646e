"""What shoppers type, and what they should find: the catalogue of tests/journeys/
shopper_queries.py is loaded once per backend into a real `comptoir serve` through the HTTP
API, then every query runs against it and must return exactly the expected shops or products."""

from __future__ import annotations

import importlib
import importlib.util
import sys
import unicodedata
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest
from psycopg import sql

from api.settings import Settings
from application.actors import Role
from tests.conftest import BACKENDS, postgres_dsn
from tests.journeys.helpers import RYW, Marketplace, fresh_neq, marketplace

CATALOGUE = "tests.journeys.shopper_queries"
# Written by someone else: its absence fails test_the_catalogue_of_queries_exists (no skip).
catalogue_module: Any = (importlib.import_module(CATALOGUE)
                         if CATALOGUE in sys.modules or importlib.util.find_spec(CATALOGUE)
                         else None)

QUERIES: list[Any] = list(getattr(catalogue_module, "QUERIES", []))


def query_id(query: Any) -> str:
    """The query as typed, accents dropped (pytest would print them as escapes)."""
    text = query.q or "(no words)"
    filters = getattr(query, "filters", None) or {}
    if filters:
        text += " [" + ", ".join(f"{k}={v}" for k, v in sorted(filters.items())) + "]"
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return f"{query.kind}: {plain}"


def kind_of(query: Any) -> str:
    kind = str(query.kind).lower().rstrip("s")
    assert kind in ("listing", "merchant"), f"unknown query kind {query.kind!r}"
    return kind


@dataclass
class Loaded:
    market: Marketplace
    keys: dict[str, str]  # id -> key, shops and products alike


@pytest.fixture(scope="module", params=BACKENDS)
def loaded(request: pytest.FixtureRequest,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[Loaded]:
    """A server per backend with the whole catalogue in it, loaded through the API."""
    assert catalogue_module is not None, "tests/journeys/shopper_queries.py is missing"
    data_dir = tmp_path_factory.mktemp(f"queries-{request.param}") / "var"
    if request.param == "sqlite":
        settings = Settings(backend="sqlite", data_dir=data_dir)
    else:
        schema = f"t_{uuid.uuid4().hex[:12]}"
        settings = Settings(backend="postgres", postgres_dsn=postgres_dsn(),
                            postgres_schema=schema, postgres_pool_size=4, data_dir=data_dir)
    try:
        with marketplace(settings) as market:
            yield Loaded(market, load(market, catalogue_module.SHOPS, catalogue_module.PRODUCTS))
    finally:
        if settings.postgres_dsn is not None:
            with psycopg.connect(settings.postgres_dsn.get_secret_value(),
                                 autocommit=True) as conn:
                conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(
                    sql.Identifier(settings.postgres_schema)))


def load(market: Marketplace, shops: list[Any], products: list[Any]) -> dict[str, str]:
    http, validator = market.http, market.validator
    merchants: dict[str, tuple[str, dict[str, str], bool]] = {}  # key -> id, owner, sells
    keys: dict[str, str] = {}
    for shop in shops:
        body: dict[str, Any] = {
            "name": shop.name, "legal_name": f"{shop.name} inc.", "neq": fresh_neq(),
            "address": {"street": "1, rue Principale", "municipality": shop.municipality,
                        "postal_code": shop.postal_code, "region": shop.region},
            "location": {"lat": shop.lat, "lon": shop.lon},
            "categories": list(shop.categories),
            "contact": {"name": "Responsable", "email": "responsable@commerce.example"},
            "tax": {"small_supplier": True},
        }
        if shop.description_fr:
            body["description_fr"] = shop.description_fr
        if shop.description_en:
            body["description_en"] = shop.description_en
        applied = http.post("/v1/merchants", json=body)
        assert applied.status_code == 201, f"{shop.key}: {applied.text}"
        merchant_id = applied.json()["id"]
        status = str(shop.status)
        if status == "rejected":
            done = http.post(f"/v1/merchants/{merchant_id}/rejection", headers=validator,
                             json={"reason": "Dossier incomplet"})
            assert done.status_code == 200, f"{shop.key}: {done.text}"
        sells = status not in ("under_review", "rejected")
        if sells:  # approved now; suspended or closed after its listings are published
            done = http.post(f"/v1/merchants/{merchant_id}/approval", headers=validator)
            assert done.status_code == 200, f"{shop.key}: {done.text}"
        owner = market.bearer(Role.MERCHANT, merchant_id=merchant_id)
        merchants[shop.key] = (merchant_id, owner, sells)
        keys[merchant_id] = shop.key

    for product in products:
        merchant_id, owner, sells = merchants[product.shop]
        body = {"title_fr": product.title_fr, "description_fr": product.description_fr,
                "category": product.category, "price_cents": product.price_cents,
                "tax_class": str(product.tax_class), "origin": str(product.origin)}
        if product.title_en:
            body["title_en"] = product.title_en
        if product.description_en:
            body["description_en"] = product.description_en
        created = http.post(f"/v1/merchants/{merchant_id}/listings", headers=owner, json=body)
        if not sells and created.status_code != 201:
            continue  # a shop never approved may not even have drafts: nothing to find anyway
        assert created.status_code == 201, f"{product.key}: {created.text}"
        listing_id = created.json()["id"]
        keys[listing_id] = product.key
        stocked = http.put(f"/v1/listings/{listing_id}/stock", headers=owner,
                           json={"on_hand": product.on_hand})
        assert stocked.status_code == 200, f"{product.key}: {stocked.text}"
        if product.published and sells:
            published = http.post(f"/v1/listings/{listing_id}/publication", headers=owner)
            assert published.status_code == 200, f"{product.key}: {published.text}"

    for shop in shops:
        merchant_id = merchants[shop.key][0]
        status = str(shop.status)
        if status == "suspended":
            done = http.post(f"/v1/merchants/{merchant_id}/suspension", headers=validator,
                             json={"reason": "Plainte en cours d'examen"})
            assert done.status_code == 200, f"{shop.key}: {done.text}"
        elif status == "closed":
            done = http.post(f"/v1/merchants/{merchant_id}/closure", headers=validator)
            assert done.status_code == 200, f"{shop.key}: {done.text}"
        else:
            assert status in ("approved", "under_review", "rejected"), (
                f"{shop.key}: unknown status {status!r}")

    caught_up = http.get("/v1/search/listings", params={"page_size": 1}, headers=RYW)
    assert caught_up.headers.get("preference-applied") == "read-your-writes"
    return keys


def found_keys(loaded: Loaded, kind: str, query: Any) -> list[str]:
    params: dict[str, Any] = {"page_size": 100}
    if query.q:
        params["q"] = query.q
    for name, value in (getattr(query, "filters", None) or {}).items():
        params[name] = ("true" if value else "false") if isinstance(value, bool) else value
    found: list[str] = []
    for page in range(1, 51):
        answer = loaded.market.http.get(f"/v1/search/{kind}s", params={**params, "page": page})
        assert answer.status_code == 200, f"{query_id(query)}: {answer.text}"
        items = answer.json()["items"]
        found += [loaded.keys.get(item["id"], item["id"]) for item in items]
        if len(items) < params["page_size"]:
            break
    return found


def test_the_catalogue_of_queries_exists() -> None:
    assert catalogue_module is not None, "tests/journeys/shopper_queries.py is missing"
    assert QUERIES, "tests/journeys/shopper_queries.py has no QUERIES"


@pytest.mark.parametrize("query", QUERIES, ids=[query_id(q) for q in QUERIES])
def test_shopper_query_finds_what_a_person_expects(loaded: Loaded, query: Any) -> None:
    kind = kind_of(query)
    found = found_keys(loaded, kind, query)
    got, expected = set(found), set(query.expected)
    assert got == expected, (
        f"\n{kind} search {query.q!r} with {getattr(query, 'filters', None) or {}}"
        f"\nwhy: {query.why}"
        f"\nmissing: {sorted(expected - got)}"
        f"\nunexpected: {sorted(got - expected)}")
    assert len(found) == len(got), f"{query.q!r}: a result shown twice: {found}"
