"""The published catalogue: every protected table, built once per data refresh and stored.

Pages, exports and the API read only from `published_cells`; nothing else ever hands a figure
to a user. Building it is the single place where true counts exist outside the store.
"""
from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
import sqlalchemy as sa

from queries import periods
from queries.access import NATIONAL
from queries.codes import UNITS
from queries.privacy import Policy
from queries.schema import CatalogueRefresh, PublishedCell, Registration

TOTAL = "_total"


@dataclass(frozen=True)
class CountTable:
    """A published table of counts: one population broken down by one category column."""

    name: str
    population: str
    column: str | None = None
    codes: tuple[str, ...] = (TOTAL,)


COUNT_TABLES: tuple[CountTable, ...] = (
    CountTable("registrations", "registrations"),
)


def _month_expr(column, dialect: str):
    if dialect == "postgresql":
        return sa.func.to_char(column, "YYYY-MM")
    return sa.func.strftime("%Y-%m", column)


def _registration_rows(conn: sa.Connection) -> pd.DataFrame:
    month = _month_expr(Registration.registered_on, conn.dialect.name).label("month")
    query = sa.select(month, Registration.unit_code.label("unit"))
    return pd.read_sql(query, conn)


def _cube(rows: pd.DataFrame, table: CountTable, months: list[str]) -> pd.DataFrame:
    """Count rows per unit, month and category, with every combination present (zeros too)."""
    category = rows[table.column] if table.column else pd.Series(TOTAL, index=rows.index)
    counts = rows.assign(category=category).groupby(["unit", "month", "category"]).size()
    full = pd.MultiIndex.from_product([UNITS.values, months, list(table.codes)], names=counts.index.names)
    return counts.reindex(full, fill_value=0).rename("n").reset_index()


def _expand(cube: pd.DataFrame, spans: dict[str, list[str]]) -> pd.DataFrame:
    """Add the national scope and the quarter and year levels to a unit x month cube."""
    national = cube.groupby(["month", "category"], as_index=False)["n"].sum().assign(unit=NATIONAL)
    both = pd.concat([cube, national], ignore_index=True).rename(columns={"unit": "scope"})
    frames = [both.rename(columns={"month": "period"}).assign(period_type="month")]
    for level, key in (("quarter", periods.quarter_of), ("year", periods.year_of)):
        up = both.assign(period=both["month"].map(key))
        up = up[up["period"].isin(spans[level])]
        frames.append(up.groupby(["scope", "period", "category"], as_index=False)["n"].sum().assign(period_type=level))
    return pd.concat(frames, ignore_index=True)[["scope", "period_type", "period", "category", "n"]]


def build_counts(conn: sa.Connection, last_month: str) -> pd.DataFrame:
    """Return the true counts of every count table (never leaves this module unprotected)."""
    spans = periods.complete_periods(periods.FIRST_MONTH, last_month)
    rows = _registration_rows(conn)
    rows = rows[rows["month"] <= last_month]
    frames = []
    for table in COUNT_TABLES:
        cells = _expand(_cube(rows, table, spans["month"]), spans)
        frames.append(cells.assign(table_name=table.name))
    return pd.concat(frames, ignore_index=True)


def protect(cells: pd.DataFrame, policy: Policy) -> pd.DataFrame:
    """Apply the minimum-count rule and rounding to true counts; return value and suppressed."""
    n = cells["n"].to_numpy()
    suppressed = policy.is_primary(n)
    value = policy.round(n).astype(float)
    if policy.exact_national_total:
        exact = ((cells["scope"] == NATIONAL) & (cells["category"] == TOTAL)).to_numpy()
        value = np.where(exact, n, value)
    value = np.where(suppressed, np.nan, value)
    return cells.drop(columns="n").assign(value=value, suppressed=suppressed)


def refresh(engine: sa.Engine, policy: Policy, *, today: dt.date | None = None) -> CatalogueRefresh:
    """Rebuild the whole published catalogue from the store in one transaction."""
    started = time.perf_counter()
    last_month = periods.last_complete_month(today or dt.date.today())
    with engine.begin() as conn:
        counts = build_counts(conn, last_month)
        primary = int(policy.is_primary(counts["n"].to_numpy()).sum())
        published = protect(counts, policy)
        conn.execute(sa.delete(PublishedCell))
        records = published.replace({np.nan: None}).to_dict("records")
        for start in range(0, len(records), 50_000):
            conn.execute(sa.insert(PublishedCell), records[start:start + 50_000])
        run = dict(
            refreshed_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
            data_until=last_month,
            policy=json.dumps(asdict(policy)),
            cells=len(published),
            primary_suppressed=primary,
            secondary_suppressed=int(published["suppressed"].sum()) - primary,
            seconds=round(time.perf_counter() - started, 3),
        )
        conn.execute(sa.insert(CatalogueRefresh), run)
    return CatalogueRefresh(**run)


def latest_refresh(conn: sa.Connection) -> CatalogueRefresh | None:
    """Return the newest catalogue refresh, or None when the catalogue was never built."""
    row = conn.execute(sa.select(CatalogueRefresh.__table__).order_by(CatalogueRefresh.id.desc()).limit(1)).first()
    return CatalogueRefresh(**row._mapping) if row else None


def read_cells(conn: sa.Connection, table_name: str, period_type: str, scopes: list[str]) -> pd.DataFrame:
    """Return the protected cells of one table for some scopes, in period order."""
    c = PublishedCell.__table__.c
    query = (
        sa.select(c.scope, c.period, c.category, c.value, c.suppressed)
        .where(c.table_name == table_name, c.period_type == period_type, c.scope.in_(scopes))
        .order_by(c.scope, c.period, c.category)
    )
    return pd.read_sql(query, conn)
