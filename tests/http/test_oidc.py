"""Staff single sign-on: tokens of an OpenID Connect provider, checked against the keys a
local JWKS server publishes (RS256 and ES256), on both backends."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from uuid import NAMESPACE_URL, uuid5

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from fastapi.testclient import TestClient

from api.container import build_container
from api.main import create_app
from api.settings import Settings

AUDIENCE = "comptoir-staff"
RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC_KEY = ec.generate_private_key(ec.SECP256R1())
STRANGER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def jwks() -> dict[str, Any]:
    keys = []
    for kid, key, alg in (("rsa-1", RSA_KEY, "RS256"), ("ec-1", EC_KEY, "ES256")):
        public = json.loads(jwt.algorithms.get_default_algorithms()[alg].to_jwk(
            key.public_key()))
        keys.append({**public, "kid": kid, "alg": alg, "use": "sig"})
    return {"keys": keys}


class Provider(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        body = json.dumps(jwks()).encode()
        self.send_response(200 if self.path == "/jwks.json" else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def issuer() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Provider)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def client(settings: Settings, issuer: str) -> Iterator[TestClient]:
    container = build_container(settings.model_copy(update={
        "oidc_issuer": issuer, "oidc_audience": AUDIENCE, "oidc_jwks_url": f"{issuer}/jwks.json",
        "oidc_role_claim": "groups",
        "oidc_roles": {"comptoir-admin": "admin", "audit": "auditor"}}))
    with TestClient(create_app(container=container)) as test_client:
        yield test_client
    container.close()


def token(issuer: str, groups: list[str], *, key: Any = RSA_KEY, kid: str = "rsa-1",
          alg: str = "RS256", **claims: Any) -> dict[str, str]:
    now = int(time.time())
    payload = {"iss": issuer, "aud": AUDIENCE, "sub": "00u1a2b3c4", "iat": now,
               "exp": now + 300, "groups": groups, **claims}
    signed = jwt.encode(payload, key, algorithm=alg, headers={"kid": kid})
    return {"Authorization": f"Bearer {signed}"}


def hmac_forged(issuer: str, groups: list[str]) -> dict[str, str]:
    """HS256 keyed with the provider's public key, by hand (PyJWT itself refuses to)."""
    def b64(data: bytes) -> bytes:
        return base64.urlsafe_b64encode(data).rstrip(b"=")

    now = int(time.time())
    header = b64(json.dumps({"alg": "HS256", "kid": "rsa-1", "typ": "JWT"}).encode())
    payload = b64(json.dumps({"iss": issuer, "aud": AUDIENCE, "sub": "x", "iat": now,
                              "exp": now + 300, "groups": groups}).encode())
    public_pem = RSA_KEY.public_key().public_bytes(Encoding.PEM,
                                                   PublicFormat.SubjectPublicKeyInfo)
    signature = b64(hmac.new(public_pem, header + b"." + payload, hashlib.sha256).digest())
    return {"Authorization": "Bearer " + (header + b"." + payload + b"." + signature).decode()}


def test_an_auditor_of_the_provider_reads_the_audit_log(client: TestClient, issuer: str) -> None:
    auditor = token(issuer, ["staff", "audit"])
    assert client.get("/v1/audit/events", headers=auditor).status_code == 200
    assert client.get("/metrics", headers=auditor).status_code == 403  # not an admin


def test_an_es256_admin_token_acts_as_admin(client: TestClient, issuer: str) -> None:
    admin = token(issuer, ["comptoir-admin", "audit"], key=EC_KEY, kid="ec-1", alg="ES256")
    assert client.get("/metrics", headers=admin).status_code == 200


def test_what_a_provider_admin_does_is_recorded_under_a_stable_subject(
        client: TestClient, issuer: str) -> None:
    accounts = client.app.state.container.accounts  # type: ignore[attr-defined]
    accounts.sign_up("nadia@comptoir.example", "un mot de passe", "fr", client="test")
    account = accounts._by_index(accounts.email_index("nadia@comptoir.example"))
    accounts.verify_email(accounts.link_for("verify", account))
    for role in ("validator", "auditor"):  # two tokens, minutes apart at the provider
        granted = client.post("/v1/role-grants", headers=token(issuer, ["comptoir-admin"]),
                              json={"email": "nadia@comptoir.example", "role": role})
        assert granted.status_code == 204, granted.text
    events = client.get("/v1/audit/events", headers=token(issuer, ["audit"]),
                        params={"topic": "comptoir.Account.RoleGranted"}).json()["events"]
    expected = str(uuid5(NAMESPACE_URL, f"{issuer}#00u1a2b3c4"))
    assert [(e["payload"]["role"], e["payload"]["by"]) for e in events] == [
        ("validator", expected), ("auditor", expected)]


@pytest.mark.parametrize("forgery", [
    "unknown_key", "wrong_audience", "expired", "no_mapped_group", "hmac_with_public_key",
    "other_issuer",
])
def test_a_forged_or_unfit_provider_token_is_refused(client: TestClient, issuer: str,
                                                     forgery: str) -> None:
    groups = ["comptoir-admin"]
    headers = {
        "unknown_key": lambda: token(issuer, groups, key=STRANGER_KEY, kid="rsa-2"),
        "wrong_audience": lambda: token(issuer, groups, aud="another-app"),
        "expired": lambda: token(issuer, groups, exp=int(time.time()) - 60),
        "no_mapped_group": lambda: token(issuer, ["staff"]),
        # The provider's public key used as an HMAC secret: the classic confusion.
        "hmac_with_public_key": lambda: hmac_forged(issuer, groups),
        "other_issuer": lambda: token("http://127.0.0.1:1/", groups),
    }[forgery]()
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == "application/problem+json"
