"""The monitor pages, their layouts and callbacks as plain functions, for the programme manager and a unit user.

Each layout is called inside a request signed in as the role (`test_request_context` with Basic
credentials, then `preprocess_request`), the way Dash's page router calls it.
"""
from __future__ import annotations

import contextlib
import dataclasses
import importlib
import json
import math
import re
import urllib.parse
from pathlib import Path

import plotly.graph_objects as go
import pytest
import sqlalchemy as sa
from dash import dcc, html

from dashboard.ui import controls, figures, widgets
from dashboard.web import runtime
from dashboard.web.auth import current_access
from tests.factories import make_app
from tests.http_client import basic_auth_header
from dashboard.ui.components import definition_anchor
from dashboard.ui.texts import LANG_COOKIE, TEXTS, fmt_value, rule_sentence, rule_text, t
from queries.accounts.access import Access
from queries.store.codes import UNITS
from queries.privacy import SYMBOL, Policy
from tests import monitor_fixtures
from tests.stores import copy_store
from tests.monitor_fixtures import EXPECTED_WAITING, PROGRAMME, UNIT, figure_of, walk

PAGES = ("overview", "registrations", "waiting", "referrals", "survey", "reach")
ROLES = {"programme": PROGRAMME, "unit": UNIT}
OTHER_UNITS = [u for u in UNITS if u.code != "NN"]


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return monitor_fixtures.fresh_copy(tmp_path_factory, "pages")


@pytest.fixture(scope="module")
def app(store):
    return make_app(store)


@pytest.fixture(scope="module")
def pages(app):
    # Page modules register themselves with Dash, so they can only be imported once an app exists.
    return {name: importlib.import_module(f"dashboard.pages.{name}") for name in (*PAGES, "definitions")}


@contextlib.contextmanager
def signed_in(app, role: str, path: str = "/", lang: str | None = None):
    headers = {"Authorization": basic_auth_header(*ROLES[role])}
    if lang:
        headers["Cookie"] = f"{LANG_COOKIE}={lang}"
    with app.server.test_request_context(path, headers=headers):
        app.server.preprocess_request()
        yield


def render(app, page, role: str, lang: str | None = None, **query):
    path = "/?" + urllib.parse.urlencode(query) if query else "/"
    with signed_in(app, role, path, lang):
        return page.layout(**query)


def graphs(tree) -> list[dcc.Graph]:
    return [c for c in walk(tree) if isinstance(c, dcc.Graph)]


def text_of(tree) -> str:
    return json.dumps(tree.to_plotly_json(), cls=__import__("plotly").utils.PlotlyJSONEncoder, ensure_ascii=False)


def selects(tree) -> dict[str, str | None]:
    """Return each control's name and its selected value."""
    return {c.name: c.value for c in walk(tree) if isinstance(c, widgets.Select)}


def control_names(tree) -> set[str]:
    return set(selects(tree))


# --- every page, both roles -------------------------------------------------------------------------

@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", PAGES)
def test_every_page_lays_out_real_figures_for_both_roles(app, pages, name, role):
    tree = render(app, pages[name], role)
    found = graphs(tree)
    assert found, f"{name} has no charts for {role}"
    assert t("app.store_down", "nl") not in text_of(tree)
    shown = [y for g in found for trace in figure_of(g).data for y in (trace.y if trace.orientation != "h" else trace.x) or []
             if isinstance(y, (int, float)) and not (isinstance(y, float) and math.isnan(y))]
    assert shown, f"{name} shows no published value at all for {role}"


@pytest.mark.parametrize("name", PAGES)
def test_unit_user_sees_its_unit_and_the_benchmark_and_nothing_of_other_units(app, pages, name):
    tree = render(app, pages[name], "unit", eenheid="LB", periode="year")
    text = text_of(tree)
    assert "Noord-Nederland" in text and t("scope.national", "nl") in text
    for unit in OTHER_UNITS:
        assert unit.nl not in text and unit.en not in text
        assert not re.search(rf'"{unit.code}"', text), unit.code
    assert "eenheid" not in control_names(tree)  # no control that suggests other units exist


@pytest.mark.parametrize("name", PAGES)
def test_programme_manager_chooses_a_unit_and_gets_the_benchmark(app, pages, name):
    tree = render(app, pages[name], "programme", eenheid="LB", periode="year")
    assert "eenheid" in control_names(tree)
    text = text_of(tree)
    assert "Limburg" in text and t("scope.national", "nl") in text


def test_a_unit_with_monthly_granularity_falls_back_to_quarters_and_says_so(app, pages):
    tree = render(app, pages["registrations"], "programme", eenheid="NN", periode="month")
    text = text_of(tree)
    note = t("note.fell_back", "nl").format(wanted=t("period.of.month", "nl"), shown=t("period.of.quarter", "nl"))
    assert note in text
    trend = next(g for g in graphs(tree) if g.id == pages["registrations"].ID_GRAPH)
    assert all("K" in x for x in figure_of(trend).data[0].x)  # quarters (2013 K1), never empty months


def test_unit_users_default_to_quarters(app, pages):
    tree = render(app, pages["overview"], "unit")
    assert selects(tree)["periode"] == "quarter"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", (*PAGES, "definitions"))
def test_layouts_tolerate_unknown_and_forged_query_keys(app, pages, name, role):
    forged = {"periode": "decade", "van": "<script>", "tot": "2099-Q9", "eenheid": "'; DROP TABLE x", "foo": "bar",
              "scope": "LB", "unit": "LB"}
    tree = render(app, pages[name], role, **forged)
    assert "<script>" not in text_of(tree) and "DROP TABLE" not in text_of(tree)


def test_the_url_range_is_snapped_to_published_periods(app, pages):
    tree = render(app, pages["waiting"], "programme", periode="quarter", van="2010-Q1", tot="2030-Q4")
    assert (selects(tree)["van"], selects(tree)["tot"]) == ("2012-Q2", "2014-Q1")


# --- the controls: a GET form to the page itself ----------------------------------------------------------

@pytest.mark.parametrize("name", PAGES)
def test_the_controls_submit_to_the_page_and_the_url_gives_the_same_view_back(app, pages, name):
    page = pages[name]
    tree = render(app, page, "programme", periode="year", van="2013", tot="2013", eenheid="LB")
    form = next(c for c in walk(tree) if isinstance(c, html.Form))
    assert form.method == "get" and form.action == page.PATH
    assert any(isinstance(c, html.Button) and c.type == "submit" for c in walk(form))
    state = selects(form)
    assert state == {"periode": "year", "van": "2013", "tot": "2013", "eenheid": "LB"}
    # Submitting the form gives exactly this query string; laid out from it, the page shows the same view.
    assert selects(render(app, page, "programme", **state)) == state


def test_a_granularity_change_carries_the_range_over(app, pages):
    # The form still holds month keys when the granularity is changed to years.
    tree = render(app, pages["waiting"], "programme", periode="year", van="2013-04", tot="2013-12")
    assert (selects(tree)["van"], selects(tree)["tot"]) == ("2013", "2013")
    tree = render(app, pages["waiting"], "programme", periode="month", van="2013-Q2", tot="2013")
    assert (selects(tree)["van"], selects(tree)["tot"]) == ("2013-04", "2013-12")


@pytest.mark.parametrize("name", PAGES)
def test_the_unit_users_form_has_no_unit_and_its_url_unit_is_ignored(app, pages, name):
    tree = render(app, pages[name], "unit", periode="year", eenheid="LB")
    assert set(selects(tree)) == {"periode", "van", "tot"}
    assert controls.search_of(controls.view_from({"eenheid": "LB"}, Access("u", "unit", "NN"), {
        "month": ["2014-01"], "quarter": ["2014-Q1"], "year": ["2013"]})) == "?periode=quarter&van=2014-Q1&tot=2014-Q1"


# --- what the charts show ---------------------------------------------------------------------------------

def _hidden_points_are_never_values(figure: go.Figure):
    for trace in figure.data:
        horizontal = getattr(trace, "orientation", None) == "h"
        values = trace.x if horizontal else trace.y
        if trace.customdata is None or values is None:
            continue
        for text, value in zip(trace.customdata, values):
            if text == SYMBOL or str(text).startswith(f"{SYMBOL} "):
                assert value is None, (trace.name, text, value)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", PAGES)
def test_hidden_values_are_marked_and_never_drawn_as_zero(app, pages, name, role):
    tree = render(app, pages[name], role, periode="month")
    hidden_markers = 0
    for graph in graphs(tree):
        _hidden_points_are_never_values(figure_of(graph))
        hidden_markers += sum(1 for trace in figure_of(graph).data if (trace.name or "").startswith(SYMBOL))
    if name == "registrations" and role == "programme":
        assert hidden_markers > 0  # this small store has hidden monthly figures
    assert rule_sentence(Policy(), "nl") in text_of(tree)  # the legend is on the page


@pytest.mark.parametrize("name", PAGES)
def test_every_chart_has_a_text_alternative_and_links_to_its_definition(app, pages, name):
    tree = render(app, pages[name], "programme")
    definitions = text_of(render(app, pages["definitions"], "programme"))  # the rule needs the app's policy
    for component in walk(tree):
        if isinstance(component, html.Figure):
            kinds = [type(c) for c in component.children]
            assert html.Figcaption in kinds
    cards = [c for c in walk(tree) if isinstance(c, html.Section) and "card" in (c.className or "")]
    assert cards
    for card in cards:
        links = [c for c in walk(card) if isinstance(c, dcc.Link) and "definities#" in (c.href or "")]
        assert links, getattr(card, "id", card)
        anchor = links[0].href.split("#")[1]
        assert f'"id": "{anchor}"' in definitions, anchor
        if graphs(card):  # the chart's table view, with a row per period or category
            assert any(isinstance(c, widgets.TableDetails) and c.rows for c in walk(card))


def test_overview_shows_the_expected_value_as_a_labelled_reference_line_without_verdict(app, pages):
    # From 2013: the value retired at the end of 2012 applied to 2012 only.
    tree = render(app, pages["overview"], "programme", periode="quarter", van="2013-Q1")
    tile = next(c for c in walk(tree) if getattr(c, "id", None) == pages["overview"].tile_id("waiting_median"))
    figure = figure_of(graphs(tile)[0])
    lines = [s for s in figure.layout.shapes if s.y0 == EXPECTED_WAITING == s.y1]
    assert lines and lines[0].line.dash == "dash"
    assert lines[0].line.color not in ("red", "green") and lines[0].line.color == figures.REFERENCE_COLOUR
    label = f"{t('target.label', 'nl')}: {fmt_value(EXPECTED_WAITING, 'days', 'nl')}"
    assert any(a.text == label for a in figure.layout.annotations)
    assert label in text_of(tile)
    assert "99" not in text_of(tile)  # the retired expected value is not drawn


def test_unit_tile_shows_the_national_benchmark(app, pages):
    tree = render(app, pages["overview"], "unit", periode="year")
    tile = next(c for c in walk(tree) if getattr(c, "id", None) == pages["overview"].tile_id("registrations"))
    assert f"{t('kpi.benchmark', 'nl')}: " in text_of(tile)


def test_registrations_shows_all_seven_products_with_their_definitions(app, pages):
    from queries.store.codes import PRODUCT_DEFINITIONS, PRODUCTS

    tree = render(app, pages["registrations"], "programme", periode="year")
    card_id = pages["registrations"].breakdown_id("product") + "-card"
    product = next(c for c in walk(tree) if getattr(c, "id", None) == card_id)
    figure = figure_of(graphs(product)[0])
    labels = {y.replace("<br>", " ") for trace in figure.data for y in trace.y}
    assert labels == {PRODUCTS.label(c, "nl") for c in PRODUCTS.values}
    text = text_of(product)
    assert all(nl in text for nl, _en in PRODUCT_DEFINITIONS.values())


def test_registrations_by_unit_only_for_the_programme_at_national_level(app, pages):
    page = pages["registrations"]
    for role, query, present in (("programme", {}, True), ("programme", {"eenheid": "NN"}, False), ("unit", {}, False)):
        tree = render(app, page, role, periode="year", **query)
        assert (page.ID_BY_UNIT in text_of(tree)) is present, (role, query)


def test_english_labels_and_number_format(app, pages):
    tree = render(app, pages["waiting"], "programme", lang="en", periode="year")
    text = text_of(tree)
    assert t("page.waiting", "en") in text and t("page.waiting", "nl") not in text
    assert all(figure_of(g).layout.separators == ".," for g in graphs(tree))
    dutch = render(app, pages["waiting"], "programme", periode="year")
    assert all(figure_of(g).layout.separators == ",." for g in graphs(dutch))


def test_dutch_formats():
    assert fmt_value(1234.5, "days", "nl") == "1.234,5 dagen"
    assert fmt_value(1234.5, "days", "en") == "1,234.5 days"
    assert fmt_value(25.0, "percent", "nl") == "25%"
    assert fmt_value(None, "count", "nl", suppressed=True) == SYMBOL
    assert fmt_value(None, "count", "nl") == "–"


def test_every_label_has_dutch_and_english():
    for key, pair in TEXTS.items():
        assert len(pair) == 2 and all(isinstance(x, str) and x.strip() for x in pair), key


def test_definitions_page_explains_every_figure_and_the_privacy_rule(app, pages):
    from queries.catalogue.indicators import SOURCES

    with signed_in(app, "unit"):
        text = text_of(pages["definitions"].layout(foo="bar"))
    assert rule_sentence(Policy(), "nl") in text and rule_text(Policy(), "nl") in text
    for section, keys in pages["definitions"].SECTIONS:
        for key in keys:
            assert definition_anchor(key) in text and t(f"ind.{key}.def", "nl") in text
            assert key in SOURCES


# --- empty and error states ---------------------------------------------------------------------------

@contextlib.contextmanager
def engine_swapped(app, engine):
    original = app.server.extensions[runtime.EXTENSION]
    app.server.extensions[runtime.EXTENSION] = dataclasses.replace(original, engine=engine)
    try:
        yield
    finally:
        app.server.extensions[runtime.EXTENSION] = original


@pytest.mark.parametrize("name", PAGES)
def test_a_store_that_is_down_gives_a_clear_message_and_recovers_without_restart(app, pages, name, tmp_path):
    broken = sa.create_engine(f"sqlite:///{tmp_path / 'missing' / 'nowhere.sqlite'}")
    with signed_in(app, "programme"):
        access = current_access()  # signed in before the store went away
        with engine_swapped(app, broken):
            tree = pages[name].layout()
    text = text_of(tree)
    assert t("app.store_down", "nl") in text and "Traceback" not in text and not graphs(tree)
    assert access.role == "programme"
    assert graphs(render(app, pages[name], "programme"))  # the next request works again


def test_an_empty_catalogue_says_so(app, pages, store, tmp_path):
    empty = copy_store(Path(store.url.database), tmp_path)
    with empty.begin() as conn:
        conn.execute(sa.text("DELETE FROM published_cells"))
    with signed_in(app, "programme"), engine_swapped(app, empty):
        tree = pages["overview"].layout()
    assert t("app.no_catalogue", "nl") in text_of(tree) and not graphs(tree)


def test_a_period_without_figures_says_so_instead_of_an_empty_chart(app, pages):
    # 2012 has no registrations at all: a unit's breakdowns then have nothing to show for it.
    tree = render(app, pages["reach"], "unit", periode="year", van="2012", tot="2012")
    for graph in graphs(tree):
        _hidden_points_are_never_values(figure_of(graph))
    assert graphs(tree)


# --- the figure builders are pure ------------------------------------------------------------------------

def test_bar_over_time_marks_hidden_periods_with_the_symbol():
    import pandas as pd

    df = pd.DataFrame({"period": ["2014-01", "2014-02"], "value": [25.0, float("nan")], "suppressed": [False, True]})
    fig = figure_of(figures.bar_over_time(df, title="", lang="nl"))
    shown, hidden = fig.data
    assert list(shown.y) == [25.0, None] and list(hidden.text) == ["", SYMBOL]
    assert hidden.marker.pattern.shape == "/"


def test_lines_over_time_puts_hidden_points_on_top_not_at_zero():
    import pandas as pd

    df = pd.DataFrame({"series": "a", "period": ["2013", "2014"], "value": [40.0, float("nan")],
                       "suppressed": [False, True]})
    fig = figure_of(figures.lines_over_time(df, title="", lang="en", series_labels={"a": "A"}, measure="percent"))
    line, stars = fig.data
    assert list(line.y) == [40.0, None]
    assert stars.y[0] > 40 and stars.marker.symbol == "asterisk-open"


def test_palette_is_okabe_ito():
    assert figures.PALETTE[:3] == ("#0072B2", "#E69F00", "#009E73")


def test_the_view_never_takes_a_unit_from_the_url_for_a_unit_user():
    available = {"month": ["2014-01"], "quarter": ["2014-Q1"], "year": ["2013"]}
    view = controls.view_from({"eenheid": "LB"}, Access("u", "unit", "NN"), available)
    assert view.unit == "NN" and view.scopes == ["NN", "NL"] and not view.choose_unit
    view = controls.view_from({"eenheid": "LB"}, Access("p", "programme"), available)
    assert view.unit == "LB" and view.choose_unit
    assert controls.view_from({}, Access("p", "programme"), {"month": [], "quarter": [], "year": []}) is None
