"""Security around every request: refusing bad requests, default deny, 403s, headers, the audit log.

Installed by `create_app` around dash-auth (dashboard/web/auth.py):

1. before authentication: cross-site POSTs, bodies over the size limit (413, before they are
   read), NUL characters in the URL and malformed Dash callback bodies (too deeply nested, NUL
   characters, integers no browser can send) are refused (401 when unauthenticated, else 400),
   so dash-auth, Dash and the store never fail on them;
2. after authentication: a caller without a valid role gets nothing but the page shell with the
   `app.no_access` message; every callback, API call and download is refused (403);
3. `AccessDenied` anywhere (callback, page layout, Flask route) becomes a 403 without a trace;
4. every response gets security headers, with a content security policy that allows Dash's
   inline scripts by their hashes (no 'unsafe-inline' for scripts);
5. page views (Dash's page router), API calls (`/api/...`), downloads (dcc.Download payloads and
   attachments) and refusals are recorded in the audit log;
6. a store that does not answer in time is a 503 within seconds (`queries.store.time_limited`
   around every request), logged in one line.
"""
from __future__ import annotations

import functools
import json
import math
import os
import sys

import dash
import flask
import sqlalchemy as sa
from dash import html
from dash.exceptions import DependencyException
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import Map, Rule

from dashboard.web import auth, runtime
from dashboard.ui.components import message
from dashboard.config import DEV_SECRET_KEY, Config
from dashboard.ui.texts import t
from queries.accounts import audit_log
from queries import store
from queries.accounts.access import AccessDenied

CALLBACK_PATH = "/_dash-update-component"
ROUTER_OUTPUT = ".._pages_content.children..._pages_store.data.."
STATIC_PREFIXES = ("/assets/", "/_dash-component-suites/", "/_favicon.ico")
ASSET_MAX_AGE = 365 * 24 * 3600
LOCATION_PROPS = frozenset({"pathname", "search", "hash", "href"})
MIN_SECRET_LENGTH = 32
MB = 2**20
# Dash's callback bodies nest a few levels (a component tree in a State a few dozen); deeper ones
# would exhaust Python's recursion in the JSON parser, in Dash or in the checks below.
MAX_JSON_DEPTH = 100
MAX_JSON_INTEGER = 2**53 - 1  # the largest integer a browser's JSON holds exactly


# What a signed-in caller without a valid role may still fetch: the page shell and static files.
NO_ROLE_RULES = frozenset({
    "/", "/<path:path>", "/_dash-layout", "/_dash-dependencies", "/_reload-hash", "/_favicon.ico",
    "/_dash-component-suites/<string:package_name>/<path:fingerprinted_path>", "/assets/<path:filename>",
    "/taal/<lang>",
})

SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}
# Responses that are not HTML pages run no scripts and are never framed.
DATA_CSP = "default-src 'none'; frame-ancestors 'none'"


def under_gunicorn() -> bool:
    """Tell whether this process is served by gunicorn."""
    return os.environ.get("SERVER_SOFTWARE", "").startswith("gunicorn") or "gunicorn.arbiter" in sys.modules


def check_secret_key(cfg: Config) -> None:
    """Refuse to serve under gunicorn with the development key or a short one."""
    if under_gunicorn() and (cfg.SECRET_KEY == DEV_SECRET_KEY or len(cfg.SECRET_KEY) < MIN_SECRET_LENGTH):
        raise RuntimeError(
            "SECRET_KEY is the development default or shorter than "
            f"{MIN_SECRET_LENGTH} characters: set a long random value (the same in every worker), e.g. "
            "python -c 'import secrets; print(secrets.token_hex(32))'"
        )


def refuse_mcp() -> None:
    """Refuse to start when Dash's MCP endpoint is asked for (`DASH_MCP_ENABLED`, anything but false)."""
    value = os.environ.get("DASH_MCP_ENABLED", "").strip().lower()
    if value not in ("", "false", "0", "no", "off"):
        raise RuntimeError(
            "DASH_MCP_ENABLED is set, but the Loket monitor does not serve Dash's MCP endpoint: it would run "
            "callbacks and lay out pages for an AI client outside the request checks and the audit log "
            "(README, Browser security). Unset DASH_MCP_ENABLED."
        )


def configure_server(server: flask.Flask, cfg: Config) -> None:
    """Session cookie, size limit and proxy settings, and the store's time limit for every request."""
    server.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=cfg.HTTPS,
        SESSION_COOKIE_NAME="loket_session",
        PERMANENT_SESSION_LIFETIME=cfg.SESSION_HOURS * 3600,
        MAX_CONTENT_LENGTH=int(cfg.MAX_REQUEST_MB * MB),  # administrators' callbacks: see refuse_bad_requests
    )
    server.wsgi_app = _store_time_limited(server.wsgi_app, cfg.STORE_STATEMENT_SECONDS or None)  # 0: no limit
    if cfg.PROXY_HOPS > 0:
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=cfg.PROXY_HOPS, x_proto=cfg.PROXY_HOPS,
                                   x_host=cfg.PROXY_HOPS)


def _store_time_limited(wsgi_app, seconds: float):
    """Run every request under the store's statement limit: no request waits longer for an answer."""

    @functools.wraps(wsgi_app)
    def limited(environ, start_response):
        with store.time_limited(seconds):
            return wsgi_app(environ, start_response)

    return limited


# --- responses ----------------------------------------------------------------------------------

def _wants_json() -> bool:
    path = flask.request.path
    return path == CALLBACK_PATH or path.startswith(("/api/", "/_dash-"))


def refusal(status: int, key: str) -> flask.Response:
    """Return a short refusal (JSON for callbacks and the API, plain text otherwise), never a trace."""
    if _wants_json():
        response = flask.jsonify({"error": status, "message": t(key)})
        response.status_code = status
        return response
    return flask.Response(t(key), status=status, mimetype="text/plain")


def store_refusal(error: Exception) -> flask.Response:
    """Answer a store error with 503: "does not answer" (logged in one line) or "cannot be reached"."""
    req, logger = flask.request, flask.current_app.logger
    if store.is_timeout(error):
        logger.warning("the store does not answer (%s %s): %s", req.method, req.path, str(error).splitlines()[0])
        return refusal(503, "app.store_timeout")
    logger.error("store error (%s %s)", req.method, req.path, exc_info=error)
    return refusal(503, "app.store_down")


def no_access_layout() -> html.Div:
    """The whole app for a signed-in caller without a valid role: a clear message."""
    return html.Div(
        [
            html.Header(html.H1(t("app.title")), className="site-header"),
            html.Main(message(t("app.no_access"), "error"), className="site-main", id="main"),
        ],
        className="shell",
    )


def guarded_layout(shell):
    """Wrap the shell so that a caller without a valid role gets only the no-access message."""

    @functools.wraps(shell)
    def layout():
        if auth.current_access().role is None:
            return no_access_layout()
        return shell()

    return layout


def _role_guard(layout, roles: tuple[str, ...]):
    # No default arguments: the page router passes the URL's query keys as keyword arguments.
    @functools.wraps(layout)
    def guarded(*args, **kwargs):
        if auth.current_access().role not in roles:
            return message(t("app.forbidden"), "error")
        return layout(*args, **kwargs)

    guarded.loket_roles = roles
    return guarded


def protect_pages() -> None:
    """Give every page that names `roles` in `dash.register_page` a server-side role check."""
    for page in dash.page_registry.values():
        layout, roles = page.get("layout"), page.get("roles")
        if roles and callable(layout) and not hasattr(layout, "loket_roles"):
            page["layout"] = _role_guard(layout, tuple(roles))


# --- before authentication: refuse what dash-auth and Dash would fail on --------------------------

def _spec_id(spec: dict):
    """Return a callback's component id; pattern-matching ids come as JSON text."""
    spec_id = spec.get("id")
    if isinstance(spec_id, str) and spec_id.startswith("{"):
        try:
            return json.loads(spec_id)
        except ValueError:
            return spec_id
    return spec_id


def _ids_match(spec: dict, given) -> bool:
    spec_id = _spec_id(spec)
    if isinstance(given, list):  # pattern-matching ALL / ALLSMALLER: a list of concrete inputs
        return isinstance(spec_id, dict) and all(_ids_match(spec, g) for g in given)
    if not isinstance(given, dict) or given.get("property") != spec.get("property"):
        return False
    given_id = given.get("id")
    if isinstance(spec_id, dict):
        return isinstance(given_id, dict) and set(given_id) == set(spec_id)
    return given_id == spec_id


def valid_callback_body(app: dash.Dash, body) -> bool:
    """Tell whether a callback request names a server callback and matches its inputs and state."""
    if not isinstance(body, dict) or not isinstance(body.get("output"), str):
        return False
    spec = app.callback_map.get(body["output"])
    if not spec or "callback" not in spec:
        return False  # unknown or clientside-only callback
    for key in ("inputs", "state"):
        given = body.get(key, [])
        if not isinstance(given, list) or len(given) != len(spec.get(key, [])):
            return False
        if not all(_ids_match(s, g) for s, g in zip(spec.get(key, []), given)):
            return False
    outputs = body.get("outputs", [])
    if not isinstance(outputs, (list, dict)):
        return False
    if isinstance(spec.get("output"), list) and (not isinstance(outputs, list) or len(outputs) != len(spec["output"])):
        return False
    changed = body.get("changedPropIds", [])
    if not isinstance(changed, list) or not all(isinstance(c, str) for c in changed):
        return False
    # dash-auth and Dash's page router treat these as text; anything else would be a 500.
    return all(isinstance(entry.get("value"), (str, type(None)))
               for entry in _entries(body) if entry.get("property") in LOCATION_PROPS)


def _entries(body: dict):
    for key in ("inputs", "state"):
        for item in body.get(key, []):
            yield from (item if isinstance(item, list) else [item])


def _unbrowserlike(body) -> bool:
    """Tell whether a JSON body holds what no browser sends: nesting deeper than MAX_JSON_DEPTH, a NUL
    character (PostgreSQL refuses it in text), an integer beyond JavaScript's, NaN or infinity.

    Walked without recursion, so that no depth exhausts the stack.
    """
    stack = [(body, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, (dict, list)):
            if depth > MAX_JSON_DEPTH:
                return True
            items = [*value.keys(), *value.values()] if isinstance(value, dict) else value
            stack.extend((item, depth + 1) for item in items)
        elif isinstance(value, str):
            if "\x00" in value:
                return True
        elif isinstance(value, float):
            if not math.isfinite(value):
                return True
        elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_JSON_INTEGER:
            return True
    return False


def request_json():
    """Return the request's JSON body when a browser could have sent it, else None (read and checked once).

    Reading a body over the request's size limit raises RequestEntityTooLarge (413).
    """
    if "loket_json" not in flask.g:
        flask.g.loket_json = None  # and so it stays if reading fails
        try:
            body = flask.request.get_json(silent=True)
        except RecursionError:  # nested deeper than the parser can follow
            body = None
        flask.g.loket_json = None if body is None or _unbrowserlike(body) else body
    return flask.g.loket_json


def _nul_in_url(req: flask.Request) -> bool:
    # PostgreSQL refuses NUL in text: never let one reach a query (or the audit log's target).
    return "\x00" in req.path or any("\x00" in k or "\x00" in v for k, v in req.args.items(multi=True))


def _too_large(req: flask.Request) -> bool:
    limit = req.max_content_length
    return limit is not None and req.content_length is not None and req.content_length > limit


def install_request_guard(app: dash.Dash) -> None:
    """Register the checks that must run before dash-auth's (call before `auth.install`)."""

    @app.server.before_request
    def refuse_bad_requests():
        req = flask.request
        if req.method not in ("GET", "HEAD", "OPTIONS") and req.headers.get("Sec-Fetch-Site") in ("cross-site", "same-site"):
            return refusal(403, "app.forbidden")  # a page elsewhere posting with the user's credentials
        if _nul_in_url(req):
            return refusal(400, "app.bad_request")
        if req.path == CALLBACK_PATH:
            # No callback is public, so an unauthenticated one is refused before dash-auth reads its body.
            authenticator = flask.current_app.extensions[auth.EXTENSION]
            if not authenticator.is_authorized():
                return authenticator.login_request()
            if auth.current_access().role == "admin":  # the import page uploads files in callbacks
                req.max_content_length = int(runtime.current().config.MAX_ADMIN_REQUEST_MB * MB)
        if _too_large(req):
            return refusal(413, "app.too_large")  # before anything reads the body
        if req.path == CALLBACK_PATH and req.method == "POST" and not valid_callback_body(app, request_json()):
            return refusal(400, "app.bad_request")
        return None


# --- after authentication -------------------------------------------------------------------------

def _is_static(path: str) -> bool:
    return path.startswith(STATIC_PREFIXES)


@functools.lru_cache(maxsize=8)
def _auth_routes(paths: tuple[str, ...]):
    return Map([Rule(p) for p in paths]).bind("")


def _is_auth_path(path: str) -> bool:
    """Tell whether a path is one of the identity provider's login, callback or logout routes."""
    authenticator = flask.current_app.extensions.get(auth.EXTENSION)
    paths = authenticator.auth_paths() if authenticator is not None else ()
    return bool(paths) and _auth_routes(paths).test(path)


def _router_target(body) -> str | None:
    """Return the page path (with its query) a page-router callback asks for, else None."""
    if not isinstance(body, dict) or body.get("output") != ROUTER_OUTPUT:
        return None
    values = {i.get("property"): i.get("value") for i in body.get("inputs", []) if isinstance(i, dict)}
    pathname = values.get("pathname") if isinstance(values.get("pathname"), str) else ""
    search = values.get("search") if isinstance(values.get("search"), str) else ""
    return f"{pathname}{search}"


def _requested_scope() -> str | None:
    req = flask.request
    value = (req.view_args or {}).get("scope") or req.args.get("scope")
    return value if isinstance(value, str) else None


def _sent_files(response: flask.Response) -> list[str]:
    """Return the names of files a response sends: dcc.Download payloads, or an attachment."""
    disposition = response.headers.get("Content-Disposition", "")
    if disposition.startswith("attachment"):
        return [disposition.partition("filename=")[2].strip('"') or flask.request.path]
    if flask.request.path != CALLBACK_PATH or response.status_code != 200 or response.mimetype != "application/json":
        return []
    try:
        outputs = json.loads(response.get_data()).get("response", {})
    except (ValueError, AttributeError):
        return []
    return [str(value["filename"]) for props in outputs.values() if isinstance(props, dict)
            for value in props.values() if isinstance(value, dict) and {"filename", "content"} <= value.keys()]


def _audit_entries(response: flask.Response) -> list[tuple[str, str]]:
    """Return the (action, target) pairs a response is recorded as."""
    req, status = flask.request, response.status_code
    entries = []
    if req.path == CALLBACK_PATH:
        body = request_json() if status != 413 else None  # a body over the limit is never read
        target = _router_target(body)
        if target is not None:  # a page's layout sends no file: its large body is not parsed again
            return [("page_view" if status < 400 else "denied", target)]
        if status == 403:
            entries.append(("denied", f"callback {body.get('output', '')}" if isinstance(body, dict) else "callback"))
        elif status in (400, 413):
            entries.append(("bad_request", "callback"))
    elif req.path.startswith("/api/"):
        entries.append(("denied" if status == 403 else "api", req.full_path.rstrip("?")))
    elif status == 403:
        entries.append(("denied", req.full_path.rstrip("?")))
    elif status in (400, 413):
        entries.append(("bad_request", req.full_path.rstrip("?")))
    entries += [("download", name) for name in _sent_files(response)]
    return entries


def _audit(engine: sa.Engine, response: flask.Response) -> flask.Response:
    access = auth.current_access()
    if not access.user:
        return response  # unauthenticated: nothing was shown (failed logins are recorded by auth)
    status = response.status_code
    try:
        for action, target in _audit_entries(response):
            audit_log.record(engine, access, action, target, _requested_scope(), status=status)
    except sa.exc.SQLAlchemyError as error:
        refused = store_refusal(error)  # logs why the audit log was not written
        if status < 400:  # what cannot be recorded is not shown
            return refused
    return response


def _content_security_policy(app: dash.Dash, cfg: Config) -> str:
    scripts = " ".join(["'self'", *app.csp_hashes()])
    policy = [
        "default-src 'self'",
        f"script-src {scripts}",
        # Plotly and Dash's components add <style> elements and style attributes at run time.
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
    if cfg.HTTPS:
        policy.append("upgrade-insecure-requests")
    return "; ".join(policy)


def _headers(app: dash.Dash, cfg: Config, response: flask.Response) -> flask.Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if response.mimetype == "text/html":
        response.headers["Content-Security-Policy"] = _content_security_policy(app, cfg)
    else:
        response.headers.setdefault("Content-Security-Policy", DATA_CSP)
    if cfg.HTTPS:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if not _is_static(flask.request.path):
        response.headers["Cache-Control"] = "no-store"
        response.headers.pop("Expires", None)
        response.headers.pop("ETag", None)
    elif flask.request.path.startswith("/assets/") and flask.request.args.get("m") and response.status_code in (200, 304):
        # Dash names each asset with its file's modification time (?m=...), so a changed file is a
        # new URL: the browser need not ask again (as for Dash's own fingerprinted scripts).
        response.headers["Cache-Control"] = f"private, max-age={ASSET_MAX_AGE}, immutable"
    response.headers.pop("Server", None)
    return response


def install(app: dash.Dash, cfg: Config, engine: sa.Engine) -> None:
    """Register default deny, error handlers, headers and the audit log (call after `auth.install`)."""
    server = app.server

    @server.before_request
    def default_deny():
        path = flask.request.path
        if _is_static(path) or _is_auth_path(path):
            return None
        if auth.current_access().role is not None:
            return None
        rule = flask.request.url_rule.rule if flask.request.url_rule is not None else None
        if flask.request.method in ("GET", "HEAD") and rule in NO_ROLE_RULES and not path.startswith("/api/"):
            return None  # the shell, which then shows only the no-access message
        return refusal(403, "app.no_access")

    @server.errorhandler(AccessDenied)
    def access_denied(_error):
        return refusal(403, "app.forbidden")

    @server.errorhandler(DependencyException)
    def unknown_file(_error):
        return flask.Response("Not Found", status=404, mimetype="text/plain")  # an unknown component suite

    @server.errorhandler(sa.exc.SQLAlchemyError)
    def store_down(error):
        if server.testing:
            raise error  # tests see the real exception
        return store_refusal(error)

    @server.errorhandler(RequestEntityTooLarge)
    def too_large(_error):
        return refusal(413, "app.too_large")  # a body without Content-Length that grew past the limit

    @server.errorhandler(Exception)
    def unexpected(error):
        if isinstance(error, HTTPException):
            return error
        if server.testing:
            raise error  # tests see the real exception
        server.logger.exception("unhandled error")
        return refusal(500, "app.error")

    @server.after_request
    def audit_and_headers(response):
        if not _is_static(flask.request.path):
            try:
                response = _audit(engine, response)
            except Exception:  # noqa: BLE001 - whatever failed, the answer shows nothing and keeps its headers
                if server.testing:
                    raise
                server.logger.exception("audit hook failed")
                response = refusal(500, "app.error")
        return _headers(app, cfg, response)
