"""Every error is an RFC 9457 problem document: malformed requests, tokens, routes."""

from __future__ import annotations

import time
from datetime import timedelta
from uuid import uuid4

import jwt
import pytest

from api.auth import Tokens
from application.actors import Role
from tests.support import Api

PROBLEM = "application/problem+json"


def test_malformed_json_is_a_400_problem(api: Api) -> None:
    response = api.client.post("/v1/merchants", content=b'{"name": ',
                               headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["code"] == "json_invalid"


def test_unknown_route_and_wrong_method_are_problems(api: Api) -> None:
    missing = api.client.get("/v1/nothing-here")
    assert (missing.status_code, missing.headers["content-type"]) == (404, PROBLEM)
    assert missing.json()["detail"] == "Cette adresse n'existe pas."
    wrong = api.client.delete(f"/v1/merchants/{uuid4()}")
    assert (wrong.status_code, wrong.json()["code"]) == (405, "method_not_allowed")


def test_a_malformed_id_is_a_field_error(api: Api) -> None:
    response = api.client.get("/v1/merchants/not-a-uuid")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "path.merchant_id"


@pytest.mark.parametrize("token", ["garbage", "a.b.c", ""])
def test_a_bad_token_is_a_401_with_a_challenge(api: Api, token: str) -> None:
    response = api.client.get(f"/v1/merchants/{uuid4()}",
                              headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.headers["content-type"] == PROBLEM


def test_expired_tokens_and_tokens_signed_with_another_key_are_refused(api: Api) -> None:
    expired = api.container.tokens.issue(Role.VALIDATOR, ttl=timedelta(seconds=-1))
    stranger = Tokens({"dev": "not-our-key-" * 4}, "comptoir", "comptoir-api",
                      timedelta(hours=1)).issue(Role.VALIDATOR)
    for token in (expired, stranger):
        response = api.client.get(f"/v1/merchants/{uuid4()}",
                                  headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401


def test_a_token_that_lives_longer_than_tokens_may_is_refused(api: Api) -> None:
    key = api.container.tokens.keys["dev"]
    now = int(time.time())
    for lifetime, status in ((100 * 365 * 86400, 401), (12 * 3600 + 1, 401), (12 * 3600, 200)):
        token = jwt.encode({"sub": str(uuid4()), "role": "validator", "iss": "comptoir",
                            "aud": "comptoir-api", "iat": now, "exp": now + lifetime}, key,
                           "HS256", headers={"kid": "dev"})
        response = api.client.get(f"/v1/merchants/{api.apply()}",
                                  headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == status, lifetime


def test_a_token_whose_subject_is_not_an_opaque_id_is_refused(api: Api) -> None:
    key = api.container.tokens.keys["dev"]
    token = jwt.encode({"sub": "marie@example.com", "role": "validator", "iss": "comptoir",
                        "aud": "comptoir-api", "iat": 1, "exp": 4_000_000_000}, key, "HS256",
                       headers={"kid": "dev"})
    response = api.client.get(f"/v1/merchants/{uuid4()}",
                              headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def test_a_malformed_idempotency_key_is_refused(api: Api) -> None:
    response = api.client.post("/v1/merchants", json={},
                               headers={"Idempotency-Key": "has spaces in it"})
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_invalid"
