"""`loket import FILE... [--dry-run] [--valid-only] [--report CSV]`: messages, exit codes, the store."""
from __future__ import annotations

import csv

import pytest
import sqlalchemy as sa

from dashboard import cli
from queries.ingest import importer
from queries.store.schema import AuditEntry, ImportBatch, Registration
from tests.import_corpus import EXAMPLES, fake_refresh, registration, registrations, registrations_csv

EXAMPLE_FILES = [str(p) for p in sorted(EXAMPLES.glob("*.csv"))]


@pytest.fixture
def env(sqlite_store, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", str(sqlite_store.url))
    calls = []
    monkeypatch.setattr(importer, "refresh_catalogue", fake_refresh(calls))
    return sqlite_store, calls


def count(engine, model) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()


def test_import_loads_and_refreshes(env, capsys):
    engine, refreshes = env
    assert cli.main(["import", *EXAMPLE_FILES, "--by", "beheerder"]) == 0
    out = capsys.readouterr()
    assert "registrations.csv" in out.out and "loaded (batch" in out.out
    assert "The published catalogue was refreshed." in out.out
    assert "Checking and loading 6 files as beheerder" in out.err
    assert "[2/6] registrations.csv: loading" in out.err  # progress
    assert len(refreshes) == 1 and refreshes[0].k == 10
    assert count(engine, Registration) == 6
    # the same files again: nothing new, no refresh
    assert cli.main(["import", *EXAMPLE_FILES]) == 0
    out = capsys.readouterr().out
    assert "Nothing new: every row was already in the store." in out and "imported before (batch" in out
    assert len(refreshes) == 1
    with engine.connect() as conn:
        entries = conn.execute(sa.select(AuditEntry.username, AuditEntry.action, AuditEntry.target, AuditEntry.status)
                               .order_by(AuditEntry.id)).all()
    assert entries[0][:2] == ("beheerder", "import") and entries[0][2].startswith("cli: units.csv, registrations.csv")
    assert entries[0][3] == 200 and entries[1][0].endswith("(cli)")


def test_errors_are_reported_per_row_and_change_nothing(env, tmp_path, capsys):
    engine, refreshes = env
    path = tmp_path / "aanmeldingen.csv"
    path.write_bytes(registrations_csv(registrations(3) + [registration(4, aanmelddatum="31-02-2014")]))
    assert cli.main(["import", str(path)]) == 1
    out = capsys.readouterr()
    assert "aanmeldingen.csv:5 [aanmelddatum] '31-02-2014': No such date." in out.err
    assert "Nothing was changed: 1 error(s) in 1 row(s)" in out.out and "--valid-only" in out.out
    assert count(engine, Registration) == 0 and refreshes == []
    with engine.connect() as conn:
        assert conn.execute(sa.select(ImportBatch.status)).scalars().all() == ["rejected"]
    # in Dutch
    assert cli.main(["import", str(path), "--lang", "nl"]) == 1
    assert "aanmeldingen.csv:5 [aanmelddatum] '31-02-2014': Deze datum bestaat niet." in capsys.readouterr().err
    # the valid rows, explicitly
    assert cli.main(["import", str(path), "--valid-only"]) == 0
    assert "1 rejected row(s) were skipped (--valid-only)" in capsys.readouterr().out
    assert count(engine, Registration) == 3 and len(refreshes) == 1


def test_dry_run_changes_nothing(env, tmp_path, capsys):
    engine, refreshes = env
    assert cli.main(["import", "--dry-run", *EXAMPLE_FILES]) == 0
    out = capsys.readouterr()
    assert "Dry run: nothing was changed. The files are valid" in out.out and "Checking (dry run)" in out.err
    assert count(engine, Registration) == 0 and count(engine, ImportBatch) == 0 and refreshes == []
    bad = tmp_path / "leeg.csv"
    bad.write_bytes(b"")
    assert cli.main(["import", "--dry-run", str(bad)]) == 1
    out = capsys.readouterr()
    assert "leeg.csv: The file is empty." in out.err and "Dry run: nothing was changed. 1 error(s)" in out.out
    assert count(engine, AuditEntry) == 0  # a dry run is not an import


def test_report_file_holds_every_rejected_row(env, tmp_path, capsys):
    rows = registrations(30, doelgroep="=HYPERLINK(\"http://evil.example\")")
    path = tmp_path / "a.csv"
    path.write_bytes(registrations_csv(rows))
    report = tmp_path / "fouten.csv"
    assert cli.main(["import", str(path), "--report", str(report), "--lang", "nl"]) == 1
    err = capsys.readouterr().err
    assert err.count("formule-injectie") == 20 and f"... and 10 more; all of them are in {report}" in err
    with open(report, encoding="utf-8-sig", newline="") as fh:
        lines = list(csv.reader(fh, delimiter=";"))
    assert lines[0] == ["bestand", "regel", "kolom", "waarde", "reden"] and len(lines) == 31
    assert lines[1][:4] == ["a.csv", "2", "doelgroep", "'=HYPERLINK(\"http://evil.example\")"]


def test_missing_file_and_usage(env, tmp_path, capsys):
    assert cli.main(["import", str(tmp_path / "nope.csv")]) == 2
    assert "no such file" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.main(["import"])
    with pytest.raises(SystemExit):
        cli.main(["import", "x.csv", "--kind", "clients"])
    parser = cli.build_parser()
    args = parser.parse_args(["import", "a.csv", "b.xlsx", "--dry-run", "--valid-only", "--kind", "sessions"])
    assert args.files == ["a.csv", "b.xlsx"] and args.dry_run and args.valid_only and args.kind == "sessions"


def test_a_failed_refresh_is_exit_code_3(env, monkeypatch, capsys):
    engine, _ = env

    def broken(engine, policy):
        raise RuntimeError("catalogue busy")

    monkeypatch.setattr(importer, "refresh_catalogue", broken)
    assert cli.main(["import", *EXAMPLE_FILES]) == 3
    out = capsys.readouterr().out
    assert "Loaded in" in out and "refreshing the published catalogue failed (RuntimeError: catalogue busy)" in out
    assert count(engine, Registration) == 6
