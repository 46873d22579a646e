"""Signed, timed tokens for the links of mails (verification, password reset, invitation):
itsdangerous, one salt per purpose so that a token made for one cannot serve another."""

from __future__ import annotations

from typing import Any

from itsdangerous import BadData, URLSafeTimedSerializer


class LinkTokens:
    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def sign(self, purpose: str, payload: dict[str, Any]) -> str:
        return URLSafeTimedSerializer(self._secret, salt=purpose).dumps(payload)

    def open(self, purpose: str, token: str, max_age_seconds: int) -> dict[str, Any] | None:
        try:
            loaded = URLSafeTimedSerializer(self._secret, salt=purpose).loads(
                token, max_age=max_age_seconds)
        except BadData:
            return None
        return loaded if isinstance(loaded, dict) else None
