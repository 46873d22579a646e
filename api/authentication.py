"""Who is calling: a bearer token (ours, an API key, or the staff's identity provider's), or a
browser's session cookie — or nobody.

Tokens and sessions made at sign-in carry their account's sessions epoch; they stop counting
when the account ends its sessions (sign-out everywhere, a new password, a revoked role, an
erasure). That is checked against the account itself, remembered for a few seconds.
"""

from __future__ import annotations

import time
from uuid import UUID

from fastapi import Request

from api.auth import TokenError, Tokens
from api.oidc import OidcError, OidcTokens
from application.accounts import Accounts, SessionStore
from application.actors import Actor
from application.api_keys import PREFIX, ApiKeys

SESSION_COOKIE = "comptoir_session"
EPOCH_SECONDS = 5.0


class NotAuthenticatedError(Exception):
    """Credentials were presented and are not good: 401, not anonymous."""


class Authenticator:
    def __init__(self, tokens: Tokens, accounts: Accounts, api_keys: ApiKeys,
                 sessions: SessionStore, oidc: OidcTokens | None) -> None:
        self.tokens, self.accounts, self.api_keys = tokens, accounts, api_keys
        self.sessions, self.oidc = sessions, oidc
        self._epochs: dict[tuple[UUID, int], float] = {}

    def actor(self, request: Request) -> Actor:
        header = request.headers.get("authorization")
        if header is not None:
            return self._bearer(_bearer_token(header))
        session = request.cookies.get(SESSION_COOKIE)
        if session:
            identity = self.sessions.identity(session)
            if identity is not None and self._current(identity.account_id, identity.epoch):
                return identity.actor
        return Actor.anonymous()

    def known_actor(self, request: Request) -> Actor | None:
        """The actor, when telling it needs no database nor network: a token of ours (its
        HS256 signature checked here, 0.05 ms, or remembered) whose account's epoch, if it has
        one, was checked a moment ago. None: ask `actor`, off the event loop. Credentials that
        are not good raise NotAuthenticatedError."""
        header = request.headers.get("authorization")
        ours = self._ours(_bearer_token(header)) if header is not None else None
        if ours is None:
            return None
        actor, epoch = ours
        if epoch is None or self._checked_lately(UUID(actor.subject), epoch):
            return actor
        return None

    def _bearer(self, token: str) -> Actor:
        if (ours := self._ours(token)) is not None:
            actor, epoch = ours
            if epoch is not None and not self._current(UUID(actor.subject), epoch):
                raise NotAuthenticatedError()
            return actor
        if token.startswith(PREFIX):
            key_actor = self.api_keys.actor_for(token)
            if key_actor is None:
                raise NotAuthenticatedError()
            return key_actor
        assert self.oidc is not None  # _ours leaves API keys and the provider's tokens
        try:
            return self.oidc.actor(token)
        except OidcError:
            raise NotAuthenticatedError() from None

    def _ours(self, token: str) -> tuple[Actor, int | None] | None:
        """A token of ours, verified: its actor and its account's sessions epoch. None for an
        API key or the staff's identity provider's token."""
        if token.startswith(PREFIX) or (self.oidc is not None and self.oidc.speaks_for(token)):
            return None
        try:
            return self.tokens.verify_with_epoch(token)
        except TokenError:
            raise NotAuthenticatedError() from None

    def end_sessions(self, account_id: UUID) -> None:
        """Every session of the account closed, and its epoch no longer remembered as current
        here: its sessions and tokens fail at once, not when the epoch check expires."""
        self.sessions.close_all(account_id)
        for key in [k for k in self._epochs if k[0] == account_id]:
            self._epochs.pop(key, None)

    def _checked_lately(self, account_id: UUID, epoch: int) -> bool:
        checked = self._epochs.get((account_id, epoch))
        return checked is not None and checked > time.monotonic()

    def _current(self, account_id: UUID, epoch: int) -> bool:
        if self._checked_lately(account_id, epoch):
            return True
        if not self.accounts.still_valid(account_id, epoch):
            return False
        if len(self._epochs) > 10_000:
            self._epochs.clear()
        self._epochs[(account_id, epoch)] = time.monotonic() + EPOCH_SECONDS
        return True


def _bearer_token(header: str) -> str:
    scheme, _, credentials = header.partition(" ")
    if scheme.lower() != "bearer" or not credentials.strip():
        raise NotAuthenticatedError()
    return credentials.strip()
