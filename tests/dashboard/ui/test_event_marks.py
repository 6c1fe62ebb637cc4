"""Events on every time chart: the markers in the figure spec at the right category, only for the chart's scopes,
the card's events and note, the exports that carry them (CSV, XLSX, PPTX, PDF, the slide image's room) and the
page cache that shows a new event at the next view."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json

import openpyxl
import pandas as pd
import pytest
import sqlalchemy as sa
from PIL import Image
from pptx import Presentation
from pypdf import PdfReader

from dashboard import create_app, exports
from dashboard.exports import images
from dashboard.exports.csv_xlsx import chart_csv, chart_xlsx
from dashboard.ui import event_marks, figures
from dashboard.ui.cards import TREND
from dashboard.ui.texts import fmt_date, fmt_period, t
from queries import events
from queries.accounts.access import Access
from queries.store.schema import Unit
from tests import browsing, monitor_fixtures
from tests.http_client import basic_auth_header, router_request
from tests.monitor_fixtures import PROGRAMME, UNIT, figure_of

PM = Access(PROGRAMME[0], "programme")
UNIT_NN = Access(UNIT[0], "unit", "NN")
TODAY = dt.date(2014, 4, 2)


def _event(day, scope, text="x", kind=events.RECORDED):
    return events.Event(day, scope, text, kind, 1 if kind == events.RECORDED else None)


def _frame(periods):
    return pd.DataFrame({"period": periods, "value": [10.0] * len(periods), "suppressed": [False] * len(periods)})


# --- pure: which events a chart marks, and where ---------------------------------------------------------------

def test_a_chart_marks_the_events_of_its_scopes_in_the_period_that_holds_their_day():
    found = [_event(dt.date(2014, 2, 10), "NL", "Landelijke mailing"), _event(dt.date(2014, 3, 5), "NN", "Uitrol"),
             _event(dt.date(2014, 3, 6), "LB", "Mailing Limburg"), _event(dt.date(2013, 6, 1), "NL", "te vroeg"),
             _event(dt.date(2014, 1, 1), "NN", "", events.ROLLOUT)]
    months = ["2014-01", "2014-02", "2014-03"]
    unit_marks = event_marks.marks_for(found, months, ["NN", "NL"], "nl")
    assert [(m.number, m.period, m.scope, m.text) for m in unit_marks] == [
        (1, "2014-01", "NN", "Start van het Loket in Noord-Nederland"), (2, "2014-02", "NL", "Landelijke mailing"),
        (3, "2014-03", "NN", "Uitrol")]
    national = event_marks.marks_for(found, months, ["NL"], "en")
    assert [(m.period, m.text) for m in national] == [("2014-02", "Landelijke mailing")]
    quarters = event_marks.marks_for(found, ["2013-Q4", "2014-Q1"], ["NL"], "nl")
    assert [m.period for m in quarters] == ["2014-Q1"]
    assert [m.period for m in event_marks.marks_for(found, ["2013", "2014"], ["NL"], "nl")] == ["2013", "2014"]
    assert event_marks.marks_for(found, ["2012-05"], ["NL", "NN", "LB"], "nl") == ()


def test_the_markers_sit_at_the_category_of_their_period_with_the_text_on_hover():
    axis = ["2014-01", "2014-02", "2014-03"]
    fig = figures.bar_over_time(_frame(axis), title="", lang="nl")
    shapes_before, notes_before = len(fig["layout"]["shapes"]), len(fig["layout"]["annotations"])
    marks = event_marks.marks_for([_event(dt.date(2014, 2, 10), "NL", "Mailing <b>a</b> & co"),
                                   _event(dt.date(2014, 2, 20), "NL", "Tweede mailing")], axis, ["NL"], "nl")
    fig = event_marks.add_marks(fig, marks, axis, "nl")
    (line,) = fig["layout"]["shapes"][shapes_before:]
    (label,) = fig["layout"]["annotations"][notes_before:]
    # index 1 on the category axis is the bar of February 2014
    assert fig["data"][0]["x"][1] == fmt_period("2014-02", "nl")
    assert (line["x0"], line["x1"], line["yref"], line["line"]["dash"]) == (1, 1, "paper", "dot")
    assert label["x"] == 1 and label["text"] == "1, 2"
    assert label["hovertext"] == (f"1. {fmt_date(dt.date(2014, 2, 10), 'nl')} (Landelijk): "
                                  "Mailing &lt;b&gt;a&lt;/b&gt; "
                                  f"&amp; co<br>2. {fmt_date(dt.date(2014, 2, 20), 'nl')} (Landelijk): Tweede mailing")
    assert fig["layout"]["margin"]["t"] >= event_marks.LABEL_ROOM
    figure_of(fig)  # a valid plotly figure
    assert event_marks.note(marks, "en").startswith("Events in the chart: 1. 10 Feb 2014 (National): Mailing <b>a</b>")
    assert event_marks.note((), "nl") is None
    assert event_marks.add_marks({"layout": {}}, (), axis, "nl") == {"layout": {}}


# --- the monitor's cards, as the page and the exports get them -------------------------------------------------------

@pytest.fixture(scope="module")
def store(tmp_path_factory):
    engine = monitor_fixtures.fresh_copy(tmp_path_factory, "event-marks")
    events.record(engine, PM, day="2014-02-10", scope="NL", text="Landelijke mailing", today=TODAY)
    events.record(engine, PM, day="2014-03-05", scope="NN", text="Uitrol teamleiders", today=TODAY)
    events.record(engine, PM, day="2014-03-06", scope="LB", text="Campagne Zuid", today=TODAY)
    retired = events.record(engine, PM, day="2014-03-07", scope="NL", text="ingetrokken", today=TODAY)
    events.retire(engine, PM, retired)
    with engine.begin() as conn:
        conn.execute(sa.update(Unit).where(Unit.code == "AM").values(rollout_on=dt.date(2013, 11, 1)))
    return engine


@pytest.fixture(scope="module")
def app(store):
    return create_app({"DATABASE_URL": str(store.url), "DEMO_MODE": False, "TESTING": True})


def _trends(app, access, query, lang="nl"):
    pack = exports.collect(app.server, access, query, lang, demo=False)
    return pack, [c for c in pack.charts if c.kind == TREND]


def _texts(card) -> list[str]:
    return [m.text for m in card.events]


def test_national_charts_mark_national_events_only(app):
    _, trends = _trends(app, PM, {"periode": "month", "van": "2013-04", "tot": "2014-03"})
    assert trends and all(_texts(c) == ["Landelijke mailing"] for c in trends)
    registrations = next(c for c in trends if c.card_id == "registrations-graph")
    (mark,) = registrations.events
    assert (mark.period, mark.scope, mark.day) == ("2014-02", "NL", dt.date(2014, 2, 10))
    fig = figure_of(registrations.figure)
    label = next(a for a in fig.layout.annotations if a.hovertext and "Landelijke mailing" in a.hovertext)
    assert list(fig.data[0].x)[int(label.x)] == fmt_period("2014-02", "nl")
    assert any(n.startswith(t("note.events", "nl").format(events="")) and "Landelijke mailing" in n
               for n in registrations.notes)
    assert "ingetrokken" not in json.dumps(registrations.figure)  # a retired event is gone


def test_a_unit_users_charts_mark_its_own_and_national_events_never_another_units(app):
    pack, trends = _trends(app, UNIT_NN, {"periode": "quarter", "eenheid": "LB", "van": "2013-Q1"})
    website = next(c for c in trends if c.card_id == "reach-website")  # national only: national events only
    assert _texts(website) == ["Landelijke mailing"]
    quarterly = [c for c in trends if c.card_id != "reach-website" and c.periods[-1] == "2014-Q1"]
    assert len(quarterly) >= 5
    for card in quarterly:
        assert _texts(card) == ["Landelijke mailing", "Uitrol teamleiders"], card.card_id
        assert [m.period for m in card.events] == ["2014-Q1", "2014-Q1"]
    # a unit's figure shown per year (2013: 2014 is not complete) has no period holding them
    assert all(c.events == () for c in trends if c.periods == ("2013",))
    text = json.dumps([(c.figure, c.notes) for c in pack.charts], ensure_ascii=False)
    assert "Campagne Zuid" not in text and "Limburg" not in text
    # the programme manager looking at Limburg sees Limburg's, and Amsterdam's roll-out on Amsterdam's charts
    _, limburg = _trends(app, PM, {"periode": "quarter", "eenheid": "LB", "van": "2013-Q1"})
    assert _texts(next(c for c in limburg if c.card_id == "registrations-graph")) == ["Landelijke mailing",
                                                                                        "Campagne Zuid"]
    _, amsterdam = _trends(app, PM, {"periode": "quarter", "eenheid": "AM"}, "en")
    card = next(c for c in amsterdam if c.card_id == "registrations-graph")
    assert [(m.period, m.text) for m in card.events][0] == ("2013-Q4", "The Loket starts in Amsterdam")
    # and its own unit's roll-out when the range holds it
    _, early = _trends(app, UNIT_NN, {"periode": "year", "van": "2012"})
    card = next(c for c in early if c.card_id == "registrations-graph")
    assert "Start van het Loket in Noord-Nederland" in _texts(card) or "2012" not in [p for p in card.periods]


def test_the_exports_carry_the_events(app):
    pack, trends = _trends(app, UNIT_NN, {"periode": "quarter", "van": "2013-Q1"})
    card = next(c for c in trends if c.card_id == "registrations-graph")
    rows = list(csv.reader(io.StringIO(chart_csv(card, pack.meta).decode("utf-8-sig")), delimiter=";"))
    assert ["Gebeurtenis 1", "2014-02-10", "Landelijk", "Landelijke mailing"] in rows
    assert ["Gebeurtenis 2", "2014-03-05", "Noord-Nederland", "Uitrol teamleiders"] in rows
    book = openpyxl.load_workbook(io.BytesIO(chart_xlsx(card, pack.meta)))
    cells = [str(c.value) for row in book.worksheets[0].iter_rows() for c in row if c.value]
    assert any("Landelijke mailing" in c and "Uitrol teamleiders" in c for c in cells)
    # the pack: the slide's speaker notes and the PDF page under the chart (images drawn elsewhere: blank)
    blank = io.BytesIO()
    Image.new("RGB", (2000, 1000), "white").save(blank, "PNG")
    pack.images = [blank.getvalue()] * len(pack.charts)
    slides = Presentation(io.BytesIO(exports.write_pack(pack, "pptx"))).slides
    notes = [s.notes_slide.notes_text_frame.text for s in slides if s.has_notes_slide]
    assert sum("Landelijke mailing" in n for n in notes) == len([c for c in pack.charts if c.events]) > 0
    pdf = "".join(page.extract_text() for page in PdfReader(io.BytesIO(exports.write_pack(pack, "pdf"))).pages)
    assert "Uitrol teamleiders" in pdf
    # the slide image keeps room above the plot for the labels
    assert images.slide_figure(card).layout.margin.t == 40
    plain = next(c for c in pack.charts if not c.events)
    assert images.slide_figure(plain).layout.margin.t == 16


# --- the page cache ------------------------------------------------------------------------------------------------

def _page(app, who, path="/wachttijden", search="?periode=quarter") -> str:
    response = app.server.test_client().post("/_dash-update-component", json=router_request(path, search),
                                             headers={"Authorization": basic_auth_header(*who)})
    assert response.status_code == 200
    return json.dumps(response.get_json()["response"]["_pages_content"], ensure_ascii=False)


def test_a_new_or_retired_event_shows_on_the_next_page_view(store):
    app = create_app({"DATABASE_URL": str(store.url), "DEMO_MODE": False, "TESTING": True, "CACHE_SECONDS": 3600})
    assert "Nieuwe campagne" not in _page(app, PROGRAMME)
    assert _page(app, PROGRAMME) == _page(app, PROGRAMME)  # served from the cache
    new_id = events.record(store, PM, day="2014-01-20", scope="NL", text="Nieuwe campagne", today=TODAY)
    assert "Nieuwe campagne" in _page(app, PROGRAMME)
    events.retire(store, PM, new_id)
    assert "Nieuwe campagne" not in _page(app, PROGRAMME)


@browsing.mark
def test_chart_images_draw_the_markers_with_their_numbers(app):
    pack, trends = _trends(app, UNIT_NN, {"periode": "quarter", "van": "2013-Q1"})
    card = next(c for c in trends if c.card_id == "registrations-graph")
    _, svg = exports.chart_file(card, pack.meta, "svg")
    text = svg.decode()
    # the label of the two events in 2014 Q1, and their dotted line (plotly draws dots as a dash array)
    assert ">1, 2<" in text and "stroke-dasharray" in text
    plain = next(c for c in trends if not c.events)
    assert ">1, 2<" not in exports.chart_file(plain, pack.meta, "svg")[1].decode()
