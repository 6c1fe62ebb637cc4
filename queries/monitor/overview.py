"""Query functions of the overview: the headline indicators over time, from protected figures only."""
from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from queries.catalogue import indicators
from queries.accounts.access import Access
from queries.catalogue.declarations import OVERVIEW

HEADLINE = OVERVIEW


def headline_trend(engine: sa.Engine, access: Access, *, indicator: str, scopes: list[str], period_type: str,
                   start: str | None = None, end: str | None = None) -> pd.DataFrame:
    """Return one headline indicator per period for some scopes the caller may see."""
    if indicator not in HEADLINE:
        raise ValueError(f"not a headline indicator: {indicator!r}")
    return indicators.trends(engine, access, [indicator], scopes=scopes, period_type=period_type, start=start, end=end)
