"""Reusable interface pieces: figure card with legend, table view and definition link; key-figure tile; messages."""
from __future__ import annotations

import pandas as pd
from dash import dcc, html

from dashboard.web import runtime
from dashboard.ui.texts import current_language, fmt_period, fmt_value, rule_sentence, t
from queries.privacy import Policy

DEFINITIONS_PATH = "/definities"
# "toImage": the chart's own PNG export (dashboard/exports/export_ui.py) draws in title, scope, period and legend.
GRAPH_CONFIG = {"displaylogo": False, "responsive": True,
                "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d", "toImage"]}


def records(df: pd.DataFrame) -> list[dict]:
    """Return a small frame's rows as dicts (pandas' own to_dict costs ~10x more on a dozen rows)."""
    columns = list(df.columns)
    return [dict(zip(columns, values)) for values in zip(*(df[c].tolist() for c in columns))]


def message(text: str, kind: str = "info") -> html.Div:
    """Return a plain message box (empty and error states)."""
    return html.Div(text, className=f"message message-{kind}", role="alert" if kind == "error" else "status")


def definition_anchor(key: str) -> str:
    """Return the anchor of an indicator's definition on the definitions page."""
    return f"def-{key.replace('_', '-')}"


def definition_link(key: str, lang: str) -> dcc.Link:
    """Return a link to an indicator's definition."""
    return dcc.Link(f"{t('def.link', lang)}: {t(f'ind.{key}', lang)}",
                    href=f"{DEFINITIONS_PATH}#{definition_anchor(key)}", className="definition-link")


def legend(lang: str, policy: Policy | None = None) -> html.P:
    """Return the legend of the symbols used in the charts and tables: the rule with the app's policy."""
    policy = policy or runtime.current().policy
    return html.P([rule_sentence(policy, lang), " ", t("legend.no_value", lang)], className="legend page-legend")


def notes(texts: list[str]) -> html.Ul | None:
    """Return plain notes shown above a chart (fallbacks, periods), or None."""
    texts = [x for x in texts if x]
    return html.Ul([html.Li(x) for x in texts], className="notes") if texts else None


def _table(caption: str, header: list[str], rows: list[list[str]]) -> html.Table:
    head = html.Tr([html.Th(h, scope="col") for h in header])
    body = [html.Tr([html.Th(r[0], scope="row"), *[html.Td(c) for c in r[1:]]]) for r in rows]
    return html.Table([html.Caption(caption), html.Thead(head), html.Tbody(body)], className="data-table")


def text_table(caption: str, header: list[str], rows: list[list[str]], *, class_name: str = "data-table") -> html.Table:
    """Return a table of texts with a caption, column headings and the first cell of each row as its heading."""
    table = _table(caption, header, rows)
    table.className = class_name
    return table


def data_table(df: pd.DataFrame, lang: str, measure: str = "count") -> html.Table:
    """Return the text alternative of a one-series period chart: the same protected figures as a table."""
    rows = [[fmt_period(p, lang), fmt_value(None if s else v, measure, lang, suppressed=bool(s))]
            for p, v, s in zip(df["period"], df["value"], df["suppressed"])]
    return _table(t("table.caption", lang), [t("table.period", lang), t(f"measure.{measure}", lang)], rows)


def trend_table(df: pd.DataFrame, lang: str, *, series_labels: dict, measure: str) -> html.Table:
    """Return the table of a trend chart: one row per period, one column per series (column `series`)."""
    cells = {(k, p): (v, bool(s)) for k, p, v, s in zip(df["series"], df["period"], df["value"], df["suppressed"])}
    rows = []
    for period in sorted(set(df["period"])):
        row = [fmt_period(period, lang)]
        for key in series_labels:
            cell = cells.get((key, period))
            row.append("" if cell is None else fmt_value(None if cell[1] else cell[0], measure, lang,
                                                         suppressed=cell[1]))
        rows.append(row)
    return _table(t("table.caption", lang), [t("table.period", lang), *series_labels.values()], rows)


def category_table(df: pd.DataFrame, lang: str, *, category_labels: dict, scope_labels: dict, measure: str,
                   category_heading: str | None = None) -> html.Table:
    """Return the table of a category chart: one row per category, per scope the value (and count)."""
    present = set(df["scope"])
    scopes = [s for s in scope_labels if s in present]
    with_counts = "count" in df
    header = [category_heading or t("table.category", lang)]
    value_heading = t("table.share" if measure == "percent" else f"measure.{measure}", lang).lower()
    for scope in scopes:
        if with_counts:
            header += [f"{scope_labels[scope]}: {t('measure.count', lang).lower()}",
                       f"{scope_labels[scope]}: {value_heading}"]
        else:
            header.append(scope_labels[scope])
    cells = {}
    for cell in records(df):
        cells.setdefault((cell["category"], cell["scope"]), cell)  # the first row of a cell, as shown
    categories = set(df["category"])
    rows = []
    for category, label in category_labels.items():
        if category not in categories:
            continue
        row = [label]
        for scope in scopes:
            cell = cells.get((category, scope))
            if cell is None:
                row += ["", ""] if with_counts else [""]
                continue
            if with_counts:
                count_hidden = bool(cell["count_suppressed"])
                row.append(fmt_value(None if count_hidden else cell["count"], "count", lang, suppressed=count_hidden))
            hidden = bool(cell["suppressed"])
            row.append(fmt_value(None if hidden else cell["value"], measure, lang, suppressed=hidden))
        rows.append(row)
    return _table(t("table.caption", lang), header, rows)


def _export_buttons(card_id: str, lang: str | None):
    # Imported here: export_ui builds on the pages, which build on this module (issue #6).
    from dashboard.exports.export_ui import chart_buttons

    return chart_buttons(card_id, lang or current_language())


def figure_card(graph_id: str, figure, *, alt: str, table, table_id: str | None = None, title: str | None = None,
                definition: str | None = None, note_texts: list[str] | None = None, lang: str | None = None,
                extra=None) -> html.Section:
    """Return a chart with its heading, notes, text alternative, collapsible table view and definition link."""
    heading_id = f"{graph_id}-heading"
    parts = []
    if title:
        parts.append(html.H3(title, id=heading_id))
    parts.append(notes(note_texts or []))
    parts.append(html.Figure([
        dcc.Graph(id=graph_id, figure=figure, config=GRAPH_CONFIG),
        html.Figcaption(alt, className="visually-hidden"),
    ]))
    parts.append(_export_buttons(graph_id, lang))
    if extra is not None:
        parts.append(extra)
    parts.append(html.Details([html.Summary(t("table.caption", lang)),
                               html.Div(table, id=table_id or f"{graph_id}-table")]))
    if definition:
        parts.append(html.P(definition_link(definition, lang), className="card-footer"))
    attrs = {"aria-labelledby": heading_id} if title else {}
    return html.Section([p for p in parts if p is not None], className="card", id=f"{graph_id}-card", **attrs)


def kpi_tile(tile_id: str, *, title: str, value: str, period: str, benchmark: str | None, figure, table,
             definition: str, lang: str, expected: str | None = None, comparison: str | None = None) -> html.Section:
    """Return a key-figure tile: the latest value, the national benchmark, the expected value, how the value
    compares with it (neutral words), the trend and its table."""
    heading_id = f"{tile_id}-heading"
    facts = [html.P([html.Span(value, className="kpi-value"), html.Span(period, className="kpi-period")])]
    if benchmark is not None:
        facts.append(html.P(f"{t('kpi.benchmark', lang)}: {benchmark}", className="kpi-benchmark"))
    if expected is not None:
        facts.append(html.P(f"{t('target.label', lang)}: {expected}", className="kpi-expected"))
    if comparison is not None:
        facts.append(html.P(comparison, className="kpi-comparison"))
    return html.Section(
        [
            html.H3(title, id=heading_id),
            *facts,
            html.Figure([
                dcc.Graph(id=f"{tile_id}-graph", figure=figure, config={**GRAPH_CONFIG, "displayModeBar": False},
                          className="sparkline"),
                html.Figcaption(t("alt.trend", lang), className="visually-hidden"),
            ]),
            html.Details([html.Summary(t("kpi.trend_table", lang)), table]),
            _export_buttons(tile_id, lang),
            html.P(definition_link(definition, lang), className="card-footer"),
        ],
        className="card kpi", id=tile_id, **{"aria-labelledby": heading_id},
    )

