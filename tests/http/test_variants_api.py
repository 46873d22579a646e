"""Variants and SKUs over HTTP, on both backends: a variant sold out while its sibling stays in
stock (search and checkout), SKU uniqueness per merchant, other merchants' listings, hostile
input."""

from __future__ import annotations

from typing import Any

from tests.support import Api, Shop

FRESH = {"Prefer": "read-your-writes"}


def honey(api: Api, merchant_id: str, owner: dict[str, str], prefix: str = "MIEL",
          ) -> tuple[str, dict[str, str]]:
    """A published honey sold in 250 g (2 on hand) and 500 g (5 on hand)."""
    listing_id = api.listing(merchant_id, owner, title_fr="Miel de trèfle",
                             category="alimentation", price_cents=899)
    variants = {}
    for sku, label, cents, stock in ((f"{prefix}-250", "250 g", 599, 2),
                                     (f"{prefix}-500", "500 g", 999, 5)):
        response = api.client.post(f"/v1/listings/{listing_id}/variants", headers=owner,
                                   json={"sku": sku, "label": label, "price_cents": cents})
        assert response.status_code == 201, response.text
        variant_id = response.headers["location"].rsplit("/", 1)[1]
        assert api.client.put(f"/v1/listings/{listing_id}/variants/{variant_id}/stock",
                              headers=owner, json={"on_hand": stock}).status_code == 200
        variants[label] = variant_id
    assert api.client.post(f"/v1/listings/{listing_id}/publication",
                           headers=owner).status_code == 200
    return listing_id, variants


def search_hit(api: Api, **params: Any) -> list[tuple[str, int, bool, int]]:
    body = api.client.get("/v1/search/listings", params={"q": "miel", **params},
                          headers=FRESH).json()
    return [(h["title_fr"], h["available"], h["in_stock"], h["price"]["cents"])
            for h in body["items"]]


def test_a_variant_sold_out_while_its_sibling_stays_in_stock_in_search_and_checkout(
        api: Api) -> None:
    shop = Shop(api)
    merchant_id, owner = shop.merchant()
    listing_id, variants = honey(api, merchant_id, owner)
    listing = api.client.get(f"/v1/listings/{listing_id}", headers=owner).json()
    assert (listing["price"]["cents"], listing["stock"]) == (
        599, {"available": 7, "on_hand": 7, "reserved": 0})
    assert [(v["label"], v["sku"], v["stock"]["available"]) for v in listing["variants"]] == [
        ("250 g", "MIEL-250", 2), ("500 g", "MIEL-500", 5)]
    public = api.client.get(f"/v1/listings/{listing_id}").json()["variants"]
    assert [(v["sku"], v["stock"]["on_hand"]) for v in public] == [(None, None)] * 2

    # A shopper buys both 250 g pots and a 500 g one: the 250 g is sold out, the 500 g not.
    cart_id = api.client.post("/v1/carts", headers=shop.consumer).json()["id"]
    for label, quantity in (("250 g", 2), ("500 g", 1)):
        response = api.client.put(f"/v1/carts/{cart_id}/lines/{listing_id}",
                                  headers=shop.consumer,
                                  json={"quantity": quantity, "variant_id": variants[label]})
        assert response.status_code == 200, response.text
    order = shop.check_out(cart_id)
    assert order.status_code == 201, order.text
    lines = order.json()["merchant_orders"][0]["lines"]
    assert [(line["title"], line["variant_id"], line["unit_price"]["cents"], line["quantity"])
            for line in lines] == [
        ("Miel de trèfle — 250 g", variants["250 g"], 599, 2),
        ("Miel de trèfle — 500 g", variants["500 g"], 999, 1)]
    assert order.json()["merchant_orders"][0]["subtotal"]["cents"] == 2 * 599 + 999

    # In search the listing stays in stock (its 500 g is), filtered in by in_stock.
    assert search_hit(api, in_stock=True) == [("Miel de trèfle", 4, True, 599)]

    # At checkout the sold-out variant is a 409 naming it; its sibling still sells.
    cart_id = api.client.post("/v1/carts", headers=shop.consumer).json()["id"]
    for label in ("250 g", "500 g"):
        api.client.put(f"/v1/carts/{cart_id}/lines/{listing_id}", headers=shop.consumer,
                       json={"quantity": 1, "variant_id": variants[label]})
    cart = api.client.get(f"/v1/carts/{cart_id}", headers=shop.consumer).json()
    assert [(line["title"], line["available"], line["problems"])
            for line in cart["merchants"][0]["lines"]] == [
        ("Miel de trèfle — 250 g", 0, ["insufficient_stock"]),
        ("Miel de trèfle — 500 g", 4, [])]
    before = api.log_length()
    refused = shop.check_out(cart_id)
    assert refused.status_code == 409
    assert refused.json()["detail"] == ("Stock insuffisant pour « Miel de trèfle — 250 g » : "
                                        "0 disponible(s), 1 demandé(s).")
    assert api.log_length() == before
    api.client.delete(f"/v1/carts/{cart_id}/lines/{listing_id}", headers=shop.consumer,
                      params={"variant_id": variants["250 g"]})
    assert shop.check_out(cart_id).status_code == 201

    # The 500 g sold out too: out of stock in search.
    cart_id = shop.cart({})
    api.client.put(f"/v1/carts/{cart_id}/lines/{listing_id}", headers=shop.consumer,
                   json={"quantity": 3, "variant_id": variants["500 g"]})
    assert shop.check_out(cart_id).status_code == 201
    assert search_hit(api) == [("Miel de trèfle", 0, False, 599)]
    assert search_hit(api, in_stock=True) == []


def test_a_listing_with_variants_is_bought_by_variant_only(api: Api) -> None:
    shop = Shop(api)
    merchant_id, owner = shop.merchant()
    listing_id, _ = honey(api, merchant_id, owner)
    cart_id = shop.cart({})
    response = api.client.put(f"/v1/carts/{cart_id}/lines/{listing_id}", headers=shop.consumer,
                              json={"quantity": 1})
    assert response.status_code == 422
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [
        ("variant_id", "variant_required")]
    stock = api.client.put(f"/v1/listings/{listing_id}/stock", headers=owner, json={"on_hand": 1})
    assert (stock.status_code, stock.json()["errors"][0]["code"]) == (422, "variant_required")


def test_a_sku_is_unique_per_merchant_and_another_merchant_may_reuse_it(api: Api) -> None:
    merchant_id, owner = api.approved_merchant()
    listing_id, _ = honey(api, merchant_id, owner)
    for path, body in ((f"/v1/merchants/{merchant_id}/listings",
                        {"title_fr": "Autre", "description_fr": "x", "category": "alimentation",
                         "price_cents": 100, "tax_class": "zero_rated", "sku": "MIEL-500"}),
                       (f"/v1/listings/{listing_id}/variants",
                        {"sku": "MIEL-250", "label": "1 kg", "price_cents": 1500})):
        before = api.log_length()
        response = api.client.post(path, headers=owner, json=body)
        assert response.status_code == 422, response.text
        assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [
            ("sku", "sku_taken")]
        assert response.json()["errors"][0]["detail"] == (
            "Le SKU « " + body["sku"] + " » désigne déjà un autre de vos produits.")
        assert api.log_length() == before
    other_id, other = api.approved_merchant()
    honey(api, other_id, other)  # the same SKUs, another merchant: fine


def test_another_merchants_listing_variants_and_skus_are_not_found(api: Api) -> None:
    merchant_id, owner = api.approved_merchant()
    listing_id, variants = honey(api, merchant_id, owner)
    other_id, other = api.approved_merchant()
    variant = variants["250 g"]
    before = api.log_length()
    for method, path, body in (
            ("POST", f"/v1/listings/{listing_id}/variants",
             {"sku": "X", "label": "1 kg", "price_cents": 1}),
            ("PATCH", f"/v1/listings/{listing_id}/variants/{variant}", {"price_cents": 1}),
            ("PUT", f"/v1/listings/{listing_id}/variants/{variant}/stock", {"on_hand": 0}),
            ("POST", f"/v1/merchants/{merchant_id}/stock-feed",
             [{"sku": "MIEL-250", "on_hand": 0}])):
        response = api.client.request(method, path, headers=other, json=body)
        assert response.status_code == 404, (path, response.text)
    # its own feed naming the other's SKU: unknown, nothing changes
    fed = api.client.post(f"/v1/merchants/{other_id}/stock-feed", headers=other,
                          json=[{"sku": "MIEL-250", "on_hand": 0}])
    assert fed.json() == {"updated": 0, "unchanged": 0, "unknown_skus": ["MIEL-250"],
                          "rejected": []}
    assert api.log_length() == before
    missing = api.client.put(f"/v1/listings/{listing_id}/variants/{listing_id}/stock",
                             headers=owner, json={"on_hand": 1})
    assert (missing.status_code, missing.json()["detail"]) == (
        404, "Ressource introuvable : variant.")


def test_hostile_skus_and_stock_figures_are_refused_as_problems(api: Api) -> None:
    merchant_id, owner = api.approved_merchant()
    listing_id, _ = honey(api, merchant_id, owner)
    feed = f"/v1/merchants/{merchant_id}/stock-feed"
    before = api.log_length()
    for body, field, code in (
            ([{"sku": "MIEL\x00-250", "on_hand": 1}], "0.sku", "text_control_characters"),
            ([{"sku": "MIEL\t250", "on_hand": 1}], "0.sku", "sku_invalid"),
            ([{"sku": "MIEL-250", "on_hand": 1}, {"sku": "MIEL-500", "on_hand": -1}],
             "1.on_hand", "greater_than_equal"),
            ([{"sku": "MIEL-250", "on_hand": 10**30}], "0.on_hand", "less_than_equal"),
            ([{"sku": "MIEL-250", "on_hand": "12"}], "0.on_hand", "int_type"),
            ([{"sku": "x" * 65, "on_hand": 1}], "0.sku", "sku_invalid"),
            ([{"sku": "MIEL-250", "on_hand": 1}] * 1001, "body", "too_long")):
        response = api.client.post(feed, headers=owner, json=body)
        assert response.status_code == 422, (field, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert (response.json()["errors"][0]["field"], response.json()["errors"][0]["code"]) == (
            field, code)
    csv_bad = api.client.post(feed, headers={**owner, "Content-Type": "text/csv"},
                              content="sku,on_hand\nMIEL-250,-3\n")
    assert csv_bad.status_code == 422
    variant = api.client.post(f"/v1/listings/{listing_id}/variants", headers=owner,
                              json={"sku": "A\x01B", "label": "1 kg", "price_cents": 1})
    assert variant.status_code == 422
    assert api.log_length() == before
    english = api.client.post(feed, headers={**owner, "Accept-Language": "en"},
                              json=[{"sku": "MIEL\t250", "on_hand": 1}])
    assert english.json()["errors"][0]["detail"].startswith("Invalid SKU")


def test_where_adding_a_variant_points_answers_with_that_variant(api: Api) -> None:
    merchant_id, owner = api.approved_merchant()
    listing_id = api.listing(merchant_id, owner, title_fr="Sirop d'érable", price_cents=1_299)
    added = api.client.post(f"/v1/listings/{listing_id}/variants", headers=owner,
                            json={"sku": "SIROP-540", "label": "540 ml", "price_cents": 1_499})
    assert added.status_code == 201, added.text
    location = added.headers["location"]
    mine = api.client.get(location, headers=owner)
    assert mine.status_code == 200, mine.text
    assert {k: mine.json()[k] for k in ("sku", "label", "price", "stock")} == {
        "sku": "SIROP-540", "label": "540 ml",
        "price": {"cents": 1_499, "currency": "CAD"},
        "stock": {"available": 0, "on_hand": 0, "reserved": 0}}
    # A draft is its merchant's alone; once published, a shopper sees neither SKU nor levels.
    assert api.client.get(location).status_code == 404
    assert api.client.post(f"/v1/listings/{listing_id}/publication",
                           headers=owner).status_code == 200
    public = api.client.get(location).json()
    assert (public["sku"], public["stock"]) == (
        None, {"available": 0, "on_hand": None, "reserved": None})
    unknown = api.client.get(f"/v1/listings/{listing_id}/variants/{merchant_id}")
    assert (unknown.status_code, unknown.json()["detail"]) == (
        404, "Ressource introuvable : variant.")
