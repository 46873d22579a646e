"""A merchant's team in the portal, both backends, mail through a real SMTP server: the owner
invites a clerk from the team page, the clerk follows the mail's link, signs in and joins, and
the owner later removes her — whose session then ends at once."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlencode, urlsplit
from uuid import UUID

from fastapi.testclient import TestClient

from tests.mail.inbox import Inbox, deliver, links, path_of
from tests.support import Api
from tests.web.test_shop_forms import csrf_of

PASSWORD = "érable en fût 2026"
OWNER, CLERK = "proprio@fromagerie.example", "commis@fromagerie.example"


def browser(api: Api, email: str, then: str = "/compte") -> TestClient:
    """A browser of its own (its own cookies) signed in to the shop's pages."""
    client = TestClient(api.client.app)
    answer = client.post("/compte/connexion", data={"email": email, "password": PASSWORD,
                                                    "suivant": then}, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return client


def test_an_owner_invites_a_clerk_who_joins_through_the_mails_link_and_is_later_removed(
        mail_api: Api, inbox: Inbox) -> None:
    api = mail_api
    merchant_id, _ = api.approved_merchant(name="Fromagerie Boréale")
    owner_id = api.container.accounts.create_verified(OWNER, PASSWORD,
                                                      owner_of=UUID(merchant_id))
    for email in (CLERK, "autre@courriel.example"):
        api.container.accounts.create_verified(email, PASSWORD)
    owner = browser(api, OWNER, "/portail")
    api.container.projections.settle()  # here the test follows the log (no threads)

    team = owner.get("/portail/equipe").text
    assert OWNER in team and "Propriétaire" in team and "/retrait" not in team  # not the owner
    # A bad address: said by the field, nothing recorded.
    before = api.log_length()
    token = csrf_of(owner, "/portail/equipe")
    bad = owner.post("/portail/equipe/invitations", data={"csrftoken": token,
                                                         "email": "pas-une-adresse"})
    assert bad.status_code == 422 and 'id="e-email"' in bad.text
    assert api.log_length() == before
    sent = owner.post("/portail/equipe/invitations", data={"csrftoken": token, "email": CLERK},
                      follow_redirects=False)
    assert sent.headers["location"] == "/portail/equipe?envoyee=1#inviter"  # no address in it
    api.container.projections.settle()
    assert "Invitation envoyée." in owner.get(sent.headers["location"]).text
    deliver(api)
    [link] = links(inbox.one(CLERK, "Fromagerie Boréale vous invite sur Comptoir"))

    # The clerk opens the link before signing in: sent to sign in, and back to the link.
    clerk = TestClient(api.client.app)
    first = clerk.get(path_of(link), follow_redirects=False)
    assert first.headers["location"] == "/compte/connexion?" + urlencode(
        {"suivant": path_of(link)})
    back = clerk.post("/compte/connexion", data={"email": CLERK, "password": PASSWORD,
                                                 "suivant": path_of(link)},
                      follow_redirects=False)
    assert back.headers["location"] == path_of(link)
    seen = api.log_length()
    offer = clerk.get(path_of(link))
    assert offer.status_code == 200 and "Rejoindre Fromagerie Boréale" in offer.text
    assert api.log_length() == seen  # looking at the offer joins no one
    # Someone else's account cannot use her link.
    stranger = browser(api, "autre@courriel.example", path_of(link))
    refused = stranger.post("/portail/invitation", data={
        "csrftoken": csrf_of(stranger, path_of(link)),
        "token": parse_qs(urlsplit(link).query)["token"][0]})
    assert refused.status_code == 404 and "plus valable" in refused.text

    joined = clerk.post("/portail/invitation", data={
        "csrftoken": csrf_of(clerk, path_of(link)),
        "token": parse_qs(urlsplit(link).query)["token"][0]}, follow_redirects=False)
    assert joined.headers["location"] == "/portail"
    api.container.projections.settle()
    assert "Fromagerie Boréale" in clerk.get("/portail").text
    # A member manages no one.
    assert "Seul le propriétaire du commerce gère l&#39;équipe." in clerk.get(
        "/portail/equipe").text
    assert clerk.post(f"/portail/equipe/{owner_id}/retrait", data={
        "csrftoken": csrf_of(clerk, "/compte/espaces")}).status_code == 404

    team = owner.get("/portail/equipe").text
    found = re.search(r'<tr data-person="([^"]+)">\s*<th scope="row">([^<]+)</th>\s*'
                      r'<td[^>]*>([^<]+)</td>', team[team.index(OWNER) + len(OWNER):])
    assert found is not None and found.group(2, 3) == (CLERK, "Membre")
    member_id = found.group(1)
    assert f'action="/portail/equipe/{member_id}/retrait"' in team
    removed = owner.post(f"/portail/equipe/{member_id}/retrait", data={
        "csrftoken": csrf_of(owner, "/portail/equipe")}, follow_redirects=False)
    assert removed.headers["location"] == "/portail/equipe"
    api.container.projections.settle()
    assert CLERK not in owner.get("/portail/equipe").text
    # Her session ended with her membership.
    assert clerk.get("/portail", follow_redirects=False).headers["location"].startswith(
        "/compte/connexion")

