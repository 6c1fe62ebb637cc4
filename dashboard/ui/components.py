"""Reusable interface pieces: messages, definition links, the legend, notes, tables and the product definitions.

Cards are drawn in `dashboard.ui.render`; this module knows no card."""
from __future__ import annotations

from dash import dcc, html

from dashboard.ui import widgets
from dashboard.ui.tables import Table
from dashboard.ui.texts import rule_sentence, t
from dashboard.web import runtime
from queries.privacy import Policy
from queries.store import codes
from queries.store.codes import PRODUCT_DEFINITIONS

DEFINITIONS_PATH = "/definities"
# "toImage": the chart's own PNG export (dashboard/exports/export_ui.py) draws in title, scope, period and legend.
GRAPH_CONFIG = {"displaylogo": False, "responsive": True,
                "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d", "toImage"]}


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


def table_details(table_: Table, summary: str, details_id: str | None = None) -> widgets.TableDetails:
    """Return a table behind a summary that opens it; the table is drawn only once it is opened."""
    return widgets.TableDetails(id=details_id, summary=summary, caption=table_.caption, header=table_.header,
                                rows=table_.texts())


def rows_table(caption: str, header: list[str], rows: list[list], *, class_name: str = "data-table") -> html.Table:
    """Return a table of texts (or components) with a caption, column headings and row headings."""
    head = html.Tr([html.Th(h, scope="col") for h in header])
    body = [html.Tr([html.Th(r[0], scope="row"), *[html.Td(c) for c in r[1:]]]) for r in rows]
    return html.Table([html.Caption(caption), html.Thead(head), html.Tbody(body)], className=class_name)


def product_definitions(lang: str) -> html.Dl:
    """Return what each product means, as a definition list."""
    items = []
    for code in codes.PRODUCTS.values:
        items += [html.Dt(codes.PRODUCTS.label(code, lang)), html.Dd(PRODUCT_DEFINITIONS[code][lang == "en"])]
    return html.Dl(items, className="definitions")
