"""Fixtures: stores on SQLite and PostgreSQL, and apps built by the factory; the opt-in test groups.

`pytest` runs the fast suite. `--browser` adds the tests that drive headless Chromium (pages, axe,
chart images, packs) and `--slow` the audits over the whole demo store and the long property tests;
`.ci/run` passes both. Under pytest-xdist each worker gets a PostgreSQL database of its own.
"""
from __future__ import annotations

import fcntl
import os

import pytest
import sqlalchemy as sa
from playwright.sync_api import sync_playwright

from queries import catalogue
from queries.demo import load_demo
from queries.privacy import Policy
from queries.store import get_engine
from tests import browsing, monitor_fixtures
from tests.factories import cheap_hashes
from tests.stores import DEMO_TODAY, build_store, copy_store, fresh_store, pg_url

# Each test's app keeps its page cache in its own memory: copies of one template store share their
# data version, so a folder shared by the whole run could hand one test's pages to another. The
# shared folder has its own tests (tests/queries/catalogue/test_scale.py). Set before any app is
# built; servers the tests start inherit it.
os.environ["LOKET_CACHE_DIR"] = ""

OPT_IN = {"browser": "drives headless Chromium (needs /usr/bin/chromium)",
          "slow": "audits the whole demo store or runs long property tests"}


def pytest_addoption(parser):
    for marker, meaning in OPT_IN.items():
        parser.addoption(f"--{marker}", action="store_true", help=f"also run the tests that {meaning}")


def pytest_configure(config):
    # pytest-xdist hands out the files with the most tests first unless told not to ("loadscope reorder"):
    # that started the suite on the many short importer cases and left the 2-minute release audit for last
    # (the whole suite on 2 cores, 2026-12-04: 557 s so, 539 s in this order).
    if hasattr(config.option, "loadscopereorder"):
        config.option.loadscopereorder = False


def pytest_collection_modifyitems(config, items):
    for marker in OPT_IN:
        if config.getoption(marker):
            continue
        skip = pytest.mark.skip(reason=f"opt-in: run with --{marker}")
        for item in items:
            if marker in item.keywords:
                item.add_marker(skip)
    # Files with the long runs first (the slow audits, then the browser's): pytest-xdist hands out whole
    # files in this order (--dist loadfile; see pytest_configure), so the longest start at once and the rest
    # fills the other workers, instead of an audit of several minutes starting last. Stable: files keep their
    # order within a rank.
    chosen = [m for m in ("slow", "browser") if config.getoption(m)]
    rank = {}
    for item in items:
        found = [i for i, marker in enumerate(chosen) if marker in item.keywords]
        rank[item.path] = min(rank.get(item.path, len(chosen)), *found, len(chosen))
    items.sort(key=lambda item: rank[item.path])


@pytest.fixture(params=["sqlite", "postgresql"])
def any_store(request, tmp_path) -> sa.Engine:
    """An empty, migrated store on each supported database."""
    url = f"sqlite:///{tmp_path / 'store.sqlite'}" if request.param == "sqlite" else pg_url()
    return fresh_store(url)


@pytest.fixture
def sqlite_store(tmp_path) -> sa.Engine:
    return fresh_store(f"sqlite:///{tmp_path / 'store.sqlite'}")




def _fill_demo(engine: sa.Engine) -> None:
    load_demo(engine, until=DEMO_TODAY)
    catalogue.refresh(engine, Policy(), today=DEMO_TODAY)


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory, worker_id) -> sa.Engine:
    """The calibrated demo store with its published catalogue, built once per test run: under pytest-xdist the
    first worker builds it (its refresh then has every core) and each worker gets a copy of its own."""
    if worker_id == "master":
        path = build_store(tmp_path_factory.mktemp("demo") / "demo.sqlite", _fill_demo)
        return get_engine(f"sqlite:///{path}")
    shared = tmp_path_factory.getbasetemp().parent  # this run's folder, common to its workers
    built = shared / "demo.sqlite"
    with open(shared / "demo.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not built.exists():
            build_store(shared / "demo-building.sqlite", _fill_demo).rename(built)
    return copy_store(built, tmp_path_factory.mktemp("demo"))


# --- a browser on the app (tests marked browser) -------------------------------------------------------

@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The app on the monitor store in demo mode (so the demo accounts exist), on a free local port."""
    engine = monitor_fixtures.fresh_copy(tmp_path_factory, "browser")
    with browsing.serving(str(engine.url), tmp_path_factory.mktemp("instance") / "demo-credentials.txt") as served:
        yield served


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=browsing.CHROMIUM, args=browsing.ARGS)
        yield chromium
        chromium.close()


# --- apps and accounts -------------------------------------------------------------------------------------

@pytest.fixture
def fast_hashes(monkeypatch):
    """Cheap password hashes for one test (`tests.factories.cheap_hashes`)."""
    with cheap_hashes():
        yield
