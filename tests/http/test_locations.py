"""Every `Location` the API answers with is somewhere a GET answers: read from the routers'
code (each `headers["Location"] = …`), a placeholder filled with an id. One pointed at a
variant that no GET served (405) until this test."""

from __future__ import annotations

import ast
from pathlib import Path
from uuid import uuid4

from api.routers import webhook_endpoints
from api.schemas.merchants import ImageOut
from tests.support import Api, literal_path

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
            # A computed value (an image's URL) is checked by the test itself.
            if (path := literal_path(node.value, NAMES)) is not None:
                found.add(path)
    return found


def test_every_location_the_api_answers_with_is_served_by_a_get(api: Api) -> None:
    paths = {*locations(), ImageOut.of(uuid4().hex).urls["large"]}
    assert len(paths) >= 9, paths  # the reader found the routers' Locations
    assert sorted(path for path in paths if not api.routes("GET", path)) == []
