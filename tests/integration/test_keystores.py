"""One contract for every key store: the in-memory fake is held to the real ones' behaviour."""

from __future__ import annotations

import base64
import json
import os
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import psycopg
import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from adapters.keystores import InMemoryKeyStore, SubjectForgottenError
from adapters.secrets_dir import SecretsExposedError
from api.container import build_container
from api.settings import Settings
from application.actors import Actor, Role
from application.ports import KeyStore
from tests.support import COMPTOIR, settings_env


@pytest.fixture(params=["memory", "real"])
def keys(request: pytest.FixtureRequest, settings: Settings) -> Iterator[KeyStore]:
    if request.param == "memory":
        yield InMemoryKeyStore()
        return
    container = build_container(settings)
    yield container.keys
    container.close()


def test_a_key_is_made_once_per_subject(keys: KeyStore) -> None:
    subject = uuid4()
    first = keys.get_or_create(subject)
    assert len(first) == 32
    assert keys.get_or_create(subject) == first
    assert keys.get(subject) == first
    assert keys.get_or_create(uuid4()) != first


def test_an_unknown_subject_has_no_key(keys: KeyStore) -> None:
    assert keys.get(uuid4()) is None


def test_a_deleted_key_is_gone_and_never_made_again(keys: KeyStore) -> None:
    subject = uuid4()
    keys.get_or_create(subject)
    assert keys.delete(subject) is True
    assert keys.get(subject) is None
    with pytest.raises(SubjectForgottenError):
        keys.get_or_create(subject)
    assert keys.delete(subject) is False


def test_a_rotation_keeps_every_live_key_and_destroys_the_old_kek(settings: Settings) -> None:
    container = build_container(settings)
    keys = container.keys
    try:
        alive, erased = uuid4(), uuid4()
        key = keys.get_or_create(alive)
        keys.get_or_create(erased)
        keys.delete(erased)
        kek_dir = settings.data_dir / "secrets" / "kek"
        [before] = [p.name for p in kek_dir.iterdir()]
        report = keys.rotate()
        assert report.rewrapped == 1 and report.destroyed == (before.removesuffix(".kek"),)
        assert [p.name for p in kek_dir.iterdir()] == [f"{report.kek_id}.kek"]
        assert keys.get(alive) == key and keys.get(erased) is None
        assert keys.get_or_create(uuid4()) != key  # new keys under the new KEK
        assert (kek_dir.stat().st_mode & 0o777, (kek_dir / f"{report.kek_id}.kek").stat()
                .st_mode & 0o777) == (0o700, 0o600)
    finally:
        container.close()
    reopened = build_container(settings)  # a restart reads what the rotation left
    try:
        assert reopened.keys.get(alive) == key
    finally:
        reopened.close()


def test_an_erased_persons_key_copied_before_the_erasure_opens_nothing_after_a_rotation(
        settings: Settings, tmp_path: Path) -> None:
    """PostgreSQL: the copy is in pg_wal, which no VACUUM reaches. SQLite: a backup of the key
    store taken the day before. Either way the erasure cannot reach it; the rotation can."""
    container = build_container(settings)
    try:
        person = Actor(Role.CONSUMER, str(uuid4()))
        subject = UUID(person.subject)
        container.consumers.register(person, PROFILE)
        wrapped, kek_id = stored_key(container, settings, subject)
        backup = copy_of_key_store(settings, tmp_path)
        sealed = sealed_profile(container, subject)

        container.privacy.erase(person, subject)
        assert container.keys.get(subject) is None
        copies = bytes_left_behind(settings, backup)
        assert wrapped in copies  # beyond the erasure's reach: WAL, or yesterday's backup
        if settings.backend == "sqlite":  # the live store's files hold it no more
            live = settings.data_dir / "secrets"
            assert all(wrapped not in p.read_bytes() for p in live.glob("keys.sqlite3*"))
        keks = container.keys.keks  # type: ignore[attr-defined]
        # before the rotation, that copy and the KEK open the person's data
        data_key = keks.unwrap(kek_id, subject, wrapped)
        assert data_key is not None and "Quasimodo" in opened(sealed, subject, data_key)

        report = container.privacy.rotate_kek()
        assert kek_id in report.destroyed
        # after it, no KEK there is opens the copy: her data is gone from every byte
        assert all(keks.unwrap(k, subject, wrapped) is None for k in [kek_id, *keks.ids()])
        assert not (settings.data_dir / "secrets" / "kek" / f"{kek_id}.kek").exists()
    finally:
        container.close()


PROFILE = {"name": "Zephirine Quasimodo", "email": "zq@courriel.example", "phone": None,
           "address": {"street": "77, rue Xylophonique", "municipality": "Gatineau",
                       "postal_code": "J8X 1A1", "region": "07"}}


def stored_key(container: Any, settings: Settings, subject: UUID) -> tuple[bytes, str]:
    if settings.backend == "postgres":
        with psycopg.connect(settings.postgres_dsn.get_secret_value()) as conn:  # type: ignore[union-attr]
            row = conn.execute(f'SELECT wrapped, kek_id FROM "{settings.postgres_schema}".'
                               "personal_data_keys WHERE subject_id = %s", (subject,)).fetchone()
    else:
        with sqlite3.connect(settings.data_dir / "secrets" / "keys.sqlite3") as conn:
            row = conn.execute("SELECT wrapped, kek_id FROM personal_data_keys WHERE "
                               "subject_id = ?", (subject.hex,)).fetchone()
    return bytes(row[0]), row[1]


def copy_of_key_store(settings: Settings, tmp_path: Path) -> Path | None:
    if settings.backend == "postgres":
        return None
    backup = tmp_path / "keys-backup.sqlite3"
    with sqlite3.connect(settings.data_dir / "secrets" / "keys.sqlite3") as live, \
            sqlite3.connect(backup) as copy:
        live.backup(copy)
    return backup


def bytes_left_behind(settings: Settings, backup: Path | None) -> bytes:
    if backup is not None:
        return backup.read_bytes()
    wal = Path(os.environ["COMPTOIR_TEST_PGDATA"]) / "pg_wal"
    return b"".join(p.read_bytes() for p in sorted(wal.glob("0*")))


def sealed_profile(container: Any, subject: UUID) -> dict[str, Any]:
    """The stored (encrypted) profile, as the event store holds it."""
    [registered] = container.app.recorder.select_events(subject, limit=1)
    return _find_sealed(json.loads(registered.state))


def _find_sealed(value: Any) -> Any:
    if isinstance(value, dict):
        if "ciphertext" in value:
            return value
        for inner in value.values():
            if (found := _find_sealed(inner)) is not None:
                return found
    if isinstance(value, list):
        for inner in value:
            if (found := _find_sealed(inner)) is not None:
                return found
    return None


def opened(sealed: dict[str, Any], subject: UUID, data_key: bytes) -> str:
    return AESGCM(data_key).decrypt(base64.b64decode(sealed["nonce"]),
                                    base64.b64decode(sealed["ciphertext"]),
                                    subject.bytes).decode()


def test_a_key_store_of_an_earlier_version_is_wrapped_and_its_clear_keys_removed(
        settings: Settings) -> None:
    alive, forgotten, key = uuid4(), uuid4(), os.urandom(32)
    if settings.backend == "sqlite":
        settings.data_dir.mkdir(parents=True)
        legacy = settings.data_dir / "keys.sqlite3"
        with sqlite3.connect(legacy) as old:
            old.execute("CREATE TABLE personal_data_keys (subject_id TEXT PRIMARY KEY, "
                        "key BLOB, forgotten_at TEXT)")
            old.executemany("INSERT INTO personal_data_keys VALUES (?, ?, ?)",
                            [(alive.hex, key, None), (forgotten.hex, None, "2026-01-01")])
    else:
        dsn = settings.postgres_dsn.get_secret_value()  # type: ignore[union-attr]
        with psycopg.connect(dsn, autocommit=True) as conn:
            table = f'"{settings.postgres_schema}".personal_data_keys'
            conn.execute(f'CREATE SCHEMA "{settings.postgres_schema}"')
            conn.execute(f"CREATE TABLE {table} (subject_id uuid PRIMARY KEY, key bytea, "
                         "forgotten_at timestamptz)")
            conn.execute(f"INSERT INTO {table} VALUES (%s, %s, NULL), (%s, NULL, now())",
                         (alive, key, forgotten))
    container = build_container(settings)
    try:
        assert container.keys.get(alive) == key
        assert container.keys.get(forgotten) is None
        with pytest.raises(SubjectForgottenError):
            container.keys.get_or_create(forgotten)
        if settings.backend == "sqlite":
            assert not legacy.exists()
        else:
            with psycopg.connect(dsn) as conn:
                columns = {r[0] for r in conn.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_schema = %s "
                    "AND table_name = 'personal_data_keys'", (settings.postgres_schema,))}
            assert "key" not in columns
        assert key not in b"".join(p.read_bytes() for p in settings.data_dir.rglob("*")
                                   if p.is_file())
    finally:
        container.close()


def test_secrets_are_private_and_a_wider_key_store_is_refused_at_start(
        settings: Settings) -> None:
    container = build_container(settings)
    container.keys.get_or_create(uuid4())
    container.close()
    secrets = settings.data_dir / "secrets"
    assert secrets.stat().st_mode & 0o777 == 0o700
    files = [p for p in secrets.rglob("*") if p.is_file()]
    assert files and all(p.stat().st_mode & 0o777 == 0o600 for p in files), {
        p.name: oct(p.stat().st_mode & 0o777) for p in files}
    exposed = next(p for p in files if p.suffix == ".kek")
    exposed.chmod(0o644)
    with pytest.raises(SecretsExposedError, match=f"chmod 600 {exposed}"):
        build_container(settings)
    result = subprocess.run([COMPTOIR, "project", "status"], env=settings_env(settings),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "readable by others" in result.stdout + result.stderr


def test_the_subjects_without_a_key_are_told_apart_in_one_question(keys: KeyStore) -> None:
    live, erased, unknown = uuid4(), uuid4(), uuid4()
    keys.get_or_create(live)
    keys.get_or_create(erased)
    keys.delete(erased)
    assert keys.without_key([live, erased, unknown, erased]) == {erased, unknown}
    assert keys.without_key([live]) == set()
    assert keys.without_key([]) == set()
