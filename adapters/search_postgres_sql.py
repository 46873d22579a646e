"""SQL of the PostgreSQL search read model: French text search with unaccent, PostGIS.

Extensions and text search configurations live in `public` (shared by every schema of the
database); tables live in the configured schema. Documents are generated columns: PostgreSQL
analyses the words the projection stores, with `comptoir_french` / `comptoir_english`
(default parser, unaccent, Snowball stemmer and stop words); positions are stripped, nothing
ranks by proximity.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from psycopg import sql

from adapters.search_filters import POSTGRES, listing_conditions, region_condition
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

# Documents are written by the projection's statements (see `upsert`), not generated: a stock
# change then rewrites neither of them.
_DOCUMENTS = """
  title_document tsvector NOT NULL, document tsvector NOT NULL,
  geog public.geography(Point, 4326) GENERATED ALWAYS AS (
    public.ST_SetSRID(public.ST_MakePoint(lon, lat), 4326)::public.geography) STORED
"""
_ANALYSED = ("strip(to_tsvector('public.comptoir_french'::regconfig, %s) "
             "|| to_tsvector('public.comptoir_english'::regconfig, %s))")

MERCHANT_FIELDS = ("id", "slug", "name", "description_fr", "description_en", "categories",
                   "municipality", "region", "lat", "lon", "visible")
LISTING_FIELDS = ("id", "merchant_id", "merchant_name", "merchant_slug", "title_fr", "title_en",
                  "description_fr", "description_en", "category", "origin", "price_cents",
                  "on_hand", "reserved", "published", "merchant_visible", "municipality",
                  "region", "lat", "lon")

TABLES = {
    "search_merchants": f"""
      id uuid PRIMARY KEY, slug text NOT NULL, name text NOT NULL, description_fr text NOT NULL,
      description_en text NOT NULL, categories text[] NOT NULL, municipality text NOT NULL,
      region text NOT NULL, lat double precision NOT NULL, lon double precision NOT NULL,
      visible boolean NOT NULL, {_DOCUMENTS}""",
    "search_held": "id text PRIMARY KEY, kind text NOT NULL, merchant_id text, "
                   "doc text NOT NULL",
    "search_listings": f"""
      id uuid PRIMARY KEY, merchant_id uuid NOT NULL, merchant_name text NOT NULL,
      merchant_slug text NOT NULL, title_fr text NOT NULL, title_en text NOT NULL,
      description_fr text NOT NULL, description_en text NOT NULL, category text NOT NULL,
      origin text NOT NULL, price_cents integer NOT NULL, on_hand integer NOT NULL,
      reserved integer NOT NULL, published boolean NOT NULL, merchant_visible boolean NOT NULL,
      visible boolean GENERATED ALWAYS AS (published AND merchant_visible) STORED,
      municipality text NOT NULL, region text NOT NULL, lat double precision NOT NULL,
      lon double precision NOT NULL, {_DOCUMENTS}""",
}
# Searches only ever read visible rows: partial indexes are smaller and never hold the rest.
INDEXES = [
    (table, column, method, "WHERE visible")
    for table in ("search_merchants", "search_listings")
    for column, method in (("document", "gin"), ("title_document", "gin"), ("geog", "gist"))
] + [("search_listings", "merchant_id", "btree", ""), ("search_held", "merchant_id", "btree", "")]


def create_statements(schema: str, with_indexes: bool = True) -> list[sql.Composed]:
    statements: list[sql.Composed] = [
        sql.SQL("CREATE TABLE IF NOT EXISTS {}.{} ({})").format(
            sql.Identifier(schema), sql.Identifier(table), sql.SQL(columns))
        for table, columns in TABLES.items()
    ]
    return statements + (index_statements(schema) if with_indexes else [])


def index_statements(schema: str) -> list[sql.Composed]:
    return [
        sql.SQL("CREATE INDEX IF NOT EXISTS {} ON {}.{} USING {} ({}) {}").format(
            sql.Identifier(f"{table}_{column}"), sql.Identifier(schema), sql.Identifier(table),
            sql.SQL(method), sql.Identifier(column), sql.SQL(predicate))
        for table, column, method, predicate in INDEXES
    ]


def upsert(schema: str, table: str, fields: tuple[str, ...]) -> sql.Composed:
    """Insert or replace rows: `fields`, then the title's and the body's words (French,
    English) that PostgreSQL analyses into the two documents."""
    columns = (*fields, "title_document", "document")
    return sql.SQL("INSERT INTO {}.{} ({}) VALUES ({}, {}, {}) ON CONFLICT (id) "
                   "DO UPDATE SET {}").format(
        sql.Identifier(schema), sql.Identifier(table),
        sql.SQL(", ").join(map(sql.Identifier, columns)),
        sql.SQL(", ").join(sql.Placeholder() * len(fields)), sql.SQL(_ANALYSED),
        sql.SQL(_ANALYSED),
        sql.SQL(", ").join(sql.SQL("{0} = EXCLUDED.{0}").format(sql.Identifier(f))
                           for f in columns[1:]))


def update_data(schema: str, table: str, fields: tuple[str, ...]) -> sql.Composed:
    """Rewrite the values of rows whose text did not change (stock, price, visibility)."""
    return sql.SQL("UPDATE {}.{} SET {} WHERE id = %s").format(
        sql.Identifier(schema), sql.Identifier(table),
        sql.SQL(", ").join(sql.SQL("{} = %s").format(sql.Identifier(f)) for f in fields[1:]))


def select_by_ids(schema: str, table: str, fields: tuple[str, ...]) -> sql.Composed:
    return sql.SQL("SELECT {} FROM {}.{} WHERE id = ANY(%s)").format(
        sql.SQL(", ").join(map(sql.Identifier, fields)), sql.Identifier(schema),
        sql.Identifier(table))


def delete_by_ids(schema: str, table: str) -> sql.Composed:
    return sql.SQL("DELETE FROM {}.{} WHERE id = ANY(%s)").format(
        sql.Identifier(schema), sql.Identifier(table))


def listings_of_merchant(schema: str, fields: tuple[str, ...]) -> sql.Composed:
    return sql.SQL("SELECT {} FROM {}.search_listings WHERE merchant_id = %s").format(
        sql.SQL(", ").join(map(sql.Identifier, fields)), sql.Identifier(schema))


def _tsquery(groups: list[tuple[str, ...]]) -> str:
    """Terms are quoted lexemes: a term may hold a quote or a backslash (unaccent turns
    "ŉ" into "'n" and "ʺ" into a double quote), doubled or escaped as tsquery wants."""
    def quoted(term: str) -> str:
        return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"

    return " & ".join("(" + " | ".join(map(quoted, group)) + ")" for group in groups)


POINT = "public.ST_SetSRID(public.ST_MakePoint(%(lon)s, %(lat)s), 4326)::public.geography"


@dataclass(frozen=True)
class Tiers:
    """The statements that rank a search, run in turn until `limit` rows are found: first
    the rows with every query word in their title, then the others (the SQLite order, split so
    that each part can be served in index order and the second is often not needed). With a
    point, distance alone orders a tier: listings are nudged (documents.nudge) so that no two
    are equidistant, and a second key would keep the KNN index from serving the order."""

    tiers: list[str]
    params: dict[str, Any]
    knn_only: bool  # no text: the GiST index alone should serve the distance order


def _ranked(f: SearchFilters, table: str, alias: str, select: str, where: list[str],
            params: dict[str, Any]) -> Tiers:
    order, distance = f"{alias}.id", "NULL::float8"
    if f.near is not None:
        params.update(lat=f.near.point.lat, lon=f.near.point.lon)
        order = f"{alias}.geog OPERATOR(public.<->) {POINT}"
        distance = f"({order}) / 1000.0"
        if f.near.radius_km is not None:
            # The radius as its bounding box (an index condition the planner estimates well)
            # plus the exact sphere distance; ST_DWithin's own estimate misled it into
            # sequential scans.
            params["radius_m"] = f.near.radius_km * 1000
            where = [*where,
                     f"{alias}.geog OPERATOR(public.&&) public._ST_Expand({POINT}, %(radius_m)s)",
                     f"({order}) <= %(radius_m)s"]

    def tier(score: int, condition: str | None) -> str:
        conditions = " AND ".join([*where, *([condition] if condition else [])])
        return (f"SELECT {alias}.id, {score} AS score, {distance} AS distance, {select} "
                f"FROM {table} {alias} WHERE {conditions} ORDER BY {order} LIMIT %(limit)s")

    if not f.terms:
        return Tiers([tier(0, None)], params, knn_only=f.near is not None)
    params["tsquery"] = _tsquery(f.terms)
    in_title = f"{alias}.title_document @@ %(tsquery)s::tsquery"
    return Tiers([tier(1, in_title),
                    tier(0, f"{alias}.document @@ %(tsquery)s::tsquery AND NOT ({in_title})")],
                   params, knn_only=False)


def rank_listings(f: SearchFilters, schema: str) -> Tiers:
    params: dict[str, Any] = {}
    where = ["l.visible", *listing_conditions(f, "l", POSTGRES, params)]
    table = f'"{schema}".search_listings'
    return _ranked(f, table, "l", "l.category, l.origin, l.region", where, params)


def rank_merchants(f: SearchFilters, schema: str) -> Tiers:
    params: dict[str, Any] = {}
    where = ["m.visible", *region_condition(f, "m", POSTGRES, params)]
    if f.categories:  # a merchant has several: any of them
        where.append("m.categories && %(categories)s::text[]")
        params["categories"] = list(f.categories)
    table = f'"{schema}".search_merchants'
    return _ranked(f, table, "m", "m.region, m.categories", where, params)
