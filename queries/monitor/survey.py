"""Query functions for the client survey: response rate, grades, goals, work resumed, aspect ratings, and
whether the respondents look like the closed trajectories they speak for."""
from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from queries.catalogue import indicators
from queries.accounts.access import Access
from queries.catalogue.layout import UNKNOWN
from queries.catalogue.indicators import ASPECTS


def response_rate(engine: sa.Engine, access: Access, *, scopes: list[str], period_type: str,
                  start: str | None = None, end: str | None = None) -> pd.DataFrame:
    """Return survey responses as a share of closed trajectories, per period."""
    return indicators.trends(engine, access, ["response_rate"], scopes=scopes, period_type=period_type,
                             start=start, end=end)


def mean_grade(engine: sa.Engine, access: Access, *, scopes: list[str], period_type: str,
               start: str | None = None, end: str | None = None) -> pd.DataFrame:
    """Return the mean grade (1-10) the clients gave, per period."""
    return indicators.trends(engine, access, ["grade_mean"], scopes=scopes, period_type=period_type,
                             start=start, end=end)


def survey_shares(engine: sa.Engine, access: Access, *, scopes: list[str], period_type: str,
                  start: str | None = None, end: str | None = None) -> pd.DataFrame:
    """Return the shares grading 7 or higher, goals reached, expectations met and work resumed, per period."""
    keys = ["grade_7plus", "goals_reached", "expectations_met", "work_resumed"]
    return indicators.trends(engine, access, keys, scopes=scopes, period_type=period_type, start=start, end=end)


def goals_reached(engine: sa.Engine, access: Access, *, scopes: list[str], period_type: str,
                  period: str) -> pd.DataFrame:
    """Return one period's survey answers on whether the goals were reached, with shares."""
    return indicators.shares(engine, access, "surveys_by_goals", scopes=scopes, period_type=period_type,
                             period=period)


def aspect_ratings(engine: sa.Engine, access: Access, *, scopes: list[str], period_type: str,
                   period: str) -> pd.DataFrame:
    """Return one period's mean rating per aspect (reachability, waiting time, expertise, treatment)."""
    tables = {a: f"survey_rating_{a}:mean" for a in ASPECTS}
    return indicators.measures(engine, access, tables, scopes=scopes, period_type=period_type, period=period)


def respondents_and_closures(engine: sa.Engine, access: Access, *, dimension: str, scopes: list[str],
                             period_type: str, period: str) -> pd.DataFrame:
    """Return one year's respondents (series respondents) and closed trajectories (series closures) by product
    or target group, each as shares of its own total: whether those who answered look like those they speak for."""
    frames = [indicators.shares(engine, access, f"{population}_by_{dimension}", scopes=scopes,
                                period_type=period_type, period=period).assign(series=population)
              for population in ("surveys", "closures")]
    return pd.concat(frames, ignore_index=True)


def response_by_product(engine: sa.Engine, access: Access, *, scopes: list[str], period_type: str,
                        period: str) -> pd.DataFrame:
    """Return one year's survey responses per product as a share of that product's closed trajectories."""
    found = indicators.shares(engine, access, "surveys_by_product", scopes=scopes, period_type=period_type,
                              period=period, of="closures_by_product")
    return found[found["category"] != UNKNOWN].reset_index(drop=True)
