"""Bearer tokens: HS256 JWTs checked against the configured keys, carrying a role.

Comptoir is a resource server: in production an identity provider issues the tokens with
one of the configured keys; `comptoir token issue` does it for development and tests.
Subjects must be opaque UUIDs because they are written into events (who approved what).
"""

from __future__ import annotations

import os
import secrets
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID, uuid4

import jwt

from api.settings import Settings
from application.actors import Actor, Role

ALGORITHM = "HS256"
VERIFIED_CACHE_SIZE = 10_000
DEV_KEY_ID = "dev"


class TokenError(Exception):
    pass


class Tokens:
    def __init__(self, keys: dict[str, str], issuer: str, audience: str, ttl: timedelta,
                 max_lifetime: timedelta = timedelta(hours=12)) -> None:
        if not keys:
            raise ValueError("at least one token key is required")
        if ttl > max_lifetime:
            raise ValueError("tokens would be issued for longer than they are accepted")
        self.max_lifetime = max_lifetime
        self.keys = keys
        self.signing_key_id = next(iter(keys))
        self.issuer, self.audience, self.ttl = issuer, audience, ttl
        self._verified: dict[str, tuple[Actor, float, int | None]] = {}

    @classmethod
    def from_settings(cls, settings: Settings) -> Tokens:
        keys = {kid: key.get_secret_value() for kid, key in settings.token_keys.items()}
        return cls(
            keys or {DEV_KEY_ID: development_key(settings.data_dir)},
            settings.token_issuer, settings.token_audience,
            timedelta(minutes=settings.token_ttl_minutes),
            timedelta(minutes=settings.token_max_lifetime_minutes),
        )

    def issue(
        self, role: Role, *, subject: UUID | None = None, merchant_id: UUID | None = None,
        ttl: timedelta | None = None, epoch: int | None = None,
    ) -> str:
        """A token for a role. `epoch`: the sessions epoch of the account it was signed in
        for — the token stops counting when the account ends its sessions."""
        if role == Role.MERCHANT and merchant_id is None:
            raise ValueError("a merchant token needs a merchant id")
        if ttl is not None and ttl > self.max_lifetime:
            raise ValueError("longer than the tokens' maximum lifetime")
        now = datetime.now(UTC)
        claims = {
            "iss": self.issuer, "aud": self.audience, "sub": str(subject or uuid4()),
            "iat": now, "exp": now + (ttl or self.ttl), "role": str(role),
        }
        if merchant_id is not None:
            claims["merchant_id"] = str(merchant_id)
        if epoch is not None:
            claims["epoch"] = epoch
        return jwt.encode(claims, self.keys[self.signing_key_id], ALGORITHM,
                          headers={"kid": self.signing_key_id})

    def verify(self, token: str) -> Actor:
        return self.verify_with_epoch(token)[0]

    def verify_with_epoch(self, token: str) -> tuple[Actor, int | None]:
        """The actor a token speaks for, and the sessions epoch of the account it was signed
        in for (None: a token the CLI or an identity provider made). Verified tokens are
        remembered until they expire: a client sends the same token with every request, and
        PyJWT costs ~0.5 ms a check."""
        cached = self._verified.get(token)
        if cached is not None:
            actor, expires, epoch = cached
            if time.time() < expires:
                return actor, epoch
            self._verified.pop(token, None)
        actor, expires, epoch = self._verify(token)
        if len(self._verified) >= VERIFIED_CACHE_SIZE:
            self._verified.pop(next(iter(self._verified)), None)  # oldest first
        self._verified[token] = (actor, expires, epoch)
        return actor, epoch

    def _verify(self, token: str) -> tuple[Actor, float, int | None]:
        try:
            kid = jwt.get_unverified_header(token).get("kid", self.signing_key_id)
            key = self.keys[kid]
            claims = jwt.decode(
                token, key, algorithms=[ALGORITHM], audience=self.audience, issuer=self.issuer,
                options={"require": ["exp", "iat", "sub", "aud", "iss"]},
            )
            role = Role(claims["role"])
            subject = str(UUID(claims["sub"]))
            merchant_id = UUID(claims["merchant_id"]) if role == Role.MERCHANT else None
            expires = float(claims["exp"])
            if expires - float(claims["iat"]) > self.max_lifetime.total_seconds():
                raise ValueError("lives longer than tokens may")
            epoch = int(claims["epoch"]) if "epoch" in claims else None
        except (jwt.PyJWTError, KeyError, ValueError, TypeError) as error:
            raise TokenError(type(error).__name__) from None
        if role == Role.ANONYMOUS:
            raise TokenError("anonymous tokens are meaningless")
        return Actor(role, subject, merchant_id), expires, epoch


def development_key(data_dir: Path) -> str:
    """A random key created once per data directory, readable by its owner only."""
    path = data_dir / "secrets" / "token-key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first
            pass
        else:
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_urlsafe(48))
    return path.read_text().strip()
