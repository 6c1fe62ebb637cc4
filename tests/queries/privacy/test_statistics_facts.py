"""Published statistics say nothing of their counts beyond "at least k", and the attacker uses all they say."""
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

from queries import catalogue
from queries.catalogue import counting
from queries.privacy import linked
from queries.privacy.audit import AT_LEAST_K, BELOW_K, UNBOUNDED, Attacker, knowledge
from queries.privacy import Policy, integer_width

POLICY = Policy()


def _published(values) -> dict[str, float]:
    rows = pd.DataFrame({"value": np.asarray(values, dtype=float), "g": 0})
    return counting._statistics(rows, ["g"], ("median", "p80")).iloc[0].to_dict()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 120), min_size=1, max_size=60))
def test_medians_and_percentiles_are_one_clients_whole_value(days):
    stats = _published(days)
    for name in ("median", "p80"):
        assert stats[name] in days  # an order statistic: never a .5, never interpolated
        assert float(stats[name]).is_integer()
    assert stats["clients"] == len(days)


def test_a_half_median_gives_the_counts_parity_away_and_a_whole_number_one_does_not():
    # National "intake: yes", March 2019 (issue 21): shown as 45, so 43..47; the total 50, so
    # 48..52; "intake: no" = total - yes is then 1..9 wide. With the old median 7.5 (an even count)
    # and an interpolated P80 of 12.8 (count - 1 not a multiple of 5), "yes" is 44 and "no" 4..8.
    block = linked.Block(pd.DataFrame({"cell": ["total", "yes", "no"]}),
                         sp.csr_matrix(np.array([[-1.0, 1.0, 1.0]])), sp.csr_matrix((0, 3)))
    truth = np.array([48.0, 44.0, 4.0])
    lower, upper = np.array([48.0, 43.0, 0.0]), np.array([52.0, 47.0, UNBOUNDED])
    free = Attacker(block, lower, upper).intervals(np.array([2]), truth, POLICY.k / 2)
    assert integer_width(free.lower, free.upper)[0] >= POLICY.k / 2
    # What the old statistics told, added as bounds: yes even, so 44 or 46, and not 46: exactly 44.
    told = Attacker(block, np.array([48.0, 44.0, 0.0]), np.array([52.0, 44.0, UNBOUNDED]))
    pinned = told.intervals(np.array([2]), truth, POLICY.k / 2)
    assert integer_width(pinned.lower, pinned.upper)[0] < POLICY.k / 2
    # Published now, the statistics of 44 and of 46 waiting times can be the very same numbers.
    base = [3, 5, 6, 7, 8, 9, 12, 13, 14, 20] * 4 + [7, 8, 7, 8]
    assert _published(base)["median"] == _published(base + [7, 30])["median"] == 8
    assert _published(base)["p80"] == _published(base + [7, 30])["p80"]


def test_the_attacker_knows_what_a_shown_or_missing_statistic_says_of_its_count():
    hidden = np.array([True, True, True])
    lower, upper = knowledge(np.full(3, np.nan), hidden, np.zeros(3, dtype=bool), POLICY,
                             np.array([AT_LEAST_K, BELOW_K, 0]))
    assert lower.tolist() == [POLICY.k, 0, 0]
    assert upper.tolist() == [UNBOUNDED, POLICY.k - 1, UNBOUNDED]


def test_means_are_rounded_no_finer_than_one_over_k():
    assert Policy(k=10).mean_decimals == 1 and Policy(k=7).mean_decimals == 0
    # Over n >= k clients, a mean rounded to 1/k fits a whole-number sum for every n: it tells nothing of n.
    for n in range(10, 40):
        for mean in np.arange(1.0, 10.0, 0.1):
            low, high = n * (mean - 0.05), n * (mean + 0.05)
            assert np.floor(high) >= np.ceil(low - 1e-9)


def _extremes(block, lower, upper, v, integer):
    """Return min and max of cell v over the attacker's programme, solved by SciPy (HiGHS) as an independent check."""
    n = block.equalities.shape[1]
    upper = np.minimum(upper, 1000.0)
    constraints = [LinearConstraint(block.equalities, 0, 0)]
    if block.inequalities.shape[0]:
        constraints.append(LinearConstraint(block.inequalities, -np.inf, 0))
    out = []
    for sign in (1, -1):
        c = np.zeros(n)
        c[v] = sign
        res = milp(c, constraints=constraints, bounds=Bounds(lower, upper), integrality=np.full(n, int(integer)))
        out.append(sign * res.fun)
    return out


@pytest.mark.parametrize("seed", range(6))
def test_whole_numbers_never_widen_what_the_attacker_proves_and_match_an_independent_solver(seed):
    # Months -> quarter, two categories, with rounded figures and the rule's small cells hidden.
    rng = np.random.default_rng(seed)
    cells = pd.DataFrame({
        "table_name": ["registrations"] * 4 + ["registrations_by_anonymity"] * 8,
        "scope": "NL", "period_type": ["month"] * 3 + ["quarter"] + (["month"] * 3 + ["quarter"]) * 2,
        "period": ["2014-01", "2014-02", "2014-03", "2014-Q1"] * 3,
        "category": ["_total"] * 4 + ["yes"] * 4 + ["no"] * 4,
    })
    yes, no = rng.integers(1, 12, 3), rng.integers(10, 30, 3)
    cells["n"] = [*(yes + no), (yes + no).sum(), *yes, yes.sum(), *no, no.sum()]
    block = linked.build_block(cells, catalogue.TABLES_BY_NAME)
    n = cells["n"].to_numpy()
    hidden = POLICY.is_primary(n)
    lower, upper = knowledge(POLICY.round(n), hidden, np.zeros(len(cells), dtype=bool), POLICY)
    targets = np.flatnonzero(hidden)
    found = Attacker(block, lower, upper).intervals(targets, n, POLICY.k / 2)
    for i, v in enumerate(targets):
        lp_lo, lp_hi = _extremes(block, lower, upper, v, integer=False)
        ip_lo, ip_hi = _extremes(block, lower, upper, v, integer=True)
        assert lp_lo - 1e-6 <= ip_lo <= n[v] <= ip_hi <= lp_hi + 1e-6
        width = integer_width(found.lower[i:i + 1], found.upper[i:i + 1])[0]
        # The project's attacker pins exactly the cells the integer programme pins, and never
        # claims more room than whole numbers leave (it stops once a cell is proven wide enough).
        assert (width < POLICY.k / 2) == (ip_hi - ip_lo < POLICY.k / 2)
        assert width <= ip_hi - ip_lo


@pytest.mark.slow
def test_statistics_are_shown_exactly_where_k_clients_underlie_them_whatever_their_count_cell(demo_store):
    counts, _until = catalogue.counts_beside_publication(demo_store)
    with demo_store.connect() as conn:
        measures = pd.read_sql("SELECT * FROM published_cells WHERE table_name = 'waiting_days'", conn)
    measures["suppressed"] = measures["suppressed"].astype(bool)
    intakes = counts[counts["table_name"] == "intakes"]
    median = measures[(measures["table_name"] == "waiting_days") & (measures["category"] == "median")]
    both = intakes.merge(median, on=["scope", "period_type", "period"], suffixes=("_count", "_stat"))
    assert len(both) == len(intakes)
    shown = ~both["suppressed_stat"]
    assert (shown == (both["n"] >= POLICY.k)).all()
    # Decoupled: some intake counts are hidden as partners while their median is shown.
    assert (both["suppressed_count"] & shown).any()
    assert both.loc[shown, "value_stat"].map(float.is_integer).all()
    # And the attacker was told so: every count under a shown statistic carries the fact.
    assert (both.loc[shown, "fact"] == AT_LEAST_K).all()
    assert (both.loc[~shown & (both["n"] > 0), "fact"] == BELOW_K).all()
