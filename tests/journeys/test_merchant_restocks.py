"""A cheese shop sells, hands the order over, receives a delivery: what shoppers see follows."""

from __future__ import annotations

from tests.journeys.helpers import GATINEAU, RYW, Marketplace


def test_merchant_receives_stock_and_search_shows_it(market: Marketplace) -> None:
    # A Gatineau cheese shop with 5 units of one cheese on hand.
    shop = market.approved_merchant("Fromagerie Le Bon Goût", GATINEAU, ["fromagerie"])
    listing_id = market.listing(shop, "Tomme de la Gatineau", on_hand=5, price_cents=1850,
                                category="fromagerie", description_fr="Pâte demi-ferme, 250 g")
    assert market.hit(listing_id)["available"] == 5

    # A shopper buys 2.
    shopper = market.shopper(name="Louis Cloutier", email="louis.cloutier@courriel.example")
    order = market.buy(shopper, {listing_id: 2})
    assert market.hit(listing_id)["available"] == 3

    # The merchant accepts, then hands the order over.
    part = f"/v1/orders/{order['id']}/merchant-orders/{shop.id}"
    accepted = market.http.post(f"{part}/acceptance", headers=shop.owner)
    assert accepted.status_code == 200, accepted.text
    fulfilled = market.http.post(f"{part}/fulfilment", headers={**shop.owner, **RYW})
    assert fulfilled.status_code == 200, fulfilled.text
    [mine] = fulfilled.json()["merchant_orders"]
    assert mine["status"] == "fulfilled"

    # Stock after the hand-over: 3 on hand, nothing reserved.
    owner_view = market.http.get(f"/v1/listings/{listing_id}", headers=shop.owner).json()
    assert owner_view["stock"] == {"available": 3, "on_hand": 3, "reserved": 0}
    assert market.hit(listing_id)["available"] == 3

    # A delivery of 3 arrives: the merchant adds them.
    adjusted = market.http.post(f"/v1/listings/{listing_id}/stock-adjustments",
                                headers={**shop.owner, **RYW},
                                json={"delta": 3, "reason": "received"})
    assert adjusted.status_code == 200, adjusted.text
    assert adjusted.json()["stock"] == {"available": 6, "on_hand": 6, "reserved": 0}

    # The owner's view and the shoppers' search agree: 6 can be bought.
    owner_view = market.http.get(f"/v1/listings/{listing_id}", headers=shop.owner).json()
    assert owner_view["stock"] == {"available": 6, "on_hand": 6, "reserved": 0}
    public = market.http.get(f"/v1/listings/{listing_id}").json()
    assert public["stock"]["available"] == 6
    hit = market.hit(listing_id, q="tomme")
    assert hit is not None
    assert (hit["available"], hit["in_stock"]) == (6, True)
