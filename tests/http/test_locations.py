"""Every `Location` the API answers with is somewhere a GET answers: read from the routers'
code (each `headers["Location"] = …`), a placeholder filled with an id. One pointed at a
variant that no GET served (405) until this test."""

from __future__ import annotations

import ast
from pathlib import Path
from uuid import uuid4

from starlette.routing import Match

from api.routers import webhook_endpoints
from api.schemas.merchants import ImageOut
from tests.support import Api

ROUTERS = Path(__file__).resolve().parents[2] / "api" / "routers"
NAMES = {"OPERATOR": webhook_endpoints.OPERATOR}  # module constants a Location is built with


def locations() -> set[str]:
    found = set()
    for source in ROUTERS.glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Assign) and len(node.targets) == 1
                    and isinstance(target := node.targets[0], ast.Subscript)
                    and isinstance(target.slice, ast.Constant)
                    and target.slice.value == "Location"):
                continue
            value = node.value
            if not isinstance(value, ast.Constant | ast.JoinedStr):
                continue  # computed (an image's URL): checked by the test itself
            parts = value.values if isinstance(value, ast.JoinedStr) else [value]
            found.add("".join(
                str(part.value) if isinstance(part, ast.Constant)
                else NAMES.get(getattr(part.value, "id", ""), str(uuid4()))
                if isinstance(part, ast.FormattedValue) else str(uuid4()) for part in parts))
    return found


def test_every_location_the_api_answers_with_is_served_by_a_get(api: Api) -> None:
    paths = {*locations(), ImageOut.of(uuid4().hex).urls["large"]}
    assert len(paths) >= 9, paths  # the reader found the routers' Locations
    routes = api.client.app.routes  # type: ignore[attr-defined]
    unserved = sorted(path for path in paths if not any(
        route.matches({"type": "http", "path": path, "method": "GET"})[0] == Match.FULL
        for route in routes))
    assert unserved == []
