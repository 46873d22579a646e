"""The staff consoles (api/web/validation.py, audit_console.py, admin.py), on both backends.

A browser journey on a real server: a validator works the queue (a too-short reason refused,
nothing changed; an approval that the public search then shows), an auditor reads an order's
history and verifies the chain without ever seeing the shopper's personal data, an admin opens
a storefront and grants a role. axe-core on every page. Then, in process: no CSRF token → 403
and nothing changed; a shopper or a merchant never sees a console."""

from __future__ import annotations

import re
from collections.abc import Iterator
from uuid import UUID

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import expect

from api.container import build_container
from api.settings import Settings
from application.accounts import StaffRole
from tests.journeys.helpers import (
    GATINEAU,
    Marketplace,
    eventually,
    marketplace,
    merchant_application,
)
from tests.support import Api
from tests.web.browser import Audit, chromium, new_page, shoot, sign_in
from tests.web.test_shop_forms import csrf_of

PASSWORD = "une phrase de passe"
VALIDATOR, AUDITOR, ADMIN = ("valerie.validation@comptoir.example",
                             "aurele.audit@comptoir.example", "adele.admin@comptoir.example")
NEWCOMER = "noemie.nouvelle@comptoir.example"
SHOPPER = {"name": "Camille Gagnon", "street": "10, rue Laval", "phone": "819-555-0142",
           "email": "camille.gagnon@courriel.example"}


@pytest.fixture
def market(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Marketplace]:
    monkeypatch.setenv("COMPTOIR_MAP_TILES_URL", "")
    container = build_container(settings)  # the staff's accounts, before the server starts
    try:
        for email, role in ((VALIDATOR, StaffRole.VALIDATOR), (AUDITOR, StaffRole.AUDITOR),
                            (ADMIN, StaffRole.ADMIN)):
            container.accounts.create_verified(email, PASSWORD, staff=role)
        container.accounts.create_verified(NEWCOMER, PASSWORD)
    finally:
        container.close()
    with marketplace(settings) as running:
        yield running


def test_staff_validate_audit_and_administer_in_their_consoles(
        market: Marketplace, settings: Settings) -> None:
    first = market.apply(merchant_application("Cidrerie du Verger", GATINEAU, ["alimentation"]))
    second = market.apply(merchant_application("Poterie des Collines", GATINEAU,
                                               ["artisanat"]))
    shop = market.approved_merchant("Érablière du Ruisseau", GATINEAU, ["alimentation"])
    listing = market.listing(shop, "Sirop d'érable", on_hand=5, price_cents=1450,
                             category="alimentation", tax_class="zero_rated", origin="produced",
                             description_fr="Sirop d'érable de Chelsea.")
    shopper = market.shopper(name=SHOPPER["name"], email=SHOPPER["email"])
    order = market.buy(shopper, {listing: 1})
    audit, keep = Audit(), settings.backend == "sqlite"
    with chromium() as browser:
        page = new_page(browser, market.base)

        # The validator: two applications, oldest first.
        sign_in(page, VALIDATOR, PASSWORD, "/validation")
        expect(page.get_by_role("heading", level=1)).to_have_text("Demandes à examiner")
        rows = page.locator("table.console-table tbody tr")
        expect(rows).to_have_count(2)
        expect(rows.nth(0)).to_contain_text("Cidrerie du Verger")
        expect(rows.nth(1)).to_contain_text("Poterie des Collines")
        audit.check(page, "validation: file")
        shoot(page, "validation-file", keep)

        # A reason too short is refused, inline and in the summary; nothing changes.
        rows.nth(0).get_by_role("link").click()
        expect(page).to_have_url(re.compile(rf"/validation/{first}$"))
        page.get_by_label("Motif").fill("no")
        page.get_by_role("button", name="Refuser avec ce motif").click()
        expect(page.locator(".error-summary")).to_be_visible()
        expect(page.locator("#e-reason")).to_contain_text("3")
        expect(page.locator("#statut")).to_have_text("En examen")
        audit.check(page, "validation: motif trop court")
        shoot(page, "validation-commerce-erreur", keep)
        assert market.http.get(f"/v1/merchants/{first}",
                               headers=market.validator).json()["status"] == "under_review"

        # The other is approved, and the public search finds it.
        page.goto(f"/validation/{second}")
        page.get_by_role("button", name="Approuver").click()
        expect(page.locator("#statut")).to_have_text("Approuvé")
        audit.check(page, "validation: approuvé")
        found = eventually(lambda: market.search_merchants(q="Poterie des Collines"),
                           lambda hits: hits["total"] >= 1, 10)
        assert [h["name"] for h in found["items"]] == ["Poterie des Collines"]
        page.goto("/validation")
        expect(page.locator("table.console-table tbody tr")).to_have_count(1)

        # The auditor: the order's history, the chain verified; nothing personal anywhere.
        sign_in(page, AUDITOR, PASSWORD, "/audit")
        seen: list[str] = [page.content()]
        expect(page.get_by_role("heading", level=1)).to_have_text("Journal des événements")
        audit.check(page, "audit: journal")
        page.get_by_label("Agrégat").fill(order["id"])
        page.get_by_role("button", name="Filtrer").click()
        seen.append(page.content())
        expect(page.locator("tbody tr").first).to_contain_text(order["id"])
        page.locator("tbody tr").last.get_by_role("link").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(order["id"])
        events = page.locator("table.console-table tbody tr")
        assert events.count() >= 2
        expect(events.first).to_contain_text("comptoir.Order.Placed")
        seen.append(page.content())
        audit.check(page, "audit: agrégat")
        shoot(page, "audit-agregat", keep)
        # The shopper's own aggregate: there, her details are sealed.
        page.goto(f"/audit/agregats/{shopper.subject}")
        expect(page.locator("table.console-table tbody tr").first).to_contain_text(
            "comptoir.Consumer.Registered")
        seen.append(page.content())
        audit.check(page, "audit: client")
        page.goto("/audit")
        page.get_by_role("button", name="Vérifier la chaîne").click()
        expect(page.locator("#verdict")).to_have_text("Chaîne intacte")
        expect(page.locator("#tete code")).to_have_text(re.compile(r"^[0-9a-f]{64}$"))
        # The latest signed checkpoint and the key that checks it, to keep apart.
        expect(page.locator("#signee code").nth(1)).to_have_text(re.compile(r"^[0-9a-f]{128}$"))
        expect(page.locator("#cle-publique")).to_contain_text("BEGIN PUBLIC KEY")
        seen.append(page.content())
        audit.check(page, "audit: vérification")
        shoot(page, "audit-verification", keep)
        for text in seen:
            for personal in SHOPPER.values():
                assert personal not in text

        # The admin: a storefront, and the auditor role granted to an account.
        sign_in(page, ADMIN, PASSWORD, "/admin")
        expect(page.get_by_role("heading", level=1)).to_have_text("Administration")
        audit.check(page, "admin")
        page.get_by_label("Identifiant (URL)").fill("outaouais")
        page.get_by_label("Nom en français").fill("Achat local Outaouais")
        page.get_by_label("Nom en anglais").fill("Buy local Outaouais")
        page.get_by_label("07 — Outaouais").check()
        page.get_by_role("button", name="Ouvrir la vitrine").click()
        expect(page).to_have_url(re.compile(r"/admin\?fait=vitrine$"))
        expect(page.locator("#vitrines + table tbody tr")).to_have_count(1)
        expect(page.locator("#vitrines + table")).to_contain_text("Achat local Outaouais")
        page.get_by_label("Courriel du compte").fill(NEWCOMER)
        page.get_by_label("Rôle", exact=True).select_option("auditor")
        page.get_by_role("button", name="Accorder").click()
        expect(page).to_have_url(re.compile(r"/admin\?fait=grant$"))
        audit.check(page, "admin: fait")
        shoot(page, "admin", keep)
        assert market.http.get("/v1/storefronts/outaouais").json()["name_fr"] == \
            "Achat local Outaouais"
    audit.assert_clean()
    # The newcomer now signs in as an auditor.
    answer = market.http.post("/v1/sessions", json={"email": NEWCOMER, "password": PASSWORD,
                                                    "role": "auditor"})
    assert answer.status_code in (200, 201), answer.text


def staff_client(api: Api, email: str, role: StaffRole | None, then: str) -> TestClient:
    if role is not None:
        api.container.accounts.create_verified(email, PASSWORD, staff=role)
    client = api.client
    client.cookies.clear()
    signed = client.post("/compte/connexion", data={"email": email, "password": PASSWORD,
                                                    "suivant": then}, follow_redirects=False)
    assert signed.status_code == 303, signed.text
    return client


def test_a_form_without_the_csrf_token_changes_nothing(api: Api) -> None:
    merchant_id = api.apply()
    client = staff_client(api, VALIDATOR, StaffRole.VALIDATOR, "/validation")
    assert "Demandes à examiner" in client.get("/validation").text
    client.cookies.set("comptoir_langue", "en")
    assert "Applications to review" in client.get("/validation").text
    assert "Approve" in client.get(f"/validation/{merchant_id}").text
    client.cookies.delete("comptoir_langue")
    refused = client.post(f"/validation/{merchant_id}/approve", follow_redirects=False)
    assert refused.status_code == 403
    assert api.client.get(f"/v1/merchants/{merchant_id}",
                          headers=api.validator).json()["status"] == "under_review"
    token = csrf_of(client, f"/validation/{merchant_id}")
    done = client.post(f"/validation/{merchant_id}/approve", data={"csrftoken": token},
                       follow_redirects=False)
    assert (done.status_code, done.headers["location"]) == (
        303, f"/validation/{merchant_id}?fait=approve")

    client = staff_client(api, ADMIN, StaffRole.ADMIN, "/admin")
    refused = client.post("/admin/vitrines", data={"slug": "estrie", "name_fr": "Estrie",
                                                   "name_en": "Eastern Townships"},
                          follow_redirects=False)
    assert refused.status_code == 403
    assert api.client.get("/v1/storefronts/estrie").status_code == 404


@pytest.mark.parametrize("path", ["/validation", "/audit", "/admin"])
def test_a_shopper_or_a_merchant_never_sees_a_console(api: Api, path: str) -> None:
    merchant_id, _ = api.approved_merchant()
    api.container.accounts.create_verified("marchande@courriel.example", PASSWORD,
                                           owner_of=UUID(merchant_id))
    api.container.accounts.create_verified("client@courriel.example", PASSWORD)
    for email, then in (("marchande@courriel.example", "/portail"),
                        ("client@courriel.example", "/compte")):
        client = staff_client(api, email, None, then)
        answer = client.get(path, follow_redirects=False)
        assert (answer.status_code, answer.headers["location"]) == (
            303, "/compte/espaces?suivant=" + path.replace("/", "%2F"))


def test_bad_filters_are_shown_inline_and_a_retention_dry_run_erases_nothing(api: Api) -> None:
    client = staff_client(api, AUDITOR, StaffRole.AUDITOR, "/audit")
    answer = client.get("/audit", params={"apres": "abc", "depuis": "hier"})
    assert answer.status_code == 422
    assert 'role="alert"' in answer.text
    assert 'id="e-apres"' in answer.text and 'id="e-depuis"' in answer.text

    client = staff_client(api, ADMIN, StaffRole.ADMIN, "/admin")
    page = client.get("/admin").text
    assert "Santé des modèles de lecture" in page and "<code>lists</code>" in page
    before = api.log_length()
    dry = client.post("/admin/conservation", data={"csrftoken": csrf_of(client, "/admin")})
    assert dry.status_code == 200 and "Ce que les règles effaceraient" in dry.text
    assert api.log_length() == before


def test_a_merchants_history_shows_each_decision_with_its_reason(api: Api) -> None:
    merchant_id, _ = api.approved_merchant()
    for action, body in (("suspension", {"reason": "Plainte à vérifier"}),
                         ("reinstatement", None)):
        assert api.client.post(f"/v1/merchants/{merchant_id}/{action}", headers=api.validator,
                               json=body).status_code == 200
    client = staff_client(api, VALIDATOR, StaffRole.VALIDATOR, "/validation")
    page = client.get(f"/validation/{merchant_id}").text
    history = page[page.index('id="historique"'):page.index('id="decision"')]
    rows = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()
            for row in re.findall(r"<tr><td>.*?</tr>", history)]
    # Each decision at its moment in Québec's time ("28 novembre 2026, 14 h 05"), then what it was.
    moment = re.compile(r"(\d{1,2}(?:er)? \w+ \d{4}, \d{1,2} h \d{2}) (.*)")
    moments = [moment.fullmatch(row) for row in rows]
    assert all(moments), rows
    assert [m.group(2) for m in moments if m] == [
        "Demande reçue", "Approuvé", "Suspendu — Plainte à vérifier", "Rétabli"]
