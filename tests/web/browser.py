"""A real browser for the shop's pages: Playwright for Python driving Debian's Chromium
(/usr/bin/chromium; nothing is downloaded), axe-core's rules (axe-playwright-python, offline),
screenshots at a phone's and a desktop's width, and the development mailbox."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.journeys.helpers import eventually

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
GATE = ("serious", "critical")


@contextmanager
def chromium() -> Iterator[Browser]:
    # Not installed means `make system-deps` did not run: a failure, never a skip.
    if shutil.which(CHROMIUM) is None:
        pytest.fail("chromium is not installed: run `make system-deps`", pytrace=False)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-dev-shm-usage"])
        try:
            yield browser
        finally:
            browser.close()


def new_page(browser: Browser, base: str) -> Page:
    """A Québec shopper's browser: French first (headless Chromium would ask for en-US)."""
    context = browser.new_context(base_url=base, locale="fr-CA", viewport=DESKTOP,
                                  extra_http_headers={"Accept-Language": "fr-CA,fr;q=0.9"},
                                  accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


class Audit:
    """axe-core on every page a test visits; serious and critical violations are collected
    and asserted at the end (every page's problems at once), the rest printed."""

    def __init__(self) -> None:
        self.axe = Axe()
        self.failures: list[str] = []
        self.pages: list[str] = []

    def check(self, page: Page, name: str) -> None:
        text = page.content()
        for leak in ("built-in method", "Undefined", "None</", "{{", "{%"):
            if leak in text:
                self.failures.append(f"{name}: the page shows {leak!r}")
        violations = self.axe.run(page).response["violations"]
        self.pages.append(name)
        for v in violations:
            line = (f"{name}: {v['id']} ({v['impact']}) {v['help']} — "
                    f"{[n['target'] for n in v['nodes']][:3]}")
            if v["impact"] in GATE:
                self.failures.append(line)
            else:
                print("axe (minor):", line)

    def assert_clean(self) -> None:
        assert self.failures == [], "\n".join(self.failures)


def shoot(page: Page, name: str, keep: bool) -> None:
    """The page at desktop and phone widths (whole page), under docs/screenshots/."""
    if not keep:
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-desktop.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-phone.png"), full_page=True)
    page.set_viewport_size(DESKTOP)


def verification_token(http: httpx.Client, to: str) -> str:
    """The token of the verification link mailed to `to` (the development mailbox)."""
    def listed() -> list[dict[str, Any]]:
        mails = http.get("/dev/mail", params={"format": "json"}).json()["mails"]
        return [m for m in mails if m["to"] == to]
    found = eventually(listed, bool, 20)
    assert len(found) == 1, found
    mail = http.get(found[0]["href"], params={"format": "json"}).json()
    [link] = [link for link in mail["links"] if "email-verification" in link]
    return parse_qs(urlsplit(link).query)["token"][0]


def sign_in(page: Page, email: str, password: str, then: str) -> None:
    """Sign in with the form on the way to `then` (the space it opens), and land there."""
    page.context.clear_cookies()
    page.goto(f"/compte/connexion?suivant={then}")
    page.get_by_label("Adresse courriel").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Me connecter").click()
    expect(page).to_have_url(re.compile(rf"{re.escape(then)}$"))


def tab_to(page: Page, selector: str, limit: int = 80) -> None:
    """Press Tab until the element `selector` has the focus (keyboard only)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)",
                         selector):
            return
    raise AssertionError(f"Tab never reached {selector}")
