"""One corpus, both backends: the same ids in the same order, the same totals and facets, and
the answers a French-speaking shopper expects."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql

from adapters.aes_gcm import AesGcm
from adapters.event_store import postgres_datastore
from adapters.keystores import InMemoryKeyStore
from adapters.search_postgres import PostgresSearchStore
from adapters.search_sqlite import SQLiteSearchStore
from api.container import storage_config
from api.settings import Settings
from application.app import Comptoir
from application.catalog import Catalog
from application.merchants import Merchants
from projections.follower import Follower
from projections.search.engine import Search
from projections.search.query import SearchPage, check_filters
from tests.conftest import postgres_dsn
from tests.search_corpus import QUERIES, load_corpus

Stores = dict[str, Any]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Stores, dict[str, str]]]:
    app = Comptoir({"PERSISTENCE_MODULE": "eventsourcing.popo"}, InMemoryKeyStore(), AesGcm())
    ids = load_corpus(Merchants(app), Catalog(app))
    dsn, schema = postgres_dsn(), f"corpus_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    datastore = postgres_datastore(storage_config(Settings(
        backend="postgres", postgres_dsn=dsn, postgres_schema=schema)))
    stores = {
        "sqlite": SQLiteSearchStore(Path(tmp_path_factory.mktemp("corpus")) / "search.sqlite3"),
        "postgres": PostgresSearchStore(datastore),
    }
    for store in stores.values():
        Follower(app, store, batch_size=13).catch_up()  # odd batches: handlers cross batches
    yield stores, ids
    datastore.close()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


def run(store: Any, kind: str, params: dict) -> SearchPage:
    filters, search = check_filters(**params), Search(store)
    return search.search_listings(filters) if kind == "listings" else search.search_merchants(
        filters)


def answer(page: SearchPage) -> tuple:
    return ([(str(h.doc.id), h.score, h.distance_km) for h in page.hits], page.total,
            page.total_exact, page.facets)


@pytest.mark.parametrize(("kind", "params"), QUERIES, ids=[f"{k}:{p}" for k, p in QUERIES])
def test_both_backends_give_the_same_answer(corpus: tuple[Stores, dict], kind: str,
                                            params: dict) -> None:
    stores, _ = corpus
    assert answer(run(stores["sqlite"], kind, params)) == answer(
        run(stores["postgres"], kind, params))


@pytest.fixture(params=["sqlite", "postgres"])
def search(request: pytest.FixtureRequest, corpus: tuple[Stores, dict]) -> Any:
    return corpus[0][request.param]


@pytest.fixture
def ids(corpus: tuple[Stores, dict]) -> dict[str, str]:
    return corpus[1]


def titles(page: SearchPage) -> list[str]:
    return [getattr(h.doc, "title_fr", None) or h.doc.name for h in page.hits]


def test_accents_and_plurals_do_not_matter(search: Any) -> None:
    accented = titles(run(search, "listings", {"text": "épiceries"}))
    assert accented == titles(run(search, "listings", {"text": "EPICERIE"}))
    assert "Épiceries fines en coffret" in accented
    merchants = run(search, "merchants", {"text": "fromagerie"})
    title_hits = {h.doc.name for h in merchants.hits if h.score == 1}
    assert title_hits == {"Fromagerie Boréale", "Les Fromageries du Pontiac"}
    assert {h.doc.name for h in merchants.hits if h.score == 0} == {"Marché Jean-Talon Express"}


def test_english_titles_are_searched_too(search: Any) -> None:
    assert titles(run(search, "listings", {"text": "cheese curds"})) == ["Fromage en grains"]
    assert titles(run(search, "listings", {"text": "sugar pie"})) == ["Tarte au sucre"]
    assert titles(run(search, "listings", {"text": "maple"})) == []  # the syrup is withdrawn


def test_title_matches_rank_first(search: Any) -> None:
    page = run(search, "listings", {"text": "fromage"})
    scores = [h.score for h in page.hits]
    assert scores == sorted(scores, reverse=True) and scores[0] == 1 and scores[-1] == 0


def test_without_text_a_point_orders_by_distance(search: Any) -> None:
    page = run(search, "listings", {"lat": 45.4765, "lon": -75.7013, "radius_km": 60})
    distances = [h.distance_km for h in page.hits]
    assert distances == sorted(distances)
    assert distances[0] < 0.01 and all(d <= 60 for d in distances)  # listings are nudged
    assert {h.doc.region for h in page.hits} == {"07"}
    assert page.total == 4  # Gatineau (2 of 3: one withdrawn), Chelsea (2); Shawville is 64 km


def test_hidden_things_never_appear(search: Any, ids: dict[str, str]) -> None:
    everything = run(search, "listings", {"page_size": 100})
    shown = {str(h.doc.id) for h in everything.hits}
    for hidden in ("Plateau de fromages", "Sirop d'érable biologique", "Épices boréales",
                   "Fromage caché"):
        assert ids[hidden] not in shown
    merchants = {h.doc.name for h in run(search, "merchants", {"page_size": 100}).hits}
    assert "Épicerie du Nord" not in merchants and "Fromagerie en attente" not in merchants
    assert everything.total == 17


def test_filters_and_facets(search: Any) -> None:
    page = run(search, "listings", {"text": "fromage", "in_stock": True})
    assert all(h.doc.available > 0 for h in page.hits)
    assert "Brie de chèvre" not in titles(page)  # none in stock
    assert set(titles(page)[:2]) == {"Fromage en grains", "Fromages du marché"}  # in the title
    assert titles(page)[2:] == ["Cheddar fort vieilli"]  # in its description
    assert page.facets["region"] == {"07": 2, "06": 1}
    priced = run(search, "listings", {"min_price_cents": 1000, "max_price_cents": 2000})
    assert all(1000 <= h.doc.price_cents <= 2000 for h in priced.hits)
    assert sum(priced.facets["category"].values()) == priced.total


def test_pages_never_overlap_or_skip(search: Any) -> None:
    everything = [h.doc.id for h in run(search, "listings", {"page_size": 100}).hits]
    paged = [h.doc.id for page in range(1, 5)
             for h in run(search, "listings", {"page": page, "page_size": 5}).hits]
    assert paged == everything


def test_only_stop_words_find_nothing(search: Any) -> None:
    page = run(search, "listings", {"text": "le la les de"})
    assert (page.total, page.hits) == (0, [])
