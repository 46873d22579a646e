"""Merchant resource over HTTP (TestClient), on both backends."""

from __future__ import annotations

from application.actors import Role
from tests.support import Api, merchant_body


def test_applying_answers_201_under_review_with_location(api: Api) -> None:
    response = api.client.post("/v1/merchants", json=merchant_body(neq="2212345678"))
    assert response.status_code == 201
    merchant = response.json()
    assert response.headers["location"] == f"/v1/merchants/{merchant['id']}"
    assert merchant["status"] == "under_review"
    assert merchant["neq"] == "2212345678"
    assert merchant["slug"] == "fromagerie-du-marche-gatineau"
    assert merchant["address"]["region_name"] == "Outaouais"
    assert merchant["contact"] == {"name": "Sophie Tremblay", "email": "sophie@fromagerie.example",
                                   "phone": "+18195550199", "forgotten": False}
    assert merchant["fulfilment"]["delivery_fee"] == {"cents": 500, "currency": "CAD"}


def test_an_ineligible_application_lists_every_problem_in_french_and_changes_nothing(
    api: Api,
) -> None:
    before = api.log_length()
    body = merchant_body(
        neq="123", categories=[],
        address={"street": "1 Wellington", "municipality": "Ottawa", "postal_code": "K1A 0A6",
                 "region": "07", "province": "ON"},
        tax={"gst_number": "RT"},
    )
    response = api.client.post("/v1/merchants", json=body)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "https://comptoir.quebec/problems/validation-failed"
    assert problem["title"] == "Données invalides"
    assert {(e["field"], e["code"]) for e in problem["errors"]} == {
        ("neq", "neq_malformed"), ("address.province", "province_not_quebec"),
        ("address.postal_code", "postal_code_not_quebec"), ("location", "location_required"),
        ("categories", "categories_empty"), ("tax.gst_number", "gst_number_invalid"),
        ("tax.qst_number", "qst_number_required"),
    }
    neq_error = next(e for e in problem["errors"] if e["field"] == "neq")
    assert neq_error == {"field": "neq", "pointer": "#/neq", "code": "neq_malformed",
                         "detail": "Le NEQ compte exactement 10 chiffres."}
    assert api.log_length() == before


def test_problems_speak_english_when_asked(api: Api) -> None:
    response = api.client.post("/v1/merchants", json=merchant_body(neq="123"),
                               headers={"Accept-Language": "en-CA,en;q=0.9,fr;q=0.5"})
    problem = response.json()
    assert problem["title"] == "Invalid data"
    assert problem["errors"][0]["detail"] == "The NEQ has exactly 10 digits."
    assert response.headers["content-language"] == "en"


def test_the_review_lifecycle_over_http(api: Api) -> None:
    merchant_id = api.apply()
    path = f"/v1/merchants/{merchant_id}"
    owner = api.auth(Role.MERCHANT, merchant_id)
    assert api.client.get(path).status_code == 404  # not public while under review
    assert api.client.get(path, headers=owner).json()["status"] == "under_review"

    approved = api.client.post(f"{path}/approval", headers=api.validator)
    assert approved.json()["status"] == "approved"
    assert api.client.get(path).json()["contact"] is None  # public fiche, no personal data

    suspended = api.client.post(f"{path}/suspension", headers=api.validator,
                                json={"reason": "Plaintes répétées de clients"})
    assert (suspended.json()["status"], suspended.json()["status_reason"]) == (
        "suspended", "Plaintes répétées de clients")
    assert api.client.get(path).status_code == 404

    assert api.client.post(f"{path}/reinstatement", headers=api.validator).json()["status"] == (
        "approved")
    closed = api.client.post(f"{path}/closure", headers=owner)
    assert closed.json()["status"] == "closed"


def test_an_illegal_transition_is_a_409_naming_the_state(api: Api) -> None:
    merchant_id, _ = api.approved_merchant()
    before = api.log_length()
    response = api.client.post(f"/v1/merchants/{merchant_id}/approval", headers=api.validator)
    assert response.status_code == 409
    assert response.json()["code"] == "illegal_transition"
    assert response.json()["detail"] == (
        "Action « approve » impossible : merchant est à l'état « approved ».")
    assert api.log_length() == before


def test_a_rejection_needs_a_reason_the_applicant_then_sees(api: Api) -> None:
    merchant_id = api.apply()
    path = f"/v1/merchants/{merchant_id}"
    missing = api.client.post(f"{path}/rejection", headers=api.validator, json={"reason": " "})
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "reason"
    api.client.post(f"{path}/rejection", headers=api.validator,
                    json={"reason": "Le NEQ ne correspond pas au nom"})
    seen = api.client.get(path, headers=api.auth(Role.MERCHANT, merchant_id)).json()
    assert (seen["status"], seen["status_reason"]) == (
        "rejected", "Le NEQ ne correspond pas au nom")


def test_an_idempotency_key_replays_the_same_merchant(api: Api) -> None:
    body = merchant_body()
    headers = {"Idempotency-Key": "a7c6-retry-1"}
    first = api.client.post("/v1/merchants", json=body, headers=headers)
    position = api.log_length()
    second = api.client.post("/v1/merchants", json=body, headers=headers)
    assert (first.status_code, second.status_code) == (201, 201)
    assert second.json()["id"] == first.json()["id"]
    assert api.log_length() == position

    other = api.client.post("/v1/merchants", json=merchant_body(), headers=headers)
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"


def test_a_neq_already_active_is_a_conflict(api: Api) -> None:
    api.apply(neq="3312345678")
    response = api.client.post("/v1/merchants", json=merchant_body(neq="3312345678"))
    assert response.status_code == 409
    assert response.json()["code"] == "neq_taken"
