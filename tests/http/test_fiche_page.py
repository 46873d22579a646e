"""The shareable merchant page, GET /m/{merchant_slug}: what it shows, what it never shows,
its link-preview tags, its errors, its speed, and a real headless Chromium rendering it.

Pages are read with `Prefer: read-your-writes`: listings come from the search read model,
which follows the log.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest

from api.auth import Tokens
from api.settings import Settings
from application.actors import Role
from application.merchant_pages import MAX_LISTINGS, MerchantPages, PublicListing
from domain.money import Money
from tests.support import Api, comptoir_server, listing_body, merchant_body

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
FRESH = {"Prefer": "read-your-writes"}
SLUG = "fromagerie-du-marche-gatineau"  # name + municipality of tests.support.merchant_body
NBSP = "\u00a0"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}
DESCRIPTION = "Fromages fermiers de l'Outaouais, affinés sur place."
CONTACT = merchant_body()["contact"]


class Page(HTMLParser):
    """An HTML document read with the standard library: its structure checked as it goes
    (every non-void element closed, in order), its tags, meta and text collected."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.open: list[str] = []
        self.problems: list[str] = []
        self.tags: Counter[str] = Counter()
        self.meta: dict[str, str] = {}
        self.links: list[dict[str, str]] = []
        self.anchors: list[str] = []
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.attrs: dict[str, dict[str, str]] = {}  # first element of each tag
        self.texts: dict[str, list[str]] = {}  # text directly inside h1, h3, title...
        self.text: list[str] = []
        self.doctype = ""
        self.feed(html)
        self.close()
        if self.open:
            self.problems.append(f"never closed: {self.open}")

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        self.tags[tag] += 1
        self.elements.append((tag, values))
        self.attrs.setdefault(tag, values)
        if tag == "meta" and ("property" in values or "name" in values):
            self.meta[values.get("property") or values["name"]] = values.get("content", "")
        if tag == "link":
            self.links.append(values)
        if tag == "a":
            self.anchors.append(values["href"])
        if tag not in VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.open.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            self.problems.append(f"</{tag}> closes a void element")
        elif not self.open or self.open[-1] != tag:
            self.problems.append(f"</{tag}> while {self.open[-1:]} is open")
        else:
            self.open.pop()

    def handle_data(self, data: str) -> None:
        if self.open and self.open[-1] == "style":
            return
        if self.open and data.strip():  # an element's text includes its descendants'
            for tag in dict.fromkeys(self.open):
                self.texts.setdefault(tag, []).append(data.strip())
        self.text.append(data)

    @property
    def body_text(self) -> str:
        """The text, ASCII white space collapsed (no-break spaces are part of the text)."""
        return re.sub(r"[ \t\r\n]+", " ", " ".join(self.text)).strip()


def well_formed(html: str, lang: str) -> Page:
    page = Page(html)
    assert page.problems == []
    assert page.doctype.lower() == "doctype html"
    assert page.attrs["html"]["lang"] == lang
    assert page.tags["html"] == page.tags["head"] == page.tags["body"] == 1
    assert page.tags["title"] == 1 and page.tags["h1"] == 1 and page.tags["main"] == 1
    assert page.attrs["meta"] == {"charset": "utf-8"}  # the first meta, as HTML5 wants
    assert page.tags["script"] == 0
    return page


def shop(api: Api) -> dict[str, str]:
    """An approved merchant with two published listings (one out of stock), a draft and a
    withdrawn listing."""
    merchant_id, owner = api.approved_merchant(description_fr=DESCRIPTION,
                                               website="https://fromagerie.example")
    ids = {
        "honey": api.listing(merchant_id, owner, publish=True, stock=4321,
                             title_fr="Miel de trèfle", title_en="Clover honey", price_cents=899),
        "wheel": api.listing(merchant_id, owner, publish=True, stock=0,
                             title_fr="Meule de cheddar", price_cents=125000),
        "draft": api.listing(merchant_id, owner, title_fr="Brouillon secret", stock=7),
        "withdrawn": api.listing(merchant_id, owner, publish=True, title_fr="Fin de saison"),
    }
    assert api.client.post(f"/v1/listings/{ids['withdrawn']}/withdrawal",
                           headers=owner).status_code == 200
    return {"merchant_id": merchant_id, **ids}


def products(page: Page) -> list[str]:
    return page.texts["h3"]


def page_url(api: Api) -> str:
    """The page's public address: og:url and canonical are absolute."""
    return f"{api.container.settings.public_base_url.rstrip('/')}/m/{SLUG}"


def test_the_page_shows_the_business_and_its_published_listings(api: Api) -> None:
    merchant_id = shop(api)["merchant_id"]
    response = api.client.get(f"/m/{SLUG}", headers=FRESH)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["cache-control"] == "public, max-age=60"
    assert response.headers["content-language"] == "fr-CA"
    page = well_formed(response.text, "fr-CA")

    assert page.texts["title"] == ["Fromagerie du Marché — Gatineau · Comptoir"]
    assert page.texts["h1"] == ["Fromagerie du Marché"]
    assert products(page) == ["Meule de cheddar", "Miel de trèfle"]  # by title; no draft
    text = page.body_text
    assert "Brouillon secret" not in response.text and "Fin de saison" not in response.text
    assert f"Meule de cheddar 1{NBSP}250,00{NBSP}$ Rupture de stock" in text
    assert f"Miel de trèfle 8,99{NBSP}$ En stock" in text
    assert "4321" not in response.text  # stock levels are the owner's
    assert DESCRIPTION in text
    assert "Fromagerie" in page.texts["li"]  # the category's French label
    assert "123, rue Principale Gatineau (Québec) J8X 3X7" in text
    where = api.client.get(f"/v1/merchants/{merchant_id}").json()["location"]
    lat, lon = f"{where['lat']:.5f}", f"{where['lon']:.5f}"
    assert lat.startswith("45.4") and lon.startswith("-75.7")  # Gatineau
    assert f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=16/{lat}/{lon}" \
        in page.anchors
    assert "https://fromagerie.example" in page.anchors
    for value in CONTACT.values():  # the contact person is not the business
        assert value not in response.text
    assert "sophie" not in response.text.lower() and "5550199" not in response.text

    url = page_url(api)
    assert page.meta["og:title"] == "Fromagerie du Marché — Gatineau"
    assert page.meta["og:description"] == DESCRIPTION
    assert page.meta["og:url"] == url
    assert page.meta["og:type"] == "website"
    assert page.meta["og:locale"] == "fr_CA"
    assert page.meta["twitter:card"] == "summary"
    assert page.meta["twitter:title"] == page.meta["og:title"]
    assert {"rel": "canonical", "href": url} in page.links
    assert {"rel": "alternate", "hreflang": "en-CA", "href": f"{url}?lang=en"} in page.links
    assert f"{url}?lang=en" in page.anchors  # the language switch

    head = api.client.head(f"/m/{SLUG}")  # link checkers and some preview bots ask HEAD
    assert head.status_code == 200 and head.content == b""


@pytest.mark.parametrize("ask", [{"params": {"lang": "en"}},
                                 {"headers": {"Accept-Language": "en-CA,en;q=0.9,fr;q=0.5"}}],
                         ids=["query", "header"])
def test_the_page_in_english(api: Api, ask: dict[str, Any]) -> None:
    shop(api)
    response = api.client.get(f"/m/{SLUG}", params=ask.get("params"),
                              headers={**FRESH, **ask.get("headers", {})})
    assert response.status_code == 200
    page = well_formed(response.text, "en-CA")
    text = page.body_text
    assert products(page) == ["Clover honey", "Meule de cheddar"]  # French when no English
    assert "Clover honey $8.99 In stock" in text
    assert "Meule de cheddar $1,250.00 Out of stock" in text
    assert "Cheese shop" in page.texts["li"]
    assert "Gatineau QC J8X 3X7" in text
    assert page.meta["og:locale"] == "en_CA"
    assert page.meta["og:url"] == f"{page_url(api)}?lang=en"
    assert page.meta["og:description"] == "Cheese shop in Gatineau, Québec"
    assert DESCRIPTION in text  # written in French only: shown, and marked as French
    assert ("p", {"lang": "fr-CA"}) in page.elements
    assert response.headers["vary"] == "Cookie, Accept-Language"  # language cookie, session


def test_an_explicit_language_wins_over_the_header(api: Api) -> None:
    shop(api)
    response = api.client.get(f"/m/{SLUG}", params={"lang": "fr"},
                              headers={**FRESH, "Accept-Language": "en"})
    assert Page(response.text).attrs["html"]["lang"] == "fr-CA"


def error_page(api: Api, path: str, status: int, lang: str = "fr") -> Page:
    response = api.client.get(path, headers=FRESH, params={"lang": lang})
    assert response.status_code == status
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["cache-control"] == "public, max-age=60"
    page = well_formed(response.text, f"{lang}-CA")
    assert page.meta["robots"] == "noindex"
    return page


def slug_of(api: Api, merchant_id: str) -> str:
    return api.client.get(f"/v1/merchants/{merchant_id}", headers=api.validator).json()["slug"]


def test_unknown_and_hidden_merchants_are_not_found(api: Api) -> None:
    for path in ("/m/nobody-here", "/m/NOT%20A%20SLUG", f"/m/{'a' * 200}"):
        assert error_page(api, path, 404).texts["h1"] == ["Page introuvable"]
    assert error_page(api, "/m/nobody-here", 404, "en").texts["h1"] == ["Page not found"]

    under_review = api.apply(name="Boulangerie en attente")
    rejected = api.apply(name="Boulangerie refusée")
    assert api.client.post(f"/v1/merchants/{rejected}/rejection", headers=api.validator,
                           json={"reason": "NEQ introuvable"}).status_code == 200
    suspended, _ = api.approved_merchant(name="Boulangerie suspendue")
    assert api.client.post(f"/v1/merchants/{suspended}/suspension", headers=api.validator,
                           json={"reason": "Plainte à vérifier"}).status_code == 200
    never_public = api.apply(name="Boulangerie jamais ouverte")
    assert api.client.post(f"/v1/merchants/{never_public}/closure",
                           headers=api.auth(Role.MERCHANT, never_public)).status_code == 200
    for merchant_id in (under_review, rejected, suspended, never_public):
        page = error_page(api, f"/m/{slug_of(api, merchant_id)}", 404)
        assert "Boulangerie" not in page.body_text  # nothing about who applied leaks


def test_a_closed_merchant_is_gone(api: Api) -> None:
    merchant_id, owner = api.approved_merchant(name="Quincaillerie fermée")
    assert api.client.post(f"/v1/merchants/{merchant_id}/closure",
                           headers=owner).status_code == 200
    page = error_page(api, "/m/quincaillerie-fermee-gatineau", 410)
    assert page.texts["h1"] == ["Ce commerce a fermé"]
    assert f"«{NBSP}Quincaillerie fermée{NBSP}» ne vend plus sur Comptoir." in page.body_text


def test_a_long_catalogue_shows_its_first_listings(api: Api,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    class EveryListingInStock:
        def of_merchant(self, merchant_id: UUID, limit: int) -> list[PublicListing]:
            return [PublicListing(uuid4(), f"Produit {i:04d}", None, Money(100 + i), True)
                    for i in range(limit)]  # as many as asked: there are always more

    api.approved_merchant()
    monkeypatch.setattr(api.container, "merchant_pages",
                        MerchantPages(api.container.app, listings=EveryListingInStock()))
    page = well_formed(api.client.get(f"/m/{SLUG}").text, "fr-CA")
    assert len(products(page)) == MAX_LISTINGS
    assert f"Seuls les {MAX_LISTINGS} premiers produits sont affichés." in page.body_text


def chromium(*args: str) -> subprocess.CompletedProcess[str]:
    # Not installed means `make system-deps` did not run: a failure, never a skip.
    if shutil.which("chromium") is None:
        pytest.fail("chromium is not installed: run `make system-deps`", pytrace=False)
    # A Québec reader's browser: headless Chromium would otherwise ask for en-US, and get it.
    result = subprocess.run(
        ["chromium", "--headless=new", "--no-sandbox", "--disable-gpu",
         "--disable-dev-shm-usage", "--no-first-run", "--accept-lang=fr-CA,fr", *args],
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_real_browser_renders_the_page(settings: Settings, tmp_path: Path) -> None:
    with comptoir_server(settings) as base, httpx.Client(base_url=base, timeout=10) as http:
        tokens = Tokens.from_settings(settings)  # the server's development key, made by now
        merchant = http.post("/v1/merchants", json=merchant_body(description_fr=DESCRIPTION))
        merchant_id = merchant.json()["id"]
        assert http.post(f"/v1/merchants/{merchant_id}/approval",
                         headers=bearer(tokens.issue(Role.VALIDATOR))).status_code == 200
        owner = bearer(tokens.issue(Role.MERCHANT, merchant_id=UUID(merchant_id)))
        for title, stock in (("Miel de trèfle", 5), ("Meule de cheddar", 0)):
            listing = http.post(f"/v1/merchants/{merchant_id}/listings", headers=owner,
                                json=listing_body(title_fr=title)).json()["id"]
            assert http.put(f"/v1/listings/{listing}/stock", headers=owner,
                            json={"on_hand": stock}).status_code == 200
            assert http.post(f"/v1/listings/{listing}/publication",
                             headers={**owner, **FRESH}).status_code == 200
        url = f"{base}/m/{SLUG}"
        assert http.get(url, headers=FRESH).status_code == 200

        screenshot = tmp_path / "fiche.png"
        chromium(f"--user-data-dir={tmp_path / 'profile-1'}", f"--screenshot={screenshot}",
                 "--window-size=1200,900", url)
        dom = chromium(f"--user-data-dir={tmp_path / 'profile-2'}", "--dump-dom", url).stdout

    png = screenshot.read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 5000
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copyfile(screenshot, ARTIFACTS / f"fiche-{settings.backend}.png")
    page = Page(dom)
    assert page.texts["title"] == ["Fromagerie du Marché — Gatineau · Comptoir"]
    assert products(page) == ["Meule de cheddar", "Miel de trèfle"]
    assert "Rupture de stock" in page.body_text


def test_a_signed_in_visitors_copy_is_hers_alone(api: Api) -> None:
    """The shop's header shows who is signed in: such a page never goes to a shared cache."""
    api.approved_merchant()
    shopper = api.auth(Role.CONSUMER, uuid4())
    response = api.client.get(f"/m/{SLUG}", headers=shopper)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert "Mon compte" in response.text and "Se connecter" not in response.text
    anonymous = api.client.get(f"/m/{SLUG}")
    assert anonymous.headers["cache-control"] == "public, max-age=60"
    assert "Se connecter" in anonymous.text
