"""Hardening (issue 15): every bad request, frozen store and odd file gets a clear answer.

Through Flask's test client (and once through gunicorn itself), on SQLite and PostgreSQL:

1. a store that accepts connections but does not answer (a frozen server, a lock, a busy SQLite
   write lock, an exhausted pool) is a 503 "does not answer" within seconds, static files are
   served meanwhile without the store, and the app recovers without a restart;
2. JSON nested too deeply for the parser is a 400 with the security headers, and audited;
3. NUL characters (in a Basic user name, a URL, a callback value) and ids no column can hold are
   401/400 (the user name counted by the rate limit, in one log line), never a false outage;
4. the login rate limit holds under bursts, atomically across workers;
8. bodies over the size limit are refused (413) before they are read; a user may queue only a
   few steering packs; a user locked out by someone's guesses still signs in where it did before;
9. no `Server` header under gunicorn, and Dash's MCP endpoint cannot be turned on.
"""
from __future__ import annotations

import concurrent.futures
import contextlib
import datetime as dt
import http.client
import io
import json
import logging
import os
import runpy
import secrets
import socket
import sqlite3
import subprocess
import sys
import threading
import time

import dash
import flask
import pytest
import sqlalchemy as sa

from dashboard import ROOT, config, exports
from dashboard.exports import export_ui
from dashboard.web import jobs, security
from tests.http_client import router_request
from tests.http_client import basic_auth_header, pack_request
from dashboard.ui.texts import t
from queries import store, targets
from queries.accounts import users
from queries.accounts.access import Access
from queries.store.schema import AuditEntry, IndicatorTarget, LoginFailure
from tests.factories import ACCOUNTS, add_accounts, headers, make_app
from tests.stores import fresh_store, pg_url

pytestmark = pytest.mark.usefixtures("fast_hashes")
CALLBACK = "/_dash-update-component"
STATIC = ("/assets/loket.css", "/_favicon.ico")
ROUTER = router_request("/", "")
FAST = {"STORE_STATEMENT_SECONDS": 1.0, "STORE_CONNECT_SECONDS": 2.0, "STORE_POOL_SECONDS": 1.0}


def production_app(store, **overrides):
    """An app not in testing mode: errors are answered as in production."""
    return make_app(store, TESTING=False, **overrides)


@pytest.fixture
def web(any_store):
    """An app (not in testing mode: errors are answered as in production) on each store, with accounts."""
    add_accounts(any_store)
    return production_app(any_store, **FAST)


def app_engine(app) -> sa.Engine:
    return app.server.extensions["loket"].engine


def audit_rows(engine, action: str) -> list:
    with engine.connect() as conn:
        return conn.execute(sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)).all()


def timed(call):
    began = time.perf_counter()
    result = call()
    return result, time.perf_counter() - began


def assert_store_timeout(response) -> None:
    assert response.status_code == 503
    assert t("app.store_timeout", "nl") in response.get_data(as_text=True)
    assert response.headers["X-Content-Type-Options"] == "nosniff" and "Content-Security-Policy" in response.headers


def assert_static_answers(client) -> None:
    for path in STATIC:
        response, seconds = timed(lambda p=path: client.get(p))
        assert response.status_code == 200 and seconds < 0.5, (path, seconds)
        response.close()


# --- 1. a store that does not answer -------------------------------------------------------------------------

class FreezableProxy:
    """A TCP proxy to PostgreSQL that can stop forwarding: the store then accepts connections (the
    kernel does) and never answers, as a stopped (SIGSTOP) or hopelessly busy server."""

    def __init__(self, host: str, port: int):
        self.target = (host, port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.flowing = threading.Event()
        self.flowing.set()
        self.sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        self.sockets.append(client)
        self.flowing.wait()
        try:
            upstream = socket.create_connection(self.target)
        except OSError:
            client.close()
            return
        self.sockets.append(upstream)
        threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()
        self._pump(upstream, client)

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                self.flowing.wait()  # frozen: hold what was said, answer nothing
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def freeze(self) -> None:
        self.flowing.clear()

    def thaw(self) -> None:
        self.flowing.set()

    def close(self) -> None:
        self.flowing.set()
        self.listener.close()
        for sock in self.sockets:
            with contextlib.suppress(OSError):
                sock.close()


@pytest.fixture
def pg_store():
    engine = fresh_store(pg_url())  # skips (or fails under CI) as every PostgreSQL test does
    add_accounts(engine)
    return engine


def no_traces(caplog) -> None:
    """The outage is logged in plain lines: no traceback per request."""
    assert [r.getMessage() for r in caplog.records if r.exc_info] == []
    assert any("does not answer" in r.getMessage() for r in caplog.records)


def test_a_frozen_postgresql_is_a_503_within_seconds_static_files_still_answer_and_it_recovers(pg_store, caplog):
    real = pg_store.url
    proxy = FreezableProxy(real.host or "127.0.0.1", real.port or 5432)
    app = production_app(real.set(port=proxy.port).render_as_string(hide_password=False), **FAST)
    try:
        client = app.server.test_client()
        assert client.get("/", headers=headers("programme")).status_code == 200  # pooled connections are open
        proxy.freeze()
        # Several requests at once (as gunicorn's threads would take them): each is answered within seconds,
        # both those on a pooled connection (the statement limit) and those that connect anew (the connect limit).
        with concurrent.futures.ThreadPoolExecutor(6) as pool:
            answers = list(pool.map(lambda role: timed(lambda: app.server.test_client().get(
                "/", headers=headers(role))), ["programme", "unit", "admin"] * 2))
        for response, seconds in answers:
            assert_store_timeout(response)
            assert seconds < 6, seconds
        again, seconds = timed(lambda: client.get("/", headers=headers("programme")))
        assert_store_timeout(again)
        assert seconds < 4, seconds  # a new connection gives up after the connect limit
        assert_static_answers(client)  # static files never wait for the store
        no_traces(caplog)
        proxy.thaw()
        assert client.get("/", headers=headers("programme")).status_code == 200  # recovered without a restart
        assert client.post(CALLBACK, json=ROUTER, headers=headers("admin")).status_code == 200
    finally:
        proxy.close()
        app_engine(app).dispose()


def test_under_gunicorn_a_frozen_store_holds_no_thread_for_long_and_static_files_still_answer(pg_store, tmp_path):
    # The reported hang: 8 requests on a frozen store took every thread, then even static files waited.
    real = pg_store.url
    proxy = FreezableProxy(real.host or "127.0.0.1", real.port or 5432)
    env = {"DATABASE_URL": real.set(port=proxy.port).render_as_string(hide_password=False),
           "LOKET_STORE_STATEMENT_SECONDS": "1", "LOKET_STORE_CONNECT_SECONDS": "2", "LOKET_STORE_POOL_SECONDS": "1"}
    with gunicorn_serving(tmp_path, threads=4, env=env) as port:
        try:
            assert _get(port, "/", headers("programme")).status == 200
            proxy.freeze()
            with concurrent.futures.ThreadPoolExecutor(9) as pool:
                pages = [pool.submit(timed, lambda: _get(port, "/", headers("unit"))) for _ in range(8)]
                time.sleep(0.3)  # behind all eight
                static, static_seconds = timed(lambda: _get(port, "/assets/loket.css"))
                answers = [page.result() for page in pages]
            assert static.status == 200 and static_seconds < 8, static_seconds
            assert [r.status for r, _ in answers] == [503] * 8 and max(s for _, s in answers) < 10
            proxy.thaw()
            assert _get(port, "/", headers("programme")).status == 200
        finally:
            proxy.close()


def test_a_lock_on_postgresql_is_a_503_and_the_waiting_statement_is_cancelled(pg_store, caplog):
    app = production_app(pg_store, **FAST)
    client = app.server.test_client()
    assert client.get("/", headers=headers("programme")).status_code == 200
    with pg_store.connect() as holder:
        holder.execute(sa.text("LOCK TABLE users IN ACCESS EXCLUSIVE MODE"))
        response, seconds = timed(lambda: client.get("/", headers=headers("admin")))
        assert_store_timeout(response)
        assert seconds < 4, seconds
        assert_static_answers(client)
        with pg_store.connect() as probe:  # the server was asked to cancel: nothing waits for the lock any more
            waiting = probe.execute(sa.text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                                            "AND datname = current_database()")).scalar_one()
        assert waiting == 0
        no_traces(caplog)
        holder.rollback()
    assert client.get("/", headers=headers("admin")).status_code == 200


def test_sqlite_busy_write_lock_is_a_503_within_seconds_and_clears(sqlite_store, caplog):
    add_accounts(sqlite_store)
    app = production_app(sqlite_store, **FAST)
    client = app.server.test_client()
    assert client.post(CALLBACK, json=ROUTER, headers=headers("programme")).status_code == 200
    holder = sqlite3.connect(sqlite_store.url.database, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # as an import does while it loads
    try:
        assert client.get("/", headers=headers("programme")).status_code == 200  # readers are not held up
        response, seconds = timed(lambda: client.post(CALLBACK, json=ROUTER, headers=headers("programme")))
        assert_store_timeout(response)  # the page view cannot be recorded: the page is not shown
        assert seconds < 3, seconds
        wrong, seconds = timed(lambda: client.get("/", headers=headers("unit", "wrong-password-1")))
        assert_store_timeout(wrong)  # a failed login must be counted before its password is checked
        assert seconds < 3, seconds
        assert_static_answers(client)
        no_traces(caplog)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert client.post(CALLBACK, json=ROUTER, headers=headers("programme")).status_code == 200


def test_an_exhausted_pool_is_a_503_after_the_pool_limit(sqlite_store):
    add_accounts(sqlite_store)
    app = production_app(sqlite_store, **{**FAST, "STORE_POOL_SECONDS": 0.5})
    client = app.server.test_client()
    engine = app_engine(app)
    assert engine.pool.timeout() == 0.5
    held = [engine.connect() for _ in range(engine.pool.size() + engine.pool._max_overflow)]  # noqa: SLF001
    try:
        response, seconds = timed(lambda: client.get("/", headers=headers("programme")))
        assert_store_timeout(response)
        assert seconds < 2, seconds
    finally:
        for conn in held:
            conn.close()
    assert client.get("/", headers=headers("programme")).status_code == 200


def test_static_files_never_touch_the_store(web):
    client = web.server.test_client()
    statements = []
    engine = app_engine(web)
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    sa.event.listen(engine, "before_cursor_execute", listener)
    try:
        for path in (*STATIC, "/assets/vendor/plotly-basic.min.js"):
            response = client.get(path)
            response.close()
            assert response.status_code == 200
        assert statements == []
        client.get("/", headers=headers("programme"))
        assert statements  # (the listener does see what a page reads)
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)


def test_store_time_limits_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("LOKET_STORE_CONNECT_SECONDS", "4")
    monkeypatch.setenv("LOKET_STORE_POOL_SECONDS", "2.5")
    monkeypatch.setenv("LOKET_STORE_STATEMENT_SECONDS", "7")
    cfg = config.Config()
    assert (cfg.STORE_CONNECT_SECONDS, cfg.STORE_POOL_SECONDS, cfg.STORE_STATEMENT_SECONDS) == (4, 2.5, 7)
    monkeypatch.delenv("LOKET_STORE_STATEMENT_SECONDS")
    assert config.Config().STORE_STATEMENT_SECONDS == store.STATEMENT_SECONDS


def test_statements_outside_requests_have_no_limit(sqlite_store):
    # Imports and the catalogue refresh (the CLI, background jobs) may take long; only requests are limited.
    with sqlite_store.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar_one() == store.UNLIMITED_BUSY_MS
    with store.time_limited(1.5), sqlite_store.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar_one() == 1500


# --- 2. JSON nested deeper than the parser can follow ----------------------------------------------------------

def _bad_request_audited(engine, user: str) -> None:
    row = audit_rows(engine, "bad_request")[-1]
    assert (row.username, row.status) == (user, 400)


def test_deeply_nested_json_is_a_400_with_headers_and_audited(web, any_store):
    client = web.server.test_client()
    deep = client.post(CALLBACK, data=b"[" * 100_000, content_type="application/json", headers=headers("programme"))
    assert deep.status_code == 400 and deep.json["message"] == t("app.bad_request", "nl")
    assert deep.headers["X-Content-Type-Options"] == "nosniff" and deep.headers["Cache-Control"] == "no-store"
    _bad_request_audited(any_store, ACCOUNTS["programme"][0])
    nested: object = "x"
    for _ in range(security.MAX_JSON_DEPTH + 5):  # parses, but deeper than any Dash body
        nested = {"children": [nested]}
    body = {**ROUTER, "state": [{"id": "a", "property": "data", "value": nested}]}
    assert client.post(CALLBACK, data=json.dumps(body), content_type="application/json",
                       headers=headers("admin")).status_code == 400
    _bad_request_audited(any_store, ACCOUNTS["admin"][0])
    anonymous = client.post(CALLBACK, data=b"[" * 100_000, content_type="application/json")
    assert anonymous.status_code == 401  # not even read without a login


# --- 3. NUL characters and numbers no column holds --------------------------------------------------------------

def test_a_nul_in_a_basic_user_name_is_a_401_counted_by_the_rate_limit_in_one_log_line(any_store, caplog):
    add_accounts(any_store)
    app = production_app(any_store, LOGIN_MAX_FAILURES_USER=3, LOGIN_MAX_FAILURES_ADDRESS=100)
    client = app.server.test_client()
    forged = {"Authorization": basic_auth_header("h-admin\x00' OR 1=1", "some-password-1")}
    with caplog.at_level(logging.WARNING):
        statuses = [client.get("/", headers=forged).status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]
    lines = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(lines) == 4 and all("malformed user name" in r.getMessage() and not r.exc_info for r in lines)
    assert client.get("/", headers=headers("admin")).status_code == 200  # the real user is not touched
    assert [r.status for r in audit_rows(any_store, "login_failed")] == [401, 401, 401]


def test_nul_characters_in_urls_and_callback_values_are_a_400(web, any_store):
    client = web.server.test_client()
    assert client.get("/api/v1/tables/registrations?scope=N%00N", headers=headers("programme")).status_code == 400
    from dashboard.pages import targets as targets_page

    body = _targets_body(targets_page, rationale="agreed\x00; DROP TABLE users")
    response = client.post(CALLBACK, json=body, headers=headers("programme"))
    assert response.status_code == 400 and response.headers["X-Content-Type-Options"] == "nosniff"
    with any_store.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(IndicatorTarget)).scalar_one() == 0
    assert client.post(CALLBACK, json=_targets_body(targets_page, rationale="agreed"),
                       headers=headers("programme")).status_code == 200  # the same without the NUL is recorded
    with any_store.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(IndicatorTarget)).scalar_one() == 1


def _targets_body(page, *, rationale: str = "agreed", retire_id=None) -> dict:
    trigger = (json.dumps({"id": retire_id, "type": page.RETIRE}, separators=(",", ":")) + ".n_clicks"
               if retire_id is not None else f"{page.ID_SAVE}.n_clicks")
    retire = [{"id": {"type": page.RETIRE, "id": retire_id}, "property": "n_clicks", "value": 1}] \
        if retire_id is not None else []
    return {
        "output": f"..{page.ID_STATUS}.children...{page.ID_HISTORY}.children..",
        "outputs": [{"id": page.ID_STATUS, "property": "children"}, {"id": page.ID_HISTORY, "property": "children"}],
        "inputs": [{"id": page.ID_SAVE, "property": "n_clicks", "value": 1}, retire],
        "state": [{"id": page.ID_SELECTION, "property": "data",
                   "value": {"indicator": "registrations", "product": None, "target_group": None}},
                  {"id": page.ID_VALUE, "property": "value", "value": "50"},
                  {"id": page.ID_FROM, "property": "value", "value": "2014-03"},
                  {"id": page.ID_RATIONALE, "property": "value", "value": rationale}],
        "changedPropIds": [trigger],
    }


def test_a_huge_id_to_retire_is_a_400_or_a_clear_refusal_never_a_store_error(web, any_store):
    from dashboard.pages import targets as targets_page

    client = web.server.test_client()
    huge = client.post(CALLBACK, json=_targets_body(targets_page, retire_id=10**30), headers=headers("programme"))
    assert huge.status_code == 400  # no browser sends an integer beyond 2**53
    beyond_column = client.post(CALLBACK, json=_targets_body(targets_page, retire_id=2**40),
                                headers=headers("programme"))
    assert beyond_column.status_code == 200
    assert "geen nummer van een streefwaarde" in beyond_column.get_data(as_text=True)


@pytest.mark.parametrize("target_id", [10**30, str(10**30), 2**31, "-1", "0", "1\x00", 10**5000],
                         ids=["10**30", "10**30 as text", "2**31", "-1", "0", "nul", "10**5000"])
def test_retire_refuses_ids_no_column_holds(any_store, target_id):
    with pytest.raises(targets.TargetError) as refused:
        targets.retire(any_store, Access("pm", "programme"), target_id=target_id)
    assert refused.value.key == "id"


def test_record_refuses_control_characters_in_the_rationale(any_store):
    with pytest.raises(targets.TargetError) as refused:
        targets.record(any_store, Access("pm", "programme"), indicator="registrations", value="50",
                       valid_from="2014-03", rationale="agreed\x00")
    assert refused.value.key == "rationale_chars"
    new = targets.record(any_store, Access("pm", "programme"), indicator="registrations", value="50",
                         valid_from="2014-03", rationale="agreed\n\tin the steering meeting")
    assert new > 0


# --- 4. the login rate limit under a burst ---------------------------------------------------------------------

def test_a_burst_of_wrong_passwords_checks_at_most_the_limit_across_workers(any_store, monkeypatch):
    add_accounts(any_store)
    workers = [production_app(any_store, LOGIN_MAX_FAILURES_USER=10, LOGIN_MAX_FAILURES_ADDRESS=1000) for _ in range(2)]
    real_hash = users.credentials(any_store, ACCOUNTS["admin"][0]).password_hash
    checked, lock = [], threading.Lock()
    verify = users.verify_password

    def slow_verify(password_hash, password):
        if password_hash == real_hash:
            with lock:
                checked.append(password)
            time.sleep(0.05)  # a scrypt check takes this long: the window in which a burst overshot
        return verify(password_hash, password)

    monkeypatch.setattr(users, "verify_password", slow_verify)
    start = threading.Barrier(40)

    def guess(i: int) -> int:
        client = workers[i % 2].server.test_client()
        start.wait()
        return client.get("/", headers={"Authorization": basic_auth_header(ACCOUNTS["admin"][0], f"guess-{i:04d}-xxxx")}).status_code

    with concurrent.futures.ThreadPoolExecutor(40) as pool:
        statuses = list(pool.map(guess, range(40)))
    assert 1 <= len(checked) <= 10, len(checked)
    assert sorted(set(statuses)) == [401, 429] and statuses.count(401) == len(checked)
    with any_store.connect() as conn:
        kept = conn.execute(sa.select(sa.func.count()).select_from(LoginFailure)).scalar_one()
    assert kept == len(checked)  # the refused attempts were not left as failures


# --- 8. limits: request size, steering packs, lockout by someone else ----------------------------------------------

def test_a_body_over_the_limit_is_a_413_before_it_is_read(sqlite_store, monkeypatch):
    add_accounts(sqlite_store)
    app = production_app(sqlite_store, MAX_REQUEST_MB=1, MAX_ADMIN_REQUEST_MB=3)
    client = app.server.test_client()
    parsed = []
    get_json = flask.Request.get_json
    monkeypatch.setattr(flask.Request, "get_json", lambda self, *a, **k: parsed.append(1) or get_json(self, *a, **k))
    big = json.dumps({**ROUTER, "padding": "x" * (3 * 2**20 // 2)})  # 1.5 MB
    for role in ("programme", "unit"):
        response = client.post(CALLBACK, data=big, content_type="application/json", headers=headers(role))
        assert response.status_code == 413 and response.json["message"] == t("app.too_large", "nl")
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert client.post("/", data=big, content_type="application/json",
                       headers=headers("admin")).status_code == 413  # other routes: the general limit
    assert parsed == []  # refused by its Content-Length, never parsed
    assert [r.status for r in audit_rows(sqlite_store, "bad_request")] == [413, 413, 413]
    # The import page's uploads come as administrators' callbacks: these may be larger.
    admin = client.post(CALLBACK, data=big, content_type="application/json", headers=headers("admin"))
    assert admin.status_code == 200 and parsed
    huge = json.dumps({**ROUTER, "padding": "x" * (7 * 2**20 // 2)})  # 3.5 MB
    assert client.post(CALLBACK, data=huge, content_type="application/json",
                       headers=headers("admin")).status_code == 413
    assert client.post(CALLBACK, data=huge, content_type="application/json").status_code == 401


def test_a_streamed_body_without_length_stops_at_the_limit(sqlite_store):
    add_accounts(sqlite_store)
    app = production_app(sqlite_store, MAX_REQUEST_MB=1)
    response = app.server.test_client().post(
        CALLBACK, input_stream=io.BytesIO(b"[" + b" " * (2 * 2**20) + b"]"), content_type="application/json",
        headers=headers("programme"), environ_overrides={"wsgi.input_terminated": True})
    assert response.status_code == 413 and response.headers["X-Content-Type-Options"] == "nosniff"


def test_the_admin_limit_holds_the_import_pages_largest_upload():
    from dashboard.pages import admin_import

    base64_json = admin_import.MAX_UPLOAD_MB * 2**20 * 4 / 3 + 64 * 1024  # the files in data URLs, and the rest
    assert config.Config().MAX_ADMIN_REQUEST_MB * 2**20 >= base64_json
    assert config.Config().MAX_REQUEST_MB < admin_import.MAX_UPLOAD_MB


def test_one_user_may_have_only_a_few_packs_waiting_or_running(sqlite_store, tmp_path, monkeypatch):
    add_accounts(sqlite_store)
    gate = threading.Event()
    monkeypatch.setattr(exports, "build_pack", lambda *a, **k: gate.wait(60) and None)
    app = make_app(sqlite_store, PACKS_PER_USER=2)
    client = app.server.test_client()
    try:
        started = [pack_request(client, headers("programme"), export_ui.ID_START, clicks=i + 1).json["response"] for i in range(2)]
        assert all(r[export_ui.ID_JOB]["data"]["job"] for r in started)
        third = pack_request(client, headers("programme"), export_ui.ID_START, clicks=3)
        assert third.status_code == 200
        status = json.dumps(third.json["response"][export_ui.ID_STATUS]["children"], ensure_ascii=False)
        assert t("pack.too_many", "nl").format(n=2) in status
        assert export_ui.ID_JOB not in third.json["response"]  # the page keeps following the packs it has
        assert jobs.held() == 2
        other = pack_request(client, headers("unit"), export_ui.ID_START)  # someone else is not held up
        assert other.json["response"][export_ui.ID_JOB]["data"]["job"]
    finally:
        gate.set()
        jobs.wait(timeout=60)
    assert pack_request(client, headers("programme"), export_ui.ID_START, clicks=4).json["response"][export_ui.ID_JOB]["data"]["job"]
    jobs.wait(timeout=60)


def test_a_locked_out_user_still_signs_in_where_it_signed_in_before(any_store):
    add_accounts(any_store)
    app = production_app(any_store, LOGIN_MAX_FAILURES_USER=3, LOGIN_MAX_FAILURES_ADDRESS=5)
    client = app.server.test_client()
    home, attacker, elsewhere = ({"REMOTE_ADDR": a} for a in ("10.0.0.1", "10.0.0.66", "10.0.0.3"))
    assert client.get("/", headers=headers("admin"), environ_base=home).status_code == 200
    for _ in range(3):  # someone who only knows the user name
        assert client.get("/", headers=headers("admin", "wrong-password-1"), environ_base=attacker).status_code == 401
    assert client.get("/", headers=headers("admin"), environ_base=elsewhere).status_code == 429
    assert client.get("/", headers=headers("admin"), environ_base=attacker).status_code == 429
    assert client.get("/", headers=headers("admin"), environ_base=home).status_code == 200  # where it signed in before
    assert client.get("/", headers=headers("admin"), environ_base=elsewhere).status_code == 429  # guesses still count
    # The limit per address holds at home too.
    for i in range(5):
        guess = {"Authorization": basic_auth_header(f"someone-{i}", "some-password-1")}
        assert client.get("/", headers=guess, environ_base=home).status_code == 401
    assert client.get("/", headers=headers("admin"), environ_base=home).status_code == 429


def test_known_addresses_expire(any_store):
    add_accounts(any_store)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    users.record_success(any_store, ACCOUNTS["admin"][0], "10.0.0.1", keep=dt.timedelta(days=30))
    users.record_success(any_store, ACCOUNTS["admin"][0], "10.0.0.1", keep=dt.timedelta(days=30))  # the latest, once
    recent = users.login_counts(any_store, ACCOUNTS["admin"][0], "10.0.0.1", now, known_since=now - dt.timedelta(days=30))
    assert recent.known_address
    later = users.login_counts(any_store, ACCOUNTS["admin"][0], "10.0.0.1", now, known_since=now + dt.timedelta(minutes=1))
    assert not later.known_address
    assert not users.login_counts(any_store, ACCOUNTS["admin"][0], "10.0.0.2", now, known_since=now - dt.timedelta(days=30)
                                  ).known_address


# --- 9. what the server says about itself, and Dash's MCP endpoint ----------------------------------------------------

def test_the_gunicorn_hook_drops_the_server_header(monkeypatch):
    from gunicorn.http import wsgi

    monkeypatch.setattr(wsgi.Response, "default_headers", wsgi.Response.default_headers)  # restored afterwards
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))

    class Request:
        version = (1, 1)

        def should_close(self):
            return False

    response = wsgi.Response(Request(), None, None)
    response.status, response.response_length = "200 OK", 0
    assert any(h.startswith("Server:") for h in response.default_headers())
    settings["post_worker_init"](None)
    settings["post_worker_init"](None)  # a second worker init wraps nothing twice
    head = response.default_headers()
    assert not any(h.lower().startswith("server:") for h in head) and head[0].startswith("HTTP/1.1 200")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(port: int, path: str, request_headers: dict | None = None) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path, headers=request_headers or {})
    response = conn.getresponse()
    response.read()
    conn.close()
    return response


@contextlib.contextmanager
def gunicorn_serving(tmp_path, *, threads: int = 2, env: dict | None = None):
    """The app under gunicorn with the project's gunicorn.conf.py (one worker); yields its port."""
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'store.sqlite'}", "LOKET_DEMO": "off",
           "SECRET_KEY": secrets.token_hex(32), "PYTHONPATH": str(ROOT), **(env or {})}
    command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--workers", "1", "--threads", str(threads),
               "--bind", f"127.0.0.1:{port}", "app:server"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                _get(port, "/_favicon.ico")
                break
            except OSError:
                assert process.poll() is None, process.stderr.read().decode()[-2000:]
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.3)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=20)
        process.stderr.close()


def test_gunicorn_sends_no_server_header(tmp_path):
    with gunicorn_serving(tmp_path) as port:
        static, page = _get(port, "/assets/loket.css"), _get(port, "/")
    assert static.status == 200 and page.status == 401
    for response in (static, page):
        assert response.getheader("Server") is None, response.getheaders()
        assert response.getheader("X-Content-Type-Options") == "nosniff"


@pytest.mark.parametrize("value", ["true", "True", "1", "yes"])
def test_dash_mcp_cannot_be_turned_on(sqlite_store, monkeypatch, value):
    monkeypatch.setenv("DASH_MCP_ENABLED", value)
    with pytest.raises(RuntimeError, match="does not serve Dash's MCP endpoint.*audit log"):
        production_app(sqlite_store)


def test_without_mcp_there_is_no_mcp_path_that_skips_sign_in(sqlite_store, monkeypatch):
    # Dash itself would serve it from the environment variable alone: callbacks and layouts outside
    # the request checks and the audit log.
    monkeypatch.setenv("DASH_MCP_ENABLED", "true")
    plain = dash.Dash("mcp_probe")
    assert any(r.rule == "/_mcp" for r in plain.server.url_map.iter_rules())
    monkeypatch.setenv("DASH_MCP_ENABLED", "false")
    add_accounts(sqlite_store)
    app = production_app(sqlite_store)
    assert not any("mcp" in r.rule for r in app.server.url_map.iter_rules())
    client = app.server.test_client()
    initialize = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
    assert client.post("/_mcp", json=initialize).status_code == 401
    answer = client.post("/_mcp", json=initialize, headers=headers("admin"))
    assert answer.status_code == 405 and "Mcp-Session-Id" not in answer.headers
    shell = client.get("/_mcp", headers=headers("unit"))
    assert shell.mimetype == "text/html" and "Mcp-Session-Id" not in shell.headers  # just the app's page shell
    assert client.get("/_mcp").status_code == 401

