"""A serving process freezes what it built at start and collects its youngest objects less
often (api/heap.py); an app handed a container, as tests build many in one process, leaves the
collector alone. Each case runs in a fresh interpreter: the collector's state is the process's."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = """
import gc, json, sys
from pathlib import Path
from fastapi.testclient import TestClient
from api.container import build_container
from api.main import create_app
from api.settings import Settings

settings = Settings(backend="sqlite", data_dir=Path(sys.argv[1]))
container = build_container(settings) if sys.argv[2] == "given" else None
with TestClient(create_app(settings, container=container)) as client:
    assert client.get("/health").status_code == 200
    print(json.dumps({"frozen": gc.get_freeze_count(), "threshold": gc.get_threshold()}))
"""


def collector_while_serving(tmp_path: Path, container: str) -> dict:
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path / "var"), container],
                          capture_output=True, text=True, timeout=120, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_serving_process_freezes_what_it_built_at_start(tmp_path: Path) -> None:
    state = collector_while_serving(tmp_path, "own")
    assert state["frozen"] > 10_000  # the app, its container and the libraries they import
    assert state["threshold"] == [10_000, 10, 10]


def test_an_app_given_its_container_leaves_the_collector_alone(tmp_path: Path) -> None:
    assert collector_while_serving(tmp_path, "given") == {"frozen": 0,
                                                          "threshold": [700, 10, 10]}
