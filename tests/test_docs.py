"""What users read stays true to the code: every setting is in the README's table."""

from __future__ import annotations

import re
from pathlib import Path

from api.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def test_every_setting_is_documented_in_the_readme() -> None:
    table = re.findall(r"^\| `(COMPTOIR_[A-Z0-9_]+)`", (ROOT / "README.md").read_text(), re.M)
    assert sorted(table) == sorted(f"COMPTOIR_{name.upper()}" for name in Settings.model_fields)
