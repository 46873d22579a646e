"""AES-256-GCM for personal data (`application.ports.Cipher`): a fresh 96-bit nonce per value,
the subject's id as associated data, so a ciphertext cannot be moved to another person."""

from __future__ import annotations

import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12


class AesGcm:
    def seal(self, key: bytes, plaintext: bytes, associated: bytes) -> tuple[bytes, bytes]:
        nonce = os.urandom(NONCE_BYTES)
        return nonce, AESGCM(key).encrypt(nonce, plaintext, associated)

    def open(self, key: bytes, nonce: bytes, ciphertext: bytes, associated: bytes) -> bytes:
        return AESGCM(key).decrypt(nonce, ciphertext, associated)
