"""Personal data in stored events and snapshots: encrypted with its subject's own key.

The `Cipher` port (AES-256-GCM in adapters/aes_gcm.py) seals each value with a fresh nonce
and the subject id as associated data (a ciphertext cannot be moved to another person). Once
the subject's key is deleted the value decodes as forgotten: every copy in the log, snapshots
and backups is dead.
"""

from __future__ import annotations

import base64
import json
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Transcoding

from application.ports import Cipher, KeyStore
from domain.personal import PersonalData


class PersonalDataAsCiphertext(Transcoding):
    type = PersonalData
    name = "personal_data"

    def __init__(self, keys: KeyStore, cipher: Cipher) -> None:
        self.keys = keys
        self.cipher = cipher

    def encode(self, obj: PersonalData) -> dict[str, Any]:
        if obj.sealed is not None:  # read from storage and never opened: rewrite as it was
            return obj.sealed  # type: ignore[return-value]
        if obj.forgotten:
            return {"subject": obj.subject_id.hex, "forgotten": True}
        key = self.keys.get(obj.subject_id) or self.keys.get_or_create(obj.subject_id)
        plaintext = json.dumps(dict(obj.values), ensure_ascii=False).encode()
        nonce, ciphertext = self.cipher.seal(key, plaintext, obj.subject_id.bytes)
        return {
            "subject": obj.subject_id.hex,
            "nonce": base64.b64encode(nonce).decode(),
            "ciphertext": base64.b64encode(ciphertext).decode(),
        }

    def decode(self, data: dict[str, Any]) -> PersonalData:
        subject_id = UUID(data["subject"])
        return PersonalData(subject_id, sealed=data, opener=lambda: self._open(subject_id, data))

    def _open(self, subject_id: UUID, data: dict[str, Any]) -> dict[str, str] | None:
        key = None if data.get("forgotten") else self.keys.get(subject_id)
        if key is None:
            return None
        plaintext = self.cipher.open(key, base64.b64decode(data["nonce"]),
                                     base64.b64decode(data["ciphertext"]), subject_id.bytes)
        return json.loads(plaintext)
