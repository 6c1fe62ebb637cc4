"""The funnel card: the pure figure builder (neutral colours, units in code order, limits as curves) and the card
built for each role on the demo store (a unit user's holds its own point, the national rate and the limits only)."""
from __future__ import annotations

import json
import re

import numpy as np
import pytest

from dashboard import create_app, exports
from dashboard.ui import controls, figures, monitor
from dashboard.ui.cards import FUNNEL, FUNNEL_READING
from dashboard.ui.texts import t
from queries.accounts.access import Access
from queries.catalogue import indicators
from queries.catalogue.declarations import FUNNEL as FUNNEL_INDICATORS
from queries.monitor import funnel_limits
from queries.store.codes import UNITS
from tests.monitor_fixtures import figure_of

PROGRAMME = Access("p", "programme")
UNIT_NN = Access("u", "unit", "NN")
RED_GREEN = re.compile(r"red|green|#f00|#0f0|#ff0000|#00ff00|#d62728|#2ca02c", re.I)


def _points():
    return [{"unit": "NN", "code": "NN", "n": 60.0, "rate": 20.0, "text": "Noord-Nederland: 20% (12/60)"},
            {"unit": "LB", "code": "LB", "n": 30.0, "rate": 40.0, "text": "Limburg: 40% (12/30)"}]


def test_the_figure_draws_limits_as_curves_the_national_line_and_the_points():
    sizes = funnel_limits.curve_sizes([60, 30], 10)
    limits = {k: tuple(100 * s for s in v) for k, v in funnel_limits.binomial_limits(sizes, 0.25).items()}
    fig = figure_of(figures.funnel_plot(_points(), sizes, limits, 25.0, lang="en"))
    names = [tr.name for tr in fig.data]
    assert names.count("99.8% limits") == 2 and names.count("95% limits") == 2
    assert [tr.showlegend for tr in fig.data[:4]] == [True, False, True, False]  # one legend entry per pair
    curve = fig.data[0]
    assert len(curve.x) > 20 and curve.x[0] == 10 and curve.x[-1] == pytest.approx(72)  # k to 1.2 x the largest n
    national = next(tr for tr in fig.data if tr.name.startswith("National"))
    assert set(national.y) == {25.0} and national.name == "National: 25%"
    units = fig.data[-1]
    assert list(units.text) == ["NN", "LB"] and list(units.x) == [60, 30] and list(units.y) == [20, 40]
    assert list(units.customdata) == ["Noord-Nederland: 20% (12/60)", "Limburg: 40% (12/30)"]
    assert not RED_GREEN.search(json.dumps(fig.to_plotly_json(), default=str))


def test_units_on_the_same_spot_share_one_label():
    points = [*_points(), {"unit": "AM", "code": "AM", "n": 60.0, "rate": 20.0, "text": "Amsterdam: 20% (12/60)"}]
    sizes = funnel_limits.curve_sizes([60, 30], 10)
    limits = {k: tuple(100 * s for s in v) for k, v in funnel_limits.binomial_limits(sizes, 0.25).items()}
    units = figure_of(figures.funnel_plot(points, sizes, limits, 25.0, lang="nl")).data[-1]
    assert list(units.text) == ["NN · AM", "LB", ""] and list(units.meta) == ["NN", "LB", "AM"]
    assert units.customdata[2] == "Amsterdam: 20% (12/60)"  # each keeps its own hover


def test_the_upper_limits_fall_and_the_lower_rise_along_the_curve():
    sizes = funnel_limits.curve_sizes([400], 10)
    limits = funnel_limits.binomial_limits(sizes, 0.3)
    upper = limits["95"][1]
    # The exact limits are a step function smoothed by the interpolation: decreasing overall, at most tiny wiggles.
    assert upper[0] > upper[-1] and np.all(np.diff(upper) < 0.01)


def test_a_chosen_unit_gets_a_ring_not_a_colour():
    sizes = funnel_limits.curve_sizes([60, 30], 10)
    limits = {k: tuple(100 * s for s in v) for k, v in funnel_limits.binomial_limits(sizes, 0.25).items()}
    units = figure_of(figures.funnel_plot(_points(), sizes, limits, 25.0, lang="nl", chosen="LB")).data[-1]
    assert units.marker.color == figures.PALETTE[0]  # one colour for every unit
    assert list(units.marker.size) == [10, 16] and list(units.marker.line.width) == [1, 3]


# --- the cards for each role, on the demo store ------------------------------------------------------------

@pytest.fixture(scope="module")
def app(demo_store):
    return create_app({"DATABASE_URL": str(demo_store.url), "DEMO_MODE": False, "TESTING": True})


def _cards(app, engine, access, query=None, lang="nl"):
    with exports.as_caller(app.server, access, lang):
        view = controls.view_from(query or {}, access, indicators.published_periods(engine, access))
        return monitor.cards_for("comparison", view, lang)


def test_the_programme_gets_one_funnel_per_indicator_for_the_latest_complete_year(app, demo_store):
    found = _cards(app, demo_store, PROGRAMME)
    assert [c.card_id for c in found] == [monitor.funnel_id(k) for k in FUNNEL_INDICATORS]
    assert {c.kind for c in found} == {FUNNEL} and {c.periods for c in found} == {("2025",)}
    for card in found:
        assert not card.empty and card.extra == FUNNEL_READING and card.definition in FUNNEL_INDICATORS
        units = [r[0].text for r in card.table.rows[:-1]]
        assert units == [UNITS.label(u, "nl") for u in UNITS.values if u != "UNK"]  # every unit, in code order
        assert card.table.rows[-1][0].text == t("funnel.national", "nl")
        drawn = figure_of(card.figure).data[-1]
        assert list(drawn.meta) == [u for u in UNITS.values if u in set(drawn.meta)]  # code order, never by rate
        lies = {r[3].text for r in card.table.rows[:-1]}
        allowed = {t(f"funnel.pos.{p}", "nl") for p in ("within_95", "between", "outside_998")} | {
            t(f"funnel.pos.{s}", "nl").format(k=10) for s in ("hidden", "small", "none")}
        assert lies <= allowed
        method = [n for n in card.notes if "overdispersie" in n.lower()]
        assert len(method) == 1, card.notes


def test_hidden_counts_are_listed_not_drawn_and_never_called_fewer_than_k(app, demo_store):
    card = next(c for c in _cards(app, demo_store, PROGRAMME) if c.card_id == monitor.funnel_id("tcl_applied"))
    hidden = [r for r in card.table.rows[:-1] if r[2].hidden]
    assert hidden  # the demo's 2025 has hidden unit cells
    drawn = set(figure_of(card.figure).data[-1].meta)
    for row in hidden:
        code = next(u for u in UNITS.values if UNITS.label(u, "nl") == row[0].text)
        assert code not in drawn
        assert row[3].text == t("funnel.pos.hidden", "nl").format(k=10)  # "fewer than k or not shown"


def test_an_overdispersed_indicator_says_so_and_widens_its_limits(app, demo_store, monkeypatch):
    # The check's own arithmetic is tested in test_funnel; here it finds units differing more than chance.
    monkeypatch.setattr(funnel_limits, "overdispersion",
                        lambda y, n, p0, rounding=0.0: funnel_limits.Dispersion(len(y), 5.0, 22.4, True, 0.004))
    card = next(c for c in _cards(app, demo_store, PROGRAMME) if c.card_id == monitor.funnel_id("grade_7plus"))
    assert any(n.startswith("De eenheden verschillen meer dan toeval verklaart") for n in card.notes)
    unit = next(c for c in _cards(app, demo_store, UNIT_NN) if c.card_id == monitor.funnel_id("grade_7plus"))
    wide, plain = figure_of(card.figure).data[3], figure_of(unit.figure).data[3]  # upper 95%
    n = 20.0
    assert np.interp(n, wide.x, wide.y) > np.interp(n, plain.x, plain.y)


def test_the_unit_users_funnel_holds_its_own_point_the_national_rate_and_the_limits_only(app, demo_store):
    programme = {c.card_id: c for c in _cards(app, demo_store, PROGRAMME)}
    for card in _cards(app, demo_store, UNIT_NN, {"eenheid": "LB"}):
        text = json.dumps(card.figure, default=str) + json.dumps(card.table.texts()) + " ".join(card.notes)
        for unit in UNITS:
            if unit.code != "NN":
                assert unit.nl not in text and unit.en not in text, (card.card_id, unit.code)
                assert not re.search(rf'(?<![A-Za-z]){unit.code}(?![A-Za-z])', text), (card.card_id, unit.code)
        assert [r[0].text for r in card.table.rows] == ["Noord-Nederland", t("funnel.national", "nl")]
        points = figure_of(card.figure).data[-1]
        assert list(points.text) == list(points.meta) == ["NN"]
        n = float(points.x[0])
        # The curves: from k to twice its own n, and exactly the binomial limits of the national rate at that n.
        curve = figure_of(card.figure).data[3]
        assert curve.x[0] == 10 and curve.x[-1] == 2 * n
        national = programme[card.card_id].table.rows[-1]
        assert card.table.rows[-1][1].text == national[1].text  # the same national benchmark
        assert any(n_.startswith("U ziet alleen het punt van uw eigen eenheid") for n_ in card.notes)
        # No other unit's published figure: every number in the unit's figure is its own, national or a limit.
        own = card.table.rows[0]
        others = {r[1].text for r in programme[card.card_id].table.rows[:-1] if r[0].text != "Noord-Nederland"}
        assert own[1].text in {r[1].text for r in programme[card.card_id].table.rows}
        assert others  # (the comparison is meaningful: the programme sees other units' n)


def test_english_texts(app, demo_store):
    card = _cards(app, demo_store, PROGRAMME, lang="en")[0]
    assert card.title == "Referred back to the unit: units compared"
    assert figure_of(card.figure).layout.separators == ".,"
