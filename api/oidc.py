"""Single sign-on for staff: tokens of an OpenID Connect provider.

A token whose issuer is the configured one is checked against the provider's published keys
(its JWKS, fetched and cached by PyJWT's `PyJWKClient`), RS256 or ES256, with the configured
audience; the values of its role claim map to Comptoir's roles. Its subject (an opaque id at
the provider) becomes a stable UUID, since subjects are written into events.
"""

from __future__ import annotations

from typing import Any
from uuid import NAMESPACE_URL, uuid5

import jwt

from application.actors import Actor, Role

ALGORITHMS = ["RS256", "ES256"]
ORDER = (Role.ADMIN, Role.VALIDATOR, Role.AUDITOR)  # the strongest role the claim grants


class OidcError(Exception):
    pass


class OidcTokens:
    def __init__(self, issuer: str, audience: str, jwks_url: str, role_claim: str,
                 roles: dict[str, str]) -> None:
        self.issuer, self.audience, self.role_claim = issuer, audience, role_claim
        self.roles = {value: Role(role) for value, role in roles.items()}
        self.keys = jwt.PyJWKClient(jwks_url, cache_keys=True, lifespan=300, timeout=5)

    def speaks_for(self, token: str) -> bool:
        """Whether the token claims to come from this provider (not yet verified)."""
        try:
            claims = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            return False
        return claims.get("iss") == self.issuer

    def actor(self, token: str) -> Actor:
        try:
            key = self.keys.get_signing_key_from_jwt(token)
            claims: dict[str, Any] = jwt.decode(
                token, key.key, algorithms=ALGORITHMS, audience=self.audience,
                issuer=self.issuer, options={"require": ["exp", "iat", "sub", "iss", "aud"]})
        except (jwt.PyJWTError, jwt.PyJWKClientError) as error:
            raise OidcError(type(error).__name__) from None
        granted = claims.get(self.role_claim) or []
        granted = [granted] if isinstance(granted, str) else list(granted)
        roles = {self.roles[value] for value in granted if value in self.roles}
        role = next((r for r in ORDER if r in roles), None)
        if role is None:
            raise OidcError("no_role")
        return Actor(role, str(uuid5(NAMESPACE_URL, f"{self.issuer}#{claims['sub']}")))
