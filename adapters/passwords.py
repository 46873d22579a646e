"""Passwords hashed with Argon2id (pwdlib's recommended parameters: 64 MiB, 3 passes, 4 lanes,
about 0.1 s here), as OWASP recommends for new systems."""

from __future__ import annotations

from functools import cache

from pwdlib import PasswordHash


class Argon2Passwords:
    def __init__(self) -> None:
        self._hash = PasswordHash.recommended()
        self._decoy = _decoy()

    def hash(self, password: str) -> str:
        return self._hash.hash(password)

    def verify(self, password: str, hashed: str) -> bool:
        return self._hash.verify(password, hashed)

    def waste_time(self, password: str) -> None:
        self._hash.verify(password, self._decoy)


@cache
def _decoy() -> str:
    """What an unknown account's password is checked against, so that answering it takes as
    long as a wrong password: one per process (hashing it is the 0.1 s above)."""
    return PasswordHash.recommended().hash("a password nobody has")
