"""A cheese shop forgets to answer an order: at its acceptance deadline (a few seconds here,
COMPTOIR_ACCEPTANCE_DEADLINE_HOURS) the platform declines it, the cheese is for sale again, the
shopper is refunded, and both are told by mail; the order it did accept is left alone. Against a
real `comptoir serve`, its jobs running on their own."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from api.settings import Settings
from tests.journeys.helpers import GATINEAU, Marketplace, eventually, marketplace_mailing_to
from tests.mail.inbox import Inbox, text

SHOPPER = "luc.bergeron@courriel.example"
SHOP = "genevieve@commerce.example"
DEADLINE_HOURS = "0.0015"  # 5.4 seconds


@pytest.fixture
def served(settings: Settings, inbox: Inbox, monkeypatch: pytest.MonkeyPatch
           ) -> Iterator[Marketplace]:
    with marketplace_mailing_to(inbox.port, settings, monkeypatch,
                                COMPTOIR_ACCEPTANCE_DEADLINE_HOURS=DEADLINE_HOURS,
                                COMPTOIR_JOBS_INTERVAL_SECONDS="0.2") as market:
        yield market


def test_an_unanswered_order_is_declined_at_its_deadline_and_an_accepted_one_is_not(
        served: Marketplace, inbox: Inbox) -> None:
    market = served
    shop = market.approved_merchant("Fromagerie des Collines", GATINEAU, ["fromagerie"])
    cheddar = market.listing(shop, "Cheddar extra-fort", on_hand=6, price_cents=9_50,
                             category="fromagerie", description_fr="Vieilli trois ans")
    shopper = market.shopper(name="Luc Bergeron", email=SHOPPER)

    # Two orders of 2: the shop accepts the first at once and forgets the second.
    kept = market.buy(shopper, {cheddar: 2})
    forgotten = market.buy(shopper, {cheddar: 2})
    accepted = market.http.post(
        f"/v1/orders/{kept['id']}/merchant-orders/{shop.id}/acceptance", headers=shop.owner)
    assert accepted.status_code == 200, accepted.text
    [waiting] = forgotten["merchant_orders"]
    assert waiting["status"] == "placed" and waiting["accept_by"] is not None
    hit = market.hit(cheddar, q="cheddar")
    assert hit is not None and hit["available"] == 2

    # Past the deadline, the platform has declined the forgotten order and refunded it.
    def part(order: dict[str, Any]) -> dict[str, Any]:
        [found] = market.http.get(f"/v1/orders/{order['id']}",
                                  headers=shopper.headers).json()["merchant_orders"]
        return found

    lapsed = eventually(lambda: part(forgotten),
                        lambda p: bool(p["refunds"]) and p["refunds"][0]["status"] == "settled",
                        30)
    assert (lapsed["status"], lapsed["declined_automatically"]) == ("declined", True)
    assert lapsed["refunded"] == lapsed["total"] == {"cents": 19_00, "currency": "CAD"}

    # Its cheese is for sale again; the accepted order keeps its own.
    hit = eventually(lambda: market.hit(cheddar, q="cheddar"),
                     lambda h: h is not None and h["available"] == 4, 10)
    assert hit is not None and hit["available"] == 4
    assert part(kept)["status"] == "accepted" and part(kept)["refunds"] == []

    # Both are told.
    def mail(address: str, subject_part: str) -> Any:
        found = eventually(lambda: [m for m in inbox.to(address)
                                    if subject_part in str(m["Subject"])], bool, 20)
        assert len(found) == 1, [m["Subject"] for m in inbox.to(address)]
        return found[0]

    told = mail(SHOPPER, "n'a pas accepté à temps")
    assert "Fromagerie des Collines n'a pas accepté sa partie" in text(told)
    assert "(19,00 $) vous est remboursé" in text(told)
    assert "Motif : commande non acceptée" in text(mail(SHOPPER, "Remboursement de 19,00 $"))
    shop_told = mail(SHOP, "non acceptée à temps")
    assert "l'acheteur est remboursé de 19,00 $" in text(shop_told)
    assert [m for m in inbox.to(SHOP) if "non acceptée" in str(m["Subject"])] == [shop_told]
