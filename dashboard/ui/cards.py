"""What every monitor page is made of: the page frame (controls, legend, empty and error states) and
its cards (a trend, a one-period breakdown, a key-figure tile), each from one query function.

Pages pass a `fetch(slice)` that calls their query function; this module picks the period slice
(with the units' fallback), draws the figure, builds the table view and the notes. It reads
nothing itself: every frame comes from a query function, already protected.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import flask
import pandas as pd
import sqlalchemy as sa
from dash import dcc, html

from dashboard.web import cache, runtime
from dashboard.ui import components, controls, figures
from dashboard.web.auth import current_access
from dashboard.ui.controls import Slice, View
from dashboard.ui.texts import TEXTS, current_language, fmt_number, fmt_period, fmt_value, t
from queries import catalogue, targets
from queries.catalogue import indicators
from queries.store import periods
from queries.targets import target_rules
from queries.accounts.access import NATIONAL, Access
from queries.catalogue import TOTAL
from queries.store.codes import PRODUCTS, TARGET_GROUPS, UNITS
from queries.store import is_timeout

Fetch = Callable[[Slice], pd.DataFrame]
Parts = Callable[[str, Slice], dict]  # (indicator, slice) -> the published value and counts of its last period


def engine() -> sa.Engine:
    """Return the store engine of the app serving this request."""
    return runtime.current().engine


@dataclass(frozen=True)
class PageData:
    """What a monitor page's cards read with: the store, the caller's access, the view and the expected values."""

    engine: sa.Engine
    access: Access
    view: View
    lines: pd.DataFrame  # the expected values' reference lines (targets.reference_lines)

    def over(self, fn) -> Fetch:
        """Return a fetch of a query function over the slice's range, for the view's scopes."""
        return lambda s: fn(self.engine, self.access, scopes=self.view.scopes, period_type=s.period_type,
                            start=s.start, end=s.end)

    def at(self, fn) -> Fetch:
        """Return a fetch of a query function for the slice's one period, for the view's scopes."""
        return lambda s: fn(self.engine, self.access, scopes=self.view.scopes, period_type=s.period_type,
                            period=s.period)

    def parts(self, indicator: str, piece: Slice) -> dict:
        """Return an indicator's published value and counts in the slice's last period, for the view's scope."""
        return targets.latest_with_parts(self.engine, self.access, indicator=indicator, scope=self.view.scope,
                                         period_type=piece.period_type, period=piece.end)

    def expected_by_product(self, indicator: str) -> Callable[[str], dict]:
        """Return, per period, the expected values of an indicator per product (all products: TOTAL)."""
        def by_product(period: str) -> dict:
            values = {TOTAL: target_rules.value_throughout(self.lines, indicator, period)}
            values.update({p: target_rules.value_throughout(self.lines, indicator, period, product=p)
                           for p in PRODUCTS.values})
            return {k: v for k, v in values.items() if v is not None}
        return by_product


def page_data(view: View) -> PageData:
    """Return the store, access and expected values a monitor page reads with (one query for the values)."""
    store, access = engine(), current_access()
    return PageData(store, access, view, targets.reference_lines(store, access))


def _reference(lines: pd.DataFrame | None, keys: list[str], lang: str) -> pd.DataFrame | None:
    """Return the overall expected values of a chart's indicators, named apart when there are several."""
    if lines is None or lines.empty:
        return None
    parts = []
    for key in keys:
        rows = target_rules.overall(lines, key)
        if len(keys) > 1 and not rows.empty:
            rows = rows.assign(name=f"{t('target.label', lang)} {t(f'ind.{key}', lang).lower()}")
        parts.append(rows)
    found = [p for p in parts if not p.empty]
    return pd.concat(found, ignore_index=True) if found else None


def comparison_text(key: str, parts: dict, expected: float | None, lang: str) -> str | None:
    """Return how an indicator's latest published figure compares with its expected value, in neutral words.

    None when there is no expected value for the whole period, or the figure or any count it needs is
    not shown (or there is nothing to show): a hidden figure is never compared.
    """
    if expected is None or parts.get("suppressed") or parts.get("value") is None:
        return None
    ind = indicators.INDICATORS[key]
    if ind.kind == indicators.PERCENT:
        if parts.get("numerator_suppressed") or parts.get("denominator_suppressed") \
                or parts.get("numerator") is None or parts.get("denominator") is None:
            return None
        statement = t(f"cmp.{key}", lang).format(num=fmt_number(parts["numerator"], lang),
                                                  den=fmt_number(parts["denominator"], lang))
        statement += f" ({fmt_value(parts['value'], 'percent', lang)})"
    else:
        statement = t(f"cmp.{key}", lang).format(value=fmt_value(parts["value"], ind.measure, lang))
    return t("cmp.expected", lang).format(statement=statement, expected=fmt_value(expected, ind.measure, lang))


def definition_key(key: str) -> str:
    """Return the key of the definition that explains an indicator (an aspect rating: the ratings' one)."""
    return key if f"ind.{key}.def" in TEXTS else "aspect_ratings" if key.startswith("rating_") else key


def indicator_name(key: str, lang: str) -> str:
    """Return an indicator's name (an aspect rating: the ratings' name and the aspect)."""
    if f"ind.{key}" in TEXTS:
        return t(f"ind.{key}", lang)
    if key.startswith("rating_"):
        return f"{t('ind.aspect_ratings', lang)}: {t(f'cat.aspect.{key[7:]}', lang).lower()}"
    return key


def holds_for(product: str | None, target_group: str | None, lang: str) -> str:
    """Return whom an expected value holds for: all clients, a product, a target group or both."""
    parts = [PRODUCTS.label(product, lang) if product else None,
             TARGET_GROUPS.label(target_group, lang) if target_group else None]
    return ", ".join(p for p in parts if p) or t("targets.all_clients", lang)


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
    except sa.exc.SQLAlchemyError as error:
        if is_timeout(error):  # an outage, not a fault: one line per request, no trace
            flask.current_app.logger.warning("the store does not answer while laying out %s", key)
        else:
            flask.current_app.logger.exception("store error while laying out %s", key)
        cache.not_kept()  # the next request tries the store again
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


def _revised_note(tables: tuple[str, ...], scopes: list[str], piece: Slice, lang: str) -> str | None:
    """Say which periods of a card hold figures that differ from an earlier release (late or corrected data)."""
    found = indicators.revised_periods(engine(), current_access(), tables, scopes=scopes,
                                       period_type=piece.period_type, start=piece.start, end=piece.end)
    if not found:
        return None
    return t("note.revised", lang).format(periods=", ".join(fmt_period(p, lang) for p in found))


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
               definition: str, national: bool = False, expected: pd.DataFrame | None = None,
               note_texts: list[str] | None = None) -> html.Section:
    """Return a card with indicators over time: bars for one count, lines (per indicator and scope) otherwise.

    `expected`: the reference lines of the expected values (PageData.lines); those of the card's
    indicators (for all clients) are drawn over the months they applied to.
    """
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
    notes.append(_revised_note(tables, scopes, piece, lang))
    expected = _reference(expected, keys, lang)
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
                   category_heading: str | None = None, expected: Callable[[str], dict] | None = None) -> html.Section:
    """Return a card with one period's breakdown (shares, or a statistic per category) per scope.

    `series_label`: the rows are one series (e.g. one bar per unit), whatever their scope.
    `expected`: the expected value per category for a period (PageData.expected_by_product).
    """
    piece = view.slice_for(tables, national=national, units=units)
    if piece is None:
        return _empty(card_id, title, definition, lang)
    notes = [_fallback_note(view, piece, lang),
             t("note.period", lang).format(period=fmt_period(piece.period, lang)), *(note_texts or [])]
    df = fetch(piece)
    if df.empty:
        return _empty(card_id, title, definition, lang, notes[0])
    notes.append(_revised_note(tables, sorted(df["scope"].unique()), piece, lang))
    if series_label is not None:
        df = df.assign(scope="_series")
        scope_labels = {"_series": series_label}
    else:
        scopes = scopes or ([NATIONAL] if national else view.scopes)
        scope_labels = {s: scope_label(s, lang) for s in scopes}
    figure = figures.category_bars(df, title="", lang=lang, category_labels=category_labels,
                                   scope_labels=scope_labels, measure=measure,
                                   expected=expected(piece.period) if expected else None)
    table = components.category_table(df, lang, category_labels=category_labels, scope_labels=scope_labels,
                                      measure=measure, category_heading=category_heading)
    return components.figure_card(card_id, figure, alt=t("alt.breakdown", lang), table=table, title=title,
                                  definition=definition, note_texts=notes, lang=lang, extra=extra)


def kpi_card(card_id: str, *, view: View, lang: str, key: str, fetch: Fetch,
             expected: pd.DataFrame | None = None, parts: Parts | None = None) -> html.Section:
    """Return a key-figure tile: the indicator's latest value in the range, the national benchmark and the trend,
    with the expected value and, when the figure is shown, how it compares (`parts`: its published counts)."""
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
    now = target_rules.value_at_end(expected, key, piece.end)
    comparison = None
    if now is not None and parts is not None:
        comparison = comparison_text(key, parts(key, piece), target_rules.value_throughout(expected, key, piece.end),
                                     lang)
    tile = components.kpi_tile(
        card_id, title=title, value=latest(view.scope), period=f"{period}" + (f" ({note})" if note else ""),
        benchmark=latest(NATIONAL) if view.unit else None,
        figure=figures.sparkline(own, lang=lang, measure=ind.measure, expected=_reference(expected, [key], lang)),
        table=components.data_table(own, lang, ind.measure), definition=key, lang=lang,
        expected=fmt_value(now, ind.measure, lang) if now is not None else None, comparison=comparison,
    )
    return tile


def expected_values_card(card_id: str, *, view: View, lang: str, lines: pd.DataFrame, parts: Parts) -> html.Section:
    """Return the list of expected values that hold at the end of the view's range, each with the indicator's
    latest published figure and, when shown, how it compares in neutral words (for all clients only)."""
    heading_id = f"{card_id}-heading"
    last_month = periods.months_in(view.end, view.period_type)[1]
    rows = []
    for line in lines.sort_values(["indicator", "product", "target_group"], na_position="first").itertuples():
        if line.indicator not in indicators.INDICATORS or not target_rules.applies(line.start, line.end, last_month):
            continue
        ind = indicators.INDICATORS[line.indicator]
        product = None if pd.isna(line.product) else line.product
        group = None if pd.isna(line.target_group) else line.target_group
        name = dcc.Link(indicator_name(line.indicator, lang),
                        href=f"{components.DEFINITIONS_PATH}#{components.definition_anchor(definition_key(line.indicator))}")
        cells = [name, holds_for(product, group, lang),
                 fmt_value(line.expected_value, ind.measure, lang), fmt_period(line.start, lang)]
        piece = view.slice_for(ind.tables) if product is None and group is None else None
        if piece is None:
            rows.append(cells + ["–", "–", t("expected.no_figure", lang) if product or group else "–"])
            continue
        got = parts(line.indicator, piece)
        shown = fmt_value(got["value"], ind.measure, lang, suppressed=got["suppressed"])
        whole = target_rules.value_throughout(lines, line.indicator, piece.end)
        text = comparison_text(line.indicator, got, whole, lang)
        if text is None:
            text = t("expected.hidden", lang) if got["suppressed"] else (
                t("expected.changed", lang) if whole is None else "–")
        rows.append(cells + [fmt_period(piece.end, lang), shown, text])
    header = [t("targets.indicator", lang), t("targets.for", lang), t("target.label", lang), t("targets.from", lang),
              t("expected.period", lang), t("expected.value", lang), t("expected.comparison", lang)]
    body = (components.text_table(t("expected.caption", lang), header, rows, class_name="data-table expected-table")
            if rows else components.message(t("expected.none", lang)))
    return html.Section([html.H3(t("expected.heading", lang), id=heading_id),
                         html.P(t("expected.intro", lang), className="intro"), body],
                        className="expected-values", id=card_id, **{"aria-labelledby": heading_id})


def code_labels(code_list, lang: str, extra: dict | None = None) -> dict:
    """Return {code: label} for a code list, plus extra categories."""
    labels = {c: code_list.label(c, lang) for c in code_list.values}
    labels.update(extra or {})
    return labels


def parent_tables(table: str) -> tuple[str, ...]:
    """Return a breakdown table with the table of its parent cell (both decide where it exists)."""
    parent = catalogue.TABLES_BY_NAME[table].parent_cell
    return (table, parent[0]) if parent else (table,)
