"""SQLite's analyser (Python) must produce exactly PostgreSQL's lexemes, word for word."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from adapters.search_postgres_sql import SETUP
from bench.dataset import FAMILY, PLACES, PRODUCTS, QUALIFIERS, SHOPS
from domain.quebec import MUNICIPALITIES, REGIONS
from domain.taxonomy import CATEGORIES
from projections.search.analysis import terms, words
from tests.conftest import postgres_dsn

FRENCH = """
épicerie épiceries Épicerie fine fromagerie fromageries Fromageries fromage fromages boulangerie
boulangères pâtisserie pâtissières érable érables Érablière cœur bœuf œuvre Œufs sœur nœud
ça déjà où là à été même être hôtel forêt île Îles maïs naïve Noël aïeul garçon français
aujourd'hui l'érable d'érable qu'il jusqu'à presqu'île Saint-Jérôme Trois-Rivières 500g 12,50
1er 2e 3ième chaussures bijoux jouets légumes savonnerie tricots tuques mitaines manteaux
courtepointes raquettes canots cidre cidres bière bières vins vignobles brasseries laitière
biologique biologiques artisanal artisanale artisanaux artisanales nationales nationaux
québécois québécoise québécoises Québec Montréal Gatineau Outaouais Lévis Sept-Îles Bécancour
heureusement rapidement grandement finalement continuellement approvisionnement
""" + " ".join(w for m in MUNICIPALITIES for w in words(m.name)) + " " + " ".join(
    REGIONS.values()) + " " + " ".join(fr for fr, _ in CATEGORIES.values()) + " " + " ".join(
    FAMILY + PLACES + QUALIFIERS + [s for shops in SHOPS.values() for s in shops]
    + [p for products in PRODUCTS.values() for p, _, _ in products])
ENGLISH = """
cheese cheeses curds baking bakery honey honeys running shoes children's leather wooden handmade
maple syrup organic organics university universal generous communication national nationality
hopeful goodness electricity adjustable skies dying lying news atlas cosmos bias inning herring
proceed exceed succeed café naïve crème brûlée
""" + " ".join(en for _, en in CATEGORIES.values()) + " " + " ".join(
    e for products in PRODUCTS.values() for _, e, _ in products)


@pytest.fixture(scope="module")
def pg() -> Iterator[psycopg.Connection]:
    with psycopg.connect(postgres_dsn(), autocommit=True) as conn:
        conn.execute(SETUP)
        yield conn


@pytest.mark.parametrize(("language", "text"), [("french", FRENCH), ("english", ENGLISH)])
def test_python_analysis_equals_postgres_word_for_word(
    pg: psycopg.Connection, language: str, text: str
) -> None:
    vocabulary = sorted(set(words(text)))
    rows = pg.execute(
        "SELECT w, array(SELECT lexeme FROM unnest(to_tsvector(%s::regconfig, w)) ORDER BY 1) "
        "FROM unnest(%s::text[]) AS w", (f"public.comptoir_{language}", vocabulary)).fetchall()
    differences = {w: (lexemes, sorted(set(terms(w, language)))) for w, lexemes in rows
                   if lexemes != sorted(set(terms(w, language)))}
    assert len(rows) == len(vocabulary) > 100
    assert differences == {}


def test_postgres_indexes_the_same_words_the_projection_stores(pg: psycopg.Connection) -> None:
    text = "Épicerie-fine « Chez Laurent » : cretons, bœuf & café (500g) — l'érable!"
    lexemes = pg.execute(
        "SELECT array(SELECT lexeme FROM unnest(to_tsvector('public.comptoir_french', %s)) "
        "ORDER BY 1)", (" ".join(words(text)),)).fetchone()[0]
    assert lexemes == sorted(set(terms(text, "french")))
    assert "epicer" in lexemes and "boeuf" in lexemes and "erabl" in lexemes
