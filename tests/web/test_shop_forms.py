"""The shop's forms over HTTP (the ASGI app, both backends): CSRF, inline errors, what an
anonymous visitor may do, and that the pages reach the use cases (the JSON API sees the same
cart). The browser journeys are in test_shopper_journey.py and test_shopper_account.py."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.journeys.helpers import eventually
from tests.support import Api

EMAIL, PASSWORD = "remi.cote@courriel.example", "une phrase de passe"
FRESH = {"Prefer": "read-your-writes"}


def signed_in(api: Api) -> TestClient:
    api.container.accounts.create_verified(EMAIL, PASSWORD)
    client = api.client
    client.cookies.clear()
    answer = client.post("/compte/connexion", data={"email": EMAIL, "password": PASSWORD,
                                                    "suivant": "/panier"},
                         follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/panier"
    assert "comptoir_session" in client.cookies
    return client


def a_listing(api: Api) -> str:
    merchant_id, owner = api.approved_merchant()
    return api.listing(merchant_id, owner, publish=True, stock=5, title_fr="Miel de trèfle")


def csrf_of(client: TestClient, path: str) -> str:
    page = client.get(path).text
    return re.search(r'name="csrftoken" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]


def test_a_form_posted_without_the_csrf_token_is_refused_and_changes_nothing(api: Api) -> None:
    listing = a_listing(api)
    client = signed_in(api)
    refused = client.post("/panier", data={"listing_id": listing, "quantity": "2"},
                          follow_redirects=False)
    assert refused.status_code == 403
    assert refused.json()["code"] == "csrf_failed"
    assert "Votre panier est vide." in client.get("/panier").text  # nothing added
    forged = client.post("/panier", data={"listing_id": listing, "quantity": "2",
                                          "csrftoken": "forged"}, follow_redirects=False)
    assert forged.status_code == 403

    # The same form with the page's token goes through, to the same use case as the API.
    token = csrf_of(client, f"/produits/{listing}")
    added = client.post("/panier", data={"csrftoken": token, "listing_id": listing,
                                         "quantity": "2"}, follow_redirects=False)
    assert added.status_code == 303, added.text
    cart_id = client.cookies["comptoir_panier"]
    cart = client.get(f"/v1/carts/{cart_id}").json()  # the JSON API, with the same session
    assert [(line["listing_id"], line["quantity"]) for m in cart["merchants"]
            for line in m["lines"]] == [(listing, 2)]

    # Erasure without the token: refused, and the account still signs in.
    assert client.post("/compte/effacement", data={"confirm": "oui"},
                       follow_redirects=False).status_code == 403
    assert api.container.accounts.sign_in(EMAIL, PASSWORD, "test") is not None


def test_anonymous_visitors_search_and_read_but_sign_in_to_buy(api: Api) -> None:
    listing = a_listing(api)
    api.client.get("/v1/search/listings", params={"q": "miel"}, headers=FRESH)
    found = api.client.get("/", params={"q": "miel", "near": "Gatineau"})
    assert found.status_code == 200 and f"/produits/{listing}" in found.text
    assert found.headers["content-language"] == "fr-CA"
    assert "script-src 'self'" in found.headers["content-security-policy"]
    page = api.client.get(f"/produits/{listing}")
    assert "Connectez-vous pour acheter" in page.text
    token = re.search(r'name="csrftoken" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    asked = api.client.post("/panier", data={"csrftoken": token, "listing_id": listing},
                            follow_redirects=False)
    assert asked.status_code == 303
    assert asked.headers["location"] == f"/compte/connexion?suivant=%2Fproduits%2F{listing}"
    for path in ("/panier", "/caisse", "/compte", "/compte/effacement"):
        answer = api.client.get(path, follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"].startswith(
            "/compte/connexion?suivant="), path


def test_search_problems_are_shown_in_french_all_at_once(api: Api) -> None:
    page = api.client.get("/", params={"near": "Atlantide", "radius_km": "9000",
                                       "region": "99"}).text
    summary = re.search(r'<div class="error-summary".*?</div>', page, re.S).group(0)  # type: ignore[union-attr]
    assert "Atlantide" in summary  # the place is unknown
    assert "Région administrative inconnue (01 à 17)." in summary
    assert "Le rayon doit être supérieur à 0" in summary


def test_sign_in_refusals_say_the_same_for_unknown_and_wrong(api: Api) -> None:
    api.container.accounts.create_verified(EMAIL, PASSWORD)
    texts = []
    for email, password in ((EMAIL, "mauvais mot de passe"), ("personne@nulle.part", PASSWORD)):
        answer = api.client.post("/compte/connexion", data={"email": email,
                                                            "password": password})
        assert answer.status_code == 401
        texts.append(re.search(r"<li>(.*?)</li>", answer.text.split("error-summary")[1]).group(1))  # type: ignore[union-attr]
    assert texts[0] == texts[1]


def test_the_language_switch_is_remembered_and_goes_back_only_to_this_site(api: Api) -> None:
    switched = api.client.get("/langue/en", params={"retour": "/compte/connexion"},
                              follow_redirects=False)
    assert switched.headers["location"] == "/compte/connexion"
    page = api.client.get("/compte/connexion")
    assert '<html lang="en-CA">' in page.text and "Sign in" in page.text
    for elsewhere in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        answer = api.client.get("/langue/fr", params={"retour": elsewhere},
                                follow_redirects=False)
        assert answer.headers["location"] == "/"
    assert '<html lang="fr-CA">' in api.client.get("/compte/connexion").text


def test_a_forgotten_password_is_reset_from_the_mails_link(api: Api) -> None:
    api.container.accounts.create_verified(EMAIL, PASSWORD)
    token = csrf_of(api.client, "/compte/mot-de-passe-oublie")
    asked = api.client.post("/compte/mot-de-passe-oublie", data={"csrftoken": token,
                                                                 "email": EMAIL})
    assert asked.status_code == 200 and "un lien valide une heure" in asked.text
    mailbox = api.container.dev_mailbox
    assert mailbox is not None

    def links() -> list[str]:
        return [m for mail in mailbox.mails() if mail.to == EMAIL
                for m in re.findall(r"https?://\S+/compte/nouveau-mot-de-passe\?token=\S+",
                                    mail.text)]
    [link] = eventually(links, bool, 20)
    path = link.split("://", 1)[1].split("/", 1)[1]
    form = api.client.get("/" + path).text
    reset_token = re.search(r'name="token" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
    weak = api.client.post("/compte/nouveau-mot-de-passe", data={"token": reset_token,
                                                                 "password": "court"})
    assert weak.status_code == 422 and 'id="e-password"' in weak.text
    done = api.client.post("/compte/nouveau-mot-de-passe", data={
        "token": reset_token, "password": "un tout nouveau mot de passe"})
    assert done.status_code == 200 and "Mot de passe changé" in done.text
    assert api.container.accounts.sign_in(EMAIL, "un tout nouveau mot de passe", "t")
    again = api.client.post("/compte/nouveau-mot-de-passe", data={
        "token": reset_token, "password": "encore un autre mot de passe"})
    assert again.status_code == 422  # the link works once
