"""Every link a mail carries leads to a route of the app: a path in a mail is a promise to
someone reading it days later. The paths are read from the code that writes the mails (each
`url(...)` of application/notifications), so a new mail's link is checked without a test of
its own; a placeholder of an f-string is filled with an id."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.support import Api, literal_path

MAILS = Path(__file__).resolve().parents[2] / "application" / "notifications"


def mail_paths() -> set[str]:
    found = set()
    for source in MAILS.glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "url" and node.args):
                continue
            if (path := literal_path(node.args[0])) is not None:
                found.add(path)
    return found


def test_every_link_in_a_mail_leads_to_a_route(api: Api) -> None:
    paths = mail_paths()
    assert len(paths) >= 8, paths  # the reader found the mails' links
    assert sorted(path for path in paths if not api.routes("GET", path)) == []
