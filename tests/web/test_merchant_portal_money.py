"""The merchant portal's second half (api/web/portal_payouts.py, portal_insight.py,
portal_integrations.py): over HTTP (the ASGI app, both backends), CSRF and another merchant's
ids change nothing; in a real browser on a production-mode server (so that the webhooks' SSRF
rule applies as it does for real merchants), an owner with sales reads her ledger, downloads
the month's statement (the API's very bytes), reads her insight with a small group hidden,
makes an API key that works until revoked, and adds then disables a webhook endpoint."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from uuid import UUID

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import expect

from api.settings import Settings
from application.actors import Actor, Role
from domain.quebec import CIVIL_TIME
from tests.journeys.helpers import (
    GATINEAU,
    Marketplace,
    Merchant,
    eventually,
    marketplace_mailing_to,
    merchant_application,
)
from tests.journeys.test_people_sign_up_and_are_told import PASSWORD, signed_up, token_session
from tests.mail.inbox import Inbox, smtp_server
from tests.support import Api
from tests.web.browser import Audit, chromium, new_page, shoot, sign_in
from tests.web.test_shop_forms import csrf_of

OWNER = "lucie.fruiterie@courriel.example"
NBSP = "\u00a0"


# -- over HTTP -----------------------------------------------------------------------------------

def owner(api: Api, email: str, merchant_id: str) -> Actor:
    account = api.container.accounts.create_verified(email, PASSWORD, owner_of=UUID(merchant_id))
    return Actor(Role.MERCHANT, str(account), UUID(merchant_id))


def owner_session(api: Api, email: str, merchant_id: str) -> TestClient:
    owner(api, email, merchant_id)
    client = api.client
    client.cookies.clear()
    answer = client.post("/compte/connexion", data={"email": email, "password": PASSWORD,
                                                    "suivant": "/portail/integrations"},
                         follow_redirects=False)
    assert (answer.status_code, answer.headers["location"]) == (303, "/portail/integrations")
    return client


def test_forms_without_the_csrf_token_or_with_another_merchants_ids_change_nothing(
        api: Api) -> None:
    mine, _ = api.approved_merchant(name="Fruiterie Chez Lucie")
    theirs, their_owner = api.approved_merchant(name="Boulangerie d'en face")
    keys = api.container.api_keys
    them = owner(api, "boulangerie@courriel.example", theirs)
    their_key = keys.issue(them, UUID(theirs), "Leur caisse")
    their_hook = api.client.post(f"/v1/merchants/{theirs}/webhook-endpoints",
                                 headers=their_owner,
                                 json={"url": "https://crochets.exemple.com/leur",
                                       "event_types": ["order.placed.v1"]}).json()
    client = owner_session(api, OWNER, mine)
    log = api.log_length()

    # No token: 403, nothing made.
    for path, form in (("/portail/integrations/cles", {"name": "Caisse"}),
                       ("/portail/integrations/webhooks",
                        {"url": "https://crochets.exemple.com/a",
                         "event_types": "order.placed.v1"}),
                       ("/portail/versements/compte", {})):
        refused = client.post(path, data=form, follow_redirects=False)
        assert (refused.status_code, refused.json()["code"]) == (403, "csrf_failed"), path
    assert api.log_length() == log

    # Another merchant's key and endpoint, with a good token: the not-found page, nothing done.
    token = csrf_of(client, "/portail/integrations")
    for path, form in ((f"/portail/integrations/cles/{their_key.id}/revocation", {}),
                       (f"/portail/integrations/webhooks/{their_hook['id']}/etat",
                        {"enabled": "0"}),
                       (f"/portail/integrations/webhooks/{their_hook['id']}/secret", {}),
                       ("/portail/integrations/cles/pas-un-id/revocation", {})):
        answer = client.post(path, data={"csrftoken": token, **form}, follow_redirects=False)
        assert answer.status_code == 404, (path, answer.text)
        assert "Page introuvable" in answer.text
    assert api.log_length() == log
    assert [k.revoked for k in keys.list(them, UUID(theirs))] == [False]
    hook = api.client.get(f"/v1/merchants/{theirs}/webhook-endpoints/{their_hook['id']}",
                          headers=their_owner).json()
    assert hook["enabled"] is True

    # A merchant id in the form is ignored: the key is made for the session's merchant.
    made = client.post("/portail/integrations/cles",
                       data={"csrftoken": token, "name": "Caisse", "merchant_id": theirs},
                       follow_redirects=False)
    assert (made.status_code, made.headers["location"]) == (303, "/portail/integrations#cles")
    assert [k.name for k in keys.list(them, UUID(theirs))] == ["Leur caisse"]
    me = owner(api, OWNER, mine)
    assert [k.name for k in keys.list(me, UUID(mine))] == ["Caisse"]


def test_the_secret_is_shown_once_and_every_problem_of_a_webhook_at_once(api: Api) -> None:
    mine, _ = api.approved_merchant(name="Fruiterie Chez Lucie")
    client = owner_session(api, OWNER, mine)
    token = csrf_of(client, "/portail/integrations")
    client.post("/portail/integrations/cles", data={"csrftoken": token, "name": "Caisse"})
    first = client.get("/portail/integrations").text
    assert "Copiez-la maintenant" not in first  # the redirect's GET showed it already...
    made = client.post("/portail/integrations/cles",
                       data={"csrftoken": token, "name": "Site web"}, follow_redirects=False)
    shown = client.get(made.headers["location"]).text  # ...as this one does, once
    secret = re.search(r'<code class="secret" id="secret">(ck_[^<]+)</code>', shown)
    assert secret is not None
    again = client.get("/portail/integrations").text
    assert secret.group(1) not in again and "Copiez-la maintenant" not in again

    refused = client.post("/portail/integrations/webhooks",
                          data={"csrftoken": token, "url": "http://10.0.0.7/crochet"})
    assert refused.status_code == 422
    summary = re.search(r'<div class="error-summary".*?</div>', refused.text, re.S).group(0)  # type: ignore[union-attr]
    assert summary.count("<li>") == 2  # the URL and the event types, together
    assert "Choisissez au moins un type d" in summary
    assert 'aria-invalid="true"' in refused.text and 'id="e-url"' in refused.text

    # A new signing secret, shown once too; the endpoint's first secret then signs 24 h more.
    added = client.post("/portail/integrations/webhooks", follow_redirects=False,
                        data={"csrftoken": token, "url": "https://crochets.exemple.com/a",
                              "event_types": ["order.placed.v1", "payout.sent.v1"]})
    assert added.status_code == 303
    shown_once = client.get("/portail/integrations").text
    first_secret = re.search(r'id="secret">(whsec_[^<]+)<', shown_once)
    assert first_secret is not None
    [endpoint] = api.container.webhook_endpoints.all(owner(api, OWNER, mine), UUID(mine))
    assert endpoint.event_types == ("order.placed.v1", "payout.sent.v1")
    rotated = client.post(f"/portail/integrations/webhooks/{endpoint.id}/secret",
                          data={"csrftoken": token}, follow_redirects=False)
    assert rotated.status_code == 303
    page = client.get("/portail/integrations").text
    second = re.search(r'id="secret">(whsec_[^<]+)<', page)
    assert second is not None and second.group(1) != first_secret.group(1)
    assert "ancien secret signe encore jusqu" in page
    assert "whsec_" not in client.get("/portail/integrations").text


# -- in a browser ------------------------------------------------------------------------------

@pytest.fixture
def inbox() -> Iterator[Inbox]:
    with smtp_server() as running:
        yield running


@pytest.fixture
def market(settings: Settings, inbox: Inbox, monkeypatch: pytest.MonkeyPatch
           ) -> Iterator[Marketplace]:
    """Production mode (webhook URLs must be public https), mail to the test's SMTP server."""
    with marketplace_mailing_to(inbox.port, settings, monkeypatch,
                                COMPTOIR_ENVIRONMENT="production",
                                COMPTOIR_MAP_TILES_URL="") as running:
        yield running


def fruit_shop_with_sales(market: Marketplace, inbox: Inbox) -> Merchant:
    """Lucie's account owns a Gatineau fruit shop; five neighbours (J8X) and two people from
    Québec City (G1R) each buy a basket of apples, and she hands over every order."""
    signed_up(market, inbox, OWNER)
    applied = market.http.post("/v1/merchants", headers=token_session(market, OWNER),
                               json=merchant_application("Fruiterie Chez Lucie", GATINEAU,
                                                         ["alimentation"]))
    assert applied.status_code == 201, applied.text
    shop_id = applied.json()["id"]
    assert market.http.post(f"/v1/merchants/{shop_id}/approval",
                            headers=market.validator).status_code == 200
    shop = Merchant(shop_id, market.bearer(Role.MERCHANT, merchant_id=shop_id),
                    "Fruiterie Chez Lucie")
    apples = market.listing(shop, "Panier de pommes Cortland", on_hand=50, price_cents=799,
                            category="alimentation", description_fr="Panier de 2 kg")
    buyers = [("J8X 1A1", "Gatineau", "07"), ("J8X 2B4", "Gatineau", "07"),
              ("J8X 3C6", "Gatineau", "07"), ("J8X 4E2", "Gatineau", "07"),
              ("J8X 1B9", "Gatineau", "07"), ("G1R 4S9", "Québec", "03"),
              ("G1R 2B5", "Québec", "03")]
    for number, (postal_code, town, region) in enumerate(buyers):
        shopper = market.shopper(name=f"Cliente {number}",
                                 email=f"cliente{number}@courriel.example",
                                 postal_code=postal_code, municipality=town, region=region)
        order = market.buy(shopper, {apples: 1})
        for step in ("acceptance", "fulfilment"):
            done = market.http.post(f"/v1/orders/{order['id']}/merchant-orders/{shop_id}/{step}",
                                    headers=shop.owner)
            assert done.status_code == 200, done.text
    return shop


def ledger_of(market: Marketplace, shop: Merchant) -> dict:
    answer = market.http.get(f"/v1/merchants/{shop.id}/payouts", headers=shop.owner)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_an_owner_reads_her_money_and_insight_and_wires_her_systems(
        market: Marketplace, inbox: Inbox, settings: Settings) -> None:
    shop = fruit_shop_with_sales(market, inbox)
    ledger = eventually(lambda: ledger_of(market, shop),
                        lambda found: found["total"] == 7
                        and all(o["status"] != "waiting" for o in found["items"]), 20)
    assert ledger["total"] == 7 and ledger["totals"]["gross_cents"] == 7 * 799
    audit, keep = Audit(), settings.backend == "sqlite"
    with chromium() as browser:
        page = new_page(browser, market.base)

        # She signs in on the way to her payouts: the portal opens as her merchant.
        sign_in(page, OWNER, PASSWORD, "/portail/versements")
        expect(page.get_by_role("heading", level=1)).to_have_text("Versements")

        # The ledger's figures, to the cent as the API gives them.
        totals = ledger["totals"]
        sums = page.locator(".ledger-sums dd")
        expect(sums).to_have_count(6)
        assert [int(sums.nth(i).get_attribute("data-cents") or "x") for i in range(6)] == [
            totals[k] for k in ("gross_cents", "commission_cents", "share_cents",
                                "refunded_share_cents", "paid_cents", "owed_cents")]
        expect(sums.first).to_have_text(f"55,93{NBSP}$")  # 7 × 7,99 $
        expect(page.locator("table.ledger tbody tr")).to_have_count(7)
        expect(page.locator("table.ledger tbody tr").first).to_contain_text(f"7,99{NBSP}$")
        audit.check(page, "portail: versements")
        shoot(page, "portail-versements", keep)

        # This month's statement downloads as the API's very bytes.
        month = datetime.now(CIVIL_TIME).strftime("%Y-%m")
        with page.expect_download() as download:
            page.locator(f"a[href='/portail/versements/releves/{month}.csv']").click()
        api_csv = market.http.get(f"/v1/merchants/{shop.id}/payout-statements/{month}",
                                  params={"format": "csv"}, headers=shop.owner)
        assert api_csv.status_code == 200
        assert Path(download.value.path()).read_bytes() == api_csv.content
        assert api_csv.text.count("\n") > 7  # a line per entry, and the totals

        # The owner's button opens the gateway's onboarding link (the local gateway's comes
        # straight back, the account ready).
        page.get_by_role("button", name="Ouvrir ou compléter mon compte de versement").click()
        expect(page.locator(".notice")).to_contain_text("Votre compte de versement est prêt")

        # Insight: five neighbours ordered (J8X), two people from Québec City too few to show.
        page.get_by_role("navigation", name="Portail entreprise").get_by_role(
            "link", name="Statistiques").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Statistiques")
        by_region = page.locator("#t-par-region tbody tr")

        def orders_in(region: str) -> str:
            row = by_region.filter(has=page.locator("th", has_text=region))
            return row.locator("td[data-kind='order']").inner_text() if row.count() else ""

        eventually(lambda: (page.reload(), orders_in("J8X"))[1], lambda text: text == "5", 10)
        assert orders_in("J8X") == "5"
        assert orders_in("G1R") == "moins de 5"  # words, never a number
        assert "2" not in orders_in("G1R")  # the two orders are not told
        assert page.locator("#t-periode tr[data-kind='order'] td").first.inner_text() == "7"
        audit.check(page, "portail: statistiques")
        shoot(page, "portail-statistiques", keep)

        # An API key: shown once, works on the API, and stops working once revoked.
        page.get_by_role("link", name="Clés d'API et webhooks").click()
        page.get_by_label("Nom de la clé").fill("Caisse du magasin")
        page.get_by_role("button", name="Créer la clé").click()
        secret = page.locator("#secret").inner_text()
        assert secret.startswith("ck_")
        audit.check(page, "portail: intégrations (clé)")
        key = {"Authorization": f"Bearer {secret}"}
        assert market.http.get(f"/v1/merchants/{shop.id}/listings",
                               headers=key).status_code == 200
        page.reload()
        expect(page.locator("#secret")).to_have_count(0)
        assert secret not in page.content()
        page.get_by_role("button", name="Révoquer Caisse du magasin").click()
        expect(page.locator("table.keys")).to_contain_text("Révoquée")
        assert eventually(lambda: market.http.get(f"/v1/merchants/{shop.id}/listings",
                                                  headers=key).status_code,
                          lambda status: status == 401, 15) == 401

        # A webhook endpoint: a private address is refused beside its field; a public one is
        # added, then disabled.
        page.get_by_label("Adresse (URL)").fill("http://127.0.0.1/crochet")
        page.get_by_label("order.placed.v1").check()
        page.get_by_role("button", name="Ajouter le webhook").click()
        expect(page.locator(".error-summary")).to_be_visible()
        expect(page.locator("#e-url")).to_contain_text("adresse publique")
        expect(page.get_by_label("Adresse (URL)")).to_have_attribute("aria-invalid", "true")
        audit.check(page, "portail: intégrations (erreur)")
        page.get_by_label("Adresse (URL)").fill("https://crochets.fruiterie-lucie.example/c")
        page.get_by_role("button", name="Ajouter le webhook").click()
        expect(page.locator("#secret")).to_contain_text("whsec_")
        hook = page.locator("article.hook")
        expect(hook).to_have_count(1)
        expect(hook.locator(".hook-state")).to_have_text("Actif")
        page.get_by_role("button", name="Désactiver https://crochets.fruiterie-lucie.example/c"
                         ).click()
        expect(hook.locator(".hook-state")).to_have_text("Désactivé")
        [endpoint] = market.http.get(f"/v1/merchants/{shop.id}/webhook-endpoints",
                                     headers=shop.owner).json()
        assert (endpoint["url"], endpoint["enabled"], endpoint["event_types"]) == (
            "https://crochets.fruiterie-lucie.example/c", False, ["order.placed.v1"])
        audit.check(page, "portail: intégrations")
        shoot(page, "portail-integrations", keep)
        page.context.close()
    audit.assert_clean()


def test_the_pages_need_the_merchant_space_and_speak_english_too(api: Api) -> None:
    mine, _ = api.approved_merchant(name="Fruiterie Chez Lucie")
    api.client.cookies.clear()
    for path in ("/portail/versements", "/portail/statistiques", "/portail/integrations"):
        answer = api.client.get(path, follow_redirects=False)
        assert (answer.status_code, answer.headers["location"]) == (
            303, "/compte/connexion?suivant=" + path.replace("/", "%2F")), path
    client = owner_session(api, OWNER, mine)
    client.cookies.set("comptoir_langue", "en")
    for path, words in (("/portail/versements", "Payouts ledger"),
                        ("/portail/statistiques", "Over the period"),
                        ("/portail/integrations", "Create the key")):
        page = client.get(path)
        assert page.status_code == 200 and words in page.text, path
        assert '<html lang="en-CA">' in page.text
    client.cookies.set("comptoir_langue", "fr")

    # A period that is no period: both dates refused at once, in the API's words.
    refused = client.get("/portail/statistiques", params={"du": "2026-13-01", "au": "demain"})
    assert refused.status_code == 422
    summary = re.search(r'<div class="error-summary".*?</div>', refused.text, re.S).group(0)  # type: ignore[union-attr]
    assert summary.count("<li>") == 2 and 'href="#f-du"' in summary and 'href="#f-au"' in summary
    too_long = client.get("/portail/statistiques", params={"du": "2024-01-01", "au": "2026-01-01"})
    assert too_long.status_code == 422 and "au plus 366 jours" in too_long.text
    # A statement month that is no month: the API's message; an unknown format: not found.
    assert "Mois au format AAAA-MM." in client.get("/portail/versements/releves/2026-13.csv").text
    assert client.get("/portail/versements/releves/2026-11.xml").status_code == 404
