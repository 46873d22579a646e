"""What the shopper is told when an order does not go as planned, both backends: a refused
payment cancels it, a merchant declines its part (and refunds it), a partial refund."""

from __future__ import annotations

from tests.mail.inbox import Inbox, deliver, text
from tests.support import Api, Shop

SHOPPER = "marie.tremblay@courriel.example"


def reference(order_id: str) -> str:
    return order_id.replace("-", "")[:8].upper()


def test_a_refused_payment_cancels_the_order_and_says_nothing_was_charged(
        mail_api: Api, inbox: Inbox) -> None:
    shop = Shop(mail_api)
    merchant_id, owner = shop.merchant(name="Fromagerie Boréale")
    listing = mail_api.listing(merchant_id, owner, publish=True, stock=5, price_cents=12_99)
    order = shop.check_out(shop.cart({listing: 2}),
                           payment_method="pm_card_chargeDeclined").json()
    assert order["status"] == "failed"
    deliver(mail_api)

    ref = reference(order["id"])
    [cancelled] = inbox.to(SHOPPER)
    assert cancelled["Subject"] == f"Commande {ref} annulée"
    assert text(cancelled) == f"""Bonjour,

Le paiement de votre commande {ref} (25,98 $) a été refusé : la commande est annulée et aucun \
montant n'a été prélevé.

— L'équipe Comptoir
"""
    assert [m["Subject"] for m in inbox.messages] == [
        "Votre commerce Fromagerie Boréale est approuvé sur Comptoir",
        f"Commande {ref} annulée"]  # no new order for the merchant: it was never paid


def test_a_declined_part_is_explained_then_its_refund_is_confirmed(
        mail_api: Api, inbox: Inbox) -> None:
    shop = Shop(mail_api)
    merchant_id, owner = shop.merchant(name="Fromagerie Boréale")
    listing = mail_api.listing(merchant_id, owner, publish=True, stock=5, price_cents=12_99)
    order = shop.check_out(shop.cart({listing: 3})).json()
    part = f"/v1/orders/{order['id']}/merchant-orders/{merchant_id}"
    assert mail_api.client.post(f"{part}/decline", headers=owner,
                                json={"reason": "Rupture de stock"}).status_code == 200
    deliver(mail_api)

    ref = reference(order["id"])
    declined = inbox.one(SHOPPER, f"Fromagerie Boréale a annulé sa partie de la commande {ref}")
    assert text(declined) == f"""Bonjour,

Fromagerie Boréale ne peut pas honorer sa partie de votre commande {ref}.
Motif : Rupture de stock
Ce qui reste à rembourser de cette partie (38,97 $) vous est remboursé ; un avis suit.

Votre commande : http://127.0.0.1:8000/commandes/{order["id"]}

— L'équipe Comptoir
"""
    refunded = inbox.one(SHOPPER, f"Remboursement de 38,97 $ — commande {ref}")
    assert text(refunded) == f"""Bonjour,

Fromagerie Boréale vous a remboursé 38,97 $ sur votre commande {ref}.
Motif : Rupture de stock
Le montant paraîtra sur votre relevé d'ici quelques jours ouvrables.

Votre commande : http://127.0.0.1:8000/commandes/{order["id"]}

— L'équipe Comptoir
"""
    assert [m["Subject"] for m in inbox.to(SHOPPER)] == [
        f"Commande {ref} confirmée", declined["Subject"], refunded["Subject"]]


def test_each_partial_refund_is_its_own_notice_with_its_amount_and_reason(
        mail_api: Api, inbox: Inbox) -> None:
    shop = Shop(mail_api)
    merchant_id, owner = shop.merchant(name="Fromagerie Boréale")
    listing = mail_api.listing(merchant_id, owner, publish=True, stock=5, price_cents=12_99)
    order = shop.check_out(shop.cart({listing: 3})).json()
    part = f"/v1/orders/{order['id']}/merchant-orders/{merchant_id}"
    for cents, reason in ((5_00, "Un pot abîmé"), (1_234, "Emballage ouvert")):
        assert mail_api.client.post(f"{part}/refunds", headers=owner, json={
            "amount_cents": cents, "reason": reason}).status_code == 201
    deliver(mail_api)

    ref = reference(order["id"])
    notices = [text(m) for m in inbox.to(SHOPPER) if m["Subject"].startswith("Remboursement")]
    assert [n.splitlines()[2:4] for n in notices] == [
        [f"Fromagerie Boréale vous a remboursé 5,00 $ sur votre commande {ref}.",
         "Motif : Un pot abîmé"],
        [f"Fromagerie Boréale vous a remboursé 12,34 $ sur votre commande {ref}.",
         "Motif : Emballage ouvert"]]
