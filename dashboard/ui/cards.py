"""The card model under every monitor page and every export: a card is data first.

A card (a trend, a one-period breakdown, a key-figure tile or the list of expected values) holds
what its page shows and what its exports write: title, definition, period keys and text, notes,
the protected frame it was built from, the figure spec (`figures`), the typed table (`tables`),
the key figure or the expected values, and the release. `dashboard.ui.render` draws it as Dash
components, `dashboard.exports` writes it as files: neither reads the other.

The builders pick the period slice (with the units' fallback), draw the figure, build the table
and the notes. They read nothing themselves: every frame comes from a query function the page's
card list (`dashboard.ui.monitor`) passes as `fetch(slice)`, already protected.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import pandas as pd
import sqlalchemy as sa

from dashboard.ui import event_marks, figures, tables
from dashboard.ui.controls import Slice, View
from dashboard.ui.tables import Cell, Table, figure_cell
from dashboard.ui.texts import TEXTS, fmt_number, fmt_period, fmt_value, t
from dashboard.web import runtime
from dashboard.web.auth import current_access
from queries import catalogue, events, targets
from queries.accounts.access import NATIONAL, Access
from queries.catalogue import TOTAL, indicators
from queries.store import periods
from queries.store.codes import PRODUCTS, TARGET_GROUPS, UNITS
from queries.monitor import funnel_limits
from queries.monitor.funnel import DRAWN, positions
from queries.targets import target_rules

Fetch = Callable[[Slice], pd.DataFrame]

TREND, BREAKDOWN, KEY_FIGURE, EXPECTED = "trend", "breakdown", "key_figure", "expected"


@dataclass(frozen=True)
class KeyFigure:
    """A key-figure tile's facts: the latest value, its period, the national benchmark and the expected value."""

    key: str | None  # the indicator whose definition explains it
    title: str
    value: Cell
    period: str
    benchmark: Cell | None = None
    expected: Cell | None = None
    comparison: str | None = None  # how the value compares with the expected value, in neutral words


@dataclass(frozen=True)
class ExpectedRow:
    """One expected value that holds at the end of the view's range, with the latest published figure."""

    indicator: str
    definition: str  # the key of the definition that explains it
    name: str
    holds_for: str
    for_all: bool  # for all clients (no product or target group)
    expected: Cell
    start: str
    period: str  # the period of the figure, "–" when there is none
    value: Cell
    comparison: str


@dataclass(frozen=True, eq=False)
class Card:
    """One card of a monitor page, as data: what the page shows and every export writes."""

    card_id: str  # the id its export buttons carry
    page: str
    kind: str  # TREND, BREAKDOWN, KEY_FIGURE or EXPECTED
    title: str
    definition: str | None  # the indicator key of its definition
    periods: tuple[str, ...] = ()  # a breakdown's one period; a trend's first and last (one when the same)
    period_text: str = ""
    notes: tuple[str, ...] = ()
    frame: pd.DataFrame | None = None  # the protected figures it was built from
    figure: dict | None = None  # None: nothing published for the choice (the card says so)
    table: Table | None = None
    alt: str = ""
    extra: str | None = None  # a named addition the page shows under the chart (`render.EXTRAS`)
    key_figure: KeyFigure | None = None
    expected: tuple[ExpectedRow, ...] = ()
    release: int | None = None
    events: tuple[event_marks.EventMark, ...] = ()  # the events a trend marks, as its exports write them

    @property
    def empty(self) -> bool:
        """Tell whether the card has nothing to show (no figures for the choice)."""
        return self.figure is None and self.kind != EXPECTED


@dataclass(frozen=True)
class PageData:
    """What a page's cards read with: the page, store, caller's access, view, language and expected values."""

    page: str
    engine: sa.Engine
    access: Access
    view: View
    lang: str
    lines: pd.DataFrame  # the expected values' reference lines (targets.reference_lines)
    release: int | None = None
    events: tuple[events.Event, ...] = ()  # the events of the view's scopes the caller may see (queries.events)
    _revised: dict = field(default_factory=dict, compare=False, repr=False)  # (type, scopes, start, end) -> table -> periods

    def revised(self, tables_: tuple[str, ...], scopes: list[str], piece: Slice) -> list[str]:
        """Return the periods of a slice where a cell of some tables was revised (read once per range and scopes)."""
        key = (piece.period_type, tuple(sorted(set(scopes))), piece.start, piece.end)
        if key not in self._revised:
            self._revised[key] = indicators.revised_periods(self.engine, self.access, scopes=scopes,
                                                            period_type=piece.period_type, start=piece.start,
                                                            end=piece.end)
        return sorted({p for table in tables_ for p in self._revised[key].get(table, ())})

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


def page_data(page: str, view: View, lang: str) -> PageData:
    """Return what a monitor page's cards read with, for the caller of this request (one query each for the
    expected values and the release)."""
    store, access = runtime.current().engine, current_access()
    with store.connect() as conn:
        latest = catalogue.latest_refresh(conn)
    return PageData(page, store, access, view, lang, targets.reference_lines(store, access),
                    latest.id if latest else None, tuple(events.events_for(store, access, view.scopes)))


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
    """Return the key of the definition that explains an indicator (its declaration's `defined_by`, or its own)."""
    ind = indicators.INDICATORS.get(key)
    return ind.defined_by if ind is not None and ind.defined_by else key


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


def period_range(first: str, last: str) -> str:
    """Return a range of formatted periods in words (one period once)."""
    return first if first == last else f"{first} – {last}"


def _span(keys: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys((keys[0], keys[-1]))) if keys else ()


def _fallback_note(view: View, piece: Slice, lang: str) -> str | None:
    if not piece.fell_back:
        return None
    return t("note.fell_back", lang).format(wanted=t(f"period.of.{view.period_type}", lang),
                                            shown=t(f"period.of.{piece.period_type}", lang))


def _revised_note(data: PageData, tables_: tuple[str, ...], scopes: list[str], piece: Slice) -> str | None:
    """Say which periods of a card hold figures that differ from an earlier release (late or corrected data)."""
    found = data.revised(tables_, scopes, piece)
    if not found:
        return None
    return t("note.revised", data.lang).format(periods=", ".join(fmt_period(p, data.lang) for p in found))


def _notes(texts) -> tuple[str, ...]:
    return tuple(x for x in texts if x)


def _empty(data: PageData, card_id: str, kind: str, title: str, definition: str, note: str | None = None) -> Card:
    return Card(card_id, data.page, kind, title, definition, notes=_notes([note]), release=data.release)


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


def _axis_periods(df: pd.DataFrame, *, in_order: bool) -> list[str]:
    """Return the periods on a chart's axis: a bar chart's in the frame's order, a line chart's sorted."""
    return list(df["period"]) if in_order else sorted(set(df["period"]))


def trend_card(data: PageData, card_id: str, *, keys: list[str], fetch: Fetch, title: str, definition: str,
               national: bool = False, expected: pd.DataFrame | None = None,
               note_texts: list[str] | None = None) -> Card:
    """Return a card with indicators over time: bars for one count, lines (per indicator and scope) otherwise.

    `expected`: the reference lines of the expected values (PageData.lines); those of the card's
    indicators (for all clients) are drawn over the months they applied to.
    """
    view, lang = data.view, data.lang
    tables_ = tuple(name for key in keys for name in indicators.INDICATORS[key].tables)
    piece = view.slice_for(tables_, national=national)
    notes = [*(note_texts or [])]
    if piece is None:
        return _empty(data, card_id, TREND, title, definition, t("note.national_only", lang) if not national else None)
    notes.insert(0, _fallback_note(view, piece, lang))
    if national and view.unit:
        notes.append(t("note.national_only", lang))
    df = fetch(piece)
    if df.empty:
        return _empty(data, card_id, TREND, title, definition, notes[0])
    measure = indicators.INDICATORS[keys[0]].measure
    scopes = [NATIONAL] if national else view.scopes
    notes.append(_revised_note(data, tables_, scopes, piece))
    expected = _reference(expected, keys, lang)
    if measure == "count" and len(keys) == 1:
        df = df[df["scope"] == scopes[0]]
        figure = figures.bar_over_time(df, title="", lang=lang, measure=measure, expected=expected)
        table = tables.period_table(df, lang, measure)
        axis = _axis_periods(df, in_order=True)
    else:
        df, labels, colours, dashes = _series(df, keys, scopes, lang)
        figure = figures.lines_over_time(df, title="", lang=lang, series_labels=labels, measure=measure,
                                         expected=expected, colours=colours, dashes=dashes)
        table = tables.trend_table(df, lang, series_labels=labels, measure=measure)
        axis = _axis_periods(df, in_order=False)
    span = _span(axis)
    marks = event_marks.marks_for(data.events, axis, scopes, lang)  # the chart's scopes: national or unit and national
    figure = event_marks.add_marks(figure, marks, axis, lang)
    notes.append(event_marks.note(marks, lang))
    return Card(card_id, data.page, TREND, title, definition, span,
                period_range(*(fmt_period(p, lang) for p in (axis[0], axis[-1]))), _notes(notes), df, figure, table,
                t("alt.trend", lang), release=data.release, events=marks)


def breakdown_card(data: PageData, card_id: str, *, tables_: tuple[str, ...], fetch: Fetch, title: str,
                   definition: str, category_labels: dict, measure: str = "percent", national: bool = False,
                   units: bool = False, scopes: list[str] | None = None, series_label: str | None = None,
                   note_texts: list[str] | None = None, extra: str | None = None,
                   category_heading: str | None = None, expected: Callable[[str], dict] | None = None,
                   series_labels: dict | None = None) -> Card:
    """Return a card with one period's breakdown (shares, or a statistic per category) per scope.

    `series_label`: the rows are one series (e.g. one bar per unit), whatever their scope.
    `series_labels`: the rows are of one scope, in the series their `series` column names (a cross-table).
    `expected`: the expected value per category for a period (PageData.expected_by_product).
    """
    view, lang = data.view, data.lang
    piece = view.slice_for(tables_, national=national, units=units)
    if piece is None:
        return _empty(data, card_id, BREAKDOWN, title, definition)
    notes = [_fallback_note(view, piece, lang),
             t("note.period", lang).format(period=fmt_period(piece.period, lang)), *(note_texts or [])]
    df = fetch(piece)
    if df.empty:
        return _empty(data, card_id, BREAKDOWN, title, definition, notes[0])
    notes.append(_revised_note(data, tables_, sorted(df["scope"].unique()), piece))
    if series_label is not None:
        df = df.assign(scope="_series")
        scope_labels = {"_series": series_label}
    elif series_labels is not None:
        df = df.assign(scope=df["series"])
        scope_labels = series_labels
    else:
        scopes = scopes or ([NATIONAL] if national else view.scopes)
        scope_labels = {s: scope_label(s, lang) for s in scopes}
    figure = figures.category_bars(df, title="", lang=lang, category_labels=category_labels,
                                   scope_labels=scope_labels, measure=measure,
                                   expected=expected(piece.period) if expected else None)
    table = tables.category_table(df, lang, category_labels=category_labels, scope_labels=scope_labels,
                                  measure=measure, category_heading=category_heading)
    return Card(card_id, data.page, BREAKDOWN, title, definition, (piece.period,), fmt_period(piece.period, lang),
                _notes(notes), df, figure, table, t("alt.breakdown", lang), extra, release=data.release)


def kpi_card(data: PageData, card_id: str, *, key: str, fetch: Fetch) -> Card:
    """Return a key-figure tile: the indicator's latest value in the range, the national benchmark and the trend,
    with the expected value and, when the figure is shown, how it compares."""
    view, lang, expected = data.view, data.lang, data.lines
    ind = indicators.INDICATORS[key]
    title = t(f"ind.{key}", lang)
    piece = view.slice_for(ind.tables)
    if piece is None:
        return _empty(data, card_id, KEY_FIGURE, title, key)
    df = fetch(piece)
    own = df[df["scope"] == view.scope]
    note = _fallback_note(view, piece, lang)
    if own.empty:
        return _empty(data, card_id, KEY_FIGURE, title, key, note)

    def latest(scope: str) -> Cell:
        cell = df[(df["scope"] == scope) & (df["period"] == piece.end)]
        if cell.empty:
            return figure_cell(None, ind.measure, lang)
        return figure_cell(cell["value"].iloc[0], ind.measure, lang, hidden=bool(cell["suppressed"].iloc[0]))

    now = target_rules.value_at_end(expected, key, piece.end)
    comparison = None
    if now is not None:
        comparison = comparison_text(key, data.parts(key, piece),
                                     target_rules.value_throughout(expected, key, piece.end), lang)
    fact = KeyFigure(key, title, latest(view.scope), fmt_period(piece.end, lang) + (f" ({note})" if note else ""),
                     latest(NATIONAL) if view.unit else None,
                     figure_cell(now, ind.measure, lang) if now is not None else None, comparison)
    figure = figures.sparkline(own, lang=lang, measure=ind.measure, expected=_reference(expected, [key], lang))
    axis = _axis_periods(own, in_order=ind.measure == "count")
    return Card(card_id, data.page, KEY_FIGURE, title, key, _span(axis),
                period_range(fmt_period(axis[0], lang), fmt_period(axis[-1], lang)), (), own, figure,
                tables.period_table(own, lang, ind.measure), t("alt.trend", lang), key_figure=fact,
                release=data.release)


def expected_values_card(data: PageData, card_id: str) -> Card:
    """Return the list of expected values that hold at the end of the view's range, each with the indicator's
    latest published figure and, when shown, how it compares in neutral words (for all clients only)."""
    view, lang, lines = data.view, data.lang, data.lines
    last_month = periods.months_in(view.end, view.period_type)[1]
    rows = []
    for line in lines.sort_values(["indicator", "product", "target_group"], na_position="first").itertuples():
        if line.indicator not in indicators.INDICATORS or not target_rules.applies(line.start, line.end, last_month):
            continue
        ind = indicators.INDICATORS[line.indicator]
        product = None if pd.isna(line.product) else line.product
        group = None if pd.isna(line.target_group) else line.target_group
        facts = dict(indicator=line.indicator, definition=definition_key(line.indicator),
                     name=indicator_name(line.indicator, lang), holds_for=holds_for(product, group, lang),
                     for_all=product is None and group is None,
                     expected=figure_cell(line.expected_value, ind.measure, lang), start=fmt_period(line.start, lang))
        piece = view.slice_for(ind.tables) if product is None and group is None else None
        if piece is None:
            rows.append(ExpectedRow(**facts, period="–", value=Cell("–"),
                                    comparison=t("expected.no_figure", lang) if product or group else "–"))
            continue
        got = data.parts(line.indicator, piece)
        whole = target_rules.value_throughout(lines, line.indicator, piece.end)
        text = comparison_text(line.indicator, got, whole, lang)
        if text is None:
            text = t("expected.hidden", lang) if got["suppressed"] else (
                t("expected.changed", lang) if whole is None else "–")
        rows.append(ExpectedRow(**facts, period=fmt_period(piece.end, lang),
                                value=figure_cell(got["value"], ind.measure, lang, hidden=bool(got["suppressed"])),
                                comparison=text))
    return Card(card_id, data.page, EXPECTED, t("expected.heading", lang), None, expected=tuple(rows),
                release=data.release)


def code_labels(code_list, lang: str, extra: dict | None = None) -> dict:
    """Return {code: label} for a code list, plus extra categories."""
    labels = {c: code_list.label(c, lang) for c in code_list.values}
    labels.update(extra or {})
    return labels


def parent_tables(table: str) -> tuple[str, ...]:
    """Return a breakdown table with the table of its parent cell (both decide where it exists)."""
    parent = catalogue.TABLES_BY_NAME[table].parent_cell
    return (table, parent[0]) if parent else (table,)


# --- the comparison of units (funnel plots) ---------------------------------------------------------------

FUNNEL = "funnel"
FUNNEL_READING = "funnel_reading"  # the sentence under a funnel on how to read it (`render.EXTRAS`)


def _funnel_notes(data: PageData, funnel, lang: str) -> list[str]:
    """Say which year, that only published figures are drawn, and which limits (and why)."""
    notes = [t("funnel.note.year", lang).format(year=fmt_period(funnel.year, lang)),
             t("funnel.note.rule", lang).format(k=funnel.k)]
    if funnel.own_unit_only:
        notes.append(t("funnel.note.own_unit", lang))
        return notes
    d = funnel.dispersion
    if d is None or d.phi is None:
        notes.append(t("funnel.note.too_few", lang).format(n=funnel_limits.MIN_UNITS))
    else:
        phi = fmt_number(round(d.phi, 2), lang, decimals=2)
        notes.append(t("funnel.note.overdispersed" if d.overdispersed else "funnel.note.not_overdispersed",
                       lang).format(phi=phi))
    notes.append(t("funnel.note.unknown_unit", lang))
    if data.view.unit and data.view.choose_unit:
        notes.append(t("funnel.note.chosen", lang).format(unit=UNITS.label(data.view.unit, lang)))
    return notes


def funnel_card(data: PageData, card_id: str, *, key: str, fetch: Callable) -> Card:
    """Return a card comparing units on one indicator in one year: a funnel plot and the table of every unit.

    `fetch(slice)` returns the indicator's `queries.monitor.funnel.Funnel` for the slice's year, read with the
    caller's access (a unit user's holds its own unit only). Units keep the code list's order, never a rank.
    """
    view, lang = data.view, data.lang
    ind = indicators.INDICATORS[key]
    title = t("funnel.title", lang).format(indicator=t(f"ind.{key}", lang))
    piece = view.slice_for(ind.tables, units=True)
    if piece is None or piece.period_type != "year":
        return _empty(data, card_id, FUNNEL, title, key)
    funnel = fetch(piece)
    notes = _funnel_notes(data, funnel, lang)
    scopes = [*funnel.points["scope"], NATIONAL]
    notes.append(_revised_note(data, ind.tables, scopes, piece))
    if funnel.national is None:
        return Card(card_id, data.page, FUNNEL, title, key, (piece.period,), fmt_period(piece.period, lang),
                    _notes([*notes[:1], t("funnel.note.national_hidden", lang)]), funnel.points,
                    release=data.release)
    if funnel.drawn.empty:  # no curve without a point: its range would rest on nothing the caller may see
        return Card(card_id, data.page, FUNNEL, title, key, (piece.period,), fmt_period(piece.period, lang),
                    _notes([*notes, t("funnel.note.none_drawn", lang)]), funnel.points, release=data.release)
    where = positions(funnel)
    rows, points = [], []
    for row, pos in zip(indicators.records(funnel.points), where):
        label = UNITS.label(row["scope"], lang)
        rate = figure_cell(row["value"], "percent", lang, hidden=bool(row["suppressed"]))
        if row["status"] == DRAWN:
            text = f"{label}: {rate.text} ({fmt_number(row['numerator'], lang)}/{fmt_number(row['denominator'], lang)})"
            points.append({"unit": row["scope"], "code": row["scope"], "n": float(row["denominator"]),
                           "rate": 100.0 * float(row["rate"]), "text": text})
            lies = t(f"funnel.pos.{pos}", lang)
        else:
            lies = t(f"funnel.pos.{row['status']}", lang).format(k=funnel.k)
        rows.append([Cell(label), figure_cell(row["denominator"], "count", lang,
                                              hidden=bool(row["denominator_suppressed"])), rate, Cell(lies)])
    national = 100.0 * funnel.national
    national_share = figure_cell(float(int(national + 0.5)), "percent", lang)  # whole percent, as published shares
    rows.append([Cell(t("funnel.national", lang)), figure_cell(funnel.national_denominator, "count", lang),
                 national_share, Cell("")])
    limits = {name: tuple(100.0 * side for side in sides) for name, sides in funnel.limits(funnel.sizes).items()}
    figure = figures.funnel_plot(points, funnel.sizes, limits, national_share.value, lang=lang,
                                 chosen=view.unit if view.choose_unit else None)
    table = Table(t("table.caption", lang), [t("funnel.unit", lang), t("funnel.clients", lang),
                                             t("funnel.rate", lang), t("funnel.position", lang)], rows)
    return Card(card_id, data.page, FUNNEL, title, key, (piece.period,), fmt_period(piece.period, lang),
                _notes(notes), funnel.points, figure, table, t("alt.funnel", lang), FUNNEL_READING,
                release=data.release)
