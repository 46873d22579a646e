"""Accounts as people use them, against a real `comptoir serve` and a real SMTP server, on both
backends: what a person would expect, decided before looking at what the code does.

- Someone whose verification link was lost (spam folder, seven days passed) and who signs up
  again is told "someone tried to sign up with your address: if it was you, reset your
  password" — that reset must then work, and confirm the address, or the address is stuck.
- An owner who invites its own address (or accepts an invitation meant for a colleague's shared
  mailbox) must not demote itself to a mere member of its own merchant.
- A link mailed before an erasure changes nothing once the person is erased: it is a dead link
  (`link_invalid`), not a confirmation, not a "this person was forgotten" answer.
- Nothing of this reaches the server's log: no address, no password, no token.
"""

from __future__ import annotations

import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit
from uuid import UUID

import pytest

from adapters.webhook_transport import HttpxWebhookTransport
from api.settings import Settings
from application.actors import Role
from domain.account import Account
from tests.journeys.helpers import (
    GATINEAU,
    Marketplace,
    marketplace_mailing_to,
    merchant_application,
)
from tests.journeys.test_people_sign_up_and_are_told import (
    PASSWORD,
    follow,
    mail_to,
    signed_up,
    token_session,
)
from tests.mail.inbox import Inbox, links, text
from tests.support import COMPTOIR, comptoir_server, settings_env

NEW_PASSWORD = "Ça sent le printemps à la cabane 🍁"


@pytest.fixture
def served(settings: Settings, inbox: Inbox, monkeypatch: pytest.MonkeyPatch
           ) -> Iterator[Marketplace]:
    with marketplace_mailing_to(inbox.port, settings, monkeypatch) as market:
        yield market


def auditor(market: Marketplace) -> dict[str, str]:
    return market.bearer(Role.AUDITOR)


def token_of(link: str) -> str:
    return parse_qs(urlsplit(link).query)["token"][0]


def server_log(settings: Settings) -> str:
    return "\n".join(p.read_text(errors="replace")
                     for p in Path(settings.data_dir).glob("server-*.log"))


def test_someone_whose_verification_link_was_lost_gets_in_through_a_password_reset(
        served: Marketplace, inbox: Inbox, settings: Settings) -> None:
    http, address = served.http, "Perdu.Dans.Les.Pourriels@Courriel.example"
    first = http.post("/v1/accounts", json={"email": address, "password": PASSWORD})
    assert first.status_code == 202
    mail_to(inbox, address.lower(), "Confirmez votre adresse courriel")  # lost in the spam
    # A week later she signs up again, as anyone would.
    again = http.post("/v1/accounts", json={"email": address, "password": NEW_PASSWORD})
    assert (again.status_code, again.json()) == (202, {"status": "check_your_mail"})
    tried = text(mail_to(inbox, address.lower(), "Tentative d'inscription"))
    assert "/compte/mot-de-passe-oublie" in tried  # "if it was you, reset your password"

    # She does what the mail says: she asks for a reset link, and it comes.
    asked = http.post("/v1/password-resets", json={"email": address})
    assert (asked.status_code, asked.json()) == (202, {"status": "check_your_mail"})
    reset = mail_to(inbox, address.lower(), "Réinitialisez votre mot de passe")
    [link] = [link for link in links(reset) if "nouveau-mot-de-passe" in link]
    done = http.post("/v1/password-resets/completion",
                     json={"token": token_of(link), "new_password": NEW_PASSWORD})
    assert done.status_code == 204, done.text

    # The link came to her mailbox: her address is confirmed, she is in.
    signed_in = http.post("/v1/sessions", json={"email": address, "password": NEW_PASSWORD})
    assert signed_in.status_code == 201, signed_in.text
    me = http.get("/v1/accounts/me",
                  headers={"Authorization": f"Bearer {signed_in.json()['access_token']}"})
    assert (me.json()["email"], me.json()["verified"]) == (address.lower(), True)
    # The first password (typed by whoever signed up first) no longer opens the account.
    assert http.post("/v1/sessions", json={"email": address, "password": PASSWORD}
                     ).json()["code"] == "sign_in_failed"

    log = server_log(settings).lower()
    for secret in ("perdu.dans", PASSWORD.lower(), NEW_PASSWORD.lower(), token_of(link).lower(),
                   signed_in.json()["access_token"].lower()):
        assert secret not in log


def test_an_owner_who_accepts_an_invitation_to_its_own_merchant_stays_its_owner(
        served: Marketplace, inbox: Inbox) -> None:
    http, owner_address = served.http, "proprio@fromagerie-lapointe.example"
    signed_up(served, inbox, owner_address)
    applied = http.post("/v1/merchants", headers=token_session(served, owner_address),
                        json=merchant_application("Fromagerie Lapointe", GATINEAU,
                                                  ["alimentation"]))
    assert applied.status_code == 201, applied.text
    merchant_id = applied.json()["id"]
    assert http.post(f"/v1/merchants/{merchant_id}/approval",
                     headers=served.validator).status_code == 200
    owner = token_session(served, owner_address)

    # The owner invites the shop's shared address — which is its own.
    invited = http.post(f"/v1/merchants/{merchant_id}/invitations", headers=owner,
                        json={"email": owner_address.upper()})
    assert invited.status_code == 201, invited.text
    mail = mail_to(inbox, owner_address, "Fromagerie Lapointe vous invite")
    [link] = [link for link in links(mail) if "invitation" in link]
    accepted = http.post("/v1/invitations/acceptance", headers=owner,
                         json={"token": token_of(link)})
    assert (accepted.status_code, accepted.json()) == (200, {"merchant_id": merchant_id})

    again = token_session(served, owner_address)
    assert http.get("/v1/accounts/me", headers=again).json()["merchants"] == {
        merchant_id: "owner"}
    # Still the owner: it still manages the merchant's keys and invites.
    key = http.post(f"/v1/merchants/{merchant_id}/api-keys", headers=again,
                    json={"name": "Caisse"})
    assert key.status_code == 201, key.text
    assert http.post(f"/v1/merchants/{merchant_id}/invitations", headers=again,
                     json={"email": "commis@fromagerie-lapointe.example"}).status_code == 201


def test_links_mailed_before_an_erasure_are_dead_links_after_it(
        served: Marketplace, inbox: Inbox) -> None:
    http, address = served.http, "efface.moi@courriel.example"
    assert http.post("/v1/accounts", json={"email": address, "password": PASSWORD}
                     ).status_code == 202
    verification = mail_to(inbox, address, "Confirmez votre adresse courriel")
    [verify_link] = [link for link in links(verification) if "email-verification" in link]
    assert follow(http, verify_link).json() == {"verified": True}
    assert http.post("/v1/password-resets", json={"email": address}).status_code == 202
    reset = mail_to(inbox, address, "Réinitialisez votre mot de passe")
    [reset_link] = [link for link in links(reset) if "nouveau-mot-de-passe" in link]

    me = token_session(served, address)
    account_id = http.get("/v1/accounts/me", headers=me).json()["id"]
    erased = http.post(f"/v1/privacy/subjects/{account_id}/erasure", headers=me)
    assert erased.status_code == 200, erased.text
    def account_events() -> list[str]:
        return [e["topic"] for e in http.get(
            "/v1/audit/events", headers=auditor(served),
            params={"aggregate_id": str(Account.create_id(UUID(account_id))),
                    "limit": 500}).json()["events"]]

    before = account_events()

    for answer in (
            http.post("/v1/password-resets/completion",
                      json={"token": token_of(reset_link), "new_password": NEW_PASSWORD}),
            follow(http, verify_link),
            http.post("/v1/accounts/email-verification",
                      json={"token": token_of(verify_link)}, headers={"Accept-Language": "en"})):
        assert (answer.status_code, answer.json()["code"]) == (422, "link_invalid"), answer.text
    assert account_events() == before  # nothing recorded on the erased account
    assert before[-1] == "comptoir.Account.PasswordResetAsked"
    assert http.post("/v1/sessions", json={"email": address, "password": NEW_PASSWORD}
                     ).json()["code"] == "sign_in_failed"


# -- an integrator's receiver that trickles its answer ----------------------------------------

def _trickling_receiver(seconds: float) -> tuple[int, threading.Event]:
    """A receiver that reads the request, then sends its answer one byte a second, for
    `seconds` (a slow or hostile endpoint: each read returns within the timeout)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    done = threading.Event()

    def serve() -> None:
        conn, _ = server.accept()
        with conn, server:
            conn.recv(65536)
            deadline = time.monotonic() + seconds
            try:
                for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 1000:
                    if time.monotonic() > deadline or done.is_set():
                        break
                    conn.sendall(bytes([byte]))
                    time.sleep(0.5)
            except OSError:
                pass

    threading.Thread(target=serve, daemon=True).start()
    return server.getsockname()[1], done


def test_a_receiver_that_trickles_its_answer_is_cut_off_at_the_timeout() -> None:
    """docs/webhooks.md: success is a 2xx *within the timeout*; a sender slot (there are 8,
    shared by every merchant) must not be held for as long as a receiver likes."""
    port, done = _trickling_receiver(seconds=30)
    transport = HttpxWebhookTransport(timeout=2, allow_private=True)
    started = time.monotonic()
    try:
        outcome = transport.post(f"http://127.0.0.1:{port}/comptoir", b"{}", {})
    finally:
        done.set()
        transport.close()
    elapsed = time.monotonic() - started
    assert (outcome.status_code, outcome.error) == (None, "timeout")
    assert elapsed < 4, elapsed


def test_hostile_input_on_the_account_routes_is_a_4xx_problem_never_a_5xx(
        served: Marketplace) -> None:
    http = served.http
    bodies: list[tuple[str, str, Any]] = [
        ("POST", "/v1/accounts", {"email": "a\u0000b@courriel.example", "password": PASSWORD}),
        ("POST", "/v1/accounts", {"email": "x@courriel.example", "password": "\u0000" * 12}),
        ("POST", "/v1/accounts", {"email": ["x"], "password": PASSWORD}),
        ("POST", "/v1/accounts", {"email": "x@courriel.example", "password": "é" * 201}),
        ("POST", "/v1/sessions", {"email": "x@courriel.example", "password": PASSWORD,
                                  "merchant_id": "pas-un-uuid"}),
        ("POST", "/v1/sessions", {"email": "x@courriel.example", "password": PASSWORD,
                                  "role": "root"}),
        ("POST", "/v1/accounts/email-verification", {"token": "a" * 2001}),
        ("POST", "/v1/password-resets/completion", {"token": "a.b.c", "new_password": 12}),
        ("POST", "/v1/password-resets", {"email": "x@courriel.example\r\nBcc: y@z.example"}),
        ("POST", "/v1/invitations/acceptance", {"token": "nope"}),
    ]
    raw = http.post("/v1/accounts/email-verification", content=b'{"token": "\\ud800"}',
                    headers={"content-type": "application/json"})
    assert raw.status_code == 422, raw.text
    for method, path, body in bodies:
        answer = http.request(method, path, json=body, headers={"Accept-Language": "en"})
        assert 400 <= answer.status_code < 500, (path, body, answer.status_code, answer.text)
        assert answer.headers["content-type"].startswith("application/problem+json")
    assert http.get("/v1/accounts/email-verification", params={"token": "x" * 5000}
                    ).json()["code"] == "link_invalid"


def test_the_session_cookie_outside_development_is_secure_httponly_and_lax(
        settings: Settings, inbox: Inbox, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {"COMPTOIR_SMTP_HOST": "127.0.0.1", "COMPTOIR_SMTP_PORT": str(inbox.port),
                        "COMPTOIR_SMTP_TLS": "none", "COMPTOIR_ENVIRONMENT": "production",
                        "COMPTOIR_TOKEN_KEYS": '{"k1": "' + "s" * 40 + '"}'}.items():
        monkeypatch.setenv(name, value)
    with comptoir_server(settings) as base:
        market = Marketplace(base, settings)
        try:
            address = "prod.camille@courriel.example"
            signed_up(market, inbox, address)
            answer = market.http.post("/v1/sessions",
                                      json={"email": address, "password": PASSWORD})
            assert answer.status_code == 201, answer.text
            cookies = [v for k, v in answer.headers.multi_items() if k == "set-cookie"]
            [session] = [c for c in cookies if c.startswith("comptoir_session=")]
            flags = {part.strip().lower() for part in session.split(";")[1:]}
            assert {"httponly", "secure", "samesite=lax", "path=/"} <= flags, session
            [csrf] = [c for c in cookies if c.startswith("csrftoken=")]
            assert "secure" in {p.strip().lower() for p in csrf.split(";")[1:]}, csrf
        finally:
            market.close()


# -- two API processes on one store -------------------------------------------------------------

def refused_within(seconds: float, request: Any) -> float:
    """How long until `request()` answers 401 (the test fails past `seconds`)."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if request().status_code == 401:
            return time.monotonic() - started
        time.sleep(0.2)
    raise AssertionError(f"still accepted after {seconds} s")


def test_two_api_processes_count_attempts_together_and_end_what_was_revoked_in_time(
        settings: Settings, inbox: Inbox, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {"COMPTOIR_SMTP_HOST": "127.0.0.1", "COMPTOIR_SMTP_PORT": str(inbox.port),
                        "COMPTOIR_SMTP_TLS": "none"}.items():
        monkeypatch.setenv(name, value)
    with comptoir_server(settings) as base_a, comptoir_server(settings) as base_b:
        a, b = Marketplace(base_a, settings), Marketplace(base_b, settings)
        try:
            # One sign-up, two processes sending mail: one verification mail.
            address = "Gilles.Auditeur@Courriel.example"
            signed_up(a, inbox, address)
            time.sleep(2)
            assert len(inbox.to(address.lower())) == 1

            # Ten wrong passwords, five on each process: the address is locked on both.
            for market in (a, b) * 5:
                wrong = market.http.post("/v1/sessions",
                                         json={"email": address, "password": "pas le bon 123"})
                assert wrong.json()["code"] == "sign_in_failed"
            for market in (a, b):
                locked = market.http.post("/v1/sessions",
                                          json={"email": address, "password": PASSWORD})
                assert (locked.status_code, locked.json()["code"]) == (429, "too_many_attempts")
                assert 1 <= int(locked.headers["retry-after"]) <= 15 * 60
        finally:
            a.close()
            b.close()


def test_a_revoked_role_and_a_revoked_key_stop_working_in_every_process_in_time(
        settings: Settings, inbox: Inbox, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {"COMPTOIR_SMTP_HOST": "127.0.0.1", "COMPTOIR_SMTP_PORT": str(inbox.port),
                        "COMPTOIR_SMTP_TLS": "none",
                        "COMPTOIR_ADMIN_PASSWORD": PASSWORD}.items():
        monkeypatch.setenv(name, value)
    with comptoir_server(settings) as base_a, comptoir_server(settings) as base_b:
        a, b = Marketplace(base_a, settings), Marketplace(base_b, settings)
        try:
            created = subprocess.run(
                [COMPTOIR, "accounts", "create-admin", "--email", "direction@comptoir.example"],
                env=settings_env(settings), capture_output=True, text=True, timeout=60)
            assert created.returncode == 0, created.stderr
            admin = token_session(a, "direction@comptoir.example")

            # An auditor granted on A reads the log on B; revoked on A, refused on B in 5 s.
            address = "gilles.auditeur@courriel.example"
            signed_up(a, inbox, address)
            assert a.http.post("/v1/role-grants", headers=admin,
                               json={"email": address, "role": "auditor"}).status_code == 204
            auditor_token = token_session(b, address, role="auditor")
            assert b.http.get("/v1/audit/events", headers=auditor_token).status_code == 200
            assert a.http.post("/v1/role-revocations", headers=admin,
                               json={"email": address, "role": "auditor"}).status_code == 204
            refused_within(6.5, lambda: b.http.get("/v1/audit/events", headers=auditor_token))

            # A merchant's key, used on B, revoked on A: refused on B within 10 s.
            owner_address = "proprio@boulangerie.example"
            signed_up(a, inbox, owner_address)
            applied = a.http.post("/v1/merchants", headers=token_session(a, owner_address),
                                  json=merchant_application("Boulangerie du Coin", GATINEAU,
                                                            ["alimentation"]))
            assert applied.status_code == 201, applied.text
            merchant_id = applied.json()["id"]
            assert a.http.post(f"/v1/merchants/{merchant_id}/approval",
                               headers=a.validator).status_code == 200
            owner = token_session(a, owner_address)
            issued = a.http.post(f"/v1/merchants/{merchant_id}/api-keys", headers=owner,
                                 json={"name": "Caisse"})
            assert issued.status_code == 201, issued.text
            key = {"Authorization": f"Bearer {issued.json()['key']}"}
            endpoints = f"/v1/merchants/{merchant_id}/webhook-endpoints"
            assert b.http.get(endpoints, headers=key).status_code == 200
            revoked = a.http.delete(f"/v1/merchants/{merchant_id}/api-keys/"
                                    f"{issued.json()['id']}", headers=owner)
            assert revoked.json()["revoked"] is True
            assert a.http.get(endpoints, headers=key).status_code == 401  # at once here
            refused_within(11.5, lambda: b.http.get(endpoints, headers=key))
        finally:
            a.close()
            b.close()


def test_a_merchant_whose_owner_chose_english_is_written_to_in_english(
        served: Marketplace, inbox: Inbox) -> None:
    """Issue 16: the merchant's mails, "French by default, English by the account's
    language" — the owner signed up in English, its merchant's mails are in English."""
    http, owner_address = served.http, "owner@maple-grove.example"
    assert http.post("/v1/accounts", json={"email": owner_address, "password": PASSWORD,
                                           "language": "en"}).status_code == 202
    verification = mail_to(inbox, owner_address, "Confirm your e-mail address")
    [link] = [link for link in links(verification) if "email-verification" in link]
    assert follow(http, link).json() == {"verified": True}
    application = merchant_application(
        "Maple Grove Farm", GATINEAU, ["alimentation"],
        contact={"name": "Jane Smith", "email": owner_address, "phone": "819-555-0199"})
    applied = http.post("/v1/merchants", headers=token_session(served, owner_address),
                        json=application)
    assert applied.status_code == 201, applied.text
    assert http.post(f"/v1/merchants/{applied.json()['id']}/approval",
                     headers=served.validator).status_code == 200
    approved = mail_to(inbox, owner_address, "Your business Maple Grove Farm is approved")
    assert approved["Content-Language"] == "en-CA"


# -- what a clerk and a till system may do for the merchant ----------------------------------

def owner_member_and_key(market: Marketplace, inbox: Inbox
                         ) -> tuple[str, dict[str, str], dict[str, str], dict[str, str]]:
    """An approved merchant; its owner, a member it invited, and an API key, as headers."""
    http, owner_address = market.http, "proprio@quincaillerie-gagnon.example"
    signed_up(market, inbox, owner_address)
    applied = http.post("/v1/merchants", headers=token_session(market, owner_address),
                        json=merchant_application("Quincaillerie Gagnon", GATINEAU,
                                                  ["quincaillerie"]))
    assert applied.status_code == 201, applied.text
    merchant_id = applied.json()["id"]
    assert http.post(f"/v1/merchants/{merchant_id}/approval",
                     headers=market.validator).status_code == 200
    owner = token_session(market, owner_address)
    clerk_address = "commis@quincaillerie-gagnon.example"
    assert http.post(f"/v1/merchants/{merchant_id}/invitations", headers=owner,
                     json={"email": clerk_address}).status_code == 201
    [link] = [link for link in links(mail_to(inbox, clerk_address, "Quincaillerie Gagnon"))
              if "invitation" in link]
    signed_up(market, inbox, clerk_address)
    assert http.post("/v1/invitations/acceptance", headers=token_session(market, clerk_address),
                     json={"token": token_of(link)}).status_code == 200
    member = token_session(market, clerk_address)
    issued = http.post(f"/v1/merchants/{merchant_id}/api-keys", headers=owner,
                       json={"name": "Caisse"})
    assert issued.status_code == 201, issued.text
    return merchant_id, owner, member, {"Authorization": f"Bearer {issued.json()['key']}"}


def test_a_clerk_or_the_till_system_cannot_close_the_merchant_for_good(
        served: Marketplace, inbox: Inbox) -> None:
    http = served.http
    merchant_id, _owner, member, key = owner_member_and_key(served, inbox)
    for who in (member, key):
        closed = http.post(f"/v1/merchants/{merchant_id}/closure", headers=who)
        assert closed.status_code in (403, 404), closed.text
    assert http.get(f"/v1/merchants/{merchant_id}").json()["status"] == "approved"


def test_a_clerk_or_the_till_system_cannot_change_where_the_money_goes(
        served: Marketplace, inbox: Inbox) -> None:
    http = served.http
    merchant_id, owner, member, key = owner_member_and_key(served, inbox)
    for who in (member, key):
        answer = http.put(f"/v1/merchants/{merchant_id}/payout-account", headers=who)
        assert answer.status_code in (403, 404), answer.text
    assert http.put(f"/v1/merchants/{merchant_id}/payout-account",
                    headers=owner).status_code == 200


def test_an_application_nobody_reviewed_yet_cannot_mail_invitations_to_strangers(
        served: Marketplace, inbox: Inbox) -> None:
    """Anyone may sign up and apply; until a validator approved the merchant, its name (any
    text the applicant chose) must not go out in the platform's mails to any address."""
    http, applicant = served.http, "pas.encore@courriel.example"
    signed_up(served, inbox, applicant)
    applied = http.post("/v1/merchants", headers=token_session(served, applicant),
                        json=merchant_application("Gagnez un iPhone ici", GATINEAU,
                                                  ["alimentation"]))
    assert applied.status_code == 201, applied.text
    merchant_id = applied.json()["id"]
    pending = token_session(served, applicant)
    refused = http.post(f"/v1/merchants/{merchant_id}/invitations", headers=pending,
                        json={"email": "victime@courriel.example"})
    assert (refused.status_code, refused.json()["code"], refused.json()["state"]) == (
        409, "illegal_transition", "under_review"), refused.text
    # Once approved, the owner invites as it pleases.
    assert http.post(f"/v1/merchants/{merchant_id}/approval",
                     headers=served.validator).status_code == 200
    assert http.post(f"/v1/merchants/{merchant_id}/invitations", headers=pending,
                     json={"email": "commis@courriel.example"}).status_code == 201
    assert mail_to(inbox, "commis@courriel.example", "Gagnez un iPhone ici vous invite")
    assert inbox.to("victime@courriel.example") == []
