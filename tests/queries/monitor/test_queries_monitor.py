"""The monitor's query functions: read only protected cells, check access, derive rates from published counts.

Most tests write published cells by hand (no catalogue refresh), so each rule is tested on exactly
the cells it is about; the last ones run on a store published by the real refresh.
"""
from __future__ import annotations

import datetime as dt
import inspect
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from queries.catalogue import indicators
from queries.monitor import overview, reach, referrals, registrations, survey, waiting
from queries import targets
from queries.accounts.access import NATIONAL, Access, AccessDenied
from queries.catalogue import MEASURES_BY_NAME, PUBLIC_TABLES, TABLES_BY_NAME, TOTAL, read_cells
from queries.store.schema import IndicatorTarget, PublishedCell
from tests import monitor_fixtures
from tests.factories import add_units

PROGRAMME = Access("pm", "programme")
UNIT_NN = Access("hr", "unit", "NN")
NOBODY = Access("x", None)
TOPIC_MODULES = (overview, registrations, waiting, referrals, survey, reach, targets)


def cell(table, scope, period, category, value, suppressed=False, period_type=None):
    period_type = period_type or ("year" if len(period) == 4 else "quarter" if "Q" in period else "month")
    return {"table_name": table, "scope": scope, "period_type": period_type, "period": period, "category": category,
            "value": None if suppressed else value, "suppressed": suppressed}


@pytest.fixture
def cells_store(sqlite_store):
    """A store with units (headcount 5,000 each) and an empty catalogue to write cells into."""
    with sqlite_store.begin() as conn:
        add_units(conn)
    return sqlite_store


def publish(engine, rows):
    with engine.begin() as conn:
        conn.execute(sa.insert(PublishedCell), rows)


# --- percentages ---------------------------------------------------------------------------------

def test_percentages_are_whole_rounded_half_up_and_hidden_with_either_part():
    value, hidden = indicators.percentages(
        pd.Series([25.0, 5.0, np.nan, 10.0, 10.0, 0.0]), pd.Series([False, False, True, False, False, False]),
        pd.Series([100.0, 40.0, 100.0, np.nan, 0.0, 0.0]), pd.Series([False, False, False, True, False, False]))
    assert value[0] == 25 and value[1] == 13  # 12.5 -> 13
    assert hidden.tolist() == [False, False, True, True, False, False]
    assert np.isnan(value[2]) and np.isnan(value[3])
    assert np.isnan(value[4]) and np.isnan(value[5])  # no denominator: nothing to show, not hidden


def test_rate_is_computed_from_published_counts_and_hidden_when_a_part_is_hidden(cells_store):
    publish(cells_store, [
        cell("closures", "NL", "2013", TOTAL, 120.0), cell("closures", "NL", "2014", TOTAL, 40.0),
        cell("closures_by_referral", "NL", "2013", "back_to_unit", 30.0),
        cell("closures_by_referral", "NL", "2014", "back_to_unit", None, suppressed=True),
    ])
    df = referrals.referral_rates(cells_store, PROGRAMME, scopes=[NATIONAL], period_type="year")
    back = df[df["indicator"] == "referral_back_rate"].set_index("period")
    assert back.at["2013", "value"] == 25 and not back.at["2013", "suppressed"]
    assert np.isnan(back.at["2014", "value"]) and back.at["2014", "suppressed"]


def test_a_sum_of_categories_is_hidden_when_any_part_is_hidden(cells_store):
    external = ["external_gp", "external_mental_health", "external_crisis", "external_police_clinic"]
    rows = [cell("closures", "NL", "2013", TOTAL, 200.0), cell("closures", "NL", "2012", TOTAL, 200.0)]
    rows += [cell("closures_by_referral", "NL", "2013", c, 10.0) for c in external]
    rows += [cell("closures_by_referral", "NL", "2012", c, 10.0, suppressed=c == "external_crisis")
             for c in external]
    publish(cells_store, rows)
    df = referrals.referral_rates(cells_store, PROGRAMME, scopes=[NATIONAL], period_type="year")
    ext = df[df["indicator"] == "referral_external_rate"].set_index("period")
    assert ext.at["2013", "value"] == 20
    assert ext.at["2012", "suppressed"] and np.isnan(ext.at["2012", "value"])


def test_complements_are_100_minus_the_published_share(cells_store):
    publish(cells_store, [cell("intakes", "NL", "2013", TOTAL, 80.0),
                          cell("intakes_by_tcl", "NL", "2013", "not_done", 20.0),
                          cell("contacts", "NL", "2013", TOTAL, 200.0),
                          cell("contacts_by_time_class", "NL", "2013", "office", 150.0)])
    tcl = referrals.tcl_screening(cells_store, PROGRAMME, scopes=[NATIONAL], period_type="year")
    assert tcl.set_index("indicator").at["tcl_applied", "value"] == 75
    hours = reach.out_of_hours(cells_store, PROGRAMME, scopes=[NATIONAL], period_type="year")
    assert hours.set_index("indicator").at["outside_office_hours", "value"] == 25


def test_shares_of_a_breakdown_use_its_parent_cell(cells_store):
    publish(cells_store, [
        cell("registrations_by_anonymity", "NN", "2013", "yes", 20.0),
        cell("registrations_by_anonymity_reason", "NN", "2013", "career", 10.0),
        cell("registrations_by_anonymity_reason", "NN", "2013", "private", None, suppressed=True),
        cell("registrations_by_anonymity", "NL", "2013", "yes", 40.0),
        cell("registrations_by_anonymity_reason", "NL", "2013", "career", 30.0),
    ])
    df = referrals.anonymity_reasons(cells_store, UNIT_NN, scopes=["NN", NATIONAL], period_type="year", period="2013")
    by = df.set_index(["scope", "category"])
    assert by.at[("NN", "career"), "value"] == 50 and by.at[("NL", "career"), "value"] == 75
    assert by.at[("NN", "private"), "suppressed"] and by.at[("NN", "private"), "count_suppressed"]
    assert list(df["scope"].unique()) == [NATIONAL, "NN"] or set(df["scope"]) == {NATIONAL, "NN"}


def test_statistics_are_read_as_published(cells_store):
    publish(cells_store, [cell("waiting_days", "NL", "2013-Q1", "median", 7.0),
                          cell("waiting_days", "NL", "2013-Q2", "median", None, suppressed=True)])
    df = waiting.waiting_times(cells_store, PROGRAMME, scopes=[NATIONAL], period_type="quarter")
    median = df[df["indicator"] == "waiting_median"].set_index("period")
    assert median.at["2013-Q1", "value"] == 7.0
    assert median.at["2013-Q2", "suppressed"] and np.isnan(median.at["2013-Q2", "value"])


def test_reach_is_protected_registrations_per_1000_staff(cells_store):
    publish(cells_store, [cell("registrations", "NN", "2013", TOTAL, 25.0),
                          cell("registrations", "LB", "2013", TOTAL, None, suppressed=True),
                          cell("registrations", "NL", "2013", TOTAL, 300.0)])
    df = registrations.reach_per_thousand(cells_store, PROGRAMME, scopes=["NN", "LB", NATIONAL],
                                          period_type="year", period="2013").set_index("scope")
    assert df.at["NN", "value"] == 5.0  # 25 / 5,000 x 1,000
    assert df.at["LB", "suppressed"] and np.isnan(df.at["LB", "value"])
    assert df.at[NATIONAL, "value"] == round(300 / (5000 * 14) * 1000, 1)


def test_registrations_by_unit_gives_each_units_share_of_the_national_total(cells_store):
    publish(cells_store, [cell("registrations", "NL", "2013", TOTAL, 200.0),
                          cell("registrations", "NN", "2013", TOTAL, 50.0),
                          cell("registrations", "LB", "2013", TOTAL, None, suppressed=True)])
    df = registrations.registrations_by_unit(cells_store, PROGRAMME, period_type="year", period="2013")
    by = df.set_index("scope")
    assert by.at["NN", "value"] == 25 and by.at["LB", "suppressed"]
    assert by.at["AM", "suppressed"]  # no published cell at all: not shown, never zero
    with pytest.raises(AccessDenied):
        registrations.registrations_by_unit(cells_store, UNIT_NN, period_type="year", period="2013")


# --- access -----------------------------------------------------------------------------------------

def _public_functions():
    for module in TOPIC_MODULES:
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if fn.__module__ == module.__name__ and not name.startswith("_"):
                yield module, name, fn


def _kwargs(fn, scopes):
    values = {"scopes": scopes, "period_type": "year", "period": "2013", "indicator": "registrations",
              "dimension": "product", "scope": scopes[0]}
    params = inspect.signature(fn).parameters
    return {k: v for k, v in values.items() if k in params}


@pytest.mark.parametrize("module, name, fn", list(_public_functions()), ids=lambda x: getattr(x, "__name__", str(x)))
def test_every_query_function_refuses_callers_without_a_role(cells_store, module, name, fn):
    with pytest.raises(AccessDenied):
        fn(cells_store, NOBODY, **_kwargs(fn, [NATIONAL]))


def _scoped_functions():
    """The query functions that read a unit's figures (the others read national figures only)."""
    for module, name, fn in _public_functions():
        params = inspect.signature(fn).parameters
        if "scopes" in params or "scope" in params or name == "registrations_by_unit":
            yield module, name, fn


@pytest.mark.parametrize("module, name, fn", list(_scoped_functions()), ids=lambda x: getattr(x, "__name__", str(x)))
def test_unit_user_never_obtains_another_units_figures(cells_store, module, name, fn):
    with pytest.raises(AccessDenied):
        fn(cells_store, UNIT_NN, **_kwargs(fn, ["LB", NATIONAL]))


def test_every_query_function_has_a_one_line_docstring():
    for _module, name, fn in _public_functions():
        assert fn.__doc__ and fn.__doc__.strip(), name
    for name, fn in inspect.getmembers(indicators, inspect.isfunction):
        if fn.__module__ == indicators.__name__ and not name.startswith("_"):
            assert fn.__doc__, name


def test_query_modules_read_only_the_published_catalogue():
    """No monitor query module touches the registration tables: they only read published cells."""
    raw = ("Registration", "RegistrationQuestion", "Contact", "Session", "Survey", "WebsiteVisits")
    for module in (*TOPIC_MODULES, indicators):
        source = Path(module.__file__).read_text()
        imports = [line for line in source.splitlines() if line.startswith(("from queries.store.schema", "import"))]
        for line in imports:
            for model in raw:
                assert f" {model}," not in f"{line}," and f" {model}\n" not in f"{line}\n", (module.__name__, line)


# --- what exists ---------------------------------------------------------------------------------------

def test_units_have_totals_per_quarter_and_year_and_breakdowns_per_year():
    assert indicators.scope_period_types("registrations") == ("quarter", "year")
    assert indicators.scope_period_types("registrations_by_product") == ("year",)
    assert indicators.scope_period_types("waiting_days") == ("quarter", "year")  # over intakes, a total
    assert indicators.scope_period_types("survey_grade") == ("quarter", "year")
    assert indicators.scope_period_types("website_visits") == ()
    assert indicators.period_types_for(("registrations",), NATIONAL) == ("month", "quarter", "year")


def test_every_indicator_reads_catalogue_tables_that_exist():
    known = set(TABLES_BY_NAME) | set(MEASURES_BY_NAME) | set(PUBLIC_TABLES)
    for key, tables in indicators.SOURCES.items():
        assert set(tables) <= known, key


def test_expected_values_are_the_currently_valid_overall_ones(cells_store):
    def target(indicator, value, valid_from, retired_at=None, product=None):
        return {"indicator": indicator, "expected_value": value, "valid_from": valid_from, "retired_at": retired_at,
                "product": product}

    with cells_store.begin() as conn:
        conn.execute(sa.insert(IndicatorTarget), [
            target("waiting_median", 14.0, dt.date(2013, 1, 1)),
            target("waiting_median", 10.0, dt.date(2014, 1, 1)),
            target("grade_mean", 8.0, dt.date(2013, 1, 1), retired_at=dt.datetime(2013, 6, 1)),
            target("grade_mean", 9.0, dt.date(2013, 1, 1), product="crisis"),
            target("contacts", 500.0, dt.date(2030, 1, 1)),
        ])
    df = targets.expected_values(cells_store, UNIT_NN, on=dt.date(2014, 3, 1))
    assert dict(zip(df["indicator"], df["expected_value"])) == {"waiting_median": 10.0}
    earlier = targets.expected_values(cells_store, PROGRAMME, on=dt.date(2013, 3, 1))
    assert dict(zip(earlier["indicator"], earlier["expected_value"])) == {"grade_mean": 8.0, "waiting_median": 14.0}


# --- on a store published by the real refresh --------------------------------------------------------

@pytest.fixture(scope="module")
def monitor_store(tmp_path_factory):
    return monitor_fixtures.fresh_copy(tmp_path_factory, "q")


def test_published_periods_are_the_catalogues_fixed_periods(monitor_store):
    available = indicators.published_periods(monitor_store, UNIT_NN)
    assert available["month"][0] == "2012-05" and available["month"][-1] == "2014-03"
    assert available["quarter"][-1] == "2014-Q1" and available["year"] == ["2012", "2013"]


def test_trends_give_exactly_the_published_counts(monitor_store):
    df = registrations.registrations_trend(monitor_store, UNIT_NN, scopes=["NN", NATIONAL], period_type="quarter")
    with monitor_store.connect() as conn:
        cells = read_cells(conn, "registrations", "quarter", ["NN", NATIONAL])
    merged = df.merge(cells, on=["scope", "period"], suffixes=("", "_published"))
    assert len(merged) == len(cells) > 0
    assert (merged["suppressed"] == merged["suppressed_published"].astype(bool)).all()
    shown = merged[~merged["suppressed"]]
    assert (shown["value"] == shown["value_published"]).all()
    assert merged.loc[merged["suppressed"], "value"].isna().all()


def test_every_percentage_rests_on_two_published_counts(monitor_store):
    keys = [k for k, ind in indicators.INDICATORS.items() if ind.kind == indicators.PERCENT]
    df = indicators.trends(monitor_store, PROGRAMME, keys, scopes=[NATIONAL, "NN"], period_type="year")
    with monitor_store.connect() as conn:
        for key in keys:
            ind = indicators.INDICATORS[key]
            den = read_cells(conn, ind.of[0], "year", [NATIONAL, "NN"])
            den = den[den["category"] == ind.of[1]].set_index(["scope", "period"])
            for row in df[(df["indicator"] == key) & df["value"].notna()].itertuples():
                assert not bool(den.at[(row.scope, row.period), "suppressed"]), (key, row)
                assert 0 <= row.value <= 100 and row.value == int(row.value)
