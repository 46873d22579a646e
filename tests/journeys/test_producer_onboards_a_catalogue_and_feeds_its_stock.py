"""A honey producer onboards its catalogue from one file, its till feeds the stock by SKU, and
a shopper buys the last 250 g jar while the 500 g stays on sale (real `comptoir serve`)."""

from __future__ import annotations

from tests.journeys.helpers import CHELSEA, RYW, Marketplace

HEADER = ("sku,title_fr,description_fr,category,price_cents,tax_class,origin,on_hand,publish,"
          "variant_label,listing_ref\n")
HONEY = "Miel de trèfle,Miel cru de Chelsea,alimentation"
CATALOGUE = HEADER + (
    f"MIEL-250,{HONEY},699,zero_rated,produced,0,oui,250 g,MIEL\n"
    f"MIEL-500,{HONEY},1199,zero_rated,produced,0,oui,500 g,MIEL\n"
    "CIRE-01,Bougie de cire d'abeille,Coulée à la main,artisanat,1500,taxable,produced,0,oui,,\n")


def test_a_producer_onboards_from_a_file_and_its_till_keeps_the_stock(
        market: Marketplace) -> None:
    # The producer imports its three products from a CSV file.
    shop = market.approved_merchant("Rucher des Collines", CHELSEA, ["alimentation"])
    imported = market.http.post(f"/v1/merchants/{shop.id}/listings/import",
                                headers={**shop.owner, "Content-Type": "text/csv"},
                                content=CATALOGUE.encode())
    assert imported.status_code == 200, imported.text
    assert [(r["sku"], r["outcome"]) for r in imported.json()["rows"]] == [
        ("MIEL-250", "imported"), ("MIEL-500", "imported"), ("CIRE-01", "imported")]

    # Its till sends the stock by SKU, with one SKU the platform does not know.
    fed = market.http.post(f"/v1/merchants/{shop.id}/stock-feed", headers={**shop.owner, **RYW},
                           json=[{"sku": "MIEL-250", "on_hand": 1},
                                 {"sku": "MIEL-500", "on_hand": 6},
                                 {"sku": "CIRE-01", "on_hand": 0},
                                 {"sku": "PROPOLIS", "on_hand": 3}])
    assert fed.json() == {"updated": 2, "unchanged": 1, "unknown_skus": ["PROPOLIS"],
                          "rejected": []}
    [honey] = market.search_listings(q="miel")["items"]
    assert (honey["price"]["cents"], honey["available"], honey["in_stock"]) == (699, 7, True)

    # A shopper buys the last 250 g jar.
    listing = market.http.get(f"/v1/listings/{honey['id']}").json()
    small, large = (v["id"] for v in listing["variants"])
    shopper = market.shopper()
    cart_id = market.cart(shopper, {})
    put = market.http.put(f"/v1/carts/{cart_id}/lines/{honey['id']}", headers=shopper.headers,
                          json={"quantity": 1, "variant_id": small})
    assert put.status_code == 200, put.text
    order = market.check_out(shopper, cart_id, read_your_writes=True)
    assert order.status_code == 201, order.text
    [line] = order.json()["merchant_orders"][0]["lines"]
    assert (line["title"], line["unit_price"]["cents"]) == ("Miel de trèfle — 250 g", 699)

    # The 250 g is sold out, the 500 g still on sale: the honey stays in stock in search.
    variants = market.http.get(f"/v1/listings/{honey['id']}").json()["variants"]
    assert [(v["id"], v["label"], v["stock"]["available"]) for v in variants] == [
        (small, "250 g", 0), (large, "500 g", 6)]
    hit = market.hit(honey["id"], in_stock=True)
    assert hit is not None and hit["available"] == 6
    cart_id = market.cart(shopper, {})
    market.http.put(f"/v1/carts/{cart_id}/lines/{honey['id']}", headers=shopper.headers,
                    json={"quantity": 1, "variant_id": small})
    sold_out = market.check_out(shopper, cart_id)
    assert (sold_out.status_code, sold_out.json()["code"]) == (409, "insufficient_stock")
