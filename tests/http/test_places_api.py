"""Any Québec place over HTTP, on both backends: a merchant placed from its address alone, and
searches near a postal code or a municipality's name (docs/places.md)."""

from __future__ import annotations

from domain.geo import GeoPoint
from tests.support import Api, merchant_body

FRESH = {"Prefer": "read-your-writes"}
PERCE = GeoPoint(48.5236, -64.2133)  # the village (GeoNames: 7 km inland, hence 8 km below)
PERCE_ADDRESS = {"street": "150, route 132 Ouest", "municipality": "Percé",
                 "postal_code": "G0C 2L0", "region": "11"}


def test_a_merchant_in_perce_is_placed_there_and_found_near_its_postal_code(api: Api) -> None:
    # A merchant of Percé applies with its address and no coordinates.
    response = api.client.post("/v1/merchants", json=_body(PERCE_ADDRESS))
    assert response.status_code == 201, response.text
    merchant_id = response.json()["id"]
    where = response.json()["location"]
    assert PERCE.distance_km(GeoPoint(where["lat"], where["lon"])) < 8
    assert api.client.post(f"/v1/merchants/{merchant_id}/approval",
                           headers=api.validator).status_code == 200
    # A shopper searches near the village's postal code, then near its name as typed.
    for near in ("G0C 2L0", "g0c2l0", "Perce", "PERCÉ"):
        found = api.client.get("/v1/search/merchants", params={"near": near, "radius_km": 10},
                               headers=FRESH)
        assert found.status_code == 200, found.text
        assert [(m["id"], m["distance_km"] < 1) for m in found.json()["items"]] == [
            (merchant_id, True)]
    # Nowhere near Mont-Laurier.
    far = api.client.get("/v1/search/merchants", params={"near": "mont laurier",
                                                         "radius_km": 50}, headers=FRESH)
    assert far.json()["items"] == []


def test_a_merchant_nowhere_we_know_still_needs_coordinates(api: Api) -> None:
    address = {"street": "1, rang 3", "municipality": "Hameau inconnu",
               "postal_code": "G2W 1A1", "region": "03"}  # G2W: an FSA not in use
    response = api.client.post("/v1/merchants", json=_body(address))
    assert response.status_code == 422
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [
        ("location", "location_required")]


def test_a_place_of_two_regions_or_of_none_is_a_clear_problem(api: Api) -> None:
    shared = api.client.get("/v1/search/merchants", params={"near": "Saint-Donat"})
    assert shared.status_code == 422
    [error] = shared.json()["errors"]
    assert (error["field"], error["code"]) == ("query.near", "place_ambiguous")
    assert error["detail"] == ("Plusieurs municipalités s'appellent « Saint-Donat » : "
                               "Saint-Donat (Bas-Saint-Laurent), Saint-Donat (Lanaudière). "
                               "Précisez la région.")
    assert api.client.get("/v1/search/merchants", params={
        "near": "Saint-Donat", "region": "14"}).status_code == 200
    unknown = api.client.get("/v1/search/listings", params={"near": "Nulle-Part-sur-Mer"},
                             headers={"Accept-Language": "en"})
    assert unknown.status_code == 422
    assert [(e["field"], e["code"]) for e in unknown.json()["errors"]] == [
        ("query.near", "place_unknown")]


def _body(address: dict[str, str]) -> dict[str, object]:
    return merchant_body(name="Poissonnerie du Rocher", address=address,
                         categories=["alimentation"])
