"""Exports (issue #6) on the small monitor store: chart images and data, the buttons and their callbacks,
the steering pack as a background job with progress, ownership of jobs and the audit log.

Files are read back: PNG headers, SVG text, CSV bytes, workbooks with openpyxl, presentations with
python-pptx. Images need Chromium (kaleido); without it those tests are skipped, except under CI.
"""
from __future__ import annotations

import base64
import csv
import importlib
import io
import json
import struct
import threading
import time
import zipfile

import openpyxl
import pytest
import sqlalchemy as sa
from dash import dcc, html

from dashboard import create_app, exports
from dashboard.exports import export_ui
from dashboard.web import jobs
from tests.http_client import basic_auth_header, dependency, pack_request
from dashboard.exports.csv_xlsx import chart_csv, chart_xlsx
from dashboard.exports.meta import escape
from dashboard.ui.tables import figure_cell
from dashboard.ui.texts import fmt_value, rule_sentence, rule_text, t
from queries.catalogue import tables
from queries.accounts.access import Access
from queries.store.codes import UNITS
from queries.privacy import SYMBOL, Policy
from queries.store.schema import AuditEntry, Job
from tests import browsing, monitor_fixtures
from tests.monitor_fixtures import EXPECTED_WAITING, PROGRAMME, UNIT, walk

ROLES = {"programme": PROGRAMME, "unit": UNIT}
OTHER_UNITS = [u for u in UNITS if u.code != "NN"]


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return monitor_fixtures.fresh_copy(tmp_path_factory, "exports")


@pytest.fixture(scope="module")
def app(store):
    return create_app({"DATABASE_URL": str(store.url), "DEMO_MODE": True, "TESTING": True,
                       "DEMO_CREDENTIALS": str(store.url.database) + ".demo-credentials"})


def headers(role: str) -> dict:
    return {"Authorization": basic_auth_header(*ROLES[role])}


def pack_for(app, role: str, query: dict, lang: str = "nl") -> exports.Pack:
    access = Access(ROLES[role][0], "unit", "NN") if role == "unit" else Access(ROLES[role][0], "programme")
    return exports.collect(app.server, access, query, lang, demo=True)


def release_of(app) -> int:
    """Return the release the app's catalogue publishes (file names carry it)."""
    return tables.latest_release(app.server.extensions["loket"].engine)


def chart(pack: exports.Pack, card_id: str):
    return next(c for c in pack.charts if c.card_id == card_id)


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def audit(engine, action: str = "export") -> list:
    with engine.connect() as conn:
        return conn.execute(sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)).all()


# --- a card's cells carry the number shown -------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("value, measure", [
    (0, "count"), (10, "count"), (25, "count"), (1235, "count"), (1234567, "count"), (7, "percent"),
    (100, "percent"), (12.5, "days"), (1234.5, "days"), (7.25, "grade"), (3.0, "sessions"), (1.7, "per1000"),
    (33.333, "percent"), (12.04, "days"),
])
def test_a_cell_carries_the_number_as_shown(value, measure, lang):
    cell = figure_cell(value, measure, lang)
    decimals = 0 if measure in ("count", "percent") else 1
    assert cell.text == fmt_value(value, measure, lang)
    assert cell.value == round(value, decimals) and cell.decimals == decimals and not cell.hidden
    assert cell.unit == {"percent": "%", "days": "days"}.get(measure)


def test_hidden_and_missing_figures_carry_no_number():
    hidden, none = figure_cell(25, "count", "nl", hidden=True), figure_cell(None, "percent", "nl")
    assert (hidden.text, hidden.value, hidden.hidden) == (SYMBOL, None, True)
    assert (none.text, none.value, none.hidden) == ("–", None, False)
    assert figure_cell(float("nan"), "days", "en").value is None


def test_file_names_say_indicator_scope_and_period():
    meta = exports.Meta("nl", "NN", "quarter", "2013-Q2", "2014-Q1", "2014-03", False, None, Policy())
    assert exports.file_name("Wachttijd tot eerste intake", meta, ("2013-Q2", "2014-Q1"), "png") == \
        "loket_wachttijd-tot-eerste-intake_noord-nederland_2013-Q2_2014-Q1.png"
    assert exports.file_name("Cliëntonderzoek", meta, ("2014-03",), "csv").endswith("_noord-nederland_2014-03.csv")
    national = exports.Meta("en", None, "year", "2013", "2013", None, False, None, Policy())
    assert exports.file_name("Steering pack", national, ("2013",), "pdf") == "loket_steering-pack_national_2013.pdf"


# --- chart data: CSV for Dutch Excel and XLSX -----------------------------------------------------------------

def test_csv_is_for_dutch_excel_with_the_rule_and_the_same_symbols_as_the_chart(app):
    pack = pack_for(app, "programme", {"periode": "month"})
    registrations = chart(pack, "registrations-graph")
    data = chart_csv(registrations, pack.meta)
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with a byte-order mark: Excel reads the accents right
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    flat = [cell for row in rows for cell in row]
    assert rule_sentence(Policy(), "nl") in flat and t("app.demo", "nl") in flat and registrations.title in flat
    header_at = rows.index(registrations.table.header)
    table = {row[0]: row[1] for row in rows[header_at + 1:]}
    assert table == {row[0]: row[1] for row in registrations.table.texts()}  # the page's table, cell for cell
    # A chart with hidden figures: the same symbols, in the same cells.
    hidden = next(c for c in pack.charts if any(SYMBOL in row for row in c.table.texts()))
    cells = [c for row in csv.reader(io.StringIO(chart_csv(hidden, pack.meta).decode("utf-8-sig")),
                                     delimiter=";") for c in row]
    assert cells.count(SYMBOL) == sum(row.count(SYMBOL) for row in hidden.table.texts()) > 0
    waiting = chart(pack, "waiting-times")
    text = chart_csv(waiting, pack.meta).decode("utf-8-sig")
    assert f"({t('unit.days', 'nl')})" in text and ",0;" in text  # decimal comma, the unit in the header


def test_xlsx_has_numbers_symbols_and_a_sheet_with_the_rule(app):
    pack = pack_for(app, "programme", {"periode": "year"})
    target = chart(pack, "reach-channels")
    book = openpyxl.load_workbook(io.BytesIO(chart_xlsx(target, pack.meta)))
    data, rule = book.worksheets
    assert rule.title == t("export.rule", "nl")
    assert rule_text(Policy(), "nl") in [c.value for row in rule.iter_rows() for c in row]
    cells = [c.value for row in data.iter_rows() for c in row]
    assert rule_sentence(Policy(), "nl") in cells
    header_row = next(r for r in data.iter_rows() if r[0].value == target.table.header[0])
    header = [c.value for c in header_row]
    assert header[1].endswith(t("measure.count", "nl").lower()) and header[2].endswith("(%)")
    rows = [[c.value for c in r] for r in data.iter_rows(min_row=header_row[0].row + 1) if r[0].value]
    shown = {r[0]: r[1:] for r in target.table.texts()}
    assert len(rows) == len(shown) and any(isinstance(count, int) and count > 0 for _, count, _ in rows)
    for label, count, share in rows:
        assert [fmt_value(count, "count", "nl") if count != SYMBOL else SYMBOL,
                fmt_value(share, "percent", "nl") if share != SYMBOL else SYMBOL] == shown[label]
        assert count == SYMBOL or (isinstance(count, int) and (count == 0 or (count >= 10 and count % 5 == 0)))


# --- chart images -----------------------------------------------------------------------------------------------

@browsing.mark
def test_png_is_full_hd_and_svg_has_title_scope_period_data_date_and_legend_drawn_in(app):
    release = release_of(app)
    pack = pack_for(app, "unit", {"periode": "year"})
    registrations = chart(pack, "registrations-graph")
    name, png = exports.chart_file(registrations, pack.meta, "png")
    assert png_size(png) == (1920, 1080)
    assert name == f"loket_aanmeldingen_noord-nederland_2012_2013_r{release}.png"  # the release it shows
    _, svg = exports.chart_file(registrations, pack.meta, "svg")
    text = svg.decode()
    assert text.startswith("<svg")
    for drawn in (registrations.title, "Noord-Nederland", "2012 – 2013", t("app.data_until", "nl"),
                  rule_sentence(Policy(), "nl"), t("app.demo", "nl")):
        assert escape(drawn) in text, drawn
    for unit in OTHER_UNITS:
        assert unit.nl not in text


@browsing.mark
def test_one_browser_is_kept_warm_and_serves_several_threads():
    import plotly.graph_objects as go

    exports.renderer.start()
    browser = exports.renderer._kaleido
    figures = [go.Figure(go.Bar(x=["a", "b"], y=[n, 2])) for n in range(3)]
    results, errors = {}, []

    def draw(n):
        try:
            results[n] = exports.renderer.render([figures[n]], "png", width=400, height=300, scale=1)[0]
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=draw, args=(n,)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors and sorted(results) == [0, 1, 2]
    assert all(png_size(png) == (400, 300) for png in results.values())
    assert exports.renderer._kaleido is browser  # the same browser: not one per image


# --- the buttons and the chart callback -------------------------------------------------------------------------

def test_every_chart_on_every_page_has_export_buttons(app):
    for name in ("overview", "registrations", "waiting", "referrals", "survey", "reach"):
        page = importlib.import_module(f"dashboard.pages.{name}")
        with app.server.test_request_context("/", headers=headers("programme")):
            app.server.preprocess_request()
            tree = page.layout(periode="year")
        graphs = [c for c in walk(tree) if isinstance(c, dcc.Graph)]
        buttons = {(c.id["card"], c.id["format"]) for c in walk(tree)
                   if isinstance(c, html.Button) and isinstance(c.id, dict) and c.id.get("type") == export_ui.CHART_BUTTON}
        downloads = {c.id["card"] for c in walk(tree) if isinstance(c, dcc.Download) and isinstance(c.id, dict)}
        assert graphs
        for graph in graphs:
            card = graph.id.removesuffix("-graph") if graph.id.startswith("overview-") else graph.id
            assert {(card, f) for f in exports.CHART_FORMATS} <= buttons, graph.id
            assert card in downloads


def test_every_page_has_the_steering_pack_panel(app):
    client = app.server.test_client()
    layout = client.get("/_dash-layout", headers=headers("unit")).get_data(as_text=True)
    for component in (export_ui.ID_START, export_ui.ID_FORMAT, export_ui.ID_POLL, export_ui.ID_DOWNLOAD):
        assert f'"{component}"' in layout


def _id_text(component_id: dict) -> str:
    return json.dumps(component_id, sort_keys=True, separators=(",", ":"))


def chart_request(client, role: str, card: str, fmt: str, pathname: str, search: str = ""):
    dep = dependency(client, headers(role), export_ui.CHART_DOWNLOAD)
    inputs = [{"id": {"type": export_ui.CHART_BUTTON, "card": card, "format": f}, "property": "n_clicks",
               "value": 1 if f == fmt else 0} for f in exports.CHART_FORMATS]
    body = {
        "output": dep["output"], "outputs": {"id": {"type": export_ui.CHART_DOWNLOAD, "card": card}, "property": "data"},
        "inputs": inputs,
        "state": [{"id": export_ui.LOCATION, "property": "pathname", "value": pathname},
                  {"id": export_ui.LOCATION, "property": "search", "value": search}],
        "changedPropIds": [_id_text(inputs[exports.CHART_FORMATS.index(fmt)]["id"]) + ".n_clicks"],
    }
    return client.post("/_dash-update-component", json=body, headers=headers(role))


def sent_file(response) -> tuple[str, bytes]:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    payload = next(props for props in response.json["response"].values())
    value = next(v for v in payload.values() if isinstance(v, dict) and "filename" in v)
    content = base64.b64decode(value["content"]) if value.get("base64") else value["content"].encode()
    return value["filename"], content


def test_a_unit_users_chart_export_is_its_own_unit_whatever_the_url_says(app, store):
    client = app.server.test_client()
    before = len(audit(store))
    response = chart_request(client, "unit", "registrations-by-target-group", "csv", "/aanmeldingen",
                             "?periode=year&eenheid=LB")
    name, content = sent_file(response)
    text = content.decode("utf-8-sig")
    assert name.startswith("loket_aanmeldingen-naar-doelgroep_noord-nederland_")
    assert "Noord-Nederland" in text and "Limburg" not in text and ";LB" not in text
    entries = audit(store)[before:]
    assert [(e.username, e.action, e.target, e.scope) for e in entries] == [(UNIT[0], "export", name, "NN")]
    with store.connect() as conn:  # the browser's receipt is recorded centrally too
        assert conn.execute(sa.select(AuditEntry).where(AuditEntry.action == "download",
                                                         AuditEntry.target == name)).first()


def test_the_programme_exports_a_chosen_units_chart_as_xlsx(app):
    client = app.server.test_client()
    name, content = sent_file(chart_request(client, "programme", "waiting-times", "xlsx", "/wachttijden",
                                            "?periode=year&eenheid=LB"))
    assert name.startswith("loket_wachttijd-tot-eerste-intake_limburg_")
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert "Limburg" in str([c.value for row in book.worksheets[0].iter_rows() for c in row])


@browsing.mark
def test_png_through_the_callback(app):
    client = app.server.test_client()
    name, content = sent_file(chart_request(client, "programme", "overview-registrations", "png", "/"))
    assert name.endswith(".png") and png_size(content) == (1920, 1080)


@pytest.mark.parametrize("card, pathname, search", [
    ("no-such-card", "/aanmeldingen", ""),  # unknown card
    ("registrations-graph", "/elders", ""),  # not a monitor page
    ("registrations-graph", "/definities", ""),
    ("registrations-by-unit", "/aanmeldingen", "?eenheid=LB"),  # the programme's unit chart: not on a unit page
])
def test_unknown_cards_and_pages_send_nothing(app, card, pathname, search):
    response = chart_request(app.server.test_client(), "unit", card, "csv", pathname, search)
    assert response.status_code == 204


# --- the steering pack as a background job ------------------------------------------------------------------------

def out(response, component: str, prop: str):
    return response.json["response"].get(component, {}).get(prop)


def test_the_pack_runs_in_the_background_shows_progress_and_blocks_no_other_callback(app, store, monkeypatch):
    release = release_of(app)
    gate, started = threading.Event(), threading.Event()
    real = exports.build_pack

    def slow(*args, progress, **kwargs):
        progress("collect", 0, 6)
        started.set()
        assert gate.wait(timeout=120)
        return real(*args, progress=progress, **kwargs)

    monkeypatch.setattr(exports, "build_pack", slow)
    client = app.server.test_client()
    began = time.perf_counter()
    response = pack_request(client, headers("unit"), export_ui.ID_START, fmt="xlsx", search="?periode=year&eenheid=LB")
    assert response.status_code == 200 and time.perf_counter() - began < 5  # the request does not wait
    job = out(response, export_ui.ID_JOB, "data")
    assert out(response, export_ui.ID_POLL, "disabled") is False and out(response, export_ui.ID_START, "disabled")
    assert started.wait(timeout=30)
    try:
        # While the pack runs: its progress is shown, and other callbacks are answered as usual.
        polled = pack_request(client, headers("unit"), export_ui.ID_POLL, job=job)
        assert out(polled, export_ui.ID_POLL, "disabled") is False
        status = json.dumps(out(polled, export_ui.ID_STATUS, "children"), ensure_ascii=False)
        assert "Progress" in status and t("pack.step.collect", "nl") in status
        other = chart_request(client, "programme", "registrations-graph", "csv", "/aanmeldingen", "?periode=year")
        assert sent_file(other)[0].endswith(".csv")
    finally:
        gate.set()
    jobs.wait(timeout=300)
    done = pack_request(client, headers("unit"), export_ui.ID_POLL, job=job)
    download = out(done, export_ui.ID_DOWNLOAD, "data")
    assert download["filename"] == f"loket_stuurpakket_noord-nederland_2013_r{release}.xlsx"  # its own unit, not LB
    book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(download["content"])))
    assert book.sheetnames[0] == t("pack.key_figures", "nl") and len(book.sheetnames) > 10
    assert out(done, export_ui.ID_POLL, "disabled") is True and out(done, export_ui.ID_START, "disabled") is False
    with store.connect() as conn:  # the job and its file are gone once the file was sent
        assert conn.scalar(sa.select(sa.func.count()).select_from(Job)) == 0
    entry = audit(store)[-1]
    assert (entry.username, entry.target, entry.scope) == (UNIT[0], download["filename"], "NN")
    again = pack_request(client, headers("unit"), export_ui.ID_POLL, job=job)  # sent once only
    assert t("pack.expired", "nl") in json.dumps(out(again, export_ui.ID_STATUS, "children"), ensure_ascii=False)


def test_only_the_user_who_started_a_pack_can_fetch_it(app, monkeypatch):
    gate = threading.Event()
    monkeypatch.setattr(exports, "build_pack", lambda *a, **k: gate.wait(60) and None)
    client = app.server.test_client()
    job = out(pack_request(client, headers("programme"), export_ui.ID_START), export_ui.ID_JOB, "data")
    try:
        for forged in (job, {"job": "../" * 5 + "etc"}, {"job": "0" * 32}, "LB", None):
            polled = pack_request(client, headers("unit"), export_ui.ID_POLL, job=forged)
            assert polled.status_code == 200
            assert t("pack.expired", "nl") in json.dumps(out(polled, export_ui.ID_STATUS, "children"),
                                                         ensure_ascii=False)
            assert out(polled, export_ui.ID_DOWNLOAD, "data") is None
    finally:
        gate.set()
        jobs.wait(timeout=300)
    failed = pack_request(client, headers("programme"), export_ui.ID_POLL, job=job)  # nothing published: says so
    assert t("app.no_catalogue", "nl") in json.dumps(out(failed, export_ui.ID_STATUS, "children"), ensure_ascii=False)


@pytest.mark.parametrize("fmt, clicks", [("docx", 1), (None, 1), ("pptx", 0), ("pptx", "LB"), ("pptx", True)])
def test_a_pack_needs_a_click_and_a_known_format(app, fmt, clicks):
    response = pack_request(app.server.test_client(), headers("unit"), export_ui.ID_START, fmt=fmt, clicks=clicks)
    assert response.status_code == 204 and jobs.held() == 0


def test_a_failing_pack_says_so_and_can_be_made_again(app, monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError("no browser")

    monkeypatch.setattr(exports, "build_pack", broken)
    client = app.server.test_client()
    job = out(pack_request(client, headers("programme"), export_ui.ID_START), export_ui.ID_JOB, "data")
    jobs.wait(timeout=300)
    polled = pack_request(client, headers("programme"), export_ui.ID_POLL, job=job)
    assert t("pack.failed", "nl") in json.dumps(out(polled, export_ui.ID_STATUS, "children"), ensure_ascii=False)
    assert out(polled, export_ui.ID_START, "disabled") is False and "no browser" not in polled.get_data(as_text=True)


@browsing.mark
def test_a_pptx_pack_through_the_page_with_the_expected_value_on_the_summary(app):
    release = release_of(app)
    from pptx import Presentation

    client = app.server.test_client()
    job = out(pack_request(client, headers("programme"), export_ui.ID_START, fmt="pptx", search="?periode=quarter"),
              export_ui.ID_JOB, "data")
    jobs.wait(timeout=300)
    download = out(pack_request(client, headers("programme"), export_ui.ID_POLL, job=job), export_ui.ID_DOWNLOAD, "data")
    assert download["filename"] == f"loket_stuurpakket_landelijk_2014-Q1_r{release}.pptx"
    prs = Presentation(io.BytesIO(base64.b64decode(download["content"])))
    summary = prs.slides[1]
    cells = [c.text for shape in summary.shapes if shape.has_table for row in shape.table.rows for c in row.cells]
    assert t("target.label", "nl") in cells and fmt_value(EXPECTED_WAITING, "days", "nl") in cells
    assert t("ind.waiting_median", "nl") in cells


def test_the_pptx_writer_needs_no_browser(app):
    # The writers need no browser: a pack whose charts are drawn elsewhere (here: a blank PNG).
    from PIL import Image

    pack = pack_for(app, "programme", {"periode": "year"})
    blank = io.BytesIO()
    Image.new("RGB", (2000, 1000), "white").save(blank, "PNG")
    pack.images = [blank.getvalue()] * len(pack.charts)
    data = exports.write_pack(pack, "pptx")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert "ppt/presentation.xml" in z.namelist()
        notes = [n for n in z.namelist() if n.startswith("ppt/notesSlides/")]
    assert len(notes) >= len(pack.charts)
