"""What every monitor page is made of: the page frame (controls, legend, empty and error states) and
its cards (a trend, a one-period breakdown, a key-figure tile), each from one query function.

Pages pass a `fetch(slice)` that calls their query function; this module picks the period slice
(with the units' fallback), draws the figure, builds the table view and the notes. It reads
nothing itself: every frame comes from a query function, already protected.
"""
from __future__ import annotations

from typing import Callable

import flask
import pandas as pd
import sqlalchemy as sa
from dash import html

from dashboard import components, controls, figures, runtime
from dashboard.auth import current_access
from dashboard.controls import Slice, View
from dashboard.texts import current_language, fmt_period, fmt_value, t
from queries import catalogue, indicators
from queries.access import NATIONAL
from queries.codes import UNITS

Fetch = Callable[[Slice], pd.DataFrame]


def engine() -> sa.Engine:
    """Return the store engine of the app serving this request."""
    return runtime.current().engine


def scope_label(scope: str, lang: str) -> str:
    """Return the name of a scope (a unit, or national)."""
    return t("scope.national", lang) if scope == NATIONAL else UNITS.label(scope, lang)


def page(key: str, *, path: str, query: dict, body: Callable[[View, str], list]) -> html.Div:
    """Lay out a monitor page for the caller: heading, controls from the URL, legend and the cards.

    A store that cannot be read gives a plain message (the next request tries again); an empty
    catalogue says so.
    """
    lang = current_language()
    header = [html.H2(t(f"page.{key}", lang)), html.P(t(f"{key}.intro", lang), className="intro")]
    try:
        access = current_access()
        available = indicators.published_periods(engine(), access)
        view = controls.view_from(query, access, available)
        if view is None:
            return html.Div([*header, components.message(t("app.no_catalogue", lang))])
        content = body(view, lang)
    except sa.exc.SQLAlchemyError:
        flask.current_app.logger.exception("store error while laying out %s", key)
        return html.Div([*header, components.message(t("app.store_down", lang), "error")])
    return html.Div([
        *header,
        controls.controls(key, path, view, lang),
        components.legend(lang),
        html.Div(content, className="cards"),
    ])


def _fallback_note(view: View, piece: Slice, lang: str) -> str | None:
    if not piece.fell_back:
        return None
    return t("note.fell_back", lang).format(wanted=t(f"period.of.{view.period_type}", lang),
                                            shown=t(f"period.of.{piece.period_type}", lang))


def _empty(card_id: str, title: str, definition: str, lang: str, note: str | None = None) -> html.Section:
    return html.Section([
        html.H3(title, id=f"{card_id}-heading"),
        components.notes([note]),
        components.message(t("app.no_data_period", lang)),
        html.P(components.definition_link(definition, lang), className="card-footer"),
    ], className="card", id=card_id, **{"aria-labelledby": f"{card_id}-heading"})


def _series(df: pd.DataFrame, keys: list[str], scopes: list[str], lang: str) -> tuple[pd.DataFrame, dict, dict, dict]:
    """Name one series per (indicator, scope); give each a label, a colour (per indicator, or per scope for
    one indicator) and a dash (dotted for the national benchmark next to a unit)."""
    labels, colours, dashes = {}, {}, {}
    for k, key in enumerate(keys):
        for s, scope in enumerate(scopes):
            colours[f"{key}|{scope}"] = k if len(keys) > 1 else s
            dashes[f"{key}|{scope}"] = "dot" if len(scopes) > 1 and scope == NATIONAL else "solid"
            if len(keys) == 1:
                label = scope_label(scope, lang)
            elif len(scopes) == 1:
                label = t(f"ind.{key}", lang)
            else:
                label = f"{t(f'ind.{key}', lang)}, {scope_label(scope, lang).lower() if scope == NATIONAL else scope_label(scope, lang)}"
            labels[f"{key}|{scope}"] = label
    return df.assign(series=df["indicator"] + "|" + df["scope"]), labels, colours, dashes


def trend_card(card_id: str, *, view: View, lang: str, keys: list[str], fetch: Fetch, title: str,
               definition: str, national: bool = False, expected: float | None = None,
               note_texts: list[str] | None = None) -> html.Section:
    """Return a card with indicators over time: bars for one count, lines (per indicator and scope) otherwise."""
    tables = tuple(name for key in keys for name in indicators.INDICATORS[key].tables)
    piece = view.slice_for(tables, national=national)
    notes = [*(note_texts or [])]
    if piece is None:
        return _empty(card_id, title, definition, lang, t("note.national_only", lang) if not national else None)
    notes.insert(0, _fallback_note(view, piece, lang))
    if national and view.unit:
        notes.append(t("note.national_only", lang))
    df = fetch(piece)
    if df.empty:
        return _empty(card_id, title, definition, lang, notes[0])
    measure = indicators.INDICATORS[keys[0]].measure
    scopes = [NATIONAL] if national else view.scopes
    if measure == "count" and len(keys) == 1:
        own = df[df["scope"] == scopes[0]]
        figure = figures.bar_over_time(own, title="", lang=lang, measure=measure, expected=expected)
        table = components.data_table(own, lang, measure)
    else:
        df, labels, colours, dashes = _series(df, keys, scopes, lang)
        figure = figures.lines_over_time(df, title="", lang=lang, series_labels=labels, measure=measure,
                                         expected=expected, colours=colours, dashes=dashes)
        table = components.trend_table(df, lang, series_labels=labels, measure=measure)
    return components.figure_card(card_id, figure, alt=t("alt.trend", lang), table=table, title=title,
                                  definition=definition, note_texts=notes, lang=lang)


def breakdown_card(card_id: str, *, view: View, lang: str, tables: tuple[str, ...], fetch: Fetch, title: str,
                   definition: str, category_labels: dict, measure: str = "percent", national: bool = False,
                   units: bool = False, scopes: list[str] | None = None, series_label: str | None = None,
                   note_texts: list[str] | None = None, extra=None,
                   category_heading: str | None = None) -> html.Section:
    """Return a card with one period's breakdown (shares, or a statistic per category) per scope.

    `series_label`: the rows are one series (e.g. one bar per unit), whatever their scope.
    """
    piece = view.slice_for(tables, national=national, units=units)
    if piece is None:
        return _empty(card_id, title, definition, lang)
    notes = [_fallback_note(view, piece, lang),
             t("note.period", lang).format(period=fmt_period(piece.period, lang)), *(note_texts or [])]
    df = fetch(piece)
    if df.empty:
        return _empty(card_id, title, definition, lang, notes[0])
    if series_label is not None:
        df = df.assign(scope="_series")
        scope_labels = {"_series": series_label}
    else:
        scopes = scopes or ([NATIONAL] if national else view.scopes)
        scope_labels = {s: scope_label(s, lang) for s in scopes}
    figure = figures.category_bars(df, title="", lang=lang, category_labels=category_labels,
                                   scope_labels=scope_labels, measure=measure)
    table = components.category_table(df, lang, category_labels=category_labels, scope_labels=scope_labels,
                                      measure=measure, category_heading=category_heading)
    return components.figure_card(card_id, figure, alt=t("alt.breakdown", lang), table=table, title=title,
                                  definition=definition, note_texts=notes, lang=lang, extra=extra)


def kpi_card(card_id: str, *, view: View, lang: str, key: str, fetch: Fetch,
             expected: float | None = None) -> html.Section:
    """Return a key-figure tile: the indicator's latest value in the range, the national benchmark and the trend."""
    ind = indicators.INDICATORS[key]
    title = t(f"ind.{key}", lang)
    piece = view.slice_for(ind.tables)
    if piece is None:
        return _empty(card_id, title, key, lang)
    df = fetch(piece)
    own = df[df["scope"] == view.scope]
    if own.empty:
        return _empty(card_id, title, key, lang, _fallback_note(view, piece, lang))

    def latest(scope: str) -> str:
        cell = df[(df["scope"] == scope) & (df["period"] == piece.end)]
        if cell.empty:
            return fmt_value(None, ind.measure, lang)
        hidden = bool(cell["suppressed"].iloc[0])
        return fmt_value(None if hidden else cell["value"].iloc[0], ind.measure, lang, suppressed=hidden)

    period = fmt_period(piece.end, lang)
    note = _fallback_note(view, piece, lang)
    tile = components.kpi_tile(
        card_id, title=title, value=latest(view.scope), period=f"{period}" + (f" ({note})" if note else ""),
        benchmark=latest(NATIONAL) if view.unit else None,
        figure=figures.sparkline(own, lang=lang, measure=ind.measure, expected=expected),
        table=components.data_table(own, lang, ind.measure), definition=key, lang=lang,
        expected=fmt_value(expected, ind.measure, lang) if expected is not None else None,
    )
    return tile


def code_labels(code_list, lang: str, extra: dict | None = None) -> dict:
    """Return {code: label} for a code list, plus extra categories."""
    labels = {c: code_list.label(c, lang) for c in code_list.values}
    labels.update(extra or {})
    return labels


def parent_tables(table: str) -> tuple[str, ...]:
    """Return a breakdown table with the table of its parent cell (both decide where it exists)."""
    parent = catalogue.TABLES_BY_NAME[table].parent_cell
    return (table, parent[0]) if parent else (table,)
