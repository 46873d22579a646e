"""Every link and form of the pages leads to a route of the app: an `href` to a GET route, a
form's `action` to a route of its method (read from the templates; an expression in a path is
filled with an id). The mails' links have their own check (tests/mail/test_links.py)."""

from __future__ import annotations

import re
from pathlib import Path
from uuid import uuid4

from tests.support import Api

TEMPLATES = Path(__file__).resolve().parents[2] / "api" / "templates"
HREF = re.compile(r'\bhref="(/[^"]*)"')
FORM = re.compile(r"<form\b[^>]*>")
ACTION = re.compile(r'\baction="(/[^"]*)"')


def page_links() -> set[tuple[str, str, str]]:
    """(method, path, template) of every literal link and form of the templates."""
    found = set()
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        targets = [("GET", href) for href in HREF.findall(text)]
        for form in FORM.findall(text):
            if action := ACTION.search(form):
                targets.append(("GET" if 'method="get"' in form else "POST", action.group(1)))
        for method, target in targets:
            path = re.sub(r"\{%.*?%\}", "", re.sub(r"\{\{.*?\}\}", str(uuid4()), target))
            found.add((method, path.split("?")[0].split("#")[0], template.name))
    return found


def test_every_link_and_form_of_the_pages_leads_to_a_route(api: Api) -> None:
    links = page_links()
    assert len(links) >= 60, len(links)  # the reader found the templates' links
    assert sorted(link for link in links if not api.routes(link[0], link[1])) == []
