"""A shopper buys a whole batch; the merchant cannot serve it and declines: the shopper is
refunded and the units are for sale again."""

from __future__ import annotations

from tests.journeys.helpers import RYW, SHERBROOKE, Marketplace


def test_merchant_declines_and_released_units_come_back_in_search(market: Marketplace) -> None:
    # A Sherbrooke bakery with 4 pies on hand.
    bakery = market.approved_merchant("Boulangerie Les Trois Épis", SHERBROOKE, ["boulangerie"])
    listing_id = market.listing(bakery, "Tarte au sucre de grand-mère", on_hand=4,
                                price_cents=1200, category="boulangerie",
                                description_fr="Pâte brisée au beurre, 9 pouces")
    hit = market.hit(listing_id, q="tarte au sucre")
    assert hit is not None and (hit["available"], hit["in_stock"]) == (4, True)

    # A shopper buys all 4: search shows none left.
    shopper = market.shopper(name="Nathalie Côté", email="nathalie.cote@courriel.example",
                             postal_code="J1H 4A1", municipality="Sherbrooke", region="05")
    order = market.buy(shopper, {listing_id: 4})
    [placed] = order["merchant_orders"]
    paid = placed["total"]["cents"]
    assert paid > 0
    hit = market.hit(listing_id, q="tarte au sucre")
    assert hit is not None and (hit["available"], hit["in_stock"]) == (0, False)
    assert listing_id not in {i["id"] for i in market.search_listings(
        q="tarte au sucre", in_stock=True)["items"]}

    # The oven broke: the bakery declines its part.
    reason = "Four en panne, impossible de cuire d'ici samedi"
    declined = market.http.post(
        f"/v1/orders/{order['id']}/merchant-orders/{bakery.id}/decline",
        headers={**bakery.owner, **RYW}, json={"reason": reason})
    assert declined.status_code == 200, declined.text

    # The 4 pies are for sale again.
    hit = market.hit(listing_id, q="tarte au sucre")
    assert hit is not None and (hit["available"], hit["in_stock"]) == (4, True)
    assert listing_id in {i["id"] for i in market.search_listings(
        q="tarte au sucre", in_stock=True)["items"]}
    owner_view = market.http.get(f"/v1/listings/{listing_id}", headers=bakery.owner).json()
    assert owner_view["stock"] == {"available": 4, "on_hand": 4, "reserved": 0}

    # The shopper's order shows the part declined, with its reason, and refunded in full.
    seen = market.http.get(f"/v1/orders/{order['id']}", headers=shopper.headers)
    assert seen.status_code == 200, seen.text
    [part] = seen.json()["merchant_orders"]
    assert part["status"] == "declined"
    assert part["reason"] == reason
    assert part["refunded"]["cents"] == paid
    assert part["refundable"]["cents"] == 0
    assert [r["amount"]["cents"] for r in part["refunds"]] == [paid]
