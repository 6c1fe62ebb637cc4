"""The privacy layer: the rule, the linked relations, the attacker, and secondary suppression."""
import datetime as dt
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from queries import catalogue, privacy
from queries.privacy import linked, protect
from queries.accounts.access import Access
from queries.privacy.audit import audit_cells, audit_releases, audit_roles, exact_cells
from queries.store.codes import AGE_BANDS, CHANNELS, GENDERS, PRODUCTS, TARGET_GROUPS
from queries.privacy import Policy
from tests.stores import fresh_store
from tests.factories import add_registrations, add_units, registration

PROGRAMME = Access("t", "programme")


def test_rule_hides_one_to_k_minus_one_and_rounds_the_rest_to_five():
    policy = Policy()
    counts = np.array([0, 1, 9, 10, 12, 13, 17, 18, 1234])
    assert policy.is_primary(counts).tolist() == [False, True, True, False, False, False, False, False, False]
    assert policy.round(counts).tolist() == [0, 0, 10, 10, 10, 15, 15, 20, 1235]


def test_hiding_zeros_is_configurable():
    assert Policy(show_zeros=False).is_primary(np.array([0, 10])).tolist() == [True, False]


def test_rounded_figure_tells_the_attacker_a_five_wide_range():
    assert Policy().rounding_interval(25) == (23, 27)


def _store(tmp_path, rows, name="s.sqlite"):
    engine = fresh_store(f"sqlite:///{tmp_path / name}")
    with engine.begin() as conn:
        add_units(conn)
        if rows:
            add_registrations(conn, rows)
    return engine


def test_true_counts_satisfy_every_written_relation(tmp_path):
    rng = np.random.default_rng(1)
    rows = [registration(dt.date(2014, int(m), 3), str(u), target_group=str(g))
            for m, u, g in zip(rng.integers(1, 13, 300), rng.choice(["NN", "ON", "LB", "AM"], 300),
                               rng.choice(TARGET_GROUPS.values, 300))]
    engine = _store(tmp_path, rows)
    with engine.connect() as conn:
        counts = catalogue.build_counts(catalogue.read_populations(conn, "2014-12"), "2014-12")
    for block in linked.blocks(counts, catalogue.TABLES_BY_NAME):
        n = block.cells["n"].to_numpy()
        assert block.equalities.shape[0] > 0
        assert np.abs(block.equalities @ n).max() == 0
        assert (block.inequalities @ n).max(initial=0) <= 0


def _relations(block: linked.Block) -> set:
    """The block's equalities as (parent, children) by key: a row is sum(children) - parent == 0."""
    keys = list(block.cells[linked.KEY].itertuples(index=False, name=None))
    rows = block.equalities.tocsr()
    out = set()
    for r in range(rows.shape[0]):
        cols, vals = rows.indices[rows.indptr[r]:rows.indptr[r + 1]], rows.data[rows.indptr[r]:rows.indptr[r + 1]]
        (parent,) = [keys[c] for c, v in zip(cols, vals) if v == -1]
        out.add((parent, frozenset(keys[c] for c, v in zip(cols, vals) if v == 1)))
    return out


def test_each_relation_is_written_once_where_its_parent_cell_exists():
    total = [("registrations", scope, kind, period, "_total") for scope in ("NL", "NN", "ON")
             for kind, period in (("month", "2014-01"), ("month", "2014-02"), ("month", "2014-03"),
                                  ("quarter", "2014-Q1"), ("year", "2014"), ("month", "2014-04"))]
    gender = [("registrations_by_gender", "NN", "month", "2014-01", g) for g in GENDERS.values]
    cells = pd.DataFrame(total + gender, columns=linked.KEY).sample(frac=1, random_state=3)  # in no order
    relations = _relations(linked.build_block(cells, catalogue.TABLES_BY_NAME))

    def cell(scope, kind, period, table="registrations", category="_total"):
        return (table, scope, kind, period, category)
    expected = set()
    for scope in ("NL", "NN", "ON"):
        # April has no quarter cell here, so it is in no month -> quarter relation.
        months = frozenset(cell(scope, "month", f"2014-0{m}") for m in (1, 2, 3))
        expected.add((cell(scope, "quarter", "2014-Q1"), months))
        expected.add((cell(scope, "year", "2014"), frozenset([cell(scope, "quarter", "2014-Q1")])))
    for kind, period in (("month", "2014-01"), ("month", "2014-02"), ("month", "2014-03"), ("quarter", "2014-Q1"),
                         ("year", "2014"), ("month", "2014-04")):
        expected.add((cell("NL", kind, period), frozenset(cell(u, kind, period) for u in ("NN", "ON"))))
    # The breakdown sums to its unit's total; it has no quarter nor national cell to sum to.
    expected.add((cell("NN", "month", "2014-01"), frozenset(gender)))
    assert relations == expected


def test_unit_role_relations_leave_out_units_to_national(tmp_path):
    engine = _store(tmp_path, [registration(dt.date(2014, 3, 3), "NN")])
    with engine.connect() as conn:
        counts = catalogue.build_counts(catalogue.read_populations(conn, "2014-12"), "2014-12")
    mine = counts[counts["scope"].isin(["NL", "NN"])]
    full = linked.blocks(mine, catalogue.TABLES_BY_NAME, all_units=True)[0]
    unit = linked.blocks(mine, catalogue.TABLES_BY_NAME, all_units=False)[0]
    assert unit.equalities.shape[0] < full.equalities.shape[0]


def _plain_rule(cells: pd.DataFrame, policy: Policy) -> pd.DataFrame:
    """The NHS rule alone, with no secondary suppression: what PRIVACY.md warns about."""
    exact = exact_cells(cells, catalogue.TABLES_BY_NAME, policy)
    hidden = policy.is_primary(cells["n"].to_numpy())
    value = np.where(exact, cells["n"], policy.round(cells["n"].to_numpy())).astype(float)
    return cells.assign(value=np.where(hidden, np.nan, value), suppressed=hidden)


def _differencing_counts(tmp_path):
    """March 2014 in Noord-Nederland: 21 current staff and 4 managers, with the national total published exact."""
    rows = [registration(dt.date(2014, 3, 3), "NN") for _ in range(21)]
    rows += [registration(dt.date(2014, 3, 4), "NN", target_group="manager") for _ in range(4)]
    engine = _store(tmp_path, rows)
    with engine.connect() as conn:
        counts = catalogue.build_counts(catalogue.read_populations(conn, "2014-12"), "2014-12")
    return counts, Policy(exact_national_total=True)


def test_plain_rule_is_undone_by_differencing_and_secondary_suppression_prevents_it(tmp_path):
    # March 2014: 21 current staff and 4 managers; with the national total exact, "managers"
    # = 25 - (20 +- 2) is pinned to 3..7 under the plain rule.
    counts, policy = _differencing_counts(tmp_path)

    plain = audit_cells(_plain_rule(counts, policy), policy, PROGRAMME, catalogue.TABLES_BY_NAME)
    assert not plain.narrow.empty
    assert plain.narrowest < policy.k / 2

    published, protection = catalogue.publish(counts, policy)
    assert protection.secondary.sum() >= 1
    protected = audit_cells(counts.assign(value=published["value"], suppressed=published["suppressed"]),
                            policy, PROGRAMME, catalogue.TABLES_BY_NAME)
    assert protected.narrow.empty
    assert protected.narrowest >= policy.k / 2


def test_protecting_and_auditing_print_nothing(tmp_path, capfd):
    counts, policy = _differencing_counts(tmp_path)
    capfd.readouterr()
    published, protection = catalogue.publish(counts, policy)
    report = audit_cells(counts.assign(value=published["value"], suppressed=published["suppressed"]),
                         policy, PROGRAMME, catalogue.TABLES_BY_NAME)
    assert protection.secondary.sum() >= 1 and report.narrow.empty  # the solver did run
    assert capfd.readouterr() == ("", "")


def test_the_solver_prints_no_banner_in_a_fresh_process():
    # HiGHS prints its licence banner once per process, at the first instance whose output is on.
    code = ("import numpy as np, scipy.sparse as sp\n"
            "from queries.privacy.solver import programme\n"
            "h = programme(sp.csr_matrix(np.ones((1, 2))), np.zeros(2), np.ones(2), np.ones(1), np.ones(1),"
            " np.ones(2))\n"
            "h.run()\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          cwd=Path(__file__).resolve().parents[3])
    assert (done.stdout, done.stderr) == ("", "")


def test_the_protection_salt_covers_every_module_of_the_privacy_package(monkeypatch):
    files = sorted(Path(privacy.__file__).parent.glob("*.py"))
    assert len(protect.privacy_modules()) == len(files) > 5
    before, read = protect.code_digest(), Path.read_bytes
    for changed in files:
        monkeypatch.setattr(Path, "read_bytes", lambda self, c=changed: read(self) + b"#" * (self == c))
        assert protect.code_digest() != before, f"{changed.name} is not in the protection's digest"
    monkeypatch.undo()
    assert protect.code_digest() == before


def test_published_counts_are_zero_or_rounded_multiples_of_five_of_at_least_k(tmp_path):
    rng = np.random.default_rng(7)
    rows = [registration(dt.date(2014, int(m), 5), str(u), product=str(p))
            for m, u, p in zip(rng.integers(1, 13, 400), rng.choice(["NN", "ON", "RT"], 400),
                               rng.choice(PRODUCTS.values, 400))]
    engine = _store(tmp_path, rows)
    catalogue.refresh(engine, Policy(), today=dt.date(2015, 1, 10))
    with engine.connect() as conn:
        cells = pd.read_sql("SELECT table_name, value, suppressed FROM published_cells", conn)
    counts = cells[cells["table_name"].isin(catalogue.TABLES_BY_NAME) & ~cells["suppressed"].astype(bool)]
    assert len(counts) > 100
    assert ((counts["value"] == 0) | ((counts["value"] >= 10) & (counts["value"] % 5 == 0))).all()
    assert cells.loc[cells["suppressed"].astype(bool), "value"].isna().all()


small_registrations = st.lists(
    st.tuples(st.integers(1, 12), st.sampled_from(["NN", "ON", "LB"]), st.sampled_from(TARGET_GROUPS.values[:4]),
              st.sampled_from(CHANNELS.values), st.sampled_from(GENDERS.values), st.sampled_from(AGE_BANDS.values[:3])),
    min_size=1, max_size=90,
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@pytest.mark.slow  # about 100 s: a refresh and a whole-number audit for each of 12 random stores
@given(small_registrations)
def test_no_hidden_count_in_a_small_store_can_be_narrowed_below_k_half(tmp_path_factory, rows):
    engine = _store(tmp_path_factory.mktemp("h"), [
        registration(dt.date(2014, m, 10), u, target_group=g, channel=c, gender=s, age_band=a)
        for m, u, g, c, s, a in rows
    ])
    policy = Policy()
    catalogue.refresh(engine, policy, today=dt.date(2015, 1, 10))
    cells, _until = catalogue.counts_beside_publication(engine)
    for access in (PROGRAMME, Access("t", "unit", "NN")):
        report = audit_cells(cells, policy, access, catalogue.TABLES_BY_NAME)
        assert report.narrow.empty, report.narrow.to_string()


def test_roles_attacked_side_by_side_report_what_one_at_a_time_does(tmp_path):
    rows = [registration(dt.date(2014, 3, 3), unit) for unit in ("NN", "ON") for _ in range(12)]
    rows += [registration(dt.date(2014, 3, 4), "NN", target_group="manager") for _ in range(4)]
    engine = _store(tmp_path, rows)
    policy = Policy()
    catalogue.refresh(engine, policy, today=dt.date(2015, 1, 10))
    cells, _until = catalogue.counts_beside_publication(engine)
    releases = [cells.assign(version=0)]
    roles = [PROGRAMME, Access("t", "unit", "NN"), Access("t", "unit", "ON")]
    one_by_one = [audit_releases(releases, policy, a, catalogue.TABLES_BY_NAME) for a in roles]
    side_by_side = list(audit_roles(releases, policy, roles, catalogue.TABLES_BY_NAME, workers=2))
    assert [(r.role, r.unit) for r in side_by_side] == [("programme", None), ("unit", "NN"), ("unit", "ON")]
    for alone, together in zip(one_by_one, side_by_side):
        assert (together.cells, together.hidden) == (alone.cells, alone.hidden)
        assert together.hidden > 0 and together.narrow.empty and alone.narrow.empty
        # The unit roles start from the programme's tables, which certify a width of at least k/2
        # without solving each cell to its end: a certified width, never more than the true one.
        assert policy.k / 2 <= together.narrowest <= alone.narrowest
    assert side_by_side[0].narrowest == one_by_one[0].narrowest


def test_a_unit_started_from_the_programmes_tables_pins_what_it_pins_alone(tmp_path):
    # The plain rule on the store of the differencing test: the programme pins "managers", and so
    # does the unit, which sees the national figures. Started from the programme's tables, the
    # unit's attacker must find the same cells with the same bounds: the start only saves work.
    counts, policy = _differencing_counts(tmp_path)
    releases = [_plain_rule(counts, policy).assign(version=0)]
    unit, tables = Access("t", "unit", "NN"), catalogue.TABLES_BY_NAME
    stronger = audit_releases(releases, policy, PROGRAMME, tables)
    alone = audit_releases(releases, policy, unit, tables)
    started = audit_releases(releases, policy, unit, tables, stronger=stronger)
    assert not stronger.narrow.empty and not alone.narrow.empty
    columns = [*linked.KEY, "lower", "upper"]
    ordered = [r.narrow[columns].sort_values(linked.KEY, ignore_index=True) for r in (alone, started)]
    pd.testing.assert_frame_equal(*ordered)
    assert started.narrowest == alone.narrowest
