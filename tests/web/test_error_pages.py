"""A browser that reaches no page is shown one of the shop's pages (both backends): an old or
mistyped link, a form sent the wrong way, a photo larger than allowed. The JSON API, and any
client that does not ask for HTML, keeps its RFC 9457 problems."""

from __future__ import annotations

import html

import pytest

from tests.support import Api
from tests.web.test_merchant_portal import owner_session
from tests.web.test_shop_forms import csrf_of

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def test_a_link_that_leads_nowhere_shows_the_shops_page_not_found(api: Api) -> None:
    for path in ("/nope", "/portail/nope", "/produits/abc/def", "/compte/nope/plus"):
        page = api.client.get(path, headers=BROWSER)
        assert (page.status_code, page.headers["content-type"]) == (
            404, "text/html; charset=utf-8"), path
        assert "<h1>Page introuvable</h1>" in page.text
        assert 'href="/"' in page.text
    english = api.client.get("/nope", headers={**BROWSER, "Accept-Language": "en"})
    assert "<h1>Page not found</h1>" in english.text
    for path, headers in (("/nope", {}), ("/nope", {"Accept": "application/json"}),
                          ("/v1/nope", BROWSER), ("/images/nope/small.webp", BROWSER)):
        problem = api.client.get(path, headers=headers)
        assert (problem.status_code, problem.headers["content-type"]) == (
            404, "application/problem+json"), (path, headers)
        assert problem.json()["code"] in ("route_not_found", "not_found")


def test_a_form_sent_the_wrong_way_or_too_large_says_so_on_a_page(api: Api) -> None:
    merchant_id, _ = api.approved_merchant()
    client = owner_session(api, merchant_id)
    token = csrf_of(client, "/portail/commerce")
    wrong = client.put("/portail/commerce", headers={**BROWSER, "X-CSRFToken": token})
    assert (wrong.status_code, wrong.headers["content-type"]) == (
        405, "text/html; charset=utf-8")
    assert "Allow" in wrong.headers

    # A form whose token is missing (a page kept open past its cookie, another site's form).
    length = api.log_length()
    stale = client.post("/portail/commerce", headers=BROWSER, data={"website": "https://x.ca"})
    assert (stale.status_code, stale.headers["content-type"]) == (
        403, "text/html; charset=utf-8")
    assert "Rien n'a été changé." in html.unescape(stale.text)
    assert api.log_length() == length
    as_program = client.post("/portail/commerce", data={"website": "https://x.ca"})
    assert (as_program.status_code, as_program.json()["code"]) == (403, "csrf_failed")

    here = "http://testserver/portail/commerce"
    too_large = client.post("/portail/commerce/logo", headers={**BROWSER, "Referer": here},
                            data={"csrftoken": csrf_of(client, "/portail/commerce")},
                            files={"fichier": ("logo.png", b"x" * (9 * 1024 * 1024),
                                               "image/png")})
    assert (too_large.status_code, too_large.headers["content-type"]) == (
        413, "text/html; charset=utf-8")
    assert "Le fichier envoyé est trop volumineux." in too_large.text
    assert 'href="/portail/commerce"' in too_large.text  # back to the form it came from
    assert "Mes espaces" in too_large.text  # signed in still, as the layout shows
    assert api.log_length() == length
    as_api = client.post(f"/v1/merchants/{merchant_id}/images", headers={
        "Accept": "application/json"}, files={"file": ("logo.png", b"x" * (9 * 1024 * 1024),
                                                       "image/png")})
    assert (as_api.status_code, as_api.json()["code"]) == (413, "body_too_large")


def test_a_bug_behind_a_page_shows_a_page_and_the_api_keeps_its_problem(
        api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("a bug nobody saw coming")

    monkeypatch.setattr(api.container.catalog, "visit", broken)
    page = api.client.get("/produits/8b0e1b2c-3f4a-4c5d-8e6f-7a8b9c0d1e2f", headers=BROWSER)
    assert (page.status_code, page.headers["content-type"]) == (500, "text/html; charset=utf-8")
    assert "Une erreur inattendue s'est produite de notre côté." in html.unescape(page.text)
    assert "nobody saw" not in page.text
    problem = api.client.get("/v1/listings/8b0e1b2c-3f4a-4c5d-8e6f-7a8b9c0d1e2f",
                             headers=BROWSER)
    assert (problem.status_code, problem.json()["code"]) == (500, "internal_error")
