"""Accounts over HTTP, on both backends: signing up, in and out, passwords, CSRF, abuse limits,
roles, merchants' people and API keys, erasure."""

from __future__ import annotations

import logging
import statistics
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.container import build_container
from api.main import create_app
from api.settings import Settings
from application.actors import Role
from tests.support import Api, everything_stored, listing_body, merchant_body

PASSWORD = "érable en fût 2026"


def sign_up(api: Api, email: str, password: str = PASSWORD, **body: Any) -> None:
    response = api.client.post("/v1/accounts", json={"email": email, "password": password,
                                                     **body})
    assert response.status_code == 202, response.text
    assert response.json() == {"status": "check_your_mail"}


def verification_token(api: Api, email: str) -> str:
    """What the verification mail's link carries (the mail itself: tests/http/test_mail*)."""
    accounts = api.container.accounts
    account = accounts._by_index(accounts.email_index(email))
    assert account is not None
    return accounts.link_for("verify", account)


def verified(api: Api, email: str, password: str = PASSWORD, **body: Any) -> None:
    sign_up(api, email, password, **body)
    response = api.client.post("/v1/accounts/email-verification",
                               json={"token": verification_token(api, email)})
    assert response.status_code == 200, response.text


def sign_in(api: Api, email: str, password: str = PASSWORD, *, browser: bool = False,
            **body: Any) -> dict[str, Any]:
    """Signed in; as a program (its access token) unless `browser` keeps the cookies."""
    api.client.cookies.clear()
    response = api.client.post("/v1/sessions", json={"email": email, "password": password,
                                                     **body})
    assert response.status_code == 201, response.text
    if not browser:
        api.client.cookies.clear()
    return response.json()


def bearer(signed_in: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {signed_in['access_token']}"}


def admin(api: Api) -> dict[str, str]:
    api.container.accounts.create_admin("direction@comptoir.example", PASSWORD)
    return bearer(sign_in(api, "direction@comptoir.example"))


def account_id(headers: dict[str, str], api: Api) -> str:
    return api.client.get("/v1/accounts/me", headers=headers).json()["id"]


# -- signing up and in ----------------------------------------------------------------------------

def test_a_shopper_signs_up_verifies_and_signs_in(api: Api) -> None:
    sign_up(api, "Camille.Tremblay@Courriel.example", language="fr")
    refused = api.client.post("/v1/sessions", json={"email": "camille.tremblay@courriel.example",
                                                    "password": PASSWORD})
    assert refused.status_code == 409
    assert refused.json()["code"] == "email_unverified"

    link = api.client.get("/v1/accounts/email-verification",
                          params={"token": verification_token(api, "camille.tremblay@"
                                                                   "courriel.example")})
    assert link.status_code == 200
    signed_in = sign_in(api, "CAMILLE.TREMBLAY@courriel.example", browser=True)
    assert signed_in["role"] == "consumer"
    assert signed_in["merchant_id"] is None
    assert signed_in["expires_in"] == 15 * 60
    cookie = api.client.cookies.get("comptoir_session")
    assert cookie

    by_cookie = api.client.get("/v1/accounts/me")
    api.client.cookies.clear()
    by_token = api.client.get("/v1/accounts/me", headers=bearer(signed_in))
    assert by_cookie.status_code == by_token.status_code == 200
    assert by_cookie.json() == by_token.json() == {
        "id": signed_in["account_id"], "email": "camille.tremblay@courriel.example",
        "verified": True, "language": "fr", "roles": [], "merchants": {}}
    assert api.client.get("/v1/accounts/me").status_code == 401


def test_signing_up_twice_answers_the_same_and_keeps_the_first_password(api: Api) -> None:
    verified(api, "eloise@courriel.example")
    sign_up(api, "eloise@courriel.example", "un autre mot de passe")  # same 202 answer
    assert api.client.post("/v1/sessions", json={
        "email": "eloise@courriel.example",
        "password": "un autre mot de passe"}).status_code == 401
    sign_in(api, "eloise@courriel.example")


@pytest.mark.parametrize(("field", "value", "code"), [
    ("password", "court", "password_length"),
    ("email", "pas-une-adresse", "email_invalid"),
    ("email", "camille\x00@courriel.example", None),
])
def test_a_bad_sign_up_is_refused_and_records_nothing(api: Api, field: str, value: str,
                                                     code: str | None) -> None:
    before = api.log_length()
    body = {"email": "zoe@courriel.example", "password": PASSWORD, field: value}
    response = api.client.post("/v1/accounts", json=body)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["type"].startswith("https://")
    if code is not None:
        assert code in {problem.get("code"), *(e.get("code") for e in problem.get("errors", []))}
    assert api.log_length() == before


def test_a_wrong_link_verifies_nothing(api: Api) -> None:
    sign_up(api, "noe@courriel.example")
    token = verification_token(api, "noe@courriel.example")
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    response = api.client.post("/v1/accounts/email-verification", json={"token": forged})
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "link_invalid"
    assert api.client.post("/v1/sessions", json={
        "email": "noe@courriel.example", "password": PASSWORD}).status_code == 409


# -- what an attacker can learn ------------------------------------------------------------------

def test_an_unknown_address_and_a_wrong_password_answer_alike(api: Api) -> None:
    verified(api, "marc-andre@courriel.example")

    def attempt(email: str) -> tuple[float, int, dict[str, Any]]:
        started = time.perf_counter()
        response = api.client.post("/v1/sessions", json={"email": email,
                                                         "password": "pas le bon"})
        body = response.json()
        body.pop("instance", None)
        return time.perf_counter() - started, response.status_code, body

    wrong = [attempt("marc-andre@courriel.example") for _ in range(4)]
    unknown = [attempt(f"personne{i}@courriel.example") for i in range(4)]
    assert {(s, repr(b)) for _, s, b in wrong} == {(s, repr(b)) for _, s, b in unknown}
    assert wrong[0][1] == 401
    assert wrong[0][2]["code"] == "sign_in_failed"
    # Both pay one Argon2 verification: the same order of magnitude, not a fast "no such
    # account" (a security property, checked loosely: these machines are noisy).
    ratio = statistics.median(t for t, *_ in unknown) / statistics.median(t for t, *_ in wrong)
    assert 0.2 < ratio < 5, ratio


def test_password_reset_answers_alike_for_unknown_addresses(api: Api) -> None:
    verified(api, "lea@courriel.example")
    known = api.client.post("/v1/password-resets", json={"email": "lea@courriel.example"})
    unknown = api.client.post("/v1/password-resets", json={"email": "qui@courriel.example"})
    assert (known.status_code, known.json()) == (unknown.status_code, unknown.json()) == (
        202, {"status": "check_your_mail"})


def test_ten_wrong_passwords_lock_the_address_even_for_the_right_one(api: Api) -> None:
    verified(api, "gabrielle@courriel.example")
    verified(api, "voisine@courriel.example")
    for _ in range(10):
        assert api.client.post("/v1/sessions", json={
            "email": "gabrielle@courriel.example", "password": "devinette"}).status_code == 401
    locked = api.client.post("/v1/sessions", json={"email": "gabrielle@courriel.example",
                                                   "password": PASSWORD})
    assert locked.status_code == 429
    assert locked.headers["content-type"] == "application/problem+json"
    assert 1 <= int(locked.headers["Retry-After"]) <= 15 * 60
    assert locked.json()["code"] == "too_many_attempts"
    assert "session" not in locked.headers.get("set-cookie", "")
    sign_in(api, "voisine@courriel.example")  # another address is not locked


def test_right_passwords_do_not_count_against_the_address(api: Api) -> None:
    verified(api, "habitue@courriel.example")
    for _ in range(12):
        sign_in(api, "habitue@courriel.example")


# -- sessions, CSRF, passwords -------------------------------------------------------------------

def test_a_session_must_send_its_csrf_token_to_change_anything(api: Api) -> None:
    verified(api, "olivier@courriel.example")
    csrf = sign_in(api, "olivier@courriel.example", browser=True)["csrf_token"]
    body = {"language": "en"}
    missing = api.client.put("/v1/accounts/me/language", json=body)
    forged = api.client.put("/v1/accounts/me/language", json=body,
                            headers={"X-CSRFToken": csrf[:-4] + "AAAA"})
    assert missing.status_code == forged.status_code == 403
    assert missing.json()["code"] == "csrf_failed"
    assert api.client.get("/v1/accounts/me").json()["language"] == "fr"

    assert api.client.put("/v1/accounts/me/language", json=body,
                          headers={"X-CSRFToken": csrf}).status_code == 204
    assert api.client.get("/v1/accounts/me").json()["language"] == "en"


def test_a_browser_with_a_session_cookie_signs_in_again_but_a_cross_site_form_cannot(
        api: Api) -> None:
    verified(api, "lea@courriel.example")
    sign_in(api, "lea@courriel.example", browser=True)
    assert "comptoir_session" in api.client.cookies
    again = api.client.post("/v1/sessions", json={"email": "lea@courriel.example",
                                                  "password": PASSWORD})
    assert again.status_code == 201, again.text  # JSON: no other site can send it
    as_form = api.client.post("/v1/sessions", data={"email": "lea@courriel.example",
                                                    "password": PASSWORD})
    assert (as_form.status_code, as_form.json()["code"]) == (403, "csrf_failed")


def test_a_bearer_token_needs_no_csrf_token(api: Api) -> None:
    verified(api, "programme@courriel.example")
    token = bearer(sign_in(api, "programme@courriel.example"))
    api.client.cookies.clear()
    assert api.client.put("/v1/accounts/me/language", json={"language": "en"},
                          headers=token).status_code == 204


def test_a_new_password_ends_every_session_and_token(api: Api) -> None:
    verified(api, "jade@courriel.example")
    first = sign_in(api, "jade@courriel.example", browser=True)
    cookie = api.client.cookies.get("comptoir_session")
    second = sign_in(api, "jade@courriel.example")

    changed = api.client.put("/v1/accounts/me/password", headers=bearer(second), json={
        "current_password": PASSWORD, "new_password": "sirop d'érable 2027"})
    assert changed.status_code == 204
    assert api.client.get("/v1/accounts/me", headers=bearer(first)).status_code == 401
    assert api.client.get("/v1/accounts/me", headers=bearer(second)).status_code == 401
    api.client.cookies.set("comptoir_session", cookie)
    assert api.client.get("/v1/accounts/me").status_code == 401
    api.client.cookies.clear()
    assert api.client.post("/v1/sessions", json={"email": "jade@courriel.example",
                                                 "password": PASSWORD}).status_code == 401
    sign_in(api, "jade@courriel.example", "sirop d'érable 2027")


def test_a_wrong_current_password_changes_nothing(api: Api) -> None:
    verified(api, "theo@courriel.example")
    token = bearer(sign_in(api, "theo@courriel.example"))
    before = api.log_length()
    refused = api.client.put("/v1/accounts/me/password", headers=token, json={
        "current_password": "pas le bon", "new_password": "nouveau mot de passe"})
    assert refused.status_code == 422
    assert api.log_length() == before
    assert api.client.get("/v1/accounts/me", headers=token).status_code == 200


def test_sign_out_everywhere_ends_tokens_and_sessions(api: Api) -> None:
    verified(api, "rosalie@courriel.example")
    signed_in = sign_in(api, "rosalie@courriel.example", browser=True)
    assert api.client.post("/v1/accounts/me/sign-out-everywhere",
                           headers={"X-CSRFToken": signed_in["csrf_token"]}).status_code == 204
    assert api.client.get("/v1/accounts/me", headers=bearer(signed_in)).status_code == 401
    assert api.client.get("/v1/accounts/me").status_code == 401


def test_a_token_is_checked_without_the_database_once_its_sessions_were(api: Api) -> None:
    """A token of ours is checked where the request arrives; the thread that may read the
    database is asked only for what memory cannot tell: the first time a signed-in token's
    sessions are checked. Ending the sessions still ends the token at once."""
    verified(api, "gaspard@courriel.example")
    signed_in = bearer(sign_in(api, "gaspard@courriel.example"))
    made_by_cli = {"Authorization": f"Bearer {api.container.tokens.issue(Role.VALIDATOR)}"}
    tampered = {"Authorization": signed_in["Authorization"][:-2] + "xx"}
    authenticator = api.container.authenticator
    asked: list[str] = []
    real = authenticator.actor

    def counted(request: Any) -> Any:
        asked.append(request.headers["authorization"])
        return real(request)

    authenticator.actor = counted  # type: ignore[method-assign]
    assert [api.client.get("/v1/accounts/me", headers=signed_in).status_code
            for _ in range(3)] == [200, 200, 200]
    assert asked == [signed_in["Authorization"]]
    assert api.client.get("/v1/merchants?status=under_review",
                          headers=made_by_cli).status_code == 200
    assert api.client.get("/v1/accounts/me", headers=tampered).status_code == 401
    assert asked == [signed_in["Authorization"]]
    assert api.client.post("/v1/accounts/me/sign-out-everywhere",
                           headers=signed_in).status_code == 204
    assert api.client.get("/v1/accounts/me", headers=signed_in).status_code == 401


def test_signing_out_ends_this_session_only(api: Api) -> None:
    verified(api, "felix@courriel.example")
    signed_in = sign_in(api, "felix@courriel.example", browser=True)
    assert api.client.delete("/v1/sessions/current",
                             headers={"X-CSRFToken": signed_in["csrf_token"]}).status_code == 204
    assert api.client.get("/v1/accounts/me").status_code == 401
    assert api.client.get("/v1/accounts/me", headers=bearer(signed_in)).status_code == 200


def test_a_reset_link_sets_a_new_password_once(api: Api) -> None:
    verified(api, "ines@courriel.example")
    old = bearer(sign_in(api, "ines@courriel.example"))
    api.client.cookies.clear()
    assert api.client.post("/v1/password-resets",
                           json={"email": "ines@courriel.example"}).status_code == 202
    accounts = api.container.accounts
    token = accounts.link_for("reset", accounts._by_index(accounts.email_index(
        "ines@courriel.example")))
    body = {"token": token, "new_password": "tire sur la neige"}
    assert api.client.post("/v1/password-resets/completion", json=body).status_code == 204
    again = api.client.post("/v1/password-resets/completion",
                            json={**body, "new_password": "une troisième fois"})
    assert again.status_code == 422
    assert again.json()["errors"][0]["code"] == "link_invalid"
    assert api.client.get("/v1/accounts/me", headers=old).status_code == 401
    sign_in(api, "ines@courriel.example", "tire sur la neige")


# -- roles ---------------------------------------------------------------------------------------

def test_an_admin_grants_and_revokes_staff_roles_seen_by_auditors(api: Api) -> None:
    boss = admin(api)
    boss_id = account_id(boss, api)
    verified(api, "validation@comptoir.example")
    signed_in = sign_in(api, "validation@comptoir.example")
    assert signed_in["role"] == "consumer"
    api.client.cookies.clear()

    assert api.client.post("/v1/role-grants", headers=bearer(signed_in), json={
        "email": "validation@comptoir.example", "role": "admin"}).status_code == 403
    assert api.client.post("/v1/role-grants", headers=boss, json={
        "email": "validation@comptoir.example", "role": "validator"}).status_code == 204
    validator = sign_in(api, "validation@comptoir.example")
    api.client.cookies.clear()
    assert validator["role"] == "validator"
    merchant_id = api.apply()
    assert api.client.post(f"/v1/merchants/{merchant_id}/approval",
                           headers=bearer(validator)).status_code == 200

    assert api.client.post("/v1/role-revocations", headers=boss, json={
        "email": "validation@comptoir.example", "role": "validator"}).status_code == 204
    assert api.client.get("/v1/accounts/me", headers=bearer(validator)).status_code == 401
    assert sign_in(api, "validation@comptoir.example")["role"] == "consumer"
    api.client.cookies.clear()

    def audited(topic: str) -> list[dict[str, Any]]:
        page = api.client.get("/v1/audit/events", headers=api.auth(Role.AUDITOR),
                              params={"topic": f"comptoir.Account.{topic}"})
        return page.json()["events"]

    granted, revoked = audited("RoleGranted"), audited("RoleRevoked")
    assert [e["payload"]["role"] for e in granted] == ["admin", "validator"]
    assert [e["payload"]["role"] for e in revoked] == ["validator"]
    assert granted[1]["payload"]["by"] == revoked[0]["payload"]["by"] == boss_id


def test_asking_for_a_role_not_held_is_refused(api: Api) -> None:
    verified(api, "simple@courriel.example")
    refused = api.client.post("/v1/sessions", json={"email": "simple@courriel.example",
                                                    "password": PASSWORD, "role": "admin"})
    assert refused.status_code == 403
    assert refused.json()["code"] == "role_not_held"


# -- merchants' people and API keys --------------------------------------------------------------

def merchant_owner(api: Api, email: str, **merchant: Any) -> tuple[str, dict[str, str]]:
    """An account that applied for a merchant, approved, signed in as its merchant."""
    verified(api, email)
    consumer = bearer(sign_in(api, email))
    api.client.cookies.clear()
    applied = api.client.post("/v1/merchants", json=merchant_body(**merchant), headers=consumer)
    assert applied.status_code == 201, applied.text
    merchant_id = applied.json()["id"]
    assert api.client.post(f"/v1/merchants/{merchant_id}/approval",
                           headers=api.validator).status_code == 200
    signed_in = sign_in(api, email)
    api.client.cookies.clear()
    assert (signed_in["role"], signed_in["merchant_id"]) == ("merchant", merchant_id)
    return merchant_id, bearer(signed_in)


def test_the_applicant_owns_the_merchant_and_invites_a_member(api: Api) -> None:
    merchant_id, owner = merchant_owner(api, "proprio@fromagerie.example")
    invited = api.client.post(f"/v1/merchants/{merchant_id}/invitations", headers=owner,
                              json={"email": "commis@fromagerie.example"})
    assert invited.status_code == 201
    token = api.container.accounts.links.sign("invite",
                                              {"invitation": invited.json()["id"]})

    verified(api, "intrus@courriel.example")
    intruder = bearer(sign_in(api, "intrus@courriel.example"))
    api.client.cookies.clear()
    assert api.client.post("/v1/invitations/acceptance", headers=intruder,
                           json={"token": token}).status_code == 404

    verified(api, "commis@fromagerie.example")
    clerk = bearer(sign_in(api, "commis@fromagerie.example"))
    api.client.cookies.clear()
    accepted = api.client.post("/v1/invitations/acceptance", headers=clerk,
                               json={"token": token})
    assert accepted.json() == {"merchant_id": merchant_id}
    member = sign_in(api, "commis@fromagerie.example")
    assert (member["role"], member["merchant_id"]) == ("merchant", merchant_id)
    api.client.cookies.clear()
    created = api.client.post(f"/v1/merchants/{merchant_id}/listings", headers=bearer(member),
                              json=listing_body())
    assert created.status_code == 201
    # A member is not an owner: it cannot invite.
    assert api.client.post(f"/v1/merchants/{merchant_id}/invitations", headers=bearer(member),
                           json={"email": "autre@fromagerie.example"}).status_code == 404


def test_an_owner_sees_its_people_and_removes_one_whose_access_then_ends(api: Api) -> None:
    merchant_id, owner = merchant_owner(api, "proprio@poissonnerie.example")
    other_id, other_owner = merchant_owner(api, "proprio@boucherie.example")
    invited = api.client.post(f"/v1/merchants/{merchant_id}/invitations", headers=owner,
                              json={"email": "commis@poissonnerie.example"}).json()["id"]
    verified(api, "commis@poissonnerie.example")
    api.client.post("/v1/invitations/acceptance", json={"token": api.container.accounts.links.sign(
        "invite", {"invitation": invited})}, headers=bearer(sign_in(
            api, "commis@poissonnerie.example")))
    clerk = bearer(sign_in(api, "commis@poissonnerie.example", role="merchant"))
    owner_id, clerk_id = account_id(owner, api), account_id(clerk, api)
    people = f"/v1/merchants/{merchant_id}/members"
    fresh = {**owner, "Prefer": "read-your-writes"}  # the members' index is a read model

    assert api.client.get(people, headers=fresh).json() == [
        {"id": owner_id, "email": "proprio@poissonnerie.example", "membership": "owner"},
        {"id": clerk_id, "email": "commis@poissonnerie.example", "membership": "member"}]
    # Only the owner sees or changes them; another merchant's owner is told nothing.
    for outsider in (clerk, other_owner):
        assert api.client.get(people, headers=outsider).status_code == 404
        assert api.client.delete(f"{people}/{clerk_id}", headers=outsider).status_code == 404
    assert api.client.delete(f"/v1/merchants/{other_id}/members/{clerk_id}",
                             headers=other_owner).json()["code"] == "not_found"
    assert api.client.delete(f"{people}/{owner_id}", headers=owner).status_code == 409

    assert api.client.delete(f"{people}/{clerk_id}", headers=owner).status_code == 204
    # The token the clerk had for the merchant's portal no longer works, and signing in again
    # gives no merchant to act for.
    assert api.client.post(f"/v1/merchants/{merchant_id}/listings", headers=clerk,
                           json=listing_body()).status_code == 401
    refused = api.client.post("/v1/sessions", json={
        "email": "commis@poissonnerie.example", "password": PASSWORD, "role": "merchant"})
    assert refused.status_code == 403 and refused.json()["code"] == "role_not_held"
    assert sign_in(api, "commis@poissonnerie.example")["role"] == "consumer"
    assert [p["membership"] for p in api.client.get(people, headers=fresh).json()] == ["owner"]
    assert api.client.delete(f"{people}/{clerk_id}", headers=owner).status_code == 404


def test_an_api_key_acts_for_its_merchant_only(api: Api) -> None:
    a_id, a_owner = merchant_owner(api, "a@erabliere.example")
    b_id, b_owner = merchant_owner(api, "b@boulangerie.example")
    issued = api.client.post(f"/v1/merchants/{a_id}/api-keys", headers=a_owner,
                             json={"name": "Caisse du magasin"})
    assert issued.status_code == 201
    key = issued.json()["key"]
    assert key.startswith("ck_")
    a_key = {"Authorization": f"Bearer {key}"}

    created = api.client.post(f"/v1/merchants/{a_id}/listings", headers=a_key,
                              json=listing_body(title_fr="Sirop d'érable ambré"))
    assert created.status_code == 201
    b_listing = api.listing(b_id, b_owner)
    assert api.client.post(f"/v1/merchants/{b_id}/listings", headers=a_key,
                           json=listing_body()).status_code in (403, 404)
    assert api.client.put(f"/v1/listings/{b_listing}/stock", headers=a_key,
                          json={"on_hand": 0}).status_code in (403, 404)
    assert api.client.get(f"/v1/merchants/{b_id}/api-keys", headers=a_key).status_code == 404
    assert api.client.post(f"/v1/merchants/{a_id}/api-keys", headers=b_owner,
                           json={"name": "x"}).status_code == 404

    listed = api.client.get(f"/v1/merchants/{a_id}/api-keys", headers=a_owner).json()
    assert [(k["name"], k["key"], k["revoked"]) for k in listed] == [
        ("Caisse du magasin", None, False)]
    revoked = api.client.delete(f"/v1/merchants/{a_id}/api-keys/{issued.json()['id']}",
                                headers=a_owner)
    assert revoked.json()["revoked"] is True
    assert api.client.post(f"/v1/merchants/{a_id}/listings", headers=a_key,
                           json=listing_body()).status_code == 401


def test_a_key_that_was_never_issued_is_refused(api: Api) -> None:
    fake = {"Authorization": "Bearer ck_" + "0" * 32 + "_" + "x" * 43}
    response = api.client.get("/v1/accounts/me", headers=fake)
    assert response.status_code == 401


# -- erasure -------------------------------------------------------------------------------------

def test_an_erased_account_cannot_sign_in_and_its_address_is_nowhere(
        api: Api, settings: Settings, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    address = "Effacee.Lafleur@courriel.example"
    verified(api, address)
    signed_in = sign_in(api, address)
    assert api.client.post("/v1/sessions", json={"email": address, "password": "non"}
                           ).status_code == 401  # a rate-limit row for the address exists
    api.client.cookies.clear()
    erased = api.client.post(f"/v1/privacy/subjects/{signed_in['account_id']}/erasure",
                             headers=bearer(signed_in))
    assert erased.status_code == 200, erased.text

    assert api.client.get("/v1/accounts/me", headers=bearer(signed_in)).status_code == 401
    refused = api.client.post("/v1/sessions", json={"email": address, "password": PASSWORD})
    assert refused.status_code == 401
    assert refused.json()["code"] == "sign_in_failed"
    stored = everything_stored(settings).lower()
    assert b"effacee" not in stored
    assert b"lafleur" not in stored
    assert "effacee" not in caplog.text.lower()
    # The address can start over: a new account, unrelated to the erased one.
    verified(api, address)
    assert sign_in(api, address)["account_id"] != signed_in["account_id"]


# -- the other anonymous ways in ------------------------------------------------------------------

def test_anonymous_searches_and_applications_are_limited_per_client(settings: Settings) -> None:
    strict = settings.model_copy(update={"limit_search_client": "3/minute",
                                         "limit_apply_client": "1/hour"})
    container = build_container(strict)
    try:
        # An IPv6 client: its address is hashed like any other.
        with TestClient(create_app(container=container), client=("2001:db8::7", 50000)) as http:
            answers = [http.get("/v1/search/listings", params={"q": "sirop d'érable"})
                       for _ in range(4)]
            assert [a.status_code for a in answers] == [200, 200, 200, 429]
            assert int(answers[3].headers["Retry-After"]) in range(1, 61)
            signed_in = {"Authorization": "Bearer " + container.tokens.issue(Role.CONSUMER)}
            assert http.get("/v1/search/listings", headers=signed_in).status_code == 200

            assert http.post("/v1/merchants", json=merchant_body()).status_code == 201
            before = container.app.log_position()
            second = http.post("/v1/merchants", json=merchant_body())
            assert second.status_code == 429
            assert second.json()["code"] == "too_many_attempts"
            assert container.app.log_position() == before
    finally:
        container.close()


def test_jobs_delete_expired_sessions_and_counters(api: Api) -> None:
    verified(api, "passagere@courriel.example")
    assert api.client.post("/v1/sessions", json={"email": "passagere@courriel.example",
                                                 "password": "non"}).status_code == 401
    sign_in(api, "passagere@courriel.example")
    assert api.container.jobs.run_once()["forget_expired_rate_limits"] == 0
    assert api.container.jobs.run_once()["forget_expired_sessions"] == 0
    api.container.rate_limits.db.run("UPDATE {p}rate_limits SET expires_at = 0")
    api.container.sessions.db.run(
        "UPDATE {p}sessions SET expires_at = '2000-01-01T00:00:00+00:00'")
    done = api.container.jobs.run_once()
    assert (done["forget_expired_rate_limits"], done["forget_expired_sessions"]) == (3, 1)


def test_a_person_clicking_the_verification_link_lands_on_the_shops_page(api: Api) -> None:
    sign_up(api, "noemie@courriel.example")
    token = verification_token(api, "noemie@courriel.example")
    clicked = api.client.get("/v1/accounts/email-verification", params={"token": token},
                             headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"},
                             follow_redirects=False)
    assert clicked.status_code == 303
    assert clicked.headers["location"].startswith("/compte/verification?token=")
    page = api.client.get(clicked.headers["location"])
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    signed_in = api.client.post("/v1/sessions", json={"email": "noemie@courriel.example",
                                                      "password": PASSWORD})
    assert signed_in.status_code == 201, signed_in.text
