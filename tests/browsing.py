"""Driving Debian's Chromium with Playwright: the settings, the opt-in mark, and what every browser test does."""
from __future__ import annotations

import contextlib
import json
import os
import socket
import threading
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
HERE = Path(__file__).resolve().parent
AXE = HERE / "vendor" / "axe.min.js"
ARTIFACTS = HERE / "artifacts"
# Pages without charts, and what shows they are laid out.
NO_CHARTS = {"/definities": "article.definition", "/streefwaarden": "#targets-history"}

# Every test that drives Chromium (pages, axe, chart images, packs) carries these: --browser runs them,
# and under CI a missing Chromium fails them rather than skipping.
MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists() and os.environ.get("CI") != "true",
                       reason="needs /usr/bin/chromium (apt-get install chromium); required under CI"),
]


def mark(test):
    """Mark one test as driving Chromium (see MARKS)."""
    for m in reversed(MARKS):
        test = m(test)
    return test


def context(browser, server, role: str, **kwargs):
    return browser.new_context(http_credentials={"username": role, "password": server["passwords"][role]},
                               viewport={"width": 1366, "height": 900}, locale="nl-NL", **kwargs)


def watch(page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    return errors


def wait_for_page(page, path: str) -> None:
    if path in NO_CHARTS:
        page.wait_for_selector(NO_CHARTS[path], timeout=30000)
    else:
        page.wait_for_selector(".card .main-svg", timeout=30000)
        page.wait_for_function("document.querySelectorAll('.card .js-plotly-plot').length === "
                               "document.querySelectorAll('.card .dash-graph').length", timeout=30000)


def shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")
    return path


def axe_violations(page) -> list[dict]:
    """Return what axe-core finds on the page (it is injected as a script; see the browser tests on the CSP)."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => JSON.stringify(await axe.run(document, {resultTypes: ['violations']}))")
    return json.loads(result)["violations"]


@contextlib.contextmanager
def serving(database_url: str, credentials: Path):
    """Serve the app on a store in demo mode (so the demo accounts exist) on a free local port; yield its URL and
    the demo accounts' passwords."""
    from dashboard import create_app
    from werkzeug.serving import make_server

    app = create_app({"DATABASE_URL": database_url, "DEMO_MODE": True, "TESTING": False,
                      "DEMO_CREDENTIALS": str(credentials)})
    passwords = {line.split()[0]: line.split()[1] for line in credentials.read_text().splitlines()
                 if line and not line.startswith("#")}
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    httpd = make_server("127.0.0.1", port, app.server, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield {"url": f"http://127.0.0.1:{port}", "passwords": passwords}
    finally:
        httpd.shutdown()
        thread.join(timeout=10)
