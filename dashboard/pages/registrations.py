"""Registrations: how many clients registered, per period, and who they are (group, product, unit, ...)."""
from __future__ import annotations

import dash
from dash import html

from dashboard.ui import cards, components, controls, figures
from dashboard.web import runtime
from dashboard.web.auth import current_access
from dashboard.ui.texts import current_language, t
from queries.store import codes, periods
from queries.targets import target_rules
from queries import targets
from queries.store.codes import PRODUCT_DEFINITIONS, UNITS
from queries.monitor.registrations import DIMENSIONS, reach_per_thousand, registrations_by, registrations_by_unit, \
    registrations_over_time, registrations_trend

PATH = "/aanmeldingen"
dash.register_page(__name__, path=PATH, name="Aanmeldingen", text_key="page.registrations", order=1, cache=True)

PAGE = "registrations"
ID_GRAPH = "registrations-graph"
ID_TABLE = "registrations-table"
ID_BY_UNIT = "registrations-by-unit"
ID_REACH = "registrations-reach"
ID_PRODUCTS = "registrations-product-definitions"
CODE_LISTS = {
    "target_group": codes.TARGET_GROUPS, "product": codes.PRODUCTS, "channel": codes.CHANNELS,
    "found_via": codes.FOUND_VIA, "question_type": codes.QUESTION_TYPES, "gender": codes.GENDERS,
    "age_band": codes.AGE_BANDS,
}


def breakdown_id(dimension: str) -> str:
    """Return the id of a dimension's breakdown chart."""
    return f"registrations-by-{dimension.replace('_', '-')}"


def figure_and_table(period_type: str):
    """Return the national registrations chart and its table for a period type (all periods)."""
    lang = current_language()
    period_type = period_type if period_type in periods.PERIOD_TYPES else "month"
    engine, access = runtime.current().engine, current_access()
    df = registrations_over_time(engine, access, period_type=period_type)
    expected = target_rules.overall(targets.reference_lines(engine, access), "registrations")
    fig = figures.bar_over_time(df, title="", lang=lang, expected=expected)
    return fig, components.data_table(df, lang)


def _product_definitions(lang: str) -> html.Details:
    items = []
    for code in codes.PRODUCTS.values:
        items += [html.Dt(codes.PRODUCTS.label(code, lang)), html.Dd(PRODUCT_DEFINITIONS[code][lang == "en"])]
    return html.Details([html.Summary(t("definitions.products", lang)), html.Dl(items, className="definitions")],
                        id=ID_PRODUCTS, open=True)


def body(view: controls.View, lang: str) -> list:
    """Return the registration cards for a view."""
    data = cards.page_data(view)
    engine, access = data.engine, data.access
    out = [cards.trend_card(
        ID_GRAPH, view=view, lang=lang, keys=["registrations"], title=t("ind.registrations", lang),
        definition="registrations", expected=data.lines,
        fetch=lambda s: registrations_trend(engine, access, scopes=[view.scope], period_type=s.period_type,
                                            start=s.start, end=s.end),
    )]
    if view.choose_unit and view.unit is None:
        out.append(cards.breakdown_card(
            ID_BY_UNIT, view=view, lang=lang, tables=("registrations",), units=True,
            title=t("ind.registrations_by_unit", lang), definition="registrations_by_unit",
            category_labels={u: UNITS.label(u, lang) for u in UNITS.values}, series_label=t("scope.national", lang),
            category_heading=t("dim.unit", lang),
            fetch=lambda s: registrations_by_unit(engine, access, period_type=s.period_type, period=s.period),
        ))
    reach_scopes = view.scopes if view.unit or not view.choose_unit else [*UNITS.values, "NL"]
    out.append(cards.breakdown_card(
        ID_REACH, view=view, lang=lang, tables=("registrations",), units=True, measure="per1000",
        title=t("ind.reach_per_1000", lang), definition="reach_per_1000", series_label=t("measure.per1000", lang),
        category_labels={s: cards.scope_label(s, lang) for s in reach_scopes}, category_heading=t("dim.unit", lang),
        fetch=lambda s: reach_per_thousand(engine, access, scopes=reach_scopes, period_type=s.period_type,
                                           period=s.period),
    ))
    for dimension, table in DIMENSIONS.items():
        notes = [t("note.multi", lang)] if dimension == "question_type" else []
        out.append(cards.breakdown_card(
            breakdown_id(dimension), view=view, lang=lang, tables=cards.parent_tables(table),
            title=t(f"ind.share_{dimension}", lang), definition=f"share_{dimension}",
            category_labels=cards.code_labels(CODE_LISTS[dimension], lang), category_heading=t(f"dim.{dimension}", lang),
            note_texts=notes, extra=_product_definitions(lang) if dimension == "product" else None,
            fetch=lambda s, dimension=dimension: registrations_by(engine, access, dimension=dimension,
                                                                  scopes=view.scopes, period_type=s.period_type,
                                                                  period=s.period),
        ))
    return out


def layout(periode=None, van=None, tot=None, eenheid=None, **_ignored):
    """Lay out the registrations page for the view in the URL (unknown query keys are ignored)."""
    query = {"periode": periode, "van": van, "tot": tot, "eenheid": eenheid}
    return cards.page(PAGE, path=PATH, query=query, body=body)

