"""The portal's team page and the invitation's page in a real browser, on both backends: an
owner invites a clerk, the clerk follows the mail's link (signing in on the way), joins and
lands in the portal; the owner removes her, and her portal session ends. axe-core on every
page; screenshots of both pages (docs/screenshots/)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from api.container import build_container
from api.schemas.merchants import MerchantApplicationIn
from api.settings import Settings
from application.actors import Actor, Role
from tests.journeys.helpers import Marketplace, eventually, marketplace
from tests.support import merchant_body
from tests.web.browser import Audit, chromium, new_page, shoot, sign_in

PASSWORD = "une phrase de passe"
OWNER, CLERK = "sylvie.proprio@fromagerie-boreale.example", "leo.commis@courriel.example"


@pytest.fixture
def market(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Marketplace]:
    monkeypatch.setenv("COMPTOIR_MAP_TILES_URL", "")
    container = build_container(settings)  # the people and the merchant, before the server
    try:
        merchant = container.merchants.apply(MerchantApplicationIn(**merchant_body(
            name="Fromagerie Boréale")).to_form())
        container.merchants.approve(Actor(Role.VALIDATOR, str(uuid.uuid4())), merchant.id)
        container.accounts.create_verified(OWNER, PASSWORD, owner_of=merchant.id)
        container.accounts.create_verified(CLERK, PASSWORD)
    finally:
        container.close()
    with marketplace(settings) as running:
        yield running


def invitation_path(market: Marketplace) -> str:
    """The link of the invitation mailed to the clerk (the development mailbox)."""
    def listed() -> list[dict[str, Any]]:
        mails = market.http.get("/dev/mail", params={"format": "json"}).json()["mails"]
        return [m for m in mails if m["to"] == CLERK]
    [found] = eventually(listed, bool, 20)
    mail = market.http.get(found["href"], params={"format": "json"}).json()
    [link] = [link for link in mail["links"] if "/portail/invitation?token=" in link]
    return link[link.index("/portail/"):]


def test_an_owner_builds_her_team_and_a_clerk_joins_through_the_mails_link(
        market: Marketplace, settings: Settings) -> None:
    audit, keep = Audit(), settings.backend == "sqlite"
    with chromium() as browser:
        owner = new_page(browser, market.base)
        sign_in(owner, OWNER, PASSWORD, "/portail/equipe")
        expect(owner.get_by_role("heading", level=1)).to_have_text("Équipe")
        expect(owner.locator("table.team tbody tr")).to_have_count(1)
        audit.check(owner, "portail: équipe")
        owner.get_by_label("Adresse courriel").fill(CLERK)
        owner.get_by_role("button", name="Envoyer l'invitation").click()
        expect(owner.get_by_role("status")).to_have_text("Invitation envoyée.")
        assert CLERK not in owner.url  # never an address in a URL
        audit.check(owner, "portail: équipe (invitation envoyée)")

        clerk = new_page(browser, market.base)
        clerk.goto(invitation_path(market))
        expect(clerk).to_have_url(re.compile(r"/compte/connexion\?suivant="))
        clerk.get_by_label("Adresse courriel").fill(CLERK)
        clerk.get_by_label("Mot de passe").fill(PASSWORD)
        clerk.get_by_role("button", name="Me connecter").click()
        join = clerk.get_by_role("button", name="Rejoindre Fromagerie Boréale")
        expect(join).to_be_visible()
        audit.check(clerk, "portail: invitation")
        shoot(clerk, "portail-invitation", keep)
        join.click()
        expect(clerk).to_have_url(re.compile(r"/portail$"))
        expect(clerk.locator(".subnav-title")).to_contain_text("Fromagerie Boréale")

        owner.reload()
        rows = owner.locator("table.team tbody tr")
        expect(rows).to_have_count(2)
        expect(rows.nth(1)).to_contain_text(CLERK)
        expect(rows.nth(1)).to_contain_text("Membre")
        audit.check(owner, "portail: équipe (deux personnes)")
        shoot(owner, "portail-equipe", keep)
        owner.get_by_role("button", name=f"Retirer {CLERK}").click()
        expect(rows).to_have_count(1)

        clerk.goto("/portail/fiches")
        expect(clerk).to_have_url(re.compile(r"/compte/connexion"))
    audit.assert_clean()
