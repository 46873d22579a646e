"""Hostile input on every way in, both backends: control characters, look-alike digits,
events that a read model cannot store. Each test is one finding of a security review."""

from __future__ import annotations

from dataclasses import replace
from uuid import uuid4

import pytest

from application.actors import Role
from domain.merchant import Merchant
from domain.merchant_profile import ApplicationForm
from tests.support import Api, listing_body, merchant_body

FRESH = {"Prefer": "read-your-writes"}


@pytest.mark.parametrize(("field", "body"), [
    ("name", merchant_body(name="Poison\u0000Nul")),
    ("description_fr", merchant_body(description_fr="Bonjour\u001b[31m")),
    ("address.street", merchant_body(address={"street": "1, rue\u0007 A", "municipality":
                                              "Gatineau", "postal_code": "J8X 3X7",
                                              "region": "07"})),
    ("contact.name", merchant_body(contact={"name": "Zoé\u0000", "email": "z@x.example"})),
])
def test_control_characters_are_refused_with_the_field_named_and_nothing_is_saved(
        api: Api, field: str, body: dict) -> None:
    before = api.log_length()
    response = api.client.post("/v1/merchants", json=body)
    assert response.status_code == 422
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [
        (field, "text_control_characters")]
    assert api.log_length() == before


def test_a_listing_title_with_a_nul_is_refused(api: Api) -> None:
    merchant_id, owner = api.approved_merchant()
    response = api.client.post(f"/v1/merchants/{merchant_id}/listings", headers=owner,
                               json=listing_body(title_fr="Gouda\u0000"))
    assert (response.status_code, response.json()["errors"][0]["field"]) == (422, "title_fr")


def test_tab_newline_and_composed_accents_are_text(api: Api) -> None:
    merchant_id = api.apply(name="Cafe\u0301 du Parc", description_fr="Ouvert\n\tle dimanche")
    merchant = api.client.get(f"/v1/merchants/{merchant_id}", headers=api.validator).json()
    assert merchant["name"] == "Café du Parc" and len(merchant["name"]) == 12  # NFC
    assert merchant["description_fr"] == "Ouvert\n\tle dimanche"


def test_a_nul_in_a_search_query_is_a_problem_not_lost_insight(api: Api) -> None:
    response = api.client.get("/v1/search/listings", params={"q": "gouda\u0000alpha"})
    assert (response.status_code, response.json()["errors"][0]["field"]) == (422, "query.q")


def test_look_alike_digits_are_folded_or_refused(api: Api) -> None:
    neq = "1176543210"
    api.apply(neq=neq)
    fullwidth = "".join(chr(0xFF10 + int(d)) for d in neq)  # "１１７６５４３２１０"
    taken = api.client.post("/v1/merchants", json=merchant_body(neq=fullwidth))
    assert (taken.status_code, taken.json()["code"]) == (409, "neq_taken")
    arabic = "".join(chr(0x0660 + int(d)) for d in "2276543210")  # Arabic-Indic digits
    refused = api.client.post("/v1/merchants", json=merchant_body(neq=arabic))
    assert [(e["field"], e["code"]) for e in refused.json()["errors"]] == [
        ("neq", "neq_malformed")]
    folded = api.apply(address={"street": "1, rue A", "municipality": "Gatineau",
                                "postal_code": "J８X ３X７", "region": "07"},
                       tax={"gst_number": "１２３４５６７８９RT0001",
                            "qst_number": "1234567890TQ0001"},
                       contact={"name": "Zoé", "email": "z@x.example", "phone": "８１９-555-0199"})
    merchant = api.client.get(f"/v1/merchants/{folded}", headers=api.validator).json()
    assert merchant["address"]["postal_code"] == "J8X 3X7"
    assert merchant["tax"]["gst_number"] == "123456789RT0001"
    assert merchant["contact"]["phone"] == "+18195550199"


def test_an_event_a_read_model_cannot_store_is_passed_and_search_stays_live(api: Api) -> None:
    # written below the API (an old version's event, a bug, a restored backup): PostgreSQL
    # text cannot hold a NUL, SQLite's can
    c = api.container
    profile = ApplicationForm.from_raw(merchant_body()).check(contact_subject_id=uuid4())
    poison = Merchant.submit(replace(profile, name="Poison\u0000Nul"), slug=f"poison-{uuid4()}")
    c.app.keys.create_many([profile.contact.subject_id])
    poison.approve(by=str(uuid4()))
    c.app.save(poison)
    # what comes after it is searchable, at once
    merchant_id, owner = api.approved_merchant(name="Fromagerie Après Coup")
    api.listing(merchant_id, owner, publish=True, stock=3, title_fr="Gouda fumé")
    found = api.client.get("/v1/search/listings", params={"q": "gouda"}, headers=FRESH)
    assert [i["title_fr"] for i in found.json()["items"]] == ["Gouda fumé"]
    ready = api.client.get("/ready", headers=api.auth(Role.ADMIN))
    assert ready.status_code == 200
    failed = ready.json()["failed_events"]["search"]
    if c.settings.backend == "postgres":
        # the application is held as a document (JSON escapes a NUL); its approval would index
        # the name, and that is what PostgreSQL refuses: recorded and passed
        [failure] = c.search_store.failures()
        assert failure.topic == "comptoir.Merchant.Approved"
        assert "NUL" in failure.error
        assert failed == 1
    else:
        assert failed == 0


def test_an_unexpected_error_is_a_500_problem_with_its_request_id_on_a_live_connection(
        api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    import socket
    import threading
    import time

    import uvicorn

    from api.main import create_app
    from tests.support import free_port

    def broken(*args: object) -> None:
        raise RuntimeError("a bug nobody saw coming")

    monkeypatch.setattr(api.container.catalog, "get", broken)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(container=api.container), port=port,
                                           log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
            reader = conn.makefile("rb")

            def ask(path: str, rid: str) -> tuple[int, dict[str, str], bytes]:
                conn.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nX-Request-ID: {rid}\r\n"
                             "\r\n".encode())
                status = int(reader.readline().split()[1])
                headers = {}
                while (line := reader.readline().strip()):
                    name, _, value = line.decode().partition(":")
                    headers[name.lower()] = value.strip()
                return status, headers, reader.read(int(headers["content-length"]))

            status, headers, body = ask(f"/v1/listings/{uuid4()}", "panne-0001")
            assert (status, headers["x-request-id"]) == (500, "panne-0001")
            assert headers["content-type"] == "application/problem+json"
            assert b'"code":"internal_error"' in body and b"nobody saw" not in body
            # the same connection answers the next request
            status, headers, _ = ask("/health", "suite-0002")
            assert (status, headers["x-request-id"]) == (200, "suite-0002")
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_names_and_titles_that_a_spreadsheet_would_run_are_exported_as_text(api: Api) -> None:
    import csv
    import io

    from tests.support import Shop

    shop = Shop(api)
    merchant, owner = shop.merchant(name='=HYPERLINK("http://pirate.example","Cliquez")')
    listing = api.listing(merchant, owner, publish=True, stock=3,
                          title_fr="+cmd|' /C calc'!A0")
    assert shop.check_out(shop.cart({listing: 1})).status_code == 201
    exported = api.client.get(f"/v1/privacy/subjects/{shop.consumer_id}/export",
                              params={"format": "csv"}, headers=shop.consumer)
    assert exported.status_code == 200
    cells = [cell for row in csv.reader(io.StringIO(exported.text)) for cell in row]
    assert '\'=HYPERLINK("http://pirate.example","Cliquez")' in cells
    assert "'+cmd|' /C calc'!A0" in cells
    assert not any(cell.startswith(("=", "+", "@")) for cell in cells)
