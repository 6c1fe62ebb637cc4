"""Cards drawn as Dash components, and the frame of a monitor page around them: the one place a card
becomes HTML (ids, classes and aria attributes the browser, axe and access tests rely on).
"""
from __future__ import annotations

from typing import Callable

import flask
import sqlalchemy as sa
from dash import dcc, html

from dashboard.exports.export_ui import chart_buttons
from dashboard.ui import components, controls, monitor
from dashboard.ui.cards import EXPECTED, FUNNEL_READING, KEY_FIGURE, Card
from dashboard.ui.components import GRAPH_CONFIG
from dashboard.ui.texts import current_language, t
from dashboard.web import cache, runtime
from dashboard.web.auth import current_access
from queries.catalogue import indicators
from queries.store import is_timeout

PRODUCTS_ID = "registrations-product-definitions"


def _products(lang: str) -> html.Details:
    return html.Details([html.Summary(t("definitions.products", lang)), components.product_definitions(lang)],
                        id=PRODUCTS_ID, open=True)


def _funnel_reading(lang: str) -> html.P:
    return html.P(t("funnel.how_to_read", lang), className="funnel-reading")


EXTRAS: dict[str, Callable[[str], object]] = {monitor.PRODUCTS_EXTRA: _products, FUNNEL_READING: _funnel_reading}


def _empty(card: Card, lang: str) -> html.Section:
    return html.Section([
        html.H3(card.title, id=f"{card.card_id}-heading"),
        components.notes(list(card.notes)),
        components.message(t("app.no_data_period", lang)),
        html.P(components.definition_link(card.definition, lang), className="card-footer"),
    ], className="card", id=card.card_id, **{"aria-labelledby": f"{card.card_id}-heading"})


def _chart(card: Card, lang: str) -> html.Section:
    graph_id, heading_id = card.card_id, f"{card.card_id}-heading"
    parts = [
        html.H3(card.title, id=heading_id),
        components.notes(list(card.notes)),
        html.Figure([dcc.Graph(id=graph_id, figure=card.figure, config=GRAPH_CONFIG),
                     html.Figcaption(card.alt, className="visually-hidden")]),
        chart_buttons(graph_id, lang),
        EXTRAS[card.extra](lang) if card.extra else None,
        components.table_details(card.table, t("table.caption", lang), f"{graph_id}-table"),
        html.P(components.definition_link(card.definition, lang), className="card-footer") if card.definition else None,
    ]
    return html.Section([p for p in parts if p is not None], className="card", id=f"{graph_id}-card",
                        **{"aria-labelledby": heading_id})


def _tile(card: Card, lang: str) -> html.Section:
    tile_id, heading_id, fact = card.card_id, f"{card.card_id}-heading", card.key_figure
    facts = [html.P([html.Span(fact.value.text, className="kpi-value"), html.Span(fact.period, className="kpi-period")])]
    if fact.benchmark is not None:
        facts.append(html.P(f"{t('kpi.benchmark', lang)}: {fact.benchmark.text}", className="kpi-benchmark"))
    if fact.expected is not None:
        facts.append(html.P(f"{t('target.label', lang)}: {fact.expected.text}", className="kpi-expected"))
    if fact.comparison is not None:
        facts.append(html.P(fact.comparison, className="kpi-comparison"))
    return html.Section([
        html.H3(card.title, id=heading_id),
        *facts,
        html.Figure([
            dcc.Graph(id=f"{tile_id}-graph", figure=card.figure, config={**GRAPH_CONFIG, "displayModeBar": False},
                      className="sparkline"),
            html.Figcaption(card.alt, className="visually-hidden"),
        ]),
        components.table_details(card.table, t("kpi.trend_table", lang)),
        chart_buttons(tile_id, lang),
        html.P(components.definition_link(card.definition, lang), className="card-footer"),
    ], className="card kpi", id=tile_id, **{"aria-labelledby": heading_id})


def _expected(card: Card, lang: str) -> html.Section:
    heading_id = f"{card.card_id}-heading"
    rows = [[dcc.Link(row.name, href=f"{components.DEFINITIONS_PATH}#{components.definition_anchor(row.definition)}"),
             row.holds_for, row.expected.text, row.start, row.period, row.value.text, row.comparison]
            for row in card.expected]
    header = [t("targets.indicator", lang), t("targets.for", lang), t("target.label", lang), t("targets.from", lang),
              t("expected.period", lang), t("expected.value", lang), t("expected.comparison", lang)]
    body = (components.rows_table(t("expected.caption", lang), header, rows, class_name="data-table expected-table")
            if rows else components.message(t("expected.none", lang)))
    return html.Section([html.H3(card.title, id=heading_id), html.P(t("expected.intro", lang), className="intro"), body],
                        className="expected-values", id=card.card_id, **{"aria-labelledby": heading_id})


def card(card_: Card, lang: str) -> html.Section:
    """Return a card as the page shows it: its chart or tile, notes, table view, export buttons and definition."""
    if card_.kind == EXPECTED:
        return _expected(card_, lang)
    if card_.empty:
        return _empty(card_, lang)
    return _tile(card_, lang) if card_.kind == KEY_FIGURE else _chart(card_, lang)


def page(key: str, *, query: dict, arrange: Callable[[list, str], list] | None = None) -> html.Div:
    """Lay out a monitor page for the caller: heading, controls from the URL, legend and the cards.

    `arrange(sections, lang)` groups the rendered cards (the overview's tiles); by default they follow
    one another. A store that cannot be read gives a plain message (the next request tries again); an
    empty catalogue says so.
    """
    lang = current_language()
    header = [html.H2(t(f"page.{key}", lang)), html.P(t(f"{key}.intro", lang), className="intro")]
    try:
        access = current_access()
        available = indicators.published_periods(runtime.current().engine, access)
        view = controls.view_from(query, access, available)
        if view is None:
            return html.Div([*header, components.message(t("app.no_catalogue", lang))])
        sections = [card(c, lang) for c in monitor.cards_for(key, view, lang)]
    except sa.exc.SQLAlchemyError as error:
        if is_timeout(error):  # an outage, not a fault: one line per request, no trace
            flask.current_app.logger.warning("the store does not answer while laying out %s", key)
        else:
            flask.current_app.logger.exception("store error while laying out %s", key)
        cache.not_kept()  # the next request tries the store again
        return html.Div([*header, components.message(t("app.store_down", lang), "error")])
    return html.Div([
        *header,
        controls.controls(key, monitor.path_of(key), view, lang),
        components.legend(lang),
        # The view the cards show, as its query string: what a browser test or benchmark waits for.
        html.Div(arrange(sections, lang) if arrange else sections, className="cards",
                 **{"data-page": key, "data-view": controls.search_of(view)}),
    ])
