"""Test stores: an emptied, migrated store on SQLite or PostgreSQL (one PostgreSQL database per xdist worker), and
filled SQLite stores built once per session and copied per test."""
from __future__ import annotations

import datetime as dt
import functools
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from queries import store
from queries.store.schema import Base

PG_ENV = "LOKET_TEST_PG_URL"
DEMO_TODAY = dt.date(2026, 11, 28)  # the day the session's demo store is built as of (conftest: demo_store)


def _worker_database(url: str) -> str:
    """Return the test database of this xdist worker (the configured one outside xdist), creating it once."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    base = make_url(url)
    own = base.set(database=f"{base.database}_{worker}")
    admin = sa.create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": own.database})
            if not exists:
                conn.execute(sa.text(f'CREATE DATABASE "{own.database}"'))
    finally:
        admin.dispose()
    return own.render_as_string(hide_password=False)


@functools.cache
def pg_url() -> str:
    """Return the PostgreSQL test database (this xdist worker's own); skip, or fail under CI, without one."""
    url = os.environ.get(PG_ENV)
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{PG_ENV} is not set: under CI the PostgreSQL store tests must run")
        pytest.skip(f"{PG_ENV} not set (run .ci/run, or set it to a PostgreSQL test database)")
    return _worker_database(url)


def fresh_store(url: str) -> sa.Engine:
    """Return an engine on an emptied store, migrated to the newest schema."""
    engine = store.get_engine(url)
    with engine.begin() as conn:
        Base.metadata.drop_all(conn)
        conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
    store.migrate(engine)
    return engine


_BUILT: dict[str, Path] = {}


def built_once(tmp_path_factory, name: str, fill: Callable[[sa.Engine], None]) -> Path:
    """Return the file of a SQLite store that `fill` fills, built on first use in the session (per xdist worker)."""
    # A refresh costs seconds even on a small store; the tests that read one share it and copy it.
    if name not in _BUILT:
        _BUILT[name] = build_store(tmp_path_factory.mktemp(name) / "store.sqlite", fill)
    return _BUILT[name]


def build_store(path: Path, fill: Callable[[sa.Engine], None]) -> Path:
    """Build a SQLite store at `path` that `fill` fills, as one file ready to copy; return the path."""
    engine = fresh_store(f"sqlite:///{path}")
    fill(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")  # one file, ready to copy
    engine.dispose()
    return path


def copy_store(path: Path, folder: Path) -> sa.Engine:
    """Return an engine on a copy of a store file, in the given folder."""
    target = folder / path.name
    shutil.copyfile(path, target)
    return store.get_engine(f"sqlite:///{target}")
