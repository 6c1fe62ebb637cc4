"""The Loket monitor: a Dash app over the protected catalogue of the registration store."""
from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import dash
import flask
from dash import _callback
from flask_compress import Compress

from dashboard import api, auth, cache, export_ui, runtime, security  # export_ui: the export callbacks (issue #6)
from dashboard.config import Config
from dashboard.layout import shell
from dashboard.texts import DEFAULT_LANGUAGE, LANG_COOKIE, LANGUAGES, current_language
from queries import catalogue, store

ROOT = Path(__file__).resolve().parent.parent
_PAGE_CALLBACKS: tuple[list, dict] | None = None


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
    engine = store.get_engine(cfg.DATABASE_URL)
    store.migrate(engine)
    if cfg.DEMO_MODE and store.is_empty(engine):
        from queries.demo import load_demo

        print("The store is empty: filling it with demo data (a minute at most)...", flush=True)
        load_demo(engine)
        catalogue.refresh(engine, runtime.policy_from(cfg))
        print("Demo data loaded and published.", flush=True)
    return engine


def create_app(config: Config | dict | None = None) -> dash.Dash:
    """Build the dashboard: config, store, pages and the shell."""
    cfg = config if isinstance(config, Config) else Config.from_overrides(config)
    security.check_secret_key(cfg)
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
    )
    server: flask.Flask = app.server
    server.config.update(SECRET_KEY=cfg.SECRET_KEY, TESTING=cfg.TESTING)
    # Dash's scripts are megabytes of JavaScript and its callbacks answer in JSON: both shrink ~5x.
    # Streamed answers (the small files in assets/) stay as they are: compressing a stream leaves
    # the file it reads from open.
    server.config["COMPRESS_STREAMS"] = False
    Compress(server)
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
