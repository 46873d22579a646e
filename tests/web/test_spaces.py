"""A person with several roles chooses where to work (api/web/spaces.py): a sign-in on the way
to the portal or a console acts there, /compte/espaces lists what the account holds, a switch
acts in the chosen role (the JSON API sees the same session), a role not held changes nothing."""

from __future__ import annotations

from uuid import UUID

from fastapi.testclient import TestClient

from application.accounts import StaffRole
from tests.support import Api
from tests.web.test_shop_forms import csrf_of

EMAIL, PASSWORD = "ginette.lavoie@courriel.example", "une phrase de passe"


def sign_in(client: TestClient, then: str) -> str:
    client.cookies.clear()
    answer = client.post("/compte/connexion", data={"email": EMAIL, "password": PASSWORD,
                                                    "suivant": then}, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return str(answer.headers["location"])


def acting_as(api: Api) -> tuple[str, str | None] | None:
    identity = api.container.sessions.identity(api.client.cookies["comptoir_session"])
    if identity is None:
        return None
    return identity.role.value, (str(identity.merchant_id) if identity.merchant_id else None)


def test_a_merchant_owner_who_validates_switches_between_her_spaces(api: Api) -> None:
    merchant_id, _ = api.approved_merchant(name="Fromagerie du Lac-Saint-Jean")
    other_id, _ = api.approved_merchant(name="Boulangerie de Trois-Rivières")
    api.container.accounts.create_verified(EMAIL, PASSWORD, owner_of=UUID(merchant_id))
    api.container.accounts.create_verified(EMAIL, PASSWORD, staff=StaffRole.VALIDATOR)
    client = api.client

    assert sign_in(client, "/panier") == "/panier"
    assert acting_as(api) == ("consumer", None)  # the shop signs in the shopper
    assert sign_in(client, "/portail") == "/portail"
    assert acting_as(api) == ("merchant", merchant_id)
    assert sign_in(client, "/validation") == "/validation"
    assert acting_as(api) == ("validator", None)

    page = client.get("/compte/espaces").text
    assert "Portail entreprise — Fromagerie du Lac-Saint-Jean" in page
    assert "Magasiner (client)" in page and "Validation des commerces" in page
    assert "Audit" not in page  # not held

    token = csrf_of(client, "/compte/espaces")
    old_session = client.cookies["comptoir_session"]
    moved = client.post("/compte/espaces", data={"csrftoken": token, "role": "merchant",
                                                 "merchant_id": merchant_id},
                        follow_redirects=False)
    assert (moved.status_code, moved.headers["location"]) == (303, "/portail")
    assert acting_as(api) == ("merchant", merchant_id)
    assert client.cookies["comptoir_session"] != old_session
    assert api.container.sessions.identity(old_session) is None  # the old session ended
    sign_in(client, "/panier")

    # A role not held, another merchant, or no CSRF token: nothing changes.
    token = csrf_of(client, "/compte/espaces")
    for form in ({"role": "auditor"}, {"role": "merchant", "merchant_id": other_id},
                 {"role": "merchant", "merchant_id": "pas-un-id"}):
        refused = client.post("/compte/espaces", data={"csrftoken": token, **form},
                              follow_redirects=False)
        assert (refused.status_code, refused.headers["location"]) == (303, "/compte/espaces")
        assert acting_as(api) == ("consumer", None)
    assert client.post("/compte/espaces", data={"role": "validator"},
                       follow_redirects=False).status_code == 403
    assert acting_as(api) == ("consumer", None)


def test_the_spaces_page_needs_a_signed_in_person(api: Api) -> None:
    api.client.cookies.clear()
    answer = api.client.get("/compte/espaces", follow_redirects=False)
    assert (answer.status_code, answer.headers["location"]) == (
        303, "/compte/connexion?suivant=%2Fcompte%2Fespaces")
