"""Bulk import of merchant fiches, on both backends."""

from __future__ import annotations

import csv
import json
import subprocess
from pathlib import Path

import pytest

from api.container import Container
from api.importer import OUTCOMES, Importer, rows
from api.settings import Settings
from application.actors import Actor, Role
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


def counts(importer: Importer) -> dict[str, int]:
    return {o: importer.report.count(o) for o in OUTCOMES if importer.report.count(o)}


def merchant_events(container: Container) -> list[str]:
    return [n.topic for n in container.app.recorder.select_notifications(1, 100_000)
            if n.topic.startswith("comptoir.Merchant.")]


@pytest.mark.parametrize("writer", [write_jsonl, write_csv], ids=["jsonl", "csv"])
def test_valid_rows_are_imported_and_approved_once(container: Container, tmp_path: Path,
                                                    writer) -> None:  # noqa: ANN001
    path = writer(tmp_path / f"fiches.{'csv' if writer is write_csv else 'jsonl'}", fiches(30))
    first = run_import(container, path, VALIDATOR)
    assert counts(first) == {"imported": 30}
    again = run_import(container, path, VALIDATOR)
    assert counts(again) == {"already_imported": 30}
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
    assert counts(importer) == {"imported": 1, "rejected": 5}
    assert {(r.line, e.field, e.code) for r in report.rows for e in r.errors} == {
        (2, "neq", "neq_malformed"),
        (3, "categories", "categories_empty"), (3, "contact.email", "email_invalid"),
        (3, "address.postal_code", "postal_code_not_quebec"),
        (4, "row", "neq_taken"), (5, "row", "json_invalid"), (6, "external_id", "text_required"),
    }
    report.write(tmp_path / "rapport.csv")
    lines = (tmp_path / "rapport.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "ligne,external_id,resultat,champ,code,message"
    assert "1,REQ-000000,imported,,," in lines
    assert "2,REQ-000001,rejected,neq,neq_malformed,Le NEQ compte exactement 10 chiffres." \
        in lines


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
    assert counts(rerun) == {"imported": 250, "already_imported": 200}
    assert merchant_events(container).count("comptoir.Merchant.Applied") == 450


def test_the_cli_imports_with_a_progress_bar_and_a_report(settings: Settings,
                                                         tmp_path: Path) -> None:
    items = fiches(5)
    items[2]["neq"] = "99"
    path = write_csv(tmp_path / "fiches.csv", items)
    result = subprocess.run([COMPTOIR, "import", "merchants", str(path), "--approve"],
                            env=settings_env(settings), capture_output=True, text=True,
                            check=True)
    assert "4 imported, 0 already imported, 0 conflicting, 1 rejected" in " ".join(
        result.stdout.split())
    report = (tmp_path / "fiches.rapport.csv").read_text(encoding="utf-8")
    assert "4,REQ-000002,rejected,neq,neq_malformed" in report


def test_every_row_is_accounted_for_including_conflicting_ones(container: Container,
                                                               tmp_path: Path) -> None:
    items = fiches(8)
    # row 9: row 2 again exactly; row 10: row 3's id with another street; row 11: row 4's
    # id with another name and contact e-mail; row 12: row 9's id (imported in this very
    # batch) with another phone; row 13: broken AND reusing row 5's id
    same = dict(items[1])
    moved = {**items[2], "address": {**items[2]["address"], "street": "99, rue Nouvelle"}}
    renamed = {**items[3], "name": "Tout autre nom",
               "contact": {**items[3]["contact"], "email": "autre@courriel.example"}}
    rephoned = {**items[7], "contact": {**items[7]["contact"], "phone": "819-555-0000"}}
    broken = {**items[4], "neq": "12"}
    path = write_jsonl(tmp_path / "fiches.jsonl",
                       [*items, same, moved, renamed, rephoned, broken])
    importer = run_import(container, path, VALIDATOR)
    by_line = {r.line: r for r in importer.report.rows}
    assert sorted(by_line) == list(range(1, 14))
    assert {line: r.outcome for line, r in by_line.items() if line > 8} == {
        9: "already_imported", 10: "conflicting", 11: "conflicting", 12: "conflicting",
        13: "rejected"}
    assert [e.field for e in by_line[10].errors] == ["address.street"]
    assert [e.field for e in by_line[11].errors] == ["name", "contact.email"]
    assert [e.field for e in by_line[12].errors] == ["contact.phone"]
    assert [e.code for e in by_line[13].errors] == ["neq_malformed"]
    assert merchant_events(container).count("comptoir.Merchant.Applied") == 8
    # the same file again: nothing new, the same conflicts
    again = run_import(container, path, VALIDATOR)
    assert counts(again) == {"already_imported": 9, "conflicting": 3, "rejected": 1}
