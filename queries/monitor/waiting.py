"""Query functions for waiting and throughput: waiting times, throughput per product, sessions, counsellors."""
from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from queries.store import codes
from queries.store.codes import TOTAL
from queries.catalogue import indicators
from queries.accounts.access import Access


def waiting_times(engine: sa.Engine, access: Access, *, scopes: list[str], period_type: str,
                  start: str | None = None, end: str | None = None) -> pd.DataFrame:
    """Return the median and 80th percentile of days from registration to first intake per period."""
    return indicators.trends(engine, access, ["waiting_median", "waiting_p80"], scopes=scopes,
                             period_type=period_type, start=start, end=end)


def waiting_within_14(engine: sa.Engine, access: Access, *, scopes: list[str], period_type: str,
                      start: str | None = None, end: str | None = None) -> pd.DataFrame:
    """Return the share of the first intakes in each period that came within 14 days of registration."""
    return indicators.trends(engine, access, ["waiting_within_14"], scopes=scopes, period_type=period_type,
                             start=start, end=end)


def throughput_by_product(engine: sa.Engine, access: Access, *, scopes: list[str], period_type: str,
                          period: str) -> pd.DataFrame:
    """Return the median days from registration to closure, overall and per product, for one period."""
    tables = {TOTAL: f"throughput_days:{TOTAL}", **{p: f"throughput_days:{p}" for p in codes.PRODUCTS.values}}
    return indicators.measures(engine, access, tables, scopes=scopes, period_type=period_type, period=period)


def sessions_per_trajectory(engine: sa.Engine, access: Access, *, scopes: list[str], period_type: str,
                            start: str | None = None, end: str | None = None) -> pd.DataFrame:
    """Return the mean and median number of sessions of the trajectories closed per period."""
    return indicators.trends(engine, access, ["sessions_mean", "sessions_median"], scopes=scopes,
                             period_type=period_type, start=start, end=end)


def pg_without_evaluation(engine: sa.Engine, access: Access, *, scopes: list[str], period_type: str,
                          start: str | None = None, end: str | None = None) -> pd.DataFrame:
    """Return the share of process-guidance trajectories without a due evaluation moment per period."""
    return indicators.trends(engine, access, ["pg_without_evaluation"], scopes=scopes, period_type=period_type,
                             start=start, end=end)


def counsellor_changes(engine: sa.Engine, access: Access, *, scopes: list[str], period_type: str,
                       period: str) -> pd.DataFrame:
    """Return one period's closed trajectories by number of counsellor changes, with shares."""
    return indicators.shares(engine, access, "closures_by_counsellor_changes", scopes=scopes,
                             period_type=period_type, period=period)
