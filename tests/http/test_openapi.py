"""The OpenAPI document a generated client is built from: every operation has an explicit,
readable operationId (camelCase words, as `listMerchantOrders`), unique, and a summary."""

from __future__ import annotations

import re

from tests.support import Api

READABLE = re.compile(r"^[a-z]+(?:[A-Z][a-z0-9]*)*$")


def test_every_operation_has_a_readable_unique_operation_id_and_a_summary(api: Api) -> None:
    spec = api.client.get("/openapi.json").json()
    operations = [(method.upper(), path, operation)
                  for path, methods in spec["paths"].items()
                  for method, operation in methods.items()]
    assert len(operations) > 60
    unreadable = [(m, p, o["operationId"]) for m, p, o in operations
                  if not READABLE.match(o["operationId"])]
    assert unreadable == []  # FastAPI's own names look like `get_v1_listings__listing_id__get`
    ids = [o["operationId"] for _, _, o in operations]
    assert sorted({i for i in ids if ids.count(i) > 1}) == []
    assert [(m, p) for m, p, o in operations if not o.get("summary")] == []
