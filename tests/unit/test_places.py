"""Every Québec place and postal area on the map, offline (domain/places.py, docs/places.md).

The expected centres below were written from general knowledge of where each town's centre
is (its village core or town hall), before looking at what the data gives; they are not read
from the data. Tolerances are 5 km unless a case says why it is wider.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import uuid4

import pytest

from domain.address import PostalCode
from domain.errors import InvalidValueError, ValidationFailedError
from domain.geo import GeoPoint
from domain.merchant_profile import ApplicationForm
from domain.places import (
    find_municipality,
    fold_place_name,
    fsa_centre,
    locate_address,
    parse_near,
    places_named,
    postal_point,
    resolve_place,
)
from domain.quebec import MUNICIPALITIES
from projections.search.query import check_filters


@dataclass(frozen=True)
class Town:
    name: str
    region: str
    lat: float
    lon: float
    post_office: str  # the town's own rural post office code, or its urban FSA
    tolerance_km: float = 5.0


# None of these is in domain/quebec.py's 85-town table.
TOWNS = [
    # GeoNames places Percé at the centroid of its 432 km² territory, 7 km inland: the data
    # takes the village's own point (tools/build_places.py VILLAGE_CENTRES).
    Town("Percé", "11", 48.5236, -64.2133, "G0C 2L0"),
    Town("Cap-Chat", "11", 49.1000, -66.6830, "G0J 1E0"),
    Town("Murdochville", "11", 48.9580, -65.5000, "G0E 1W0"),
    Town("Cap-aux-Meules", "11", 47.3830, -61.8580, "G4T"),  # Îles-de-la-Madeleine
    Town("Kamouraska", "01", 47.5667, -69.8667, "G0L 1M0"),
    Town("Notre-Dame-du-Portage", "01", 47.7670, -69.6170, "G0L 1Y0"),
    Town("Fermont", "09", 52.7830, -67.0830, "G0G 1J0"),
    Town("Port-Cartier", "09", 50.0330, -66.8670, "G5B"),
    Town("Tadoussac", "09", 48.1460, -69.7170, "G0T 2A0"),
    # Canada Post's community point for Natashquan (no cities500 row) is 6 km off.
    Town("Natashquan", "09", 50.1870, -61.8200, "G0G 2E0"),
    Town("Témiscaming", "08", 46.7210, -79.0980, "J0Z 3R0"),
    Town("Senneterre", "08", 48.3830, -77.2330, "J0Y 2M0"),
    Town("Malartic", "08", 48.1330, -78.1330, "J0Y 1Z0"),
    Town("Kuujjuaq", "10", 58.1000, -68.4000, "J0M 1C0"),
    Town("Chisasibi", "10", 53.7830, -78.9000, "J0M 1E0"),
    Town("Sutton", "16", 45.1050, -72.6160, "J0E 2K0"),  # Estrie in GeoNames: see below
    Town("Stanstead", "05", 45.0170, -72.1000, "J0B 3E0"),
    Town("Mont-Laurier", "15", 46.5500, -75.5000, "J9L"),
    Town("L'Islet", "12", 47.1000, -70.3500, "G0R 2C0"),
    Town("Lac-Etchemin", "12", 46.4000, -70.5000, "G0R 1S0"),
    Town("Saint-Tite", "04", 46.7330, -72.5670, "G0X 3H0"),
    Town("Saint-Michel-des-Saints", "14", 46.6830, -73.9170, "J0K 3B0"),
    Town("Daveluyville", "17", 46.2000, -72.1330, "G0Z 1C0"),
    Town("Frelighsburg", "16", 45.0500, -72.8330, "J0J 1C0"),
    # No cities500 row; Canada Post's community point is 5.4 km from the village.
    Town("L'Anse-Saint-Jean", "02", 48.2330, -70.2000, "G0V 1J0"),
]


def km(point: GeoPoint, town: Town) -> float:
    return point.distance_km(GeoPoint(town.lat, town.lon))


@pytest.mark.parametrize("town", TOWNS, ids=[t.name for t in TOWNS])
def test_a_municipality_beyond_the_old_table_is_found_near_its_centre(town: Town) -> None:
    place = resolve_place(town.name)
    assert km(GeoPoint(place.lat, place.lon), town) <= town.tolerance_km


@pytest.mark.parametrize("town", TOWNS, ids=[t.name for t in TOWNS])
def test_its_postal_code_alone_is_placed_near_it(town: Town) -> None:
    assert km(parse_near(town.post_office), town) <= town.tolerance_km


def test_an_urban_fsa_of_a_small_town_is_the_town() -> None:
    assert fsa_centre("J9L") == parse_near("j9l") == parse_near("J9L 1A1")  # no office code


def test_a_rural_fsa_is_large_and_its_centre_is_far_from_most_of_its_towns() -> None:
    # G0C runs 250 km along the Baie des Chaleurs and around to Percé: its centre says little,
    # which is why a rural post office's own code counts (G0C 2L0 is Percé).
    percé = TOWNS[0]
    centre = fsa_centre("G0C")
    assert centre is not None and km(centre, percé) > 50
    assert km(postal_point(PostalCode.parse("G0C 2L0")), percé) <= percé.tolerance_km  # type: ignore[arg-type]


def test_two_places_the_data_only_knows_roughly_are_still_found() -> None:
    # GeoNames gives these communities a point shared with a dozen others (a county's
    # centre, it seems): marked A in the data file, within ~35 km.
    assert km(parse_near("North Hatley"), Town("North Hatley", "05", 45.276, -71.970, "")) < 20
    assert km(parse_near("Gracefield"), Town("Gracefield", "07", 46.093, -76.050, "")) < 40


@pytest.mark.parametrize("typed", ["Percé", "Perce", "PERCÉ", "percé ", "Perce\u0301"])
def test_accents_and_case_do_not_matter(typed: str) -> None:
    assert resolve_place(typed) == resolve_place("Percé")


@pytest.mark.parametrize(("typed", "official"), [
    ("mont laurier", "Mont-Laurier"), ("MONT-LAURIER", "Mont-Laurier"),
    ("St-Jean-sur-Richelieu", "Saint-Jean-sur-Richelieu"),
    ("st jean sur richelieu", "Saint-Jean-sur-Richelieu"),
    ("St. Jean sur Richelieu", "Saint-Jean-sur-Richelieu"),
    ("Ste-Anne-des-Monts", "Sainte-Anne-des-Monts"),
    ("L’Islet", "L'Islet"), ("l islet", "L'Islet"), ("Islet", "L'Islet"),
    ("Îles-de-la-Madeleine", "Les Îles-de-la-Madeleine"),
    ("Sacre-Coeur", "Sacré-Cœur"),
])
def test_names_match_as_people_write_them(typed: str, official: str) -> None:
    assert resolve_place(typed) == resolve_place(official)


def test_folding_is_one_form_for_every_spelling() -> None:
    assert fold_place_name("St-Jean-sur-Richelieu") == "saint jean sur richelieu"
    assert fold_place_name("SAINTE-ANNE-DES-MONTS") == fold_place_name("Ste Anne des Monts")
    assert fold_place_name("Sacré-Cœur") == "sacre coeur"


def test_a_name_of_two_places_needs_the_region() -> None:
    # Saint-Donat in La Mitis (Bas-Saint-Laurent) and in Matawinie (Lanaudière).
    with pytest.raises(InvalidValueError) as error:
        resolve_place("Saint-Donat")
    assert error.value.code == "place_ambiguous"
    assert error.value.params["candidates"] == (
        "Saint-Donat (Bas-Saint-Laurent), Saint-Donat (Lanaudière)")
    lanaudiere = resolve_place("St-Donat", "14")
    assert GeoPoint(lanaudiere.lat, lanaudiere.lon).distance_km(GeoPoint(46.319, -74.222)) < 5
    mitis = resolve_place("saint donat", "01")
    assert GeoPoint(mitis.lat, mitis.lon).distance_km(GeoPoint(48.50, -68.25)) < 5


def test_a_unique_name_is_found_whatever_region_is_given() -> None:
    assert resolve_place("Percé", "06") == resolve_place("Percé")


@pytest.mark.parametrize("typed", ["Nulle-Part-sur-Mer", "Ottawa", "G2W"])
def test_an_unknown_place_is_refused(typed: str) -> None:
    with pytest.raises(InvalidValueError) as error:
        parse_near(typed)
    assert error.value.code == "place_unknown"


def test_a_postal_code_outside_quebec_is_refused() -> None:
    with pytest.raises(InvalidValueError) as error:
        parse_near("K1A 0A6")
    assert error.value.code == "postal_code_not_quebec"


def test_the_old_table_keeps_its_exact_centres() -> None:
    for town in MUNICIPALITIES:
        found = find_municipality(town.name, town.region)
        assert found == town, town


def test_every_forward_sortation_area_in_use_has_a_centre_in_quebec() -> None:
    fsas = [f"{a}{d}{b}" for a in "GHJ" for d in "0123456789" for b in "ABCEGHJKLMNPRSTVWXYZ"]
    centres = [c for c in map(fsa_centre, fsas) if c is not None]
    assert len(centres) > 400  # 421 in GeoNames, 2026; Canada Post had 419 in 2021
    assert all(c.is_in_quebec() for c in centres)


def test_an_address_is_placed_at_its_municipality_else_at_its_postal_code() -> None:
    # Montréal is in the table: its centre (an existing test relies on it).
    assert locate_address("Montréal", "06", "H2T 1N6") == GeoPoint(45.5017, -73.5673)
    # GeoNames still files Sutton under Estrie (it joined Montérégie in 2021): the one
    # Sutton within 150 km of the postal code is the one meant.
    sutton = locate_address("Sutton", "16", "J0E 2K0")
    assert sutton is not None and km(sutton, TOWNS[15]) <= 5
    # An unknown municipality: where its postal code is.
    assert locate_address("Hameau inconnu", "15", "J9L 3G5") == fsa_centre("J9L")
    assert locate_address("Hameau inconnu", "06", "G2W 1A1") is None
    assert locate_address("Percé", "11", "not a code") is not None


CONTACT = {"name": "Luc Gagnon", "email": "luc@commerce.example", "phone": None}
SMALL_SUPPLIER = {"small_supplier": True, "gst_number": None, "qst_number": None}
PICKUP = {"pickup": True, "delivery_radius_km": None, "delivery_fee_cents": None,
          "shipping_fee_cents": None}


def test_a_merchant_in_perce_without_coordinates_is_placed_in_perce() -> None:
    form = ApplicationForm(
        name="Poissonnerie du Rocher", legal_name="Poissonnerie du Rocher inc.",
        neq="1165432109",
        address={"street": "150, route 132 Ouest", "municipality": "Perce",
                 "postal_code": "G0C 2L0", "region": "11", "province": "QC"},
        categories=["alimentation"], contact=CONTACT, tax=SMALL_SUPPLIER, fulfilment=PICKUP)
    profile = form.check(uuid4())
    assert km(profile.location, TOWNS[0]) <= TOWNS[0].tolerance_km


def test_a_merchant_nowhere_we_know_still_needs_coordinates() -> None:
    form = ApplicationForm(
        name="Comptoir du Hameau", legal_name="Comptoir du Hameau inc.", neq="1165432109",
        address={"street": "1, rang 3", "municipality": "Hameau inconnu",
                 "postal_code": "G2W 1A1", "region": "03", "province": "QC"},
        categories=["boulangerie"], contact=CONTACT, tax=SMALL_SUPPLIER, fulfilment=PICKUP)
    with pytest.raises(ValidationFailedError) as error:
        form.check(uuid4())
    assert [(e.field, e.code) for e in error.value.errors] == [("location", "location_required")]


def test_search_takes_a_place_or_a_postal_code_instead_of_a_point() -> None:
    filters = check_filters(near="G0C 2L0", radius_km=10)
    assert filters.near is not None and filters.near.radius_km == 10
    assert km(filters.near.point, TOWNS[0]) <= TOWNS[0].tolerance_km
    assert check_filters(near="Saint-Donat", region="14").near is not None
    for params, problems in [
        ({"near": "Percé", "lat": 48.5, "lon": -64.2}, [("near", "near_with_point")]),
        ({"near": "Nulle-Part", "radius_km": 10}, [("near", "place_unknown")]),
        ({"near": "Saint-Donat"}, [("near", "place_ambiguous")]),
    ]:
        with pytest.raises(ValidationFailedError) as error:
            check_filters(**params)  # type: ignore[arg-type]
        assert [(e.field, e.code) for e in error.value.errors] == problems


def test_the_data_names_places_once_per_region() -> None:
    for name in ("Percé", "Mont-Laurier", "Fermont"):
        assert len(places_named(name)) == 1
