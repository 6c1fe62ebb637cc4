"""Information loss: which figures users lose to secondary suppression, per indicator and level.

The plain rule hides a figure only where fewer than k clients underlie it; every figure hidden
although at least k clients underlie it is the price of keeping the hidden ones from being worked
out. Measured at refresh time (true counts exist only there) and kept with the release.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from queries.accounts.access import NATIONAL
from queries.store.codes import TOTAL
from queries.catalogue.declarations import COUNT, INDICATORS, MEASURE, count_cells

LEVELS = (("national", "month"), ("national", "quarter"), ("national", "year"), ("unit", "quarter"), ("unit", "year"))
WHERE = ["scope", "period_type", "period"]


def _parts(key: str, statistics: dict) -> list[tuple[str, str]]:
    """Return the count cells a figure of an indicator rests on (for a statistic: the count of its clients)."""
    ind = INDICATORS[key]
    if ind.kind == MEASURE:
        measure = statistics[ind.table]
        return [measure.count_cell(ind.categories[0] if measure.by else TOTAL)]
    return count_cells(key)


def _figures(key: str, counts: pd.DataFrame, measures: pd.DataFrame, k: int, statistics: dict) -> pd.DataFrame:
    """Return per scope and period of one indicator: shown under the plain rule, hidden now, hidden by the rule."""
    ind = INDICATORS[key]
    parts = _parts(key, statistics)
    frames = []
    for i, (table, category) in enumerate(parts):
        cell = counts[(counts["table_name"] == table) & (counts["category"] == category)]
        # A rate or statistic over no clients at all is not a figure anyone loses.
        empty = (cell["n"] == 0).to_numpy() & (ind.kind != COUNT) & (i == len(parts) - 1)
        frames.append(cell[WHERE].assign(small=cell["n"].between(1, k - 1).to_numpy(), empty=empty,
                                         hidden=cell["suppressed"].to_numpy(dtype=bool)))
    figures = pd.concat(frames, ignore_index=True).groupby(WHERE, as_index=False).agg(
        small=("small", "any"), empty=("empty", "any"), hidden=("hidden", "any"))
    figures = figures[~figures["empty"]].drop(columns="empty")
    if ind.kind == MEASURE:
        # A statistic is shown exactly where k clients have a value, whatever its count cell shows.
        stat = measures[(measures["table_name"] == ind.table) & (measures["category"] == ind.categories[0])]
        figures = figures.drop(columns="hidden").merge(stat[WHERE].assign(hidden=stat["suppressed"].to_numpy(dtype=bool)),
                                                       on=WHERE)
    return figures


def information_loss(counts: pd.DataFrame, measures: pd.DataFrame, k: int, tables: dict,
                     statistics: dict) -> pd.DataFrame:
    """Return per indicator and level: figures, hidden by the rule, hidden as partners although n >= k, and that share.

    `counts` are count cells with their true n and status, `measures` the statistics as
    published; `tables` and `statistics` are the catalogue's count and statistic tables.
    """
    rows = []
    for key, ind in INDICATORS.items():
        if ind.table not in tables and ind.table not in statistics:
            continue  # public figures (website visits) are never hidden
        figures = _figures(key, counts, measures, k, statistics)
        national = figures["scope"] == NATIONAL
        for scope, level in LEVELS:
            part = figures[(national if scope == "national" else ~national) & (figures["period_type"] == level)]
            if part.empty:
                continue
            plain = ~part["small"]
            lost = int((part["hidden"] & plain).sum())
            rows.append({"indicator": key, "scope": scope, "level": level, "figures": len(part),
                         "hidden_by_rule": int(part["small"].sum()), "shown_by_plain_rule": int(plain.sum()),
                         "lost": lost, "lost_share": lost / int(plain.sum()) if plain.any() else 0.0})
    return pd.DataFrame(rows)


def cells_lost(counts: pd.DataFrame, k: int, tables: dict) -> dict[str, float]:
    """Return the overall figures: share of count cells hidden by the rule, and hidden as partners (n >= k)."""
    n = counts["n"].to_numpy()
    hidden = counts["suppressed"].to_numpy(dtype=bool)
    small = (n >= 1) & (n < k)
    unit_year = (counts["scope"] != NATIONAL).to_numpy() & (counts["period_type"] == "year").to_numpy() \
        & counts["table_name"].map(lambda t: tables[t].column is not None).to_numpy()
    big = n >= k
    return {"cells": len(n), "hidden_by_rule": float(small.mean()), "hidden_as_partner": float((hidden & ~small).mean()),
            "unit_year_breakdown_lost": float((hidden & big & unit_year).sum() / max((big & unit_year).sum(), 1))}


def as_records(losses: pd.DataFrame) -> list[dict]:
    """Return the loss table as plain records (kept with the release, shown on the definitions page)."""
    return [{k: (float(v) if isinstance(v, np.floating) else int(v) if isinstance(v, np.integer) else v)
             for k, v in row.items()} for row in losses.to_dict("records")]

