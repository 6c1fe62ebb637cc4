"""The steering pack on the calibrated demo store (issue #6), through the API and `loket report`.

Read back: the presentation has a cover, the key figures, one slide per chart with its definition
in the notes, and the privacy rule; the PDF has the same pages; the workbook one sheet per table
with only protected counts (0, or a multiple of 5 of at least 10, or the symbol); a unit's pack
holds no other unit's code or name in any text, nor in any chart it draws.
"""
from __future__ import annotations

import io
import json
import re

import openpyxl
import pytest
from pptx import Presentation
from pypdf import PdfReader

from dashboard import cli, exports
from dashboard.exports.contents import definition_slides
from dashboard.ui.texts import rule_sentence, rule_text, t
from queries.accounts.access import Access
from queries.store.codes import UNITS
from queries.privacy import SYMBOL, Policy
from tests import browsing
from tests.stores import DEMO_TODAY

pytestmark = browsing.MARKS  # the packs draw their charts with Chromium (kaleido)
OWN = "NN"
OTHERS = [u for u in UNITS if u.code != OWN]
OTHER_CODE = re.compile(r"(?<![A-Za-z0-9_])(?:" + "|".join(u.code for u in OTHERS) + r")(?![A-Za-z0-9_])")


@pytest.fixture(scope="module")
def server(demo_store):
    from dashboard.config import Config

    cfg = Config.from_overrides({"DATABASE_URL": str(demo_store.url), "DEMO_MODE": True, "TESTING": True})
    return exports.offline_server(cfg, demo_store)


@pytest.fixture(scope="module")
def programme_pack(server):
    pack = exports.collect(server, Access("pack-test", "programme"), {"periode": "month", "tot": "2014-03"}, "nl",
                           demo=True)
    return exports.draw(pack)


@pytest.fixture(scope="module")
def programme_files(programme_pack):
    return {fmt: exports.write_pack(programme_pack, fmt) for fmt in exports.PACK_FORMATS}


@pytest.fixture(scope="module")
def unit_files(demo_store, tmp_path_factory):
    """The unit pack of Noord-Nederland in every format, written by `loket report --unit NN`."""
    folder = tmp_path_factory.mktemp("report")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("DATABASE_URL", str(demo_store.url))
        env.setenv("LOKET_DEMO", "on")
        files = {}
        for fmt in exports.PACK_FORMATS:
            out = folder / f"nn.{fmt}"
            assert cli.main(["report", "--period", "2014-Q1", "--unit", OWN, "--format", fmt, "--out", str(out)]) == 0
            files[fmt] = out.read_bytes()
    return files


def slide_texts(prs) -> list[tuple[str, str]]:
    """Return (text on the slide, speaker notes) per slide."""
    out = []
    for slide in prs.slides:
        texts = []
        for shape in slide.shapes:
            if shape.has_text_frame:
                texts.append(shape.text_frame.text)
            if shape.has_table:
                texts += [cell.text for row in shape.table.rows for cell in row.cells]
        notes = slide.notes_slide.notes_text_frame.text if slide.has_notes_slide else ""
        out.append(("\n".join(texts), notes))
    return out


def workbook_cells(data: bytes) -> dict[str, list[list]]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in book.worksheets}


def count_columns(rows: list[list]) -> list[tuple[int, int]]:
    """Return (header row, column) of every count column: its heading is 'Aantal' or ends in ': aantal'."""
    found = []
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            if isinstance(value, str) and (value == t("measure.count", "nl")
                                           or value.endswith(f": {t('measure.count', 'nl').lower()}")):
                found.append((i, j))
    return found


# --- the presentation ----------------------------------------------------------------------------------------

def test_the_presentation_has_cover_key_figures_a_slide_per_chart_and_the_rule(programme_pack, programme_files):
    prs = Presentation(io.BytesIO(programme_files["pptx"]))
    slides = slide_texts(prs)
    charts = programme_pack.charts
    closing = len(definition_slides(programme_pack))
    assert len(slides) == 2 + len(charts) + closing
    assert len(charts) >= 25  # every chart of the six monitor pages
    titles = {chart.title for chart in charts}  # the cross-tables and the survey comparison among them
    for key in ("question_types_by_anonymity", "target_groups_by_reason", "back_to_unit_by_product",
                "respondents_by_product", "respondents_by_target_group", "response_by_product"):
        assert t(f"ind.{key}", "nl") in titles, key
    cover = slides[0][0]
    for text in ("Landelijk", "mrt 2014", "apr 2013 – mrt 2014", f"{t('app.data_until', 'nl')}: okt 2026",
                 t("app.demo", "nl")):
        assert text in cover, text
    summary = slides[1][0]
    assert t("target.label", "nl") in summary and t("pack.indicator", "nl") in summary
    for key in ("registrations", "contacts", "waiting_median", "referral_back_rate", "grade_mean"):
        assert t(f"ind.{key}", "nl") in summary
    for (text, notes), chart in zip(slides[2:2 + len(charts)], charts):
        assert chart.title in text and rule_sentence(Policy(), "nl") in text
        assert chart.definition and t(f"ind.{chart.definition}.def", "nl") in notes
        assert t("definitions.numerator", "nl") in notes
    rule = slides[2 + len(charts)][0]
    assert t("pack.closing", "nl") in rule and rule_text(Policy(), "nl") in rule
    every_definition = "\n".join(text for text, _ in slides[2 + len(charts):])
    assert all(t(f"ind.{key}.def", "nl") in every_definition for key in programme_pack.definitions)
    pictures = [s for s in prs.slides[2].shapes if s.shape_type == 13]  # MSO_SHAPE_TYPE.PICTURE
    assert len(pictures) == 1
    assert prs.slide_width * 9 == prs.slide_height * 16  # 16:9


def test_the_pdf_has_the_same_pages(programme_pack, programme_files):
    data = programme_files["pdf"]
    assert data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 2 + len(programme_pack.charts) + len(definition_slides(programme_pack))
    assert reader.metadata.title == t("pack.title", "nl")
    first = reader.pages[0].extract_text()
    assert "Landelijk" in first and t("app.demo", "nl") in first
    chart_page = reader.pages[2].extract_text()
    assert programme_pack.charts[0].title in chart_page and t("export.definition", "nl") in chart_page


def test_the_workbook_has_a_sheet_per_table_and_only_protected_counts(programme_pack, programme_files):
    sheets = workbook_cells(programme_files["xlsx"])
    names = list(sheets)
    assert names[0] == t("pack.key_figures", "nl") and names[-1] == t("pack.closing", "nl")[:31]
    assert len(names) == 2 + len(programme_pack.charts)
    checked, positive = 0, 0
    for name, rows in sheets.items():
        for header_row, column in count_columns(rows):
            for row in rows[header_row + 1:]:
                if not any(v not in (None, "") for v in row):
                    break
                value = row[column]
                assert value == SYMBOL or (isinstance(value, int) and (value == 0 or (value >= 10 and value % 5 == 0))), \
                    (name, row)
                checked += 1
                positive += isinstance(value, int) and value > 0
    assert checked > 100 and positive > 30
    every = [v for rows in sheets.values() for row in rows for v in row]
    assert SYMBOL in every and rule_sentence(Policy(), "nl") in every and rule_text(Policy(), "nl") in every


# --- a unit's pack -----------------------------------------------------------------------------------------

def _no_other_unit(text: str, where: str) -> None:
    match = OTHER_CODE.search(text)
    assert match is None, f"{where}: another unit's code {match.group(0)!r}"
    for unit in OTHERS:
        assert unit.nl not in text and unit.en not in text, f"{where}: {unit.nl}"


def test_a_units_pack_holds_no_other_units_figures(unit_files, server):
    prs = Presentation(io.BytesIO(unit_files["pptx"]))
    slides = slide_texts(prs)
    for n, (text, notes) in enumerate(slides):
        _no_other_unit(text + "\n" + notes, f"slide {n + 1}")
    assert "Noord-Nederland" in slides[0][0] and t("scope.national", "nl").lower() in slides[0][0]
    pdf = PdfReader(io.BytesIO(unit_files["pdf"]))
    assert len(pdf.pages) == len(slides)
    _no_other_unit("\n".join(page.extract_text() for page in pdf.pages), "pdf")
    sheets = workbook_cells(unit_files["xlsx"])
    _no_other_unit(json.dumps(sheets, ensure_ascii=False, default=str), "xlsx")
    # The charts drawn on the slides come from the unit's own pages: nothing of another unit in them either.
    pack = exports.collect(server, Access("pack-test", "unit", OWN), {"periode": "quarter", "tot": "2014-Q1"}, "nl",
                           demo=True)
    for chart in pack.charts:
        _no_other_unit(json.dumps(chart.figure, ensure_ascii=False, default=str), chart.card_id)
    assert not any(c.card_id == "registrations-by-unit" for c in pack.charts)


def test_report_refuses_unknown_and_unpublished_periods(demo_store, monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("DATABASE_URL", str(demo_store.url))
    out = tmp_path / "x.pptx"
    assert cli.main(["report", "--period", "2014-Q5", "--out", str(out)]) == 2
    assert cli.main(["report", "--period", f"{DEMO_TODAY.year + 1}-Q1", "--out", str(out)]) == 2
    assert cli.main(["report", "--period", "2014-Q1", "--from", "2013", "--out", str(out)]) == 2
    assert "is not published" in capsys.readouterr().err and not out.exists()


def test_report_is_recorded_in_the_audit_log(unit_files, demo_store):
    import sqlalchemy as sa

    from queries.store.schema import AuditEntry

    with demo_store.connect() as conn:
        rows = conn.execute(sa.select(AuditEntry.action, AuditEntry.role, AuditEntry.unit_code, AuditEntry.target,
                                      AuditEntry.scope).where(AuditEntry.action == "export")).all()
    assert {(r.role, r.unit_code, r.target, r.scope) for r in rows} >= {
        ("unit", OWN, f"cli: nn.{fmt}", OWN) for fmt in exports.PACK_FORMATS}
