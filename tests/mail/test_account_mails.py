"""Mails about accounts, both backends, through a real SMTP server: the warning when an
address signs up again, the password reset link, a merchant's invitation — each link works."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.mail.inbox import Inbox, deliver, links, path_of, text
from tests.support import Api, merchant_body

PASSWORD = "érable en fût 2026"


def token_of(link: str) -> str:
    return parse_qs(urlsplit(link).query)["token"][0]


def verified_account(api: Api, inbox: Inbox, email: str, **body: Any) -> dict[str, str]:
    """Signed up, verified through the link of its mail, signed in: a bearer header."""
    assert api.client.post("/v1/accounts", json={"email": email, "password": PASSWORD,
                                                 **body}).status_code == 202
    deliver(api)
    [link] = links(inbox.to(email)[-1])
    assert api.client.get(path_of(link)).status_code == 200
    signed_in = api.client.post("/v1/sessions", json={"email": email, "password": PASSWORD})
    api.client.cookies.clear()
    return {"Authorization": f"Bearer {signed_in.json()['access_token']}"}


def test_signing_up_again_warns_the_owner_of_the_address_and_sends_no_second_link(
        mail_api: Api, inbox: Inbox) -> None:
    verified_account(mail_api, inbox, "eloise@courriel.example")
    assert mail_api.client.post("/v1/accounts", json={
        "email": "Eloise@Courriel.example", "password": "un autre mot de passe"}
    ).status_code == 202
    deliver(mail_api)

    [first, warning] = inbox.to("eloise@courriel.example")
    assert first["Subject"] == "Confirmez votre adresse courriel"
    assert warning["Subject"] == "Tentative d'inscription avec votre adresse"
    assert text(warning) == """Bonjour,

Quelqu'un, peut-être vous, a tenté de créer un compte Comptoir avec votre adresse, qui en a \
déjà un. Rien n'a changé.

Si c'était vous, connectez-vous ; mot de passe oublié ? \
http://127.0.0.1:8000/compte/mot-de-passe-oublie

— L'équipe Comptoir
"""


def test_people_whose_address_has_accents_get_their_link_and_sign_in_with_it_as_they_typed_it(
        mail_api: Api, inbox: Inbox) -> None:
    # Before the @ (RFC 6531, sent with SMTPUTF8), and a domain under Québec's own .québec,
    # which SMTP carries in its ASCII form.
    verified_account(mail_api, inbox, "josée.tremblay@courriel.example")
    assert inbox.messages[-1]["To"] == "josée.tremblay@courriel.example"
    assert mail_api.client.post("/v1/accounts", json={
        "email": "rene@boulangerie.québec", "password": PASSWORD}).status_code == 202
    deliver(mail_api)
    [mail] = inbox.to("rene@boulangerie.xn--qubec-csa")
    assert mail["Subject"] == "Confirmez votre adresse courriel"
    assert mail_api.client.get(path_of(links(mail)[0])).json() == {"verified": True}
    signed_in = mail_api.client.post("/v1/sessions", json={"email": "rene@boulangerie.québec",
                                                           "password": PASSWORD})
    assert signed_in.status_code == 201, signed_in.text


def test_repeated_sign_ups_with_a_taken_address_stop_mailing_its_owner_after_three(
        mail_api: Api, inbox: Inbox) -> None:
    verified_account(mail_api, inbox, "eloise@courriel.example")
    for attempt in range(6):  # from many places: the limit is per address, not per client
        answer = mail_api.client.post("/v1/accounts", json={
            "email": "eloise@courriel.example", "password": f"tentative numéro {attempt}"},
            headers={"X-Forwarded-For": f"203.0.113.{attempt}"})
        assert (answer.status_code, answer.json()) == (202, {"status": "check_your_mail"})
    deliver(mail_api)
    assert [m["Subject"] for m in inbox.to("eloise@courriel.example")] == [
        "Confirmez votre adresse courriel", *["Tentative d'inscription avec votre adresse"] * 3]


def test_the_reset_link_of_the_mail_sets_a_new_password(mail_api: Api, inbox: Inbox) -> None:
    api = mail_api
    verified_account(api, inbox, "ines@courriel.example", language="en")
    assert api.client.post("/v1/password-resets",
                           json={"email": "ines@courriel.example"}).status_code == 202
    deliver(api)

    mail = inbox.one("ines@courriel.example", "Reset your password")
    [link] = links(mail)
    assert link.startswith("http://127.0.0.1:8000/compte/nouveau-mot-de-passe?token=")
    assert text(mail) == f"""Hello,

To choose a new password, follow this link (valid one hour, once):
{link}

If you asked for nothing, ignore this message: your password stays the same.

— The Comptoir team
"""
    # The web page will post the token with the new password.
    assert api.client.post("/v1/password-resets/completion", json={
        "token": token_of(link), "new_password": "tire sur la neige"}).status_code == 204
    assert api.client.post("/v1/sessions", json={
        "email": "ines@courriel.example", "password": "tire sur la neige"}).status_code == 201


def test_an_invitation_mail_carries_the_link_that_joins_the_merchant(
        mail_api: Api, inbox: Inbox) -> None:
    api = mail_api
    # An account applies for a merchant, is approved, and invites a clerk.
    owner = verified_account(api, inbox, "proprio@fromagerie.example")
    applied = api.client.post("/v1/merchants", headers=owner, json=merchant_body(
        name="Fromagerie Boréale"))
    merchant_id = applied.json()["id"]
    assert api.client.post(f"/v1/merchants/{merchant_id}/approval",
                           headers=api.validator).status_code == 200
    as_merchant = api.client.post("/v1/sessions", json={
        "email": "proprio@fromagerie.example", "password": PASSWORD}).json()
    api.client.cookies.clear()
    assert api.client.post(f"/v1/merchants/{merchant_id}/invitations", headers={
        "Authorization": f"Bearer {as_merchant['access_token']}"},
        json={"email": "commis@fromagerie.example"}).status_code == 201
    deliver(api)

    invitation = inbox.one("commis@fromagerie.example", "Fromagerie Boréale vous invite sur "
                                                        "Comptoir")
    [link] = links(invitation)
    assert link.startswith("http://127.0.0.1:8000/portail/invitation?token=")
    assert text(invitation) == f"""Bonjour,

Fromagerie Boréale vous invite à rejoindre son équipe sur Comptoir. Pour accepter, \
connectez-vous (ou créez un compte avec cette adresse), puis suivez ce lien (valide 14 jours) :
{link}

Si vous ne vous attendiez pas à cette invitation, ignorez ce message.

— L'équipe Comptoir
"""
    # The clerk makes an account with that address and accepts with the link's token.
    clerk = verified_account(api, inbox, "commis@fromagerie.example")
    accepted = api.client.post("/v1/invitations/acceptance", headers=clerk,
                               json={"token": token_of(link)})
    assert accepted.json() == {"merchant_id": merchant_id}
