"""The monitor's controls and their URL state: period granularity, period range and (programme) unit.

The URL's query string is the one source of a page's state (`?periode=quarter&van=2013-Q1&tot=2014-Q1
&eenheid=NN`), so a view can be shared. The controls are a plain HTML form that the browser submits
with GET to the page itself: native selects and a button, accessible by keyboard and screen reader,
with no script of its own; the page router then lays the page out from the new query string
(`view_from`). The unit comes from the URL only for callers who see every unit; a unit user's scope
is its own unit, whatever the URL says.

Units' figures exist per quarter and year (breakdowns per year only): `View.slice_for` picks,
per figure, the finest period type that is published for the scope, and says when it fell back.
"""
from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass, field

from dash import html

from dashboard.ui import widgets
from dashboard.ui.texts import fmt_period, t
from queries.catalogue import indicators
from queries.store import periods
from queries.accounts.access import NATIONAL, Access
from queries.store.codes import UNITS

KEYS = {"period_type": "periode", "start": "van", "end": "tot", "unit": "eenheid"}
DEFAULT_SPAN = {"month": 12, "quarter": 8, "year": 6}
FORMATS = {
    "month": re.compile(r"\d{4}-(0[1-9]|1[0-2])"),
    "quarter": re.compile(r"\d{4}-Q[1-4]"),
    "year": re.compile(r"\d{4}"),
}


def period_type_of(key) -> str | None:
    """Return the period type of a period key (2014-03, 2014-Q1, 2014), or None when it is none."""
    if isinstance(key, str):
        for period_type, pattern in FORMATS.items():
            if pattern.fullmatch(key):
                return period_type
    return None


def convert(key: str, to: str, *, last: bool = False) -> str:
    """Return the period of another type that holds a period's first (or last) month."""
    first_month, last_month = periods.months_in(key, period_type_of(key))
    month = last_month if last else first_month
    return {"month": month, "quarter": periods.quarter_of(month), "year": periods.year_of(month)}[to]


@dataclass(frozen=True)
class Slice:
    """What one figure shows: the period type and range it is read at, and the range's last period."""

    period_type: str
    start: str
    end: str
    fell_back: bool

    @property
    def period(self) -> str:
        """Return the period a one-period breakdown shows: the range's last."""
        return self.end


@dataclass(frozen=True)
class View:
    """A page's state: requested granularity and range, and the scope (derived from the caller's access)."""

    period_type: str
    start: str
    end: str
    unit: str | None
    choose_unit: bool
    available: dict[str, list[str]] = field(compare=False, repr=False)

    @property
    def scope(self) -> str:
        """Return the scope the figures are about: the unit, or the national figures."""
        return self.unit or NATIONAL

    @property
    def scopes(self) -> list[str]:
        """Return the scopes read: the unit with the national benchmark, or the national figures."""
        return [self.unit, NATIONAL] if self.unit else [NATIONAL]

    def slice_for(self, tables: tuple[str, ...], *, national: bool = False, units: bool = False) -> Slice | None:
        """Return the period slice for figures from some tables, falling back to a coarser period type
        where the scope has no figures at the requested one; None when there is nothing to show.

        `national`: the figure is national only; `units`: it compares units, so it needs what units have.
        """
        scope = "unit" if units else NATIONAL if national else self.scope
        types = indicators.period_types_for(tables, scope)
        wanted = periods.PERIOD_TYPES.index(self.period_type)
        choice = next((pt for pt in periods.PERIOD_TYPES[wanted:] if pt in types), None)
        if choice is None:
            return None
        av = self.available.get(choice, [])
        start = convert(self.start, choice)
        end = convert(self.end, choice, last=True)
        inside = [p for p in av if start <= p <= end]
        if not inside:
            earlier = [p for p in av if p <= end]
            if not earlier:
                return None
            inside = earlier[-1:]
        return Slice(choice, inside[0], inside[-1], choice != self.period_type)


def _snap(value, options: list[str], *, last: bool) -> str | None:
    if value in options:
        return value
    kind = period_type_of(value)
    if not options or kind is None:
        return None
    wanted = period_type_of(options[0])
    if kind != wanted:
        value = convert(value, wanted, last=last)
        if value in options:
            return value
    # A key of another period type or outside the data: the nearest published period.
    if last:
        before = [p for p in options if p <= value]
        return before[-1] if before else options[0]
    after = [p for p in options if p >= value]
    return after[0] if after else options[-1]


def view_from(query: dict, access: Access, available: dict[str, list[str]]) -> View | None:
    """Return the page state from the URL's query keys for a caller; None when nothing is published."""
    requested = query.get(KEYS["period_type"])
    default_type = "quarter" if access.role == "unit" else "month"
    period_type = requested if requested in periods.PERIOD_TYPES else default_type
    options = available.get(period_type) or []
    if not options:
        return None
    start = _snap(query.get(KEYS["start"]), options, last=False)
    end = _snap(query.get(KEYS["end"]), options, last=True)
    if end is None:
        end = options[-1]
    if start is None:
        start = options[max(0, options.index(end) - DEFAULT_SPAN[period_type] + 1)]
    if start > end:
        start, end = end, start
    if access.sees_all_units:
        unit = query.get(KEYS["unit"])
        unit = unit if isinstance(unit, str) and unit in UNITS else None
    else:
        unit = access.unit  # a unit user: always and only its own unit
    return View(period_type, start, end, unit, access.sees_all_units, available)


def search_of(view: View) -> str:
    """Return the query string that gives a view (for links between pages)."""
    query = {KEYS["period_type"]: view.period_type, KEYS["start"]: view.start, KEYS["end"]: view.end}
    if view.unit and view.choose_unit:
        query[KEYS["unit"]] = view.unit
    return "?" + urllib.parse.urlencode(query)


# --- the controls -------------------------------------------------------------------------------

def _select(select_id: str, name: str, label: str, options: list[tuple[str, str]], value: str | None) -> html.Div:
    # One component with its options as data: a month range has some 170 options per select.
    return html.Div([html.Label(label, htmlFor=select_id),
                     widgets.Select(id=select_id, name=name, options=options, value=value)], className="control")


def controls(prefix: str, path: str, view: View, lang: str) -> html.Form:
    """Return the period granularity, range and (for programme managers only) unit controls as a GET form."""
    periods_ = [(p, fmt_period(p, lang)) for p in view.available.get(view.period_type, [])]
    parts = [
        _select(f"{prefix}-period-type", KEYS["period_type"], t("control.period_type", lang),
                [(p, t(f"period.{p}", lang)) for p in periods.PERIOD_TYPES], view.period_type),
        _select(f"{prefix}-start", KEYS["start"], t("control.start", lang), periods_, view.start),
        _select(f"{prefix}-end", KEYS["end"], t("control.end", lang), periods_, view.end),
    ]
    if view.choose_unit:
        units = [("", t("scope.national", lang))] + [(u, UNITS.label(u, lang)) for u in UNITS.values]
        parts.append(_select(f"{prefix}-unit", KEYS["unit"], t("control.unit", lang), units, view.unit or ""))
    else:
        parts.append(html.P([t("control.own_unit", lang), " ", html.Strong(UNITS.label(view.unit, lang))],
                            className="control scope-note"))
    parts.append(html.Button(t("control.apply", lang), type="submit", className="button apply",
                             id=f"{prefix}-apply"))
    return html.Form(parts, method="get", action=path, className="controls", id=f"{prefix}-controls",
                     **{"aria-label": t("control.label", lang)})
