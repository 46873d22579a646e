"""A merchant changes its profile (PATCH /v1/merchants/{id}/profile) and, through a validator,
its legal identity (docs/merchants.md): search, the shareable page, the validators' lists and
the Law 25 export follow; bad input and other tenants change nothing. Both backends."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

import pytest

from application.actors import Role
from tests.support import Api, merchant_body, unique_neq

FRESH = {"Prefer": "read-your-writes"}
RIMOUSKI = {"street": "12, rue Saint-Germain Est", "municipality": "Rimouski",
            "postal_code": "G5L 1A1", "region": "01"}
NEAR_RIMOUSKI = {"lat": 48.449, "lon": -68.523}
NEAR_GATINEAU = {"lat": 45.477, "lon": -75.701}
HOURS = {"monday": [{"opens": "09:00", "closes": "12:00"}, {"opens": "13:00", "closes": "17:30"}],
         "saturday": [{"opens": "10:00", "closes": "16:00"}]}


def patch(api: Api, merchant_id: str, headers: dict[str, str], **body: Any) -> Any:
    return api.client.patch(f"/v1/merchants/{merchant_id}/profile", headers=headers, json=body)


def merchant_hits(api: Api, **params: Any) -> list[dict[str, Any]]:
    response = api.client.get("/v1/search/merchants", params=params, headers=FRESH)
    assert response.status_code == 200, response.text
    return response.json()["items"]


def listing_hits(api: Api, **params: Any) -> list[dict[str, Any]]:
    response = api.client.get("/v1/search/listings", params=params, headers=FRESH)
    assert response.status_code == 200, response.text
    return response.json()["items"]


def test_a_profile_change_is_seen_by_search_by_the_page_and_by_the_lists(api: Api) -> None:
    merchant_id, owner = api.approved_merchant()
    listing_id = api.listing(merchant_id, owner, publish=True, stock=3)
    # Before: in Gatineau (region 07), not near Rimouski.
    assert [h["id"] for h in merchant_hits(api, region="07")] == [merchant_id]
    assert merchant_hits(api, radius_km=25, **NEAR_RIMOUSKI) == []
    # The owner moves to Rimouski, says its hours and describes itself.
    response = patch(api, merchant_id, owner, hours=HOURS, address=RIMOUSKI,
                     description_fr="Fromages affinés au bord du fleuve.")
    assert response.status_code == 200, response.text
    fiche = response.json()
    assert fiche["address"]["municipality"] == "Rimouski"
    assert fiche["address"]["region"] == "01"
    assert abs(fiche["location"]["lat"] - 48.45) < 0.1  # re-placed from the municipality
    assert abs(fiche["location"]["lon"] + 68.52) < 0.1
    assert fiche["hours"]["monday"] == [{"opens": "09:00", "closes": "12:00"},
                                        {"opens": "13:00", "closes": "17:30"}]
    assert fiche["hours"]["sunday"] == []
    # Search: the merchant and its listing are in their new town, region and place.
    assert merchant_hits(api, region="07") == []
    found = merchant_hits(api, region="01", q="fleuve")
    assert [(h["id"], h["municipality"]) for h in found] == [(merchant_id, "Rimouski")]
    near = merchant_hits(api, radius_km=25, **NEAR_RIMOUSKI)
    assert [h["id"] for h in near] == [merchant_id] and near[0]["distance_km"] < 5
    assert merchant_hits(api, radius_km=100, **NEAR_GATINEAU) == []
    listings = listing_hits(api, radius_km=25, **NEAR_RIMOUSKI)
    assert [(h["id"], h["municipality"], h["region"]) for h in listings] == [
        (listing_id, "Rimouski", "01")]
    assert listing_hits(api, region="07") == []
    # The page shows the new place, description and hours.
    page = api.client.get(f"/m/{fiche['slug']}", headers=FRESH)
    assert page.status_code == 200
    assert "Rimouski" in page.text and "Gatineau" not in page.text
    assert "Fromages affinés au bord du fleuve." in page.text
    assert "Heures d&#39;ouverture" in page.text and "13 h 00 – 17 h 30" in page.text
    # The validators' list of merchants follows the move too.
    queue = api.client.get("/v1/merchants", params={"status": "approved"},
                           headers={**api.validator, **FRESH}).json()["items"]
    assert [(r["id"], r["municipality"], r["region"]) for r in queue] == [
        (merchant_id, "Rimouski", "01")]


def test_fields_not_sent_stay_and_null_removes_an_optional_one(api: Api) -> None:
    merchant_id, owner = api.approved_merchant(website="https://fromagerie.example",
                                               description_fr="Fromages fermiers.")
    response = patch(api, merchant_id, owner, website=None, hours=HOURS)
    assert response.status_code == 200, response.text
    fiche = response.json()
    assert fiche["website"] is None
    assert fiche["description_fr"] == "Fromages fermiers."
    assert fiche["address"]["municipality"] == "Gatineau"
    # The same values again record nothing.
    before = api.log_length()
    assert patch(api, merchant_id, owner, hours=HOURS).status_code == 200
    assert api.log_length() == before


def test_a_contact_change_reaches_the_owner_and_the_privacy_export_only(api: Api) -> None:
    merchant_id, owner = api.approved_merchant()
    new_contact = {"name": "Julie Gagnon", "email": "julie@fromagerie.example"}
    response = patch(api, merchant_id, owner, contact=new_contact)
    assert response.status_code == 200, response.text
    assert response.json()["contact"]["name"] == "Julie Gagnon"
    public = api.client.get(f"/v1/merchants/{merchant_id}").json()
    assert public["contact"] is None
    merchant = api.container.app.repository.get(UUID(merchant_id))
    admin = api.auth_as(Role.ADMIN, uuid4())
    exported = api.client.get(f"/v1/privacy/subjects/{merchant.contact.subject_id}/export",
                              headers=admin)
    assert exported.status_code == 200, exported.text
    assert exported.json()["profile"]["name"] == "Julie Gagnon"
    assert exported.json()["profile"]["email"] == "julie@fromagerie.example"


@pytest.mark.parametrize(("body", "field"), [
    ({"description_fr": "Fromages\x00 fins"}, "description_fr"),
    ({"description_en": "Fine\x07cheese"}, "description_en"),
    ({"website": "https://exemple.ca/\x00"}, "website"),
    ({"website": "https://exemple.ca/\x1b[31m"}, "website"),
    ({"website": "javascript:alert(document.cookie)"}, "website"),
    ({"website": "JavaScript://%0aalert(1)"}, "website"),
    ({"website": "data:text/html,<script>alert(1)</script>"}, "website"),
    ({"website": "https://fromagerie.example@evil.example/"}, "website"),
    ({"hours": {"monday": [{"opens": "17:00", "closes": "09:00"}]}}, "hours.monday"),
    ({"hours": {"monday": [{"opens": "09:00", "closes": "13:00"},
                           {"opens": "12:00", "closes": "17:00"}]}}, "hours.monday"),
    ({"hours": {"monday": [{"opens": "9h", "closes": "17:00"}]}}, "hours.monday"),
    ({"address": {**RIMOUSKI, "postal_code": "K1A 0B1"}}, "address.postal_code"),
    ({"address": {**RIMOUSKI, "municipality": "Atlantide", "postal_code": "H0H 0H0"}},
     "location"),
    ({"contact": {"name": "Julie", "email": "pas-un-courriel"}}, "contact.email"),
    ({"logo": "../../etc/passwd"}, "logo"),
    ({"logo": "0" * 32}, "logo"),  # well formed, never uploaded
    ({"neq": "3312345678"}, "neq"),  # identity goes through a validator
    ({"address": None}, "address"),  # an address or a contact cannot be removed
    ({"contact": None}, "contact"),
    ({"location": {"lat": 48.4, "lon": -68.5}}, "location"),  # a place without an address
    ({}, "body"),
])
def test_hostile_or_bad_input_is_refused_and_changes_nothing(
        api: Api, body: dict[str, Any], field: str) -> None:
    merchant_id, owner = api.approved_merchant()
    before = api.log_length()
    response = patch(api, merchant_id, owner, **body)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["type"].endswith("validation-failed")
    assert field in [e["field"] for e in problem["errors"]], problem
    assert api.log_length() == before
    assert api.client.get(f"/v1/merchants/{merchant_id}", headers=owner).json()["website"] is None


def test_another_tenant_cannot_change_a_merchants_profile(api: Api) -> None:
    merchant_id, owner = api.approved_merchant()
    other_id, other = api.approved_merchant(neq=unique_neq())
    before = api.log_length()
    attempts = {
        "another merchant": (other, 404),
        "a consumer": (api.auth_as(Role.CONSUMER, uuid4()), 404),
        "a validator": (api.validator, 403),
        "an auditor": (api.auth(Role.AUDITOR), 403),
        "nobody": ({}, 401),
    }
    for who, (headers, status) in attempts.items():
        response = patch(api, merchant_id, headers, description_fr="Piraté")
        assert response.status_code == status, (who, response.text)
        response = api.client.post(f"/v1/merchants/{merchant_id}/identity-change",
                                   headers=headers, json={"legal_name": "Pirate inc."})
        assert response.status_code == status, (who, response.text)
    # Unknown ids answer as another merchant's do.
    assert patch(api, str(uuid4()), other, description_fr="x").status_code == 404
    assert api.log_length() == before
    assert api.client.get(f"/v1/merchants/{merchant_id}").json()["description_fr"] is None
    assert other_id != merchant_id


def test_an_neq_change_waits_for_a_validator_and_applies_only_once_approved(api: Api) -> None:
    old_neq, new_neq = unique_neq(), unique_neq()
    merchant_id, owner = api.approved_merchant(neq=old_neq)
    api.listing(merchant_id, owner, publish=True, stock=2)
    # The owner asks for a new NEQ and legal name: recorded, not applied.
    response = api.client.post(f"/v1/merchants/{merchant_id}/identity-change", headers=owner,
                               json={"neq": new_neq, "legal_name": "Fromagerie Marché ltée"})
    assert response.status_code == 200, response.text
    fiche = response.json()
    assert fiche["neq"] == old_neq
    assert fiche["pending_identity"] == {"neq": new_neq, "legal_name": "Fromagerie Marché ltée"}
    public = api.client.get(f"/v1/merchants/{merchant_id}").json()
    assert (public["neq"], public["pending_identity"]) == (old_neq, None)
    # Meanwhile it still sells under its current identity.
    assert public["status"] == "approved"
    assert len(listing_hits(api)) == 1
    # The owner cannot approve it; the validators' queue shows it.
    assert api.client.post(f"/v1/merchants/{merchant_id}/identity-change/approval",
                           headers=owner).status_code == 403
    queue = api.client.get("/v1/identity-changes", params={"status": "pending"},
                           headers={**api.validator, **FRESH})
    assert queue.status_code == 200, queue.text
    assert [(r["merchant_id"], r["neq"], r["legal_name"]) for r in queue.json()["items"]] == [
        (merchant_id, new_neq, "Fromagerie Marché ltée")]
    assert api.client.get("/v1/identity-changes", headers=owner).status_code == 403
    # A validator approves: now it is the merchant's identity.
    approved = api.client.post(f"/v1/merchants/{merchant_id}/identity-change/approval",
                               headers=api.validator)
    assert approved.status_code == 200, approved.text
    assert (approved.json()["neq"], approved.json()["legal_name"]) == (
        new_neq, "Fromagerie Marché ltée")
    assert approved.json()["pending_identity"] is None
    done = api.client.get("/v1/identity-changes", params={"status": "approved"},
                          headers={**api.validator, **FRESH}).json()["items"]
    assert [r["merchant_id"] for r in done] == [merchant_id]
    # The new NEQ is taken; the old one is free for whoever registers it.
    taken = api.client.post("/v1/merchants", json=merchant_body(neq=new_neq))
    assert taken.status_code == 409, taken.text
    assert api.client.post("/v1/merchants", json=merchant_body(neq=old_neq)).status_code == 201
    # Nothing is pending any more: a second approval is refused.
    assert api.client.post(f"/v1/merchants/{merchant_id}/identity-change/approval",
                           headers=api.validator).status_code == 409


def test_a_rejected_identity_change_leaves_the_identity_as_it_was(api: Api) -> None:
    neq = unique_neq()
    merchant_id, owner = api.approved_merchant(neq=neq)
    assert api.client.post(f"/v1/merchants/{merchant_id}/identity-change", headers=owner,
                           json={"legal_name": "Autre nom inc."}).status_code == 200
    rejected = api.client.post(f"/v1/merchants/{merchant_id}/identity-change/rejection",
                               headers=api.validator,
                               json={"reason": "Nom absent du registre des entreprises"})
    assert rejected.status_code == 200, rejected.text
    assert (rejected.json()["legal_name"], rejected.json()["neq"]) == (
        merchant_body()["legal_name"], neq)
    assert rejected.json()["pending_identity"] is None


def test_an_identity_change_to_a_taken_or_bad_neq_is_refused(api: Api) -> None:
    taken_neq = unique_neq()
    api.approved_merchant(neq=taken_neq)
    merchant_id, owner = api.approved_merchant(neq=unique_neq())
    before = api.log_length()
    url = f"/v1/merchants/{merchant_id}/identity-change"
    assert api.client.post(url, headers=owner, json={"neq": taken_neq}).status_code == 409
    bad = api.client.post(url, headers=owner, json={"neq": "12345"})
    assert bad.status_code == 422
    assert [e["field"] for e in bad.json()["errors"]] == ["neq"]
    same = api.client.post(url, headers=owner, json={})
    assert same.status_code == 422  # nothing asked
    assert api.log_length() == before
