"""What an operator sees when start-up goes wrong: the real reason, never a secret."""

from __future__ import annotations

import os
import subprocess

from psycopg.conninfo import conninfo_to_dict, make_conninfo

from tests.conftest import postgres_dsn
from tests.support import COMPTOIR, free_port


def comptoir(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([COMPTOIR, *args], capture_output=True, text=True, timeout=60,
                          env={**os.environ, **env})


def test_a_missing_database_is_named_without_the_password(tmp_path) -> None:  # noqa: ANN001
    params = conninfo_to_dict(postgres_dsn())
    dsn = make_conninfo(**{**params, "dbname": "pas_de_telle_base", "password": "Sésame-42!"})
    result = comptoir("project", "status", COMPTOIR_BACKEND="postgres",
                      COMPTOIR_POSTGRES_DSN=dsn, COMPTOIR_DATA_DIR=str(tmp_path))
    said = " ".join((result.stdout + result.stderr).split())
    assert result.returncode == 1
    assert 'database "pas_de_telle_base" does not exist' in said
    assert "Sésame-42!" not in said and "Traceback" not in said


def test_an_unreachable_server_is_named(tmp_path) -> None:  # noqa: ANN001
    dsn = f"postgresql://comptoir:Sésame-42!@127.0.0.1:{free_port()}/comptoir"
    result = comptoir("serve", COMPTOIR_BACKEND="postgres", COMPTOIR_POSTGRES_DSN=dsn,
                      COMPTOIR_DATA_DIR=str(tmp_path), COMPTOIR_POSTGRES_CONNECT_TIMEOUT="2")
    said = " ".join((result.stdout + result.stderr).split())
    assert result.returncode == 1
    assert "PostgreSQL at 127.0.0.1" in said and "Connection refused" in said
    assert "Sésame-42!" not in said


def test_a_malformed_setting_is_named_and_its_secret_never_shown(tmp_path) -> None:  # noqa: ANN001
    for keys in ('["super-secret-key-value"]', '{"k1": "super-secret-key-value", '):
        result = comptoir("token", "issue", "--role", "validator", COMPTOIR_TOKEN_KEYS=keys,
                          COMPTOIR_DATA_DIR=str(tmp_path))
        said = result.stdout + result.stderr
        assert result.returncode == 1
        assert "token_keys" in said.lower() and "super-secret-key-value" not in said


def test_several_processes_on_sqlite_are_refused_with_the_reason(tmp_path) -> None:  # noqa: ANN001
    result = comptoir("serve", "--workers", "2", COMPTOIR_BACKEND="sqlite",
                      COMPTOIR_DATA_DIR=str(tmp_path))
    said = " ".join((result.stdout + result.stderr).split())
    assert result.returncode == 2
    assert "one process serves an SQLite data directory" in said
    assert list(tmp_path.iterdir()) == []  # nothing opened, nothing created
