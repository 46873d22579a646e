"""Monday morning: a validator works through the queue of applications, oldest first, page by
page, deciding each from what the eligibility rules found; then the approved cheese shop
opens its inbox, accepts its orders oldest first and declines the one it cannot serve, while
its shoppers follow their orders in their own lists."""

from __future__ import annotations

from typing import Any

from application.actors import Role
from tests.journeys.helpers import (
    CHELSEA,
    GATINEAU,
    MONTREAL,
    RYW,
    Marketplace,
    Merchant,
    merchant_application,
)


def every_item(market: Marketplace, path: str, headers: dict[str, str],
               **params: Any) -> list[dict[str, Any]]:
    """Every row of a list, page by page, following `next`."""
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        response = market.http.get(path, headers={**headers, **RYW}, params=query)
        assert response.status_code == 200, response.text
        items += response.json()["items"]
        cursor = response.json()["next"]
        if cursor is None:
            return items


def test_validator_works_the_queue_and_a_merchant_answers_its_inbox(
    market: Marketplace,
) -> None:
    # Five businesses apply over the weekend; one of them is a small supplier that ships.
    names = ["Fromagerie des Collines", "Boulangerie Chez Rémi", "Librairie L'Écume",
             "Savonnerie Douce", "Ferme Lavallée"]
    towns = [GATINEAU, CHELSEA, MONTREAL, GATINEAU, CHELSEA]
    categories = [["fromagerie"], ["boulangerie"], ["librairie"], ["beaute"], ["alimentation"]]
    applied = [market.apply(merchant_application(
        name, town, cats, **({"tax": {"small_supplier": True},
                              "fulfilment": {"pickup": False, "shipping_fee_cents": 1200}}
                             if name == "Savonnerie Douce" else {})))
        for name, town, cats in zip(names, towns, categories, strict=True)]

    # A shopper cannot see the queue; the validator reads it two at a time, oldest first.
    shopper = market.shopper()
    refused = market.http.get("/v1/merchants", headers=shopper.headers)
    assert (refused.status_code, refused.json()["code"]) == (403, "forbidden")
    queue = every_item(market, "/v1/merchants", market.validator, status="under_review",
                       limit=2)
    assert [item["id"] for item in queue] == applied
    assert [item["name"] for item in queue] == names

    # Each application shows what the rules found; the validator decides in that order:
    # the bookshop's NEQ could not be confirmed at the registry, the others are approved.
    for item in queue:
        found = {f["rule"]: f for f in item["eligibility"]}
        assert found["quebec_address"]["outcome"] == "met"
        assert found["neq"]["outcome"] == "to_confirm"
        if item["name"] == "Savonnerie Douce":
            assert found["taxes"]["code"] == "small_supplier"
            assert found["fulfilment"]["params"] == {"methods": ["shipping"]}
        if item["name"] == "Librairie L'Écume":
            decided = market.http.post(f"/v1/merchants/{item['id']}/rejection",
                                       headers=market.validator,
                                       json={"reason": "NEQ absent du registre"})
        else:
            decided = market.http.post(f"/v1/merchants/{item['id']}/approval",
                                       headers=market.validator)
        assert decided.status_code == 200, decided.text

    # The queue is empty; the decisions are listed by status.
    assert every_item(market, "/v1/merchants", market.validator, status="under_review") == []
    rejected = every_item(market, "/v1/merchants", market.validator, status="rejected")
    assert [(i["name"], i["status"]) for i in rejected] == [("Librairie L'Écume", "rejected")]
    assert len(every_item(market, "/v1/merchants", market.validator, status="approved")) == 4

    # The cheese shop prepares its catalogue: two on sale, one still a draft.
    fromagerie = applied[0]
    owner = market.bearer(Role.MERCHANT, merchant_id=fromagerie)
    shop = Merchant(fromagerie, owner, names[0])
    cheddar = market.listing(shop, "Cheddar vieilli 2 ans", on_hand=30, price_cents=1450,
                             category="fromagerie", description_fr="Au lait cru")
    curds = market.listing(shop, "Fromage en grains", on_hand=40, price_cents=650,
                           category="fromagerie", description_fr="Du jour")
    draft = market.listing(shop, "Tomme de saison", on_hand=0, price_cents=2200,
                           category="fromagerie", description_fr="Bientôt", publish=False)
    catalogue = every_item(market, f"/v1/merchants/{fromagerie}/listings", owner,
                           order="oldest")
    assert [(i["id"], i["status"]) for i in catalogue] == [
        (cheddar, "published"), (curds, "published"), (draft, "draft")]

    # Three shoppers order over the morning.
    buyers = [shopper, market.shopper(name="Luc Bergeron",
                                      email="luc.bergeron@courriel.example"),
              market.shopper(name="Awa Diallo", email="awa.diallo@courriel.example")]
    orders = [market.buy(buyers[0], {cheddar: 2}), market.buy(buyers[1], {curds: 3}),
              market.buy(buyers[2], {cheddar: 1, curds: 1})]

    # The inbox: placed and paid, oldest first; the cheese shop accepts the first two and
    # declines the third (no more curds of the day).
    inbox = f"/v1/merchants/{fromagerie}/orders"
    todo = every_item(market, inbox, owner, status="placed", payment_status="captured",
                      order="oldest", limit=2)
    assert [i["order_id"] for i in todo] == [o["id"] for o in orders]
    assert [(i["units"], i["total"]["cents"]) for i in todo] == [
        (2, 2900), (3, 1950), (2, 2100)]
    for item in todo[:2]:
        accepted = market.http.post(f"/v1/orders/{item['order_id']}/merchant-orders/"
                                    f"{fromagerie}/acceptance", headers=owner)
        assert accepted.status_code == 200, accepted.text
    declined = market.http.post(f"/v1/orders/{todo[2]['order_id']}/merchant-orders/"
                                f"{fromagerie}/decline", headers=owner,
                                json={"reason": "Plus de fromage en grains aujourd'hui"})
    assert declined.status_code == 200, declined.text

    # Nothing left to answer; the inbox tells what became of each.
    assert every_item(market, inbox, owner, status="placed") == []
    answered = every_item(market, inbox, owner)  # newest first
    assert [(i["order_id"], i["status"], i["refunded"]["cents"]) for i in answered] == [
        (orders[2]["id"], "declined", 2100), (orders[1]["id"], "accepted", 0),
        (orders[0]["id"], "accepted", 0)]

    # Each shopper sees its own order only, with the cheese shop's answer.
    for buyer, order, status in zip(buyers, orders, ["accepted", "accepted", "declined"],
                                    strict=True):
        mine = every_item(market, f"/v1/consumers/{buyer.subject}/orders", buyer.headers)
        assert [(o["id"], o["merchant_orders"][0]["status"]) for o in mine] == [
            (order["id"], status)]
    other = market.http.get(f"/v1/consumers/{buyers[0].subject}/orders",
                            headers=buyers[1].headers)
    assert other.status_code == 404
