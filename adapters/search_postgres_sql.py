"""SQL of the PostgreSQL search read model: French text search with unaccent, PostGIS.

Extensions and text search configurations live in `public` (shared by every schema of the
database); tables live in the configured schema. Documents are generated columns: PostgreSQL
analyses the words the projection stores, with `comptoir_french` / `comptoir_english`
(default parser, unaccent, Snowball stemmer and stop words).
"""

from __future__ import annotations

from typing import Any

from psycopg import sql

from projections.search.query import SearchFilters

SETUP = """
SELECT pg_advisory_xact_lock(7274001);
CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public;
CREATE EXTENSION IF NOT EXISTS postgis SCHEMA public;
DO $$
DECLARE language text;
BEGIN
  FOREACH language IN ARRAY ARRAY['french', 'english'] LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'comptoir_' || language
                   AND cfgnamespace = 'public'::regnamespace) THEN
      EXECUTE format('CREATE TEXT SEARCH CONFIGURATION public.comptoir_%s (COPY = pg_catalog.%s)',
                     language, language);
      EXECUTE format('ALTER TEXT SEARCH CONFIGURATION public.comptoir_%s ALTER MAPPING FOR '
                     'hword, hword_part, word, asciihword, asciiword, hword_asciipart '
                     'WITH public.unaccent, pg_catalog.%s_stem', language, language);
    END IF;
  END LOOP;
END $$;
"""

_DOCUMENTS = """
  search_title_fr text NOT NULL, search_title_en text NOT NULL,
  search_body_fr text NOT NULL, search_body_en text NOT NULL,
  title_document tsvector GENERATED ALWAYS AS (
    to_tsvector('public.comptoir_french'::regconfig, search_title_fr)
    || to_tsvector('public.comptoir_english'::regconfig, search_title_en)) STORED,
  document tsvector GENERATED ALWAYS AS (
    to_tsvector('public.comptoir_french'::regconfig, search_body_fr)
    || to_tsvector('public.comptoir_english'::regconfig, search_body_en)) STORED,
  geog public.geography(Point, 4326) GENERATED ALWAYS AS (
    public.ST_SetSRID(public.ST_MakePoint(lon, lat), 4326)::public.geography) STORED
"""

MERCHANT_FIELDS = ("id", "slug", "name", "description_fr", "description_en", "categories",
                   "municipality", "region", "lat", "lon", "visible")
LISTING_FIELDS = ("id", "merchant_id", "merchant_name", "merchant_slug", "title_fr", "title_en",
                  "description_fr", "description_en", "category", "origin", "price_cents",
                  "on_hand", "reserved", "published", "municipality", "region", "lat", "lon")
SEARCH_FIELDS = ("search_title_fr", "search_title_en", "search_body_fr", "search_body_en")

TABLES = {
    "search_merchants": f"""
      id uuid PRIMARY KEY, slug text NOT NULL, name text NOT NULL, description_fr text NOT NULL,
      description_en text NOT NULL, categories text[] NOT NULL, municipality text NOT NULL,
      region text NOT NULL, lat double precision NOT NULL, lon double precision NOT NULL,
      visible boolean NOT NULL, {_DOCUMENTS}""",
    "search_listings": f"""
      id uuid PRIMARY KEY, merchant_id uuid NOT NULL, merchant_name text NOT NULL,
      merchant_slug text NOT NULL, title_fr text NOT NULL, title_en text NOT NULL,
      description_fr text NOT NULL, description_en text NOT NULL, category text NOT NULL,
      origin text NOT NULL, price_cents integer NOT NULL, on_hand integer NOT NULL,
      reserved integer NOT NULL, published boolean NOT NULL, municipality text NOT NULL,
      region text NOT NULL, lat double precision NOT NULL, lon double precision NOT NULL,
      {_DOCUMENTS}""",
}
INDEXES = [
    ("search_merchants", "document", "gin"), ("search_merchants", "geog", "gist"),
    ("search_listings", "document", "gin"), ("search_listings", "geog", "gist"),
    ("search_listings", "merchant_id", "btree"),
]


def create_statements(schema: str) -> list[sql.Composable]:
    statements: list[sql.Composable] = [
        sql.SQL("CREATE TABLE IF NOT EXISTS {}.{} ({})").format(
            sql.Identifier(schema), sql.Identifier(table), sql.SQL(columns))
        for table, columns in TABLES.items()
    ]
    statements += [
        sql.SQL("CREATE INDEX IF NOT EXISTS {} ON {}.{} USING {} ({})").format(
            sql.Identifier(f"{table}_{column}"), sql.Identifier(schema), sql.Identifier(table),
            sql.SQL(method), sql.Identifier(column))
        for table, column, method in INDEXES
    ]
    return statements


def upsert(schema: str, table: str, fields: tuple[str, ...]) -> sql.Composed:
    return sql.SQL("INSERT INTO {}.{} ({}) VALUES ({}) ON CONFLICT (id) DO UPDATE SET {}").format(
        sql.Identifier(schema), sql.Identifier(table),
        sql.SQL(", ").join(map(sql.Identifier, fields)),
        sql.SQL(", ").join(sql.Placeholder() * len(fields)),
        sql.SQL(", ").join(sql.SQL("{0} = EXCLUDED.{0}").format(sql.Identifier(f))
                           for f in fields[1:]))


def select_by_ids(schema: str, table: str, fields: tuple[str, ...]) -> sql.Composed:
    return sql.SQL("SELECT {} FROM {}.{} WHERE id = ANY(%s)").format(
        sql.SQL(", ").join(map(sql.Identifier, fields)), sql.Identifier(schema),
        sql.Identifier(table))


def _tsquery(alternatives: tuple[str, ...]) -> str:
    return "(" + " | ".join(f"'{term}'" for term in alternatives) + ")"


def _text(f: SearchFilters, alias: str, params: dict[str, Any]) -> tuple[list[str], str]:
    if not f.terms:
        return [], "0"
    params["tsquery"] = " & ".join(_tsquery(group) for group in f.terms)
    scores = []
    for i, group in enumerate(f.terms):
        params[f"t{i}"] = _tsquery(group)
        scores.append(f"({alias}.title_document @@ %(t{i})s::tsquery)::int")
    return [f"{alias}.document @@ %(tsquery)s::tsquery"], "(" + " + ".join(scores) + ")"


POINT = "public.ST_SetSRID(public.ST_MakePoint(%(lon)s, %(lat)s), 4326)::public.geography"


def _near(f: SearchFilters, alias: str, params: dict[str, Any]) -> tuple[list[str], str | None]:
    if f.near is None:
        return [], None
    params.update(lat=f.near.point.lat, lon=f.near.point.lon)
    knn = f"{alias}.geog OPERATOR(public.<->) {POINT}"
    if f.near.radius_km is None:
        return [], knn
    params["radius_m"] = f.near.radius_km * 1000
    return [f"public.ST_DWithin({alias}.geog, {POINT}, %(radius_m)s, false)"], knn


def _query(f: SearchFilters, columns: str, base: str, score: str, knn: str | None,
           alias: str, params: dict[str, Any]) -> str:
    """Page query; the order is the SQLite one: score, distance, id. Without text the score is
    constant and left out, so the GiST index can serve the distance order (KNN)."""
    order = ([] if score == "0" else ["score DESC"]) + ([knn] if knn else []) + [f"{alias}.id"]
    distance = f"({knn}) / 1000.0" if knn else "NULL::float8"
    params.update(limit=f.page_size, offset=f.offset)
    return (f"SELECT {columns}, {score} AS score, {distance} AS distance {base} "
            f"ORDER BY {', '.join(order)} LIMIT %(limit)s OFFSET %(offset)s")


def listing_query(f: SearchFilters, schema: str) -> tuple[str, str, dict[str, Any]]:
    params: dict[str, Any] = {}
    text, score = _text(f, "l", params)
    near, knn = _near(f, "l", params)
    where = ["l.published", "m.visible", *text, *near]
    if f.categories:
        where.append("l.category = ANY(%(categories)s)")
        params["categories"] = list(f.categories)
    if f.regions:
        where.append("l.region = ANY(%(regions)s)")
        params["regions"] = list(f.regions)
    if f.origin:
        where.append("l.origin = %(origin)s")
        params["origin"] = f.origin
    if f.in_stock:
        where.append("l.on_hand - l.reserved > 0")
    if f.min_price_cents is not None:
        where.append("l.price_cents >= %(min_price)s")
        params["min_price"] = f.min_price_cents
    if f.max_price_cents is not None:
        where.append("l.price_cents <= %(max_price)s")
        params["max_price"] = f.max_price_cents
    q = f'"{schema}"'
    base = (f"FROM {q}.search_listings l JOIN {q}.search_merchants m ON m.id = l.merchant_id "
            f"WHERE {' AND '.join(where)}")
    columns = ", ".join(f"l.{c}" for c in LISTING_FIELDS)
    facets = f"SELECT l.category, l.origin, l.region, count(*) {base} GROUP BY 1, 2, 3"
    return _query(f, columns, base, score, knn, "l", params), facets, params


def merchant_query(f: SearchFilters, schema: str) -> tuple[str, str, dict[str, Any]]:
    params: dict[str, Any] = {}
    text, score = _text(f, "m", params)
    near, knn = _near(f, "m", params)
    where = ["m.visible", *text, *near]
    if f.categories:
        where.append("m.categories && %(categories)s::text[]")
        params["categories"] = list(f.categories)
    if f.regions:
        where.append("m.region = ANY(%(regions)s)")
        params["regions"] = list(f.regions)
    base = f'FROM "{schema}".search_merchants m WHERE {" AND ".join(where)}'
    columns = ", ".join(f"m.{c}" for c in MERCHANT_FIELDS)
    facets = f"SELECT m.categories, m.region, count(*) {base} GROUP BY 1, 2"
    return _query(f, columns, base, score, knn, "m", params), facets, params
