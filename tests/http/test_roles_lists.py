"""Every paged list × every role (docs/lists.md): the validators' queue is staff's (403 to
other roles); a merchant's inbox its own and admins' and its catalogue its own and staff's,
another merchant's "not found"; a shopper's orders its own and admins'. Anonymous callers get
401 before anything is looked up, whatever the id. Roles are relative to the scene: consumer A
bought from merchant A; B are strangers to it."""

from __future__ import annotations

from uuid import uuid4

import pytest

from tests.http.test_roles_orders import ROLES, scene
from tests.support import Api

CASES: list[tuple[str, str, list[int]]] = [
    # name, path (formatted with the scene), expected in ROLES order:
    # anonymous, consumer_a, consumer_b, merchant_a, merchant_b, validator, auditor, admin
    ("validators' queue", "/v1/merchants?status=under_review",
     [401, 403, 403, 403, 403, 200, 403, 200]),
    ("merchant's inbox", "/v1/merchants/{s.merchant}/orders",
     [401, 404, 404, 200, 404, 404, 404, 200]),
    ("merchant's catalogue", "/v1/merchants/{s.merchant}/listings",
     [401, 404, 404, 200, 404, 200, 200, 200]),
    ("shopper's orders", "/v1/consumers/{s.consumer}/orders",
     [401, 200, 404, 404, 404, 404, 404, 200]),
    ("payouts by status", "/v1/merchants/{s.merchant}/payouts?status=waiting",
     [401, 404, 404, 200, 404, 200, 200, 200]),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_role_matrix_of_the_lists(api: Api, case: tuple) -> None:
    _, path, expected = case
    s = scene(api)
    api.container.projections.settle()
    outcomes = {}
    for role in ROLES:
        before = api.log_length()
        response = api.client.get(path.format(s=s), headers=s.headers[role])
        outcomes[role] = response.status_code
        if response.status_code >= 400:
            assert response.headers["content-type"] == "application/problem+json"
        assert api.log_length() == before, f"{role} read a list and the log grew"
    assert outcomes == dict(zip(ROLES, expected, strict=True))


def test_anonymous_callers_learn_nothing_whatever_the_id(api: Api) -> None:
    for path in ("/v1/merchants", f"/v1/merchants/{uuid4()}/orders",
                 f"/v1/merchants/{uuid4()}/listings", f"/v1/consumers/{uuid4()}/orders",
                 f"/v1/merchants/{uuid4()}/payouts", "/v1/merchants?cursor=nonsense"):
        response = api.client.get(path)
        assert (response.status_code, response.json()["code"]) == (401, "unauthenticated"), path
