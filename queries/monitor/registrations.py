"""Query functions for registration figures: (access, filters) in, protected frame out."""
from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from queries.catalogue import indicators, reader
from queries.store import periods
from queries.accounts.access import NATIONAL, Access
from queries.store.codes import TOTAL, UNITS


def registrations_over_time(
    engine: sa.Engine, access: Access, *, scope: str = NATIONAL, period_type: str = "month",
    start: str | None = None, end: str | None = None,
) -> pd.DataFrame:
    """Return protected registration totals per period for one scope the caller may see."""
    access.check(scope)
    if period_type not in periods.PERIOD_TYPES:
        raise ValueError(f"unknown period type {period_type!r}")
    with engine.connect() as conn:
        cells = reader.read_cells(conn, "registrations", period_type, [scope], start=start, end=end)
    return cells[["period", "value", "suppressed"]].reset_index(drop=True)


# --- the registrations page ------------------------------------------------------------------------

DIMENSIONS = {
    "target_group": "registrations_by_target_group",
    "product": "registrations_by_product",
    "channel": "registrations_by_channel",
    "found_via": "registrations_by_found_via",
    "question_type": "registrations_by_question_type",
    "gender": "registrations_by_gender",
    "age_band": "registrations_by_age_band",
}


def registrations_trend(engine: sa.Engine, access: Access, *, scopes: list[str], period_type: str,
                        start: str | None = None, end: str | None = None) -> pd.DataFrame:
    """Return protected registration totals per period for some scopes the caller may see."""
    return indicators.trends(engine, access, ["registrations"], scopes=scopes, period_type=period_type,
                             start=start, end=end)


def registrations_by(engine: sa.Engine, access: Access, *, dimension: str, scopes: list[str], period_type: str,
                     period: str) -> pd.DataFrame:
    """Return one period's registrations broken down by one dimension (target group, product, ...), with shares."""
    return indicators.shares(engine, access, DIMENSIONS[dimension], scopes=scopes, period_type=period_type,
                             period=period)


def registrations_by_unit(engine: sa.Engine, access: Access, *, period_type: str, period: str) -> pd.DataFrame:
    """Return one period's registrations per unit with each unit's share of the national total (all units)."""
    scopes = [NATIONAL, *UNITS.values]
    with engine.connect() as conn:
        cells = indicators.read(conn, access, "registrations", period_type, scopes, start=period, end=period)
    cells = cells[cells["category"] == TOTAL]
    national = cells[cells["scope"] == NATIONAL]
    units = cells[cells["scope"] != NATIONAL].set_index("scope").reindex(UNITS.values).reset_index()
    units["suppressed"] = units["suppressed"].astype("boolean").fillna(True).astype(bool)
    total = national["value"].iloc[0] if len(national) else float("nan")
    total_hidden = bool(national["suppressed"].iloc[0]) if len(national) else True
    n = len(units)
    value, hidden = indicators.percentages(units["value"], units["suppressed"], pd.Series([total] * n),
                                           pd.Series([total_hidden] * n))
    return pd.DataFrame({"scope": units["scope"], "period": period, "category": units["scope"],
                         "count": units["value"], "count_suppressed": units["suppressed"],
                         "value": value, "suppressed": hidden})


def reach_per_thousand(engine: sa.Engine, access: Access, *, scopes: list[str], period_type: str,
                       period: str) -> pd.DataFrame:
    """Return registrations per 1,000 staff (protected registrations / public headcount x 1,000) per scope."""
    with engine.connect() as conn:
        cells = indicators.read(conn, access, "registrations", period_type, scopes, start=period, end=period)
        staff = indicators.headcounts(conn, scopes)
    cells = cells[cells["category"] == TOTAL].set_index("scope").reindex(scopes)
    hidden = cells["suppressed"].astype("boolean").fillna(True).astype(bool)  # no cell: nothing to show
    headcount = pd.Series([staff.get(s, float("nan")) for s in scopes], index=cells.index, dtype=float)
    reach = (1000.0 * cells["value"] / headcount).round(1).where(~hidden)
    return pd.DataFrame({
        "scope": scopes, "period": period, "category": scopes, "count": cells["value"].where(~hidden).to_numpy(),
        "count_suppressed": hidden.to_numpy(), "headcount": headcount.to_numpy(), "value": reach.to_numpy(),
        "suppressed": hidden.to_numpy(),
    })
