"""Search over HTTP on both backends: answers, real-time stock, parameter errors."""

from __future__ import annotations

import time

import pytest

from tests.support import Api

FRESH = {"Prefer": "read-your-writes"}


def eventually(check, timeout: float = 10.0):  # noqa: ANN001, ANN201
    """The projection follows asynchronously: poll (without Prefer) until it shows."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.02)


def test_a_published_listing_is_found_in_french_with_its_merchant(api: Api) -> None:
    merchant_id, owner = api.approved_merchant(name="Épicerie Fine Chez Nous")
    api.listing(merchant_id, owner, publish=True, stock=4, title_fr="Cretons maison",
                title_en="Pork spread", category="alimentation")
    response = api.client.get("/v1/search/listings", params={"q": "creton"}, headers=FRESH)
    assert response.status_code == 200
    assert response.headers["preference-applied"] == "read-your-writes"
    body = response.json()
    assert body["total"] == 1
    hit = body["items"][0]
    assert (hit["title_fr"], hit["available"], hit["in_stock"]) == ("Cretons maison", 4, True)
    assert hit["merchant"]["name"] == "Épicerie Fine Chez Nous"
    assert body["facets"]["category"] == [{"value": "alimentation", "count": 1}]
    merchants = api.client.get("/v1/search/merchants", params={"q": "épiceries"},
                               headers=FRESH).json()
    assert [m["name"] for m in merchants["items"]] == ["Épicerie Fine Chez Nous"]


def test_a_stock_change_shows_in_search(api: Api) -> None:
    merchant_id, owner = api.approved_merchant()
    listing_id = api.listing(merchant_id, owner, publish=True, stock=2)
    api.client.put(f"/v1/listings/{listing_id}/stock", headers=owner, json={"on_hand": 0})

    def out_of_stock() -> bool:
        hits = api.client.get("/v1/search/listings", params={"q": "cheddar"}).json()["items"]
        return [h["available"] for h in hits] == [0]

    assert eventually(out_of_stock)
    in_stock = api.client.get("/v1/search/listings", params={"q": "cheddar", "in_stock": True},
                              headers=FRESH).json()
    assert in_stock["total"] == 0


def test_a_suspension_disappears_from_search(api: Api) -> None:
    merchant_id, owner = api.approved_merchant()
    api.listing(merchant_id, owner, publish=True, stock=1)
    assert api.client.get("/v1/search/listings", headers=FRESH).json()["total"] == 1
    response = api.client.post(f"/v1/merchants/{merchant_id}/suspension", headers={
        **api.validator, **FRESH}, json={"reason": "Plaintes répétées"})
    assert response.headers["preference-applied"] == "read-your-writes"
    assert api.client.get("/v1/search/listings").json()["total"] == 0
    assert api.client.get("/v1/search/merchants").json()["total"] == 0


@pytest.mark.parametrize(("params", "fields"), [
    ({"lat": 91, "lon": 0}, ["query.lat"]),
    ({"lat": 45, "lon": -73, "radius_km": 0}, ["query.radius_km"]),
    ({"lat": 45, "lon": -73, "radius_km": 501}, ["query.radius_km"]),
    ({"page_size": 101}, ["query.page_size"]),
    ({"page": 0}, ["query.page"]),
    ({"category": "armes"}, ["query.category"]),
    ({"origin": "mars"}, ["query.origin"]),
    ({"region": "18"}, ["query.region"]),
    ({"lat": 45.5}, ["query.lon"]),
    ({"radius_km": 10}, ["query.radius_km"]),
    ({"min_price_cents": 500, "max_price_cents": 100}, ["query.max_price_cents"]),
    ({"colour": "bleu"}, ["query.colour"]),
])
def test_invalid_parameters_are_field_errors(api: Api, params: dict, fields: list[str]) -> None:
    response = api.client.get("/v1/search/listings", params=params)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in response.json()["errors"]] == fields


def test_letters_that_unaccent_into_quotes_are_searched_not_a_server_error(api: Api) -> None:
    # "ʺ", "ŉ", "ʼ" are letters whose unaccented form holds a quote: the query languages of
    # both backends would choke on them unquoted
    merchant_id, owner = api.approved_merchant()
    api.listing(merchant_id, owner, publish=True, stock=1, title_fr="Poutine ʺmaisonʺ")
    for q in ("ʺ", "aŉb", "maisonʺ", "lʼérable", "ʺmaisonʺ", "x\\y"):
        for kind in ("listings", "merchants"):
            response = api.client.get(f"/v1/search/{kind}", params={"q": q}, headers=FRESH)
            assert response.status_code == 200, (q, response.text)
    found = api.client.get("/v1/search/listings", params={"q": "ʺmaisonʺ"}, headers=FRESH)
    assert [i["title_fr"] for i in found.json()["items"]] == ["Poutine ʺmaisonʺ"]


@pytest.mark.parametrize(("q", "ignored"), [
    ("de la", ["de", "la"]), ("the", ["the"]), ("les", ["les"])])
def test_a_query_of_stop_words_only_finds_nothing_and_says_why(
        api: Api, q: str, ignored: list[str]) -> None:
    merchant_id, owner = api.approved_merchant()
    api.listing(merchant_id, owner, publish=True, stock=1, title_fr="Pain de la veille")
    body = api.client.get("/v1/search/listings", params={"q": q}, headers=FRESH).json()
    assert (body["items"], body["total"], body["ignored_words"]) == ([], 0, ignored)
