"""In a real browser, on both backends: the shop without JavaScript (search, cart, a local
delivery chosen and priced again, a declined test card), the English switch, and a shopper
who erases her account after a clear warning. axe-core checks every page."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from api.settings import Settings
from tests.journeys.helpers import GATINEAU, Marketplace, eventually, marketplace
from tests.web.browser import DESKTOP, Audit, chromium, shoot, verification_token

EMAIL, PASSWORD = "elodie.roy@courriel.example", "érables en automne"
NBSP = "\u00a0"


@pytest.fixture
def market(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Marketplace]:
    monkeypatch.setenv("COMPTOIR_MAP_TILES_URL", "")
    with marketplace(settings) as running:
        yield running


def verified_shopper(market: Marketplace) -> None:
    assert market.http.post("/v1/accounts", json={"email": EMAIL, "password": PASSWORD}
                            ).status_code == 202
    token = verification_token(market.http, EMAIL)
    assert market.http.post("/v1/accounts/email-verification",
                            json={"token": token}).status_code == 200


def sign_in(page: Page) -> None:
    page.goto("/compte/connexion")
    page.get_by_label("Adresse courriel").fill(EMAIL)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Me connecter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon compte")


def test_the_shop_works_without_javascript_with_a_delivery_and_a_declined_card(
        market: Marketplace) -> None:
    delivers = market.approved_merchant(
        "Boulangerie du Quartier", GATINEAU, ["boulangerie"],
        fulfilment={"pickup": True, "delivery_radius_km": 15, "delivery_fee_cents": 600})
    bread = market.listing(delivers, "Pain au levain", on_hand=10, price_cents=650,
                           category="boulangerie", tax_class="zero_rated",
                           description_fr="Levain naturel.")
    eventually(lambda: market.search_listings(q="levain"), lambda p: p["total"] >= 1, 10)
    verified_shopper(market)
    audit = Audit()
    with chromium() as browser:
        context = browser.new_context(base_url=market.base, locale="fr-CA", viewport=DESKTOP,
                                      java_script_enabled=False)
        page = context.new_page()
        sign_in(page)
        page.goto("/?q=levain&near=J8X+1A1")
        expect(page.locator("#carte")).to_be_hidden()  # no map without JavaScript...
        expect(page.locator("#commerces li")).to_have_count(1)  # ...the list says it all
        page.get_by_role("link", name="Pain au levain").click()
        page.get_by_label("Quantité").fill("2")
        page.get_by_role("button", name="Ajouter au panier").click()
        page.goto("/caisse")
        for label, value in (("Nom complet", "Élodie Roy"), ("Adresse (numéro et rue)",
                             "8, rue Eddy"), ("Municipalité", "Gatineau"),
                             ("Code postal", "J8X 2V5")):
            page.get_by_label(label).fill(value)
        page.get_by_label("Région").select_option("07")
        page.get_by_label(re.compile("Livraison locale")).check()
        page.get_by_role("button", name="Recalculer").click()  # the fee, priced again
        expect(page.locator(".sums")).to_contain_text("Frais de livraison")
        expect(page.get_by_label(re.compile("Livraison locale"))).to_be_checked()
        assert page.get_by_label("Nom complet").input_value() == "Élodie Roy"
        page.get_by_label("Carte").select_option("pm_card_chargeDeclined")
        assert page.locator("#payer").inner_text() == f"Payer 19,00{NBSP}$"  # 2 × 6,50 + 6,00
        page.locator("#payer").click()
        expect(page.locator(".status-line")).to_contain_text("Refusé")
        expect(page.locator(".notice.warn")).to_contain_text("rien ne vous a été facturé")
        listing = market.http.get(f"/v1/listings/{bread}", headers=delivers.owner).json()
        assert listing["stock"]["reserved"] == 0  # the reservation was released at once

        # axe runs in the page (JavaScript): the same pages, the same session, checked so.
        order_url = page.url
        checked = browser.new_context(base_url=market.base, locale="fr-CA", viewport=DESKTOP,
                                      storage_state=context.storage_state()).new_page()
        checked.goto(order_url)
        audit.check(checked, "commande (refusée)")
        checked.goto(f"/produits/{bread}")
        checked.get_by_role("button", name="Ajouter au panier").click()
        checked.goto("/caisse")
        expect(checked.get_by_role("button", name="Recalculer")).to_be_visible()
        audit.check(checked, "caisse (deux modes de remise)")
        context.close()
    audit.assert_clean()


def test_english_on_demand_and_an_erasure_after_a_clear_warning(market: Marketplace,
                                                                settings: Settings) -> None:
    verified_shopper(market)
    audit, keep = Audit(), settings.backend == "sqlite"
    with chromium() as browser:
        page = browser.new_context(base_url=market.base, locale="fr-CA",
                                   viewport=DESKTOP).new_page()
        # The switch, remembered from page to page.
        page.goto("/")
        page.get_by_role("link", name="English").click()
        expect(page.locator("html")).to_have_attribute("lang", "en-CA")
        expect(page.get_by_role("heading", level=1)).to_have_text("Find local products")
        audit.check(page, "search (English)")
        page.goto("/compte/connexion")
        expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
        page.get_by_role("link", name="Français").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Se connecter")

        page.goto("/compte/mot-de-passe-oublie")
        audit.check(page, "mot de passe oublié")
        page.goto("/compte/nouveau-mot-de-passe?token=x")
        audit.check(page, "nouveau mot de passe")

        # Erasure: a warning, a box to tick, then nothing of her is left to sign in with.
        sign_in(page)
        page.get_by_role("link", name="Effacer mon compte et mes données…").click()
        expect(page.locator(".warning")).to_contain_text("c'est définitif")
        audit.check(page, "effacement")
        shoot(page, "effacement", keep)
        page.get_by_role("button", name="Effacer définitivement").click()
        expect(page.locator("#e-confirm")).to_have_text("Cochez la case pour confirmer.")
        audit.check(page, "effacement (erreur)")
        page.get_by_label("Je comprends que l'effacement est définitif.").check()
        page.get_by_role("button", name="Effacer définitivement").click()
        expect(page.get_by_role("status")).to_have_text(
            "Votre compte et vos données ont été effacés.")
        expect(page.get_by_role("navigation").get_by_role("link", name="Se connecter")
               ).to_be_visible()
        page.goto("/compte/connexion")
        page.get_by_label("Adresse courriel").fill(EMAIL)
        page.get_by_label("Mot de passe").fill(PASSWORD)
        page.get_by_role("button", name="Me connecter").click()
        expect(page.locator(".error-summary")).to_contain_text(
            "Adresse ou mot de passe incorrect.")  # the API's own words (api/i18n.py)
    audit.assert_clean()
