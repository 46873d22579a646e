"""Key-encryption keys (KEKs) in files under the secrets directory: the default
`KeyEncryptionKeys` (application.ports); a KMS is the production alternative behind the same
port (wrap and unwrap become calls to it, destroy schedules the key's deletion there).

Each person's data key is stored wrapped (AES-256-GCM) by one KEK, outside the database. Erasing
a person deletes their wrapped key at once; a copy of it that survives in PostgreSQL's WAL, an
archive or a backup stays wrapped by the KEK of its time, and becomes useless when that KEK is
destroyed at the next rotation (docs/privacy-and-audit.md).
"""

from __future__ import annotations

import os
import threading
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from adapters.secrets_dir import check_private, destroy, write_private

KEK_BYTES = 32
_NONCE = 12


class FileKeyEncryptionKeys:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        check_private(directory)
        self._cache: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def ids(self) -> list[str]:
        """Every KEK that exists, oldest first (ids sort by creation time)."""
        return sorted(p.stem for p in self.directory.glob("*.kek"))

    def create(self) -> str:
        kek_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ") + "-" + os.urandom(3).hex()
        write_private(self._path(kek_id), os.urandom(KEK_BYTES))
        return kek_id

    def created_at(self, kek_id: str) -> datetime:
        return datetime.strptime(kek_id.split("-")[0], "%Y%m%dT%H%M%S%fZ").replace(tzinfo=UTC)

    def wrap(self, kek_id: str, subject_id: UUID, data_key: bytes) -> bytes:
        nonce = os.urandom(_NONCE)
        return nonce + AESGCM(self._key(kek_id)).encrypt(nonce, data_key, _aad(kek_id,
                                                                                subject_id))

    def unwrap(self, kek_id: str, subject_id: UUID, wrapped: bytes) -> bytes | None:
        """The data key, or None if its KEK was destroyed (or the bytes were altered)."""
        try:
            key = self._key(kek_id)
        except FileNotFoundError:
            return None
        try:
            return AESGCM(key).decrypt(wrapped[:_NONCE], wrapped[_NONCE:], _aad(kek_id,
                                                                              subject_id))
        except InvalidTag:
            return None

    def destroy(self, kek_id: str) -> None:
        with self._lock:
            self._cache.pop(kek_id, None)
        destroy(self._path(kek_id))

    def _key(self, kek_id: str) -> bytes:
        with self._lock:
            if kek_id not in self._cache:
                self._cache[kek_id] = self._path(kek_id).read_bytes()
            return self._cache[kek_id]

    def _path(self, kek_id: str) -> Path:
        if not kek_id.replace("-", "").isalnum():
            raise ValueError("not a KEK id")
        return self.directory / f"{kek_id}.kek"


def _aad(kek_id: str, subject_id: UUID) -> bytes:
    """A wrapped key belongs to one person under one KEK: it cannot be moved to another."""
    return subject_id.bytes + kek_id.encode()
