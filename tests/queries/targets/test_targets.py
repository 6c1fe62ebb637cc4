"""Expected values (issue #9): recording and history, role checks, the reference lines over the months a value
applied to, the overview's neutral comparison (and its suppression with the figure), the page, `loket targets`
and the steering pack's summary.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import importlib
import io
import json
import urllib.parse

import openpyxl
import pandas as pd
import pytest
import sqlalchemy as sa
from dash import html

from dashboard.ui import cards, figures
from dashboard import cli, exports
from dashboard.exports.contents import key_figure_rows
from dashboard.exports.pack import pack_xlsx
from tests.factories import make_app
from tests.http_client import basic_auth_header
from dashboard.ui.texts import LANG_COOKIE, TEXTS, fmt_value, t
from queries import catalogue, targets
from queries.catalogue import indicators
from queries.targets import target_rules
from queries.accounts.access import NATIONAL, Access, AccessDenied
from queries.store.schema import AuditEntry, IndicatorTarget
from tests import monitor_fixtures
from tests.dash_text import text_of
from tests.monitor_fixtures import PROGRAMME, UNIT, figure_of, walk

PM = Access("pm-anna", "programme")
ADMIN = Access("beheer", "admin")
UNIT_NN = Access("hr-nn", "unit", "NN")
NOBODY = Access("x", None)


def _rows(engine) -> list:
    with engine.connect() as conn:
        return conn.execute(sa.select(IndicatorTarget).order_by(IndicatorTarget.id)).all()


def _audit(engine, *actions) -> list:
    with engine.connect() as conn:
        return conn.execute(sa.select(AuditEntry).where(AuditEntry.action.in_(actions)).order_by(AuditEntry.id)).all()


def _lines(*rows) -> pd.DataFrame:
    """Reference lines by hand: (id, indicator, value, start, end)."""
    return pd.DataFrame([{"id": i, "indicator": k, "product": None, "target_group": None, "expected_value": v,
                          "start": s, "end": e} for i, k, v, s, e in rows])


# --- recording and history ------------------------------------------------------------------------------

def test_recording_keeps_history_and_a_change_supersedes_from_its_month(any_store):
    first = targets.record(any_store, PM, indicator="waiting_within_14", value="80", valid_from="2013-01",
                           rationale="Agreed in the steering meeting")
    second = targets.record(any_store, ADMIN, indicator="waiting_within_14", value="85,5", valid_from="2013-06",
                            rationale="Raised after the evaluation")
    rows = _rows(any_store)
    assert [(r.id, r.expected_value, r.valid_from, r.set_by, r.retired_at) for r in rows] == [
        (first, 80.0, dt.date(2013, 1, 1), "pm-anna", None), (second, 85.5, dt.date(2013, 6, 1), "beheer", None)]
    assert rows[0].rationale == "Agreed in the steering meeting" and rows[0].set_at is not None
    history = targets.history(any_store, UNIT_NN).set_index("id")
    assert (history.loc[first, "start"], history.loc[first, "end"], history.loc[first, "status"]) == (
        "2013-01", "2013-06", targets.SUPERSEDED)
    assert history.loc[second, "status"] == targets.CURRENT and pd.isna(history.loc[second, "end"])
    # the old value still holds for the months before the change
    assert targets.expected_values(any_store, PM, on=dt.date(2013, 5, 31))["expected_value"].tolist() == [80.0]
    assert targets.expected_values(any_store, PM, on=dt.date(2013, 6, 1))["expected_value"].tolist() == [85.5]


def test_a_store_without_expected_values_gives_empty_frames(sqlite_store):
    assert targets.history(sqlite_store, UNIT_NN).empty and targets.reference_lines(sqlite_store, UNIT_NN).empty
    assert targets.expected_values(sqlite_store, PM).empty


def test_a_correction_in_the_same_month_replaces_the_value_but_keeps_the_row(sqlite_store):
    wrong = targets.record(sqlite_store, PM, indicator="response_rate", value=5, valid_from="2014-01", rationale="typo")
    right = targets.record(sqlite_store, PM, indicator="response_rate", value=50, valid_from="2014-01",
                           rationale="at least half")
    lines = targets.reference_lines(sqlite_store, PM)
    assert lines["id"].tolist() == [right]
    history = targets.history(sqlite_store, PM).set_index("id")
    assert history.loc[wrong, "status"] == targets.NEVER and len(_rows(sqlite_store)) == 2


def test_values_per_product_and_target_group_are_separate_from_the_overall_one(sqlite_store):
    targets.record(sqlite_store, PM, indicator="throughput_median", value=60, valid_from="2013-01", rationale="all")
    crisis = targets.record(sqlite_store, PM, indicator="throughput_median", value=14, valid_from="2013-03",
                            product="crisis", rationale="crisis is short")
    targets.record(sqlite_store, PM, indicator="grade_mean", value=7.5, valid_from="2013-01",
                   target_group="Oud-medewerker", rationale="by label")
    lines = targets.reference_lines(sqlite_store, PM)
    assert set(lines["end"].dropna()) == set()  # none supersedes another
    assert lines.set_index("id").loc[crisis, "product"] == "crisis"
    assert lines[lines["indicator"] == "grade_mean"]["target_group"].tolist() == ["former_staff"]
    assert target_rules.value_throughout(lines, "throughput_median", "2013-Q2") == 60.0
    assert target_rules.value_throughout(lines, "throughput_median", "2013-Q2", product="crisis") == 14.0
    assert target_rules.value_throughout(lines, "throughput_median", "2013-Q1", product="crisis") is None


def test_retiring_keeps_the_row_and_the_months_before(sqlite_store):
    target = targets.record(sqlite_store, PM, indicator="anonymity_rate", value=40, valid_from="2013-01",
                            rationale="reference")
    targets.retire(sqlite_store, ADMIN, target_id=str(target))
    (row,) = _rows(sqlite_store)
    assert row.retired_by == "beheer" and row.retired_at is not None and row.expected_value == 40.0
    this_month = f"{row.retired_at:%Y-%m}"
    history = targets.history(sqlite_store, PM)
    assert history["status"].tolist() == [targets.RETIRED] and history["end"].tolist() == [this_month]
    assert targets.history(sqlite_store, PM, include_past=False).empty
    assert targets.expected_values(sqlite_store, PM).empty
    assert targets.expected_values(sqlite_store, PM, on=dt.date(2014, 1, 1))["expected_value"].tolist() == [40.0]
    with pytest.raises(targets.TargetError, match="already retired"):
        targets.retire(sqlite_store, ADMIN, target_id=target)


@pytest.mark.parametrize("changes, reason", [
    ({"indicator": "happiness"}, "indicator"),
    ({"indicator": None}, "indicator"),
    ({"value": "101"}, "range"),
    ({"value": -1}, "range"),
    ({"value": "veel"}, "number"),
    ({"value": True}, "number"),
    ({"value": float("nan")}, "range"),
    ({"valid_from": "2014-13"}, "month"),
    ({"valid_from": "01-2014"}, "month"),
    ({"valid_from": "1999-01"}, "month_range"),
    ({"product": "massage"}, "product"),
    ({"target_group": "LB"}, "target_group"),
    ({"rationale": "  "}, "rationale"),
    ({"rationale": "x" * 2001}, "rationale_long"),
    ({"unit": "NN"}, "unit"),
    ({"indicator": "grade_mean", "value": 11}, "range"),
])
def test_invalid_values_are_refused_and_nothing_is_written(sqlite_store, changes, reason):
    good = {"indicator": "waiting_within_14", "value": "80", "valid_from": "2014-01", "rationale": "ok"}
    with pytest.raises(targets.TargetError) as refused:
        targets.record(sqlite_store, PM, **{**good, **changes})
    assert refused.value.key == reason
    t(f"targets.err.{reason}", "nl").format(**refused.value.params)  # the page can say it
    assert _rows(sqlite_store) == [] and _audit(sqlite_store, "target_set") == []


def test_only_programme_managers_and_admins_change_expected_values(sqlite_store):
    target = targets.record(sqlite_store, PM, indicator="registrations", value=30, valid_from="2014-01",
                            rationale="reference")
    for caller in (UNIT_NN, NOBODY):
        with pytest.raises(AccessDenied):
            targets.record(sqlite_store, caller, indicator="registrations", value=10, valid_from="2014-02",
                           rationale="x")
        with pytest.raises(AccessDenied):
            targets.retire(sqlite_store, caller, target_id=target)
    assert len(_rows(sqlite_store)) == 1 and _rows(sqlite_store)[0].retired_at is None
    # unit users see them, callers without a role do not
    assert targets.history(sqlite_store, UNIT_NN)["id"].tolist() == [target]
    with pytest.raises(AccessDenied):
        targets.history(sqlite_store, NOBODY)


def test_every_change_is_in_the_audit_log_with_who_and_what(sqlite_store):
    target = targets.record(sqlite_store, PM, indicator="waiting_median", value=14, valid_from="2014-01",
                            product="short_term", rationale="two weeks")
    targets.retire(sqlite_store, ADMIN, target_id=target)
    entries = _audit(sqlite_store, "target_set", "target_retire")
    assert [(e.username, e.role, e.action, e.status) for e in entries] == [
        ("pm-anna", "programme", "target_set", 200), ("beheer", "admin", "target_retire", 200)]
    assert entries[0].target == f"target {target}: waiting_median product=short_term from 2014-01"
    assert entries[1].target.startswith(f"target {target}: waiting_median")


# --- the reference lines ----------------------------------------------------------------------------------

MONTHS = [f"2013-{m:02d}" for m in range(1, 13)]


def _trend(periods_, value=50.0):
    return pd.DataFrame({"period": periods_, "value": value, "suppressed": False})


def _reference_shapes(fig):
    return [s for s in figure_of(fig).layout.shapes if s.line.dash == "dash" and s.line.color == figures.REFERENCE_COLOUR]


def test_a_value_valid_from_a_later_month_leaves_earlier_months_alone():
    lines = _lines((1, "registrations", 30.0, "2013-06", None))
    fig = figures.bar_over_time(_trend(MONTHS), title="", lang="nl", expected=lines)
    (shape,) = _reference_shapes(fig)
    assert (shape.x0, shape.x1, shape.y0, shape.y1) == (4.5, 11.5, 30.0, 30.0)  # June is the 6th bar (index 5)
    label = f"{t('target.label', 'nl')}: {fmt_value(30.0, 'count', 'nl')}"
    assert [a.x for a in figure_of(fig).layout.annotations if a.text == label] == [4.5]


def test_a_change_mid_range_draws_a_step_and_a_retired_value_stops():
    lines = _lines((1, "waiting_within_14", 80.0, "2013-01", "2013-06"), (2, "waiting_within_14", 90.0, "2013-06",
                                                                            "2013-10"))
    fig = figures.lines_over_time(_trend(MONTHS).assign(series="a"), title="", lang="en", series_labels={"a": "NL"},
                                  measure="percent", expected=lines)
    assert sorted((s.x0, s.x1, s.y0) for s in _reference_shapes(fig)) == [(-0.5, 4.5, 80.0), (4.5, 8.5, 90.0)]
    assert {a.text for a in figure_of(fig).layout.annotations} >= {"Expected value: 80%", "Expected value: 90%"}


def test_in_quarters_a_value_starts_at_its_month_inside_the_quarter():
    lines = _lines((1, "grade_mean", 7.5, "2013-05", None))
    fig = figures.sparkline(_trend(["2013-Q1", "2013-Q2", "2013-Q3"], 7.0), lang="nl", measure="grade",
                            expected=lines)
    (shape,) = _reference_shapes(fig)
    assert shape.x0 == pytest.approx(1 - 0.5 + 1 / 3) and shape.x1 == pytest.approx(2.5)


def test_no_expected_value_no_line():
    fig = figures.bar_over_time(_trend(MONTHS), title="", lang="nl", expected=_lines((1, "x", 5.0, "2015-01", None)))
    assert _reference_shapes(fig) == [] and not figure_of(fig).layout.annotations


# --- the comparison text ------------------------------------------------------------------------------------

PARTS = {"value": 72.0, "suppressed": False, "numerator": 18.0, "numerator_suppressed": False, "denominator": 25.0,
         "denominator_suppressed": False}


def test_the_comparison_says_how_the_latest_period_compares_in_neutral_words():
    assert cards.comparison_text("waiting_within_14", PARTS, 80.0, "en") == \
        "18 of 25 clients within 14 days (72%); expected 80%"
    assert cards.comparison_text("waiting_within_14", PARTS, 80.0, "nl") == \
        "18 van 25 cliënten binnen 14 dagen (72%); verwacht 80%"
    median = {"value": 12.0, "suppressed": False}
    assert cards.comparison_text("waiting_median", median, 14.0, "en") == "median 12.0 days; expected 14.0 days"
    assert cards.comparison_text("grade_mean", {"value": 7.8, "suppressed": False}, 7.5, "nl") == \
        "gemiddeld cijfer 7,8; verwacht 7,5"
    for text in (cards.comparison_text("waiting_within_14", PARTS, 60.0, lang) for lang in ("nl", "en")):
        assert not any(word in text.lower() for word in ("niet gehaald", "not met", "fail", "good", "bad", "goed"))


@pytest.mark.parametrize("hidden", [
    {"suppressed": True, "value": None},
    {"numerator_suppressed": True, "numerator": None},
    {"denominator_suppressed": True, "denominator": None},
    {"value": None},  # nothing to show (no clients)
])
def test_no_comparison_when_the_figure_or_a_count_it_needs_is_hidden(hidden):
    assert cards.comparison_text("waiting_within_14", {**PARTS, **hidden}, 80.0, "nl") is None


def test_no_comparison_without_an_expected_value_for_the_whole_period():
    assert cards.comparison_text("waiting_within_14", PARTS, None, "nl") is None
    lines = _lines((1, "waiting_within_14", 80.0, "2013-01", "2013-05"), (2, "waiting_within_14", 90.0, "2013-05", None))
    assert target_rules.value_throughout(lines, "waiting_within_14", "2013-Q2") is None  # changed in May
    assert target_rules.value_at_end(lines, "waiting_within_14", "2013-Q2") == 90.0
    assert target_rules.value_throughout(lines, "waiting_within_14", "2013-04") == 80.0


def test_every_indicator_has_a_comparison_text_in_both_languages():
    for key, ind in indicators.INDICATORS.items():
        nl, en = TEXTS[f"cmp.{key}"]
        fields = {"{num}", "{den}"} if ind.kind == indicators.PERCENT else {"{value}"}
        assert all(f in nl and f in en for f in fields), key


# --- the pages on the monitor store ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def store(tmp_path_factory):
    engine = monitor_fixtures.fresh_copy(tmp_path_factory, "targets")
    targets.record(engine, PM, indicator="waiting_within_14", value=80, valid_from="2013-01", rationale="80% in 14 d")
    targets.record(engine, PM, indicator="response_rate", value=50, valid_from="2014-02", rationale="half")
    targets.record(engine, PM, indicator="throughput_median", value=30, valid_from="2013-01", product="short_term",
                   rationale="short-term help is short")
    return engine


@pytest.fixture(scope="module")
def app(store):
    return make_app(store)


@pytest.fixture(scope="module")
def pages(app):
    return {name: importlib.import_module(f"dashboard.pages.{name}") for name in ("overview", "waiting", "targets")}


ROLES = {"programme": PROGRAMME, "unit": UNIT}


@contextlib.contextmanager
def signed_in(app, role: str, query: dict | None = None, lang: str = "nl"):
    headers = {"Authorization": basic_auth_header(*ROLES[role]), "Cookie": f"{LANG_COOKIE}={lang}"}
    path = "/?" + urllib.parse.urlencode(query or {})
    with app.server.test_request_context(path, headers=headers):
        app.server.preprocess_request()
        yield


def render(app, page, role: str, lang: str = "nl", **query):
    with signed_in(app, role, query, lang):
        return page.layout(**query)


def by_id(tree, component_id):
    return next(c for c in walk(tree) if getattr(c, "id", None) == component_id)


def table_rows(tree) -> list[list[str]]:
    body = next(c for c in walk(tree) if isinstance(c, html.Tbody))
    return [[text_of(cell) for cell in row.children] for row in body.children]


def published(store, table, category, period_type, period, scope=NATIONAL):
    with store.connect() as conn:
        cells = catalogue.read_cells(conn, table, period_type, [scope])
    cell = cells[(cells["period"] == period) & (cells["category"] == category)].iloc[0]
    return None if cell["suppressed"] else cell["value"]


def test_overview_states_the_comparison_from_published_counts(app, pages, store):
    tree = render(app, pages["overview"], "programme", periode="quarter")
    rows = {r[0]: r for r in table_rows(by_id(tree, pages["overview"].ID_EXPECTED))}
    row = rows[t("ind.waiting_within_14", "nl")]
    num = published(store, "intakes_by_waiting", "within_14", "quarter", "2014-Q1")
    den = published(store, "intakes", "_total", "quarter", "2014-Q1")
    assert num is not None and den is not None and num % 5 == 0 and den % 5 == 0  # rounded, shown
    share = fmt_value(float(int(100 * num / den + 0.5)), "percent", "nl")
    assert row[1:7] == [t("targets.all_clients", "nl"), "80%", "jan 2013", "2014 K1", share,
                        f"{num:.0f} van {den:.0f} cliënten binnen 14 dagen ({share}); verwacht 80%"]
    # valid only from February 2014: no comparison for the quarter it changed in, nor a line over January
    assert rows[t("ind.response_rate", "nl")][6] == t("expected.changed", "nl")
    assert rows[t("ind.throughput_median", "nl")][1] == "2 Kortdurende hulp"


def test_the_comparison_is_suppressed_with_the_figure(app, pages, store):
    # a month has 10 registrations with an intake, 8 of them within 14 days: fewer than 10, not shown
    assert published(store, "intakes_by_waiting", "within_14", "month", "2014-03") is None
    tree = render(app, pages["overview"], "programme", periode="month")
    row = next(r for r in table_rows(by_id(tree, pages["overview"].ID_EXPECTED))
               if r[0] == t("ind.waiting_within_14", "nl"))
    assert row[2] == "80%"  # the expected value itself is shown
    assert row[5] == "*" and row[6] == t("expected.hidden", "nl")
    assert all("cliënten binnen" not in cell for r in table_rows(by_id(tree, pages["overview"].ID_EXPECTED))
               for cell in r)


def test_the_headline_tile_gives_the_expected_value_and_the_comparison(app, pages, store):
    targets.record(store, PM, indicator="waiting_median", value=12, valid_from="2013-01", rationale="median")
    try:
        tile = by_id(render(app, pages["overview"], "programme", periode="quarter"),
                     pages["overview"].tile_id("waiting_median"))
        comparison = next(c for c in walk(tile) if "kpi-comparison" in (getattr(c, "className", "") or ""))
        median = published(store, "waiting_days", "median", "quarter", "2014-Q1")
        assert comparison.children == f"mediaan {fmt_value(median, 'days', 'nl')}; verwacht {fmt_value(12, 'days', 'nl')}"
    finally:
        with store.begin() as conn:  # leave the module's store as it was
            conn.execute(sa.delete(IndicatorTarget).where(IndicatorTarget.indicator == "waiting_median",
                                                          IndicatorTarget.expected_value == 12))


def test_charts_draw_the_values_only_over_the_months_they_applied_to(app, pages):
    tree = render(app, pages["waiting"], "programme", periode="month", van="2013-04", tot="2014-03")
    (shape,) = _reference_shapes(by_id(tree, pages["waiting"].ID_WITHIN))
    assert (shape.x0, shape.x1, shape.y0) == (-0.5, 11.5, 80.0)
    tree = render(app, pages["waiting"], "programme", periode="year", tot="2013")
    throughput = figure_of(by_id(tree, pages["waiting"].ID_THROUGHPUT))
    ticks = [tr for tr in throughput.data if tr.name == t("target.label", "nl")]
    assert ticks and list(ticks[0].x) == [30.0] and "Kortdurende" in ticks[0].y[0]
    survey = importlib.import_module("dashboard.pages.survey")
    response = figure_of(by_id(render(app, survey, "unit", periode="quarter"), survey.ID_RESPONSE))
    last = list(response.data[0].x).index("2014 K1")  # valid from February 2014: a third into the quarter
    assert [(s.x0, s.x1, s.y0) for s in _reference_shapes(response)] == [
        (pytest.approx(last - 0.5 + 1 / 3), pytest.approx(last + 0.5), 50.0)]
    yearly = figure_of(by_id(render(app, survey, "unit", periode="year"), survey.ID_RESPONSE))
    assert _reference_shapes(yearly) == []  # 2014 is not complete: no year the value applied to is shown


def test_unit_users_see_the_expected_values_but_not_the_forms(app, pages):
    tree = render(app, pages["targets"], "unit")
    text = text_of(tree)
    assert t("targets.read_only", "nl") in text and "80%" in text and "80% in 14 d" in text
    ids = {getattr(c, "id", None) for c in walk(tree)}
    assert pages["targets"].ID_SAVE not in ids and pages["targets"].ID_CHOOSE not in ids
    assert not any(isinstance(i, dict) for i in ids)  # no retire buttons
    assert not any(isinstance(c, (html.Select, html.Form)) and "eenheid" in str(c.to_plotly_json()) for c in walk(tree))
    overview = text_of(by_id(render(app, pages["overview"], "unit"), pages["overview"].ID_EXPECTED))
    assert t("ind.waiting_within_14", "nl") in overview


def test_the_programme_manager_records_and_retires_on_the_page(app, pages, store):
    page = pages["targets"]
    tree = render(app, page, "programme", indicator="sessions_mean", product="process_guidance", doelgroep="nope")
    assert by_id(tree, page.ID_SELECTION).data == {"indicator": "sessions_mean", "product": "process_guidance",
                                                   "target_group": None}
    labels = {c.htmlFor for c in walk(tree) if isinstance(c, html.Label)}
    assert {page.ID_VALUE, page.ID_FROM, page.ID_RATIONALE, page.ID_INDICATOR, page.ID_PRODUCT} <= labels
    with signed_in(app, "programme"):
        status, history = page.save_target(by_id(tree, page.ID_SELECTION).data, "15", "2014-02", "guidance reviewed")
        assert "Vastgelegd" in text_of(status) and "guidance reviewed" in text_of(history)
        refused, unchanged = page.save_target({"indicator": "sessions_mean"}, "15", "feb", "x")
        assert "geen maand" in text_of(refused) and unchanged is page.no_update
    (row,) = [r for r in _rows(store) if r.indicator == "sessions_mean"]
    assert (row.expected_value, row.product, row.set_by) == (15.0, "process_guidance", PROGRAMME[0])
    with signed_in(app, "programme"):
        status, history = page.retire_target(row.id)
        assert t("targets.retired", "nl").format(id=row.id) in text_of(status)
    assert [r.retired_by for r in _rows(store) if r.id == row.id] == [PROGRAMME[0]]
    actions = [(e.username, e.action) for e in _audit(store, "target_set", "target_retire")]
    assert (PROGRAMME[0], "target_set") in actions and (PROGRAMME[0], "target_retire") in actions
    with store.begin() as conn:  # leave the module's store as it was
        conn.execute(sa.delete(IndicatorTarget).where(IndicatorTarget.indicator == "sessions_mean"))


def _callback_body(page, trigger: str, selection, value="50", retire_id=None):
    retire = [{"id": {"type": page.RETIRE, "id": retire_id}, "property": "n_clicks", "value": 1}] if retire_id else []
    return {
        "output": f"..{page.ID_STATUS}.children...{page.ID_HISTORY}.children..",
        "outputs": [{"id": page.ID_STATUS, "property": "children"}, {"id": page.ID_HISTORY, "property": "children"}],
        "inputs": [{"id": page.ID_SAVE, "property": "n_clicks", "value": 1}, retire],
        "state": [{"id": page.ID_SELECTION, "property": "data", "value": selection},
                  {"id": page.ID_VALUE, "property": "value", "value": value},
                  {"id": page.ID_FROM, "property": "value", "value": "2014-03"},
                  {"id": page.ID_RATIONALE, "property": "value", "value": "forged"}],
        "changedPropIds": [trigger],
    }


def test_a_unit_user_posting_to_the_callback_is_refused_on_the_server(app, pages, store):
    page = pages["targets"]
    client = app.server.test_client()
    before = len(_rows(store))
    selection = {"indicator": "registrations", "product": None, "target_group": None}
    unit = {"Authorization": basic_auth_header(*UNIT)}
    response = client.post("/_dash-update-component", json=_callback_body(page, f"{page.ID_SAVE}.n_clicks", selection),
                           headers=unit)
    assert response.status_code == 403
    target_id = _rows(store)[0].id
    trigger = json.dumps({"id": target_id, "type": page.RETIRE}, separators=(",", ":")) + ".n_clicks"
    response = client.post("/_dash-update-component", json=_callback_body(page, trigger, selection,
                                                                          retire_id=target_id), headers=unit)
    assert response.status_code == 403
    assert len(_rows(store)) == before and _rows(store)[0].retired_at is None
    # the same request from the programme manager is carried out
    response = client.post("/_dash-update-component", json=_callback_body(page, f"{page.ID_SAVE}.n_clicks", selection),
                           headers={"Authorization": basic_auth_header(*PROGRAMME)})
    assert response.status_code == 200 and len(_rows(store)) == before + 1
    with store.begin() as conn:
        conn.execute(sa.delete(IndicatorTarget).where(IndicatorTarget.rationale == "forged"))


# --- loket targets -------------------------------------------------------------------------------------------

@pytest.fixture
def loket(sqlite_store, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", str(sqlite_store.url))

    def run(*argv: str):
        code = cli.main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_cli_sets_lists_and_retires_with_history_and_audit(loket, sqlite_store):
    code, out, _ = loket("targets", "set", "waiting_within_14", "80", "--from", "2014-01", "--rationale", "agreed",
                         "--by", "pm-anna")
    assert code == 0 and "waiting_within_14" in out
    assert loket("targets", "set", "waiting_within_14", "85", "--from", "2014-07", "--rationale", "raised",
                 "--by", "pm-anna")[0] == 0
    assert loket("targets", "set", "grade_mean", "7.5", "--from", "2014-01", "--product", "crisis",
                 "--target-group", "manager", "--rationale", "per group")[0] == 0
    first, second, third = (r.id for r in _rows(sqlite_store))
    code, out, _ = loket("targets", "retire", str(third), "--by", "beheer")
    assert code == 0
    code, out, _ = loket("targets", "list")
    listed = [line.split()[0] for line in out.splitlines()[1:]]
    assert code == 0 and listed == [str(second)]  # superseded and retired values only with --all
    code, out, _ = loket("targets", "list", "--all")
    lines = {line.split()[0]: line for line in out.splitlines()[1:]}
    assert set(lines) == {str(first), str(second), str(third)}
    assert "2014-06" in lines[str(first)] and "superseded" in lines[str(first)] and "agreed" in lines[str(first)]
    assert "retired by beheer" in lines[str(third)] and "crisis" in lines[str(third)] and "manager" in lines[str(third)]
    entries = _audit(sqlite_store, "target_set", "target_retire")
    assert [(e.username, e.role, e.action) for e in entries] == [
        ("pm-anna", "admin", "target_set"), ("pm-anna", "admin", "target_set"),
        (entries[2].username, "admin", "target_set"), ("beheer", "admin", "target_retire")]


@pytest.mark.parametrize("argv, message", [
    (["happiness", "80"], "unknown indicator"),
    (["waiting_within_14", "120"], "between 0 and 100"),
    (["waiting_within_14", "80", "--product", "massage"], "unknown product"),
    (["waiting_within_14", "80", "--target-group", "aliens"], "unknown target group"),
])
def test_cli_refuses_bad_input_with_exit_code_2_and_writes_nothing(loket, sqlite_store, argv, message):
    code, _, err = loket("targets", "set", *argv, "--from", "2014-01", "--rationale", "x")
    assert code == 2 and message in err
    code, _, err = loket("targets", "set", "waiting_within_14", "80", "--from", "2014-1", "--rationale", "x")
    assert code == 2 and "not a month" in err
    assert _rows(sqlite_store) == [] and _audit(sqlite_store, "target_set") == []
    assert loket("targets", "retire", "99")[0] == 2


def test_cli_has_no_unit_option(loket, sqlite_store):
    with pytest.raises(SystemExit) as exited:
        loket("targets", "set", "registrations", "10", "--from", "2014-01", "--rationale", "x", "--unit", "NN")
    assert exited.value.code == 2 and _rows(sqlite_store) == []


# --- the steering pack's summary ---------------------------------------------------------------------------

def test_the_pack_summary_lists_every_indicator_with_an_expected_value(app, store):
    from dashboard.config import Config

    server = exports.offline_server(Config.from_overrides({"DATABASE_URL": str(store.url), "TESTING": True}), store)
    pack = exports.collect(server, Access("pack", "unit", "NN"), {"periode": "quarter", "tot": "2014-Q1"}, "nl",
                           demo=False)
    header, cells = key_figure_rows(pack)
    rows = [[c.text for c in row] for row in cells]
    by_title = {r[0]: r for r in rows}
    # the five tiles, then every other expected value that holds in March 2014 (with its product if it has one)
    assert [r[0] for r in rows[5:]] == [
        f"{t('ind.grade_mean', 'nl')} (2 Kortdurende hulp)", t("ind.response_rate", "nl"),
        f"{t('ind.throughput_median', 'nl')} (2 Kortdurende hulp)", t("ind.waiting_within_14", "nl")]
    within = by_title[t("ind.waiting_within_14", "nl")]
    # A unit: per year, from its published intakes (none of them hidden as partners now).
    num = published(store, "intakes_by_waiting", "within_14", "year", "2013", scope="NN")
    den = published(store, "intakes", "_total", "year", "2013", scope="NN")
    share = fmt_value(float(int(100 * num / den + 0.5)), "percent", "nl") if num is not None and den else "*"
    assert within[-1] == "80%" and within[1:3] == [share, "2013"]
    crisis = by_title[f"{t('ind.throughput_median', 'nl')} (2 Kortdurende hulp)"]
    assert crisis[-1] == fmt_value(30.0, "days", "nl")
    assert "waiting_within_14" in pack.definitions
    book = openpyxl.load_workbook(io.BytesIO(pack_xlsx(pack)))
    cells = [[c.value for c in row] for row in book.worksheets[0].iter_rows()]
    (within_row,) = [r for r in cells if r and r[0] == t("ind.waiting_within_14", "nl")]
    assert [v for v in within_row if v is not None][-1] in (80, 0.8, "80%")
    from PIL import Image

    blank = io.BytesIO()
    Image.new("RGB", (16, 9), "white").save(blank, "PNG")
    pack.images = [blank.getvalue()] * len(pack.charts)  # the summary needs no drawn charts
    from pptx import Presentation

    summary = Presentation(io.BytesIO(exports.write_pack(pack, "pptx"))).slides[1]
    table = next(s for s in summary.shapes if s.has_table).table
    texts = [[cell.text for cell in row.cells] for row in table.rows]
    assert [t("ind.waiting_within_14", "nl"), "80%"] == [texts[-1][0], texts[-1][-1]]
    assert any(row[0].endswith("(2 Kortdurende hulp)") for row in texts)
