"""A person's security from "Mon compte" (both backends, over HTTP): changing the password
(the current one asked; every session ends, this one too) and signing out everywhere (a lost
phone: every session and token of the account ends). Bad input is said inline and changes
nothing."""

from __future__ import annotations

import html

from fastapi.testclient import TestClient

from api.main import create_app
from tests.support import Api
from tests.web.test_shop_forms import EMAIL, PASSWORD, csrf_of, signed_in

NEW = "un nouveau mot de passe bien long"


def signs_in(api: Api, password: str) -> bool:
    return api.client.post("/v1/sessions", json={"email": EMAIL, "password": password}
                           ).status_code == 201


def test_a_password_is_changed_with_the_current_one_and_every_session_ends(api: Api) -> None:
    client = signed_in(api)
    length = api.log_length()
    wrong = client.post("/compte/mot-de-passe", data={
        "csrftoken": csrf_of(client, "/compte"), "current_password": "pas le bon",
        "new_password": NEW})
    assert wrong.status_code == 422 and 'id="e-current_password"' in wrong.text
    short = client.post("/compte/mot-de-passe", data={
        "csrftoken": csrf_of(client, "/compte"), "current_password": PASSWORD,
        "new_password": "court"})
    assert short.status_code == 422 and 'id="e-new_password"' in short.text
    assert api.log_length() == length

    changed = client.post("/compte/mot-de-passe", data={
        "csrftoken": csrf_of(client, "/compte"), "current_password": PASSWORD,
        "new_password": NEW})
    assert changed.status_code == 200, changed.text
    assert "Mot de passe changé" in html.unescape(changed.text)
    assert "comptoir_session" not in client.cookies
    assert client.get("/compte", follow_redirects=False).status_code == 303
    api.client.cookies.clear()
    assert not signs_in(api, PASSWORD) and signs_in(api, NEW)


def test_signing_out_everywhere_ends_the_other_devices_sessions_and_tokens(api: Api) -> None:
    phone = signed_in(api)
    with TestClient(create_app(container=api.container)) as laptop:
        assert laptop.post("/compte/connexion", data={
            "email": EMAIL, "password": PASSWORD, "suivant": "/compte",
            "csrftoken": csrf_of(laptop, "/compte/connexion")},
            follow_redirects=False).status_code == 303
        assert laptop.get("/compte", follow_redirects=False).status_code == 200
        token = laptop.post("/v1/sessions", json={"email": EMAIL, "password": PASSWORD}
                            ).json()["access_token"]
        bearer = {"Authorization": f"Bearer {token}"}
        assert laptop.get("/v1/accounts/me", headers=bearer).status_code == 200

        ended = phone.post("/compte/deconnexion-partout",
                           data={"csrftoken": csrf_of(phone, "/compte")})
        assert ended.status_code == 200
        assert "Toutes vos sessions ont pris fin" in html.unescape(ended.text)
        assert phone.get("/compte", follow_redirects=False).status_code == 303
        assert laptop.get("/compte", follow_redirects=False).status_code == 303
        laptop.cookies.clear()
        assert laptop.get("/v1/accounts/me", headers=bearer).status_code == 401
    assert signs_in(api, PASSWORD)  # the password itself still works
