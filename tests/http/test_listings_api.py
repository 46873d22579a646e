"""Listing resource over HTTP (TestClient), on both backends."""

from __future__ import annotations

from application.actors import Role
from tests.support import Api


def test_a_merchant_creates_publishes_and_stocks_a_listing(api: Api) -> None:
    merchant_id, owner = api.approved_merchant()
    created = api.client.post(f"/v1/merchants/{merchant_id}/listings", headers=owner, json={
        "title_fr": "Miel de trèfle", "title_en": "Clover honey", "description_fr": "500 g",
        "category": "alimentation", "price_cents": 899, "tax_class": "zero_rated",
        "origin": "produced", "sku": "MIEL-500",
    })
    assert created.status_code == 201
    listing = created.json()
    path = f"/v1/listings/{listing['id']}"
    assert created.headers["location"] == path
    assert (listing["status"], listing["price"], listing["stock"]) == (
        "draft", {"cents": 899, "currency": "CAD"}, {"available": 0, "on_hand": 0, "reserved": 0})

    assert api.client.put(f"{path}/stock", headers=owner, json={"on_hand": 12}).status_code == 200
    adjusted = api.client.post(f"{path}/stock-adjustments", headers=owner,
                               json={"delta": -2, "reason": "sold_in_store"})
    assert adjusted.json()["stock"] == {"available": 10, "on_hand": 10, "reserved": 0}
    assert api.client.post(f"{path}/publication", headers=owner).json()["status"] == "published"

    public = api.client.get(path).json()
    assert public["stock"] == {"available": 10, "on_hand": None, "reserved": None}
    assert public["sku"] is None  # the merchant's internal reference stays internal


def test_patch_changes_only_the_given_fields(api: Api) -> None:
    merchant_id, owner = api.approved_merchant()
    path = f"/v1/listings/{api.listing(merchant_id, owner, title_en='Old cheddar')}"
    revised = api.client.patch(path, headers=owner, json={"price_cents": 1499, "title_en": None})
    assert revised.status_code == 200
    listing = revised.json()
    assert (listing["price"]["cents"], listing["title_en"], listing["title_fr"]) == (
        1499, None, "Cheddar fort")


def test_patch_refuses_to_clear_the_french_title(api: Api) -> None:
    merchant_id, owner = api.approved_merchant()
    path = f"/v1/listings/{api.listing(merchant_id, owner)}"
    before = api.log_length()
    response = api.client.patch(path, headers=owner, json={"title_fr": None})
    assert response.status_code == 422
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [
        ("title_fr", "text_required")]
    assert api.log_length() == before


def test_stock_below_zero_is_refused_with_the_field_named(api: Api) -> None:
    merchant_id, owner = api.approved_merchant()
    path = f"/v1/listings/{api.listing(merchant_id, owner, stock=3)}"
    before = api.log_length()
    response = api.client.post(f"{path}/stock-adjustments", headers=owner,
                               json={"delta": -4, "reason": "lost"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "delta"
    negative = api.client.put(f"{path}/stock", headers=owner, json={"on_hand": -1})
    assert negative.status_code == 422
    assert api.log_length() == before
    assert api.client.get(path, headers=owner).json()["stock"]["on_hand"] == 3


def test_a_retried_stock_adjustment_with_its_key_applies_once(api: Api) -> None:
    merchant_id, owner = api.approved_merchant()
    path = f"/v1/listings/{api.listing(merchant_id, owner, stock=10)}"
    headers = {**owner, "Idempotency-Key": "pos-terminal-7-sale-991"}
    for _ in range(3):
        response = api.client.post(f"{path}/stock-adjustments", headers=headers,
                                   json={"delta": -1, "reason": "sold_in_store"})
        assert response.status_code == 200
    assert api.client.get(path, headers=owner).json()["stock"]["on_hand"] == 9


def test_publishing_before_approval_is_a_409(api: Api) -> None:
    merchant_id = api.apply()
    owner = api.auth(Role.MERCHANT, merchant_id)
    path = f"/v1/listings/{api.listing(merchant_id, owner)}"
    response = api.client.post(f"{path}/publication", headers=owner)
    assert response.status_code == 409
    assert response.json()["code"] == "merchant_not_approved"


def test_unknown_fields_and_wrong_types_are_refused(api: Api) -> None:
    merchant_id, owner = api.approved_merchant()
    response = api.client.post(f"/v1/merchants/{merchant_id}/listings", headers=owner, json={
        "title_fr": "X", "description_fr": "Y", "category": "fromagerie", "price_cents": "12.99",
        "tax_class": "taxable", "colour": "bleu"})
    assert response.status_code == 422
    assert {(e["field"], e["code"]) for e in response.json()["errors"]} == {
        ("price_cents", "int_type"), ("colour", "extra_forbidden")}
