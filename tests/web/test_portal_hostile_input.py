"""Hostile input through the portal's forms meets the domain's own rules (issue 13): control
characters and NUL refused with the field named, nothing written; the application form's
look-alike digits folded or refused like the API's."""

from __future__ import annotations

from tests.support import Api
from tests.web.test_merchant_portal import GOOD, owner_session, signed_in
from tests.web.test_shop_forms import csrf_of


def test_nul_and_control_characters_in_the_portals_forms_change_nothing(api: Api) -> None:
    merchant_id, _ = api.approved_merchant()
    client = signed_in(api, "/portail/inscription")
    before = api.log_length()
    form = {**GOOD, "csrftoken": csrf_of(client, "/portail/inscription"),
            "name": "Poison\u0000Nul", "neq": "1171234567"}
    refused = client.post("/portail/inscription", data=form, follow_redirects=False)
    assert refused.status_code == 422
    assert 'id="e-name"' in refused.text
    assert api.log_length() == before

    client = owner_session(api, merchant_id)
    before = api.log_length()
    listing = {"csrftoken": csrf_of(client, "/portail/fiches/nouvelle"),
               "title_fr": "Sirop\u0007 d'érable", "description_fr": "Pot de 540 ml",
               "category": "alimentation", "price": "14,50", "tax_class": "zero_rated",
               "origin": "produced"}
    refused = client.post("/portail/fiches/nouvelle", data=listing, follow_redirects=False)
    assert refused.status_code == 422
    assert 'id="e-title_fr"' in refused.text
    assert api.log_length() == before
