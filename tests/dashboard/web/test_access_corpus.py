"""A corpus of crafted requests per role proves that no response leaks what the caller may not see.

The corpus is built from the running app, so callbacks and routes added later are covered without
touching this file: every server-side callback listed by `/_dash-dependencies`, every page in
`dash.page_registry` (through Dash's page router, with every layout parameter forged), and every
route in `app.server.url_map` (all of `/api/`, with every path variable and query forged).

A **leak** is any of:

1. a 2xx answer to a request without valid credentials (none, another scheme such as Bearer,
   malformed Basic, a wrong password, an unknown or demo user, a forged or foreign session
   cookie), except a public static file (`/assets/`, `/_dash-component-suites/`, `/_favicon.ico`);
2. a 2xx answer to a signed-in user without a valid role for anything but the empty page shell
   (Dash's index page, `/_dash-layout` holding only the no-access message, `/_dash-dependencies`,
   `/_reload-hash`, static files);
3. an answer to the unit user (Noord-Nederland) whose body holds another unit's code (as a
   separate token), another unit's Dutch or English name, or a figure published only for
   another unit (a value of a published cell of another unit that is not also a value published
   for Noord-Nederland or the national total).

Besides: no answer may be a server error (5xx) or hold a stack trace.
"""
from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import io
import inspect
import itertools
import json
import re
import time
import urllib.parse

import dash
import openpyxl
import pytest
import sqlalchemy as sa

from dashboard.web import auth, security
from dashboard import create_app
from dashboard.exports import export_ui
from dashboard.ui.monitor import funnel_id
from queries.catalogue.declarations import FUNNEL
from tests.http_client import router_request
from tests.http_client import basic_auth_header
from dashboard.ui.texts import t
from queries import catalogue
from queries import events
from queries.accounts import users
from queries.accounts.access import Access
from queries.store.codes import UNITS
from queries.privacy import Policy
from queries.store.schema import PublishedCell
from tests.stores import fresh_store
from tests.factories import add_registrations, add_units, cheap_hashes, registration

OWN = "NN"
OTHERS = [u for u in UNITS.values if u != OWN]
ACCOUNTS = {
    "programme": ("c-programme", "programme-pass-001", "programme", None),
    "admin": ("c-admin", "admin-pass-0000001", "admin", None),
    "unit": ("c-unit-nn", "unit-nn-pass-00001", "unit", OWN),
    "no_role": ("c-norole", "norole-pass-000001", None, None),
}
KEY = "corpus-secret-key-" + "x" * 40
STATIC = security.STATIC_PREFIXES
FORGED_VALUES = [
    None, "", "NL", "LB", ["LB"], ["NN", "LB"], {"scope": "LB", "unit": "LB"}, 10**12, -1, 3.5, True,
    "x" * 5000, "LB' OR '1'='1", "<script>alert(1)</script>", "../../etc/passwd", {"$ne": None},
    "\u0000", "month\nscope=LB",
]
FORGED_HEADERS = {
    "X-Loket-Role": "admin", "X-Remote-User": "c-admin", "X-Unit": "LB", "X-Forwarded-For": "10.1.2.3",
    "X-Forwarded-User": "c-admin", "Cookie": "loket_access=admin; unit=LB",
}


@dataclasses.dataclass
class Request:
    caller: str  # who sends it: anonymous/<how>, no_role, unit, programme, admin, oidc-...
    kind: str  # callback, page, route
    method: str
    path: str
    headers: dict
    body: object = None

    def describe(self) -> str:
        body = json.dumps(self.body)[:300] if self.body is not None else ""
        return f"{self.caller} {self.method} {self.path} {body}"


@dataclasses.dataclass
class Result:
    request: Request
    status: int
    text: str


# --- the store --------------------------------------------------------------------------------------

def _fill(engine) -> None:
    """Noord-Nederland: 23 registrations in March 2014, and 30 in September 2013 (some waiting longer than 14
    days, screened, wanting anonymity, closed in November), so its funnels on the comparison page draw a point
    (all but the survey's, which has no answers). Every other unit:
    a count of its own in June 2013 (140, 150, ... 260), so a figure of another unit is recognisable in any answer."""
    with engine.begin() as conn:
        add_units(conn)
        rows = [registration(dt.date(2014, 3, 1 + i % 28), OWN) for i in range(23)]
        rows += [registration(dt.date(2013, 9, 1 + i % 28), OWN, tcl_done=i % 2 == 0, anonymity_wish=i % 3 == 0,
                              first_intake_on=dt.date(2013, 9, 1 + i % 28) + dt.timedelta(days=20 if i % 3 else 3),
                              closed_on=dt.date(2013, 11, 1 + i % 28), work_status="working",
                              referral_outcome="back_to_unit" if i % 2 == 0 else "none_needed")
                 for i in range(30)]
        for n, unit in enumerate(OTHERS):
            # Intake on the day itself: the unit's intakes are the same recognisable count, in the same month.
            rows += [registration(dt.date(2013, 6, 1 + i % 28), unit, first_intake_on=dt.date(2013, 6, 1 + i % 28))
                     for i in range(140 + 10 * n)]
        add_registrations(conn, rows)
    catalogue.refresh(engine, Policy(), today=dt.date(2014, 5, 2))
    # Events on the timeline: the unit user may see the national one and its own; Limburg's names Limburg, so
    # a chart, note or list that showed it to the unit user would be caught as a leak.
    recorder = Access("c-programme", "programme")
    for day, scope, text in (("2014-03-03", "NL", "Landelijke mailing"), ("2014-03-04", OWN, "Eigen uitrol"),
                             ("2013-06-05", "LB", "Mailing in Limburg"), ("2014-03-05", "LB", "Campagne Limburg")):
        events.record(engine, recorder, day=day, scope=scope, text=text, today=dt.date(2014, 5, 2))


def _other_units_figures(engine) -> set[float]:
    """Values published only for other units (not also for NN or NL), 100 or more."""
    with engine.connect() as conn:
        rows = conn.execute(sa.select(PublishedCell.scope, PublishedCell.value)
                            .where(PublishedCell.value.is_not(None), sa.not_(PublishedCell.suppressed))).all()
    allowed = {round(v, 6) for s, v in rows if s in (OWN, "NL")}
    return {round(v, 6) for s, v in rows if s not in (OWN, "NL") and round(v, 6) not in allowed and v >= 100}


# --- what counts as a leak ---------------------------------------------------------------------------

def _names_pattern() -> re.Pattern:
    names = {getattr(u, lang) for u in UNITS if u.code != OWN for lang in ("nl", "en")}
    names -= {UNITS.label(OWN, "nl"), UNITS.label(OWN, "en")}
    codes = "|".join(sorted(OTHERS, key=len, reverse=True))
    return re.compile(rf"(?<![A-Za-z0-9_])(?:{codes})(?![A-Za-z0-9_])|" + "|".join(re.escape(n) for n in names))


def _number_pattern(values: set[float]) -> re.Pattern | None:
    if not values:
        return None
    tokens = "|".join(sorted(f"{v:g}".replace(".", r"\.") for v in values))
    # a number on its own: not part of a longer number, a decimal, an identifier or a random token
    return re.compile(rf"(?<![\w.])(?:{tokens})(?:\.0+)?(?!\.?\d)(?![A-Za-z_])")


TEXT_TYPES = ("text/", "application/json", "application/javascript")


def _text(response) -> str:
    if not (response.mimetype or "").startswith(TEXT_TYPES):
        return ""  # images and fonts hold no figures (and their bytes could look like a unit code)
    data = response.get_data().decode("utf-8", "replace")
    if response.mimetype == "application/json":
        try:  # decoded, so that escapes (\u002f, \u00eb) hide nothing
            return json.dumps(json.loads(data), ensure_ascii=False)
        except ValueError:
            return data
    return data


def _is_static(path: str) -> bool:
    return path.startswith(STATIC)


# The identity provider's routes answer with redirects or a fixed "logged out" page.
AUTH_ROUTES = re.compile(r"^/oidc/(logout|[^/]+/login|[^/]+/callback)$")


def _is_public(path: str) -> bool:
    return _is_static(path) or bool(AUTH_ROUTES.match(path))


def _shell_only(result: Result) -> bool:
    """Tell whether a no-role answer is just the empty shell."""
    req = result.request
    path = urllib.parse.urlsplit(req.path).path
    if req.method != "GET" or path.startswith("/api/"):
        return False
    if path == "/_dash-layout":
        return t("app.no_access", "nl") in result.text and "nav-link" not in result.text
    if path in ("/_dash-dependencies", "/_reload-hash"):
        return True
    return result.text.lstrip().startswith("<!DOCTYPE html>") and "_pages_content" not in result.text


def find_leaks(results: list[Result], names: re.Pattern, numbers: re.Pattern | None) -> list[str]:
    leaks = []
    for result in results:
        req, status = result.request, result.status
        path = urllib.parse.urlsplit(req.path).path
        ok = 200 <= status < 300
        if req.caller.startswith("anonymous") and ok and not _is_public(path):
            leaks.append(f"2xx without valid credentials: {req.describe()}")
        elif req.caller.endswith("no_role") and ok and not _is_public(path) and not _shell_only(result):
            leaks.append(f"2xx to a user without role: {req.describe()}")
        elif req.caller.endswith("unit") and not _is_static(path):  # static files are code, not data
            if match := names.search(result.text):
                leaks.append(f"another unit ({match.group(0)!r}) shown to the unit user: {req.describe()}")
            elif numbers is not None and (match := numbers.search(result.text)):
                context = result.text[max(match.start() - 80, 0):match.end() + 40]
                leaks.append(f"another unit's figure {match.group(0)} shown to the unit user: {req.describe()} "
                             f"in ...{context}...")
    return leaks


# --- building the corpus ------------------------------------------------------------------------------

def _concrete_id(spec_id, fill):
    """Return a concrete component id (pattern-matching ids get `fill` for their wildcards) and the wildcard."""
    if isinstance(spec_id, str) and spec_id.startswith("{"):
        pattern = json.loads(spec_id)
        wildcard = next((v[0] for v in pattern.values() if isinstance(v, list)), None)
        return {k: (fill if isinstance(v, list) else v) for k, v in pattern.items()}, wildcard
    return spec_id, None


def _entry(dep: dict, value):
    component, wildcard = _concrete_id(dep["id"], "LB")
    entry = {"id": component, "property": dep["property"], "value": value}
    return [entry] if wildcard in ("ALL", "ALLSMALLER") else entry


def _output_entries(output: str, deps_entry: dict):
    outputs = []
    for part in (output[2:-2].split("...") if output.startswith("..") else [output]):
        component, _, prop = part.rpartition(".")
        component_id, wildcard = _concrete_id(component, "LB")
        item = {"id": component_id, "property": prop}
        outputs.append([item] if wildcard in ("ALL", "ALLSMALLER") else item)
    return outputs if output.startswith("..") else outputs[0]


def callback_bodies(deps: list[dict], values: list) -> list[dict]:
    """Every server-side callback with each value in every input and state at once."""
    bodies = []
    for dep in deps:
        if dep.get("clientside_function") or dep["output"] == security.ROUTER_OUTPUT:
            continue
        for value in values:
            inputs = [_entry(i, value) for i in dep["inputs"]]
            body = {
                "output": dep["output"], "outputs": _output_entries(dep["output"], dep),
                "inputs": inputs, "state": [_entry(s, value) for s in dep["state"]],
                "changedPropIds": [f"{i['id'] if isinstance(i['id'], str) else json.dumps(i['id'])}.{i['property']}"
                                   for i in inputs[:1] if isinstance(i, dict)],
            }
            bodies.append(body)
            # the same with claims the server must ignore
            bodies.append({**body, "scope": value, "unit": value, "role": "admin", "user": "c-admin"})
    return bodies


def page_bodies(values: list[str]) -> list[dict]:
    """Every registered page through Dash's router, with every layout parameter (and the usual ones) forged."""
    bodies = []
    for page in dash.page_registry.values():
        params = [p for p in inspect.signature(page["layout"]).parameters.values()
                  if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)] if callable(page["layout"]) else []
        keys = sorted({p.name for p in params} | {"scope", "unit", "eenheid", "periode"})
        path = page["relative_path"]
        bodies.append(router_request(path, ""))
        for value in values:
            bodies.append(router_request(path, "?" + urllib.parse.urlencode({k: value for k in keys})))
    for pathname in ("/beheer/logboek", "/api/registrations", "/../../", "//evil.example", 42, None):
        bodies.append(router_request(pathname, "?scope=LB"))
    bodies.append(router_request("/", {"scope": "LB"}))
    return bodies


def route_requests(server, values: list[str]) -> list[tuple[str, str, object]]:
    """Every route of the Flask app: GET (and POST for the API) with forged variables and queries."""
    requests = []
    for rule in server.url_map.iter_rules():
        if rule.rule == security.CALLBACK_PATH:
            continue
        methods = sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
        api = rule.rule.startswith("/api/")
        for value in (values if api or rule.arguments else values[:1]):
            filled = {name: value for name in rule.arguments}
            if rule.rule == "/<path:path>":
                filled["path"] = f"pagina/{value}"
            elif rule.rule == "/taal/<lang>":
                filled["lang"] = value.lower()
            elif rule.rule.startswith("/assets/"):
                filled["filename"] = "loket.css"
            try:
                path = rule.build(filled, append_unknown=False)[1]
            except Exception:  # noqa: BLE001 - a converter that refuses the value: use it raw
                path = rule.rule
            query = urllib.parse.urlencode({"scope": value, "unit": value, "eenheid": value, "period_type": "month"})
            for method in methods:
                requests.append((method, f"{path}?{query}", {"scope": value, "unit": value} if method != "GET" else None))
    return requests


# --- running it ---------------------------------------------------------------------------------------

def _send(client, req: Request) -> Result:
    kwargs = {"headers": req.headers}
    if req.body is not None:
        kwargs["json"] = req.body
    response = client.open(req.path, method=req.method, **kwargs)
    try:
        return Result(req, response.status_code, _text(response))
    finally:
        response.close()


def _basic(role: str) -> dict:
    name, password, *_ = ACCOUNTS[role]
    return {"Authorization": basic_auth_header(name, password)}


def _signed(app, payload: dict, key: str) -> str:
    server = app.server
    original = server.secret_key
    server.secret_key = key
    try:
        with server.test_request_context("/"):
            return server.session_interface.get_signing_serializer(server).dumps(payload)
    finally:
        server.secret_key = original


def anonymous_callers(app, demo_password: str) -> dict[str, dict]:
    admin_session = {"user": {"email": "c-admin", "groups": ["loket-admin", "admin"]}, "login_at": time.time()}
    return {
        "anonymous/none": {},
        "anonymous/bearer": {"Authorization": "Bearer eyJhbGciOiJub25lIn0.eyJyb2xlIjoiYWRtaW4ifQ."},
        "anonymous/malformed": {"Authorization": "Basic !!!"},
        "anonymous/no-colon": {"Authorization": "Basic " + "YWRtaW4="},
        "anonymous/wrong-password": {"Authorization": basic_auth_header("c-admin", "wrong-password-1")},
        "anonymous/unknown-user": {"Authorization": basic_auth_header("c-nobody", "whatever-pass-1")},
        "anonymous/demo-user-outside-demo": {"Authorization": basic_auth_header("demo-admin", demo_password)},
        "anonymous/forged-session": {"Cookie": f"loket_session={_signed(app, admin_session, 'not-the-key-' + 'y' * 40)}"},
        "anonymous/session-without-login": {"Cookie": f"loket_session={_signed(app, admin_session, KEY)}"},
        "anonymous/forged-headers": FORGED_HEADERS,
    }


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    with cheap_hashes():
        return _run_corpus(tmp_path_factory)


def _run_corpus(tmp_path_factory) -> dict:
    engine = fresh_store(f"sqlite:///{tmp_path_factory.mktemp('corpus') / 'store.sqlite'}")
    _fill(engine)
    for name, password, role, unit in ACCOUNTS.values():
        users.add_user(engine, name, password, role, unit)
    users.add_user(engine, "demo-admin", "demo-password-0001", "admin", demo=True)
    # Not TESTING: an unexpected exception must become a 500 answer in the corpus, not stop it.
    config = {"DATABASE_URL": str(engine.url), "DEMO_MODE": False, "TESTING": False, "SECRET_KEY": KEY,
              "LOGIN_MAX_FAILURES_USER": 10**9, "LOGIN_MAX_FAILURES_ADDRESS": 10**9}
    app = create_app(config)
    client = app.server.test_client(use_cookies=False)
    deps = json.loads(client.get("/_dash-dependencies", headers=_basic("admin")).data)

    requests: list[Request] = []
    units_and_forged = OTHERS + FORGED_VALUES
    # Unauthenticated: every callback, page and route, with every kind of missing or bad credentials.
    for caller, hdrs in anonymous_callers(app, "demo-password-0001").items():
        requests += [Request(caller, "callback", "POST", security.CALLBACK_PATH, hdrs, b)
                     for b in callback_bodies(deps, ["LB"])]
        requests += [Request(caller, "page", "POST", security.CALLBACK_PATH, hdrs, b) for b in page_bodies(["LB"])]
        requests += [Request(caller, "route", m, p, hdrs, b) for m, p, b in route_requests(app.server, ["LB"])]
        requests.append(Request(caller, "callback", "POST", security.CALLBACK_PATH, hdrs, None))  # no body
    # Signed in: the unit user gets every other unit's code and every forged value in every input.
    for caller, values in (("no_role", ["LB", {"scope": "LB"}]), ("unit", units_and_forged),
                           ("programme", FORGED_VALUES), ("admin", FORGED_VALUES)):
        hdrs = _basic(caller)
        requests += [Request(caller, "callback", "POST", security.CALLBACK_PATH, hdrs, b)
                     for b in callback_bodies(deps, values)]
        requests += [Request(caller, "page", "POST", security.CALLBACK_PATH, hdrs, b)
                     for b in page_bodies([v for v in values if isinstance(v, str)])]
        requests += [Request(caller, "route", m, p, hdrs, b)
                     for m, p, b in route_requests(app.server, [v for v in values if isinstance(v, str) and v][:20])]
    # The unit user again, with headers and cookies that claim more.
    requests += [Request("forged-headers/unit", "page", "POST", security.CALLBACK_PATH, {**_basic("unit"), **FORGED_HEADERS}, b)
                 for b in page_bodies(OTHERS)]

    results = [_send(client, req) for req in requests]
    results += _oidc_corpus(engine, deps)
    return {"results": results, "engine": engine, "deps": deps, "app": app}


def _oidc_corpus(engine, deps) -> list[Result]:
    """The same for the identity-provider login: no session, a forged one, and a unit user's session."""
    app = create_app({"DATABASE_URL": str(engine.url), "DEMO_MODE": False, "TESTING": False, "SECRET_KEY": KEY,
                      "AUTH": "oidc", "OIDC_METADATA_URL": "https://idp.example.invalid/.well-known/openid-configuration",
                      "OIDC_CLIENT_ID": "loket", "OIDC_CLIENT_SECRET": "s3cret"})
    provider = app.server.extensions[auth.EXTENSION].get_oauth_client("politie")
    provider.server_metadata.update({  # what the discovery document would say; no network in tests
        "_loaded_at": time.time(), "authorization_endpoint": "https://idp.example.invalid/authorize",
        "token_endpoint": "https://idp.example.invalid/token"})
    client = app.server.test_client(use_cookies=False)
    live = time.time()
    unit = {"user": {"email": "oidc-unit", "groups": ["loket-unit-NN"]}, "login_at": live}
    callers = {
        "anonymous/oidc-none": {},
        "anonymous/oidc-bearer": {"Authorization": "Bearer abc"},
        "anonymous/oidc-forged": {"Cookie": "loket_session=" + _signed(
            app, {"user": {"email": "x", "groups": ["loket-admin"]}, "login_at": live}, "wrong-" + "z" * 40)},
        "anonymous/oidc-expired": {"Cookie": "loket_session=" + _signed(app, {**unit, "login_at": live - 86400}, KEY)},
        "oidc-no_role": {"Cookie": "loket_session=" + _signed(
            app, {"user": {"email": "oidc-x", "groups": ["loket-unit-XX"]}, "login_at": live}, KEY)},
        "oidc-unit": {"Cookie": "loket_session=" + _signed(app, unit, KEY)},
    }
    requests = []
    for caller, hdrs in callers.items():
        values = OTHERS if caller == "oidc-unit" else ["LB"]
        requests += [Request(caller, "callback", "POST", security.CALLBACK_PATH, hdrs, b)
                     for b in callback_bodies(deps, values)]
        requests += [Request(caller, "page", "POST", security.CALLBACK_PATH, hdrs, b) for b in page_bodies(values)]
        requests += [Request(caller, "route", m, p, {**hdrs, "Accept": "text/html"}, b)
                     for m, p, b in route_requests(app.server, values)]
    return [_send(client, req) for req in requests]


# --- the proofs ---------------------------------------------------------------------------------------

def test_no_response_leaks(corpus):
    results = corpus["results"]
    names = _names_pattern()
    numbers = _number_pattern(_other_units_figures(corpus["engine"]))
    leaks = find_leaks(results, names, numbers)
    print(f"\naccess corpus: {len(results)} requests, {len(leaks)} leaks")
    assert leaks == [], "\n".join(leaks[:20])


def test_the_leak_detector_detects_leaks(corpus):
    # What the programme manager legitimately sees would be a leak for the unit user.
    results = [r for r in corpus["results"] if r.request.caller == "programme"]
    names = _names_pattern()
    numbers = _number_pattern(_other_units_figures(corpus["engine"]))
    assert numbers is not None and numbers.search("[140, 150.0]") and not numbers.search("1140")
    with corpus["engine"].connect() as conn:  # Limburg's published figures, as a chart would carry them
        limburg = conn.execute(sa.select(PublishedCell.value).where(
            PublishedCell.scope == "LB", PublishedCell.value.is_not(None))).scalars().all()
    assert numbers.search(json.dumps({"type": "bar", "y": limburg}))
    assert names.search('"LB"') and names.search("Limburg") and not names.search("Noord-Nederland")
    assert not names.search("BLB") and not names.search("ONE")
    relabelled = [Result(dataclasses.replace(r.request, caller="unit"), r.status, r.text + " Limburg") for r in results[:3]]
    assert len(find_leaks(relabelled, names, numbers)) == 3
    anonymous = Result(Request("anonymous/none", "route", "GET", "/_dash-layout", {}), 200, "{}")
    assert find_leaks([anonymous], names, numbers)


def test_unauthenticated_requests_get_401_or_a_login_redirect(corpus):
    wrong = [(r.request.describe(), r.status) for r in corpus["results"]
             if r.request.caller.startswith("anonymous") and not _is_public(urllib.parse.urlsplit(r.request.path).path)
             and not (r.status == 401 or (r.status == 302 and "oidc" in r.request.caller))]
    assert wrong == [], wrong[:10]


def test_no_server_errors_and_no_stack_traces(corpus):
    errors = [(r.status, r.request.describe()) for r in corpus["results"] if r.status >= 500]
    traces = [r.request.describe() for r in corpus["results"] if "Traceback" in r.text]
    assert errors == [], errors[:10]
    assert traces == []


def test_unit_user_is_refused_or_kept_to_own_unit(corpus):
    # Whatever the unit user sends, the answers are refusals, or figures within its own scope.
    statuses = {r.status for r in corpus["results"] if r.request.caller == "unit"}
    assert statuses <= {200, 204, 302, 400, 403, 404}


def test_corpus_covers_every_callback_page_and_route(corpus):
    results, deps, app = corpus["results"], corpus["deps"], corpus["app"]
    outputs = {r.request.body.get("output") for r in results if isinstance(r.request.body, dict)}
    server_callbacks = {d["output"] for d in deps if not d.get("clientside_function")}
    assert server_callbacks <= outputs
    adapter = app.server.url_map.bind("localhost")
    reached = set()
    for r in results:
        try:
            reached.add(adapter.match(urllib.parse.urlsplit(r.request.path).path, method=r.request.method)[0])
        except Exception:  # noqa: BLE001 - 404, 405 or a redirect: that request reached no route
            pass
    endpoints = {rule.endpoint for rule in app.server.url_map.iter_rules()} - {"static"}
    assert endpoints <= reached, endpoints - reached
    pages = {r.request.body["inputs"][0]["value"] for r in results
             if isinstance(r.request.body, dict) and r.request.body.get("output") == security.ROUTER_OUTPUT}
    assert {p["relative_path"] for p in dash.page_registry.values()} <= pages
    by_caller = {caller: len(list(group)) for caller, group in
                 itertools.groupby(sorted(r.request.caller for r in results))}
    print(f"\naccess corpus by caller: {by_caller}")
    assert by_caller["unit"] >= len(OTHERS) * len(server_callbacks)


def _export_text(name: str, data: bytes) -> str:
    """Return the text a chart's file holds (CSV, the workbook's cells, the SVG's text)."""
    if name.endswith(".xlsx"):
        book = openpyxl.load_workbook(io.BytesIO(data))
        return "\n".join(str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row
                         if c.value is not None)
    return data.decode("utf-8-sig")


def test_the_unit_users_funnels_and_their_exports_hold_nothing_of_other_units(corpus):
    # The comparison page is in the corpus like every page; its exports' files are sent base64-encoded, so
    # here they are decoded and read for other units' names, codes and figures, with the URL claiming Limburg.
    client = corpus["app"].server.test_client(use_cookies=False)
    names, numbers = _names_pattern(), _number_pattern(_other_units_figures(corpus["engine"]))
    page = [r for r in corpus["results"] if r.request.caller == "unit" and isinstance(r.request.body, dict)
            and r.request.body.get("output") == security.ROUTER_OUTPUT
            and r.request.body["inputs"][0]["value"] == "/vergelijking"]
    assert page and all(r.status == 200 for r in page)
    drawn = [r for r in page if all(f'"{funnel_id(key)}"' in r.text for key in FUNNEL if key != "grade_7plus")
             and '"text": ["NN"]' in r.text]
    assert drawn, "the unit user's funnels draw its own point in the corpus"
    dep = next(d for d in corpus["deps"] if export_ui.CHART_DOWNLOAD in d["output"])
    files = 0

    def export(role: str, key: str, fmt: str, search: str):
        card = funnel_id(key)
        inputs = [{"id": {"type": export_ui.CHART_BUTTON, "card": card, "format": f}, "property": "n_clicks",
                   "value": 1 if f == fmt else 0} for f in ("png", "svg", "csv", "xlsx")]
        trigger = json.dumps(inputs[("png", "svg", "csv", "xlsx").index(fmt)]["id"], sort_keys=True, separators=(",", ":"))
        body = {"output": dep["output"], "outputs": {"id": {"type": export_ui.CHART_DOWNLOAD, "card": card},
                                                      "property": "data"},
                "inputs": inputs, "changedPropIds": [trigger + ".n_clicks"],
                "state": [{"id": export_ui.LOCATION, "property": "pathname", "value": "/vergelijking"},
                          {"id": export_ui.LOCATION, "property": "search", "value": search}]}
        return client.post(security.CALLBACK_PATH, json=body, headers=_basic(role))

    def sent_text(response) -> tuple[str, str]:
        sent = next(v for props in response.json["response"].values() for v in props.values()
                    if isinstance(v, dict) and "filename" in v)
        data = base64.b64decode(sent["content"]) if sent.get("base64") else sent["content"].encode()
        return sent["filename"], _export_text(sent["filename"], data)

    # The detector sees what the programme legitimately exports: the other units' names and figures.
    _, programme = sent_text(export("programme", "waiting_within_14", "csv", "?periode=year"))
    assert names.search(programme) and numbers.search(programme)
    for key, fmt, search in itertools.product(FUNNEL, ("csv", "xlsx", "svg"), ("?periode=year&eenheid=LB", "?eenheid=ZWB")):
        response = export("unit", key, fmt, search)
        if key == "grade_7plus":  # no survey answers: nothing drawn, so no chart to export
            assert response.status_code == 204
            continue
        assert response.status_code == 200, (key, fmt, response.status_code)
        filename, text = sent_text(response)
        files += 1
        assert "noord-nederland" in filename
        assert not names.search(text), (key, fmt, names.search(text).group(0))
        assert not numbers.search(text), (key, fmt, numbers.search(text).group(0))
    assert files == (len(FUNNEL) - 1) * 6
def test_the_corpus_holds_events_and_the_unit_user_gets_its_own(corpus):
    # The leak check above covers events only if they are in the answers: the programme manager gets Limburg's,
    # the unit user the national one and its own (on its charts).
    def answered(caller: str, text: str) -> bool:
        return any(text in r.text for r in corpus["results"] if r.request.caller == caller and r.status == 200)

    assert answered("programme", "Campagne Limburg") and answered("admin", "Mailing in Limburg")
    assert answered("unit", "Eigen uitrol") and answered("unit", "Landelijke mailing")
