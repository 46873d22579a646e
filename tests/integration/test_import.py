"""Bulk import of merchant fiches, on both backends."""

from __future__ import annotations

import csv
import json
import subprocess
from pathlib import Path

import pytest

from api.container import Container
from api.importer import Importer, rows
from application.actors import Actor, Role
from application.settings import Settings
from bench.dataset import CSV_COLUMNS, flat, generate
from tests.support import COMPTOIR, settings_env

VALIDATOR = Actor(Role.VALIDATOR, "6b1f1a56-3a0e-4d0e-9a6a-7f3f0d1c9b01")


def fiches(n: int, seed: int = 11) -> list[dict]:
    return [m.fiche for m in generate(n, seed=seed)]


def write_jsonl(path: Path, items: list[dict]) -> Path:
    path.write_text("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items))
    return path


def write_csv(path: Path, items: list[dict]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, CSV_COLUMNS)
        writer.writeheader()
        writer.writerows(flat(i) for i in items)
    return path


def run_import(container: Container, path: Path, approver: Actor | None = None) -> Importer:
    importer = Importer(container.merchants, approver)
    for number, data in rows(path):
        importer.add(number, data)
    importer.flush()
    return importer


def merchant_events(container: Container) -> list[str]:
    return [n.topic for n in container.app.recorder.select_notifications(1, 100_000)
            if n.topic.startswith("comptoir.Merchant.")]


@pytest.mark.parametrize("writer", [write_jsonl, write_csv], ids=["jsonl", "csv"])
def test_valid_rows_are_imported_and_approved_once(container: Container, tmp_path: Path,
                                                    writer) -> None:  # noqa: ANN001
    path = writer(tmp_path / f"fiches.{'csv' if writer is write_csv else 'jsonl'}", fiches(30))
    first = run_import(container, path, VALIDATOR)
    assert (first.report.imported, first.report.already, first.report.rejected) == (30, 0, [])
    again = run_import(container, path, VALIDATOR)
    assert (again.report.imported, again.report.already) == (0, 30)
    topics = merchant_events(container)
    assert topics.count("comptoir.Merchant.Applied") == 30
    assert topics.count("comptoir.Merchant.Approved") == 30


def test_rejected_rows_are_reported_with_every_reason(container: Container,
                                                      tmp_path: Path) -> None:
    good, bad_neq, bad_many = fiches(3)
    bad_neq["neq"] = "123"
    bad_many.update(categories=[], contact={"name": "X", "email": "pas-un-courriel"})
    bad_many["address"]["postal_code"] = "K1A 0A6"
    duplicate_neq = dict(fiches(1, seed=99)[0], neq=good["neq"], external_id="OTHER-1")
    path = write_jsonl(tmp_path / "mixed.jsonl", [good, bad_neq, bad_many, duplicate_neq])
    with open(path, "a") as out:
        out.write("{not json\n")
        out.write(json.dumps({**fiches(1, seed=5)[0], "external_id": ""}) + "\n")
    importer = run_import(container, path)
    report = importer.report
    assert report.imported == 1
    assert {(line, e.field, e.code) for line, _, errors in report.rejected for e in errors} == {
        (2, "neq", "neq_malformed"),
        (3, "categories", "categories_empty"), (3, "contact.email", "email_invalid"),
        (3, "address.postal_code", "postal_code_not_quebec"),
        (4, "row", "neq_taken"), (5, "row", "json_invalid"), (6, "external_id", "text_required"),
    }
    report.write(tmp_path / "rejets.csv")
    lines = (tmp_path / "rejets.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "ligne,external_id,champ,code,message"
    assert "2,REQ-000001,neq,neq_malformed,Le NEQ compte exactement 10 chiffres." in lines


def test_a_crash_midway_leaves_whole_batches_and_a_rerun_completes(
    container: Container, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_jsonl(tmp_path / "fiches.jsonl", fiches(450))  # three batches of 200
    real = container.merchants.import_fiches
    calls = {"n": 0}

    def crash_on_second_batch(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        calls["n"] += 1
        if calls["n"] == 2:
            raise SystemExit("killed")
        return real(*args, **kwargs)

    monkeypatch.setattr(container.merchants, "import_fiches", crash_on_second_batch)
    with pytest.raises(SystemExit):
        run_import(container, path)
    assert merchant_events(container).count("comptoir.Merchant.Applied") == 200
    monkeypatch.setattr(container.merchants, "import_fiches", real)
    rerun = run_import(container, path)
    assert (rerun.report.imported, rerun.report.already) == (250, 200)
    assert merchant_events(container).count("comptoir.Merchant.Applied") == 450


def test_the_cli_imports_with_a_progress_bar_and_a_report(settings: Settings,
                                                         tmp_path: Path) -> None:
    items = fiches(5)
    items[2]["neq"] = "99"
    path = write_csv(tmp_path / "fiches.csv", items)
    result = subprocess.run([COMPTOIR, "import", "merchants", str(path), "--approve"],
                            env=settings_env(settings), capture_output=True, text=True,
                            check=True)
    assert "4 imported, 0 already there, 1 rejected" in " ".join(result.stdout.split())
    report = (tmp_path / "fiches.rejets.csv").read_text(encoding="utf-8")
    assert "4,REQ-000002,neq,neq_malformed" in report
