"""How the scripts reach the browser (issue #8: first full render <= 2 s, responses compressed).

* plotly.js is the partial bundle in assets/vendor, at the installed plotly's version, loaded by the
  page itself (so Dash never fetches its 4.8 MB plotly.min.js) and covering every trace the app draws;
* static files are compressed once per process and encoding; per-request answers never are kept;
* a fresh worker answers the page's concurrent first requests (Dash sets up on the first one).
"""
from __future__ import annotations

import concurrent.futures
import re
import socket
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import dash
import pytest
from flask_compress import flask_compress
from plotly.offline import get_plotlyjs_version

from dashboard import ROOT, create_app
from tests.factories import make_app
from tests.http_client import basic_auth_header
from queries.accounts import users
from tests import browsing, monitor_fixtures

BUNDLE = ROOT / "assets" / "vendor" / "plotly-basic.min.js"
BUNDLE_URL = re.compile(r'<script src="(/assets/vendor/plotly-basic\.min\.js\?m=[0-9.]+)"></script>')
USER = ("static-programme", "programme-pass-001")
AUTH = {"Authorization": basic_auth_header(*USER)}


@pytest.fixture
def app(sqlite_store):
    users.add_user(sqlite_store, *USER, "programme")
    return make_app(sqlite_store)


@pytest.fixture
def compressions(monkeypatch) -> list[str]:
    """The encodings Flask-Compress actually ran, in order."""
    done: list[str] = []
    original = flask_compress._compress_data

    def counting(app, data, algorithm):
        done.append(algorithm)
        return original(app, data, algorithm)

    monkeypatch.setattr(flask_compress, "_compress_data", counting)
    return done


def _index(client) -> str:
    response = client.get("/", headers=AUTH)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _get(client, url: str, encoding: str, **headers):
    response = client.get(url, headers={"Accept-Encoding": encoding, **headers})
    body = response.data
    response.close()
    return response, body


def test_the_page_loads_the_vendored_plotly_before_dash_mounts_a_graph(app):
    html = _index(app.server.test_client())
    bundle = BUNDLE_URL.search(html)
    assert bundle, "the plotly bundle is not in the page"
    # A plain script before the renderer's: window.Plotly exists before dcc.Graph would load its own.
    renderer = html.index("dash_renderer")
    assert bundle.start() < renderer
    assert 'defer' not in html[bundle.start():bundle.end()] and 'async' not in html[bundle.start():bundle.end()]
    assert "plotly.min.js" not in html


def test_the_page_loads_no_core_js_polyfill_nor_dash_table_but_the_regenerator_runtime_before_the_renderer(app):
    html = _index(app.server.test_client())
    scripts = re.findall(r'<script src="([^"]+)"', html)
    assert not [s for s in scripts if "polyfill" in s or "dash_table" in s]
    runtime = next(i for i, s in enumerate(scripts) if s.startswith("/assets/vendor/regenerator-runtime.js"))
    assert runtime < next(i for i, s in enumerate(scripts) if "dash_renderer" in s)
    # dash_renderer calls the global its transpiled async functions need; the vendored runtime defines it.
    renderer = (Path(dash.__file__).parent / "dash-renderer" / "build" / "dash_renderer.min.js").read_text("utf-8")
    assert "regeneratorRuntime.mark(" in renderer
    assert "regeneratorRuntime = runtime;" in (BUNDLE.parent / "regenerator-runtime.js").read_text("utf-8")


def test_the_vendored_bundle_is_plotly_basic_at_the_installed_plotly_version():
    text = BUNDLE.read_text(encoding="utf-8")
    lines = text.splitlines()
    # V8 compiles the whole file off the main thread while it downloads (explicit compile hint).
    assert lines[0] == "//# allFunctionsCalledOnLoad"
    # The licence header of the npm package, unchanged, right after it.
    assert lines[1:6] == ["/**", f"* plotly.js (basic - minified) v{get_plotlyjs_version()}",
                          "* Copyright 2012-2026, Plotly, Inc.", "* All rights reserved.",
                          "* Licensed under the MIT license"]
    assert "window.Plotly = Plotly;" in text[-200:]
    assert "MIT License" in (BUNDLE.parent / "plotly.js-LICENSE.txt").read_text(encoding="utf-8")


def test_the_bundle_is_served_compressed_and_compressed_only_once_per_encoding(app, compressions):
    client = app.server.test_client()
    url = BUNDLE_URL.search(_index(client)).group(1)
    compressions.clear()
    raw = BUNDLE.read_bytes()
    for encoding in ("zstd", "zstd", "br", "br", "gzip"):
        response, body = _get(client, url, encoding)
        assert response.status_code == 200
        assert response.headers["Content-Encoding"] == encoding
        assert "Accept-Encoding" in response.headers["Vary"]
        assert int(response.headers["Content-Length"]) == len(body) < len(raw) / 2
        assert flask_compress._uncompress_data(body, encoding) == raw
    assert compressions == ["zstd", "br", "gzip"]
    response, body = _get(client, url, "identity")
    assert "Content-Encoding" not in response.headers and body == raw


def test_a_revalidated_bundle_is_not_sent_again(app):
    client = app.server.test_client()
    url = BUNDLE_URL.search(_index(client)).group(1)
    first, _ = _get(client, url, "zstd")
    again, body = _get(client, url, "zstd", **{"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and body == b""


def test_assets_named_with_their_file_time_are_not_asked_for_again_but_other_answers_are(app):
    client = app.server.test_client()
    url = BUNDLE_URL.search(_index(client)).group(1)
    named, _ = _get(client, url, "zstd")
    assert named.headers["Cache-Control"] == "private, max-age=31536000, immutable"
    # Without the file time in its URL a changed file would keep its URL: the browser asks again.
    plain, _ = _get(client, url.partition("?")[0], "zstd")
    assert "max-age=31536000" not in plain.headers.get("Cache-Control", "")
    assert client.get("/", headers=AUTH).headers["Cache-Control"] == "no-store"


def test_dash_scripts_are_compressed_once_and_a_changed_file_is_not_answered_from_the_cache(
        app, compressions, monkeypatch):
    client = app.server.test_client()
    url = re.search(r'src="(/_dash-component-suites/dash/dcc/dash_core_components\.[^"]+)"', _index(client)).group(1)
    compressions.clear()
    first = flask_compress._uncompress_data(_get(client, url, "zstd")[1], "zstd")
    assert flask_compress._uncompress_data(_get(client, url, "zstd")[1], "zstd") == first
    assert compressions == ["zstd"]
    # The same URL, another body (a reinstalled package under a running server): compressed afresh.
    import pkgutil

    monkeypatch.setattr(pkgutil, "get_data", lambda package, path: b"/* changed */" + first)
    assert flask_compress._uncompress_data(_get(client, url, "zstd")[1], "zstd") == b"/* changed */" + first
    assert compressions == ["zstd", "zstd"]


def test_answers_per_request_are_compressed_but_never_kept(app, compressions):
    client = app.server.test_client()
    cache = app.server.extensions["compress"].cache
    _index(client)
    kept = dict(cache.bodies)
    compressions.clear()
    for _ in range(2):
        page = client.get("/", headers={**AUTH, "Accept-Encoding": "zstd"})
        layout = client.get("/_dash-layout", headers={**AUTH, "Accept-Encoding": "zstd"})
        assert page.headers["Content-Encoding"] == layout.headers["Content-Encoding"] == "zstd"
        assert page.headers["Cache-Control"] == "no-store"
    assert compressions == ["zstd"] * 4
    assert cache.bodies == kept
    assert all(not key.endswith(";") for key in cache.bodies)


def test_a_fresh_worker_answers_the_pages_concurrent_first_requests(sqlite_store, monkeypatch):
    """Dash registers the script paths it serves on a worker's first request; the others wait for it."""
    users.add_user(sqlite_store, *USER, "programme")
    config = {"DATABASE_URL": str(sqlite_store.url), "DEMO_MODE": False, "TESTING": False}
    html = _index(create_app(config).server.test_client())
    scripts = re.findall(r'<script src="(/[^"]+)"', html)
    # As slow as a first request on the national store, so that the other requests arrive during it.
    walk = dash.Dash._walk_assets_directory

    def slow_walk(self):
        time.sleep(0.5)
        return walk(self)

    monkeypatch.setattr(dash.Dash, "_walk_assets_directory", slow_walk)
    fresh = create_app(config)
    with _serving(fresh.server) as base:
        with concurrent.futures.ThreadPoolExecutor(len(scripts)) as pool:
            statuses = list(pool.map(lambda path: _status(base + path), scripts))
    assert statuses == [200] * len(scripts), dict(zip(scripts, statuses))


class _serving:
    """The Flask app on a free port of 127.0.0.1 (threaded, like gunicorn's gthread worker)."""

    def __init__(self, server):
        from werkzeug.serving import make_server

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.httpd = make_server("127.0.0.1", self.port, server, threaded=True)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=10)


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=AUTH), timeout=30) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        error.close()
        return error.code


@browsing.mark
def test_every_chart_is_drawn_by_the_vendored_bundle_with_registered_trace_types(tmp_path_factory):
    from playwright.sync_api import sync_playwright

    engine = monitor_fixtures.fresh_copy(tmp_path_factory, "static")
    app = create_app({"DATABASE_URL": str(engine.url), "DEMO_MODE": False, "TESTING": False})
    chart_pages = ("/", "/aanmeldingen", "/wachttijden", "/verwijzingen", "/clientonderzoek", "/bereik")
    seen: dict[str, list] = {}
    with _serving(app.server) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=browsing.CHROMIUM, args=browsing.ARGS)
        try:
            context = browser.new_context(extra_http_headers={
                "Authorization": basic_auth_header(*monitor_fixtures.PROGRAMME)})
            page = context.new_page()
            requested: list[str] = []
            errors: list[str] = []
            page.on("request", lambda request: requested.append(request.url))
            page.on("console", lambda msg: errors.append(msg.text) if msg.type in ("error", "warning") else None)
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            for path in chart_pages:
                page.goto(base + path)
                page.wait_for_function("() => { const graphs = [...document.querySelectorAll('.dash-graph')]; "
                                       "return graphs.length > 0 && "
                                       "graphs.every(g => g.querySelector('.js-plotly-plot .main-svg')); }",
                                       timeout=30000)
                seen[path] = page.evaluate("""() => {
                    const registered = Object.keys(Plotly.PlotSchema.get().traces);
                    const graphs = [...document.querySelectorAll('.js-plotly-plot')];
                    return [Plotly.version, registered, graphs.length,
                            graphs.flatMap(g => g.data.map(t => t.type || 'scatter')),
                            graphs.flatMap(g => g._fullData.filter(t => t.visible !== false).map(t => t.type))];
                }""")
            context.close()
        finally:
            browser.close()
    assert not [url for url in requested if "plotly.min.js" in url]
    # Works offline: nothing is fetched from anywhere but the app.
    assert [url for url in requested if not url.startswith((base, "data:", "blob:"))] == []
    assert errors == []
    for path, (version, registered, graphs, types, drawn) in seen.items():
        assert version == get_plotlyjs_version(), path
        assert graphs > 0 and set(types) <= set(registered), (path, types, registered)
        assert len(drawn) == len(types), path  # plotly hides a trace whose type it does not know
    used = {t for (_, _, _, types, _) in seen.values() for t in types}
    assert used == {"bar", "scatter"}
