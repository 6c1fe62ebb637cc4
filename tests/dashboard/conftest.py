"""The signed-in app most interface tests share: a small published store with one account per role."""
from __future__ import annotations

import datetime as dt

import pytest

from queries import catalogue
from queries.privacy import Policy
from tests.factories import add_accounts, add_registrations, add_units, cheap_hashes, make_app, registration
from tests.stores import built_once, copy_store


def fill(engine) -> None:
    """March 2014: 23 registrations in Noord-Nederland, 12 in Limburg; published as of May 2014."""
    with engine.begin() as conn:
        add_units(conn)
        rows = [registration(dt.date(2014, 3, 1 + i % 28), "NN") for i in range(23)]
        rows += [registration(dt.date(2014, 3, 2 + i), "LB") for i in range(12)]
        add_registrations(conn, rows)
    catalogue.refresh(engine, Policy(), today=dt.date(2014, 5, 2))


def fill_with_accounts(engine) -> None:
    with cheap_hashes():
        fill(engine)
        add_accounts(engine)


@pytest.fixture
def store(tmp_path_factory, tmp_path):
    """A copy, for one test, of the filled store with the accounts (built once per session)."""
    return copy_store(built_once(tmp_path_factory, "filled", fill_with_accounts), tmp_path)


@pytest.fixture
def app(store):
    return make_app(store)


@pytest.fixture
def client(app):
    return app.server.test_client()
