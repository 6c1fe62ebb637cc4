"""Driving Debian's Chromium with Playwright: the settings, the opt-in mark, and what every browser test does."""
from __future__ import annotations

import os
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
