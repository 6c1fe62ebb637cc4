"""The steering pack (`collect`, then `write_pack`; `build_pack` does both) and one chart's file
(`chart_file`), from the cards of the monitor pages laid out for the caller (`dashboard.ui.monitor`),
server-side, with the caller's access: an export holds nothing the caller could not see on the page.
"""
from __future__ import annotations

import flask
import sqlalchemy as sa

from dashboard.exports import csv_xlsx, images, pdf, powerpoint
from dashboard.exports.contents import Pack, key_figure_rows, key_figures
from dashboard.exports.meta import (IMAGE_FORMATS, IMAGE_HEIGHT, IMAGE_SCALE, IMAGE_WIDTH, PACK_FORMATS,
                                    SLIDE_IMAGE_HEIGHT, SLIDE_IMAGE_SCALE, SLIDE_IMAGE_WIDTH, Meta, Progress,
                                    as_caller, cover_lines, file_name, meta_for, no_progress, pack_name, rule_lines,
                                    definition_lines, view_for)
from dashboard.ui import controls, monitor
from dashboard.ui.cards import EXPECTED, KEY_FIGURE, Card
from dashboard.ui.texts import t
from dashboard.web import runtime
from queries.accounts.access import Access

def charts_of(cards: list[Card]) -> list[Card]:
    """Return the cards that draw a chart (charts and non-empty tiles), in page order."""
    return [c for c in cards if c.kind != EXPECTED and not c.empty]


def page_for_path(pathname) -> str | None:
    """Return the key of the monitor page served at a path, or None."""
    return monitor.page_at(pathname) if isinstance(pathname, str) else None


def find_chart(page: str, view: controls.View, lang: str, card_id) -> Card | None:
    """Return the chart of a card on a monitor page for a view (laid out anew for the caller), or None."""
    if not isinstance(card_id, str):
        return None
    return next((c for c in charts_of(monitor.cards_for(page, view, lang)) if c.card_id == card_id), None)


def chart_file(card: Card, meta: Meta, fmt: str) -> tuple[str, bytes]:
    """Return (file name, bytes) of one chart exported as PNG, SVG, CSV or XLSX."""
    name = file_name(card.title, meta, card.periods, fmt)
    if fmt in IMAGE_FORMATS:
        data = images.renderer.render([images.image_figure(card, meta)], fmt, width=IMAGE_WIDTH,
                                      height=IMAGE_HEIGHT, scale=IMAGE_SCALE)[0]
    elif fmt == "csv":
        data = csv_xlsx.chart_csv(card, meta)
    elif fmt == "xlsx":
        data = csv_xlsx.chart_xlsx(card, meta)
    else:
        raise ValueError(f"unknown chart export format {fmt!r}")
    return name, data


def collect(server: flask.Flask, access: Access, query: dict, lang: str, *, demo: bool,
            progress: Progress = no_progress) -> Pack | None:
    """Lay out the cards of every monitor page for a caller and a view, and gather its key figures and charts.

    Returns None when nothing is published. Runs as the caller (`as_caller`): every figure is read
    through the cards' query functions with the caller's access.
    """
    with as_caller(server, access, lang):
        rt = runtime.current()
        view = view_for(rt.engine, access, query)
        if view is None:
            return None
        meta = meta_for(rt.engine, view, lang, demo, rt.policy)
        figures, charts = [], []
        for n, page in enumerate(monitor.PAGES, 1):
            cards = monitor.cards_for(page, view, lang)
            figures += key_figures(cards)
            charts += [c for c in charts_of(cards) if c.kind != KEY_FIGURE]
            progress("collect", n, len(monitor.PAGES))
    return Pack(meta, figures, charts)


def draw(pack: Pack, progress: Progress = no_progress) -> Pack:
    """Draw the pack's chart images (once; every format uses the same)."""
    if len(pack.images) != len(pack.charts):
        total = len(pack.charts)
        progress("render", 0, total)
        pack.images = images.renderer.render([images.slide_figure(c) for c in pack.charts], "png",
                                             width=SLIDE_IMAGE_WIDTH, height=SLIDE_IMAGE_HEIGHT,
                                             scale=SLIDE_IMAGE_SCALE, progress=lambda n: progress("render", n, total),
                                             then=images.compact_png)
    return pack


def pack_xlsx(pack: Pack) -> bytes:
    """Return the steering pack as a workbook: key figures, one sheet per chart table, rule and definitions."""
    meta, lang = pack.meta, pack.meta.lang
    sheets = csv_xlsx.Sheets()
    ws = sheets.sheet(t("pack.key_figures", lang))
    info = [[label, value] for label, value in cover_lines(meta)]
    if meta.demo:
        info.insert(0, [t("app.demo", lang), ""])
    info += [[t("export.rule", lang), meta.rule], ["", t("legend.no_value", lang)],
             ["", t("pack.expected_note", lang)]]
    row = sheets.info(ws, info, t("pack.title", lang))
    header, rows = key_figure_rows(pack)
    sheets.table(ws, row, header, rows)
    ws.column_dimensions["A"].width = 44
    for chart in pack.charts:
        csv_xlsx.chart_sheet(sheets, chart, meta)
    ws = sheets.sheet(t("pack.closing", lang))
    row = sheets.text(ws, 1, rule_lines(meta))
    for key in pack.definitions:
        row = sheets.text(ws, row, definition_lines(key, lang))
    return sheets.bytes(meta, t("pack.title", lang))


def write_pack(pack: Pack, fmt: str, progress: Progress = no_progress) -> bytes:
    """Return the steering pack as PowerPoint, PDF or Excel bytes."""
    if fmt not in PACK_FORMATS:
        raise ValueError(f"unknown pack format {fmt!r}")
    if fmt in ("pptx", "pdf"):
        draw(pack, progress)
    progress("write", 0, 1)
    data = {"pptx": powerpoint.pack_pptx, "pdf": pdf.pack_pdf, "xlsx": pack_xlsx}[fmt](pack)
    progress("write", 1, 1)
    return data


def build_pack(server: flask.Flask, access: Access, query: dict, lang: str, fmt: str, *, demo: bool,
               progress: Progress = no_progress) -> tuple[str, bytes, Pack] | None:
    """Collect, draw and write a steering pack for a caller: (file name, bytes, pack), or None when
    nothing is published."""
    pack = collect(server, access, query, lang, demo=demo, progress=progress)
    if pack is None:
        return None
    return pack_name(pack.meta, fmt), write_pack(pack, fmt, progress), pack


def offline_server(cfg, engine: sa.Engine) -> flask.Flask:
    """Return a Flask app that lays out the monitor's cards without serving them (for `loket report`).

    The cards need no Dash app and no page: only the store, the policy and a request context;
    there is no login: the caller's access is set by `as_caller`.
    """
    server = flask.Flask("loket-report")
    server.extensions[runtime.EXTENSION] = runtime.Runtime(cfg, engine, runtime.policy_from(cfg))
    return server
