"""The Loket monitor: a Dash app over the protected catalogue of the registration store."""
from __future__ import annotations

import functools
from pathlib import Path

import dash
import flask

from dashboard.exports import export_ui  # the export callbacks (issue #6)
from dashboard.web import api, auth, cache, compression, patches, runtime, security
from dashboard import delivery
from dashboard.config import Config
from dashboard.ui.layout import shell
from dashboard.ui.texts import DEFAULT_LANGUAGE, LANG_COOKIE, LANGUAGES
from queries import catalogue, store
from queries.catalogue import refresh_due
from queries.accounts.access import Access
from queries.demo import load_demo

ROOT = Path(__file__).resolve().parent.parent


def _prepare_store(cfg: Config):
    engine = store.get_engine(cfg.DATABASE_URL, connect_seconds=cfg.STORE_CONNECT_SECONDS,
                              pool_seconds=cfg.STORE_POOL_SECONDS)
    store.migrate(engine)
    if cfg.DEMO_MODE and store.is_empty(engine):
        print("The store is empty: filling it with demo data (a few minutes, once)...", flush=True)
        load_demo(engine)
        catalogue.refresh(engine, runtime.policy_from(cfg))
        print("Demo data loaded and published.", flush=True)
    else:
        # Rows an import loaded but did not publish (a crash or a failed refresh after its commit):
        # published in a background thread, so the app serves at once (queries/catalogue/refresh_due.py).
        refresh_due.finish_in_background(engine, runtime.policy_from(cfg), after=functools.partial(
            delivery.start_after_refresh, cfg, engine, Access("loket (due refresh)", "admin")))
    return engine


def create_app(config: Config | dict | None = None) -> dash.Dash:
    """Build the dashboard: config, store, pages and the shell."""
    cfg = config if isinstance(config, Config) else Config.from_overrides(config)
    security.check_secret_key(cfg)
    security.refuse_mcp()
    engine = _prepare_store(cfg)
    app = patches.LoketDash(
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
    patches.serialize_first_request_setup(app)
    compression.install(server)
    server.extensions[runtime.EXTENSION] = runtime.Runtime(cfg, engine, runtime.policy_from(cfg))
    patches.register_pages()
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
