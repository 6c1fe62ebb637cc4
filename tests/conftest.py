"""Fixtures: stores on SQLite and PostgreSQL, and apps built by the factory; the opt-in test groups.

`pytest` runs the fast suite. `--browser` adds the tests that drive headless Chromium (pages, axe,
chart images, packs) and `--slow` the audits over the whole demo store and the long property tests;
`.ci/run` passes both. Under pytest-xdist each worker gets a PostgreSQL database of its own.
"""
from __future__ import annotations

import functools
import os

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from queries import store
from queries.store.schema import Base

PG_ENV = "LOKET_TEST_PG_URL"


OPT_IN = {"browser": "drives headless Chromium (needs /usr/bin/chromium)",
          "slow": "audits the whole demo store or runs long property tests"}


def pytest_addoption(parser):
    for marker, meaning in OPT_IN.items():
        parser.addoption(f"--{marker}", action="store_true", help=f"also run the tests that {meaning}")


def pytest_collection_modifyitems(config, items):
    for marker in OPT_IN:
        if config.getoption(marker):
            continue
        skip = pytest.mark.skip(reason=f"opt-in: run with --{marker}")
        for item in items:
            if marker in item.keywords:
                item.add_marker(skip)


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
def _pg_url() -> str:
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


@pytest.fixture(params=["sqlite", "postgresql"])
def any_store(request, tmp_path) -> sa.Engine:
    """An empty, migrated store on each supported database."""
    url = f"sqlite:///{tmp_path / 'store.sqlite'}" if request.param == "sqlite" else _pg_url()
    return fresh_store(url)


@pytest.fixture
def sqlite_store(tmp_path) -> sa.Engine:
    return fresh_store(f"sqlite:///{tmp_path / 'store.sqlite'}")


DEMO_TODAY = __import__("datetime").date(2026, 11, 28)


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory) -> sa.Engine:
    """The calibrated demo store with its published catalogue (built once per test session)."""
    from queries import catalogue
    from queries.demo import load_demo
    from queries.privacy import Policy

    engine = fresh_store(f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.sqlite'}")
    load_demo(engine, until=DEMO_TODAY)
    catalogue.refresh(engine, Policy(), today=DEMO_TODAY)
    return engine
