"""Babel formats every number, period and date exactly as the hand-written formats before it did (issue #16).

The expected strings were taken from the old implementation (character swaps and month tuples) before it
was replaced; the property test holds the new numbers to the old definition, Python's own format().
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboard.ui.formats import MONTHS, fmt_date, fmt_number, fmt_period, fmt_value
from queries.privacy import SYMBOL

NUMBERS = [  # value, decimals, Dutch, English
    (0, 0, "0", "0"), (5, 0, "5", "5"), (10, 0, "10", "10"),
    (1234, 0, "1.234", "1,234"), (1234567, 0, "1.234.567", "1,234,567"),
    (-5, 0, "-5", "-5"), (-1234, 0, "-1.234", "-1,234"), (12.0, 0, "12", "12"),
    (0.5, 0, "0", "0"), (1.5, 0, "2", "2"), (2.5, 0, "2", "2"), (1234.5, 0, "1.234", "1,234"),
    (-0.0, 0, "-0", "-0"), (-0.4, 0, "-0", "-0"),
    (np.int64(1234), 0, "1.234", "1,234"), (np.float64(98765.0), 0, "98.765", "98,765"),
    (0, 1, "0,0", "0.0"), (5, 1, "5,0", "5.0"), (1234, 1, "1.234,0", "1,234.0"),
    (1234567, 1, "1.234.567,0", "1,234,567.0"), (-1234, 1, "-1.234,0", "-1,234.0"),
    (0.5, 1, "0,5", "0.5"), (1234.5, 1, "1.234,5", "1,234.5"), (-0.0, 1, "-0,0", "-0.0"),
    (-0.4, 1, "-0,4", "-0.4"), (np.int64(1234), 1, "1.234,0", "1,234.0"),
    (None, 0, SYMBOL, SYMBOL), (float("nan"), 0, SYMBOL, SYMBOL), (np.float64("nan"), 1, SYMBOL, SYMBOL),
]

VALUES = [  # value, measure, Dutch, English
    (12.0, "percent", "12%", "12%"), (7, "percent", "7%", "7%"), (100, "percent", "100%", "100%"),
    (42.5, "percent", "42%", "42%"), (0.5, "percent", "0%", "0%"), (1234.0, "percent", "1.234%", "1,234%"),
    (-3, "percent", "-3%", "-3%"),
    (12.5, "days", "12,5 dagen", "12.5 days"), (0.35, "days", "0,3 dagen", "0.3 days"),
    (0.25, "days", "0,2 dagen", "0.2 days"), (1234.56, "days", "1.234,6 dagen", "1,234.6 days"),
    (0, "days", "0,0 dagen", "0.0 days"), (1, "days", "1,0 dagen", "1.0 days"),
    (1.04, "days", "1,0 dagen", "1.0 days"), (1234.5, "days", "1.234,5 dagen", "1,234.5 days"),
    (7.45, "grade", "7,5", "7.5"), (7.55, "grade", "7,5", "7.5"), (6, "grade", "6,0", "6.0"),
    (2.05, "sessions", "2,0", "2.0"), (1234.5, "per1000", "1.234,5", "1,234.5"), (3.25, "rating", "3,2", "3.2"),
    (1234, "count", "1.234", "1,234"), (5, "count", "5", "5"), (np.int64(20), "count", "20", "20"),
    (None, "count", "–", "–"), (float("nan"), "percent", "–", "–"), (None, "days", "–", "–"),
]

PERIODS = [  # key, Dutch, English
    ("2014-01", "jan 2014", "Jan 2014"), ("2014-03", "mrt 2014", "Mar 2014"), ("2014-05", "mei 2014", "May 2014"),
    ("2014-09", "sep 2014", "Sep 2014"), ("2014-10", "okt 2014", "Oct 2014"), ("2014-12", "dec 2014", "Dec 2014"),
    ("2014-Q1", "2014 K1", "2014 Q1"), ("2014-Q4", "2014 K4", "2014 Q4"), ("2014", "2014", "2014"),
]

OLD_MONTHS = {
    "nl": ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}


@pytest.mark.parametrize(("value", "decimals", "nl", "en"), NUMBERS)
def test_numbers_read_as_before(value, decimals, nl, en):
    assert (fmt_number(value, "nl", decimals), fmt_number(value, "en", decimals)) == (nl, en)


@pytest.mark.parametrize(("value", "measure", "nl", "en"), VALUES)
def test_values_read_as_before(value, measure, nl, en):
    assert (fmt_value(value, measure, "nl"), fmt_value(value, measure, "en")) == (nl, en)


@pytest.mark.parametrize("measure", ["count", "percent", "days", "grade"])
def test_a_hidden_value_is_the_symbol_whatever_it_was(measure):
    assert fmt_value(1234, measure, "nl", suppressed=True) == fmt_value(None, measure, "en", suppressed=True) == SYMBOL


@pytest.mark.parametrize(("period", "nl", "en"), PERIODS)
def test_periods_read_as_before(period, nl, en):
    assert (fmt_period(period, "nl"), fmt_period(period, "en")) == (nl, en)


def test_month_names_are_the_old_ones_every_month():
    assert MONTHS == OLD_MONTHS
    for lang, names in OLD_MONTHS.items():
        assert [fmt_period(f"2013-{m:02d}", lang) for m in range(1, 13)] == [f"{n} 2013" for n in names]


@pytest.mark.parametrize(("day", "nl", "en"), [
    (dt.date(2014, 9, 5), "5 sep 2014", "5 Sep 2014"), (dt.date(2014, 3, 1), "1 mrt 2014", "1 Mar 2014"),
    (dt.date(2015, 12, 31), "31 dec 2015", "31 Dec 2015"),
])
def test_dates_read_as_in_the_exports(day, nl, en):
    assert (fmt_date(day, "nl"), fmt_date(day, "en")) == (nl, en)


def test_no_format_has_a_non_breaking_space_or_a_unicode_minus():
    texts = [fmt_value(v, m, lang) for v, m, _nl, _en in VALUES for lang in ("nl", "en")]
    assert not any(ch in text for text in texts for ch in "\xa0\u202f\u2212")


@given(st.one_of(st.integers(-10**12, 10**12), st.floats(-1e12, 1e12, allow_nan=False)), st.integers(0, 2))
def test_numbers_round_as_python_format_did(value, decimals):
    old = f"{value:,.{decimals}f}"
    assert fmt_number(value, "en", decimals) == old
    assert fmt_number(value, "nl", decimals) == old.replace(",", "\0").replace(".", ",").replace("\0", ".")
