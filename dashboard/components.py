"""Reusable interface pieces: figure card with legend and table view, messages."""
from __future__ import annotations

import pandas as pd
from dash import dcc, html

from dashboard.texts import fmt_number, fmt_period, t


def message(text: str, kind: str = "info") -> html.Div:
    """Return a plain message box (empty and error states)."""
    return html.Div(text, className=f"message message-{kind}", role="status")


def data_table(df: pd.DataFrame, lang: str) -> html.Table:
    """Return the text alternative of a period chart: the same protected figures as a table."""
    header = html.Tr([html.Th(t("table.period", lang), scope="col"), html.Th(t("table.value", lang), scope="col")])
    rows = [
        html.Tr([html.Th(fmt_period(p, lang), scope="row"), html.Td(fmt_number(None if s else v, lang))])
        for p, v, s in zip(df["period"], df["value"], df["suppressed"])
    ]
    return html.Table([html.Caption(t("table.caption", lang)), html.Thead(header), html.Tbody(rows)], className="data-table")


def figure_card(graph_id: str, figure, *, alt: str, table: html.Table, table_id: str | None = None) -> html.Section:
    """Return a chart with its text alternative and a collapsible table view."""
    return html.Section(
        [
            html.Figure([
                dcc.Graph(id=graph_id, figure=figure, config={"displaylogo": False, "responsive": True}),
                html.Figcaption(alt, className="visually-hidden"),
            ]),
            html.Details([html.Summary(t("table.caption")), html.Div(table, id=table_id or f"{graph_id}-table")]),
        ],
        className="card",
    )
