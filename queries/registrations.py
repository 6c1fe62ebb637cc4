"""Query functions for registration figures: (access, filters) in, protected frame out."""
from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from queries import catalogue, periods
from queries.access import NATIONAL, Access


def registrations_over_time(
    engine: sa.Engine, access: Access, *, scope: str = NATIONAL, period_type: str = "month",
    start: str | None = None, end: str | None = None,
) -> pd.DataFrame:
    """Return protected registration totals per period for one scope the caller may see."""
    access.check(scope)
    if period_type not in periods.PERIOD_TYPES:
        raise ValueError(f"unknown period type {period_type!r}")
    with engine.connect() as conn:
        cells = catalogue.read_cells(conn, "registrations", period_type, [scope])
    if start:
        cells = cells[cells["period"] >= start]
    if end:
        cells = cells[cells["period"] <= end]
    return cells[["period", "value", "suppressed"]].reset_index(drop=True)
