"""The merchant portal's first half (api/web/portal*.py): the application form with every
problem at once, the session moving to the new merchant's space, the home's status, and the
guards (CSRF, another merchant's ids, a session in another role)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import expect

from api.container import build_container
from api.settings import Settings
from application.accounts import StaffRole
from tests.journeys.helpers import Marketplace, eventually, marketplace
from tests.support import Api, Shop, unique_neq
from tests.web.browser import Audit, chromium, new_page, shoot, sign_in, verification_token
from tests.web.test_shop_forms import csrf_of

EMAIL, PASSWORD = "mireille.gagnon@courriel.example", "une phrase de passe"
GOOD = {"name": "Miellerie des Cantons", "legal_name": "Miellerie des Cantons inc.",
        "street": "12, chemin du Lac", "municipality": "Sherbrooke", "postal_code": "J1H 1A1",
        "region": "05", "categories": "alimentation", "contact_name": "Mireille Gagnon",
        "contact_email": EMAIL, "gst_number": "123456789RT0001",
        "qst_number": "1234567890TQ0001", "pickup": "oui"}


def signed_in(api: Api, then: str = "/compte") -> TestClient:
    api.container.accounts.create_verified(EMAIL, PASSWORD)
    client = api.client
    client.cookies.clear()
    answer = client.post("/compte/connexion", data={"email": EMAIL, "password": PASSWORD,
                                                    "suivant": then}, follow_redirects=False)
    assert answer.status_code == 303
    return client


def test_an_application_shows_every_problem_at_once_then_moves_her_to_the_portal(
        api: Api) -> None:
    client = signed_in(api)
    token = csrf_of(client, "/portail/inscription")
    before = api.log_length()
    bad = client.post("/portail/inscription", data={
        "csrftoken": token, "name": "", "neq": "12", "street": "1, rue Main",
        "municipality": "Ottawa", "postal_code": "K1A 0B1", "region": "05",
        "contact_name": "Mireille", "contact_email": "pas-une-adresse"})
    assert bad.status_code == 422
    page = bad.text
    assert 'role="alert"' in page
    for name in ("name", "legal_name", "neq", "postal_code", "categories", "contact_email"):
        assert f'id="e-{name}"' in page, name
    assert 'aria-invalid="true"' in page
    assert api.log_length() == before  # nothing created

    made = client.post("/portail/inscription", data={**GOOD, "csrftoken": token,
                                                     "neq": unique_neq()},
                       follow_redirects=False)
    assert made.status_code == 303, made.text[made.text.find("erreurs"):][:800]
    assert made.headers["location"] == "/portail"
    identity = api.container.sessions.identity(client.cookies["comptoir_session"])
    assert identity is not None and identity.role.value == "merchant"
    home = client.get("/portail").text
    assert "Miellerie des Cantons" in home and "En cours d&#39;examen" in home
    # she has a merchant now: the form sends her home
    assert client.get("/portail/inscription", follow_redirects=False).headers[
        "location"] == "/portail"


def test_a_shopper_session_is_sent_to_choose_her_space(api: Api) -> None:
    merchant_id, _ = api.approved_merchant()
    api.container.accounts.create_verified(EMAIL, PASSWORD, owner_of=UUID(merchant_id))
    client = signed_in(api, "/panier")
    for path in ("/portail", "/portail/fiches", "/portail/commandes"):
        answer = client.get(path, follow_redirects=False)
        assert (answer.status_code, answer.headers["location"]) == (
            303, f"/compte/espaces?suivant={path.replace('/', '%2F')}"), path


def owner_session(api: Api, merchant_id: str) -> TestClient:
    api.container.accounts.create_verified(EMAIL, PASSWORD, owner_of=UUID(merchant_id))
    client = api.client
    client.cookies.clear()
    answer = client.post("/compte/connexion", data={"email": EMAIL, "password": PASSWORD,
                                                    "suivant": "/portail"},
                         follow_redirects=False)
    assert (answer.status_code, answer.headers["location"]) == (303, "/portail")
    return client


def stock_of(api: Api, listing_id: str, owner: dict[str, str]) -> int:
    listing = api.client.get(f"/v1/listings/{listing_id}", headers=owner).json()
    return int(listing["stock"]["on_hand"])


def test_listings_are_made_and_stocked_in_place_and_by_file(api: Api) -> None:
    mine, owner = api.approved_merchant(name="Miellerie des Cantons")
    client = owner_session(api, mine)
    token = csrf_of(client, "/portail/fiches/nouvelle")
    before = api.log_length()
    bad = client.post("/portail/fiches/nouvelle", data={
        "csrftoken": token, "title_fr": "", "price": "douze", "category": "x",
        "tax_class": "taxable"})
    assert bad.status_code == 422
    for name in ("title_fr", "description_fr", "category", "price"):
        assert f'id="e-{name}"' in bad.text, name
    assert api.log_length() == before

    made = client.post("/portail/fiches/nouvelle", follow_redirects=False, data={
        "csrftoken": token, "title_fr": "Miel de trèfle", "description_fr": "Pot de 500 g",
        "category": "alimentation", "price": "12,50", "tax_class": "zero_rated",
        "origin": "produced", "sku": "MIEL-500"})
    assert made.status_code == 303
    listing_id = made.headers["location"].rsplit("/", 1)[1]
    listing = api.client.get(f"/v1/listings/{listing_id}", headers=owner).json()
    assert (listing["status"], listing["price"]["cents"]) == ("draft", 1250)

    assert client.post(f"/portail/fiches/{listing_id}/publication", data={"csrftoken": token},
                       follow_redirects=False).status_code == 303
    stocked = client.post(f"/portail/fiches/{listing_id}/stock",
                          data={"csrftoken": token, "on_hand": "7"}, follow_redirects=False)
    assert (stocked.status_code, stocked.headers["location"]) == (303, "/portail/fiches")
    assert stock_of(api, listing_id, owner) == 7
    refused = client.post(f"/portail/fiches/{listing_id}/stock",
                          data={"csrftoken": token, "on_hand": "-3"})
    assert refused.status_code == 422 and 'role="alert"' in refused.text
    assert stock_of(api, listing_id, owner) == 7

    csv = b"sku,on_hand\nMIEL-500,40\nINCONNU-1,3\n"
    fed = client.post("/portail/fiches/stock-fichier", data={"csrftoken": token},
                      files={"fichier": ("stock.csv", csv, "text/csv")})
    assert fed.status_code == 200, fed.text
    assert "Appliquée" in fed.text and "Code de produit inconnu." in fed.text
    assert stock_of(api, listing_id, owner) == 40
    withdrawn = client.post(f"/portail/fiches/{listing_id}/retrait",
                            data={"csrftoken": token}, follow_redirects=False)
    assert withdrawn.status_code == 303
    assert api.client.get(f"/v1/listings/{listing_id}", headers=owner).json()[
        "status"] == "withdrawn"


def test_no_csrf_token_or_another_merchants_ids_change_nothing(api: Api) -> None:
    shop = Shop(api)
    mine, my_owner = shop.merchant(name="Miellerie des Cantons")
    theirs, their_owner = shop.merchant(name="Boulangerie d'en face")
    their_listing = api.listing(theirs, their_owner, publish=True, stock=5, sku="PAIN-1")
    their_order = shop.check_out(shop.cart({their_listing: 1})).json()["id"]
    my_listing = api.listing(mine, my_owner, stock=5)
    client = owner_session(api, mine)
    log = api.log_length()

    for path, form in ((f"/portail/fiches/{my_listing}/stock", {"on_hand": "9"}),
                       ("/portail/fiches/nouvelle", {"title_fr": "X"}),
                       ("/portail/inscription", {"name": "X"})):
        refused = client.post(path, data=form, follow_redirects=False)
        assert (refused.status_code, refused.json()["code"]) == (403, "csrf_failed"), path
    assert api.log_length() == log

    token = csrf_of(client, "/portail/fiches")
    for path, form in ((f"/portail/fiches/{their_listing}/stock", {"on_hand": "0"}),
                       (f"/portail/fiches/{their_listing}/retrait", {}),
                       (f"/portail/fiches/{their_listing}", {"title_fr": "Volé"}),
                       (f"/portail/commandes/{their_order}/acceptation", {}),
                       (f"/portail/commandes/{their_order}/refus", {"refus_reason": "Non"}),
                       ("/portail/commandes/pas-un-id/remise", {})):
        answer = client.post(path, data={"csrftoken": token, **form}, follow_redirects=False)
        assert answer.status_code == 404, (path, answer.text)
        assert "Page introuvable" in answer.text
    for path in (f"/portail/fiches/{their_listing}", f"/portail/commandes/{their_order}"):
        assert client.get(path).status_code == 404, path
    assert api.log_length() == log
    assert stock_of(api, their_listing, their_owner) == 5


def test_a_merchant_accepts_fulfils_declines_and_refunds_her_orders(api: Api) -> None:
    shop = Shop(api)
    mine, owner = shop.merchant(name="Miellerie des Cantons")
    honey = api.listing(mine, owner, publish=True, stock=10, title_fr="Miel de trèfle")
    first = shop.check_out(shop.cart({honey: 2})).json()["id"]
    second = shop.check_out(shop.cart({honey: 1})).json()["id"]
    client = owner_session(api, mine)
    inbox = client.get("/portail/commandes").text
    assert f"/portail/commandes/{first}" in inbox and f"/portail/commandes/{second}" in inbox
    token = csrf_of(client, f"/portail/commandes/{first}")

    def state(order_id: str) -> str:
        order = api.client.get(f"/v1/orders/{order_id}", headers=shop.consumer).json()
        return str(order["merchant_orders"][0]["status"])

    for step, status in (("acceptation", "accepted"), ("remise", "fulfilled")):
        done = client.post(f"/portail/commandes/{first}/{step}", data={"csrftoken": token},
                           follow_redirects=False)
        assert (done.status_code, done.headers["location"]) == (
            303, f"/portail/commandes/{first}")
        assert state(first) == status
    refused = client.post(f"/portail/commandes/{first}/remboursement",
                          data={"csrftoken": token, "amount": "beaucoup",
                                "remboursement_reason": "Pot fêlé"})
    assert refused.status_code == 422 and 'id="e-amount"' in refused.text
    refunded = client.post(f"/portail/commandes/{first}/remboursement", follow_redirects=False,
                           data={"csrftoken": token, "amount": "1,00",
                                 "remboursement_reason": "Pot fêlé"})
    assert refunded.status_code == 303
    assert "Remboursé : 1,00" in client.get(f"/portail/commandes/{first}").text

    no_reason = client.post(f"/portail/commandes/{second}/refus",
                            data={"csrftoken": token, "refus_reason": ""})
    assert no_reason.status_code == 422 and state(second) == "placed"
    declined = client.post(f"/portail/commandes/{second}/refus", follow_redirects=False,
                           data={"csrftoken": token, "refus_reason": "Rupture de stock"})
    assert declined.status_code == 303 and state(second) == "declined"
    assert "Rupture de stock" in client.get(f"/portail/commandes/{second}").text


# -- in a browser ------------------------------------------------------------------------------

VALIDATOR = "valerie.validation@comptoir.example"


@pytest.fixture
def market(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Marketplace]:
    monkeypatch.setenv("COMPTOIR_MAP_TILES_URL", "")
    container = build_container(settings)  # the validator's account, before the server starts
    try:
        container.accounts.create_verified(VALIDATOR, PASSWORD, staff=StaffRole.VALIDATOR)
    finally:
        container.close()
    with marketplace(settings) as running:
        yield running


def test_a_producer_applies_sells_stocks_by_file_and_handles_her_orders(
        market: Marketplace, settings: Settings, tmp_path: Path) -> None:
    audit, keep = Audit(), settings.backend == "sqlite"
    with chromium() as browser:
        page = new_page(browser, market.base)

        # She signs up and confirms her address, then signs in on the way to the portal.
        page.goto("/compte/inscription")
        page.get_by_label("Adresse courriel").fill(EMAIL)
        page.get_by_label("Mot de passe").fill(PASSWORD)
        page.get_by_role("button", name="Créer mon compte").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Vérifiez vos courriels")
        page.goto(f"/compte/verification?token={verification_token(market.http, EMAIL)}")
        page.goto("/portail/inscription")
        expect(page).to_have_url(re.compile(r"/compte/connexion"))
        page.get_by_label("Adresse courriel").fill(EMAIL)
        page.get_by_label("Mot de passe").fill(PASSWORD)
        page.get_by_role("button", name="Me connecter").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Vendre sur Comptoir")
        audit.check(page, "portail: inscription")

        # A first try with a bad form: every problem at once, nothing created.
        page.get_by_label("Nom commercial").fill("Miellerie des Cantons")
        page.get_by_label("NEQ").fill("123")
        page.get_by_label("Code postal").fill("K1A 0B1")
        page.get_by_role("button", name="Envoyer ma demande").click()
        summary = page.locator(".error-summary")
        expect(summary).to_be_visible()
        for name in ("legal_name", "neq", "region", "categories", "contact_email", "gst_number"):
            expect(page.locator(f"#e-{name}")).to_be_visible()
        assert summary.locator("li").count() == 7
        expect(page.get_by_label("NEQ")).to_have_attribute("aria-invalid", "true")
        audit.check(page, "portail: inscription (erreurs)")
        shoot(page, "portail-inscription-erreurs", keep)
        assert market.http.get("/v1/merchants", headers=market.validator).json()["total"] == 0

        # Then correctly: her session moves to the new merchant's portal, under review.
        page.get_by_label("Nom légal").fill("Miellerie des Cantons inc.")
        page.get_by_label("NEQ").fill(unique_neq())
        page.get_by_label("Adresse (numéro et rue)").fill("200, rue Wellington Nord")
        page.get_by_label("Municipalité").fill("Sherbrooke")
        page.get_by_label("Code postal").fill("J1H 1Z3")
        page.get_by_label("Région").select_option("05")
        page.get_by_label("Alimentation et épicerie").check()
        page.get_by_label("Nom", exact=True).fill("Mireille Gagnon")
        page.locator("#f-contact_email").fill(EMAIL)
        page.get_by_label("Petit fournisseur").check()
        page.get_by_role("button", name="Envoyer ma demande").click()
        expect(page).to_have_url(re.compile(r"/portail$"))
        expect(page.locator(".status")).to_have_text("En cours d'examen")
        audit.check(page, "portail: accueil (examen)")
        [row] = market.http.get("/v1/merchants", headers=market.validator).json()["items"]

        # A validator approves it in his console, in his own browser.
        console = new_page(browser, market.base)
        sign_in(console, VALIDATOR, PASSWORD, "/validation")
        console.locator(f"a[href='/validation/{row['id']}']").click()
        console.get_by_role("button", name="Approuver").click()
        expect(console.locator("#statut")).to_have_text("Approuvé")
        console.context.close()

        # She sees it approved, then creates and publishes a listing.
        page.reload()
        expect(page.locator(".status")).to_have_text("Approuvée")
        shoot(page, "portail-accueil", keep)
        page.get_by_role("navigation", name="Portail entreprise").get_by_role(
            "link", name="Fiches").click()
        page.get_by_role("link", name="Nouvelle fiche").click()
        page.get_by_label("Titre (français)").fill("Miel de trèfle des Cantons")
        page.get_by_label("Description (français)").fill("Pot de 500 g, miel cru.")
        page.get_by_label("Catégorie").select_option("alimentation")
        page.get_by_label("Prix avant taxes ($)").fill("12,50")
        page.get_by_label("Taxes", exact=True).select_option("zero_rated")
        page.get_by_label("Origine").select_option("produced")
        page.get_by_label("Code de produit (SKU, facultatif)").fill("MIEL-500")
        page.get_by_role("button", name="Créer la fiche (brouillon)").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Miel de trèfle des Cantons")
        audit.check(page, "portail: fiche")
        page.get_by_role("button", name="Publier").click()
        expect(page.locator("strong", has_text="Publiée")).to_be_visible()
        listing_id = page.url.rsplit("/", 1)[1]

        # A stock file: one bad line reported, the good one applied.
        csv = tmp_path / "stock.csv"
        csv.write_text("sku,on_hand\nMIEL-500,25\nPAS-A-MOI,4\n", encoding="utf-8")
        page.get_by_role("link", name="Toutes les fiches").click()
        page.get_by_label("Fichier de stock").set_input_files(str(csv))
        page.get_by_role("button", name="Envoyer le fichier").click()
        report = page.locator("table[aria-live] tbody tr")
        expect(report).to_have_count(2)
        expect(report.nth(0)).to_contain_text("Appliquée")
        expect(report.nth(1)).to_contain_text("Code de produit inconnu.")
        expect(page.get_by_label("Stock de « Miel de trèfle des Cantons »")).to_have_value("25")
        audit.check(page, "portail: fiches (fichier de stock)")
        shoot(page, "portail-fiches", keep)

        # The public search finds it with the uploaded quantity.
        hit = eventually(lambda: market.hit(listing_id, q="miel"),
                         lambda found: found is not None and found["available"] == 25, 10)
        assert hit is not None and hit["available"] == 25

        # Two orders from shoppers: she accepts then hands over one, declines the other.
        buyer = market.shopper()
        first = market.buy(buyer, {listing_id: 2})["id"]
        second = market.buy(buyer, {listing_id: 1})["id"]
        page.get_by_role("navigation", name="Portail entreprise").get_by_role(
            "link", name="Commandes").click()
        rows = page.locator("table.rows tbody tr")
        eventually(lambda: (page.reload(), rows.count())[1], lambda count: count == 2, 10)
        audit.check(page, "portail: commandes")
        shoot(page, "portail-commandes", keep)
        page.locator(f"a[href='/portail/commandes/{first}']").click()
        page.get_by_role("button", name="Accepter la commande").click()
        expect(page.locator(".state")).to_contain_text("Acceptée, à remettre")
        page.get_by_role("button", name="Marquer comme remise").click()
        expect(page.locator(".state")).to_contain_text("Remise")
        audit.check(page, "portail: commande (remise)")
        page.goto(f"/portail/commandes/{second}")
        page.get_by_role("button", name="Refuser la commande").click()
        expect(page.locator("#e-refus_reason")).to_be_visible()
        audit.check(page, "portail: commande (erreur)")
        page.get_by_role("group", name="Refuser la commande").get_by_label("Motif").fill(
            "Rupture de stock chez nous")
        page.get_by_role("button", name="Refuser la commande").click()
        expect(page.locator(".state")).to_contain_text("Refusée")
        expect(page.get_by_text("Rupture de stock chez nous")).to_be_visible()
        shoot(page, "portail-commande", keep)

    statuses = {o: market.http.get(f"/v1/orders/{o}", headers=buyer.headers).json()[
        "merchant_orders"][0]["status"] for o in (first, second)}
    assert statuses == {first: "fulfilled", second: "declined"}
    audit.assert_clean()


def test_the_portal_speaks_english_through_the_switch(api: Api) -> None:
    shop = Shop(api)
    mine, owner = shop.merchant(name="Miellerie des Cantons")
    honey = api.listing(mine, owner, publish=True, stock=10)
    order = shop.check_out(shop.cart({honey: 1})).json()["id"]
    client = owner_session(api, mine)
    client.get("/langue/en")
    for path, words in (("/portail", "Approved"), ("/portail/fiches", "New listing"),
                        ("/portail/fiches/nouvelle", "Price before taxes ($)"),
                        (f"/portail/fiches/{honey}", "Withdraw from sale"),
                        (f"/portail/commandes/{order}", "Accept the order")):
        answer = client.get(path)
        assert answer.status_code == 200 and words in answer.text, path
        assert 'lang="en-CA"' in answer.text


def test_long_lists_page_newest_first_and_a_foreign_cursor_starts_over(
        api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    from api.web import portal_listings, portal_orders

    monkeypatch.setattr(portal_listings, "SHOWN", 2)
    monkeypatch.setattr(portal_orders, "SHOWN", 1)
    mine, owner = api.approved_merchant(name="Miellerie des Cantons")
    titles = ["Miel de trèfle", "Miel de sarrasin", "Cire d'abeille"]
    listings = [api.listing(mine, owner, publish=True, stock=5, title_fr=t) for t in titles]
    shop = Shop(api)
    for listing in listings[:2]:
        shop.check_out(shop.cart({listing: 1}))
    theirs, their_owner = api.approved_merchant(name="Boulangerie d'en face")
    for n in range(3):
        api.listing(theirs, their_owner, title_fr=f"Pain {n}")
    their_next = api.client.get(f"/v1/merchants/{theirs}/listings?limit=1",
                                headers=their_owner).json()["next"]
    client = owner_session(api, mine)
    fresh = {"Prefer": "read-your-writes"}

    first = client.get("/portail/fiches", headers=fresh).text
    assert "Vos fiches (2 sur 3)" in first and "Première page" not in first
    assert "Cire d&#39;abeille" in first and "Miel de sarrasin" in first
    later = re.search(r'href="(/portail/fiches\?apres=[^"]+)" rel="next"', first)
    assert later is not None
    second = client.get(later.group(1)).text
    assert "Vos fiches (1 sur 3)" in second and "Miel de trèfle" in second
    assert 'rel="next"' not in second and 'href="/portail/fiches">Première page' in second

    orders = client.get("/portail/commandes", headers=fresh).text
    assert "Vos commandes (1 sur 2)" in orders
    older = re.search(r'href="(/portail/commandes\?apres=[^"]+)" rel="next"', orders)
    assert older is not None and "Vos commandes (1 sur 2)" in client.get(older.group(1)).text

    # Another merchant's cursor, or none of ours: the first page again, nothing of theirs.
    for path in (f"/portail/fiches?apres={their_next}", "/portail/fiches?apres=%00abc",
                 f"/portail/commandes?apres={their_next}"):
        answer = client.get(path, follow_redirects=False)
        assert (answer.status_code, answer.headers["location"]) == (
            303, path.split("?")[0]), path
