"""Test stores: an emptied, migrated store on SQLite or PostgreSQL (one PostgreSQL database per xdist worker)."""
from __future__ import annotations

import datetime as dt
import functools
import os

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
