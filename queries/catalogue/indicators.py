"""The monitor's indicators, read from the protected catalogue and derived only from protected figures.

Every figure on the monitor pages is a published cell, read through `queries.catalogue.reader`:
counts as published (rounded; hidden ones are NaN and `suppressed`), statistics as published,
and percentages computed here from two *published* counts (numerator and denominator both
shown, whole percent). A percentage with a hidden part is hidden too. Nothing here reads the
registration tables; the `units` table is read only for the public headcounts.

Tidy frames throughout: one row per (indicator or category, scope, period) with `value` (NaN
when not shown) and `suppressed` (shown as the symbol *). `value` NaN with `suppressed` False
means there is nothing to show (no clients at all, e.g. a rate over zero registrations).
"""
from __future__ import annotations

import functools
import json

import numpy as np
import pandas as pd
import sqlalchemy as sa

from queries.catalogue import layout, reader
from queries.store import periods
from queries.accounts.access import NATIONAL, Access
from queries.catalogue.declarations import (  # noqa: F401  (the declarations, read through this module)
    ASPECTS, CLOSURES, COUNT, EXTERNAL, INDICATORS, INTAKES, MEASURE, PERCENT, REGISTRATIONS, Indicator,
)
from queries.store.codes import ANONYMITY_REASONS
from queries.store.schema import Unit

CELL_COLUMNS = list(reader.CELL_FIELDS)
TREND_COLUMNS = ["indicator", "scope", "period", "value", "suppressed"]
# Not a catalogue cell: registrations per 1,000 staff (headcount from the public `units` table).
REACH = "reach_per_1000"


# --- which cells exist ------------------------------------------------------------------------

@functools.cache  # the catalogue's layout is fixed; pages ask for it hundreds of times per render
def scope_period_types(table: str, national: bool = False) -> tuple[str, ...]:
    """Return the period types a catalogue table's cells are published for, nationally or for a unit."""
    if table in layout.PUBLIC_TABLES:
        return periods.PERIOD_TYPES if national else ()
    if table in layout.MEASURES_BY_NAME:
        measure = layout.MEASURES_BY_NAME[table]
        types = scope_period_types(measure.counted_by[0], national)
        if measure.by_table:
            types = tuple(t for t in types if t in scope_period_types(measure.by_table, national))
        return types
    probe = pd.DataFrame({"scope": NATIONAL if national else "unit", "period_type": list(periods.PERIOD_TYPES)})
    published = layout.published_for(probe, layout.TABLES_BY_NAME[table])
    return tuple(probe.loc[published.to_numpy(), "period_type"])


def period_types_for(tables: tuple[str, ...], scope: str) -> tuple[str, ...]:
    """Return the period types every one of some tables is published for in a scope."""
    national = scope == NATIONAL
    return tuple(t for t in periods.PERIOD_TYPES if all(t in scope_period_types(name, national) for name in tables))


def published_periods(engine: sa.Engine, access: Access) -> dict[str, list[str]]:
    """Return the published periods per period type (national registrations define the fixed periods)."""
    access.check(NATIONAL)
    with engine.connect() as conn:
        return {pt: reader.periods_of(conn, "registrations", pt, NATIONAL) for pt in periods.PERIOD_TYPES}


# --- reading ----------------------------------------------------------------------------------

def _cells(conn: sa.Connection, access: Access, table: str, period_type: str, scopes: list[str], *,
           start: str | None = None, end: str | None = None) -> list[tuple]:
    """Return (scope, period, category, value, hidden) of one table's protected cells; a hidden value is NaN."""
    if period_type not in periods.PERIOD_TYPES:
        raise ValueError(f"unknown period type {period_type!r}")
    for scope in scopes:
        access.check(scope)
    out = []
    for scope, period, category, value, suppressed in reader.cell_rows(conn, table, period_type, list(scopes),
                                                                          start=start, end=end):
        hidden = bool(suppressed) or value is None
        out.append((scope, period, category, np.nan if hidden else float(value), hidden))
    return out


def _frame(rows: list[tuple], columns: list[str], kinds: dict[str, type]) -> pd.DataFrame:
    # Built column-wise once: small frames cost more in pandas' per-operation overhead than in data. Text
    # columns as Python strings (object), not pandas' Arrow strings, which take twice as long to build and read.
    values = list(zip(*rows)) or [()] * len(columns)
    return pd.DataFrame({name: np.array(col, dtype=kinds.get(name, object)) for name, col in zip(columns, values)})


def records(df: pd.DataFrame) -> list[dict]:
    """Return a small frame's rows as dicts (pandas' own to_dict costs ~10x more on a dozen rows)."""
    columns = list(df.columns)
    return [dict(zip(columns, values)) for values in zip(*(df[c].tolist() for c in columns))]


def read(conn: sa.Connection, access: Access, table: str, period_type: str, scopes: list[str], *,
         start: str | None = None, end: str | None = None) -> pd.DataFrame:
    """Return the protected cells of one table for scopes the caller may see, within a period range."""
    rows = _cells(conn, access, table, period_type, scopes, start=start, end=end)
    return _frame(rows, CELL_COLUMNS, {"value": float, "suppressed": bool})


def _summed(rows: list[tuple], categories: tuple[str, ...]) -> dict[tuple[str, str], tuple[float, bool]]:
    """Add up some categories per (scope, period), in the cells' order; hidden when any part is hidden or missing."""
    wanted = set(categories)
    parts: dict[tuple[str, str], list] = {}
    for scope, period, category, value, hidden in rows:
        if category in wanted:
            parts.setdefault((scope, period), []).append((value, hidden))
    out = {}
    for key, found in parts.items():
        hidden = len(found) != len(categories) or any(h for _, h in found)
        out[key] = (np.nan if hidden else float(sum(v for v, _ in found)), hidden)
    return out


def percentages(numerator, numerator_hidden, denominator, denominator_hidden) -> tuple[np.ndarray, np.ndarray]:
    """Return whole percentages of two published counts, and which are not shown (either part hidden)."""
    num = np.asarray(numerator, dtype=float)
    den = np.asarray(denominator, dtype=float)
    hidden = np.asarray(numerator_hidden, dtype=bool) | np.asarray(denominator_hidden, dtype=bool)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.floor(100.0 * num / den + 0.5)
    ok = ~hidden & (den > 0) & ~np.isnan(num)
    return np.where(ok, np.clip(share, 0, 100), np.nan), hidden


def _ratio(conn: sa.Connection, access: Access, ind: Indicator, scopes: list[str], period_type: str,
           start: str | None, end: str | None) -> list[tuple]:
    """Return (scope, period, numerator, its hidden, denominator, its hidden) per published denominator cell."""
    num = _summed(_cells(conn, access, ind.table, period_type, scopes, start=start, end=end), ind.categories)
    unknown = (np.nan, True)  # a missing numerator cell: unknown
    return [(scope, period, *num.get((scope, period), unknown), value, hidden)
            for scope, period, category, value, hidden in _cells(conn, access, ind.of[0], period_type, scopes,
                                                                 start=start, end=end)
            if category == ind.of[1]]


def _trend(conn: sa.Connection, access: Access, key: str, scopes: list[str], period_type: str,
           start: str | None, end: str | None) -> list[tuple]:
    """Return (indicator, scope, period, value, hidden) of one indicator, in scope and period order."""
    ind = INDICATORS[key]
    if ind.kind != PERCENT:
        num = _summed(_cells(conn, access, ind.table, period_type, scopes, start=start, end=end), ind.categories)
        return [(key, scope, period, value, hidden) for (scope, period), (value, hidden) in num.items()]
    rows = _ratio(conn, access, ind, scopes, period_type, start, end)
    if not rows:
        return []
    value, hidden = percentages(*zip(*[r[2:] for r in rows]))
    if ind.complement:
        value = 100.0 - value
    return [(key, r[0], r[1], float(v), bool(h)) for r, v, h in zip(rows, value, hidden)]


TREND_KINDS = {"value": float, "suppressed": bool}
PART_COLUMNS = ["indicator", "scope", "period", "value", "suppressed", "numerator", "numerator_suppressed",
                "denominator", "denominator_suppressed"]


def with_parts(engine: sa.Engine, access: Access, indicator: str, *, scopes: list[str], period_type: str,
               start: str | None = None, end: str | None = None) -> pd.DataFrame:
    """Return an indicator over time with the published counts a percentage rests on (numerator, denominator).

    The counts are the published (rounded, protected) cells the percentage is computed from; a
    complement's numerator is its denominator minus the published count of the rest. Other kinds
    have no parts (NaN).
    """
    ind = INDICATORS[indicator]
    with engine.connect() as conn:
        trend = _trend(conn, access, indicator, scopes, period_type, start, end)
        ratio = _ratio(conn, access, ind, scopes, period_type, start, end) if ind.kind == PERCENT else []
    parts = {}
    for scope, period, num, num_hidden, den, den_hidden in ratio:
        if ind.complement:
            num, num_hidden = den - num, num_hidden or den_hidden
        parts[scope, period] = (np.nan if num_hidden else num, num_hidden, np.nan if den_hidden else den, den_hidden)
    none = (np.nan, False, np.nan, False)  # not a percentage: no parts
    rows = [(*row, *parts.get(row[1:3], none)) for row in trend]
    return _frame(rows, PART_COLUMNS, {**TREND_KINDS, "numerator": float, "numerator_suppressed": bool,
                                       "denominator": float, "denominator_suppressed": bool})


def trends(engine: sa.Engine, access: Access, keys: list[str], *, scopes: list[str], period_type: str,
           start: str | None = None, end: str | None = None) -> pd.DataFrame:
    """Return indicators over time for some scopes: one row per indicator, scope and period."""
    with engine.connect() as conn:
        rows = [row for key in keys for row in _trend(conn, access, key, scopes, period_type, start, end)]
    return _frame(sorted(rows, key=lambda row: row[:3]), TREND_COLUMNS, TREND_KINDS)


def shares(engine: sa.Engine, access: Access, table: str, *, scopes: list[str], period_type: str,
           period: str, of: str | None = None) -> pd.DataFrame:
    """Return one period's counts of a breakdown table with each category's share of its parent cell.

    Columns: scope, period, category, count, count_suppressed, value (the share in whole percent),
    suppressed (the share is not shown). A table whose categories overlap (question types)
    has shares that add up to more than 100. `of`: a table whose same category is each share's
    denominator instead (a cross-table's cell as a share of its margin's, e.g. per product).
    """
    parent_table, parent_category = layout.TABLES_BY_NAME[table].parent_cell
    with engine.connect() as conn:
        cells = _cells(conn, access, table, period_type, scopes, start=period, end=period)
        below = _cells(conn, access, of or parent_table, period_type, scopes, start=period, end=period)
    parent = {(row[0], row[2]): row for row in below if of or row[2] == parent_category}
    order = {code: i for i, code in enumerate(layout.TABLES_BY_NAME[table].codes)}
    cells.sort(key=lambda row: (row[0], order.get(row[2], len(order))))
    missing = (None, None, None, np.nan, True)  # no parent cell: the share is unknown
    parents = [parent.get((row[0], row[2] if of else parent_category), missing) for row in cells]
    value, hidden = percentages([r[3] for r in cells], [r[4] for r in cells], [p[3] for p in parents],
                                [p[4] for p in parents])
    rows = [(*row[:3], row[3], row[4], share, bool(h)) for row, share, h in zip(cells, value, hidden)]
    return _frame(rows, ["scope", "period", "category", "count", "count_suppressed", "value", "suppressed"],
                  {"count": float, "count_suppressed": bool, "value": float, "suppressed": bool})


def measures(engine: sa.Engine, access: Access, tables: dict[str, str], *, scopes: list[str], period_type: str,
             period: str) -> pd.DataFrame:
    """Return one period's published statistics, one row per (label, scope): `tables` maps a label to
    `table:category` (e.g. {"crisis": "throughput_days:crisis"})."""
    rows = []
    with engine.connect() as conn:
        for label, spec in tables.items():
            table, _, category = spec.partition(":")
            cells = read(conn, access, table, period_type, scopes, start=period, end=period)
            cells = cells[cells["category"] == category]
            rows.append(cells.assign(category=label))
    return pd.concat(rows, ignore_index=True)[CELL_COLUMNS] if rows else pd.DataFrame(columns=CELL_COLUMNS)


def headcounts(conn: sa.Connection, scopes: list[str]) -> dict[str, float]:
    """Return the public headcount per scope (the national one is the sum over all units)."""
    rows = dict(conn.execute(sa.select(Unit.code, Unit.headcount).where(Unit.headcount.is_not(None))).all())
    out = {}
    for scope in scopes:
        value = sum(rows.values()) if scope == NATIONAL else rows.get(scope)
        if value:
            out[scope] = float(value)
    return out


def revised_periods(engine: sa.Engine, access: Access, *, scopes: list[str], period_type: str,
                    start: str | None = None, end: str | None = None) -> dict[str, list[str]]:
    """Return per table the periods in a range where a cell was revised after it was first published."""
    for scope in scopes:
        access.check(scope)
    found: dict[str, list[str]] = {}
    with engine.connect() as conn:
        for table, period in reader.revised_periods(conn, period_type, list(scopes), start=start, end=end):
            found.setdefault(table, []).append(period)
    return found


def information_loss(engine: sa.Engine) -> dict[str, dict[tuple[str, str], dict]]:
    """Return how often each indicator was hidden in the latest release, per (scope, level), as the refresh measured it."""
    try:
        with engine.connect() as conn:
            latest = reader.latest_refresh(conn)
    except sa.exc.SQLAlchemyError:
        return {}
    out: dict[str, dict] = {}
    for row in json.loads(latest.loss or "{}").get("indicators", []) if latest else []:
        out.setdefault(row["indicator"], {})[row["scope"], row["level"]] = row
    return out


# --- where each figure comes from (for the definitions page) -------------------------------------

SOURCES: dict[str, tuple[str, ...]] = {
    **{key: ind.tables for key, ind in INDICATORS.items()},
    REACH: ("registrations",),
    "registrations_by_unit": ("registrations",),
    **{f"share_{d}": (f"registrations_by_{d}", "registrations")
       for d in ("target_group", "product", "channel", "found_via", "question_type", "gender", "age_band")},
    "counsellor_changes": ("closures_by_counsellor_changes", "closures"),
    "referral_outcomes": ("closures_by_referral", "closures"),
    "anonymity_reasons": ("registrations_by_anonymity_reason", "registrations_by_anonymity"),
    "question_types_by_anonymity": ("registrations_by_question_type_yes", "registrations_by_question_type_no",
                                    "registrations_by_anonymity"),
    "target_groups_by_reason": (*(f"registrations_by_target_group_{r}" for r in ANONYMITY_REASONS.values),
                                "registrations_by_anonymity_reason"),
    "back_to_unit_by_product": ("closures_back_to_unit_by_product", "closures_by_product"),
    "respondents_by_product": ("surveys_by_product", "closures_by_product"),
    "respondents_by_target_group": ("surveys_by_target_group", "closures_by_target_group"),
    "response_by_product": ("surveys_by_product", "closures_by_product"),
    "goals_breakdown": ("surveys_by_goals", "surveys"),
    "aspect_ratings": tuple(f"survey_rating_{a}" for a in ASPECTS),
    "contacts_by_channel": ("contacts_by_channel", "contacts"),
    "throughput_median": ("throughput_days", "closures_by_product"),
}


def unit_availability(key: str) -> tuple[str, ...]:
    """Return the period types a figure exists for a unit (empty: national only)."""
    tables = SOURCES[key]
    return tuple(pt for pt in periods.PERIOD_TYPES if all(pt in scope_period_types(name) for name in tables))
