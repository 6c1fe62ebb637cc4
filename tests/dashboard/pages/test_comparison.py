"""The comparison page (/vergelijking) laid out for the programme manager and a unit user, on the monitor store."""
from __future__ import annotations

import importlib
import json
import re
import urllib.parse

import plotly
import pytest
from dash import dcc, html

from dashboard.ui import monitor, widgets
from dashboard.ui.texts import LANG_COOKIE, rule_sentence, t
from queries.catalogue.declarations import FUNNEL
from queries.privacy import SYMBOL, Policy
from queries.store.codes import UNITS
from tests import monitor_fixtures
from tests.factories import make_app
from tests.http_client import basic_auth_header, router_request
from tests.monitor_fixtures import PROGRAMME, UNIT, figure_of, walk

ROLES = {"programme": PROGRAMME, "unit": UNIT}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return make_app(monitor_fixtures.fresh_copy(tmp_path_factory, "comparison"))


@pytest.fixture(scope="module")
def page(app):
    return importlib.import_module("dashboard.pages.comparison")  # pages register themselves once an app exists


def render(app, page, role: str, lang: str | None = None, **query):
    headers = {"Authorization": basic_auth_header(*ROLES[role])}
    if lang:
        headers["Cookie"] = f"{LANG_COOKIE}={lang}"
    path = "/vergelijking?" + urllib.parse.urlencode(query)
    with app.server.test_request_context(path, headers=headers):
        app.server.preprocess_request()
        return page.layout(**query)


def text_of(tree) -> str:
    return json.dumps(tree.to_plotly_json(), cls=plotly.utils.PlotlyJSONEncoder, ensure_ascii=False)


def graphs(tree) -> list[dcc.Graph]:
    return [c for c in walk(tree) if isinstance(c, dcc.Graph)]


def test_the_page_is_a_monitor_page_in_the_navigation_and_the_pack():
    assert monitor.path_of("comparison") == "/vergelijking" and monitor.page_at("/vergelijking") == "comparison"
    assert list(monitor.PAGES)[-1] == "comparison"  # the steering pack follows this order


@pytest.mark.parametrize("role", ROLES)
def test_one_funnel_per_indicator_with_its_reading_sentence_table_and_legend(app, page, role):
    tree = render(app, page, role, periode="year")
    found = {g.id: g for g in graphs(tree)}
    assert set(found) == {monitor.funnel_id(k) for k in FUNNEL}
    text = text_of(tree)
    assert text.count(t("funnel.how_to_read", "nl")) == len(FUNNEL)  # one sentence under every chart
    assert t("page.comparison", "nl") in text and rule_sentence(Policy(), "nl") in text
    for graph in found.values():
        fig = figure_of(graph)
        assert {tr.name for tr in fig.data} >= {t("funnel.limits95", "nl"), t("funnel.limits998", "nl")}
        assert fig.data[-1].name == t("funnel.units", "nl")
    cards = [c for c in walk(tree) if isinstance(c, html.Section) and "card" in (c.className or "")]
    for card in cards:
        assert any(isinstance(c, widgets.TableDetails) and c.rows for c in walk(card))
        links = [c.href for c in walk(card) if isinstance(c, dcc.Link)]
        assert any(href.split("#")[1].removeprefix("def-").replace("-", "_") in FUNNEL for href in links)


def test_the_programme_sees_every_unit_in_code_order_and_no_ranking(app, page):
    tree = render(app, page, "programme", periode="year", van="2013", tot="2013")
    drawn = set()
    for graph in graphs(tree):
        points = list(figure_of(graph).data[-1].meta)
        assert set(points) <= {"NN", "LB", "AM"}  # the store's three units
        assert points == [u for u in UNITS.values if u in points]  # in code order, never by rate
        drawn |= set(points)
    assert drawn == {"NN", "LB", "AM"}
    text = text_of(tree).lower()
    for word in ("beste", "slechtste", "rangorde 1", "best unit", "worst"):
        assert word not in text
    assert t("funnel.note.unknown_unit", "nl").lower() in text


def test_the_unit_user_sees_its_own_point_only_whatever_the_url_says(app, page):
    tree = render(app, page, "unit", periode="year", eenheid="LB")
    text = text_of(tree)
    for unit in UNITS:
        if unit.code != "NN":
            assert unit.nl not in text and unit.en not in text, unit.code
            assert not re.search(rf'"{unit.code}"', text), unit.code
    for graph in graphs(tree):
        assert list(figure_of(graph).data[-1].meta) == ["NN"]
    assert t("funnel.note.own_unit", "nl") in text
    assert "eenheid" not in {c.name for c in walk(tree) if isinstance(c, widgets.Select)}


def test_a_chosen_unit_is_marked_not_singled_out(app, page):
    tree = render(app, page, "programme", periode="year", eenheid="LB")
    text = text_of(tree)
    assert t("funnel.note.chosen", "nl").format(unit="Limburg") in text
    points = next(p for p in (figure_of(g).data[-1] for g in graphs(tree)) if len(p.meta) == 3)
    sizes = dict(zip(points.meta, points.marker.size))
    assert sizes["LB"] > sizes["NN"] == sizes["AM"]  # the others are still there, unmarked


def test_a_month_or_quarter_view_compares_the_year_it_ends_in(app, page):
    tree = render(app, page, "programme", periode="quarter", van="2013-Q2", tot="2013-Q4")
    text = text_of(tree)
    assert t("funnel.note.year", "nl").format(year="2013") in text
    # 2014 is not a complete year: the latest complete one is compared by default.
    assert t("funnel.note.year", "nl").format(year="2013") in text_of(render(app, page, "programme"))


def test_hidden_points_are_never_drawn(app, page):
    tree = render(app, page, "programme", periode="year")
    for graph in graphs(tree):
        for trace in figure_of(graph).data:
            assert SYMBOL not in (trace.text or ())
            assert all(v is not None for v in (trace.y or ()))


def test_the_routers_answer_for_the_page_holds_the_funnels(app, page):
    client = app.server.test_client()
    response = client.post("/_dash-update-component", json=router_request("/vergelijking", "?periode=year"),
                           headers={"Authorization": basic_auth_header(*UNIT)})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert all(monitor.funnel_id(k) in body for k in FUNNEL) and "Limburg" not in body


def test_english(app, page):
    text = text_of(render(app, page, "programme", lang="en", periode="year"))
    assert t("page.comparison", "en") in text and t("funnel.how_to_read", "en") in text
    assert t("funnel.how_to_read", "nl") not in text
