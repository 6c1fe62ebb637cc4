import datetime as dt

import pytest

from tests.http_client import basic_auth_header
from dashboard.config import Config
import importlib
from queries import catalogue
from queries.accounts import users
from queries.privacy import Policy
from tests.factories import add_registrations, add_units, make_app, registration
from tests.monitor_fixtures import figure_of, walk

PROGRAMME = ("test-programme", "programme-pass-001")
AUTH = {"Authorization": basic_auth_header(*PROGRAMME)}


@pytest.fixture
def small_store(sqlite_store):
    """March 2014: 23 registrations in Noord-Nederland, 4 in Limburg; April: 3 in Limburg."""
    with sqlite_store.begin() as conn:
        add_units(conn)
        rows = [registration(dt.date(2014, 3, 1 + i % 28), "NN") for i in range(23)]
        rows += [registration(dt.date(2014, 3, 5), "LB") for _ in range(4)]
        rows += [registration(dt.date(2014, 4, 5), "LB") for _ in range(3)]
        add_registrations(conn, rows)
    catalogue.refresh(sqlite_store, Policy(), today=dt.date(2014, 5, 2))
    users.add_user(sqlite_store, *PROGRAMME, "programme")
    return sqlite_store


@pytest.fixture
def app(small_store):
    return make_app(small_store)


@pytest.fixture
def page(app):
    # Page modules register themselves with Dash, so they can only be imported once an app exists.
    return importlib.import_module("dashboard.pages.registrations")


def test_factory_honours_test_config(small_store):
    app = make_app(small_store, MIN_COUNT=20)
    assert app.server.testing
    assert app.server.extensions["loket"].policy.k == 20


def test_config_rejects_unknown_settings():
    with pytest.raises(KeyError):
        Config.from_overrides({"MIN_CUONT": 5})


def test_home_page_is_served_in_dutch(app):
    response = app.server.test_client().get("/", headers=AUTH)
    assert response.status_code == 200
    assert b'<html lang="nl">' in response.data


def test_language_switch_sets_cookie_and_html_lang(app):
    client = app.server.test_client()
    client.get("/taal/en", headers=AUTH)
    assert b'<html lang="en">' in client.get("/", headers=AUTH).data


def test_registrations_page_shows_protected_monthly_figures(app, page):
    with app.server.test_request_context("/", headers=AUTH):
        app.server.preprocess_request()
        tree = page.layout(periode="month")
    graph = next(c for c in walk(tree) if getattr(c, "id", None) == page.ID_GRAPH)
    shown, hidden = figure_of(graph).data[:2]
    by_month = dict(zip(shown.x, shown.y))
    # 27 registrations in March 2014 are published rounded to 25; April's 3 is hidden, not zero.
    assert by_month["mrt 2014"] == 25
    assert by_month["apr 2014"] is None
    assert dict(zip(hidden.x, hidden.text))["apr 2014"] == "*"


def test_registrations_layout_ignores_unknown_query_keys(app, page):
    with app.server.test_request_context("/?periode=quarter&foo=bar", headers=AUTH):
        app.server.preprocess_request()
        tree = page.layout(periode="quarter", foo="bar")
    assert page.ID_GRAPH in str(tree)
