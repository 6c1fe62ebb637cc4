"""National scale: the refresh's block cache and lock, column-wise reading, the page cache, compression."""
from __future__ import annotations

import datetime as dt
import json
import re
import threading
import time
from pathlib import Path

import dash
import pandas as pd
import pytest
import sqlalchemy as sa

from dashboard.web import cache
from dashboard import create_app
from dashboard.config import Config
from tests.http_client import router_request
from tests.http_client import basic_auth_header
from dashboard.ui.texts import t
from queries import catalogue
from queries.ingest import columns
from queries.catalogue import counting, indicators
from queries.privacy import Policy
from queries.store.schema import CatalogueRefresh, IndicatorTarget, ProtectedBlock
from tests import monitor_fixtures
from tests.stores import pg_url, fresh_store
from tests.factories import add_registrations, add_units, registration
from tests.monitor_fixtures import PROGRAMME, UNIT

TODAY = dt.date(2015, 1, 10)


def _rows(year: int, units=("NN", "ON"), per_month: int = 3) -> list[dict]:
    return [registration(dt.date(year, m, 3 + i), u, closed_on=dt.date(year, m, 20) if i == 0 else None)
            for m in range(1, 13) for u in units for i in range(per_month)]


def _filled(engine: sa.Engine) -> sa.Engine:
    with engine.begin() as conn:
        add_units(conn)
        add_registrations(conn, _rows(2013) + _rows(2014))
    return engine


def _cells(engine: sa.Engine) -> pd.DataFrame:
    with engine.connect() as conn:
        cells = pd.read_sql("SELECT table_name, scope, period_type, period, category, value, suppressed "
                            "FROM published_cells", conn)
    cells["suppressed"] = cells["suppressed"].astype(bool)
    return cells.sort_values(["table_name", "scope", "period_type", "period", "category"]).reset_index(drop=True)


def test_a_refresh_attacks_only_the_blocks_whose_counts_changed_and_matches_a_full_run(any_store):
    engine = _filled(any_store)
    first = catalogue.refresh(engine, Policy(), today=TODAY)
    assert first.blocks > 0 and first.blocks_protected == first.blocks
    before = _cells(engine)

    again = catalogue.refresh(engine, Policy(), today=TODAY)
    assert again.blocks_protected == 0
    pd.testing.assert_frame_equal(_cells(engine), before)

    # A late registration in 2014 (with its intake) changes the registrations and intakes blocks of 2014 only.
    with engine.begin() as conn:
        add_registrations(conn, [registration(dt.date(2014, 6, 4), "LB")])
    after = catalogue.refresh(engine, Policy(), today=TODAY)
    assert after.blocks_protected == 2
    assert after.revised_cells > 0
    incremental = _cells(engine)
    assert not incremental.equals(before)

    with engine.begin() as conn:
        conn.execute(sa.delete(ProtectedBlock))
    full = catalogue.refresh(engine, Policy(), today=TODAY)
    assert full.blocks_protected == full.blocks
    pd.testing.assert_frame_equal(_cells(engine), incremental)


def test_another_policy_protects_every_block_afresh(sqlite_store):
    engine = _filled(sqlite_store)
    catalogue.refresh(engine, Policy(), today=TODAY)
    other = catalogue.refresh(engine, Policy(k=15), today=TODAY)
    assert other.blocks_protected == other.blocks


def test_two_refreshes_of_one_store_never_run_at_once(any_store, monkeypatch):
    engine = _filled(any_store)
    spans, original = [], counting.build_counts

    def slow_counts(*args, **kwargs):
        started = time.monotonic()
        time.sleep(0.6)
        spans.append((started, time.monotonic()))
        return original(*args, **kwargs)

    monkeypatch.setattr(counting, "build_counts", slow_counts)
    errors = []

    def run():
        try:
            catalogue.refresh(engine, Policy(), today=TODAY)
        except Exception as exc:  # surfaced below: a thread's exception would otherwise vanish
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors
    (a_start, a_end), (b_start, b_end) = sorted(spans)
    assert b_start >= a_end  # the second waited for the first to commit
    with engine.connect() as conn:
        assert len(conn.execute(sa.text("SELECT id FROM catalogue_refreshes")).all()) == 2


def test_sqlite_and_postgresql_publish_the_same_catalogue(tmp_path):
    lite = _filled(fresh_store(f"sqlite:///{tmp_path / 'store.sqlite'}"))
    pg = _filled(fresh_store(pg_url()))
    for engine in (lite, pg):
        with engine.begin() as conn:  # NULLs and booleans of every kind the reader has to tell apart
            add_registrations(conn, [
                registration(dt.date(2014, m, 9), "NN", tcl_done=True, tcl_above_cutoff=m % 2 == 0,
                             referral_outcome="external_mental_health" if m % 3 else None,
                             closed_on=dt.date(2014, m, 25) if m % 3 else None, anonymity_wish=m % 4 == 0,
                             anonymity_reason="private" if m % 4 == 0 else None,
                             first_intake_on=None if m % 5 == 0 else dt.date(2014, m, 12))
                for m in range(1, 13) for _ in range(4)])
        catalogue.refresh(engine, Policy(), today=TODAY)
    pd.testing.assert_frame_equal(_cells(lite), _cells(pg))


def test_columns_read_through_arrow_keep_types_and_missing_values_and_see_new_rows(any_store):
    engine = _filled(any_store)
    query = sa.select(sa.table("registrations", sa.column("registered_on"), sa.column("closed_on"),
                               sa.column("unit_code"), sa.column("anonymity_wish")))
    with engine.connect() as conn:
        df = columns.frame(columns.read_tables(conn, {"r": query})["r"], {"unit_code": ["NN", "ON"]})
    assert len(df) == 2 * 2 * 12 * 3
    assert set(df["unit_code"].cat.categories) == {"NN", "ON"} and df["unit_code"].notna().all()
    assert df["closed_on"].isna().sum() == 2 * 2 * 12 * 2  # two of every three are still open
    assert pd.to_datetime(df["registered_on"]).dt.year.isin([2013, 2014]).all()
    # The readers never share the app's SQLite library (see queries/ingest/columns.py): what the app
    # commits next is seen by the next read, and the app's connections keep working.
    with engine.begin() as conn:
        add_registrations(conn, [registration(dt.date(2014, 6, 4), "LB")])
    with engine.connect() as conn:
        again = columns.read_tables(conn, {"r": query})["r"]
        assert again.num_rows == len(df) + 1
        assert conn.execute(sa.text("SELECT count(*) FROM registrations")).scalar_one() == len(df) + 1


def test_codes_outside_the_code_lists_stop_the_refresh_with_a_clear_reason(sqlite_store, monkeypatch, capsys):
    from dashboard import cli

    engine = _filled(sqlite_store)
    catalogue.refresh(engine, Policy(), today=TODAY)
    before = _cells(engine)
    # The importer refuses such rows; another writer of the store might not.
    with engine.begin() as conn:
        add_registrations(conn, [registration(dt.date(2014, 6, 4), "LB", product="weekend_course")])
    with pytest.raises(columns.UnknownCodes, match=r"product codes outside the code list \(weekend_course\)"):
        catalogue.refresh(engine, Policy(), today=TODAY)
    pd.testing.assert_frame_equal(_cells(engine), before)  # the published catalogue stays as it was

    monkeypatch.setenv("DATABASE_URL", str(engine.url))
    monkeypatch.setenv("LOKET_DEMO", "0")
    assert cli.main(["refresh"]) == 2
    assert "nothing published: the store holds product codes outside the code list" in capsys.readouterr().err


# --- the page cache --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def monitor_store(tmp_path_factory):
    return monitor_fixtures.fresh_copy(tmp_path_factory, "cache")


def _app(store_engine, seconds: int = 3600, folder: str = ""):
    return create_app({"DATABASE_URL": str(store_engine.url), "DEMO_MODE": False, "TESTING": True,
                       "CACHE_SECONDS": seconds, "CACHE_DIR": folder})


def _page(app, who, path="/", search="?periode=year") -> str:
    response = app.server.test_client().post("/_dash-update-component", json=router_request(path, search),
                                             headers={"Authorization": basic_auth_header(*who)})
    assert response.status_code == 200
    return json.dumps(response.get_json()["response"]["_pages_content"], sort_keys=True, ensure_ascii=False)


def _cached_pages(app) -> int:
    with app.server.app_context():
        return sum(1 for k in cache.cache.cache._cache if "page:" in k)


def test_cached_pages_never_cross_scopes(monitor_store):
    cached, fresh = _app(monitor_store), _app(monitor_store, seconds=0)
    for path in ("/", "/aanmeldingen", "/wachttijden"):
        programme = _page(cached, PROGRAMME, path)
        unit = _page(cached, UNIT, path)  # the same URL right after the programme manager's
        forged = _page(cached, UNIT, path, "?periode=year&eenheid=ON")
        assert unit != programme
        assert unit == _page(fresh, UNIT, path)
        assert programme == _page(fresh, PROGRAMME, path)
        assert _page(fresh, UNIT, path, "?periode=year&eenheid=ON") == forged  # a unit's scope comes from the server


def test_a_view_is_rendered_once_then_served_from_the_cache(monitor_store):
    app = _app(monitor_store)
    first = _page(app, PROGRAMME, "/aanmeldingen", "?periode=quarter")
    stored = _cached_pages(app)
    assert stored >= 1
    assert _page(app, PROGRAMME, "/aanmeldingen", "?periode=quarter") == first
    assert _cached_pages(app) == stored
    _page(app, PROGRAMME, "/aanmeldingen", "?periode=month")
    assert _cached_pages(app) == stored + 1


def test_the_workers_of_a_host_share_the_page_folder(monitor_store, tmp_path, monkeypatch):
    # Two apps on one folder stand for two gunicorn workers: a view one rendered is a hit in the other.
    first, second = _app(monitor_store, folder=str(tmp_path)), _app(monitor_store, folder=str(tmp_path))
    rendered = []
    original = cache.to_json_plotly
    monkeypatch.setattr(cache, "to_json_plotly", lambda *a, **k: rendered.append(1) or original(*a, **k))
    page = _page(first, PROGRAMME, "/wachttijden")
    assert len(rendered) == 1 and any(tmp_path.iterdir())
    assert _page(second, PROGRAMME, "/wachttijden") == page
    assert len(rendered) == 1  # served from the folder, not rendered again
    assert _page(second, UNIT, "/wachttijden") != page and len(rendered) == 2  # another scope: its own page


def test_the_data_version_tells_a_store_built_again_from_its_predecessor(monitor_store):
    # A store built again counts its refreshes, expected values and events from 1 again; only the
    # refresh's time tells it apart, and a page folder outlives the store that filled it.
    before = catalogue.data_version(monitor_store)
    with monitor_store.begin() as conn:
        latest, at = conn.execute(sa.select(CatalogueRefresh.id, CatalogueRefresh.refreshed_at)
                                  .order_by(CatalogueRefresh.id.desc()).limit(1)).one()
        conn.execute(sa.update(CatalogueRefresh).where(CatalogueRefresh.id == latest)
                     .values(refreshed_at=at + dt.timedelta(seconds=1)))
    assert catalogue.data_version(monitor_store) != before


def test_a_new_expected_value_or_refresh_replaces_the_cached_pages(monitor_store):
    app = _app(monitor_store)
    _page(app, PROGRAMME)
    stored = _cached_pages(app)
    with monitor_store.begin() as conn:
        conn.execute(sa.insert(IndicatorTarget), {"indicator": "registrations", "expected_value": 40.0,
                                                  "valid_from": dt.date(2013, 1, 1), "rationale": "test"})
    _page(app, PROGRAMME)
    assert _cached_pages(app) == stored + 1
    catalogue.refresh(monitor_store, Policy(), today=monitor_fixtures.TODAY)
    _page(app, PROGRAMME)
    assert _cached_pages(app) == stored + 2


def test_a_page_showing_a_store_failure_is_not_kept(monitor_store, monkeypatch):
    app = _app(monitor_store)
    original = indicators.published_periods

    def down(*args, **kwargs):
        raise sa.exc.OperationalError("SELECT 1", {}, Exception("the store is down"))

    monkeypatch.setattr(indicators, "published_periods", down)
    failed = _page(app, PROGRAMME, "/wachttijden")
    monkeypatch.setattr(indicators, "published_periods", original)
    recovered = _page(app, PROGRAMME, "/wachttijden")
    assert t("app.store_down", "nl") in failed
    assert t("app.store_down", "nl") not in recovered and "Graph" in recovered


def test_admin_pages_are_never_cached(monitor_store):
    _app(monitor_store)
    cached = {p["relative_path"] for p in dash.page_registry.values() if getattr(p["layout"], "loket_cached", False)}
    assert "/" in cached and "/aanmeldingen" in cached
    assert not {"/beheer/logboek", "/beheer/import", "/streefwaarden"} & cached


def test_responses_are_compressed(monitor_store):
    client = _app(monitor_store).server.test_client()
    auth = {"Authorization": basic_auth_header(*PROGRAMME)}
    html = client.get("/", headers=auth).get_data(as_text=True)
    assert client.get("/", headers={**auth, "Accept-Encoding": "gzip"}).headers["Content-Encoding"] == "gzip"
    scripts = [src for src in re.findall(r'src="([^"]+\.js[^"]*)"', html) if "_dash-component-suites" in src]
    script = max(scripts, key=lambda src: len(client.get(src, headers=auth).get_data()))
    plain = client.get(script, headers=auth)
    packed = client.get(script, headers={**auth, "Accept-Encoding": "gzip"})
    assert packed.status_code == 200 and packed.headers["Content-Encoding"] == "gzip"
    assert "Content-Encoding" not in plain.headers  # a client that cannot unpack gets it plain
    assert len(packed.get_data()) < len(plain.get_data()) / 3


def test_without_redis_the_default_page_cache_is_a_folder_in_instance(monkeypatch):
    monkeypatch.delenv("LOKET_CACHE_DIR")  # the suite keeps each app's pages in memory (tests/conftest.py)
    monkeypatch.delenv("REDIS_URL", raising=False)
    settings = cache.settings(Config())
    assert settings["CACHE_TYPE"] == "dashboard.web.cache.PageFolder"
    assert Path(settings["CACHE_DIR"]).parent.name == "instance"
    assert cache.settings(Config(REDIS_URL="redis://cache:6379/0"))["CACHE_TYPE"] == "RedisCache"
    assert cache.settings(Config(CACHE_DIR=""))["CACHE_TYPE"] == "SimpleCache"


def test_a_full_page_folder_makes_room_in_a_batch_not_on_every_write(tmp_path, monkeypatch):
    folder = cache.PageFolder(str(tmp_path), threshold=10, default_timeout=3600)
    scans = []
    original = cache.PageFolder._remove_older
    monkeypatch.setattr(cache.PageFolder, "_remove_older", lambda self: scans.append(1) or original(self))
    for i in range(30):
        folder.set(f"page-{i}", "x" * 100)
    assert folder.get("page-29") == "x" * 100  # the newest is kept
    assert folder.get("page-0") is None  # the oldest made room
    assert len(scans) <= 30 // 3  # a batch of room each time, not a pass over the folder per write
    assert sum(1 for _ in folder._list_dir()) <= 11 and folder._file_count <= 11
