"""Every Québec place and postal area we can put on a map, offline.

The data (domain/data/quebec_places.tsv, built by tools/build_places.py from GeoNames, CC BY
4.0; see docs/places.md) is read once, on first use. Three kinds of rows:
- places: municipalities, former municipalities and villages, each with its region and centre;
- forward sortation areas (the first three characters of a postal code), each with a centre;
- rural post offices' own postal codes ("G0C 2L0": Percé), each with its community's centre.

Names match the way people write them: accents or not, hyphens or spaces, case, "St-"/"Ste-"
for "Saint-"/"Sainte-", a leading article or not ("Îles-de-la-Madeleine").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources

from domain.address import PostalCode
from domain.errors import InvalidValueError
from domain.geo import GeoPoint
from domain.quebec import REGIONS, Municipality

_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss"})
_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes",
                  "mt": "mont"}
_ARTICLES = ("les ", "la ", "le ", "l ")
_FSA = re.compile(r"^[A-Z][0-9][A-Z]$")
FAR_KM = 150.0  # a place this far from the address's postal code is another place


def fold_place_name(text: str) -> str:
    """The form two spellings of one name share: "St-Jean-sur-Richelieu", "saint jean sur
    richelieu" and "SAINT-JEAN-SUR-RICHELIEU" all fold to "saint jean sur richelieu"."""
    decomposed = unicodedata.normalize("NFKD", str(text).translate(_LIGATURES))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    words = re.sub(r"[^0-9a-z]+", " ", plain).split()
    return " ".join(_ABBREVIATIONS.get(word, word) for word in words)


@dataclass(frozen=True)
class _Gazetteer:
    places: dict[str, tuple[Municipality, ...]]  # folded name -> places of that name
    fsas: dict[str, GeoPoint]
    offices: dict[str, GeoPoint]  # rural post office postal code -> its community's centre


@cache
def _gazetteer() -> _Gazetteer:
    places: dict[str, list[Municipality]] = {}
    fsas: dict[str, GeoPoint] = {}
    offices: dict[str, GeoPoint] = {}
    text = resources.files("domain").joinpath("data", "quebec_places.tsv").read_text("utf-8")
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        kind, *values = line.split("\t")
        if kind == "M":
            name, region, lat, lon, _ = values
            town = Municipality(name, region, float(lat), float(lon))
            places.setdefault(fold_place_name(name), []).append(town)
        else:
            key, lat, lon = values
            (fsas if kind == "F" else offices)[key] = GeoPoint(float(lat), float(lon))
    return _Gazetteer({k: tuple(v) for k, v in places.items()}, fsas, offices)


def places_named(name: str) -> tuple[Municipality, ...]:
    """Every place of that name; if none, every place of that name with or without its
    leading article ("Îles-de-la-Madeleine" finds "Les Îles-de-la-Madeleine")."""
    places = _gazetteer().places
    key = fold_place_name(name)
    if found := places.get(key):
        return found
    bare = next((key[len(a):] for a in _ARTICLES if key.startswith(a)), key)
    return places.get(bare) or tuple(
        p for a in _ARTICLES for p in places.get(a + bare, ()))


def find_municipality(name: str, region: str, near: GeoPoint | None = None
                      ) -> Municipality | None:
    """The place an address names: the one of that name in that region; failing that (our
    regions come from GeoNames, and a few are stale or inferred, see docs/places.md), the one
    place of that name not farther than FAR_KM from `near` (where the address's postal code
    is). Several left: the nearest to `near`, or None without it."""
    found = places_named(name)
    in_region = [p for p in found if p.region == region]
    candidates = in_region or [p for p in found if near is None or _km(p, near) <= FAR_KM]
    if len(candidates) == 1:
        return candidates[0]
    return min(candidates, key=lambda p: _km(p, near)) if candidates and near else None


def _km(place: Municipality, point: GeoPoint) -> float:
    return GeoPoint(place.lat, place.lon).distance_km(point)


def resolve_place(name: str, region: str | None = None) -> Municipality:
    """The place a person means by `name`, helped by `region` when the name is shared.

    A name of one place is that place, whatever the region (a shopper of one region may
    search near a town of another); a shared name needs the region of one of them."""
    found = places_named(name)
    if len(found) > 1 and region is not None:
        in_region = [p for p in found if p.region == region]
        found = tuple(in_region) if in_region else found
    if not found:
        raise InvalidValueError("place_unknown", name=name)
    if len(found) > 1:
        raise InvalidValueError("place_ambiguous", name=name, candidates=", ".join(
            f"{p.name} ({REGIONS[p.region]})" for p in found))
    return found[0]


def fsa_centre(fsa: str) -> GeoPoint | None:
    return _gazetteer().fsas.get(fsa.strip().upper())


def postal_point(code: PostalCode) -> GeoPoint | None:
    """Where a postal code is, as closely as the data says without naming a street: a rural
    post office's code is its community's centre; any other code, its FSA's centre."""
    data = _gazetteer()
    return data.offices.get(code.value) or data.fsas.get(code.forward_sortation_area)


def locate_address(municipality: str, region: str, postal_code: PostalCode | str | None
                   ) -> GeoPoint | None:
    """A default point for an address without coordinates: its municipality's centre when we
    know the municipality, else where its postal code is, else None."""
    if isinstance(postal_code, str):
        try:
            postal_code = PostalCode.parse(postal_code)
        except InvalidValueError:
            postal_code = None
    near = postal_point(postal_code) if postal_code else None
    if town := find_municipality(municipality, region, near):
        return GeoPoint(town.lat, town.lon)
    return near


def parse_near(text: str, region: str | None = None) -> GeoPoint:
    """A search's "near": a postal code (whole or its first three characters) or a place."""
    compact = re.sub(r"[\s-]+", "", text).upper()
    if _FSA.match(compact):
        if compact[0] not in "GHJ":
            raise InvalidValueError("postal_code_not_quebec")
        if (centre := fsa_centre(compact)) is None:
            raise InvalidValueError("place_unknown", name=text.strip())
        return centre
    if len(compact) == 6 and _FSA.match(compact[:3]) and compact[3:].isalnum():
        code = PostalCode.parse(compact)
        if not code.is_in_quebec():
            raise InvalidValueError("postal_code_not_quebec")
        if (point := postal_point(code)) is None:
            raise InvalidValueError("place_unknown", name=text.strip())
        return point
    town = resolve_place(text, region)
    return GeoPoint(town.lat, town.lon)
