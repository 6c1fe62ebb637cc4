"""The corpus of malformed files (tests/import_corpus): each is rejected for the expected reason, on
SQLite and PostgreSQL, and leaves the store exactly as it was (only the rejected attempt is recorded)."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from queries.ingest import importer
from queries.store.schema import ImportBatch
from tests.stores import pg_url, fresh_store
from tests.import_corpus import CASES, EXAMPLES, snapshot

TODAY = dt.date(2026, 11, 28)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def filled(request, tmp_path_factory):
    """A store holding the example files, built once per database for the whole corpus."""
    url = (f"sqlite:///{tmp_path_factory.mktemp('corpus') / 'store.sqlite'}" if request.param == "sqlite"
           else pg_url())
    engine = fresh_store(url)
    result = importer.import_files(engine, sorted(EXAMPLES.glob("*.csv")), user="setup", today=TODAY)
    assert result.committed and result.error_count == 0
    return engine


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 30
    assert set(code for _, code in CASES.values()) <= set(importer.REASONS)


@pytest.mark.parametrize("case", list(CASES))
def test_malformed_file_is_rejected_and_changes_nothing(filled, tmp_path, case):
    build, expected = CASES[case]
    name, data = build()
    path = tmp_path / name
    path.write_bytes(data)
    before = snapshot(filled)
    with filled.connect() as conn:
        batches_before = conn.execute(sa.select(sa.func.count()).select_from(ImportBatch)).scalar_one()
    errors = []
    result = importer.import_files(filled, [path], user="corpus", today=TODAY, on_error=errors.append)

    codes = {e.code for e in errors}
    assert expected in codes, f"{case}: expected {expected}, got {[str(e) for e in errors[:5]]}"
    assert not result.committed and result.error_count == len(errors) > 0
    assert all(e.file == name for e in errors)
    for e in errors:
        assert e.reason("en") and e.reason("nl")  # a plain reason in both languages, never a template
    assert snapshot(filled) == before, f"{case} changed the store"
    with filled.connect() as conn:
        batches = conn.execute(sa.select(ImportBatch).order_by(ImportBatch.id)).all()
    assert len(batches) == batches_before + 1  # the rejected attempt is recorded, and nothing else
    assert batches[-1].status == "rejected" and batches[-1].inserted == 0 and batches[-1].updated == 0
    assert batches[-1].imported_by == "corpus" and batches[-1].filename == name


def test_a_row_level_error_names_line_column_and_value(filled, tmp_path):
    build, _ = CASES["intake before registration"]
    name, data = build()
    (tmp_path / name).write_bytes(data)
    errors = []
    importer.import_files(filled, [tmp_path / name], user="corpus", today=TODAY, on_error=errors.append)
    (error,) = errors
    assert (error.line, error.column, error.value) == (6, "datum_intake", "03-03-2014")
    assert error.reason() == "The first intake (03-03-2014) is before the registration (10-03-2014)."
    assert error.reason("nl") == "De eerste intake (03-03-2014) ligt voor de aanmelding (10-03-2014)."


def test_duplicates_are_reported_on_every_line(filled, tmp_path):
    build, _ = CASES["duplicate ids within a file"]
    name, data = build()
    (tmp_path / name).write_bytes(data)
    errors = []
    result = importer.import_files(filled, [tmp_path / name], user="corpus", today=TODAY, on_error=errors.append)
    assert [(e.line, e.code, e.value) for e in errors] == [(3, "duplicate", "N000002"), (7, "duplicate", "N000002")]
    assert "lines 3, 7" in errors[0].reason()
    assert result.files[0].rejected == 2 and result.files[0].rows == 6


def test_the_huge_file_is_streamed_and_its_last_line_still_blocks_it(filled, tmp_path):
    build, _ = CASES["a huge file with one bad row at the end"]
    name, data = build()
    (tmp_path / name).write_bytes(data)
    seen = []
    result = importer.import_files(filled, [tmp_path / name], user="corpus", today=TODAY,
                                   progress=lambda p: seen.append((p.phase, p.rows)))
    assert result.files[0].rows == 20_000 and result.error_count == 1 and result.errors[0].line == 20_001
    assert not result.committed
    # progress came in chunks, during the check and the (rolled-back) write
    assert [r for phase, r in seen if phase == "check"] == [5_000, 10_000, 15_000, 20_000]
    assert seen[-1] == ("write", 20_000)
