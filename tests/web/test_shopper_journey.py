"""A shopper's journey through the shop's pages in a real browser (Chromium), on both backends:
she signs up (the verification mail from the development mailbox), searches "sirop d'érable"
near Gatineau, adds items from three merchants (signing in when the shop asks), checks out
with the keyboard only, and follows her order while the merchants — through the JSON API —
accept, fulfil and decline. axe-core checks every page; screenshots are kept (SQLite run).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

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
from tests.web.browser import Audit, chromium, new_page, shoot, tab_to, verification_token

EMAIL = "camille.gagnon@courriel.example"
PASSWORD = "sirop d’érable 2026"
NBSP = "\u00a0"


@pytest.fixture
def market(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Marketplace]:
    monkeypatch.setenv("COMPTOIR_MAP_TILES_URL", "")  # no tile server: offline, markers only
    with marketplace(settings) as running:
        yield running


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
        merchant = market.approved_merchant(name, town, categories)
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

        # The merchants act through the API; the open page follows (it polls, no reload).
        def act(key: str, action: str, **body: str) -> None:
            merchant = shops[key][0]
            answer = market.http.post(
                f"/v1/orders/{order_id}/merchant-orders/{merchant.id}/{action}",
                headers=merchant.owner, json=body or None)
            assert answer.status_code == 200, answer.text

        act("erabliere", "acceptance")
        act("epicerie", "acceptance")
        act("epicerie", "fulfilment")
        act("fromagerie", "decline", reason="Meule pas encore affinée")
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
