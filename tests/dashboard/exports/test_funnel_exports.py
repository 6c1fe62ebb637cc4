"""Every export writes the funnel card: PNG and SVG (kaleido), CSV, XLSX, and the steering pack (PowerPoint, PDF,
Excel), for the programme and for a unit user, whose files hold its own unit and the national figures only."""
from __future__ import annotations

import io
import re
import zipfile

import openpyxl
import pytest
from pptx import Presentation

from dashboard import create_app, exports
from dashboard.ui import monitor
from dashboard.ui.cards import FUNNEL
from dashboard.ui.texts import t
from queries.accounts.access import Access
from queries.catalogue.declarations import FUNNEL as FUNNEL_INDICATORS
from queries.store.codes import UNITS
from tests import browsing, monitor_fixtures
from tests.dashboard.exports.test_exports import chart_request, png_size, sent_file

OTHER_NAMES = re.compile("|".join(re.escape(getattr(u, lang)) for u in UNITS if u.code != "NN" for lang in ("nl", "en")))
CARD = monitor.funnel_id("waiting_within_14")


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return monitor_fixtures.fresh_copy(tmp_path_factory, "funnel-exports")


@pytest.fixture(scope="module")
def app(store):
    return create_app({"DATABASE_URL": str(store.url), "DEMO_MODE": True, "TESTING": True,
                       "DEMO_CREDENTIALS": str(store.url.database) + ".demo-credentials"})


def _access(role: str) -> Access:
    return Access(monitor_fixtures.UNIT[0], "unit", "NN") if role == "unit" else Access("p", "programme")


def _book_text(data: bytes) -> str:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return "\n".join(str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value is not None)


def test_csv_of_the_unit_users_funnel_is_its_own_unit_whatever_the_url_says(app):
    name, content = sent_file(chart_request(app.server.test_client(), "unit", CARD, "csv", "/vergelijking",
                                            "?periode=year&eenheid=LB"))
    text = content.decode("utf-8-sig")
    assert "_noord-nederland_" in name and name.endswith(".csv")
    assert "Noord-Nederland" in text and t("funnel.national", "nl") in text and not OTHER_NAMES.search(text)
    header = next(line for line in text.splitlines() if line.startswith(t("funnel.unit", "nl")))
    assert header.split(";") == [t("funnel.unit", "nl"), t("funnel.clients", "nl"), f"{t('funnel.rate', 'nl')} (%)",
                                 t("funnel.position", "nl")]


def test_csv_and_xlsx_of_the_programmes_funnel_list_every_unit(app):
    client = app.server.test_client()
    _, content = sent_file(chart_request(client, "programme", CARD, "csv", "/vergelijking", "?periode=year"))
    text = content.decode("utf-8-sig")
    assert all(UNITS.label(u, "nl") in text for u in UNITS.values if u != "UNK")
    _, content = sent_file(chart_request(client, "programme", CARD, "xlsx", "/vergelijking", "?periode=year"))
    book = openpyxl.load_workbook(io.BytesIO(content))
    sheet = book.worksheets[0]
    cells = {c.value: c for row in sheet.iter_rows() for c in row if c.value is not None}
    heading = next(c for c in sheet["A"] if c.value == t("funnel.unit", "nl")).row
    clients = [c.value for c in sheet["B"][heading:] if c.value is not None]
    assert clients and all(v == "*" or (isinstance(v, int) and (v == 0 or (v >= 10 and v % 5 == 0))) for v in clients)
    notes = _book_text(content)
    assert "overdispersie" in notes.lower()  # the method note travels with the table
    assert "Noord-Nederland" in cells


@browsing.mark
@pytest.mark.parametrize("role", ("programme", "unit"))
def test_png_and_svg_of_the_funnel(app, role):
    client = app.server.test_client()
    name, png = sent_file(chart_request(client, role, CARD, "png", "/vergelijking", "?periode=year"))
    assert name.endswith(".png") and png_size(png) == (1920, 1080)
    _, svg = sent_file(chart_request(client, role, CARD, "svg", "/vergelijking", "?periode=year"))
    text = svg.decode()
    assert t("funnel.limits95", "nl") in text and t("funnel.limits998", "nl") in text
    assert ">NN<" in text
    if role == "unit":
        assert not OTHER_NAMES.search(text) and ">LB<" not in text and ">AM<" not in text
    else:
        assert ">LB<" in text or ">AM<" in text


@pytest.mark.parametrize("role", ("programme", "unit"))
def test_the_steering_pack_holds_the_funnels(app, role):
    pack = exports.collect(app.server, _access(role), {"periode": "year"}, "nl", demo=True)
    funnels = [c for c in pack.charts if c.kind == FUNNEL]
    assert [c.card_id for c in funnels] == [monitor.funnel_id(k) for k in FUNNEL_INDICATORS]
    data = exports.write_pack(pack, "xlsx")
    text = _book_text(data)
    assert all(c.title[:31] in text for c in funnels)
    if role == "unit":
        assert not OTHER_NAMES.search(text)


@browsing.mark
def test_the_unit_users_pptx_and_the_programmes_pdf_draw_the_funnels(app):
    pack = exports.collect(app.server, _access("unit"), {"periode": "year"}, "nl", demo=True)
    deck = Presentation(io.BytesIO(exports.write_pack(pack, "pptx")))
    texts = [shape.text_frame.text for slide in deck.slides for shape in slide.shapes if shape.has_text_frame]
    notes = [slide.notes_slide.notes_text_frame.text for slide in deck.slides if slide.has_notes_slide]
    titles = [c.title for c in pack.charts if c.kind == FUNNEL]
    assert all(any(title in x for x in texts) for title in titles)
    assert not OTHER_NAMES.search("\n".join(texts + notes))
    assert sum(t("funnel.note.own_unit", "nl") in n for n in notes) == len(titles)  # which limits, in the notes
    programme = exports.collect(app.server, _access("programme"), {"periode": "year"}, "nl", demo=True)
    pdf = exports.write_pack(programme, "pdf")
    assert pdf[:5] == b"%PDF-" and len(programme.images) == len(programme.charts)
    assert not zipfile.is_zipfile(io.BytesIO(pdf))
