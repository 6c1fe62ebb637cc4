"""Releases that stay safe when users keep last month's files: the ledger, a stable past, revisions, the union audit."""
import datetime as dt

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from dashboard.ui.texts import hidden_sentence
from queries import catalogue
from queries.catalogue import indicators
from queries.privacy import releases
from queries.accounts.access import Access
from queries.privacy.audit import audit_releases
from queries.store.codes import PRODUCTS, TARGET_GROUPS
from queries.privacy.linked import KEY
from queries.privacy import Policy
from queries.store.schema import CellTruth, ReleaseCell
from tests.stores import fresh_store
from tests.factories import add_registrations, add_units, registration
from tests.release_history import as_held_on, reuse_protection

PROGRAMME = Access("t", "programme")
POLICY = Policy()


def _rows(months, n=260, seed=3, day=5):
    rng = np.random.default_rng(seed)
    return [registration(dt.date(2014, int(m), day), str(u), product=str(p), target_group=str(g),
                         closed_on=dt.date(2014, int(m), day) + dt.timedelta(days=int(c)) if c < 60 else None,
                         referral_outcome="back_to_unit" if c < 60 else None,
                         work_status="working" if c < 60 else None, sessions_count=3)
            for m, u, p, g, c in zip(rng.choice(months, n), rng.choice(["NN", "ON", "LB", "AM"], n),
                                     rng.choice(PRODUCTS.values[:3], n), rng.choice(TARGET_GROUPS.values[:3], n),
                                     rng.integers(10, 120, n))]


def _store(engine, rows):
    with engine.begin() as conn:
        add_units(conn)
        add_registrations(conn, rows)
    return engine


def _published(engine) -> pd.DataFrame:
    with engine.connect() as conn:
        cells = pd.read_sql("SELECT table_name, scope, period_type, period, category, value, suppressed, revised "
                            "FROM published_cells", conn)
    return cells.astype({"suppressed": bool, "revised": bool})


def _same(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """Return the cells of a that b publishes differently (value or status)."""
    both = a.merge(b, on=KEY, suffixes=("_a", "_b"))
    differs = (both["suppressed_a"] != both["suppressed_b"]) | ~(
        (both["value_a"] == both["value_b"]) | (both["value_a"].isna() & both["value_b"].isna()))
    return both[differs]


def _union(engine, access=PROGRAMME):
    history = [cells for _id, cells in catalogue.release_history(engine)]
    return audit_releases(history, POLICY, access, catalogue.TABLES_BY_NAME)


def test_every_refresh_is_a_release_and_the_ledger_keeps_what_it_published(any_store):
    engine = _store(any_store, _rows([1, 2, 3]))
    first = catalogue.refresh(engine, POLICY, today=dt.date(2014, 4, 2))
    second = catalogue.refresh(engine, POLICY, today=dt.date(2014, 4, 2))
    assert second.id == first.id + 1 and second.code_digest == first.code_digest and len(first.code_digest) == 16
    with engine.connect() as conn:
        per_release = dict(conn.execute(sa.select(ReleaseCell.release_id, sa.func.count())
                                        .group_by(ReleaseCell.release_id)).all())
        states = dict(releases.states(conn, list(catalogue.TABLES_BY_NAME)))
    # The second release published the same: the ledger has nothing new for it, and it reads back as the first.
    assert per_release[first.id] == first.cells + _published(engine)["table_name"].isin(
        [*catalogue.MEASURES_BY_NAME, *catalogue.PUBLIC_TABLES]).sum()
    assert second.id not in per_release
    assert second.revised_cells == 0
    now = _published(engine)
    counts = now[now["table_name"].isin(catalogue.TABLES_BY_NAME)]
    as_kept = states[first.id]
    assert len(as_kept) == len(counts) and _same(counts, as_kept).empty


def test_a_new_month_leaves_every_cell_already_published_as_it_was(any_store):
    engine = _store(any_store, _rows([1, 2, 3], seed=5))
    catalogue.refresh(engine, POLICY, today=dt.date(2014, 4, 2))
    before = _published(engine)
    with engine.begin() as conn:
        add_registrations(conn, _rows([4], n=60, seed=6))
    run = catalogue.refresh(engine, POLICY, today=dt.date(2014, 5, 2))
    after = _published(engine)
    assert run.revised_cells == 0
    assert len(after) > len(before)
    changed = _same(before, after)
    assert changed.empty, changed.head().to_string()
    assert not after["revised"].any()
    assert _union(engine).narrow.empty


def test_late_data_is_published_as_a_marked_revision_and_the_union_stays_safe(any_store):
    engine = _store(any_store, _rows([1, 2, 3], seed=8))
    catalogue.refresh(engine, POLICY, today=dt.date(2014, 4, 2))
    before = _published(engine)
    # Registrations for February entered late, after February was published.
    late = [registration(dt.date(2014, 2, 20), "NN", product="short_term") for _ in range(3)]
    with engine.begin() as conn:
        add_registrations(conn, late)
    run = catalogue.refresh(engine, POLICY, today=dt.date(2014, 4, 3))
    after = _published(engine)
    assert run.revised_cells > 0
    revised = after[after["revised"]]
    assert (revised["period"].isin(["2014-02", "2014-Q1"])).all()
    feb = after[(after["table_name"] == "registrations") & (after["scope"] == "NL") & (after["period"] == "2014-02")]
    assert feb["revised"].all()
    # Revised cells got a new version with its own true count; unrevised cells kept theirs.
    with engine.connect() as conn:
        versions = pd.read_sql(sa.select(CellTruth.table_name, CellTruth.period, CellTruth.version), conn)
    assert versions["version"].max() == 1
    assert set(versions.loc[versions["version"] == 1, "period"]) <= {"2014-02", "2014-Q1", "2014"}
    untouched = before[before["period"] == "2014-03"]
    assert _same(untouched, after).empty
    for access in (PROGRAMME, Access("t", "unit", "NN")):
        report = _union(engine, access)
        assert report.releases == 2
        assert report.narrow.empty, report.narrow.to_string()


def test_closures_count_in_their_closure_month_so_a_closed_month_never_changes(sqlite_store):
    rows = _rows([1, 2], seed=9)
    engine = _store(sqlite_store, rows)
    catalogue.refresh(engine, POLICY, today=dt.date(2014, 3, 2))
    with engine.connect() as conn:
        before = catalogue.read_cells(conn, "closures", "month", ["NL"])
    assert "registrations_by_referral" not in catalogue.TABLES_BY_NAME  # no table keyed by registration month evolves
    for table in ("closures_by_referral", "closures_by_work_status", "closures_by_tcl_referral"):
        assert "open" not in catalogue.TABLES_BY_NAME[table].codes
    catalogue.refresh(engine, POLICY, today=dt.date(2014, 6, 2))  # later closures of the same registrations
    with engine.connect() as conn:
        after = catalogue.read_cells(conn, "closures", "month", ["NL"])
    assert before.equals(after[after["period"].isin(before["period"])].reset_index(drop=True))


@pytest.mark.slow
def test_the_august_september_2026_pattern_change_is_gone(demo_store, tmp_path):
    # Data up to August 2026, then September added. Protected afresh (as every release was
    # before the ledger), the September release hides and shows 2026 cells differently from
    # the August one; with the ledger every cell published in August keeps its figure. The
    # years before 2026 are final, so their blocks are the demo store's, protected once.
    store = fresh_store(f"sqlite:///{tmp_path / 'releases.sqlite'}")
    reuse_protection(demo_store, store)
    as_held_on(demo_store, store, dt.date(2026, 9, 2))
    catalogue.refresh(store, POLICY, today=dt.date(2026, 9, 2))
    august = _published(store)
    as_held_on(demo_store, store, dt.date(2026, 10, 2))
    run = catalogue.refresh(store, POLICY, today=dt.date(2026, 10, 2))
    september = _published(store)
    assert run.revised_cells == 0
    assert _same(august, september).empty

    afresh = fresh_store(f"sqlite:///{tmp_path / 'afresh.sqlite'}")
    reuse_protection(demo_store, afresh)
    as_held_on(demo_store, afresh, dt.date(2026, 10, 2))
    first = catalogue.refresh(afresh, POLICY, today=dt.date(2026, 10, 2))
    assert 0 < first.blocks_protected < first.blocks, "only the blocks of 2026 are protected again"
    changed = _same(august[august["period"].str.startswith("2026")], _published(afresh))
    assert (changed["suppressed_a"] != changed["suppressed_b"]).any(), "protected afresh, the pattern changes"


def test_every_release_keeps_what_users_lose_and_the_definitions_page_says_it_in_one_sentence(sqlite_store):
    engine = _store(sqlite_store, _rows([1, 2, 3], seed=11))
    catalogue.refresh(engine, POLICY, today=dt.date(2014, 4, 2))
    losses = indicators.information_loss(engine)
    row = losses["registrations"]["national", "month"]
    assert row["figures"] == 23 and row["hidden_by_rule"] == row["lost"] == 0  # May 2012 - March 2014, all shown
    assert hidden_sentence("registrations", losses, POLICY.k, "en") == "This figure is never hidden."
    key = next(k for k, levels in losses.items() if levels.get(("national", "month"), {}).get("hidden_by_rule"))
    sentence = hidden_sentence(key, losses, POLICY.k, "en")
    assert sentence.startswith("In the latest release this figure is not shown nationally per month")
    assert f"fewer than {POLICY.k} clients" in sentence and sentence.count(".") == 1
    assert hidden_sentence("website_visits", losses, POLICY.k, "nl") is None  # public figures are never hidden
