"""The signed-in app most interface tests share: a small published store with one account per role."""
from __future__ import annotations

import datetime as dt
import functools
import shutil
from pathlib import Path

import pytest
from werkzeug.security import generate_password_hash

from queries import catalogue
from queries.accounts import users
from queries.privacy import Policy
from queries.store import get_engine
from tests.factories import add_accounts, add_registrations, add_units, make_app, registration
from tests.stores import fresh_store


def fill(engine) -> None:
    """March 2014: 23 registrations in Noord-Nederland, 12 in Limburg; published as of May 2014."""
    with engine.begin() as conn:
        add_units(conn)
        rows = [registration(dt.date(2014, 3, 1 + i % 28), "NN") for i in range(23)]
        rows += [registration(dt.date(2014, 3, 2 + i), "LB") for i in range(12)]
        add_registrations(conn, rows)
    catalogue.refresh(engine, Policy(), today=dt.date(2014, 5, 2))


@pytest.fixture(scope="module")
def filled_store_file(tmp_path_factory) -> Path:
    """A filled store with the accounts, built once: the catalogue refresh takes a few seconds."""
    path = tmp_path_factory.mktemp("template") / "store.sqlite"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(users, "generate_password_hash",
                      functools.partial(generate_password_hash, method="pbkdf2:sha256:1000"))
        engine = fresh_store(f"sqlite:///{path}")
        fill(engine)
        add_accounts(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture
def store(filled_store_file, tmp_path):
    """A copy of the filled store for one test."""
    target = tmp_path / "filled.sqlite"
    shutil.copyfile(filled_store_file, target)
    return get_engine(f"sqlite:///{target}")


@pytest.fixture
def app(store):
    return make_app(store)


@pytest.fixture
def client(app):
    return app.server.test_client()
