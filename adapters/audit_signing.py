"""The Ed25519 key that signs audit checkpoints, and verification with its public key alone.

The private key lives in a PEM file readable by its owner only (`data_dir/secrets/...`); an
auditor keeps the public key PEM and can check every checkpoint without the platform's secrets.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
    load_pem_private_key,
    load_pem_public_key,
)

Verify = Callable[[bytes, bytes], bool]  # (message, signature) -> valid?


class AuditSigner:
    def __init__(self, private_key: Ed25519PrivateKey) -> None:
        self._key = private_key

    @classmethod
    def generate(cls) -> AuditSigner:
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def from_pem(cls, text: str) -> AuditSigner:
        key = load_pem_private_key(text.encode(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError("the audit signing key must be an Ed25519 private key")
        return cls(key)

    @classmethod
    def load_or_create(cls, path: Path) -> AuditSigner:
        """The key in `path`, made (mode 0600, directory 0700) on first use.

        Written to a private temporary file then hard-linked into place, which fails if the
        file exists: two processes starting together end up sharing the first key, never
        overwriting a key that may already have signed checkpoints."""
        if path.exists():
            return cls.from_pem(path.read_text())
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        signer = cls.generate()
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w") as file:
                file.write(signer.private_key_pem())
            os.link(temporary, path)
        except FileExistsError:
            return cls.from_pem(path.read_text())
        finally:
            with contextlib.suppress(FileNotFoundError):
                temporary.unlink()
        return signer

    def sign(self, message: bytes) -> bytes:
        return self._key.sign(message)

    def private_key_pem(self) -> str:
        return self._key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8,
                                       NoEncryption()).decode()

    def public_key_pem(self) -> str:
        return self._key.public_key().public_bytes(
            Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode()

    def verifier(self) -> Verify:
        return _verifier(self._key.public_key())


def public_key_verifier(public_key_pem: str) -> Verify:
    """What an auditor uses: checks signatures with the public key PEM alone."""
    key = load_pem_public_key(public_key_pem.encode())
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("the audit public key must be an Ed25519 public key")
    return _verifier(key)


def _verifier(key: Ed25519PublicKey) -> Verify:
    def verify(message: bytes, signature: bytes) -> bool:
        try:
            key.verify(signature, message)
        except InvalidSignature:
            return False
        return True

    return verify
