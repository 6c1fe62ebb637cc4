"""Users, roles and access, enforced on the server: tested through Flask's test client, no browser.

(The one browser test at the end checks that Dash runs under the content security policy.)
"""
from __future__ import annotations

import datetime as dt
import importlib
import json
import os
import socket
import subprocess
import threading
import time
from pathlib import Path

import flask
import pytest
import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from dashboard.web import auth, security
from dashboard.web.auth import access_from_claims, current_access, parse_basic
from tests.http_client import basic_auth_header, body_text, callback_body, router_body
from dashboard.config import DEV_SECRET_KEY, Config
from dashboard.ui.texts import t
from queries.accounts import audit_log, users
from queries.accounts.access import Access, AccessDenied
from queries.monitor.registrations import registrations_over_time
from queries.store.schema import AuditEntry, LoginFailure, User
from tests import browsing
from tests.factories import ACCOUNTS, NO_ROLE, add_units, headers, make_app

LONG_KEY = "k" * 48


pytestmark = pytest.mark.usefixtures("fast_hashes")
NO_ROLE_HEADERS = {"Authorization": basic_auth_header(*NO_ROLE)}


@pytest.fixture
def admin_page(app):
    return importlib.import_module("dashboard.pages.admin_log")


def audit_rows(engine) -> list:
    with engine.connect() as conn:
        return conn.execute(sa.select(AuditEntry).order_by(AuditEntry.id)).all()


# --- who the caller is --------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["programme", "unit", "admin"])
def test_current_access_comes_from_the_account(app, role):
    name, _password, account_role, unit = ACCOUNTS[role]
    with app.server.test_request_context("/", headers=headers(role)):
        app.server.preprocess_request()
        assert current_access() == Access(user=name, role=account_role, unit=unit)


def test_current_access_without_credentials_has_no_role(app):
    with app.server.test_request_context("/"):
        assert current_access().role is None
    assert current_access() == Access(user="", role=None)  # outside a request


def test_current_access_ignores_what_the_caller_claims(app):
    forged = headers("unit", **{"X-Loket-Role": "admin", "X-Remote-User": "t-admin", "X-Unit": "LB"})
    with app.server.test_request_context("/?scope=LB&unit=LB&role=admin", headers=forged):
        app.server.preprocess_request()
        assert current_access() == Access(user="t-unit-nn", role="unit", unit="NN")


def test_role_change_and_removal_take_effect_at_the_next_request(app, store, client):
    assert client.get("/", headers=headers("unit")).status_code == 200
    users.set_role(store, "t-unit-nn", "unit", "LB")
    with app.server.test_request_context("/", headers=headers("unit")):
        assert current_access().unit == "LB"
    users.remove_user(store, "t-unit-nn")
    assert client.get("/", headers=headers("unit")).status_code == 401


def test_changed_password_stops_the_old_one_at_once(store, client):
    assert client.get("/", headers=headers("programme")).status_code == 200
    users.set_password(store, "t-programme", "a-new-password-42")
    assert client.get("/", headers=headers("programme")).status_code == 401
    new = {"Authorization": basic_auth_header("t-programme", "a-new-password-42")}
    assert client.get("/", headers=new).status_code == 200


def test_unit_user_cannot_obtain_another_units_figures(app, store):
    with app.server.test_request_context("/", headers=headers("unit")):
        app.server.preprocess_request()
        access = current_access()
        registrations_over_time(store, access, scope="NN")  # its own unit and the national figure: fine
        registrations_over_time(store, access, scope="NL")
        with pytest.raises(AccessDenied):
            registrations_over_time(store, access, scope="LB")


# --- known dash-auth edge cases, malformed and cross-site requests ---------------------------------

@pytest.mark.parametrize("value", [
    "Bearer abc.def.ghi", "Bearer", "Basic", "Basic !!!not-base64!!!", "Basic " + "QUJD",  # no colon
    "Basic //79", "Digest username=x", "basic", "Basic " + "x" * 5000,
    basic_auth_header("t-programme", "wrong-password"), basic_auth_header("nobody", "whatever-password"),
    basic_auth_header("", "programme-pass-001"),
])
def test_malformed_or_wrong_credentials_get_401(client, value):
    response = client.get("/", headers={"Authorization": value})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Basic ")


def test_parse_basic_accepts_only_basic_credentials():
    assert parse_basic(basic_auth_header("a", "b:c")) == ("a", "b:c")
    assert parse_basic("Bearer x") is None
    assert parse_basic(None) is None


@pytest.mark.parametrize("kwargs", [
    {}, {"data": b""}, {"data": b"not json", "content_type": "application/json"},
    {"data": b"[]", "content_type": "application/json"}, {"data": b"plain", "content_type": "text/plain"},
    {"json": {"output": 1}}, {"json": {"output": "nothing.here"}},
])
def test_bodyless_or_malformed_callback_posts_get_401_then_400(client, kwargs):
    assert client.post("/_dash-update-component", **kwargs).status_code == 401
    authed = client.post("/_dash-update-component", headers=headers("programme"), **kwargs)
    assert authed.status_code == 400
    assert b"Traceback" not in authed.data


def test_callback_with_wrong_inputs_or_a_clientside_output_gets_400(client):
    body = router_body("/")
    body["inputs"] = body["inputs"][:1]
    assert client.post("/_dash-update-component", json=body, headers=headers("programme")).status_code == 400
    body = router_body("/")
    body["inputs"][0]["id"] = "registrations-period-type"
    assert client.post("/_dash-update-component", json=body, headers=headers("programme")).status_code == 400
    client.get("/_dash-dependencies", headers=headers("programme"))
    clientside = {"output": "_pages_dummy.children", "outputs": {"id": "_pages_dummy", "property": "children"},
                  "inputs": [{"id": "_pages_store", "property": "data", "value": {}}]}
    assert client.post("/_dash-update-component", json=clientside, headers=headers("programme")).status_code == 400


def test_pattern_matching_callbacks_pass_the_guard(store):
    from dash import ALL, MATCH, Input, Output

    app = make_app(store)

    @app.callback(Output({"type": "pm-out", "index": MATCH}, "children"), Input({"type": "pm-in", "index": MATCH}, "value"))
    def echo(value):
        return f"got {value}"

    @app.callback(Output("pm-total", "children"), Input({"type": "pm-in", "index": ALL}, "value"))
    def total(values):
        return f"{len(values)} values"

    client = app.server.test_client()
    deps = json.loads(client.get("/_dash-dependencies", headers=headers("programme")).data)
    match_output = next(d["output"] for d in deps if "pm-out" in d["output"])
    one = {"output": match_output, "outputs": {"id": {"type": "pm-out", "index": 1}, "property": "children"},
           "inputs": [{"id": {"type": "pm-in", "index": 1}, "property": "value", "value": "a"}]}
    response = client.post("/_dash-update-component", json=one, headers=headers("programme"))
    assert response.status_code == 200 and "got a" in body_text(response)
    every = {"output": "pm-total.children", "outputs": {"id": "pm-total", "property": "children"},
             "inputs": [[{"id": {"type": "pm-in", "index": i}, "property": "value", "value": "a"} for i in (1, 2)]]}
    response = client.post("/_dash-update-component", json=every, headers=headers("programme"))
    assert response.status_code == 200 and "2 values" in body_text(response)
    one["inputs"][0]["id"] = {"type": "pm-in"}  # keys differ from the pattern
    assert client.post("/_dash-update-component", json=one, headers=headers("programme")).status_code == 400


def test_cross_site_posts_are_refused(client):
    response = client.post("/_dash-update-component", json=router_body("/"),
                           headers=headers("programme", **{"Sec-Fetch-Site": "cross-site"}))
    assert response.status_code == 403
    ok = client.post("/_dash-update-component", json=router_body("/"),
                     headers=headers("programme", **{"Sec-Fetch-Site": "same-origin"}))
    assert ok.status_code == 200


def test_only_static_files_are_public(client):
    for path in ("/assets/loket.css", "/_favicon.ico"):
        with client.get(path) as response:  # files are streamed: close them
            assert response.status_code == 200, path
    for path in ("/", "/_dash-layout", "/_dash-dependencies", "/_reload-hash", "/beheer/logboek", "/taal/en"):
        assert client.get(path).status_code == 401, path


# --- default deny and 403s ------------------------------------------------------------------------

def test_user_without_role_sees_only_the_no_access_message(client):
    layout = client.get("/_dash-layout", headers=NO_ROLE_HEADERS)
    assert layout.status_code == 200
    text = body_text(layout)
    assert t("app.no_access", "nl") in text
    assert "nav-link" not in text and "_pages_content" not in text
    assert client.get("/", headers=NO_ROLE_HEADERS).status_code == 200  # the empty shell
    response = client.post("/_dash-update-component", json=router_body("/"), headers=NO_ROLE_HEADERS)
    assert response.status_code == 403
    assert response.json["message"] == t("app.no_access", "nl")


def test_unit_account_with_invalid_unit_has_no_role(store, app):
    with store.begin() as conn:  # e.g. a unit code that was retired after the account was made
        conn.execute(sa.update(User).where(User.username == "t-unit-nn").values(unit_code="XX"))
    with app.server.test_request_context("/", headers=headers("unit")):
        assert current_access() == Access(user="t-unit-nn", role=None)


def test_access_denied_in_a_callback_is_a_403_without_trace(client, admin_page):
    body = callback_body(f"..{admin_page.ID_TABLE}.children..", {"id": admin_page.ID_TABLE, "property": "children"},
                         [(admin_page.ID_ACTION, "value", None), (admin_page.ID_USER, "value", "")])
    body["output"] = f"{admin_page.ID_TABLE}.children"
    for role in ("unit", "programme"):
        response = client.post("/_dash-update-component", json=body, headers=headers(role))
        assert response.status_code == 403, role
        assert b"Traceback" not in response.data and b"AccessDenied" not in response.data
    assert client.post("/_dash-update-component", json=body, headers=headers("admin")).status_code == 200


def test_access_denied_in_a_flask_route_is_a_403(store):
    app = make_app(store)

    @app.server.route("/api/test-denied")
    def denied():
        raise AccessDenied("nope")

    response = app.server.test_client().get("/api/test-denied", headers=headers("unit"))
    assert response.status_code == 403
    assert response.json == {"error": 403, "message": t("app.forbidden", "nl")}


def test_admin_page_is_refused_to_others_and_absent_from_their_navigation(client):
    for role in ("unit", "programme"):
        page = client.post("/_dash-update-component", json=router_body("/beheer/logboek"), headers=headers(role))
        assert t("app.forbidden", "nl") in body_text(page)
        assert "admin-log-table" not in body_text(page)
        assert "/beheer/logboek" not in body_text(client.get("/_dash-layout", headers=headers(role)))
    assert "/beheer/logboek" in body_text(client.get("/_dash-layout", headers=headers("admin")))
    page = client.post("/_dash-update-component", json=router_body("/beheer/logboek"), headers=headers("admin"))
    assert "admin-log-table" in body_text(page)


# --- rate limit -----------------------------------------------------------------------------------

def test_failed_logins_are_limited_per_user_name(store):
    app = make_app(store, LOGIN_MAX_FAILURES_USER=3, LOGIN_MAX_FAILURES_ADDRESS=100)
    client = app.server.test_client()
    wrong = {"Authorization": basic_auth_header("t-programme", "wrong-password-x")}
    assert [client.get("/", headers=wrong).status_code for _ in range(3)] == [401, 401, 401]
    blocked = client.get("/", headers=headers("programme"))  # even the right password, for a while
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) == 15 * 60
    assert client.get("/", headers=headers("admin")).status_code == 200  # other users still get in
    with store.begin() as conn:  # the window passes
        conn.execute(sa.update(LoginFailure).values(at=dt.datetime(2000, 1, 1)))
    assert client.get("/", headers=headers("programme")).status_code == 200


def test_failed_logins_are_limited_per_address(store):
    app = make_app(store, LOGIN_MAX_FAILURES_USER=100, LOGIN_MAX_FAILURES_ADDRESS=4)
    client = app.server.test_client()
    for i in range(4):
        guess = {"Authorization": basic_auth_header(f"guess{i}", "some-password-1")}
        assert client.get("/", headers=guess).status_code == 401
    assert client.get("/", headers=headers("admin")).status_code == 429
    other = client.get("/", headers=headers("admin"), environ_base={"REMOTE_ADDR": "10.9.8.7"})
    assert other.status_code == 200


def test_a_successful_login_clears_the_users_failures(store):
    app = make_app(store, LOGIN_MAX_FAILURES_USER=3)
    client = app.server.test_client()
    wrong = {"Authorization": basic_auth_header("t-admin", "wrong-password-x")}
    for _ in range(2):
        client.get("/", headers=wrong)
    assert client.get("/", headers=headers("admin")).status_code == 200
    for _ in range(2):
        client.get("/", headers=wrong)
    assert client.get("/", headers=headers("admin")).status_code == 200


def test_rate_limit_is_shared_by_all_workers(store):
    # Two apps on one store stand for two gunicorn workers: failures count across them.
    first, second = (make_app(store, LOGIN_MAX_FAILURES_USER=2).server.test_client() for _ in range(2))
    wrong = {"Authorization": basic_auth_header("t-admin", "wrong-password-x")}
    first.get("/", headers=wrong)
    second.get("/", headers=wrong)
    assert first.get("/", headers=headers("admin")).status_code == 429
    assert second.get("/", headers=headers("admin")).status_code == 429


def test_failed_logins_are_in_the_audit_log(store, client):
    client.get("/", headers={"Authorization": basic_auth_header("t-admin", "wrong-password-x")})
    row = audit_rows(store)[-1]
    assert (row.username, row.action, row.role, row.status) == ("t-admin", "login_failed", None, 401)


# --- passwords and accounts ---------------------------------------------------------------------

def test_passwords_are_stored_as_scrypt_hashes(sqlite_store, monkeypatch):
    monkeypatch.setattr(users, "generate_password_hash", generate_password_hash)  # the real default
    users.add_user(sqlite_store, "hashed", "correct-horse-battery", "programme")
    with sqlite_store.connect() as conn:
        stored = conn.execute(sa.select(User.password_hash)).scalar_one()
    assert stored.startswith("scrypt:") and "correct-horse-battery" not in stored
    assert users.verify_password(stored, "correct-horse-battery")
    assert not users.verify_password(stored, "correct-horse-batterY")
    assert not users.verify_password("not a hash", "x")
    assert "password_hash" not in repr(users.list_users(sqlite_store))


@pytest.mark.parametrize("args", [
    ("bad name", "long-enough-password", "programme", None),
    ("ok", "short", "programme", None),
    ("ok", "long-enough-password", "chief", None),
    ("ok", "long-enough-password", "unit", None),
    ("ok", "long-enough-password", "unit", "XX"),
    ("ok", "long-enough-password", "programme", "NN"),
])
def test_invalid_accounts_are_refused(sqlite_store, args):
    with pytest.raises(users.UserError):
        users.add_user(sqlite_store, *args)


def test_accounts_and_audit_log_work_on_both_stores(any_store):
    with any_store.begin() as conn:
        add_units(conn)
    users.add_user(any_store, "both", "both-stores-pass-1", "unit", "ON")
    with pytest.raises(users.UserError):
        users.add_user(any_store, "both", "both-stores-pass-1", "admin")
    account = users.credentials(any_store, "both")
    assert users.access_of(account) == Access(user="both", role="unit", unit="ON")
    since = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(minutes=5)
    users.record_failure(any_store, "both", "1.2.3.4", keep=dt.timedelta(hours=1))
    users.record_failure(any_store, "other", "1.2.3.4", keep=dt.timedelta(hours=1))
    assert users.recent_failures(any_store, "both", "1.2.3.4", since) == (1, 2)
    assert users.recent_failures(any_store, "nobody", "5.6.7.8", since) == (0, 0)
    users.clear_failures(any_store, "both")
    assert users.recent_failures(any_store, "both", "9.9.9.9", since) == (0, 0)
    admin = Access(user="root", role="admin")
    audit_log.record(any_store, Access(user="both", role="unit", unit="ON"), "page_view", "/", "ON", status=200)
    df = audit_log.entries(any_store, admin)
    assert df[["username", "role", "unit_code", "action", "target", "scope", "status"]].iloc[0].tolist() == [
        "both", "unit", "ON", "page_view", "/", "ON", 200]
    users.remove_user(any_store, "both")
    assert users.list_users(any_store) == []


# --- OIDC ---------------------------------------------------------------------------------------

OIDC = {"AUTH": "oidc", "OIDC_METADATA_URL": "https://idp.example.invalid/.well-known/openid-configuration",
        "OIDC_CLIENT_ID": "loket", "OIDC_CLIENT_SECRET": "s3cret", "SECRET_KEY": LONG_KEY}


@pytest.mark.parametrize("groups, expected", [
    (["loket-admin"], Access("ann", "admin")),
    (["loket-programme", "loket-unit-NN"], Access("ann", "programme")),
    (["loket-unit-NN"], Access("ann", "unit", "NN")),
    ("loket-unit-lb, other-group", Access("ann", "unit", "LB")),
    (["loket-unit-NN", "loket-unit-LB"], Access("ann", None)),  # ambiguous: nothing
    (["loket-unit-XX"], Access("ann", None)),
    (["admin", "programme"], Access("ann", None)),  # without the prefix
    ([], Access("ann", None)),
    (None, Access("ann", None)),
    ({"role": "admin"}, Access("ann", None)),
])
def test_role_and_unit_come_from_the_group_claim(groups, expected):
    cfg = Config.from_overrides(OIDC)
    assert access_from_claims({"email": "ann", "groups": groups}, cfg) == expected


def test_group_claim_and_prefix_are_configurable():
    cfg = Config.from_overrides({**OIDC, "OIDC_GROUPS_CLAIM": "roles", "OIDC_GROUP_PREFIX": "",
                                 "OIDC_USER_CLAIM": "preferred_username"})
    claims = {"preferred_username": "bob", "roles": ["unit-AM"], "groups": ["loket-admin"]}
    assert access_from_claims(claims, cfg) == Access("bob", "unit", "AM")
    assert access_from_claims({"roles": ["admin"]}, cfg).role is None  # no user name at all


def test_oidc_needs_its_settings(store):
    with pytest.raises(RuntimeError, match="LOKET_OIDC_CLIENT_ID"):
        make_app(store, **{**OIDC, "OIDC_CLIENT_ID": ""})


def _oidc_app(store, **overrides):
    app = make_app(store, **{**OIDC, **overrides})
    authenticator = app.server.extensions[auth.EXTENSION]
    client = authenticator.get_oauth_client("politie")
    client.server_metadata.update({  # what the provider's discovery document would say
        "_loaded_at": time.time(), "issuer": "https://idp.example.invalid",
        "authorization_endpoint": "https://idp.example.invalid/authorize",
        "token_endpoint": "https://idp.example.invalid/token",
    })
    return app, client


def _oidc_login(app, client, monkeypatch, claims):
    monkeypatch.setattr(client, "authorize_access_token", lambda **kw: {"userinfo": claims})
    browser = app.server.test_client()
    response = browser.get("/oidc/politie/callback?code=x&state=y")
    assert response.status_code == 302
    return browser


def test_oidc_sends_browsers_to_the_provider_and_answers_401_to_the_rest(store):
    app, _client = _oidc_app(store)
    browser = app.server.test_client()
    page = browser.get("/", headers={"Accept": "text/html"})
    assert page.status_code == 302 and page.headers["Location"].startswith("https://idp.example.invalid/authorize")
    assert "redirect_uri=http%3A%2F%2Flocalhost%2Foidc%2Fpolitie%2Fcallback" in page.headers["Location"]
    assert browser.post("/_dash-update-component", json=router_body("/")).status_code == 401
    assert browser.post("/_dash-update-component").status_code == 401
    assert browser.get("/_dash-layout").status_code == 401
    assert browser.get("/", headers={"Authorization": "Bearer abc"}).status_code == 401


def test_oidc_login_keeps_only_the_needed_claims(store, monkeypatch):
    app, client = _oidc_app(store)
    claims = {"sub": "u1", "email": "ann@politie.example", "groups": ["loket-unit-NN"], "address": "secret street"}
    browser = _oidc_login(app, client, monkeypatch, claims)
    with app.server.test_request_context("/"):
        cookie = browser.get_cookie("loket_session")
        session = app.server.session_interface.get_signing_serializer(app.server).loads(cookie.value)
    assert session["user"] == {"sub": "u1", "email": "ann@politie.example", "groups": ["loket-unit-NN"]}
    layout = browser.get("/_dash-layout")
    assert layout.status_code == 200
    page = browser.post("/_dash-update-component", json=router_body("/beheer/logboek"))
    assert t("app.forbidden", "nl") in body_text(page)
    assert [r.action for r in audit_rows(store)][:1] == ["login"]


def test_oidc_sessions_work_across_workers_and_expire(store, monkeypatch):
    app, client = _oidc_app(store)
    browser = _oidc_login(app, client, monkeypatch, {"email": "pm@politie.example", "groups": ["loket-programme"]})
    cookie = browser.get_cookie("loket_session").value
    other_worker, _ = _oidc_app(store)  # same SECRET_KEY, another process
    other = other_worker.server.test_client()
    other.set_cookie("loket_session", cookie)
    assert other.get("/_dash-layout").status_code == 200
    with other_worker.server.test_request_context("/"):
        serializer = other_worker.server.session_interface.get_signing_serializer(other_worker.server)
        stale = serializer.dumps({"user": {"email": "pm@politie.example", "groups": ["loket-programme"]},
                                  "login_at": time.time() - 9 * 3600})
    other.set_cookie("loket_session", stale)
    assert other.get("/_dash-layout").status_code == 401
    forger, _ = _oidc_app(store, SECRET_KEY="another-key-" + "x" * 40)
    with forger.server.test_request_context("/"):
        forged = forger.server.session_interface.get_signing_serializer(forger.server).dumps(
            {"user": {"email": "x", "groups": ["loket-admin"]}, "login_at": time.time()})
    other.set_cookie("loket_session", forged)
    assert other.get("/_dash-layout").status_code == 401


def test_oidc_user_without_group_sees_only_the_message(store, monkeypatch):
    app, client = _oidc_app(store)
    browser = _oidc_login(app, client, monkeypatch, {"email": "x@politie.example", "groups": ["other"]})
    assert t("app.no_access", "nl") in body_text(browser.get("/_dash-layout"))
    assert browser.post("/_dash-update-component", json=router_body("/")).status_code == 403


# --- secret key, sessions, headers --------------------------------------------------------------

def test_refuses_gunicorn_with_the_development_key(store, monkeypatch):
    monkeypatch.setenv("SERVER_SOFTWARE", "gunicorn/23.0.0")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        make_app(store, SECRET_KEY=DEV_SECRET_KEY)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        make_app(store, SECRET_KEY="short")
    assert make_app(store, SECRET_KEY=LONG_KEY).server.secret_key == LONG_KEY


def test_development_key_is_fine_outside_gunicorn(store, monkeypatch):
    monkeypatch.delenv("SERVER_SOFTWARE", raising=False)
    assert not security.under_gunicorn()
    assert make_app(store, SECRET_KEY=DEV_SECRET_KEY).server.secret_key == DEV_SECRET_KEY


def test_secret_key_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", LONG_KEY)
    assert Config().SECRET_KEY == LONG_KEY


def test_security_headers_and_a_csp_that_allows_dash_by_hash(app, client):
    page = client.get("/", headers=headers("programme"))
    csp = page.headers["Content-Security-Policy"]
    script_src = next(d for d in csp.split("; ") if d.startswith("script-src"))
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    for digest in app.csp_hashes():
        assert digest in script_src
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    for response in (page, client.get("/_dash-layout", headers=headers("programme")), client.get("/")):
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert response.headers["Cache-Control"] == "no-store"
    assert client.get("/_dash-layout", headers=headers("programme")).headers["Content-Security-Policy"] == security.DATA_CSP


def test_https_settings(store):
    app = make_app(store, HTTPS=True)
    response = app.server.test_client().get("/", headers=headers("programme"))
    assert "max-age" in response.headers["Strict-Transport-Security"]
    assert app.server.config["SESSION_COOKIE_SECURE"]


def test_language_switch_never_redirects_to_another_site(client):
    away = client.get("/taal/en", headers=headers("programme", Referer="https://evil.example/x"))
    assert away.headers["Location"] == "/"
    back = client.get("/taal/en", headers=headers("programme", Referer="http://localhost/beheer/logboek"))
    assert back.headers["Location"] == "http://localhost/beheer/logboek"


# --- demo accounts ------------------------------------------------------------------------------

def test_demo_accounts_are_created_printed_and_kept(store, tmp_path, capsys):
    path = tmp_path / "instance" / "demo-credentials.txt"
    app = make_app(store, DEMO_MODE=True, DEMO_CREDENTIALS=str(path))
    printed = capsys.readouterr().out
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    kept = auth._read_credentials(path.read_text())
    assert set(kept) == {"demo-programme", "demo-unit", "demo-admin"}
    for name, password in kept.items():
        assert f"{name}" in printed and password in printed
    client = app.server.test_client()
    expected = {"demo-programme": ("programme", None), "demo-unit": ("unit", "NN"), "demo-admin": ("admin", None)}
    for name, (role, unit) in expected.items():
        with app.server.test_request_context("/", headers={"Authorization": basic_auth_header(name, kept[name])}):
            assert current_access() == Access(name, role, unit)
    assert t("app.demo", "nl") in body_text(client.get("/_dash-layout", headers={
        "Authorization": basic_auth_header("demo-unit", kept["demo-unit"])}))
    # Every start prints the same credentials; a lost file gives new passwords and the old ones stop.
    make_app(store, DEMO_MODE=True, DEMO_CREDENTIALS=str(path))
    assert auth._read_credentials(path.read_text()) == kept
    assert kept["demo-admin"] in capsys.readouterr().out
    path.unlink()
    app = make_app(store, DEMO_MODE=True, DEMO_CREDENTIALS=str(path))
    renewed = auth._read_credentials(path.read_text())
    assert renewed["demo-admin"] != kept["demo-admin"]
    old = {"Authorization": basic_auth_header("demo-admin", kept["demo-admin"])}
    assert app.server.test_client().get("/", headers=old).status_code == 401


def test_demo_accounts_do_not_work_outside_demo_mode(store, tmp_path):
    path = tmp_path / "demo-credentials.txt"
    make_app(store, DEMO_MODE=True, DEMO_CREDENTIALS=str(path))
    password = auth._read_credentials(path.read_text())["demo-admin"]
    app = make_app(store, DEMO_MODE=False)
    demo = {"Authorization": basic_auth_header("demo-admin", password)}
    assert app.server.test_client().get("/", headers=demo).status_code == 401


def test_no_demo_accounts_without_demo_mode(store, tmp_path):
    make_app(store, DEMO_MODE=False, DEMO_CREDENTIALS=str(tmp_path / "c.txt"))
    assert not (tmp_path / "c.txt").exists()
    assert not any(u.is_demo for u in users.list_users(store))


# --- audit log ----------------------------------------------------------------------------------

def test_page_views_and_refusals_are_recorded_centrally(store, client):
    client.post("/_dash-update-component", json=router_body("/", "?periode=quarter"), headers=headers("unit"))
    client.post("/_dash-update-component", json=router_body("/"), headers=NO_ROLE_HEADERS)
    rows = audit_rows(store)
    assert [(r.username, r.role, r.unit_code, r.action, r.target, r.status) for r in rows] == [
        ("t-unit-nn", "unit", "NN", "page_view", "/?periode=quarter", 200),
        ("t-norole", None, None, "denied", "/", 403),
    ]


def test_api_calls_are_recorded_centrally(store):
    app = make_app(store)

    @app.server.route("/api/test/<scope>")
    def api_test(scope):
        return {"ok": scope}

    client = app.server.test_client()
    assert client.get("/api/test/NN?periode=month", headers=headers("unit")).status_code == 200
    assert client.get("/api/test/NN", headers=NO_ROLE_HEADERS).status_code == 403
    rows = audit_rows(store)
    assert [(r.username, r.action, r.target, r.scope, r.status) for r in rows] == [
        ("t-unit-nn", "api", "/api/test/NN?periode=month", "NN", 200),
        ("t-norole", "denied", "/api/test/NN", "NN", 403),
    ]


def test_downloads_are_recorded_centrally(store):
    app = make_app(store)

    @app.server.route("/export/test.csv")
    def export():
        return flask.Response("a,b\n", mimetype="text/csv",
                              headers={"Content-Disposition": 'attachment; filename="test.csv"'})

    client = app.server.test_client()
    assert client.get("/export/test.csv?scope=NN", headers=headers("unit")).status_code == 200
    row = audit_rows(store)[-1]
    assert (row.username, row.action, row.target, row.scope) == ("t-unit-nn", "download", "test.csv", "NN")


def test_nothing_is_shown_when_the_audit_log_cannot_be_written(store, client):
    with store.begin() as conn:
        conn.execute(sa.text("DROP TABLE audit_log"))
    response = client.post("/_dash-update-component", json=router_body("/"), headers=headers("programme"))
    assert response.status_code == 503
    assert b"registrations-graph" not in response.data


def test_store_errors_are_a_503_without_trace(store):
    app = make_app(store, TESTING=False)
    with store.begin() as conn:
        conn.execute(sa.text("DROP TABLE users"))
    response = app.server.test_client().get("/", headers=headers("admin"))
    assert response.status_code == 503
    assert response.get_data(as_text=True) == t("app.store_down", "nl")


def test_audit_log_is_for_admins_only(store):
    audit_log.record(store, Access("x", "unit", "NN"), "page_view", "/")
    for access in (Access("p", "programme"), Access("u", "unit", "NN"), Access("n", None)):
        with pytest.raises(AccessDenied):
            audit_log.entries(store, access)
        with pytest.raises(AccessDenied):
            audit_log.export_csv(store, access)
        with pytest.raises(AccessDenied):
            audit_log.users_in_log(store, access)
    admin = Access("a", "admin")
    assert len(audit_log.entries(store, admin)) == 1
    assert audit_log.users_in_log(store, admin) == ["x"]
    assert len(audit_log.entries(store, admin, action="download")) == 0
    assert len(audit_log.entries(store, admin, user="x")) == 1


def test_audit_record_validates_and_cleans(store):
    with pytest.raises(ValueError):
        audit_log.record(store, Access("a", "admin"), "DROP TABLE", "/")
    audit_log.record(store, Access("a", "admin"), "download", "x\n" + "y" * 400, scope="NN")
    row = audit_rows(store)[-1]
    assert row.target.startswith("x y") and len(row.target) == 255 and row.scope == "NN"


def test_audit_csv_export_escapes_formulas(store):
    audit_log.record(store, Access("=cmd|calc", None), "login_failed", "+1 @x")
    text = audit_log.export_csv(store, Access("a", "admin"))
    header, line = text.splitlines()[:2]
    assert header == "at_utc,username,role,unit_code,action,target,scope,status"
    assert "'=cmd|calc" in line and "'+1 @x" in line


def test_admin_page_shows_filters_and_exports_the_log(store, client, admin_page):
    client.post("/_dash-update-component", json=router_body("/"), headers=headers("unit"))
    page = client.post("/_dash-update-component", json=router_body("/beheer/logboek", "?actie=page_view"),
                       headers=headers("admin"))
    text = body_text(page)
    assert "t-unit-nn" in text and "Noord-Nederland" in text and "Pagina bekeken" in text
    body = callback_body(f"{admin_page.ID_DOWNLOAD}.data", {"id": admin_page.ID_DOWNLOAD, "property": "data"},
                         [(admin_page.ID_CSV, "n_clicks", 1)],
                         [(admin_page.ID_ACTION, "value", "page_view"), (admin_page.ID_USER, "value", "t-unit-nn")])
    response = client.post("/_dash-update-component", json=body, headers=headers("admin"))
    assert response.status_code == 200
    download = response.json["response"][admin_page.ID_DOWNLOAD]["data"]
    assert download["filename"].endswith(".csv")
    lines = download["content"].splitlines()
    assert lines[0].startswith("at_utc,") and len(lines) == 2 and ",t-unit-nn,unit,NN,page_view,/," in lines[1]
    last = audit_rows(store)[-1]
    assert (last.username, last.action, last.target) == ("t-admin", "download", download["filename"])
    for role in ("unit", "programme"):
        assert client.post("/_dash-update-component", json=body, headers=headers(role)).status_code == 403


def test_admin_page_ignores_forged_filters(app, admin_page):
    with app.server.test_request_context("/", headers=headers("admin")):
        app.server.preprocess_request()
        tree = admin_page.layout(actie={"$ne": 1}, gebruiker=["x"], scope="LB")
        assert admin_page.ID_TABLE in str(tree)
        assert admin_page._action({"a": 1}) is None and admin_page._user(12) is None
        assert admin_page._action("page_view") == "page_view" and admin_page._user(" x ") == "x"


# --- the browser: Dash runs under the content security policy --------------------------------------

@browsing.mark
@pytest.mark.parametrize("path, expect", [("/", "main-svg"), ("/beheer/logboek", "admin-log-table")])
def test_dash_runs_under_the_content_security_policy(store, path, expect):
    from werkzeug.serving import make_server

    app = make_app(store, TESTING=False)
    inner = app.server.wsgi_app

    def browser_with_credentials(environ, start_response):
        # Headless Chromium cannot type Basic credentials; this stands in for the browser's prompt.
        environ["HTTP_AUTHORIZATION"] = basic_auth_header(*ACCOUNTS["admin"][:2])
        return inner(environ, start_response)

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = make_server("127.0.0.1", port, browser_with_credentials, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        result = subprocess.run(
            [browsing.CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0",
             "--virtual-time-budget=10000", "--dump-dom", f"http://127.0.0.1:{port}{path}"],
            capture_output=True, text=True, timeout=120, env={**os.environ, "HOME": str(Path(store.url.database).parent)},
        )
    finally:
        server.shutdown()
        thread.join(timeout=10)
    assert expect in result.stdout, result.stderr[-2000:]
    violations = [line for line in result.stderr.splitlines() if "Content Security Policy" in line]
    assert violations == []


def test_callback_graph_needs_a_login(client):
    # /_dash-dependencies is what the access corpus iterates over; it is not public.
    assert client.get("/_dash-dependencies").status_code == 401
    deps = client.get("/_dash-dependencies", headers=headers("programme"))
    assert any(cb["output"] == security.ROUTER_OUTPUT for cb in json.loads(deps.data))
