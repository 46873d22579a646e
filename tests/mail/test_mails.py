"""Mail notifications through a real SMTP server (aiosmtpd in this process), both backends:
what arrives, to whom, in which language, with which links — read as a mail client would."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from api.container import build_container
from api.main import create_app
from api.settings import Settings
from tests.mail.inbox import Inbox, deliver, links, path_of, text, with_smtp
from tests.support import Api, Shop

PASSWORD = "érable en fût 2026"
SHOPPER = "marie.tremblay@courriel.example"  # tests.support.consumer_body
CHEESE = {"name": "Sophie Tremblay", "email": "sophie@boreale.example", "phone": "819-555-0199"}
BOOKS = {"name": "Luc Roy", "email": "luc@cantons.example", "phone": "819-555-0198"}
BREAD = {"name": "Éva Roy", "email": "eva@coin.example", "phone": "819-555-0197"}


def reference(order_id: str) -> str:
    return order_id.replace("-", "")[:8].upper()


def three_merchant_order(api: Api) -> tuple[Shop, dict[str, Any], dict[str, str]]:
    """A shopper buys from two registered merchants (one ships) and a small supplier."""
    shop = Shop(api)
    cheese, cheese_owner = shop.merchant(name="Fromagerie Boréale", contact=CHEESE)
    books, books_owner = api.approved_merchant(
        name="Librairie des Cantons", contact=BOOKS,
        tax={"gst_number": "987654321RT0001", "qst_number": "9876543210TQ0001"},
        fulfilment={"pickup": True, "shipping_fee_cents": 12_95})
    bread, bread_owner = shop.merchant(registered=False, name="Boulangerie du Coin",
                                       contact=BREAD)
    cheddar = api.listing(cheese, cheese_owner, publish=True, stock=20, price_cents=12_99,
                          tax_class="zero_rated")
    novel = api.listing(books, books_owner, publish=True, stock=5, price_cents=24_95,
                        tax_class="taxable", category="librairie", title_fr="Roman")
    croissants = api.listing(bread, bread_owner, publish=True, stock=20, price_cents=12_00,
                             tax_class="taxable", category="boulangerie",
                             title_fr="Croissants")
    response = shop.check_out(shop.cart({cheddar: 2, novel: 1, croissants: 1}),
                              fulfilment={books: "shipping"})
    assert response.status_code == 201, response.text
    return shop, response.json(), {"cheese": cheese, "books": books, "bread": bread}


def test_the_order_confirmation_has_a_receipt_per_merchant_with_its_tax_numbers(
        mail_api: Api, inbox: Inbox) -> None:
    _, order, _ = three_merchant_order(mail_api)
    deliver(mail_api)

    ref = reference(order["id"])
    confirmation = inbox.one(SHOPPER, f"Commande {ref} confirmée")
    assert text(confirmation) == f"""Bonjour,

Merci d'acheter local ! Votre paiement de 83,36 $ est reçu et votre commande {ref} est \
confirmée. Chaque commerçant prépare sa partie ; voici le reçu de chacun.

Reçu de Fromagerie Boréale
  2 × Cheddar fort à 12,99 $ : 25,98 $
  Sous-total : 25,98 $
  TPS (5 %) : 0,00 $
  TVQ (9,975 %) : 0,00 $
  Total : 25,98 $
  N° de TPS : 123456789RT0001 · N° de TVQ : 1234567890TQ0001
  Mode : cueillette

Reçu de Librairie des Cantons
  1 × Roman à 24,95 $ : 24,95 $
  Sous-total : 24,95 $
  Expédition : 12,95 $
  TPS (5 %) : 1,90 $
  TVQ (9,975 %) : 3,78 $
  Total : 43,58 $
  N° de TPS : 987654321RT0001 · N° de TVQ : 9876543210TQ0001
  Mode : expédition

Reçu de Boulangerie du Coin
  1 × Croissants à 12,00 $ : 12,00 $
  Sous-total : 12,00 $
  TPS (5 %) : 0,60 $
  TVQ (9,975 %) : 1,20 $
  Total : 13,80 $
  TPS et TVQ perçues et remises par Comptoir, exploitant de la plateforme (commerçant non \
inscrit).
  Mode : cueillette

Total payé : 83,36 $

Votre commande : http://127.0.0.1:8000/commandes/{order["id"]}

— L'équipe Comptoir
"""
    assert (confirmation["From"], confirmation["Content-Language"]) == (
        "Comptoir <ne-pas-repondre@comptoir.quebec>", "fr-CA")
    assert confirmation["Message-ID"].endswith("@comptoir.quebec>")
    assert order["total"]["cents"] == 83_36  # what the receipts add up to


def test_each_merchant_is_told_of_its_part_of_a_new_order_and_nothing_of_the_shopper(
        mail_api: Api, inbox: Inbox) -> None:
    _, order, _ = three_merchant_order(mail_api)
    deliver(mail_api)

    ref = reference(order["id"])
    books = inbox.one(BOOKS["email"], f"Nouvelle commande {ref} — Librairie des Cantons")
    assert text(books) == f"""Bonjour,

Une nouvelle commande payée attend Librairie des Cantons :

  1 × Roman à 24,95 $ : 24,95 $
  Sous-total : 24,95 $
  Expédition : 12,95 $
  TPS (5 %) : 1,90 $
  TVQ (9,975 %) : 3,78 $
  Total : 43,58 $
  Mode : expédition

Votre part : 41,58 $ (le total moins la commission et, quand la plateforme les remet, les \
taxes)

Acceptez-la ou déclinez-la : http://127.0.0.1:8000/portail/commandes/{order["id"]}

— L'équipe Comptoir
"""
    bread = text(inbox.one(BREAD["email"], f"Nouvelle commande {ref} — Boulangerie du Coin"))
    assert "  Total : 13,80 $\n  Mode : cueillette\n" in bread
    assert "Votre part : 11,04 $ " in bread
    # Data minimisation: the shopper's name and address stay in the portal.
    for mail in inbox.messages:
        assert "Marie" not in text(mail) and "Laval" not in text(mail)
    assert sorted(m["To"] for m in inbox.messages if m["Subject"].startswith("Nouvelle")) == [
        BREAD["email"], BOOKS["email"], CHEESE["email"]]


def test_an_applicant_is_told_of_its_approval_or_of_its_rejection_and_why(
        mail_api: Api, inbox: Inbox) -> None:
    api = mail_api
    approved = api.apply(name="Fromagerie Boréale", contact=CHEESE)
    rejected = api.apply(name="Érablière du Ruisseau", contact=BOOKS)
    assert api.client.post(f"/v1/merchants/{approved}/approval",
                           headers=api.validator).status_code == 200
    assert api.client.post(f"/v1/merchants/{rejected}/rejection", headers=api.validator,
                           json={"reason": "Adresse hors Québec selon le registre"}
                           ).status_code == 200
    deliver(api)

    welcome = inbox.one(CHEESE["email"], "Votre commerce Fromagerie Boréale est approuvé sur "
                                         "Comptoir")
    assert text(welcome) == """Bonjour,

Bonne nouvelle : la demande de Fromagerie Boréale est approuvée. Sa fiche est maintenant \
visible : http://127.0.0.1:8000/m/fromagerie-boreale-gatineau

— L'équipe Comptoir
"""
    refusal = inbox.one(BOOKS["email"], "Votre demande pour Érablière du Ruisseau n'est pas "
                                        "retenue")
    assert text(refusal) == """Bonjour,

La demande de Érablière du Ruisseau n'a pas été approuvée.
Motif : Adresse hors Québec selon le registre
Vous pourrez présenter une nouvelle demande une fois la situation corrigée.

— L'équipe Comptoir
"""
    assert len(inbox.messages) == 2


def test_a_shopper_whose_account_is_in_english_gets_english_mails_in_dollars_first(
        mail_api: Api, inbox: Inbox) -> None:
    api = mail_api
    merchant_id, owner = api.approved_merchant(name="Fromagerie Boréale", contact=CHEESE)
    listing = api.listing(merchant_id, owner, publish=True, stock=10, price_cents=1_234_56,
                          tax_class="taxable")
    # Signing up in English: the verification mail is English, and its link works.
    assert api.client.post("/v1/accounts", json={
        "email": "jane@mail.example", "password": PASSWORD, "language": "en"}).status_code == 202
    deliver(api)
    verification = inbox.one("jane@mail.example", "Confirm your e-mail address")
    [link] = links(verification)
    assert link.startswith("http://127.0.0.1:8000/v1/accounts/email-verification?token=")
    assert api.client.get(path_of(link)).json() == {"verified": True}
    signed_in = api.client.post("/v1/sessions", json={"email": "jane@mail.example",
                                                      "password": PASSWORD}).json()
    api.client.cookies.clear()
    jane = {"Authorization": f"Bearer {signed_in['access_token']}"}
    # Buying, as that account.
    assert api.client.post("/v1/consumers", headers=jane, json={
        "name": "Jane Doe", "email": "jane@mail.example"}).status_code == 201
    cart = api.client.post("/v1/carts", headers=jane).json()["id"]
    api.client.put(f"/v1/carts/{cart}/lines/{listing}", headers=jane, json={"quantity": 1})
    order = api.client.post(f"/v1/carts/{cart}/checkout", headers=jane, json={}).json()
    deliver(api)

    ref = reference(order["id"])
    confirmation = inbox.one("jane@mail.example", f"Order {ref} confirmed")
    assert confirmation["Content-Language"] == "en-CA"
    assert text(confirmation) == f"""Hello,

Thank you for buying local! Your payment of $1,419.44 is received and your order {ref} is \
confirmed. Each merchant prepares its part; here is the receipt of each.

Receipt from Fromagerie Boréale
  1 × Cheddar fort at $1,234.56: $1,234.56
  Subtotal: $1,234.56
  GST (5%): $61.73
  QST (9.975%): $123.15
  Total: $1,419.44
  GST no.: 123456789RT0001 · QST no.: 1234567890TQ0001
  Fulfilment: pickup

Total paid: $1,419.44

Your order: http://127.0.0.1:8000/commandes/{order["id"]}

— The Comptoir team
"""
    # The merchant's contact has no account: French.
    assert inbox.one(CHEESE["email"], f"Nouvelle commande {ref} — Fromagerie Boréale")[
        "Content-Language"] == "fr-CA"


def test_the_verification_link_sent_by_the_running_jobs_verifies_the_account(
        settings: Settings, inbox: Inbox) -> None:
    container = build_container(with_smtp(settings, inbox))  # followers and jobs running
    try:
        with TestClient(create_app(container=container)) as client:
            # Signing up: the answer says nothing of the mail, which follows.
            assert client.post("/v1/accounts", json={
                "email": "camille@courriel.example", "password": PASSWORD}).status_code == 202
            assert inbox.wait_for(1)
            mail = inbox.one("camille@courriel.example", "Confirmez votre adresse courriel")
            [link] = links(mail)
            assert text(mail) == f"""Bonjour,

Bienvenue sur Comptoir ! Pour activer votre compte, confirmez votre adresse en suivant ce lien \
(valide 7 jours) :
{link}

Si vous n'avez pas créé de compte, ignorez ce message.

— L'équipe Comptoir
"""
            refused = client.post("/v1/sessions", json={"email": "camille@courriel.example",
                                                        "password": PASSWORD})
            assert refused.json()["code"] == "email_unverified"
            # Following the link, as a mail client would.
            assert client.get(path_of(link)).json() == {"verified": True}
            assert client.post("/v1/sessions", json={
                "email": "camille@courriel.example", "password": PASSWORD}).status_code == 201
    finally:
        container.close()

