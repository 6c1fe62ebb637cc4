"""The demo generator's COPY path on PostgreSQL: the same rows as SQLite and as the Core path, and
all-or-nothing in one transaction."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from queries.demo import DEMO_TABLES, generate, load, load_demo, timeline
from queries.store.schema import Contact, Unit
from tests import stores
from tests.stores import fresh_store

UNTIL = dt.date(2026, 11, 28)
N = 3_000
TABLES = [model.__table__ for model in (*DEMO_TABLES, Unit)]


def _dump(engine: sa.Engine) -> dict[str, list[tuple]]:
    """Every demo table ordered by its primary key, each value tagged with its Python type (so that
    True and 1, or a date and a datetime, do not compare equal)."""
    out = {}
    with engine.connect() as conn:
        for table in TABLES:
            rows = conn.execute(sa.select(table).order_by(*table.primary_key.columns))
            out[table.name] = [tuple((type(v).__name__, v) for v in row) for row in rows]
    return out


class _CountingWriter(load._Writer):
    copies = 0

    def _copy(self, *args):
        type(self).copies += 1
        return super()._copy(*args)


@pytest.fixture(scope="module")
def pg_url() -> str:
    return stores.pg_url()


@pytest.fixture(scope="module")
def loads(pg_url, tmp_path_factory):
    """The same seed and size loaded into SQLite, into PostgreSQL by the Core path, and by COPY."""
    sqlite = fresh_store(f"sqlite:///{tmp_path_factory.mktemp('copy') / 's.sqlite'}")
    load_demo(sqlite, registrations=N, until=UNTIL)
    pg = fresh_store(pg_url)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(load._Writer, "use_copy", False)
        load_demo(pg, registrations=N, until=UNTIL)
    core = _dump(pg)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(load, "_Writer", _CountingWriter)
        summary = load_demo(pg, registrations=N, until=UNTIL)
    assert _CountingWriter.copies >= 6  # website months + five tables: COPY really wrote them
    copied = _dump(pg)
    yield {"sqlite": _dump(sqlite), "core": core, "copy": copied, "summary": summary, "pg": pg}
    sqlite.dispose()


def test_copy_writes_the_rows_sqlite_has(loads):
    sqlite, copied = loads["sqlite"], loads["copy"]
    assert {t: len(rows) for t, rows in copied.items()} == {t: len(rows) for t, rows in sqlite.items()}
    assert len(copied["registrations"]) == loads["summary"].registrations == N
    assert len(copied["contacts"]) == loads["summary"].contacts > N
    for table in TABLES:
        assert copied[table.name] == sqlite[table.name], table.name


def test_copy_writes_what_the_core_path_wrote(loads):
    for table in TABLES:
        assert loads["copy"][table.name] == loads["core"][table.name], table.name
    types = {name for row in loads["copy"]["registrations"] for name, _ in row}
    assert {"int", "str", "date", "bool", "NoneType"} <= types
    assert {name for row in loads["copy"]["contacts"] for name, _ in row} >= {"datetime", "bool"}


def test_sequences_move_past_copied_ids(loads):
    pg = loads["pg"]
    with pg.begin() as conn:
        new_id = conn.execute(sa.insert(Contact).returning(Contact.id), dict(
            source_id="TEST-COPY", contacted_at=dt.datetime(2026, 11, 1), channel="phone")).scalar_one()
        assert new_id == loads["summary"].contacts + 1
        conn.execute(sa.delete(Contact).where(Contact.id == new_id))


def test_failure_midway_leaves_the_previous_store(loads, monkeypatch):
    pg = loads["pg"]
    load_demo(pg, seed=7, registrations=1_000, until=UNTIL)
    before = _dump(pg)
    assert len(before["registrations"]) == 1_000

    monkeypatch.setattr(timeline, "CHUNK_REGISTRATIONS", 500)  # several chunks ...
    monkeypatch.setattr(load, "INSERT_ROWS", 1_000)        # ... of several COPY statements each
    monkeypatch.setattr(load, "_Writer", _CountingWriter)
    surveys, calls = generate.surveys, []

    def failing_surveys(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:  # the first chunk is written by now
            raise RuntimeError("generator failed midway")
        return surveys(*args, **kwargs)

    monkeypatch.setattr(generate, "surveys", failing_surveys)
    _CountingWriter.copies = 0
    with pytest.raises(RuntimeError, match="midway"):
        load_demo(pg, registrations=N, until=UNTIL)
    assert _CountingWriter.copies > 6  # COPY had written the first chunk when the step failed
    assert _dump(pg) == before
    with pg.connect() as conn:  # the pooled connection is healthy again
        assert conn.execute(sa.text("SELECT 1")).scalar_one() == 1
