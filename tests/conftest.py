"""Fixtures: stores on SQLite and PostgreSQL, and apps built by the factory."""
from __future__ import annotations

import os

import pytest
import sqlalchemy as sa

from queries import store
from queries.store.schema import Base

PG_ENV = "LOKET_TEST_PG_URL"


def _pg_url() -> str:
    url = os.environ.get(PG_ENV)
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{PG_ENV} is not set: under CI the PostgreSQL store tests must run")
        pytest.skip(f"{PG_ENV} not set (run .ci/run, or set it to a PostgreSQL test database)")
    return url


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
