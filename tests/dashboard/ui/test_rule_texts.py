"""The rule's texts follow the policy (issue #14): the legend under every chart, the definitions page,
the API and every export state k (LOKET_MIN_COUNT) and the rounding base (LOKET_ROUNDING_BASE) of
the app's config, never a literal 10 and 5.

Two small stores (Noord-Nederland: 8 registrations a month in the first quarter of 2014), one
published with k = 7 and served by an app configured so, one with the defaults. No images are drawn
(no Chromium needed): the image legend is read from the figure, the slides get a stand-in picture.
"""
from __future__ import annotations

import csv
import datetime as dt
import importlib
import io
import json
import re

import openpyxl
import plotly
import pytest
from dash import html
from pptx import Presentation
from pypdf import PdfReader

from dashboard import exports
from dashboard.exports.csv_xlsx import chart_csv, chart_xlsx
from dashboard.exports.images import image_figure
from dashboard.exports.meta import escape
from tests.http_client import basic_auth_header
from dashboard.ui.texts import TEXTS, rule_sentence, rule_text, t
from queries import catalogue
from queries.accounts import users
from queries.accounts.access import Access
from queries.privacy import SYMBOL, Policy
from tests.stores import fresh_store
from tests.dash_text import text_of
from tests.factories import add_registrations, add_units, cheap_hashes, make_app, registration
from tests.monitor_fixtures import walk

TODAY = dt.date(2014, 4, 2)
USER = ("rule-programme", "programme-pass-001")
SEVEN = Policy(k=7)
DEFAULT = Policy()
POLICY_SETTINGS = ("LOKET_MIN_COUNT", "LOKET_ROUNDING_BASE", "LOKET_SHOW_ZEROS", "LOKET_EXACT_NATIONAL_TOTAL")
TEN = re.compile(r"(?<!\d)(?<!\d[.,])10(?!\d|[.,]\d)")  # the number 10 on its own (not 2010, 1.100 or 10,5)
SEVEN_RE = re.compile(r"(?<!\d)(?<!\d[.,])7(?!\d|[.,]\d)")


def _store(folder, policy: Policy):
    engine = fresh_store(f"sqlite:///{folder / 'store.sqlite'}")
    with engine.begin() as conn:
        add_units(conn)
        add_registrations(conn, [registration(dt.date(2014, month, 1 + 3 * i), "NN")
                                 for month in (1, 2, 3) for i in range(8)])
    catalogue.refresh(engine, policy, today=TODAY)
    with cheap_hashes():
        users.add_user(engine, *USER, "programme")
    return engine


def _app(engine, **settings):
    with pytest.MonkeyPatch.context() as env:
        for name in POLICY_SETTINGS:  # the defaults of the code, whatever the shell running the tests says
            env.delenv(name, raising=False)
        return make_app(engine, **settings)


@pytest.fixture(scope="module")
def seven_app(tmp_path_factory):
    return _app(_store(tmp_path_factory.mktemp("rule-seven"), SEVEN), MIN_COUNT=7)


@pytest.fixture(scope="module")
def default_app(tmp_path_factory):
    return _app(_store(tmp_path_factory.mktemp("rule-default"), DEFAULT))


CASES = [("seven_app", SEVEN, "7", TEN), ("default_app", DEFAULT, "10", SEVEN_RE)]


@pytest.fixture(params=CASES, ids=["k7", "defaults"])
def case(request):
    name, policy, k, never = request.param
    return request.getfixturevalue(name), policy, k, never


def _programme(app):
    return exports.as_caller(app.server, Access(USER[0], "programme"), "nl")


def _text(component) -> str:
    return json.dumps(component.to_plotly_json(), cls=plotly.utils.PlotlyJSONEncoder, ensure_ascii=False)


def _of_class(tree, cls: str) -> list:
    return [c for c in walk(tree) if cls in (getattr(c, "className", None) or "").split()]


@pytest.fixture(scope="module")
def packs():
    return {}


def _pack(app, packs) -> exports.Pack:
    if id(app) not in packs:
        packs[id(app)] = exports.collect(app.server, Access(USER[0], "programme"), {"periode": "month"}, "nl",
                                         demo=False)
    return packs[id(app)]


# --- the sentence itself -------------------------------------------------------------------------------------

def test_the_sentence_with_the_defaults():
    assert rule_sentence(DEFAULT, "nl") == ("Aantallen zijn afgerond op 5; aantallen onder 10, en cijfers waaruit "
                                            "zo'n aantal is af te leiden, worden niet getoond (*).")
    assert rule_sentence(DEFAULT, "en") == ("Counts are rounded to the nearest 5; counts under 10, and figures from "
                                            "which such a count could be worked out, are not shown (*).")


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_sentence_and_the_full_rule_take_their_numbers_from_the_policy(lang):
    for text in (rule_sentence(Policy(k=7, base=3), lang), rule_text(Policy(k=7, base=3), lang)):
        assert SEVEN_RE.search(text) and re.search(r"\b3\b", text)
        assert not TEN.search(text) and not re.search(r"\b5\b", text)
    assert SYMBOL in rule_sentence(Policy(k=7, base=3), lang)
    assert rule_sentence(Policy(k=12), lang).count(".") == 1  # one plain sentence
    zeros = t("rule.zeros_hidden", lang)  # LOKET_SHOW_ZEROS off: a zero is hidden too
    assert zeros in rule_sentence(Policy(show_zeros=False), lang) and zeros not in rule_sentence(DEFAULT, lang)
    assert t("rule.full.zeros_hidden", lang) in rule_text(Policy(show_zeros=False), lang)
    assert t("rule.not_rounded", lang) in rule_sentence(Policy(base=1), lang)
    assert t("rule.full.exact_national", lang).strip() in rule_text(Policy(exact_national_total=True), lang)
    assert t("rule.full.exact_national", lang).strip() not in rule_text(DEFAULT, lang)


def test_no_rule_text_in_the_catalogue_has_a_number_of_its_own():
    for key, pair in TEXTS.items():
        if key.startswith("rule.") and not key.endswith("zeros_hidden"):  # those say "0" (zero), no setting
            for text in pair:
                assert not re.search(r"\d", text.replace("{k}", "").replace("{base}", "")), key


# --- the pages ------------------------------------------------------------------------------------------------

def test_the_legend_under_the_charts_says_the_configured_k(case):
    app, policy, k, never = case
    page = importlib.import_module("dashboard.pages.registrations")
    with _programme(app):
        tree = page.layout(periode="month")
    legends = _of_class(tree, "page-legend")
    assert len(legends) == 1
    text = text_of(legends[0])
    assert rule_sentence(policy, "nl") in text and f"onder {k}," in text
    assert not never.search(text)


def test_the_definitions_page_states_the_configured_rule(case):
    app, policy, k, never = case
    page = importlib.import_module("dashboard.pages.definitions")
    with _programme(app):
        tree = page.layout()
    section = next(c for c in walk(tree) if isinstance(c, html.Section)
                   and any(getattr(x, "id", None) == page.ID_PRIVACY for x in walk(c)))
    text = text_of(section)
    assert rule_text(policy, "nl") in text and rule_sentence(policy, "nl") in text
    assert f"minder dan {k} cliënten" in text and not never.search(text)


def test_the_footer_of_every_page_and_the_api_state_the_configured_rule(case):
    app, policy, _k, never = case
    client = app.server.test_client()
    auth = {"Authorization": basic_auth_header(*USER)}
    layout = client.get("/_dash-layout", headers=auth)
    assert layout.status_code == 200
    assert rule_sentence(policy, "nl") in layout.get_data(as_text=True)
    listing = client.get("/api/v1/catalogue", headers=auth)
    assert listing.status_code == 200
    assert listing.get_json()["rule"] == rule_sentence(policy, "en") and not never.search(listing.get_json()["rule"])


# --- the exports -----------------------------------------------------------------------------------------------

def test_a_csv_export_states_the_configured_rule_above_its_table(case, packs):
    app, policy, k, never = case
    pack = _pack(app, packs)
    assert pack.meta.policy == policy
    registrations = next(c for c in pack.charts if c.card_id == "registrations-graph")
    rows = list(csv.reader(io.StringIO(chart_csv(registrations, pack.meta).decode("utf-8-sig")),
                           delimiter=";"))
    header = rows[:rows.index([])]  # the lines above the table
    rule = next(row for row in header if row[0] == t("export.rule", "nl"))
    assert rule[1] == rule_sentence(policy, "nl") and f"onder {k}," in rule[1]
    assert not any(never.search(cell) for row in header for cell in row)


def test_an_xlsx_export_states_the_configured_rule(case, packs):
    app, policy, k, never = case
    pack = _pack(app, packs)
    registrations = next(c for c in pack.charts if c.card_id == "registrations-graph")
    data, rule = openpyxl.load_workbook(io.BytesIO(chart_xlsx(registrations, pack.meta))).worksheets
    assert rule.title == t("export.rule", "nl")
    texts = [rule.cell(row=r, column=2).value for r in (1, 2, 3)]  # the rule lines; the definition follows
    assert texts[0] == rule_text(policy, "nl") and texts[1] == rule_sentence(policy, "nl")
    assert f"minder dan {k} cliënten" in texts[0]
    assert not any(never.search(x) for x in texts)
    above = [c.value for row in data.iter_rows(max_row=8) for c in row if isinstance(c.value, str)]
    assert rule_sentence(policy, "nl") in above


def test_an_image_draws_the_configured_rule_into_its_legend(case, packs):
    app, policy, _k, never = case
    pack = _pack(app, packs)
    registrations = next(c for c in pack.charts if c.card_id == "registrations-graph")
    figure = image_figure(registrations, pack.meta)
    footer = figure.layout.annotations[-1].text
    assert escape(rule_sentence(policy, "nl")) in footer and not never.search(footer)


def _stand_in_png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (20, 10), "white").save(out, "PNG")
    return out.getvalue()


def test_the_steering_pack_states_the_configured_rule_in_every_format(case, packs):
    app, policy, k, _never = case
    other = DEFAULT if policy == SEVEN else SEVEN
    pack = _pack(app, packs)
    pack = exports.Pack(pack.meta, pack.key_figures, pack.charts, [_stand_in_png()] * len(pack.charts))
    sentence, full = rule_sentence(policy, "nl"), rule_text(policy, "nl")

    book = openpyxl.load_workbook(io.BytesIO(exports.write_pack(pack, "xlsx")))
    cells = [c.value for ws in book.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert sentence in cells and full in cells  # the key figures' sheet, every chart's sheet, the closing sheet
    assert cells.count(sentence) >= 1 + len(pack.charts)
    assert rule_sentence(other, "nl") not in cells and rule_text(other, "nl") not in cells

    prs = Presentation(io.BytesIO(exports.write_pack(pack, "pptx")))
    texts = "\n".join(shape.text_frame.text for slide in prs.slides for shape in slide.shapes if shape.has_text_frame)
    notes = "\n".join(slide.notes_slide.notes_text_frame.text for slide in prs.slides)
    assert texts.count(sentence) >= len(pack.charts) and full in texts and sentence in notes
    for text in (texts, notes):
        assert rule_sentence(other, "nl") not in text and rule_text(other, "nl") not in text

    pdf = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(
        exports.write_pack(pack, "pdf"))).pages)
    assert f"aantallen onder {k}," in pdf and f"minder dan {k} cliënten" in pdf
    assert f"aantallen onder {other.k}," not in pdf and f"minder dan {other.k} cliënten" not in pdf
