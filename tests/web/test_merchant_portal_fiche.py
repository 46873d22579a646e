"""What a merchant shows of itself and of its products, from the portal's forms (both backends,
TestClient): its fiche (descriptions, website, hours as people type them, address, logo), a
listing's photos and its variants. Each reaches the API, the public pages and search; a form
with problems says each of them and records nothing; another merchant's listing is not found."""

from __future__ import annotations

import html
from html.parser import HTMLParser

from fastapi.testclient import TestClient

from domain.account import StaffRole
from domain.places import locate_address
from tests.http.images import png
from tests.support import Api
from tests.web.test_consoles import staff_client
from tests.web.test_merchant_portal import owner_session
from tests.web.test_shop_forms import csrf_of

FICHE = "/portail/commerce"
FRESH = {"Prefer": "read-your-writes"}


def fiche_form(client: TestClient, **changes: str) -> dict[str, str]:
    """The page's fields as a browser would send them back (as the page fills them; the
    identity form's are read too, and the fiche's form takes no notice of them), with these
    changes."""
    page = FormValues()
    page.feed(client.get(FICHE).text)
    return {**page.values, **changes}


class FormValues(HTMLParser):
    """The values a browser would send: inputs, textareas, the selected options."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self._in: str | None = None  # the textarea or select being read

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "input" and a.get("name") and a.get("type") != "file":
            self.values[a["name"]] = a.get("value", "")
        elif tag in ("textarea", "select"):
            self._in = a.get("name")
            self.values.setdefault(self._in or "", "")
        elif tag == "option" and self._in and "selected" in a:
            self.values[self._in] = a.get("value", "")

    def handle_data(self, data: str) -> None:
        if self._in and self._in.startswith("description"):
            self.values[self._in] += data

    def handle_endtag(self, tag: str) -> None:
        if tag in ("textarea", "select"):
            self._in = None


def test_a_merchant_writes_its_hours_as_people_do_and_its_page_and_search_follow(
        api: Api) -> None:
    merchant_id, owner = api.approved_merchant()
    listing_id = api.listing(merchant_id, owner, publish=True, stock=3, title_fr="Tomme")
    before = api.client.get(f"/v1/merchants/{merchant_id}").json()
    client = owner_session(api, merchant_id)
    shown = fiche_form(client)
    assert (shown["street"], shown["postal_code"], shown["region"], shown["contact_name"]) == (
        "123, rue Principale", "J8X 3X7", "07", "Sophie Tremblay")
    saved = client.post(FICHE, data=fiche_form(
        client, description_fr="Fromages fins de l'Outaouais, affinés sur place.",
        website="https://fromagerie.example", hours_monday="9 h à 17 h",
        hours_saturday="9:00-12:00, 13 h 30 à 17 h"), follow_redirects=False)
    assert (saved.status_code, saved.headers["location"]) == (303, FICHE + "?enregistre=1")
    assert "Modifications enregistrées." in client.get(saved.headers["location"]).text

    fiche = api.client.get(f"/v1/merchants/{merchant_id}").json()
    assert fiche["description_fr"] == "Fromages fins de l'Outaouais, affinés sur place."
    assert fiche["website"] == "https://fromagerie.example"
    assert fiche["hours"]["monday"] == [{"opens": "09:00", "closes": "17:00"}]
    assert fiche["hours"]["saturday"] == [{"opens": "09:00", "closes": "12:00"},
                                          {"opens": "13:30", "closes": "17:00"}]
    assert fiche["hours"]["sunday"] == []
    assert fiche["location"] == before["location"]  # the same address sent back moves nothing
    page = api.client.get(f"/m/{fiche['slug']}").text
    assert "9 h 00 – 12 h 00, 13 h 30 – 17 h 00" in page
    assert "affinés sur place" in page
    # The form shows the hours as they now stand.
    assert 'value="09:00-12:00, 13:30-17:00"' in client.get(FICHE).text

    # Hours nobody can read and a website that would run a script: both said, nothing recorded.
    length = api.log_length()
    refused = client.post(FICHE, data=fiche_form(
        client, hours_tuesday="midi", website="javascript:alert(1)", hours_monday="17 h à 9 h"))
    assert refused.status_code == 422
    for field in ("hours_tuesday", "hours_monday", "website"):
        assert f'id="e-{field}"' in refused.text
    assert "9 h à 12 h, 13 h à 17 h" in refused.text  # how to write them
    assert 'value="midi"' in refused.text  # what she typed stays in the form
    assert api.log_length() == length

    # She moves to Magog: the page and search place her (and her listings) there.
    moved = client.post(FICHE, data=fiche_form(
        client, street="50, rue Principale Ouest", municipality="Magog",
        postal_code="J1X 2A5", region="05"), follow_redirects=False)
    assert moved.status_code == 303, moved.text
    fiche = api.client.get(f"/v1/merchants/{merchant_id}").json()
    assert (fiche["address"]["municipality"], fiche["address"]["region"]) == ("Magog", "05")
    magog = locate_address("Magog", "05", "J1X 2A5")  # its centre, as an application is placed
    assert magog is not None and magog.lat != before["location"]["lat"]
    assert (fiche["location"]["lat"], fiche["location"]["lon"]) == (magog.lat, magog.lon)
    hits = api.client.get("/v1/search/listings", params={"q": "tomme"}, headers=FRESH).json()
    assert [(h["id"], h["municipality"], h["region"]) for h in hits["items"]] == [
        (listing_id, "Magog", "05")]

    # A new contact person: for the merchant's people and staff, never on the page.
    changed = client.post(FICHE, data=fiche_form(
        client, contact_name="Léa Bouchard", contact_email="lea@fromagerie.example",
        contact_phone="819 555-0123"), follow_redirects=False)
    assert changed.status_code == 303, changed.text
    contact = api.client.get(f"/v1/merchants/{merchant_id}", headers=owner).json()["contact"]
    assert (contact["name"], contact["email"], contact["phone"]) == (
        "Léa Bouchard", "lea@fromagerie.example", "+18195550123")
    assert "Bouchard" not in api.client.get(f"/m/{fiche['slug']}").text
    length = api.log_length()
    assert client.post(FICHE, data=fiche_form(client), follow_redirects=False
                       ).status_code == 303
    assert api.log_length() == length  # the form sent back as it stands records nothing


def test_a_logo_uploaded_in_the_portal_shows_on_the_page_and_can_be_removed(api: Api) -> None:
    merchant_id, _ = api.approved_merchant()
    client = owner_session(api, merchant_id)
    uploaded = client.post(FICHE + "/logo", data={"csrftoken": csrf_of(client, FICHE)},
                           files={"fichier": ("logo.png", png((300, 300)), "image/png")},
                           follow_redirects=False)
    assert uploaded.status_code == 303, uploaded.text
    logo = api.client.get(f"/v1/merchants/{merchant_id}").json()["logo"]
    assert logo is not None
    slug = api.client.get(f"/v1/merchants/{merchant_id}").json()["slug"]
    assert f'src="/images/{logo["id"]}/' in api.client.get(f"/m/{slug}").text
    assert api.client.get(f"/images/{logo['id']}/small.webp").status_code == 200

    length = api.log_length()
    refused = client.post(FICHE + "/logo", data={"csrftoken": csrf_of(client, FICHE)},
                          files={"fichier": ("logo.png", b"pas une image" * 10, "image/png")})
    assert refused.status_code == 422
    assert 'class="error-summary"' in refused.text
    assert api.log_length() == length

    removed = client.post(FICHE + "/logo/retrait", data={"csrftoken": csrf_of(client, FICHE)},
                          follow_redirects=False)
    assert removed.status_code == 303
    assert api.client.get(f"/v1/merchants/{merchant_id}").json()["logo"] is None


def test_photos_are_added_put_first_and_removed_and_the_product_page_shows_them(
        api: Api) -> None:
    merchant_id, owner = api.approved_merchant()
    listing_id = api.listing(merchant_id, owner, publish=True, stock=4)
    other_id, other = api.approved_merchant(name="Boulangerie Voisine")
    theirs = api.listing(other_id, other, publish=True, stock=1)
    client = owner_session(api, merchant_id)
    here = f"/portail/fiches/{listing_id}"
    for size in ((400, 300), (300, 400)):
        added = client.post(here + "/photos", data={"csrftoken": csrf_of(client, here)},
                            files={"fichier": ("photo.png", png(size), "image/png")},
                            follow_redirects=False)
        assert (added.status_code, added.headers["location"]) == (303, here + "#photos")
    first, second = photos = api.client.get(f"/v1/listings/{listing_id}").json()["photos"]
    assert [p["id"] for p in photos] == [first["id"], second["id"]]
    shown = api.client.get(f"/produits/{listing_id}").text
    assert f'src="/images/{first["id"]}/medium.webp" alt="Photo 1 de Cheddar fort"' in shown

    client.post(here + "/photos/premiere", data={"csrftoken": csrf_of(client, here),
                                                 "photo": second["id"]})
    assert [p["id"] for p in api.client.get(f"/v1/listings/{listing_id}").json()["photos"]] \
        == [second["id"], first["id"]]
    client.post(here + "/photos/retrait", data={"csrftoken": csrf_of(client, here),
                                                "photo": second["id"]})
    assert [p["id"] for p in api.client.get(f"/v1/listings/{listing_id}").json()["photos"]] \
        == [first["id"]]

    # Another merchant's listing, and a photo the listing does not have: not found.
    length = api.log_length()
    assert client.post(f"/portail/fiches/{theirs}/photos", data={
        "csrftoken": csrf_of(client, here)},
        files={"fichier": ("photo.png", png(), "image/png")}).status_code == 404
    assert client.post(here + "/photos/retrait", data={
        "csrftoken": csrf_of(client, here), "photo": second["id"]}).status_code == 404
    assert api.log_length() == length


def test_variants_are_added_and_revised_and_a_bad_one_says_every_problem(api: Api) -> None:
    merchant_id, owner = api.approved_merchant()
    listing_id = api.listing(merchant_id, owner, publish=True, stock=0, title_fr="Miel de trèfle",
                             category="alimentation")
    client = owner_session(api, merchant_id)
    here = f"/portail/fiches/{listing_id}"
    for label, sku, price in (("250 g", "MIEL-250", "5,99"), ("500 g", "MIEL-500", "9.99")):
        added = client.post(here + "/variante", data={
            "csrftoken": csrf_of(client, here), "v_label": label, "v_sku": sku,
            "v_price": price}, follow_redirects=False)
        assert added.status_code == 303, added.text
    variants = api.client.get(f"/v1/listings/{listing_id}", headers=owner).json()["variants"]
    assert [(v["label"], v["sku"], v["price"]["cents"]) for v in variants] == [
        ("250 g", "MIEL-250", 599), ("500 g", "MIEL-500", 999)]

    length = api.log_length()
    refused = client.post(here + "/variante", data={
        "csrftoken": csrf_of(client, here), "v_label": "", "v_sku": "MIEL-250",
        "v_price": "cinq dollars"})
    assert refused.status_code == 422
    for field in ("v_label", "v_price"):
        assert f'id="e-{field}"' in refused.text
    assert 'value="cinq dollars"' in refused.text
    assert api.log_length() == length

    revised = client.post(here + "/variante-modifiee", data={
        "csrftoken": csrf_of(client, here), "variant_id": variants[0]["id"],
        "v_label": "250 g", "v_sku": "MIEL-250", "v_price": "6,49"}, follow_redirects=False)
    assert revised.status_code == 303, revised.text
    variants = api.client.get(f"/v1/listings/{listing_id}", headers=owner).json()["variants"]
    assert [(v["label"], v["price"]["cents"]) for v in variants] == [("250 g", 649),
                                                                      ("500 g", 999)]
    taken = client.post(here + "/variante-modifiee", data={
        "csrftoken": csrf_of(client, here), "variant_id": variants[0]["id"],
        "v_label": "250 g", "v_sku": "MIEL-500", "v_price": "6,49"})
    assert taken.status_code == 422
    assert "250 g :" in taken.text  # said above the variants' forms, naming the one


def test_a_new_legal_identity_is_asked_in_the_portal_and_decided_in_the_console(
        api: Api) -> None:
    merchant_id, _ = api.approved_merchant()
    client = owner_session(api, merchant_id)
    form = fiche_form(client)
    assert form["legal_name"] == "Fromagerie du Marché inc."
    length = api.log_length()
    bad = client.post(FICHE + "/identite", data={
        "csrftoken": form["csrftoken"], "legal_name": form["legal_name"], "neq": "12"})
    assert bad.status_code == 422 and 'id="e-neq"' in bad.text
    assert api.log_length() == length
    asked = client.post(FICHE + "/identite", data={
        "csrftoken": form["csrftoken"], "legal_name": "Fromagerie du Marché ltée",
        "neq": form["neq"]}, follow_redirects=False)
    assert asked.status_code == 303, asked.text
    page = html.unescape(client.get(FICHE).text)
    assert "Demande en attente de l'équipe de validation : nom légal « Fromagerie du " \
           "Marché ltée »" in page
    fiche = api.client.get(f"/v1/merchants/{merchant_id}", headers=api.validator).json()
    assert fiche["legal_name"] == "Fromagerie du Marché inc."  # sells as before meanwhile

    validator = staff_client(api, "remi@comptoir.example", StaffRole.VALIDATOR, "/validation")
    queue = html.unescape(validator.get("/validation").text)
    assert f'href="/validation/{merchant_id}#identite"' in queue
    assert "Fromagerie du Marché ltée" in queue
    token = csrf_of(validator, f"/validation/{merchant_id}")
    refused = validator.post(f"/validation/{merchant_id}/identite-refusee",
                             data={"csrftoken": token, "reason": ""})
    assert refused.status_code == 422  # a refusal says why
    approved = validator.post(f"/validation/{merchant_id}/identite-approuvee",
                              data={"csrftoken": token}, follow_redirects=False)
    assert approved.status_code == 303, approved.text
    fiche = api.client.get(f"/v1/merchants/{merchant_id}", headers=api.validator).json()
    assert (fiche["legal_name"], fiche["pending_identity"]) == ("Fromagerie du Marché ltée",
                                                                None)
    assert "Aucune demande en attente." in html.unescape(validator.get("/validation").text)
