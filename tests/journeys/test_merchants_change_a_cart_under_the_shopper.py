"""A shopper fills a cart from two merchants; before she pays, one merchant raises a price and
the other withdraws a product. The cart, the search and the checkout all tell her the same
thing, and she pays today's price for what can still be bought."""

from __future__ import annotations

from typing import Any

from tests.journeys.helpers import CHELSEA, GATINEAU, RYW, Marketplace, Shopper, ids


def _lines(cart: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {line["listing_id"]: line for m in cart["merchants"] for line in m["lines"]}


def test_a_new_price_and_a_withdrawn_product_reach_the_cart_search_and_checkout(
        market: Marketplace) -> None:
    sugar_shack = market.approved_merchant("Érablière du Ruisseau", CHELSEA, ["alimentation"])
    syrup = market.listing(sugar_shack, "Sirop d'érable ambré 540 ml", on_hand=10,
                           price_cents=1295, category="alimentation",
                           description_fr="Goût riche, récolte 2026")
    butter = market.listing(sugar_shack, "Beurre d'érable 250 g", on_hand=5, price_cents=850,
                            category="alimentation", description_fr="Tartinade pure érable")
    apiary = market.approved_merchant("Miellerie de l'Outaouais", GATINEAU, ["alimentation"])
    honey = market.listing(apiary, "Miel de trèfle 500 g", on_hand=4, price_cents=975,
                           category="alimentation", description_fr="Miel crémeux de Gatineau")

    shopper = market.shopper(name="Émilie Lafrenière", email="emilie.l@courriel.example")
    cart_id = market.cart(shopper, {syrup: 2, butter: 1, honey: 1})
    cart = _cart(market, shopper, cart_id)
    assert (cart["subtotal"]["cents"], cart["ready"]) == (2 * 1295 + 850 + 975, True)

    # The sugar shack raises its syrup by a dollar: the cart and the search show 13,95 $.
    revised = market.http.patch(f"/v1/listings/{syrup}", headers={**sugar_shack.owner, **RYW},
                                json={"price_cents": 1395})
    assert revised.status_code == 200, revised.text
    cart = _cart(market, shopper, cart_id)
    line = _lines(cart)[syrup]
    assert (line["unit_price"]["cents"], line["amount"]["cents"]) == (1395, 2790)
    assert cart["subtotal"]["cents"] == 2790 + 850 + 975
    hit = market.hit(syrup, q="sirop d'érable")
    assert hit is not None and hit["price"]["cents"] == 1395

    # The apiary withdraws its honey: search stops showing it, the cart flags the line.
    withdrawn = market.http.post(f"/v1/listings/{honey}/withdrawal",
                                 headers={**apiary.owner, **RYW})
    assert withdrawn.status_code == 200, withdrawn.text
    assert honey not in ids(market.search_listings(q="miel"))
    cart = _cart(market, shopper, cart_id)
    assert cart["ready"] is False
    assert _lines(cart)[honey]["problems"] != []
    assert _lines(cart)[syrup]["problems"] == []

    # Paying now is refused, naming the honey; nothing was reserved.
    refused = market.check_out(shopper, cart_id)
    assert refused.status_code in (409, 422), refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert "Miel de trèfle" in refused.text
    for listing_id, on_hand in ((syrup, 10), (butter, 5), (honey, 4)):
        owner = sugar_shack.owner if listing_id != honey else apiary.owner
        stock = market.http.get(f"/v1/listings/{listing_id}", headers=owner).json()["stock"]
        assert stock == {"available": on_hand, "on_hand": on_hand, "reserved": 0}

    # She drops the honey and pays today's price for the rest: 2 × 13,95 $ + 8,50 $.
    removed = market.http.delete(f"/v1/carts/{cart_id}/lines/{honey}", headers=shopper.headers)
    assert removed.status_code == 200, removed.text
    assert removed.json()["ready"] is True
    paid = market.check_out(shopper, cart_id, read_your_writes=True)
    assert paid.status_code == 201, paid.text
    order = paid.json()
    assert order["payment"]["status"] == "captured"
    assert order["total"]["cents"] == 2 * 1395 + 850
    [part] = order["merchant_orders"]
    assert part["merchant_id"] == sugar_shack.id
    assert {(line["listing_id"], line["unit_price"]["cents"], line["quantity"])
            for line in part["lines"]} == {(syrup, 1395, 2), (butter, 850, 1)}

    # Search shows what is left; the sugar shack's inbox has the order, the apiary's is empty.
    assert market.hit(syrup)["available"] == 8
    assert market.hit(butter)["available"] == 4
    inbox = market.http.get(f"/v1/merchants/{sugar_shack.id}/orders",
                            headers={**sugar_shack.owner, **RYW})
    assert inbox.status_code == 200, inbox.text
    assert [item["order_id"] for item in inbox.json()["items"]] == [order["id"]]
    empty = market.http.get(f"/v1/merchants/{apiary.id}/orders", headers={**apiary.owner, **RYW})
    assert empty.status_code == 200, empty.text
    assert empty.json()["items"] == []

    # The apiary puts its honey back on sale: search finds it again, with its stock intact.
    republished = market.http.post(f"/v1/listings/{honey}/publication",
                                   headers={**apiary.owner, **RYW})
    assert republished.status_code == 200, republished.text
    hit = market.hit(honey, q="miel de trèfle")
    assert hit is not None and (hit["available"], hit["price"]["cents"]) == (4, 975)


def _cart(market: Marketplace, shopper: Shopper, cart_id: str) -> dict[str, Any]:
    response = market.http.get(f"/v1/carts/{cart_id}", headers=shopper.headers)
    assert response.status_code == 200, response.text
    return response.json()
