"""A baker fills in the application form in a hurry: one answer must list everything to fix,
in French or in English, and nothing is recorded until it is right."""

from __future__ import annotations

from typing import Any

from tests.journeys.helpers import RYW, Marketplace, fresh_neq

NAME = "Boulangerie Pain d'Antan"
EXPECTED_FIELDS = {"contact", "categories", "neq", "address.postal_code"}


def hasty_application() -> dict[str, Any]:
    # No contact, no categories, a 5-digit NEQ and an Ottawa (Ontario) postal code.
    return {
        "name": NAME, "legal_name": "9123-4567 Québec inc.", "neq": "12345",
        "address": {"street": "15, rue Eddy", "municipality": "Gatineau",
                    "postal_code": "K1A 0B1", "region": "07"},
        "tax": {"small_supplier": True},
    }


def test_merchant_application_lists_every_problem_at_once(market: Marketplace) -> None:
    # The baker sends the form (French by default).
    french = market.http.post("/v1/merchants", json=hasty_application())
    assert french.status_code == 422, french.text
    assert french.headers["content-type"].startswith("application/problem+json")
    problem = french.json()
    assert problem["status"] == 422
    fields = [e["field"] for e in problem["errors"]]
    assert set(fields) >= EXPECTED_FIELDS, f"named {fields}, expected all of {EXPECTED_FIELDS}"
    assert french.headers.get("content-language") == "fr"

    # The same form, asking for English: the same four fields, explained in English.
    english = market.http.post("/v1/merchants", json=hasty_application(),
                               headers={"Accept-Language": "en"})
    assert english.status_code == 422, english.text
    en_problem = english.json()
    assert english.headers.get("content-language") == "en"
    en_fields = [e["field"] for e in en_problem["errors"]]
    assert set(en_fields) >= EXPECTED_FIELDS, en_fields
    assert en_problem["title"] != problem["title"]
    fr_details = {e["field"]: e["detail"] for e in problem["errors"]}
    for error in en_problem["errors"]:
        if error["field"] in EXPECTED_FIELDS:
            assert error["detail"] != fr_details[error["field"]], error

    # Nothing was recorded: the shop cannot be found, not even once the read models caught up.
    found = market.http.get("/v1/search/merchants", params={"q": NAME}, headers=RYW)
    assert found.status_code == 200, found.text
    assert found.json()["total"] == 0

    # Fixed, the same application is accepted (the form was the only problem).
    fixed = {**hasty_application(), "neq": fresh_neq(), "categories": ["boulangerie"],
             "contact": {"name": "Marc-André Pelletier", "email": "marc@pain-dantan.example"},
             "address": {"street": "15, rue Eddy", "municipality": "Gatineau",
                         "postal_code": "J8X 2V6", "region": "07"}}
    accepted = market.http.post("/v1/merchants", json=fixed)
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["status"] == "under_review"
