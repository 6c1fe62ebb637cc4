"""Registrations: how many clients registered for a help trajectory, per period."""
from __future__ import annotations

import dash
from dash import Input, Output, callback, dcc, html

from dashboard import figures, runtime
from dashboard.auth import current_access
from dashboard.components import data_table, figure_card
from dashboard.texts import current_language, t
from queries import periods
from queries.registrations import registrations_over_time

dash.register_page(__name__, path="/", name="Aanmeldingen",
                   text_key="page.registrations", order=1)

ID_PERIOD_TYPE = "registrations-period-type"
ID_GRAPH = "registrations-graph"
ID_TABLE = "registrations-table"


def _period_type(value: str | None) -> str:
    return value if value in periods.PERIOD_TYPES else "month"


def figure_and_table(period_type: str):
    """Return the registrations figure and its table for the caller's scope."""
    lang = current_language()
    df = registrations_over_time(runtime.current().engine, current_access(), period_type=period_type)
    fig = figures.bar_over_time(df, title=t("registrations.per_period", lang), lang=lang)
    return fig, data_table(df, lang)


def layout(periode: str | None = None, **_ignored):
    """Lay out the page for the period type in the URL (unknown query keys are ignored)."""
    lang = current_language()
    period_type = _period_type(periode)
    fig, table = figure_and_table(period_type)
    return html.Div(
        [
            html.H2(t("page.registrations", lang)),
            html.Div(
                [
                    html.Label(t("control.period_type", lang), htmlFor=ID_PERIOD_TYPE),
                    dcc.RadioItems(
                        id=ID_PERIOD_TYPE,
                        options=[{"label": t(f"period.{p}", lang), "value": p} for p in periods.PERIOD_TYPES],
                        value=period_type, inline=True,
                    ),
                ],
                className="controls",
            ),
            figure_card(ID_GRAPH, fig, alt=t("registrations.per_period.alt", lang), table=table, table_id=ID_TABLE),
        ]
    )


@callback(Output(ID_GRAPH, "figure"), Output(ID_TABLE, "children"), Input(ID_PERIOD_TYPE, "value"),
          prevent_initial_call=True)
def update(period_type):
    """Redraw the chart and table for another period type."""
    return figure_and_table(_period_type(period_type))
