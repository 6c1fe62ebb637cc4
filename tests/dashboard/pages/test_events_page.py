"""The events page (/beheer/gebeurtenissen): the form with its warning, recording and retiring through the
callback's functions with messages in Dutch and English, the list, the navigation per role, and the refusal of
anyone but programme managers and administrators, on the server."""
from __future__ import annotations

import contextlib
import importlib
import json
import urllib.parse

import dash
import pytest
import sqlalchemy as sa
from dash import dcc, html

from queries import events
from queries.accounts import users
from queries.accounts.access import Access, AccessDenied
from queries.store.schema import AuditEntry, Event as EventRow
from dashboard.ui.texts import LANG_COOKIE, t
from tests import monitor_fixtures
from tests.dash_text import text_of
from tests.factories import cheap_hashes, make_app
from tests.http_client import basic_auth_header, router_request
from tests.monitor_fixtures import PROGRAMME, UNIT, walk

ADMIN = ("m-admin", "admin-pass-0000001")
ROLES = {"programme": PROGRAMME, "unit": UNIT, "admin": ADMIN}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    engine = monitor_fixtures.fresh_copy(tmp_path_factory, "events-page")
    with cheap_hashes():
        users.add_user(engine, *ADMIN, "admin")
    return engine


@pytest.fixture(scope="module")
def app(store):
    return make_app(store)


@pytest.fixture(scope="module")
def page(app):
    return importlib.import_module("dashboard.pages.events")


@contextlib.contextmanager
def signed_in(app, role: str, lang: str = "nl"):
    headers = {"Authorization": basic_auth_header(*ROLES[role]), "Cookie": f"{LANG_COOKIE}={lang}"}
    with app.server.test_request_context("/beheer/gebeurtenissen", headers=headers):
        app.server.preprocess_request()
        yield


def _layout(app, page, role: str, lang: str = "nl"):
    """The layout as the page router calls it (with the role guard of `roles=`)."""
    registered = dash.page_registry[page.__name__]["layout"]
    with signed_in(app, role, lang):
        return registered()


def _rows(store) -> list:
    with store.connect() as conn:
        return conn.execute(sa.select(EventRow).order_by(EventRow.id)).all()


def _by_id(tree, component_id):
    return next(c for c in walk(tree) if getattr(c, "id", None) == component_id)


@pytest.mark.parametrize("role", ["programme", "admin"])
def test_the_form_warns_that_events_never_describe_clients(app, page, role):
    tree = _layout(app, page, role)
    text = text_of(tree)
    assert t("page.events", "nl") in text and t("events.warning", "nl") in text
    assert "nooit een cliënt" in t("events.warning", "nl") and "Never describe a client" in t("events.warning", "en")
    labels = {c.htmlFor for c in walk(tree) if isinstance(c, html.Label)}
    assert {page.ID_DAY, page.ID_SCOPE, page.ID_TEXT} <= labels
    assert _by_id(tree, page.ID_SCOPE).list == page.ID_SCOPES and _by_id(tree, page.ID_SCOPE).value == "NL"
    field = _by_id(tree, page.ID_TEXT)
    assert isinstance(field, dcc.Input) and field.maxLength == 200
    suggestions = {o.value: o.label for o in _by_id(tree, page.ID_SCOPES).children}
    assert list(suggestions)[0] == "NL" and suggestions["LB"] == "Limburg" and "UNK" not in suggestions
    english = text_of(_layout(app, page, role, "en"))
    assert t("events.warning", "en") in english and "Record" in english


def test_only_programme_managers_and_administrators_open_the_page_and_see_it_in_the_navigation(app, page):
    tree = _layout(app, page, "unit")
    assert t("app.forbidden", "nl") in text_of(tree)
    assert not any(getattr(c, "id", None) == page.ID_SAVE for c in walk(tree))
    client = app.server.test_client()
    for role, shown in (("programme", True), ("admin", True), ("unit", False)):
        response = client.get("/_dash-layout", headers={"Authorization": basic_auth_header(*ROLES[role])})
        assert response.status_code == 200
        assert (f'"href": "{page.PATH}"' in json.dumps(response.get_json())) is shown, role
    # the page router itself refuses the unit user, with every parameter it could forge
    body = router_request(page.PATH, "?" + urllib.parse.urlencode({"scope": "NL", "role": "admin"}))
    response = client.post("/_dash-update-component", json=body, headers={"Authorization": basic_auth_header(*UNIT)})
    assert t("app.forbidden", "nl") in json.dumps(response.get_json(), ensure_ascii=False)
    assert t("events.warning", "nl") not in json.dumps(response.get_json(), ensure_ascii=False)


def test_record_and_retire_through_the_page_with_messages_and_the_audit_log(app, page, store):
    before = len(_rows(store))
    with signed_in(app, "programme"):
        status, listing = page.save_event("2014-02-10", "NN", "  Uitrol   teamleiders  ")
        assert text_of(status) == "Vastgelegd: 10 feb 2014, Noord-Nederland: Uitrol teamleiders"
        assert "Uitrol teamleiders" in text_of(listing)
    row = _rows(store)[-1]
    assert len(_rows(store)) == before + 1 and (row.scope, row.text, row.created_by) == ("NN", "Uitrol teamleiders",
                                                                                         PROGRAMME[0])
    with signed_in(app, "admin", "en"):
        listing = page.events_table("en")
        retire = next(c for c in walk(listing) if isinstance(c, html.Button) and c.id == {"type": page.RETIRE,
                                                                                            "id": row.id})
        assert retire.to_plotly_json()["props"]["aria-label"] == f"Retire event {row.id}: Uitrol teamleiders"
        # the units' roll-outs are listed too, without a button
        assert "The Loket starts in Limburg" in text_of(listing) and "from the units' data" in text_of(listing)
        status, listing = page.retire_event(row.id)
        assert text_of(status) == f"Event {row.id} was retired."
        assert "Uitrol teamleiders" not in text_of(listing)
        status, unchanged = page.retire_event(row.id)
        assert text_of(status) == f"Not retired: event {row.id} was already retired" and unchanged is page.no_update
    with store.connect() as conn:
        actions = conn.execute(sa.select(AuditEntry.username, AuditEntry.action).where(
            AuditEntry.action.in_(("event_add", "event_retire")))).all()
    assert [tuple(a) for a in actions] == [(PROGRAMME[0], "event_add"), (ADMIN[0], "event_retire")]


@pytest.mark.parametrize(("lang", "day", "scope", "text", "said"), [
    ("nl", "2014-02-10", "NL", "x" * 201, "Niet vastgelegd: de tekst is langer dan 200 tekens (201)"),
    ("en", "2014-02-10", "NL", "x" * 201, "Not recorded: the text is longer than 200 characters (201)"),
    ("nl", "2014-02-10", "NL", "   ", "Niet vastgelegd: geef een korte tekst"),
    ("nl", "10 februari", "NL", "Mailing", "Niet vastgelegd: geen datum (JJJJ-MM-DD): 10 februari"),
    ("en", "2011-12-31", "NL", "Mailing", "Not recorded: the date lies outside the monitor's span (2012-05-01 to "),
    ("nl", "2014-02-10", "XX", "Mailing", "Niet vastgelegd: kies landelijk (NL) of een eenheid"),
    ("en", None, None, None, "Not recorded: not a date (YYYY-MM-DD): "),
])
def test_bad_input_is_refused_with_a_clear_message_and_nothing_is_written(app, page, store, lang, day, scope, text,
                                                                          said):
    before = len(_rows(store))
    with signed_in(app, "programme", lang):
        status, unchanged = page.save_event(day, scope, text)
    assert text_of(status).startswith(said) and unchanged is page.no_update
    assert "message-error" in status.className
    assert len(_rows(store)) == before


def test_a_200_character_text_is_recorded(app, page, store):
    with signed_in(app, "admin"):
        status, _ = page.save_event("2014-01-02", "NL", "y" * 200)
    assert text_of(status).startswith("Vastgelegd") and _rows(store)[-1].text == "y" * 200


def _callback_body(page, trigger: str, retire_id=None, text="forged by the unit"):
    retire = [{"id": {"type": page.RETIRE, "id": retire_id}, "property": "n_clicks", "value": 1}] if retire_id else []
    return {
        "output": f"..{page.ID_STATUS}.children...{page.ID_LIST}.children..",
        "outputs": [{"id": page.ID_STATUS, "property": "children"}, {"id": page.ID_LIST, "property": "children"}],
        "inputs": [{"id": page.ID_SAVE, "property": "n_clicks", "value": 1}, retire],
        "state": [{"id": page.ID_DAY, "property": "value", "value": "2014-03-01"},
                  {"id": page.ID_SCOPE, "property": "value", "value": "NN"},
                  {"id": page.ID_TEXT, "property": "value", "value": text}],
        "changedPropIds": [trigger],
    }


def test_a_unit_user_posting_to_the_callback_is_refused_on_the_server(app, page, store):
    client = app.server.test_client()
    unit = {"Authorization": basic_auth_header(*UNIT)}
    before = _rows(store)
    response = client.post("/_dash-update-component", json=_callback_body(page, f"{page.ID_SAVE}.n_clicks"),
                           headers=unit)
    assert response.status_code == 403
    kept = events.record(store, Access("pm", "programme"), day="2014-03-02", scope="NN", text="blijft staan")
    trigger = json.dumps({"id": kept, "type": page.RETIRE}, separators=(",", ":")) + ".n_clicks"
    response = client.post("/_dash-update-component", json=_callback_body(page, trigger, retire_id=kept), headers=unit)
    assert response.status_code == 403
    assert [r for r in _rows(store) if r.id != kept] == before and _rows(store)[-1].retired_at is None
    with signed_in(app, "unit"), pytest.raises(AccessDenied):
        page.change(1, [], "2014-03-01", "NN", "x")
    # the same request from the programme manager is carried out
    response = client.post("/_dash-update-component", json=_callback_body(page, f"{page.ID_SAVE}.n_clicks",
                                                                          text="door de programmamanager"),
                           headers={"Authorization": basic_auth_header(*PROGRAMME)})
    assert response.status_code == 200 and _rows(store)[-1].text == "door de programmamanager"
