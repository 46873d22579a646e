"""SQL of the SQLite search read model: schema and ranking queries."""

from __future__ import annotations

import math
import re
from typing import Any

from adapters.search_filters import SQLITE, listing_conditions, region_condition
from adapters.search_held import INDEX as HELD_INDEX
from adapters.search_held import SCHEMA as HELD_SCHEMA
from domain.geo import EARTH_RADIUS_KM
from projections.search.query import SearchFilters

MERCHANT_COLUMNS = ("id", "slug", "name", "description_fr", "description_en", "categories",
                    "municipality", "region", "lat", "lon", "visible")
LISTING_COLUMNS = ("id", "merchant_id", "merchant_name", "merchant_slug", "title_fr", "title_en",
                   "description_fr", "description_en", "category", "origin", "price_cents",
                   "on_hand", "reserved", "published", "merchant_visible", "municipality",
                   "region", "lat", "lon", "photo")
MERCHANT_FIELDS = (*MERCHANT_COLUMNS, "title_terms")
LISTING_FIELDS = (*LISTING_COLUMNS, "visible", "title_terms")
TABLES = ("merchants", "merchants_fts", "merchants_geo", "listings", "listings_fts",
          "listings_geo", "search_held")


def _columns(names: tuple[str, ...]) -> str:
    return ", ".join("id TEXT UNIQUE NOT NULL" if n == "id" else n for n in names)


SCHEMA = [
    HELD_SCHEMA.format(p=""), HELD_INDEX.format(p=""),
    f"CREATE TABLE IF NOT EXISTS merchants (rowid INTEGER PRIMARY KEY, "
    f"{_columns(MERCHANT_FIELDS)})",
    "CREATE VIRTUAL TABLE IF NOT EXISTS merchants_fts USING fts5("
    "terms, tokenize = 'unicode61 remove_diacritics 2', detail = none)",
    "CREATE VIRTUAL TABLE IF NOT EXISTS merchants_geo USING rtree("
    "id, min_lat, max_lat, min_lon, max_lon)",
    f"CREATE TABLE IF NOT EXISTS listings (rowid INTEGER PRIMARY KEY, "
    f"{_columns(LISTING_FIELDS)})",
    "CREATE INDEX IF NOT EXISTS listings_by_merchant ON listings (merchant_id)",
    "CREATE VIRTUAL TABLE IF NOT EXISTS listings_fts USING fts5("
    "terms, tokenize = 'unicode61 remove_diacritics 2', detail = none)",
    "CREATE VIRTUAL TABLE IF NOT EXISTS listings_geo USING rtree("
    "id, min_lat, max_lat, min_lon, max_lon)",
]

# Great-circle distance (haversine) in km from :lat/:lon, with PostGIS's sphere radius.
DISTANCE = (
    f"(2 * {EARTH_RADIUS_KM} * asin(sqrt(pow(sin(radians({{t}}.lat - :lat) / 2), 2) "
    f"+ cos(radians(:lat)) * cos(radians({{t}}.lat)) "
    f"* pow(sin(radians({{t}}.lon - :lon) / 2), 2))))"
)
KM_PER_DEGREE = EARTH_RADIUS_KM * math.pi / 180


_FTS_TOKEN = re.compile(r"[^\W_]+")


def _fts_term(term: str) -> str | None:
    """A term as FTS5 matches it. unaccent makes a few letters into punctuation ("ŉ" is
    "'n", "ʺ" a double quote), which FTS5's tokenizer split when indexing: the term is then
    its tokens, all required (a phrase needs detail=full, which the index does not keep)."""
    tokens = _FTS_TOKEN.findall(term)
    return " AND ".join(f'"{token}"' for token in tokens) if tokens else None


def _text(f: SearchFilters, table: str, alias: str, params: dict[str, Any]) -> tuple[
        list[str], str]:
    """FTS5 condition (every word, any of its terms) and the score: every word in the title."""
    if not f.terms:
        return [], "0"
    groups, in_title = [], []
    for i, alternatives in enumerate(f.terms):
        matches = [m for m in map(_fts_term, alternatives) if m]
        if not matches:
            return ["0"], "0"
        groups.append("(" + " OR ".join(matches) + ")")
        hits = []
        for j, term in enumerate(alternatives):
            params[f"t{i}_{j}"] = f" {term} "
            hits.append(f"instr({alias}.title_terms, :t{i}_{j}) > 0")
        in_title.append("(" + " OR ".join(hits) + ")")
    params["match"] = " AND ".join(groups)
    condition = f"{alias}.rowid IN (SELECT rowid FROM {table}_fts WHERE {table}_fts MATCH :match)"
    return [condition], "(" + " AND ".join(in_title) + ")"


def _near(f: SearchFilters, table: str, alias: str, params: dict[str, Any]) -> tuple[
        list[str], str]:
    if f.near is None:
        return [], "NULL"
    point = f.near.point
    params.update(lat=point.lat, lon=point.lon)
    distance = DISTANCE.format(t=alias)
    if f.near.radius_km is None:
        return [], distance
    dlat = f.near.radius_km / KM_PER_DEGREE
    widest = min(89.9, abs(point.lat) + dlat)
    dlon = min(180.0, f.near.radius_km / (KM_PER_DEGREE * math.cos(math.radians(widest))))
    params.update(south=point.lat - dlat, north=point.lat + dlat, west=point.lon - dlon,
                  east=point.lon + dlon, radius=f.near.radius_km)
    box = (f"{alias}.rowid IN (SELECT id FROM {table}_geo WHERE max_lat >= :south AND "
           f"min_lat <= :north AND max_lon >= :west AND min_lon <= :east)")
    return [box, f"{distance} <= :radius"], distance


def _ranked(select: str, table: str, where: list[str], score: str, distance: str,
            alias: str, limit: int, params: dict[str, Any]) -> str:
    params["limit"] = limit
    return (f"SELECT {alias}.id, {score} AS score, {distance} AS distance, {select} "
            f"FROM {table} {alias} "
            f"WHERE {' AND '.join(where)} "
            f"ORDER BY score DESC, distance ASC, {alias}.id ASC LIMIT :limit")


def rank_listings(f: SearchFilters, limit: int) -> tuple[str, dict[str, Any]]:
    params: dict[str, Any] = {}
    text, score = _text(f, "listings", "l", params)
    near, distance = _near(f, "listings", "l", params)
    where = ["l.visible = 1", *text, *near, *listing_conditions(f, "l", SQLITE, params)]
    select = "l.category, l.origin, l.region"
    return _ranked(select, "listings", where, score, distance, "l", limit, params), params


def rank_merchants(f: SearchFilters, limit: int) -> tuple[str, dict[str, Any]]:
    params: dict[str, Any] = {}
    text, score = _text(f, "merchants", "m", params)
    near, distance = _near(f, "merchants", "m", params)
    where = ["m.visible = 1", *text, *near, *region_condition(f, "m", SQLITE, params)]
    if f.categories:  # a merchant has several: any of them
        for i, category in enumerate(f.categories):
            params[f"category{i}"] = f" {category} "
        where.append("(" + " OR ".join(f"instr(m.categories, :category{i}) > 0"
                                       for i in range(len(f.categories))) + ")")
    select = "m.region, m.categories"
    return _ranked(select, "merchants", where, score, distance, "m", limit, params), params
