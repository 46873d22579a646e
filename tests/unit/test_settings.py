"""Settings map onto eventsourcing's persistence environment in one place."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.backends import BACKENDS
from api.container import storage_config
from api.i18n import negotiate
from api.settings import Settings


def eventsourcing_env(settings: Settings) -> dict[str, str]:
    return BACKENDS[settings.backend](storage_config(settings)).event_store_env()


def test_the_embedded_default_is_a_sqlite_file_under_the_data_dir(tmp_path: Path) -> None:
    env = eventsourcing_env(Settings(data_dir=tmp_path / "var"))
    assert env["PERSISTENCE_MODULE"] == "eventsourcing.sqlite"
    assert env["SQLITE_DBNAME"] == str(tmp_path / "var" / "comptoir.sqlite3")
    assert (tmp_path / "var").is_dir()


def test_a_postgres_dsn_is_split_into_eventsourcing_variables() -> None:
    env = eventsourcing_env(Settings(
        backend="postgres", postgres_dsn="postgresql://shop:s3cr%40t@db.local:6543/comptoir",
        postgres_schema="market", postgres_pool_size=7))
    assert {k: env[k] for k in ("PERSISTENCE_MODULE", "POSTGRES_HOST", "POSTGRES_PORT",
                                "POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DBNAME",
                                "POSTGRES_SCHEMA", "POSTGRES_POOL_SIZE")} == {
        "PERSISTENCE_MODULE": "adapters.postgres_recorders:BinaryPostgresFactory",
        "POSTGRES_HOST": "db.local", "POSTGRES_PORT": "6543", "POSTGRES_USER": "shop",
        "POSTGRES_PASSWORD": "s3cr@t",
        "POSTGRES_DBNAME": "comptoir", "POSTGRES_SCHEMA": "market", "POSTGRES_POOL_SIZE": "7"}


def test_postgres_without_a_dsn_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="COMPTOIR_POSTGRES_DSN"):
        eventsourcing_env(Settings(backend="postgres"))


def test_settings_come_from_comptoir_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMPTOIR_COMMISSION_RATE", "0.065")
    monkeypatch.setenv("COMPTOIR_DEFAULT_LANGUAGE", "en")
    monkeypatch.setenv("COMPTOIR_TOKEN_KEYS", '{"k2": "secret-two", "k1": "secret-one"}')
    settings = Settings()
    assert str(settings.commission_rate) == "0.065"
    assert settings.default_language == "en"
    assert list(settings.token_keys) == ["k2", "k1"]


@pytest.mark.parametrize(("header", "language"), [
    (None, "fr"), ("en", "en"), ("en-CA,fr;q=0.5", "en"), ("fr-CA,en;q=0.8", "fr"),
    ("de,en;q=0.3", "en"), ("de", "fr"), ("en;q=0", "fr"), ("en;q=abc, fr", "fr"),
])
def test_accept_language_picks_french_or_english(header: str | None, language: str) -> None:
    assert negotiate(header, "fr") == language
