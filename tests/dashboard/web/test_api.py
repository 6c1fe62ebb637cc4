"""The read-only API: protected cells only, for the caller's server-side scope."""
import csv
import datetime as dt
import io

import pytest

from tests.http_client import basic_auth_header
from queries import catalogue
from queries.accounts import users
from queries.privacy import Policy
from tests.factories import add_registrations, add_units, cheap_hashes, make_app, registration
from tests.stores import built_once, copy_store

PROGRAMME = ("api-programme", "programme-pass-001")
UNIT_NN = ("api-unit-nn", "unit-nn-pass-0001")


def _fill(engine) -> None:
    with engine.begin() as conn:
        add_units(conn)
        rows = [registration(dt.date(2014, 3, 1 + i % 28), "NN") for i in range(40)]
        rows += [registration(dt.date(2014, 5, 2), "LB") for _ in range(3)]
        add_registrations(conn, rows)
    catalogue.refresh(engine, Policy(), today=dt.date(2015, 1, 10))
    with cheap_hashes():
        users.add_user(engine, *PROGRAMME, "programme")
        users.add_user(engine, *UNIT_NN, "unit", "NN")


@pytest.fixture
def client(tmp_path_factory, tmp_path):
    app = make_app(copy_store(built_once(tmp_path_factory, "api", _fill), tmp_path))
    return app.server.test_client()


def get(client, url, who):
    return client.get(url, headers={"Authorization": basic_auth_header(*who)})


def test_catalogue_lists_tables_and_periods(client):
    listing = get(client, "/api/v1/catalogue", PROGRAMME).get_json()
    names = {t["name"] for t in listing["tables"]}
    assert {"registrations", "registrations_by_target_group", "waiting_days"} <= names
    total = next(t for t in listing["tables"] if t["name"] == "registrations")
    assert "2014-03" in total["periods"]["month"] and "2014" in total["periods"]["year"]
    assert listing["data_until"] == "2014-12"
    assert "LB" in listing["scopes"]


def test_unit_user_catalogue_lists_only_its_own_scope(client):
    assert get(client, "/api/v1/catalogue", UNIT_NN).get_json()["scopes"] == ["NL", "NN"]


def test_table_returns_protected_cells_with_display_text(client):
    body = get(client, "/api/v1/tables/registrations?period=month", PROGRAMME).get_json()
    by_period = {c["period"]: c for c in body["cells"]}
    assert by_period["2014-03"] == {"period": "2014-03", "category": "_total", "value": 40.0,
                                    "suppressed": False, "revised": False, "display": "40"}
    assert body["release"] == get(client, "/api/v1/catalogue", PROGRAMME).get_json()["release"] >= 1
    assert by_period["2014-05"]["value"] is None
    assert by_period["2014-05"]["display"] == "*" and by_period["2014-05"]["suppressed"] is True


def test_csv_format_has_the_same_cells(client):
    response = get(client, "/api/v1/tables/registrations?period=year&format=csv", PROGRAMME)
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [(r["period"], r["display"]) for r in rows] == [("2012", "0"), ("2013", "0"), ("2014", "45")]


def test_unit_user_is_refused_another_units_table(client):
    assert get(client, "/api/v1/tables/registrations?period=year&unit=LB", UNIT_NN).status_code == 403
    own = get(client, "/api/v1/tables/registrations?period=year&unit=NN", UNIT_NN)
    assert own.status_code == 200
    assert {c["period"]: c["value"] for c in own.get_json()["cells"]}["2014"] == 40.0


@pytest.mark.parametrize("url, status", [
    ("/api/v1/tables/no_such_table", 404),
    ("/api/v1/tables/registrations?period=week", 400),
    ("/api/v1/tables/registrations?format=xml", 400),
])
def test_bad_requests_get_a_clear_error(client, url, status):
    response = get(client, url, PROGRAMME)
    assert response.status_code == status
    assert response.get_json()["error"]


def test_api_needs_a_login(client):
    assert client.get("/api/v1/catalogue").status_code == 401


def test_the_cross_tables_are_in_the_api_per_year_for_the_caller_s_scope(client):
    listing = get(client, "/api/v1/catalogue", UNIT_NN).get_json()
    by_name = {t["name"]: t for t in listing["tables"]}
    cross = by_name["registrations_by_question_type_no"]
    assert cross["kind"] == "count" and cross["periods"]["month"] == [] and "2014" in cross["periods"]["year"]
    body = get(client, "/api/v1/tables/registrations_by_question_type_no?period=year&unit=NN", UNIT_NN).get_json()
    workload = next(c for c in body["cells"] if c["period"] == "2014" and c["category"] == "workload")
    assert workload["value"] == 40.0 and workload["display"] == "40"
    assert get(client, "/api/v1/tables/registrations_by_question_type_no?period=year&unit=LB",
               UNIT_NN).status_code == 403
