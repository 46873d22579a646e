"""A shopper's journey through the shop's pages in a real browser (Chromium), on both backends:
she signs up (the verification mail from the development mailbox), searches "sirop d'érable"
near Gatineau, adds items from three merchants (signing in when the shop asks), checks out
with the keyboard only, and follows her order while the merchants — each in its own browser,
in its portal — accept, fulfil and decline. axe-core checks every page; screenshots are kept
(SQLite run).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from api.settings import Settings
from tests.journeys.helpers import (
    CHELSEA,
    GATINEAU,
    QUEBEC,
    Marketplace,
    Merchant,
    eventually,
    marketplace,
)
from tests.web.browser import (
    Audit,
    chromium,
    new_page,
    shoot,
    sign_in,
    tab_to,
    verification_token,
)

EMAIL = "camille.gagnon@courriel.example"
PASSWORD = "sirop d’érable 2026"
NBSP = "\u00a0"


@pytest.fixture
def market(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Marketplace]:
    monkeypatch.setenv("COMPTOIR_MAP_TILES_URL", "")  # no tile server: offline, markers only
    with marketplace(settings) as running:
        yield running


def owner_account(market: Marketplace, key: str) -> dict[str, str]:
    """The account a shop's owner signs up with (and applies with: she owns the merchant)."""
    email = f"{key}@commerce.example"
    with httpx.Client(base_url=market.base, timeout=30) as own:  # her own cookies
        assert own.post("/v1/accounts", json={"email": email, "password": PASSWORD}
                        ).status_code == 202
        assert own.get("/v1/accounts/email-verification", params={
            "token": verification_token(market.http, email)}).json() == {"verified": True}
        signed = own.post("/v1/sessions", json={"email": email, "password": PASSWORD})
    assert signed.status_code == 201, signed.text
    return {"Authorization": f"Bearer {signed.json()['access_token']}"}


def sugar_shacks(market: Marketplace) -> dict[str, tuple[Merchant, str]]:
    """Three merchants around Gatineau selling maple syrup, and one in Québec City."""
    shacks = {
        "erabliere": ("Érablière du Ruisseau", CHELSEA, ["alimentation"],
                      "Sirop d'érable biologique", 1450, "zero_rated", "produced"),
        "epicerie": ("Épicerie du Marché", GATINEAU, ["alimentation"],
                     "Cruchon de sirop d'érable décoratif", 2400, "taxable", "designed"),
        "fromagerie": ("Fromagerie de la Vallée", GATINEAU, ["fromagerie"],
                       "Cheddar au sirop d'érable", 1299, "zero_rated", "transformed"),
        "loin": ("Cabane de la Capitale", QUEBEC, ["alimentation"],
                 "Sirop d'érable de la Capitale", 1600, "zero_rated", "produced"),
    }
    made = {}
    for key, (name, town, categories, title, cents, tax, origin) in shacks.items():
        merchant = market.approved_merchant(name, town, categories,
                                            applicant=owner_account(market, key))
        listing = market.listing(merchant, title, on_hand=20, price_cents=cents,
                                 category=categories[0], tax_class=tax, origin=origin,
                                 description_fr=f"{title}, fait par {name}.")
        made[key] = (merchant, listing)
    eventually(lambda: market.search_listings(q="sirop d'érable"),
               lambda page: page["total"] >= 4, 10)
    return made


def test_a_shopper_signs_up_searches_buys_from_three_merchants_and_follows_her_order(
        market: Marketplace, settings: Settings) -> None:
    shops = sugar_shacks(market)
    audit, keep = Audit(), settings.backend == "sqlite"  # one backend's screenshots are kept
    with chromium() as browser:
        page = new_page(browser, market.base)

        # She opens the shop and asks for an account; her first try is refused, all at once.
        page.goto("/")
        expect(page.locator("html")).to_have_attribute("lang", "fr-CA")
        page.get_by_role("link", name="Créer un compte").first.click()
        page.get_by_label("Adresse courriel").fill("camille@")
        page.get_by_label("Mot de passe").fill("court")
        page.get_by_role("button", name="Créer mon compte").click()
        summary = page.locator(".error-summary")
        expect(summary).to_be_visible()
        assert summary.locator("li").count() == 2  # the address and the password, together
        expect(page.locator("#e-email")).to_be_visible()
        expect(page.locator("#e-password")).to_contain_text("10")
        audit.check(page, "inscription (erreurs)")
        shoot(page, "inscription-erreurs", keep)
        page.get_by_label("Adresse courriel").fill(EMAIL)
        page.get_by_label("Mot de passe").fill(PASSWORD)
        page.get_by_role("button", name="Créer mon compte").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Vérifiez vos courriels")
        audit.check(page, "inscription (envoyée)")

        # The mail's link lands on the verification page.
        page.goto(f"/compte/verification?token={verification_token(market.http, EMAIL)}")
        expect(page.get_by_role("heading", level=1)).to_have_text("Adresse confirmée")
        audit.check(page, "vérification")

        # She searches for maple syrup near Gatineau within 25 km, before signing in.
        page.goto("/")
        page.get_by_label("Produit ou commerce").fill("sirop d'érable")
        page.get_by_label("Près de").fill("Gatineau")
        page.get_by_text("Filtres").click()  # the filters fold away until used
        page.get_by_label("Rayon").select_option("25")
        page.get_by_role("button", name="Chercher").click()
        results = page.locator(".cards .card")
        expect(results).to_have_count(3)  # Québec City is 300 km away
        text = page.locator(".results").inner_text()
        for title in ("Sirop d'érable biologique", "Cruchon de sirop d'érable décoratif",
                      "Cheddar au sirop d'érable"):
            assert title in text
        assert "Sirop d'érable de la Capitale" not in text
        assert re.search(r"à \d+,\d km", text)  # the distance, in French
        assert "Produit du Québec" in text and "Transformé au Québec" in text
        assert f"14,50{NBSP}$" in text and "En stock" in text
        # The map (progressive): one marker per merchant, drawn without any tile server.
        expect(page.locator("#carte")).to_be_visible()
        expect(page.locator("#carte .leaflet-interactive")).to_have_count(3)
        audit.check(page, "recherche")
        shoot(page, "recherche", keep)
        search_url = page.url

        # Adding to the cart asks her to sign in first, and brings her back to the product.
        page.get_by_role("link", name="Sirop d'érable biologique").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Sirop d'érable biologique")
        audit.check(page, "produit (visiteur)")
        page.get_by_role("button", name="Ajouter au panier").click()
        expect(page).to_have_url(re.compile(r"/compte/connexion\?suivant="))
        audit.check(page, "connexion")
        shoot(page, "connexion", keep)
        page.get_by_label("Adresse courriel").fill(EMAIL)
        page.get_by_label("Mot de passe").fill(PASSWORD)
        page.get_by_role("button", name="Me connecter").click()
        expect(page).to_have_url(re.compile(rf"/produits/{shops['erabliere'][1]}$"))

        # Items from three merchants.
        for key, quantity in (("erabliere", 2), ("epicerie", 1), ("fromagerie", 3)):
            page.goto(search_url)
            page.locator(f"a[href='/produits/{shops[key][1]}']").click()
            page.get_by_label("Quantité").fill(str(quantity))
            page.get_by_role("button", name="Ajouter au panier").click()
            expect(page.get_by_role("status")).to_contain_text("Ajouté au panier.")
        audit.check(page, "produit")
        shoot(page, "produit", keep)

        # One cart, grouped by merchant, each with its subtotal and taxes.
        page.get_by_role("navigation").get_by_role("link", name="Panier").click()
        parts = page.locator("section.part")
        expect(parts).to_have_count(3)
        cart = page.locator("main").inner_text()
        assert f"29,00{NBSP}$" in cart  # 2 × 14,50 $
        assert "TPS (5 %)" in cart and f"1,20{NBSP}$" in cart  # GST on the taxable 24,00 $
        assert f"2,39{NBSP}$" in cart  # QST 9,975 % of 24,00 $
        assert f"95,56{NBSP}$" in cart  # 29,00 + (24,00 + 1,20 + 2,39) + 38,97
        audit.check(page, "panier")
        shoot(page, "panier", keep)

        # Checkout with the keyboard only: Tab to each field, type, Enter to pay.
        tab_to(page, "a[href='/caisse']")
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", level=1)).to_have_text("Passer la commande")
        audit.check(page, "caisse")
        for selector, value in (("#f-name", "Camille Gagnon"), ("#f-phone", "819-555-0142"),
                                ("#f-street", "10, rue Laval"), ("#f-municipality", "Gatineau"),
                                ("#f-postal_code", "J8X 1A1")):
            tab_to(page, selector)
            page.keyboard.type(value)
        tab_to(page, "#f-region")
        page.keyboard.type("07")
        shoot(page, "caisse", keep)
        tab_to(page, "#payer")
        page.keyboard.press("Enter")

        # Her order: paid once, one part per merchant, waiting for each.
        expect(page.get_by_role("status")).to_contain_text("Commande passée")
        order_id = re.search(r"/commandes/([0-9a-f-]{36})", page.url).group(1)  # type: ignore[union-attr]
        expect(page.locator(".status-line")).to_contain_text("Payé")
        expect(page.locator("li.part")).to_have_count(3)
        expect(page.locator("li.status-placed")).to_have_count(3)
        audit.check(page, "commande")

        # Each merchant answers in its portal, in its own browser; her open page follows
        # (it polls, no reload).
        def portal(key: str) -> Page:
            own = new_page(browser, market.base)
            sign_in(own, f"{key}@commerce.example", PASSWORD, f"/portail/commandes/{order_id}")
            return own

        erabliere_owner = portal("erabliere")
        erabliere_owner.get_by_role("button", name="Accepter la commande").click()
        expect(erabliere_owner.locator(".state")).to_contain_text("Acceptée, à remettre")
        audit.check(erabliere_owner, "portail: commande acceptée")
        epicerie_owner = portal("epicerie")
        epicerie_owner.get_by_role("button", name="Accepter la commande").click()
        epicerie_owner.get_by_role("button", name="Marquer comme remise").click()
        expect(epicerie_owner.locator(".state")).to_contain_text("Remise")
        fromagerie_owner = portal("fromagerie")
        fromagerie_owner.get_by_role("group", name="Refuser la commande").get_by_label(
            "Motif").fill("Meule pas encore affinée")
        fromagerie_owner.get_by_role("button", name="Refuser la commande").click()
        expect(fromagerie_owner.locator(".state")).to_contain_text("Refusée")
        audit.check(fromagerie_owner, "portail: commande refusée")
        for own in (erabliere_owner, epicerie_owner, fromagerie_owner):
            own.context.close()
        erabliere, epicerie, fromagerie = (
            page.locator(f"li.part[data-merchant='{shops[k][0].id}']")
            for k in ("erabliere", "epicerie", "fromagerie"))
        expect(erabliere).to_contain_text("Acceptée, en préparation", timeout=20_000)
        expect(epicerie).to_contain_text("Remise — c'est fait !", timeout=20_000)
        expect(fromagerie).to_contain_text("Refusée par le commerce", timeout=20_000)
        expect(fromagerie).to_contain_text("Meule pas encore affinée")
        expect(fromagerie).to_contain_text(f"Remboursé : 38,97{NBSP}$")
        audit.check(page, "commande (suivie)")
        shoot(page, "commande", keep)

        # Mon compte lists the order; her data downloads as a file.
        page.get_by_role("navigation").get_by_role("link", name="Mon compte").click()
        rows = page.locator("table.lines tbody tr")
        eventually(lambda: (page.reload(), rows.count())[1], lambda n: n >= 1, 10)
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text("Épicerie du Marché")
        audit.check(page, "mon compte")
        shoot(page, "compte", keep)
        with page.expect_download() as download:
            page.get_by_role("link", name="Télécharger mes données (JSON)").first.click()
        exported = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
        assert order_id in json.dumps(exported)
        page.context.close()
    audit.assert_clean()
    print("axe: 0 serious or critical violations on", audit.pages)
