"""The typed table of a card: what the page's table view shows and what every export writes.

A cell carries the value as shown (rounded as its text), its measure and whether it is hidden, next
to the formatted text, so an export writes numbers as numbers without reading the text back.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from dashboard.ui.texts import fmt_period, fmt_value, t
from queries.catalogue.indicators import records

DECIMALS = {"count": 0, "percent": 0}  # every other measure is shown with one decimal (fmt_value)
UNITS = {"percent": "%", "days": "days"}  # the measures whose text carries a unit


@dataclass(frozen=True)
class Cell:
    """One cell as shown: its text; for a figure, the shown value (None: hidden or no value) and measure."""

    text: str
    value: float | None = None
    measure: str | None = None
    hidden: bool = False

    @property
    def decimals(self) -> int:
        """Return the number of decimals the value is shown with."""
        return DECIMALS.get(self.measure, 1) if self.measure else 0

    @property
    def unit(self) -> str | None:
        """Return the unit the text carries ("%" or "days"), or None."""
        return UNITS.get(self.measure) if self.measure else None


def figure_cell(value, measure: str, lang: str, *, hidden: bool = False) -> Cell:
    """Return the cell of a protected figure: * when hidden, – when there is none, else the value as shown."""
    shown = None if hidden or value is None or (isinstance(value, float) and math.isnan(value)) else value
    text = fmt_value(shown, measure, lang, suppressed=hidden)
    if shown is None:
        return Cell(text, None, measure, hidden)
    decimals = DECIMALS.get(measure, 1)
    return Cell(text, float(f"{float(shown):.{decimals}f}"), measure)


@dataclass(frozen=True)
class Table:
    """A card's table: column headings and rows of cells, the first cell of each row its label."""

    caption: str
    header: list[str]
    rows: list[list[Cell]]

    def texts(self) -> list[list[str]]:
        """Return the rows as the page shows them."""
        return [[c.text for c in row] for row in self.rows]


def text_table(caption: str, header: list[str], rows: list[list[str]]) -> Table:
    """Return a table of texts only."""
    return Table(caption, header, [[Cell(text) for text in row] for row in rows])


def period_table(df: pd.DataFrame, lang: str, measure: str = "count") -> Table:
    """Return the table of a one-series period chart: the same protected figures, one row per period."""
    rows = [[Cell(fmt_period(p, lang)), figure_cell(v, measure, lang, hidden=bool(s))]
            for p, v, s in zip(df["period"], df["value"], df["suppressed"])]
    return Table(t("table.caption", lang), [t("table.period", lang), t(f"measure.{measure}", lang)], rows)


def trend_table(df: pd.DataFrame, lang: str, *, series_labels: dict, measure: str) -> Table:
    """Return the table of a trend chart: one row per period, one column per series (column `series`)."""
    cells = {(k, p): (v, bool(s)) for k, p, v, s in zip(df["series"], df["period"], df["value"], df["suppressed"])}
    rows = []
    for period in sorted(set(df["period"])):
        row = [Cell(fmt_period(period, lang))]
        for key in series_labels:
            cell = cells.get((key, period))
            row.append(Cell("") if cell is None else figure_cell(cell[0], measure, lang, hidden=cell[1]))
        rows.append(row)
    return Table(t("table.caption", lang), [t("table.period", lang), *series_labels.values()], rows)


def category_table(df: pd.DataFrame, lang: str, *, category_labels: dict, scope_labels: dict, measure: str,
                   category_heading: str | None = None) -> Table:
    """Return the table of a category chart: one row per category, per scope the value (and count)."""
    present = set(df["scope"])
    scopes = [s for s in scope_labels if s in present]
    with_counts = "count" in df
    header = [category_heading or t("table.category", lang)]
    value_heading = t("table.share" if measure == "percent" else f"measure.{measure}", lang).lower()
    for scope in scopes:
        if with_counts:
            header += [f"{scope_labels[scope]}: {t('measure.count', lang).lower()}",
                       f"{scope_labels[scope]}: {value_heading}"]
        else:
            header.append(scope_labels[scope])
    cells = {}
    for cell in records(df):
        cells.setdefault((cell["category"], cell["scope"]), cell)  # the first row of a cell, as shown
    categories = set(df["category"])
    rows = []
    for category, label in category_labels.items():
        if category not in categories:
            continue
        row = [Cell(label)]
        for scope in scopes:
            cell = cells.get((category, scope))
            if cell is None:
                row += [Cell(""), Cell("")] if with_counts else [Cell("")]
                continue
            if with_counts:
                row.append(figure_cell(cell["count"], "count", lang, hidden=bool(cell["count_suppressed"])))
            row.append(figure_cell(cell["value"], measure, lang, hidden=bool(cell["suppressed"])))
        rows.append(row)
    return Table(t("table.caption", lang), header, rows)
