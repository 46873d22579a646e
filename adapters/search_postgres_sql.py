"""SQL of the PostgreSQL search read model: French text search with unaccent, PostGIS.

Extensions and text search configurations live in `public` (shared by every schema of the
database); tables live in the configured schema. Documents are analysed by PostgreSQL from
the words the projection stores, with `comptoir_french` / `comptoir_english` (default parser,
unaccent, Snowball stemmer and stop words); positions are stripped, nothing ranks by proximity.

Text is indexed with RUM (the `rum` extension), each document with the row's `id_order`
attached: a text search ordered by id is then read from the index in that order and stops at
the window, where a GIN index gives every match, unordered, to be fetched and sorted. With a
point, GiST indexes on (geog, document) serve the distance order with the words checked in
the index (docs/search.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from psycopg import sql

from adapters.search_filters import POSTGRES, listing_conditions, region_condition
from projections.search.query import SearchFilters

SETUP = """
SELECT pg_advisory_xact_lock(7274001);
CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public;
CREATE EXTENSION IF NOT EXISTS postgis SCHEMA public;
CREATE EXTENSION IF NOT EXISTS rum SCHEMA public;
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
# `id_order`: the id's first 63 bits, a bigint that orders as the id does (ties, which uuid4
# ids make vanishingly rare, are broken by the id itself): RUM can attach it to a document.
_ID_ORDER = ("bigint GENERATED ALWAYS AS ("
             "(('x' || left(replace(id::text, '-', ''), 16))::bit(64) >> 1)::bigint) STORED")
_DOCUMENTS = f"""
  title_document tsvector NOT NULL, document tsvector NOT NULL, id_order {_ID_ORDER},
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
                  "region", "lat", "lon", "photo")
# Each field's column type, for the arrays a batch of rows is sent as (`update_data`).
LISTING_TYPES = {
    "id": "uuid", "merchant_id": "uuid", "price_cents": "integer", "on_hand": "integer",
    "reserved": "integer", "published": "boolean", "merchant_visible": "boolean",
    "lat": "double precision", "lon": "double precision",
    **{f: "text" for f in ("merchant_name", "merchant_slug", "title_fr", "title_en",
                           "description_fr", "description_en", "category", "origin",
                           "municipality", "region", "photo")}}

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
      lon double precision NOT NULL, photo text NOT NULL DEFAULT '', {_DOCUMENTS}""",
}
_RUM = ("rum ({0} public.rum_tsvector_addon_ops, id_order) "
        "WITH (attach = 'id_order', to = '{0}', order_by_attach = on)")
# Searches only ever read visible rows: partial indexes are smaller and never hold the rest.
# The (geog, words) indexes serve searches around a point only: their predicate's `geog IS NOT
# NULL`, always true, is written by those searches alone (NEAR), so that words without a point
# are never planned on them (a GiST index over words has no order to stop in; the planner,
# thinking "ketchup bougie" rare, chose one and read the whole of it: 60 ms).
NEAR = "geog IS NOT NULL"
INDEXES = [
    (f"{table}_{name}", table, using, f"WHERE visible{predicate}")
    for table in ("search_merchants", "search_listings")
    for name, using, predicate in (
        ("document_rum", _RUM.format("document"), ""),
        ("title_document_rum", _RUM.format("title_document"), ""),
        ("geog", "gist (geog)", ""),
        ("geog_document", "gist (geog, document)", f" AND {NEAR}"),
        ("geog_title_document", "gist (geog, title_document)", f" AND {NEAR}"))
] + [("search_listings_merchant_id", "search_listings", "btree (merchant_id)", ""),
     ("search_held_merchant_id", "search_held", "btree (merchant_id)", "")]
# What tables made before RUM lack: their GIN indexes go, `id_order` comes.
_REPLACED = ["search_merchants_document", "search_merchants_title_document",
             "search_listings_document", "search_listings_title_document"]


# Room on each page of listings for changed rows: a stock change then rewrites the row in
# place (a HOT update) and touches no index — RUM and GiST entries cost more to add than GIN's.
# Half a page: a stock feed changes every row of a page in one transaction, and each new
# version must fit beside its old one (at 80, 38 % of a feed's updates were not HOT).
_STORAGE = {"search_listings": " WITH (fillfactor = 50)"}


def create_statements(schema: str, with_indexes: bool = True) -> list[sql.Composed]:
    statements: list[sql.Composed] = [
        sql.SQL("CREATE TABLE IF NOT EXISTS {}.{} ({}){}").format(
            sql.Identifier(schema), sql.Identifier(table), sql.SQL(columns),
            sql.SQL(_STORAGE.get(table, "")))
        for table, columns in TABLES.items()
    ] + [sql.SQL("ALTER TABLE {}.{} ADD COLUMN IF NOT EXISTS id_order {}").format(
        sql.Identifier(schema), sql.Identifier(table), sql.SQL(_ID_ORDER))
        for table in ("search_merchants", "search_listings")
    ] + [  # tables made before version 3: the column at once, filled by that version's rebuild
        sql.SQL("ALTER TABLE {}.search_listings ADD COLUMN IF NOT EXISTS photo text NOT NULL "
                "DEFAULT ''").format(sql.Identifier(schema))
    ] + [sql.SQL("DROP INDEX IF EXISTS {}.{}").format(sql.Identifier(schema),
                                                       sql.Identifier(name))
         for name in _REPLACED]
    return statements + (index_statements(schema) if with_indexes else [])


def index_statements(schema: str) -> list[sql.Composed]:
    return [
        sql.SQL("CREATE INDEX IF NOT EXISTS {} ON {}.{} USING {} {}").format(
            sql.Identifier(name), sql.Identifier(schema), sql.Identifier(table),
            sql.SQL(using), sql.SQL(predicate))
        for name, table, using, predicate in INDEXES
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


def update_data(schema: str, table: str, fields: tuple[str, ...],
                types: dict[str, str]) -> sql.Composed:
    """Rewrite the values of rows whose text did not change (stock, price, visibility): ONE
    statement for the batch, each field's values as an array. A stock feed's 1,000 rows as
    1,000 statements took the search follower 180 ms a feed, 137 ms as one."""
    return sql.SQL("UPDATE {}.{} AS t SET {} FROM unnest({}) AS v ({}) WHERE t.id = v.id").format(
        sql.Identifier(schema), sql.Identifier(table),
        sql.SQL(", ").join(sql.SQL("{0} = v.{0}").format(sql.Identifier(f)) for f in fields[1:]),
        sql.SQL(", ").join(sql.SQL("%b::{}[]").format(sql.SQL(types[f])) for f in fields),
        sql.SQL(", ").join(map(sql.Identifier, fields)))


def select_by_ids(schema: str, table: str, fields: tuple[str, ...]) -> sql.Composed:
    return sql.SQL("SELECT {} FROM {}.{} WHERE id = ANY(%b)").format(
        sql.SQL(", ").join(map(sql.Identifier, fields)), sql.Identifier(schema),
        sql.Identifier(table))


def delete_by_ids(schema: str, table: str) -> sql.Composed:
    return sql.SQL("DELETE FROM {}.{} WHERE id = ANY(%b)").format(
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
    are equidistant, and a second key would keep the KNN index from serving the order.

    The second tier is every match of the whole document (titles included): asked for the
    whole window, it stops in index order, and the rows the first tier found are dropped —
    `AND NOT (title matches)` would be checked, row by row, on every title match first."""

    tiers: list[str]
    params: dict[str, Any]
    knn: bool  # a point: GiST indexes serve the distance order (no bitmap scans)

    def run(self, execute: Callable[[str, dict[str, Any]], list[Any]],
            limit: int) -> list[Any]:
        rows: list[Any] = []
        seen: set[Any] = set()
        for tier in self.tiers:
            if len(rows) >= limit:
                break
            for row in execute(tier, {**self.params, "limit": limit}):
                if row[0] not in seen:
                    seen.add(row[0])
                    rows.append(row)
        return rows[:limit]


def _ranked(f: SearchFilters, table: str, alias: str, select: str, where: list[str],
            params: dict[str, Any]) -> Tiers:
    order, distance = f"{alias}.id", "NULL::float8"
    if f.near is not None:
        params.update(lat=f.near.point.lat, lon=f.near.point.lon)
        order = f"{alias}.geog OPERATOR(public.<->) {POINT}"
        distance = f"({order}) / 1000.0"
        where = [*where, f"{alias}.{NEAR}"]
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
        ranked = (f"SELECT {alias}.id, {score} AS score, {distance} AS distance, {select} "
                  f"FROM {table} {alias} WHERE {conditions}")
        if condition is None or f.near is not None:
            return f"{ranked} ORDER BY {order} LIMIT %(limit)s"
        # Words without a point: the RUM index returns matches in `id_order`, then the few
        # rows that share the last one's (ties) are put in id order.
        return (f"SELECT * FROM ({ranked} ORDER BY {alias}.id_order OPERATOR(public.|=>) "
                f"(-1)::bigint FETCH FIRST (%(limit)s) ROWS WITH TIES) ranked "
                f"ORDER BY id LIMIT %(limit)s")

    knn = f.near is not None
    if not f.terms:
        return Tiers([tier(0, None)], params, knn)
    params["tsquery"] = _tsquery(f.terms)
    return Tiers([tier(1, f"{alias}.title_document @@ %(tsquery)s::tsquery"),
                  tier(0, f"{alias}.document @@ %(tsquery)s::tsquery")], params, knn)


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
