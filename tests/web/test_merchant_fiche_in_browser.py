"""The portal's fiche page and a listing's photos and variants in a real browser, on both
backends: an owner types her hours as she would say them, uploads her logo and a photo, adds
two variants; the shopper's pages show them. axe-core on every page; screenshots of both
portal pages (docs/screenshots/)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from api.container import build_container
from api.schemas.merchants import MerchantApplicationIn
from api.settings import Settings
from application.actors import Actor, Role
from domain.account import StaffRole
from tests.http.images import png
from tests.journeys.helpers import Marketplace, marketplace
from tests.support import listing_body, merchant_body
from tests.web.browser import Audit, chromium, new_page, shoot, sign_in

PASSWORD = "une phrase de passe"
OWNER = "mireille@miellerie-des-cantons.example"
VALIDATOR = "remi@comptoir.example"


@pytest.fixture
def market(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Marketplace]:
    monkeypatch.setenv("COMPTOIR_MAP_TILES_URL", "")
    container = build_container(settings)
    try:
        merchant = container.merchants.apply(MerchantApplicationIn(**merchant_body(
            name="Miellerie des Cantons", categories=["alimentation"])).to_form())
        container.merchants.approve(Actor(Role.VALIDATOR, str(uuid.uuid4())), merchant.id)
        container.accounts.create_verified(OWNER, PASSWORD, owner_of=merchant.id)
        container.accounts.create_verified(VALIDATOR, PASSWORD, staff=StaffRole.VALIDATOR)
        owner = Actor(Role.MERCHANT, str(uuid.uuid4()), merchant.id)
        listing_id = container.catalog.create_listing(owner, merchant.id, listing_body(
            title_fr="Miel de trèfle", category="alimentation", price_cents=899))
        container.catalog.publish(owner, listing_id)
    finally:
        container.close()
    with marketplace(settings) as running:
        running.listing_id = str(listing_id)  # type: ignore[attr-defined]
        yield running


def test_an_owner_shows_her_hours_logo_photos_and_sizes_and_shoppers_see_them(
        market: Marketplace, settings: Settings, tmp_path: Path) -> None:
    audit, keep = Audit(), settings.backend == "sqlite"
    picture = tmp_path / "miel.png"
    picture.write_bytes(png((640, 480)))
    listing_id = market.listing_id  # type: ignore[attr-defined]
    with chromium() as browser:
        owner = new_page(browser, market.base)
        sign_in(owner, OWNER, PASSWORD, "/portail/commerce")
        expect(owner.get_by_role("heading", level=1)).to_have_text("Mon commerce")
        audit.check(owner, "portail: mon commerce")
        owner.get_by_label("Lundi").fill("9 h à 17 h")
        owner.get_by_label("Samedi").fill("9:00-12:00, 13 h à 16 h")
        owner.get_by_label("Description en français").fill("Miels crus des Cantons-de-l'Est.")
        owner.get_by_role("button", name="Enregistrer").click()
        expect(owner.get_by_role("status")).to_have_text("Modifications enregistrées.")
        expect(owner.get_by_label("Samedi")).to_have_value("09:00-12:00, 13:00-16:00")
        owner.get_by_label("Image (JPEG, PNG ou WebP, 8 Mo au plus)").set_input_files(picture)
        owner.get_by_role("button", name="Téléverser ce logo").click()
        expect(owner.get_by_role("img", name="Logo de Miellerie des Cantons")).to_be_visible()
        audit.check(owner, "portail: mon commerce (logo)")
        shoot(owner, "portail-commerce", keep)
        owner.get_by_label("Nom légal").fill("Miellerie des Cantons coop")
        owner.get_by_role("button", name="Demander ce changement").click()
        expect(owner.get_by_text("Demande en attente de l'équipe de validation")).to_be_visible()
        audit.check(owner, "portail: mon commerce (identité demandée)")

        owner.goto(f"/portail/fiches/{listing_id}")
        owner.get_by_label("Image (JPEG, PNG ou WebP, 8 Mo au plus)").set_input_files(picture)
        owner.get_by_role("button", name="Ajouter cette photo").click()
        expect(owner.get_by_role("img", name="Photo 1 de Miel de trèfle")).to_be_visible()
        for label, sku, price in (("250 g", "MIEL-250", "5,99"), ("1 kg", "MIEL-1000", "18,50")):
            new = owner.get_by_role("group", name="Ajouter une variante")
            new.get_by_label("Libellé").fill(label)
            new.get_by_label("Code de produit (SKU)").fill(sku)
            new.get_by_label("Prix avant taxes ($)").fill(price)
            new.get_by_role("button", name="Ajouter une variante").click()
            expect(owner.get_by_role("group", name=label)).to_be_visible()
        stock = owner.locator("form", has=owner.get_by_label("Stock de « 1 kg »"))
        stock.get_by_label("Stock de « 1 kg »").fill("3")
        stock.get_by_role("button").click()
        expect(owner.get_by_label("Stock de « 1 kg »")).to_have_value("3")
        audit.check(owner, "portail: une fiche (photos, variantes)")
        shoot(owner, "portail-fiche", keep)

        shopper = new_page(browser, market.base)
        shopper.goto(f"/produits/{listing_id}")
        expect(shopper.get_by_role("img", name="Photo 1 de Miel de trèfle")).to_be_visible()
        options = shopper.get_by_label("Produit").locator("option")
        expect(options).to_have_text([re.compile(r"250 g — 5,99"), re.compile(r"1 kg — 18,50")])
        audit.check(shopper, "boutique: un produit (photo, variantes)")
        slug = market.http.get("/v1/search/merchants", params={"q": "miellerie"},
                               headers={"Prefer": "read-your-writes"}).json()["items"][0]["slug"]
        shopper.goto(f"/m/{slug}")
        expect(shopper.get_by_text("9 h 00 – 12 h 00, 13 h 00 – 16 h 00")).to_be_visible()
        expect(shopper.get_by_role("img", name=re.compile("Miellerie des Cantons"))).to_be_visible()

        validator = new_page(browser, market.base)
        sign_in(validator, VALIDATOR, PASSWORD, "/validation")
        validator.get_by_role("link", name="Miellerie des Cantons").last.click()
        expect(validator.get_by_role("heading", name="Changement d'identité légale demandé")
               ).to_be_visible()
        audit.check(validator, "validation: un changement d'identité")
        validator.get_by_role("button", name="Approuver le changement").click()
        expect(validator.get_by_text("Miellerie des Cantons coop")).to_be_visible()
    audit.assert_clean()
