"""Exports for steering meetings: chart images (PNG, SVG), chart data (CSV, XLSX) and the steering pack
(PowerPoint, PDF, Excel).

**One source.** Nothing here reads the store or computes a figure. Every export is taken from what
the monitor pages themselves lay out for the caller (`page.body(view, lang)`, in a request whose
`Access` is the caller's, server-side): the chart's figure, its table view (the same protected,
formatted values and symbols the page shows), its title, notes and definition. So an export can
hold nothing the caller could not see on the page, for exactly the caller's scope; a unit user's
pack holds its own unit and the national benchmark, nothing else.

**Images** are drawn by kaleido 1.x with the Chromium of the system (`ImageRenderer`: one browser
per process, started on the first export and kept warm for every later one). A downloaded image
has the chart's title, scope, period, data date and the privacy legend drawn into it, at 1920x1080
pixels (a projector's full HD).

**Data** files have the table of the chart as numbers (counts, whole percentages, days) and the
symbols as text, with the title, scope, period, data date and the rule above the table. CSV is
for Dutch Excel: `;` between fields, a decimal comma, UTF-8 with a byte-order mark.

**The steering pack** (`collect` then `write_pack`): a cover (scope, period, data date, "demo data"
when so), the key figures with their expected values, one slide per chart with its definition in
the speaker notes, and closing slides with the privacy rule and the definitions. PowerPoint
through python-pptx (all text editable, charts as pictures), PDF with reportlab (the same pages;
the definitions printed under each chart, as a PDF has no notes), Excel with openpyxl (one sheet
per table).
"""
from __future__ import annotations

import asyncio
import atexit
import contextlib
import copy
import dataclasses
import datetime as dt
import importlib
import io
import logging
import math
import pkgutil
import re
import sys
import threading
import unicodedata
import urllib.parse
from typing import Callable, Iterator

import dash
import flask
import plotly.graph_objects as go
import sqlalchemy as sa
from dash import dcc, html

from dashboard.ui import controls
from dashboard.ui.components import definition_anchor
from dashboard.ui.texts import LANG_COOKIE, MONTHS, TEXTS, fmt_period, release_note, rule_sentence, rule_text, t
from queries import catalogue
from queries.store import csvfile
from queries.catalogue import indicators
from queries.accounts.access import NATIONAL, Access
from queries.store.codes import UNITS
from queries.privacy import Policy

log = logging.getLogger(__name__)

FONT = "'Source Sans 3', 'Segoe UI', Arial, 'Liberation Sans', sans-serif"  # quoted: "3" is no CSS name
IMAGE_FORMATS = ("png", "svg")
DATA_FORMATS = ("csv", "xlsx")
CHART_FORMATS = (*IMAGE_FORMATS, *DATA_FORMATS)
PACK_FORMATS = ("pptx", "pdf", "xlsx")
MIME = {
    "png": "image/png",
    "svg": "image/svg+xml",
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "pdf": "application/pdf",
}
# A downloaded image: 1280x720 layout pixels drawn at 1.5x, so 1920x1080 (full HD, 16:9).
IMAGE_WIDTH, IMAGE_HEIGHT, IMAGE_SCALE = 1280, 720, 1.5
# A chart on a slide or PDF page (the slide has the title and legend as text): 2:1, drawn at 1.5x.
# Drawn small and scaled up, so that its text is as large on the slide as the slide's own small print.
SLIDE_IMAGE_WIDTH, SLIDE_IMAGE_HEIGHT, SLIDE_IMAGE_SCALE = 1000, 500, 2
TEXT_COLOUR = "#1b1b1b"
MUTED_COLOUR = "#4a4a4a"


# --- what an export is made of -----------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Meta:
    """The context every export states: whose scope, which periods, data up to when, demo or not, and the
    protection policy its rule text states (the app's, from its config)."""

    lang: str
    unit: str | None  # the unit of the view (None: the national figures)
    period_type: str
    start: str
    end: str
    data_until: str | None
    demo: bool
    made_on: dt.date
    policy: Policy
    release: int | None = None  # the catalogue release the figures come from

    @property
    def rule(self) -> str:
        """Return the privacy rule in one sentence, with the policy's numbers."""
        return rule_sentence(self.policy, self.lang)

    @property
    def scope(self) -> str:
        """Return the scope in words: national, or the unit with the national benchmark."""
        if self.unit is None:
            return t("scope.national", self.lang)
        return t("export.scope_unit", self.lang).format(unit=UNITS.label(self.unit, self.lang))

    @property
    def scope_slug(self) -> str:
        return slug(UNITS.label(self.unit, self.lang) if self.unit else t("scope.national", self.lang))

    @property
    def period(self) -> str:
        """Return the reported period (the range's last) in words."""
        return fmt_period(self.end, self.lang)

    @property
    def trend(self) -> str:
        """Return the range of the trends in words."""
        return period_range(fmt_period(self.start, self.lang), fmt_period(self.end, self.lang))

    @property
    def data_date(self) -> str:
        until = fmt_period(self.data_until, self.lang) if self.data_until else "–"
        return f"{t('app.data_until', self.lang)} {until}{release_note(self.release, self.lang)}"

    def scope_code(self) -> str:
        return self.unit or NATIONAL


@dataclasses.dataclass(frozen=True)
class Table:
    """A chart's table view as the page shows it: formatted texts, the first column the row labels."""

    header: list[str]
    rows: list[list[str]]


@dataclasses.dataclass(frozen=True)
class Chart:
    """One chart of a page, with everything its page shows around it."""

    card_id: str
    page: str
    title: str
    notes: list[str]
    figure: go.Figure
    table: Table | None
    definition: str | None  # the indicator key of its definition
    kpi: bool = False

    @property
    def period(self) -> str:
        """Return the period the chart shows, in words (a breakdown's one period, or a trend's range)."""
        marker = t("note.period", "nl").split("{")[0], t("note.period", "en").split("{")[0]
        for note in self.notes:
            for prefix in marker:
                if note.startswith(prefix):
                    return note[len(prefix):].strip()
        labels = _period_labels(self.figure)
        return period_range(labels[0], labels[-1]) if labels else ""


@dataclasses.dataclass(frozen=True)
class KeyFigure:
    key: str | None
    title: str
    value: str
    period: str
    benchmark: str | None
    expected: str | None


@dataclasses.dataclass
class Pack:
    meta: Meta
    key_figures: list[KeyFigure]
    charts: list[Chart]
    images: list[bytes] = dataclasses.field(default_factory=list)  # slide images, one per chart

    @property
    def definitions(self) -> list[str]:
        """Return the indicator keys of the pack's figures, in order, once each."""
        keys = [k.key for k in self.key_figures] + [c.definition for c in self.charts]
        return list(dict.fromkeys(k for k in keys if k))


Progress = Callable[[str, int, int], None]  # (step, done, total)


def _no_progress(_step: str, _done: int, _total: int) -> None:
    return None


# --- small helpers ----------------------------------------------------------------------------------

def slug(text: str, length: int = 60) -> str:
    """Return a file-name part: ASCII, lower case, words joined by hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:length].strip("-") or "x"


def period_range(first: str, last: str) -> str:
    return first if first == last else f"{first} – {last}"


def period_key(label: str, lang: str) -> str:
    """Return the period key (2014-03, 2014-Q1, 2014) of a formatted period (mrt 2014, 2014 K1, 2014)."""
    label = label.strip()
    if m := re.fullmatch(r"(\d{4}) [KQ]([1-4])", label):
        return f"{m[1]}-Q{m[2]}"
    if m := re.fullmatch(r"(\S+) (\d{4})", label):
        months = MONTHS.get(lang, MONTHS["nl"])
        if m[1] in months:
            return f"{m[2]}-{months.index(m[1]) + 1:02d}"
    return slug(label)


def file_name(what: str, meta: Meta, period: str, ext: str) -> str:
    """Return a useful file name: what (indicator or pack), scope and period, e.g.
    loket_wachttijd-tot-eerste-intake_landelijk_2013-Q2_2014-Q1.png."""
    parts = [period_key(p, meta.lang) for p in period.split(" – ") if p]
    release = f"_r{meta.release}" if meta.release else ""
    return f"loket_{slug(what)}_{meta.scope_slug}_{'_'.join(parts) or 'x'}{release}.{ext}"


def _children(component) -> list:
    children = getattr(component, "children", None)
    if children is None:
        return []
    if isinstance(children, (list, tuple)):
        return [c for c in children if c is not None]
    return [children]


def walk(component) -> Iterator:
    """Yield every component of a layout tree (or of a list of trees)."""
    if isinstance(component, (list, tuple)):
        for item in component:
            yield from walk(item)
        return
    yield component
    for child in _children(component):
        if hasattr(child, "to_plotly_json"):
            yield from walk(child)


def text_of(component) -> str:
    """Return the text a component shows."""
    if component is None:
        return ""
    if isinstance(component, (str, int, float)):
        return str(component)
    return "".join(text_of(c) for c in _children(component))


def _classes(component) -> set[str]:
    return set((getattr(component, "className", None) or "").split())


def _first(component, kind, classes: set[str] | None = None):
    return next((c for c in walk(component) if isinstance(c, kind) and (not classes or classes <= _classes(c))), None)


def _definition_keys() -> dict[str, str]:
    keys = {k[4:] for k in TEXTS if k.startswith("ind.") and k.count(".") == 1}
    return {definition_anchor(k): k for k in keys}


def _definition_of(card) -> str | None:
    anchors = _definition_keys()
    for link in walk(card):
        href = getattr(link, "href", None)
        if isinstance(link, dcc.Link) and isinstance(href, str) and "#" in href:
            return anchors.get(href.split("#", 1)[1])
    return None


def _table_of(card) -> Table | None:
    table = _first(card, html.Table)
    if table is None:
        return None
    head = _first(table, html.Thead)
    body = _first(table, html.Tbody)
    header = [text_of(c) for c in _children(_first(head, html.Tr))] if head is not None else []
    rows = [[text_of(c) for c in _children(tr)] for tr in _children(body) if isinstance(tr, html.Tr)] if body else []
    return Table(header, rows)


def _period_labels(figure: go.Figure) -> list[str]:
    for trace in figure.data:
        if getattr(trace, "orientation", None) != "h" and trace.x is not None and len(trace.x):
            return [str(x) for x in trace.x]
    return []


def cards_of(tree, page: str) -> tuple[list[Chart], list[KeyFigure]]:
    """Return the charts and key-figure tiles a page's layout holds, in page order."""
    charts, key_figures = [], []
    for card in walk(tree):
        if isinstance(card, html.Section) and "expected-values" in _classes(card):
            key_figures += _expected_figures(card, key_figures)
            continue
        if not isinstance(card, html.Section) or "card" not in _classes(card):
            continue
        graph = _first(card, dcc.Graph)
        title = text_of(_first(card, html.H3))
        definition = _definition_of(card)
        if "kpi" in _classes(card):
            value = _first(card, html.Span, {"kpi-value"})
            if value is None:
                continue  # an empty tile: nothing published for the choice
            benchmark = _first(card, html.P, {"kpi-benchmark"})
            expected = _first(card, html.P, {"kpi-expected"})
            key_figures.append(KeyFigure(
                definition, title, text_of(value), text_of(_first(card, html.Span, {"kpi-period"})),
                text_of(benchmark).partition(": ")[2] if benchmark is not None else None,
                text_of(expected).partition(": ")[2] if expected is not None else None,
            ))
            if graph is not None:
                charts.append(Chart(card.id, page, title, [], go.Figure(graph.figure), _table_of(card), definition,
                                    kpi=True))
            continue
        if graph is None:
            continue  # an empty card: "no figures for this choice"
        notes_list = _first(card, html.Ul, {"notes"})
        notes = [text_of(li) for li in _children(notes_list)] if notes_list is not None else []
        charts.append(Chart(graph.id, page, title, notes, go.Figure(graph.figure), _table_of(card), definition))
    return charts, key_figures


def _expected_figures(section, tiles: list[KeyFigure]) -> list[KeyFigure]:
    """Return the overview's list of expected values as key figures: every indicator with an expected value that
    is not on a tile already (with its product or target group when it holds for one), its latest figure and
    period as the page shows them."""
    table = _first(section, html.Table)
    if table is None:
        return []
    on_tiles = {(k.key, k.expected) for k in tiles}
    everyone = {t("targets.all_clients", lang) for lang in ("nl", "en")}
    out = []
    for tr in _children(_first(table, html.Tbody)):
        cells = _children(tr)
        if len(cells) < 7:
            continue
        name, holds, expected, _start, period, value, _comparison = (text_of(c) for c in cells[:7])
        key = _definition_of(cells[0])
        if holds in everyone:
            if (key, expected) in on_tiles:
                continue
            title = name
        else:
            title = f"{name} ({holds})"
        out.append(KeyFigure(key, title, value, period if period != "–" else "", None, expected))
    return out


# --- the caller's pages, in a request of the caller ------------------------------------------------------

def monitor_pages() -> list:
    """Return the page modules that lay out figures (`body(view, lang)`), in navigation order."""
    pages = sorted(dash.page_registry.values(), key=lambda p: (p.get("order") or 0, p["relative_path"]))
    modules = [sys.modules.get(p["module"]) for p in pages]
    return [m for m in modules if m is not None and callable(getattr(m, "body", None)) and hasattr(m, "PAGE")]


def page_for_path(pathname) -> object | None:
    """Return the monitor page module served at a path, or None."""
    if not isinstance(pathname, str):
        return None
    for module in monitor_pages():
        if getattr(module, "PATH", None) == pathname:
            return module
    return None


@contextlib.contextmanager
def as_caller(server: flask.Flask, access: Access, lang: str) -> Iterator[None]:
    """Run page code outside a web request (a job thread, the command line) as a caller would see it.

    The access is given, never read from the request: `current_access()` returns it.
    """
    with server.test_request_context("/", headers={"Cookie": f"{LANG_COOKIE}={lang}"}):
        flask.g.loket_access = access
        yield


def view_for(engine: sa.Engine, access: Access, query: dict) -> controls.View | None:
    """Return the view of a page's query keys for a caller (a unit user's unit is always its own)."""
    return controls.view_from(query, access, indicators.published_periods(engine, access))


def meta_for(engine: sa.Engine, view: controls.View, lang: str, demo: bool, policy: Policy) -> Meta:
    with engine.connect() as conn:
        latest = catalogue.latest_refresh(conn)
    return Meta(lang, view.unit, view.period_type, view.start, view.end, latest.data_until if latest else None, demo,
                dt.date.today(), policy, latest.id if latest else None)


def query_of(search) -> dict:
    """Return the page's query keys from a URL's query string (anything else is ignored)."""
    if not isinstance(search, str):
        return {}
    pairs = urllib.parse.parse_qs(search.lstrip("?"), keep_blank_values=False)
    return {k: v[-1] for k, v in pairs.items() if k in controls.KEYS.values() and v}


def find_chart(page, view: controls.View, lang: str, card_id) -> Chart | None:
    """Return the chart of a card on a page for a view (laid out anew for the caller), or None."""
    if not isinstance(card_id, str):
        return None
    charts, _ = cards_of(page.body(view, lang), page.PAGE)
    return next((c for c in charts if c.card_id == card_id), None)


# --- drawing the images ---------------------------------------------------------------------------------

def legend_lines(meta: Meta) -> list[str]:
    return [meta.rule, t("legend.no_value", meta.lang)]


def _source_line(meta: Meta) -> str:
    parts = [t("export.source", meta.lang), meta.data_date]
    if meta.demo:
        parts.append(t("app.demo", meta.lang))
    return " · ".join(parts)


def _base(chart: Chart, width: int, height: int) -> tuple[go.Figure, int]:
    fig = go.Figure(copy.deepcopy(chart.figure.to_dict()))
    fig.update_layout(width=width, height=height, font={"family": FONT, "size": 17, "color": TEXT_COLOUR},
                      title=None, hoverlabel=None, paper_bgcolor="white", plot_bgcolor="white")
    if chart.kpi:  # a tile's small trend: give it axes and room
        fig.update_xaxes(showticklabels=True, nticks=12)
        fig.update_yaxes(showticklabels=True, showgrid=True, gridcolor="#e5e5e5")
    horizontal = any(getattr(tr, "orientation", None) == "h" for tr in fig.data)
    labels = [str(y) for tr in fig.data if getattr(tr, "orientation", None) == "h" for y in (tr.y or ())]
    left = min(width // 3, 24 + 9 * max((len(s) for s in labels), default=0)) if horizontal else 72
    if chart.kpi:
        fig.update_layout(showlegend=len(fig.data) > 1)
    fig.update_annotations(font_size=15)
    return fig, left


def image_figure(chart: Chart, meta: Meta) -> go.Figure:
    """Return the chart as a downloaded image shows it: title, scope, period, data date and legend drawn in."""
    fig, left = _base(chart, IMAGE_WIDTH, IMAGE_HEIGHT)
    top, bottom, right = 118, 190, 40
    plot_w, plot_h = IMAGE_WIDTH - left - right, IMAGE_HEIGHT - top - bottom
    subtitle = " · ".join(x for x in (meta.scope, f"{t('export.period', meta.lang)}: {chart.period}") if x)
    fig.update_layout(
        margin={"l": left, "r": right, "t": top, "b": bottom, "autoexpand": False},
        title={"text": f"<b>{_escape(chart.title)}</b>", "x": 24 / IMAGE_WIDTH, "xanchor": "left", "xref": "container",
               "y": 1 - 20 / IMAGE_HEIGHT, "yanchor": "top", "yref": "container",
               "font": {"size": 26, "color": TEXT_COLOUR},
               "subtitle": {"text": _escape(subtitle), "font": {"size": 17, "color": MUTED_COLOUR}}},
        legend={"orientation": "h", "x": 0, "xanchor": "left", "y": -52 / plot_h, "yanchor": "top",
                "font": {"size": 15}},
    )
    fig.update_yaxes(automargin=False)
    fig.update_xaxes(automargin=False)
    footer = "<br>".join(_escape(line) for line in [*legend_lines(meta), _source_line(meta)])
    fig.add_annotation(text=footer, showarrow=False, align="left", xref="paper", yref="paper",
                       x=-(left - 24) / plot_w, xanchor="left", y=-(bottom - 14) / plot_h, yanchor="bottom",
                       font={"size": 14, "color": MUTED_COLOUR})
    return fig


def slide_figure(chart: Chart) -> go.Figure:
    """Return the chart as a slide shows it: the slide has the title and legend as editable text."""
    fig, left = _base(chart, SLIDE_IMAGE_WIDTH, SLIDE_IMAGE_HEIGHT)
    fig.update_layout(font={"size": 15})
    top, bottom, right = 16, 96, 24
    plot_h = SLIDE_IMAGE_HEIGHT - top - bottom
    fig.update_layout(margin={"l": left, "r": right, "t": top, "b": bottom, "autoexpand": False},
                      legend={"orientation": "h", "x": 0, "xanchor": "left", "y": -46 / plot_h, "yanchor": "top",
                              "font": {"size": 14}})
    fig.update_yaxes(automargin=False)
    fig.update_xaxes(automargin=False)
    return fig


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class ImageRenderer:
    """Draws figures with kaleido: one headless Chromium per process, started on first use and kept warm.

    kaleido 1.x drives the browser from an asyncio loop; this runs that loop in a thread of its own
    and hands it work with `asyncio.run_coroutine_threadsafe`, so any thread (a callback, a pack
    job, the command line) can render, several at once (`tabs` pages of one browser). A browser
    that fails is closed and started again on the next call.
    """

    def __init__(self, tabs: int = 2, timeout: float = 90):
        self.tabs, self.timeout = tabs, timeout
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._kaleido = None
        self._at_exit = False

    @property
    def running(self) -> bool:
        return self._kaleido is not None

    async def _open(self):
        from kaleido import Kaleido

        # mathjax=False: no CDN (offline); plotly.js comes from the installed plotly package.
        kaleido = Kaleido(n=self.tabs, timeout=self.timeout, mathjax=False)
        await kaleido.open()
        return kaleido

    def start(self):
        """Start the browser unless it runs; return (loop, kaleido)."""
        with self._lock:
            if self._kaleido is not None:
                return self._loop, self._kaleido
            loop = asyncio.new_event_loop()
            thread = threading.Thread(target=loop.run_forever, name="loket-kaleido", daemon=True)
            thread.start()
            try:
                kaleido = asyncio.run_coroutine_threadsafe(self._open(), loop).result(timeout=self.timeout)
            except BaseException:
                loop.call_soon_threadsafe(loop.stop)
                thread.join(timeout=5)
                loop.close()
                raise
            self._loop, self._thread, self._kaleido = loop, thread, kaleido
            if not self._at_exit:
                atexit.register(self.close)
                self._at_exit = True
            return loop, kaleido

    def close(self) -> None:
        """Stop the browser (it starts again on the next render)."""
        with self._lock:
            loop, thread, kaleido = self._loop, self._thread, self._kaleido
            self._loop = self._thread = self._kaleido = None
        if loop is None:
            return
        try:
            asyncio.run_coroutine_threadsafe(kaleido.close(), loop).result(timeout=20)
        except Exception:  # noqa: BLE001 - a browser that is already gone
            log.warning("kaleido did not close cleanly", exc_info=True)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        if not thread.is_alive():
            loop.close()

    def render(self, figures: list[go.Figure], fmt: str, *, width: int, height: int, scale: float,
               progress: Callable[[int], None] | None = None) -> list[bytes]:
        """Return each figure drawn as PNG or SVG bytes, in order; `progress(n)` after each."""
        if fmt not in IMAGE_FORMATS:
            raise ValueError(f"not an image format: {fmt!r}")
        specs = [fig.to_dict() for fig in figures]
        opts = {"format": fmt, "width": width, "height": height, "scale": scale}
        loop, kaleido = self.start()
        futures = [asyncio.run_coroutine_threadsafe(kaleido.calc_fig(spec, opts=opts), loop) for spec in specs]
        out = []
        try:
            for n, future in enumerate(futures, 1):
                out.append(future.result(timeout=self.timeout * 2))
                if progress:
                    progress(n)
        except BaseException:
            for future in futures:
                future.cancel()
            self.close()
            raise
        return out


renderer = ImageRenderer()


# --- the chart's data as numbers ------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Cell:
    """One cell of a table: the text as shown, and its number when it is one."""

    text: str
    value: float | None = None
    decimals: int = 0
    unit: str | None = None  # "%" or "days"


_NUMBER = {
    "nl": re.compile(r"^(-?\d{1,3}(?:\.\d{3})+|-?\d+)(?:,(\d+))?$"),
    "en": re.compile(r"^(-?\d{1,3}(?:,\d{3})+|-?\d+)(?:\.(\d+))?$"),
}


def parse_cell(text: str, lang: str) -> Cell:
    """Return a shown value as a number (counts, whole percentages, days, grades); symbols stay text."""
    text = (text or "").strip()
    unit, number = None, text
    days = f" {t('unit.days', lang)}"
    if number.endswith("%"):
        unit, number = "%", number[:-1]
    elif number.endswith(days):
        unit, number = "days", number[: -len(days)]
    match = _NUMBER[lang if lang in _NUMBER else "nl"].match(number)
    if not match:
        return Cell(text)
    whole = re.sub(r"[.,]", "", match[1])
    decimals = match[2] or ""
    value = float(f"{whole}.{decimals}") if decimals else float(whole)
    return Cell(text, value, len(decimals), unit)


def typed_table(table: Table, lang: str) -> tuple[list[str], list[list[Cell]]]:
    """Return a table's header (with the unit of each numeric column) and its cells (label first)."""
    rows = [[Cell(r[0])] + [parse_cell(c, lang) for c in r[1:]] for r in table.rows]
    header = list(table.header)
    for j in range(1, len(header)):
        units = {row[j].unit for row in rows if j < len(row) and row[j].value is not None}
        if units == {"%"}:
            header[j] = f"{header[j]} (%)"
        elif units == {"days"}:
            header[j] = f"{header[j]} ({t('unit.days', lang)})"
    return header, rows


def _csv_cell(cell: Cell):
    # A number as a number (the writer gives it the decimal comma, no grouping); a text (the
    # symbols, labels) as a text, which the writer quotes and keeps from running as a formula.
    return cell.text if cell.value is None else csvfile.Number(cell.value, cell.decimals)


def _header_lines(title: str, meta: Meta, period: str) -> list[list[str]]:
    lines = [[t("app.title", meta.lang), title],
             [t("export.scope", meta.lang), meta.scope],
             [t("export.period", meta.lang), period],
             [t("app.data_until", meta.lang), (fmt_period(meta.data_until, meta.lang) if meta.data_until else "–")
              + release_note(meta.release, meta.lang)],
             [t("export.rule", meta.lang), meta.rule],
             ["", t("legend.no_value", meta.lang)]]
    if meta.demo:
        lines.insert(1, [t("app.demo", meta.lang), ""])
    return lines


def chart_csv(chart: Chart, meta: Meta) -> bytes:
    """Return a chart's table as CSV for Dutch Excel, with the title, scope, period, data date and rule above it."""
    out = io.StringIO()
    writer = csvfile.Writer(out, sep=";", decimal=",")  # the one CSV writer of every download
    for line in _header_lines(chart.title, meta, chart.period):
        writer.writerow(line)
    writer.writerow([])
    if chart.table is not None:
        header, rows = typed_table(chart.table, meta.lang)
        writer.writerow(header)
        for row in rows:
            writer.writerow([_csv_cell(c) for c in row])
    return out.getvalue().encode("utf-8-sig")


def _number_format(cell: Cell) -> str:
    base = "0" if cell.decimals == 0 else "0." + "0" * cell.decimals
    if cell.unit == "%":
        return base + '"%"'  # the whole percentage itself (25 is 25%), as on the page
    return "#,##0" if cell.decimals == 0 else "#,##0." + "0" * cell.decimals


class _Sheets:
    """An openpyxl workbook with the monitor's sheet styles."""

    def __init__(self):
        from openpyxl import Workbook

        self.book = Workbook()
        self._first = True
        self._names: set[str] = set()

    def sheet(self, title: str):
        name = re.sub(r"[\[\]:*?/\\]", " ", title).strip()[:31] or "Sheet"
        base, n = name, 2
        while name.lower() in self._names:
            suffix = f" ({n})"
            name, n = base[: 31 - len(suffix)] + suffix, n + 1
        self._names.add(name.lower())
        if self._first:
            ws = self.book.active
            ws.title = name
            self._first = False
        else:
            ws = self.book.create_sheet(name)
        return ws

    def info(self, ws, lines: list[list[str]], title: str) -> int:
        """Write the title and info lines at the top of a sheet; return the next free row."""
        from openpyxl.styles import Alignment, Font

        ws.cell(row=1, column=1, value=title).font = Font(bold=True, size=14)
        row = 2
        for label, value in lines:
            ws.cell(row=row, column=1, value=label).font = Font(bold=True)
            cell = ws.cell(row=row, column=2, value=value)
            cell.alignment = Alignment(wrap_text=False)
            row += 1
        return row + 1

    def table(self, ws, first_row: int, header: list[str], rows: list[list[Cell]]) -> int:
        """Write a table with numbers as numbers and symbols as right-aligned text; return the next row."""
        from openpyxl.styles import Alignment, Font, PatternFill

        fill = PatternFill("solid", fgColor="E8EEF4")
        for j, text in enumerate(header, 1):
            cell = ws.cell(row=first_row, column=j, value=text)
            cell.font, cell.fill = Font(bold=True), fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for i, row in enumerate(rows, first_row + 1):
            for j, c in enumerate(row, 1):
                if c.value is not None:
                    cell = ws.cell(row=i, column=j, value=int(c.value) if c.decimals == 0 else c.value)
                    cell.number_format = _number_format(c)
                else:
                    cell = ws.cell(row=i, column=j, value=c.text)
                    if j > 1:
                        cell.alignment = Alignment(horizontal="right")
        widths = [max([len(header[j])] + [len(r[j].text) for r in rows if j < len(r)]) for j in range(len(header))]
        from openpyxl.utils import get_column_letter

        for j, width in enumerate(widths, 1):
            letter = get_column_letter(j)
            ws.column_dimensions[letter].width = max(ws.column_dimensions[letter].width or 0, min(60, width + 2))
        ws.freeze_panes = ws.cell(row=first_row + 1, column=2)
        return first_row + len(rows) + 2

    def text(self, ws, first_row: int, lines: list[tuple[str, str]]) -> int:
        from openpyxl.styles import Alignment, Font

        ws.column_dimensions["A"].width = max(ws.column_dimensions["A"].width or 0, 34)
        ws.column_dimensions["B"].width = 110
        row = first_row
        for label, value in lines:
            ws.cell(row=row, column=1, value=label).font = Font(bold=True)
            cell = ws.cell(row=row, column=2, value=value)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            ws.cell(row=row, column=1).alignment = Alignment(vertical="top", wrap_text=True)
            row += 1
        return row + 1

    def bytes(self, meta: Meta, title: str) -> bytes:
        props = self.book.properties
        props.title, props.creator = title, t("app.title", meta.lang)
        out = io.BytesIO()
        self.book.save(out)
        return out.getvalue()


def _definition_lines(key: str, lang: str) -> list[tuple[str, str]]:
    lines = [(t(f"ind.{key}", lang), t(f"ind.{key}.def", lang)),
             (f"  {t('definitions.numerator', lang)}", t(f"ind.{key}.num", lang))]
    den = t(f"ind.{key}.den", lang) if f"ind.{key}.den" in TEXTS else t("definitions.statistic", lang)
    lines.append((f"  {t('definitions.denominator', lang)}", den))
    return lines


def _rule_lines(meta: Meta) -> list[tuple[str, str]]:
    lang = meta.lang
    return [(t("definitions.privacy", lang), rule_text(meta.policy, lang)),
            ("", meta.rule), ("", t("legend.no_value", lang))]


def _chart_sheet(sheets: _Sheets, chart: Chart, meta: Meta, name: str | None = None) -> None:
    ws = sheets.sheet(name or chart.title)
    lines = _header_lines(chart.title, meta, chart.period)[1:]  # the title is the sheet's first line
    lines += [[t("export.notes", meta.lang), n] for n in _other_notes(chart, meta.lang)]
    row = sheets.info(ws, lines, chart.title)
    if chart.table is not None:
        header, rows = typed_table(chart.table, meta.lang)
        sheets.table(ws, row, header, rows)


def chart_xlsx(chart: Chart, meta: Meta) -> bytes:
    """Return a chart's table as a workbook: the data with the title and rule above it, and the rule in full."""
    sheets = _Sheets()
    _chart_sheet(sheets, chart, meta, t("export.data", meta.lang))
    ws = sheets.sheet(t("export.rule", meta.lang))
    row = sheets.text(ws, 1, _rule_lines(meta))
    if chart.definition:
        sheets.text(ws, row, _definition_lines(chart.definition, meta.lang))
    return sheets.bytes(meta, chart.title)


def chart_file(chart: Chart, meta: Meta, fmt: str) -> tuple[str, bytes]:
    """Return (file name, bytes) of one chart exported as PNG, SVG, CSV or XLSX."""
    name = file_name(chart.title, meta, chart.period, fmt)
    if fmt in IMAGE_FORMATS:
        data = renderer.render([image_figure(chart, meta)], fmt, width=IMAGE_WIDTH, height=IMAGE_HEIGHT,
                               scale=IMAGE_SCALE)[0]
    elif fmt == "csv":
        data = chart_csv(chart, meta)
    elif fmt == "xlsx":
        data = chart_xlsx(chart, meta)
    else:
        raise ValueError(f"unknown chart export format {fmt!r}")
    return name, data


# --- the steering pack ------------------------------------------------------------------------------------

def collect(server: flask.Flask, access: Access, query: dict, lang: str, *, demo: bool,
            progress: Progress = _no_progress) -> Pack | None:
    """Lay out every monitor page for a caller and a view, and gather its key figures and charts.

    Returns None when nothing is published. Runs as the caller (`as_caller`): every figure is read
    through the page's query functions with the caller's access.
    """
    from dashboard.web import runtime

    with as_caller(server, access, lang):
        rt = runtime.current()
        engine = rt.engine
        view = view_for(engine, access, query)
        if view is None:
            return None
        meta = meta_for(engine, view, lang, demo, rt.policy)
        pages = monitor_pages()
        key_figures, charts = [], []
        for n, page in enumerate(pages, 1):
            page_charts, page_figures = cards_of(page.body(view, lang), page.PAGE)
            key_figures += page_figures
            charts += [c for c in page_charts if not c.kpi]
            progress("collect", n, len(pages))
    return Pack(meta, key_figures, charts)


def draw(pack: Pack, progress: Progress = _no_progress) -> Pack:
    """Draw the pack's chart images (once; every format uses the same)."""
    if len(pack.images) != len(pack.charts):
        total = len(pack.charts)
        progress("render", 0, total)
        images = renderer.render([slide_figure(c) for c in pack.charts], "png", width=SLIDE_IMAGE_WIDTH,
                                 height=SLIDE_IMAGE_HEIGHT, scale=SLIDE_IMAGE_SCALE,
                                 progress=lambda n: progress("render", n, total))
        pack.images = [compact_png(image) for image in images]
    return pack


def compact_png(data: bytes, colours: int = 128) -> bytes:
    """Return a chart PNG with a palette of its colours: a fifth of the size, the same to the eye."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        palette = image.convert("RGB").quantize(colors=colours, method=Image.Quantize.FASTOCTREE)
        out = io.BytesIO()
        palette.save(out, "PNG")
    return out.getvalue()


def pack_name(meta: Meta, fmt: str) -> str:
    return file_name(t("pack.heading", meta.lang), meta, fmt_period(meta.end, meta.lang), fmt)


def write_pack(pack: Pack, fmt: str, progress: Progress = _no_progress) -> bytes:
    """Return the steering pack as PowerPoint, PDF or Excel bytes."""
    if fmt not in PACK_FORMATS:
        raise ValueError(f"unknown pack format {fmt!r}")
    if fmt in ("pptx", "pdf"):
        draw(pack, progress)
    progress("write", 0, 1)
    data = {"pptx": pack_pptx, "pdf": pack_pdf, "xlsx": pack_xlsx}[fmt](pack)
    progress("write", 1, 1)
    return data


def _cover_lines(meta: Meta) -> list[tuple[str, str]]:
    lines = [(t("export.scope", meta.lang), meta.scope),
             (t("export.period", meta.lang), meta.period),
             (t("export.trend", meta.lang), meta.trend),
             (t("app.data_until", meta.lang), (fmt_period(meta.data_until, meta.lang) if meta.data_until else "–")
              + release_note(meta.release, meta.lang)),
             (t("export.made_on", meta.lang), _date(meta.made_on, meta.lang))]
    return lines


def _date(day: dt.date, lang: str) -> str:
    return f"{day.day} {MONTHS[lang][day.month - 1]} {day.year}"


def _key_figure_rows(pack: Pack) -> tuple[list[str], list[list[str]]]:
    lang, unit = pack.meta.lang, pack.meta.unit
    header = [t("pack.indicator", lang), t("pack.value", lang), t("export.period", lang)]
    if unit:
        header.append(t("kpi.benchmark", lang))
    header.append(t("target.label", lang))
    rows = []
    for k in pack.key_figures:
        row = [k.title, k.value, k.period]
        if unit:
            row.append(k.benchmark or "–")
        row.append(k.expected or "–")
        rows.append(row)
    return header, rows


def _chart_subtitle(chart: Chart, meta: Meta) -> str:
    return " · ".join([meta.scope, f"{t('export.period', meta.lang)}: {chart.period}"])


def _chart_notes(chart: Chart, meta: Meta) -> str:
    lang = meta.lang
    lines = [chart.title]
    if chart.definition:
        lines += [f"{t('export.definition', lang)}: {t(f'ind.{chart.definition}.def', lang)}"]
        lines += [f"{label.strip()}: {text}" for label, text in _definition_lines(chart.definition, lang)[1:]]
    lines += _other_notes(chart, lang)
    lines += ["", *legend_lines(meta), meta.data_date]
    return "\n".join(lines)


def _other_notes(chart: Chart, lang: str) -> list[str]:
    """Return a chart's notes but the period (which its subtitle states)."""
    period_note = t("note.period", lang).split("{")[0]
    return [n for n in chart.notes if n and not n.startswith(period_note)]


def _definitions_text(pack: Pack) -> list[tuple[str, str]]:
    lang = pack.meta.lang
    return [(t(f"ind.{key}", lang), t(f"ind.{key}.def", lang)) for key in pack.definitions]


DEFINITIONS_FIRST, DEFINITIONS_PER_SLIDE = 5, 12  # the first closing slide has the rule too


def _definition_slides(pack: Pack) -> list[list[tuple[str, str]]]:
    """Return the definitions per closing slide: a few beside the rule, then a dozen a slide."""
    items = _definitions_text(pack)
    slides = [items[:DEFINITIONS_FIRST]]
    rest = items[DEFINITIONS_FIRST:]
    slides += [rest[i:i + DEFINITIONS_PER_SLIDE] for i in range(0, len(rest), DEFINITIONS_PER_SLIDE)]
    return slides


# PowerPoint ------------------------------------------------------------------------------------------------

def pack_pptx(pack: Pack) -> bytes:
    """Return the steering pack as a PowerPoint presentation (16:9), every text editable."""
    from pptx import Presentation
    from pptx.dml.color import RGBColor
    from pptx.util import Emu, Inches, Pt

    meta, lang = pack.meta, pack.meta.lang
    prs = Presentation()
    prs.slide_width, prs.slide_height = Emu(12192000), Emu(6858000)  # PowerPoint's 16:9 (13.33 x 7.5 inch)
    width = prs.slide_width
    title_only = prs.slide_layouts[5]
    props = prs.core_properties
    props.title, props.author, props.subject = t("pack.title", lang), t("app.title", lang), meta.scope
    props.last_modified_by, props.keywords = t("app.title", lang), ""
    dark, muted = RGBColor(0x1B, 0x1B, 0x1B), RGBColor(0x4A, 0x4A, 0x4A)

    def textbox(slide, left, top, w, h, paragraphs: list[tuple[str, int, bool]], colour=dark):
        box = slide.shapes.add_textbox(left, top, w, h)
        frame = box.text_frame
        frame.word_wrap = True
        for i, (text, size, bold) in enumerate(paragraphs):
            p = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
            p.text = text
            p.font.size, p.font.bold, p.font.color.rgb = Pt(size), bold, colour
        return box

    def new_slide(title: str):
        slide = prs.slides.add_slide(title_only)
        shape = slide.shapes.title
        shape.left, shape.top, shape.width, shape.height = Inches(0.5), Inches(0.3), width - Inches(1.0), Inches(0.8)
        shape.text = title
        para = shape.text_frame.paragraphs[0]
        para.font.size, para.font.bold, para.font.color.rgb = Pt(30), True, dark
        from pptx.enum.text import PP_ALIGN

        para.alignment = PP_ALIGN.LEFT
        footer = [_source_line(meta)]
        textbox(slide, Inches(0.5), prs.slide_height - Inches(0.45), width - Inches(1.0), Inches(0.3),
                [(footer[0], 10, False)], muted)
        return slide

    # Cover
    slide = prs.slides.add_slide(prs.slide_layouts[0])
    slide.shapes.title.text = t("pack.title", lang)
    slide.shapes.title.left, slide.shapes.title.top = Inches(0.8), Inches(1.3)
    slide.shapes.title.width, slide.shapes.title.height = width - Inches(1.6), Inches(1.2)
    subtitle = slide.placeholders[1]
    subtitle.left, subtitle.top, subtitle.width, subtitle.height = Inches(0.8), Inches(2.7), width - Inches(1.6), Inches(3.2)
    frame = subtitle.text_frame
    frame.text = t("pack.subtitle", lang)
    for label, value in _cover_lines(meta):
        p = frame.add_paragraph()
        p.text = f"{label}: {value}"
        p.font.size = Pt(20)
    if meta.demo:
        box = textbox(slide, Inches(0.8), Inches(6.1), Inches(6), Inches(0.6), [(t("app.demo", lang), 20, True)],
                      RGBColor(0x7A, 0x2E, 0x00))
        box.fill.solid()
        box.fill.fore_color.rgb = RGBColor(0xFF, 0xF1, 0xC7)
    slide.notes_slide.notes_text_frame.text = "\n".join([t("pack.notes_hint", lang), meta.rule])

    # Key figures
    slide = new_slide(t("pack.key_figures", lang))
    textbox(slide, Inches(0.5), Inches(1.05), width - Inches(1.0), Inches(0.4),
            [(f"{meta.scope} · {meta.data_date}", 14, False)], muted)
    header, rows = _key_figure_rows(pack)
    if rows:
        # Every indicator with an expected value is listed too: more rows get smaller rows and letters.
        row_h = min(Inches(0.5), (prs.slide_height - Inches(1.6) - Inches(1.45)) // (len(rows) + 1))
        size = 16 if len(rows) <= 8 else 12 if len(rows) <= 14 else 10
        shape = slide.shapes.add_table(len(rows) + 1, len(header), Inches(0.5), Inches(1.6), width - Inches(1.0),
                                       row_h * (len(rows) + 1))
        table = shape.table
        for table_row in table.rows:
            table_row.height = row_h
        table.columns[0].width = Inches(4.6)
        rest = (width - Inches(1.0) - Inches(4.6)) // (len(header) - 1)
        for j in range(1, len(header)):
            table.columns[j].width = Emu(rest)
        for i, row in enumerate([header, *rows]):
            for j, text in enumerate(row):
                cell = table.cell(i, j)
                cell.text = text
                cell.text_frame.paragraphs[0].font.size = Pt(size)
                cell.text_frame.paragraphs[0].font.bold = i == 0
                if size < 16:
                    cell.margin_top = cell.margin_bottom = Emu(Inches(0.02))
    else:
        textbox(slide, Inches(0.5), Inches(1.6), width - Inches(1.0), Inches(0.6), [(t("pack.no_key_figures", lang), 18, False)])
    textbox(slide, Inches(0.5), prs.slide_height - Inches(1.35), width - Inches(1.0), Inches(0.8),
            [(t("pack.expected_note", lang), 12, False), (meta.rule, 12, False)], muted)
    slide.notes_slide.notes_text_frame.text = "\n".join(
        [f"{k.title}: {t(f'ind.{k.key}.def', lang)}" for k in pack.key_figures if k.key])

    # One slide per chart
    image_h = Inches(5.2)
    image_w = Emu(int(image_h * SLIDE_IMAGE_WIDTH / SLIDE_IMAGE_HEIGHT))
    for chart, image in zip(pack.charts, pack.images):
        slide = new_slide(chart.title)
        textbox(slide, Inches(0.5), Inches(1.0), width - Inches(1.0), Inches(0.4),
                [(_chart_subtitle(chart, meta), 14, False)], muted)
        slide.shapes.add_picture(io.BytesIO(image), (width - image_w) // 2, Inches(1.45), image_w, image_h)
        legend = legend_lines(meta)
        textbox(slide, Inches(0.5), Inches(6.6), width - Inches(1.0), Inches(0.5),
                [(" ".join(legend), 10, False)], muted)
        slide.notes_slide.notes_text_frame.text = _chart_notes(chart, meta)

    # Privacy rule and definitions
    for n, part in enumerate(_definition_slides(pack)):
        title = t("pack.closing", lang) + (f" ({t('pack.continued', lang)})" if n else "")
        slide = new_slide(title)
        paragraphs = []
        if n == 0:
            paragraphs += [(t("definitions.privacy", lang), 16, True), (rule_text(meta.policy, lang), 13, False),
                           (meta.rule, 13, False), (t("legend.no_value", lang), 13, False),
                           (t("pack.expected_note", lang), 13, False), ("", 8, False)]
        box = textbox(slide, Inches(0.5), Inches(1.15), width - Inches(1.0), Inches(5.8), paragraphs)
        unused = not paragraphs  # a new text box has one empty paragraph
        for name, text in part:
            p = box.text_frame.paragraphs[0] if unused else box.text_frame.add_paragraph()
            unused = False
            p.space_after = Pt(4)
            head, rest = p.add_run(), p.add_run()
            head.text, rest.text = f"{name}: ", text
            head.font.bold = True
            for run in (head, rest):
                run.font.size, run.font.color.rgb = Pt(13), dark
        slide.notes_slide.notes_text_frame.text = t("pack.notes_hint", lang)
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()


# PDF ----------------------------------------------------------------------------------------------------

def pack_pdf(pack: Pack) -> bytes:
    """Return the steering pack as a PDF with the pages of the presentation (16:9 landscape)."""
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas
    from reportlab.platypus import Frame, Paragraph, Table as PdfTable, TableStyle

    meta, lang = pack.meta, pack.meta.lang
    page_w, page_h = 960.0, 540.0  # 13.333 x 7.5 inch, as the slides
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=(page_w, page_h), pageCompression=1, invariant=1)
    pdf.setTitle(t("pack.title", lang))
    pdf.setAuthor(t("app.title", lang))
    pdf.setSubject(meta.scope)
    pdf.setCreator(t("app.title", lang))
    body = ParagraphStyle("body", fontName="Helvetica", fontSize=11, leading=14, textColor=colors.HexColor(TEXT_COLOUR))
    small = ParagraphStyle("small", parent=body, fontSize=9, leading=11.5, textColor=colors.HexColor(MUTED_COLOUR))
    bold = ParagraphStyle("bold", parent=body, fontName="Helvetica-Bold")
    big = ParagraphStyle("big", parent=body, fontSize=16, leading=22)
    margin = 36.0

    def para(text: str, style) -> Paragraph:
        return Paragraph(_escape(text).replace("\n", "<br/>"), style)

    def flow(items: list, x: float, y: float, w: float, h: float) -> None:
        Frame(x, y, w, h, leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, showBoundary=0).addFromList(
            list(items), pdf)

    def header(title: str, subtitle: str | None = None) -> None:
        pdf.setFillColor(colors.HexColor(TEXT_COLOUR))
        pdf.setFont("Helvetica-Bold", 24)
        pdf.drawString(margin, page_h - 58, title[:90])
        if subtitle:
            pdf.setFont("Helvetica", 12)
            pdf.setFillColor(colors.HexColor(MUTED_COLOUR))
            pdf.drawString(margin, page_h - 80, subtitle[:160])
        pdf.setFont("Helvetica", 8.5)
        pdf.setFillColor(colors.HexColor(MUTED_COLOUR))
        pdf.drawString(margin, 18, _source_line(meta))
        pdf.drawRightString(page_w - margin, 18, str(pdf.getPageNumber()))

    # Cover
    pdf.setFillColor(colors.HexColor(TEXT_COLOUR))
    pdf.setFont("Helvetica-Bold", 34)
    pdf.drawString(60, page_h - 150, t("pack.title", lang))
    pdf.setFont("Helvetica", 20)
    pdf.drawString(60, page_h - 185, t("pack.subtitle", lang))
    flow([para(f"{label}: {value}", big) for label, value in _cover_lines(meta)], 60, 120, page_w - 120, page_h - 330)
    if meta.demo:
        pdf.setFillColor(colors.HexColor("#FFF1C7"))
        pdf.rect(60, 60, 380, 36, stroke=0, fill=1)
        pdf.setFillColor(colors.HexColor("#7A2E00"))
        pdf.setFont("Helvetica-Bold", 16)
        pdf.drawString(72, 72, t("app.demo", lang))
    pdf.showPage()

    # Key figures
    header(t("pack.key_figures", lang), f"{meta.scope} · {meta.data_date}")
    head, rows = _key_figure_rows(pack)
    if rows:
        data = [[para(c, bold if i == 0 else body) for c in row] for i, row in enumerate([head, *rows])]
        first = 330.0
        rest = (page_w - 2 * margin - first) / (len(head) - 1)
        table = PdfTable(data, colWidths=[first] + [rest] * (len(head) - 1))
        table.setStyle(TableStyle([
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E8EEF4")),
            ("LINEBELOW", (0, 0), (-1, -1), 0.5, colors.HexColor("#BDBDBD")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("TOPPADDING", (0, 0), (-1, -1), 6), ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
        ]))
        flow([table], margin, 110, page_w - 2 * margin, page_h - 110 - 100)
    else:
        flow([para(t("pack.no_key_figures", lang), body)], margin, 110, page_w - 2 * margin, page_h - 210)
    flow([para(t("pack.expected_note", lang), small), para(meta.rule, small)],
         margin, 34, page_w - 2 * margin, 60)
    pdf.showPage()

    # One page per chart: the definition under it (a PDF has no speaker notes)
    image_h = 345.0
    image_w = image_h * SLIDE_IMAGE_WIDTH / SLIDE_IMAGE_HEIGHT
    for chart, image in zip(pack.charts, pack.images):
        header(chart.title, _chart_subtitle(chart, meta))
        pdf.drawImage(ImageReader(io.BytesIO(image)), (page_w - image_w) / 2, page_h - 96 - image_h,
                      width=image_w, height=image_h)
        lines = [" ".join(legend_lines(meta))]
        if chart.definition:
            lines.insert(0, f"{t('export.definition', lang)}: {t(f'ind.{chart.definition}.def', lang)}")
        lines += _other_notes(chart, lang)
        flow([para(x, small) for x in lines], margin, 32, page_w - 2 * margin, page_h - 100 - image_h - 40)
        pdf.showPage()

    # Privacy rule and definitions
    spaced = ParagraphStyle("spaced", parent=body, spaceAfter=5)
    for n, part in enumerate(_definition_slides(pack)):
        header(t("pack.closing", lang) + (f" ({t('pack.continued', lang)})" if n else ""))
        items = []
        if n == 0:
            items += [para(t("definitions.privacy", lang), bold), para(rule_text(meta.policy, lang), spaced),
                      para(meta.rule, body), para(t("legend.no_value", lang), spaced),
                      para(t("pack.expected_note", lang), spaced), Paragraph("&nbsp;", small)]
        for name, text in part:
            items.append(Paragraph(f"<b>{_escape(name)}:</b> {_escape(text)}", spaced))
        flow(items, margin, 40, page_w - 2 * margin, page_h - 90 - 40)
        pdf.showPage()
    pdf.save()
    return out.getvalue()


# Excel --------------------------------------------------------------------------------------------------

def pack_xlsx(pack: Pack) -> bytes:
    """Return the steering pack as a workbook: key figures, one sheet per chart table, rule and definitions."""
    meta, lang = pack.meta, pack.meta.lang
    sheets = _Sheets()
    ws = sheets.sheet(t("pack.key_figures", lang))
    info = [[label, value] for label, value in _cover_lines(meta)]
    if meta.demo:
        info.insert(0, [t("app.demo", lang), ""])
    info += [[t("export.rule", lang), meta.rule], ["", t("legend.no_value", lang)],
             ["", t("pack.expected_note", lang)]]
    row = sheets.info(ws, info, t("pack.title", lang))
    header, rows = _key_figure_rows(pack)
    sheets.table(ws, row, header, [[Cell(r[0])] + [parse_cell(c, lang) for c in r[1:]] for r in rows])
    ws.column_dimensions["A"].width = 44
    for chart in pack.charts:
        _chart_sheet(sheets, chart, meta)
    ws = sheets.sheet(t("pack.closing", lang))
    row = sheets.text(ws, 1, _rule_lines(meta))
    for key in pack.definitions:
        row = sheets.text(ws, row, _definition_lines(key, lang))
    return sheets.bytes(meta, t("pack.title", lang))


def build_pack(server: flask.Flask, access: Access, query: dict, lang: str, fmt: str, *, demo: bool,
               progress: Progress = _no_progress) -> tuple[str, bytes, Pack] | None:
    """Collect, draw and write a steering pack for a caller: (file name, bytes, pack), or None when
    nothing is published."""
    pack = collect(server, access, query, lang, demo=demo, progress=progress)
    if pack is None:
        return None
    return pack_name(pack.meta, fmt), write_pack(pack, fmt, progress), pack


# --- outside a web request: the command line ---------------------------------------------------------------

def offline_server(cfg, engine: sa.Engine) -> flask.Flask:
    """Return a Flask app that can lay out the monitor pages without serving them (for `loket report`).

    Page modules register themselves with Dash, so a Dash app must exist before they are imported;
    this one is never served and has no login: the caller's access is set by `as_caller`.
    """
    from dashboard.web import runtime

    from dashboard import ROOT

    # The same settings as `create_app`: Dash keeps some of them process-wide (dash._pages.CONFIG).
    app = dash.Dash("dashboard", use_pages=True, pages_folder="", assets_folder=str(ROOT / "assets"),
                    title="Loket-monitor", serve_locally=True, suppress_callback_exceptions=True, update_title=None,
                    include_pages_meta=False)
    import dashboard.pages as pages_pkg

    for info in pkgutil.iter_modules(pages_pkg.__path__):
        importlib.import_module(f"dashboard.pages.{info.name}")
    app.server.extensions[runtime.EXTENSION] = runtime.Runtime(cfg, engine, runtime.policy_from(cfg))
    return app.server


def size_text(n: int) -> str:
    return f"{n / 2**20:.1f} MB" if n >= 2**20 else f"{max(1, math.ceil(n / 1024))} kB"
