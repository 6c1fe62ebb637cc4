"""Funnel plots: the control limits against a hand-computed example, the over-dispersion check, and the points
read from the published (rounded, protected) cells with the caller's access."""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa

from queries.accounts.access import Access, AccessDenied
from queries.catalogue import indicators
from queries.catalogue.declarations import FUNNEL
from queries.monitor import funnel, funnel_limits
from queries.monitor.funnel_limits import (
    binomial_limit, binomial_limits, overdispersion, random_effects_limits, rounding_variance,
)
from queries.privacy import Policy
from queries.store.codes import UNITS, UNKNOWN_UNIT
from queries.store.schema import PublishedCell
from tests import monitor_fixtures
from tests.stores import copy_store

PROGRAMME = Access("p", "programme")
UNIT_NN = Access("u", "unit", "NN")


def _cdf(r: int, n: int, p: float) -> float:
    """The binomial distribution function written out: the test's own oracle, not scipy's."""
    return sum(math.comb(n, i) * p ** i * (1 - p) ** (n - i) for i in range(r + 1))


# --- the limits, by hand ---------------------------------------------------------------------------------

def test_binomial_limits_match_the_hand_computed_example():
    # p0 = 0.2, n = 50 (expected 10 of 50). Spiegelhalter's appendix: r_p is the smallest r with F(r) >= p,
    # alpha = (F(r_p) - p) / (F(r_p) - F(r_p - 1)), limit = (r_p - alpha) / n.
    #
    # upper 95% (p = 0.975): F(15) = 0.96920 < 0.975 <= F(16) = 0.98556, so r = 16;
    #   alpha = (0.98556 - 0.975) / (0.98556 - 0.96920) = 0.01056 / 0.01636 = 0.6453; limit = 15.3547 / 50 = 0.3071
    # lower 95% (p = 0.025): F(4) = 0.01850 < 0.025 <= F(5) = 0.04803, so r = 5;
    #   alpha = (0.04803 - 0.025) / (0.04803 - 0.01850) = 0.02303 / 0.02953 = 0.7798; limit = 4.2202 / 50 = 0.0844
    # upper 99.8% (p = 0.999): F(18) = 0.99749 < 0.999 <= F(19) = 0.99907, so r = 19;
    #   alpha = (0.99907 - 0.999) / (0.99907 - 0.99749) = 0.00007 / 0.00158 = 0.0429; limit = 18.9571 / 50 = 0.3791
    # lower 99.8% (p = 0.001): F(1) = 0.00019 < 0.001 <= F(2) = 0.00129, so r = 2;
    #   alpha = (0.00129 - 0.001) / (0.00129 - 0.00019) = 0.00029 / 0.00109 = 0.2611; limit = 1.7389 / 50 = 0.0348
    by_hand = {0.975: 0.3071, 0.025: 0.0844, 0.999: 0.3791, 0.001: 0.0348}
    for p, expected in by_hand.items():
        assert float(binomial_limit(p, [50], 0.2)[0]) == pytest.approx(expected, abs=5e-4), p
    # The same computation with the distribution written out (math.comb), to full precision.
    assert [round(_cdf(r, 50, 0.2), 5) for r in (1, 2, 4, 5, 15, 16, 18, 19)] == [
        0.00019, 0.00129, 0.0185, 0.04803, 0.9692, 0.98556, 0.99749, 0.99907]
    for p, r in ((0.975, 16), (0.025, 5), (0.999, 19), (0.001, 2)):
        alpha = (_cdf(r, 50, 0.2) - p) / (_cdf(r, 50, 0.2) - _cdf(r - 1, 50, 0.2))
        assert float(binomial_limit(p, [50], 0.2)[0]) == pytest.approx((r - alpha) / 50, rel=1e-9)
    limits = binomial_limits([50], 0.2)
    assert limits["95"][0][0] < 0.2 < limits["95"][1][0] and limits["99.8"][0][0] < limits["95"][0][0]


def test_binomial_limits_approach_the_normal_approximation_and_narrow_with_n():
    p0 = 0.25
    n = np.array([20, 50, 100, 400, 2000, 10000])
    limits = binomial_limits(n, p0)
    upper, lower = limits["95"][1], limits["95"][0]
    assert np.all(np.diff(upper) < 0) and np.all(np.diff(lower) > 0)  # the funnel narrows
    assert np.all(np.diff(limits["99.8"][1]) < 0)
    assert np.all(limits["99.8"][1] > upper) and np.all(limits["99.8"][0] < lower)
    normal = 1.959964 * np.sqrt(p0 * (1 - p0) / n)
    # At n = 10,000 the exact limit lies within a hair of p0 +- 1.96 sd.
    assert upper[-1] - p0 == pytest.approx(normal[-1], rel=0.02)
    assert p0 - lower[-1] == pytest.approx(normal[-1], rel=0.02)


def test_a_national_rate_of_zero_or_one_gives_flat_limits():
    assert list(binomial_limit(0.975, [10, 50], 0.0)) == [0.0, 0.0]
    assert list(binomial_limit(0.025, [10, 50], 1.0)) == [1.0, 1.0]


# --- over-dispersion ----------------------------------------------------------------------------------------

def test_no_overdispersion_in_units_that_differ_by_chance_only():
    n = np.array([60, 80, 100, 120, 150, 200, 250, 300, 90, 110])
    p0 = 0.25
    sd = np.sqrt(p0 * (1 - p0) / n)
    z = np.array([0.5, -0.8, 1.0, -0.3, 0.2, -1.1, 0.7, -0.4, 0.9, -0.6])
    d = overdispersion(p0 + z * sd, n, p0)
    # 10% winsorised of 10 z-scores: the highest (1.0) becomes the next (0.9), the lowest (-1.1) the next (-0.8).
    winsorised = np.array([0.5, -0.8, 0.9, -0.3, 0.2, -0.8, 0.7, -0.4, 0.9, -0.6])
    assert d.phi == pytest.approx(np.mean(winsorised ** 2))
    assert d.limit == pytest.approx(16.919, abs=1e-3)  # chi-square, 9 degrees of freedom, 95%
    assert not d.overdispersed and d.tau2 == 0.0


def test_overdispersion_is_found_and_widens_the_limits_by_tau2():
    n = np.array([60, 80, 100, 120, 150, 200, 250, 300, 90, 110])
    p0 = 0.25
    sd = np.sqrt(p0 * (1 - p0) / n)
    z = np.array([3.0, -3.5, 2.8, -2.9, 4.0, -3.2, 2.5, -4.1, 3.3, -2.7])
    d = overdispersion(p0 + z * sd, n, p0)
    winsorised = np.array([3.0, -3.5, 2.8, -2.9, 3.3, -3.2, 2.5, -3.5, 3.3, -2.7])
    phi = float(np.mean(winsorised ** 2))
    assert d.phi == pytest.approx(phi) and d.overdispersed and 10 * phi > d.limit
    w = n / (p0 * (1 - p0))
    assert d.tau2 == pytest.approx((10 * phi - 9) / (w.sum() - (w ** 2).sum() / w.sum()))
    plain, wide = binomial_limits([100], p0), random_effects_limits([100], p0, d.tau2)
    assert wide["95"][1][0] > plain["95"][1][0] and wide["99.8"][0][0] < plain["99.8"][0][0]
    assert wide["95"][1][0] == pytest.approx(p0 + 1.959964 * math.sqrt(p0 * (1 - p0) / 100 + d.tau2), rel=1e-5)


def test_too_few_units_are_not_checked():
    d = overdispersion([0.1, 0.5, 0.9], [50, 50, 50], 0.5)
    assert d.phi is None and not d.overdispersed and d.tau2 == 0.0


def test_positions_in_neutral_words():
    assert funnel_limits.position(0.25, 0.1, 0.4, 0.05, 0.5) == funnel_limits.WITHIN
    assert funnel_limits.position(0.45, 0.1, 0.4, 0.05, 0.5) == funnel_limits.BETWEEN
    assert funnel_limits.position(0.01, 0.1, 0.4, 0.05, 0.5) == funnel_limits.OUTSIDE


def test_curve_sizes_depend_on_the_drawn_sizes_only():
    assert funnel_limits.curve_sizes([40, 200], 10)[[0, -1]].tolist() == [10, 240]
    assert funnel_limits.curve_sizes([60], 10)[[0, -1]].tolist() == [10, 120]  # a lone point: twice its n
    assert funnel_limits.curve_sizes([], 10)[[0, -1]].tolist() == [10, 200]


# --- points from the published cells ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return monitor_fixtures.fresh_copy(tmp_path_factory, "funnel")


def _published(engine, table, scope, period, category):
    with engine.connect() as conn:
        return conn.execute(sa.select(PublishedCell.value, PublishedCell.suppressed).where(
            PublishedCell.table_name == table, PublishedCell.period_type == "year", PublishedCell.scope == scope,
            PublishedCell.period == period, PublishedCell.category == category)).one()


@pytest.mark.parametrize("key", FUNNEL)
def test_points_are_the_published_cells_of_every_unit(store, key):
    f = funnel.funnel_points(store, PROGRAMME, indicator=key, year="2013")
    assert list(f.points["scope"]) == [u for u in UNITS.values if u != UNKNOWN_UNIT]  # code order, not by rate
    ind = indicators.INDICATORS[key]
    for row in f.points.to_dict("records"):
        den, den_hidden = _published(store, ind.of[0], row["scope"], "2013", ind.of[1])
        assert row["denominator_suppressed"] == bool(den_hidden)
        if not den_hidden:
            assert row["denominator"] == den and den % 5 == 0  # rounded, as published
        if row["status"] == funnel.DRAWN:
            num, num_hidden = _published(store, ind.table, row["scope"], "2013", ind.categories[0])
            assert not num_hidden
            expected = den - num if ind.complement else num
            assert row["numerator"] == expected and row["rate"] == pytest.approx(expected / den)
    drawn = set(f.drawn["scope"])
    assert drawn <= {"NN", "LB", "AM"} and "NN" in drawn  # the store's three units; the rest have no clients
    assert set(f.points.loc[~f.points["scope"].isin(["NN", "LB", "AM"]), "status"]) == {funnel.NONE}


def test_the_national_rate_comes_from_the_published_national_counts(store):
    f = funnel.funnel_points(store, PROGRAMME, indicator="referral_back_rate", year="2013")
    num, _ = _published(store, "closures_by_referral", "NL", "2013", "back_to_unit")
    den, _ = _published(store, "closures", "NL", "2013", "_total")
    assert (f.national_numerator, f.national_denominator) == (num, den)
    assert f.national == pytest.approx(num / den)
    # tcl_applied is a complement: screened = intakes - not screened.
    f = funnel.funnel_points(store, PROGRAMME, indicator="tcl_applied", year="2013")
    not_done, _ = _published(store, "intakes_by_tcl", "NL", "2013", "not_done")
    intakes, _ = _published(store, "intakes", "NL", "2013", "_total")
    assert f.national == pytest.approx((intakes - not_done) / intakes)


def test_a_unit_user_reads_its_own_unit_only_and_gets_plain_limits(store):
    f = funnel.funnel_points(store, UNIT_NN, indicator="waiting_within_14", year="2013")
    assert list(f.points["scope"]) == ["NN"] and f.own_unit_only and f.dispersion is None
    programme = funnel.funnel_points(store, PROGRAMME, indicator="waiting_within_14", year="2013")
    assert f.national == programme.national  # the national benchmark is the same
    n = float(f.points["denominator"].iloc[0])
    assert f.sizes[-1] == 2 * n  # the curves' range rests on its own n only
    limits = f.limits([n])
    assert limits["95"][1][0] == pytest.approx(binomial_limit(0.975, [n], f.national)[0])


def test_the_reader_refuses_a_unit_user_anothers_scope(store):
    with pytest.raises(AccessDenied):
        indicators.with_parts(store, UNIT_NN, "waiting_within_14", scopes=["LB"], period_type="year",
                              start="2013", end="2013")


def test_hidden_counts_are_not_drawn_and_not_called_small(store, tmp_path):
    engine = copy_store(_path(store), tmp_path)
    with engine.begin() as conn:  # hide Limburg's numerator, as secondary suppression might
        conn.execute(sa.update(PublishedCell).where(
            PublishedCell.table_name == "intakes_by_waiting", PublishedCell.scope == "LB",
            PublishedCell.period_type == "year", PublishedCell.period == "2013",
            PublishedCell.category == "within_14").values(suppressed=True, value=None))
    f = funnel.funnel_points(engine, PROGRAMME, indicator="waiting_within_14", year="2013")
    lb = f.points[f.points["scope"] == "LB"].iloc[0]
    assert lb["status"] == funnel.HIDDEN and math.isnan(lb["rate"]) and "LB" not in set(f.drawn["scope"])
    assert funnel.positions(f)[list(f.points["scope"]).index("LB")] is None


def test_a_shown_denominator_below_k_is_not_drawn():
    assert funnel._status(5.0, False, 5.0, False, 10) == funnel.SMALL
    assert funnel._status(0.0, False, 0.0, False, 10) == funnel.NONE
    assert funnel._status(np.nan, True, 40.0, False, 10) == funnel.HIDDEN
    assert funnel._status(10.0, False, 40.0, False, 10) == funnel.DRAWN


def test_k_comes_from_the_policy(store):
    f = funnel.funnel_points(store, PROGRAMME, indicator="anonymity_rate", year="2013", policy=Policy(k=40))
    small = f.points[(f.points["denominator"] < 40) & ~f.points["denominator_suppressed"]
                     & (f.points["denominator"] > 0)]
    assert len(small) and set(small["status"]) == {funnel.SMALL}


def test_only_declared_percentages_are_compared(store):
    with pytest.raises(ValueError):
        funnel.funnel_points(store, PROGRAMME, indicator="registrations", year="2013")


def _path(engine):
    return Path(engine.url.database)


# --- the demo store -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("key", FUNNEL)
def test_on_the_demo_store_every_drawn_point_is_a_published_rounded_cell(demo_store, key):
    f = funnel.funnel_points(demo_store, PROGRAMME, indicator=key, year="2025")
    drawn = f.drawn
    assert len(drawn) >= 5, key  # the demo's units are large enough to compare in a year
    assert all(d % 5 == 0 and d >= 10 for d in drawn["denominator"])
    assert all(v % 5 == 0 for v in drawn["numerator"])
    assert f.dispersion is not None and f.dispersion.phi is not None
    assert f.national == pytest.approx(f.national_numerator / f.national_denominator)
    for pos in funnel.positions(f):
        assert pos in (None, funnel_limits.WITHIN, funnel_limits.BETWEEN, funnel_limits.OUTSIDE)


def test_rounding_to_five_is_not_taken_for_overdispersion():
    # Units that differ by chance only, whose numerators are published rounded to 5: without the rounding's
    # variance the check finds over-dispersion far more often than its 5%; with it, about as often as it should.
    assert rounding_variance(5) == 2.0 and rounding_variance(1) == 0.0
    rng = np.random.default_rng(3)
    n = np.array([15, 18, 20, 22, 25, 28, 30, 35, 40, 45, 50, 60, 70, 80])
    p0, flagged_plain, flagged_rounding = 0.4, 0, 0
    for _ in range(300):
        published = np.floor(rng.binomial(n, p0) / 5 + 0.5) * 5
        flagged_plain += overdispersion(published / n, n, p0).overdispersed
        flagged_rounding += overdispersion(published / n, n, p0, rounding_variance(5)).overdispersed
    assert flagged_plain > 3 * flagged_rounding
    assert flagged_rounding <= 0.10 * 300
    z = (0.5 - p0) / math.sqrt(p0 * (1 - p0) / 20 + 2 / 20 ** 2)  # one unit's z with the rounding's share
    same = overdispersion([0.5] * 5, [20] * 5, p0, 2.0)
    assert same.phi == pytest.approx(z ** 2)
