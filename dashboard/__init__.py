"""The Loket monitor: a Dash app over the protected catalogue of the registration store."""
from __future__ import annotations

import functools
import hashlib
import importlib
import pkgutil
import threading
from pathlib import Path

import dash
import flask
from dash import _callback
from flask_compress import Compress

from dashboard.web import api, auth, cache, runtime, security  # export_ui: the export callbacks (issue #6)
from dashboard.exports import export_ui
from dashboard.config import Config
from dashboard.ui.layout import shell
from dashboard.ui.texts import DEFAULT_LANGUAGE, LANG_COOKIE, LANGUAGES, current_language
from queries import catalogue, store
from queries.catalogue import refresh_due

ROOT = Path(__file__).resolve().parent.parent
_PAGE_CALLBACKS: tuple[list, dict] | None = None
# Where the digest of a static body waits for Flask-Compress's cache key (see _install_compression).
_STATIC_DIGEST = "loket.static_digest"


class StaticCompressionCache:
    """Flask-Compress's cache, keeping only static bodies (keyed by encoding and the body's digest).

    Every other response gets an empty key (see `static_cache_key`) and is compressed afresh: page
    callbacks and layouts differ per user and request. A digest of the body, not the URL, is the key
    so that a changed file is never answered from the cache, and no made-up URL (Dash strips any
    fingerprint from its script URLs) adds an entry: at most one per file and encoding.
    """

    def __init__(self) -> None:
        self.bodies: dict[str, bytes] = {}

    def get(self, key: str) -> bytes | None:
        return self.bodies.get(key)

    def set(self, key: str, value: bytes) -> None:
        if not key.endswith(";"):
            self.bodies[key] = value


def static_cache_key(request: flask.Request) -> str:
    return request.environ.get(_STATIC_DIGEST, "")


class LoketDash(dash.Dash):
    def interpolate_index(self, **kwargs):
        # Screen readers need the page's language; it follows the caller's cookie.
        html = super().interpolate_index(**kwargs)
        # Dash puts its scripts in a <footer>: a second "contentinfo" landmark beside the shell's footer.
        html = html.replace("<footer>", '<div class="dash-scripts">', 1).replace("</footer>", "</div>", 1)
        return html.replace("<html>", f'<html lang="{current_language()}">', 1)


def _register_pages() -> None:
    """Import the page modules once per process and hand their callbacks to every new app.

    Dash keeps `dash.callback` registrations in a global list that the first app consumes; tests
    build several apps, so the list is kept and handed over again for each one.
    """
    global _PAGE_CALLBACKS
    if _PAGE_CALLBACKS is None:
        import dashboard.pages as pages_pkg

        for info in pkgutil.iter_modules(pages_pkg.__path__):
            module = importlib.import_module(f"dashboard.pages.{info.name}")
            if module.__name__ in dash.page_registry:
                dash.page_registry[module.__name__]["layout"] = module.layout
        _PAGE_CALLBACKS = (list(_callback.GLOBAL_CALLBACK_LIST), dict(_callback.GLOBAL_CALLBACK_MAP))
    callbacks, callback_map = _PAGE_CALLBACKS
    _callback.GLOBAL_CALLBACK_LIST[:] = list(callbacks)
    _callback.GLOBAL_CALLBACK_MAP.clear()
    _callback.GLOBAL_CALLBACK_MAP.update(callback_map)


def _prepare_store(cfg: Config):
    engine = store.get_engine(cfg.DATABASE_URL, connect_seconds=cfg.STORE_CONNECT_SECONDS,
                              pool_seconds=cfg.STORE_POOL_SECONDS)
    store.migrate(engine)
    if cfg.DEMO_MODE and store.is_empty(engine):
        from queries.demo import load_demo

        print("The store is empty: filling it with demo data (a few minutes, once)...", flush=True)
        load_demo(engine)
        catalogue.refresh(engine, runtime.policy_from(cfg))
        print("Demo data loaded and published.", flush=True)
    else:
        # Rows an import loaded but did not publish (a crash or a failed refresh after its commit):
        # published in a background thread, so the app serves at once (queries/catalogue/refresh_due.py).
        refresh_due.finish_in_background(engine, runtime.policy_from(cfg))
    return engine


def _install_compression(server: flask.Flask) -> None:
    """Compress responses; static files once per process and encoding, not on every request."""
    # Dash's scripts are megabytes of JavaScript and its callbacks answer in JSON: both shrink ~5x.
    # Other streamed answers (downloads) stay as they are: compressing a stream leaves the file it
    # reads from open.
    server.config["COMPRESS_STREAMS"] = False
    # Compressing the same files again cost 20-50 ms of CPU per cold page load (Dash's 4.8 MB
    # plotly.min.js alone 50-80 ms), on the two cores the callbacks need too.
    server.config["COMPRESS_CACHE_BACKEND"] = StaticCompressionCache
    server.config["COMPRESS_CACHE_KEY"] = static_cache_key
    compress = Compress(server)
    server.extensions["compress"] = compress

    # Registered after Flask-Compress, so it runs before it (Flask runs after_request handlers last-in first-out).
    @server.after_request
    def prepare_static(response: flask.Response) -> flask.Response:
        if (not flask.request.path.startswith(security.STATIC_PREFIXES) or response.status_code != 200
                or response.mimetype not in compress.compress_mimetypes_set):
            return response
        if response.is_streamed:
            # Files in assets/ (the plotly bundle among them) are sent from the open file, which
            # Flask-Compress leaves alone; read into memory (the file is closed with the response),
            # they are compressed like Dash's own scripts.
            response.direct_passthrough = False
            response.make_sequence()
        flask.request.environ[_STATIC_DIGEST] = hashlib.blake2b(response.get_data(), digest_size=16).hexdigest()
        return response


def _serialize_first_request_setup(app: dash.Dash) -> None:
    """Make a worker's concurrent first requests wait until Dash has set the server up.

    Dash sets up on a worker's first request (`_setup_server`: it registers the script paths it
    may serve; the pages router: it registers the router callback) and marks this done before it
    is. Under gunicorn's threads, the page's scripts reach a fresh worker together: all but the
    first were answered 404 while it was still setting up, and the page stayed at "Loading...".
    """
    lock = threading.Lock()
    hooks = app.server.before_request_funcs.setdefault(None, [])

    def serialized(hook):
        done = False

        @functools.wraps(hook)
        def once():
            nonlocal done
            if done:
                return None
            with lock:
                if done:
                    return None
                try:
                    return hook()
                finally:
                    done = True  # Dash does not retry a failed setup either

        return once

    wrapped = 0
    for i, hook in enumerate(hooks):
        if hook == app._setup_server or getattr(hook, "__name__", None) in ("router_sync", "router_async"):
            hooks[i] = serialized(hook)
            wrapped += 1
    if wrapped != 2:  # a newer Dash: look again at how it sets up on the first request
        raise RuntimeError(f"found {wrapped} of Dash's 2 first-request setup hooks")


def create_app(config: Config | dict | None = None) -> dash.Dash:
    """Build the dashboard: config, store, pages and the shell."""
    cfg = config if isinstance(config, Config) else Config.from_overrides(config)
    security.check_secret_key(cfg)
    security.refuse_mcp()
    engine = _prepare_store(cfg)
    app = LoketDash(
        __name__,
        use_pages=True,
        pages_folder="",
        assets_folder=str(ROOT / "assets"),
        title="Loket-monitor",
        serve_locally=True,
        suppress_callback_exceptions=True,
        update_title=None,
        include_pages_meta=False,  # no social-media tags, which would echo the request's URL
        enable_mcp=False,  # whatever DASH_MCP_ENABLED says (security.refuse_mcp)
    )
    server: flask.Flask = app.server
    server.config.update(SECRET_KEY=cfg.SECRET_KEY, TESTING=cfg.TESTING)
    _serialize_first_request_setup(app)
    _install_compression(server)
    server.extensions[runtime.EXTENSION] = runtime.Runtime(cfg, engine, runtime.policy_from(cfg))
    _register_pages()
    security.protect_pages()
    cache.install(server, cfg)
    app.layout = security.guarded_layout(export_ui.with_pack_panel(shell))
    # Order matters: refuse malformed requests, then authenticate (dash-auth), then deny by default.
    security.configure_server(server, cfg)
    security.install_request_guard(app)
    auth.install(app, cfg, engine)
    security.install(app, cfg, engine)

    server.register_blueprint(api.blueprint)

    @server.route("/taal/<lang>")
    def switch_language(lang: str):
        # Back to the page the link was on, never to another site.
        referrer = flask.request.referrer or ""
        same_site = referrer.startswith(flask.request.host_url)
        response = flask.redirect(referrer if same_site else "/")
        response.set_cookie(LANG_COOKIE, lang if lang in LANGUAGES else DEFAULT_LANGUAGE,
                            max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
        return response

    return app
