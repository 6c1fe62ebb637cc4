"""Query functions for the published tables as such: the catalogue listing and one table's cells (the API)."""
from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from queries.catalogue import layout, reader
from queries.store import periods
from queries.accounts.access import NATIONAL, Access


class UnknownTable(LookupError):
    """Raised for a table name that is not in the catalogue."""


def table_names() -> list[str]:
    """Return every published table's name, counts first, then statistics, then public figures."""
    return [t.name for t in layout.COUNT_TABLES] + [m.name for m in layout.MEASURE_TABLES] + list(
        layout.PUBLIC_TABLES)


def catalogue_listing(engine: sa.Engine, access: Access) -> dict:
    """Return the tables the caller may read, with their categories, periods and scopes."""
    scopes = access.visible_scopes()
    with engine.connect() as conn:
        latest = reader.latest_refresh(conn)
        rows = reader.published_layout(conn, scopes)
    tables = []
    for name in table_names():
        part = rows[rows["table_name"] == name]
        if part.empty:
            continue
        kind = "count" if name in layout.TABLES_BY_NAME else "statistic" if name in layout.MEASURES_BY_NAME else "public"
        tables.append({
            "name": name,
            "kind": kind,
            "categories": sorted(part["category"].unique().tolist()),
            "periods": {p: sorted(part.loc[part["period_type"] == p, "period"].unique().tolist())
                        for p in periods.PERIOD_TYPES},
        })
    return {"data_until": latest.data_until if latest else None, "release": latest.id if latest else None,
            "scopes": scopes, "tables": tables}


def latest_release(engine: sa.Engine) -> int | None:
    """Return the id of the release the catalogue now publishes (None before the first)."""
    with engine.connect() as conn:
        latest = reader.latest_refresh(conn)
    return latest.id if latest else None


def published_table(engine: sa.Engine, access: Access, *, name: str, period_type: str,
                    scope: str = NATIONAL) -> pd.DataFrame:
    """Return one published table's protected cells for one scope the caller may see."""
    access.check(scope)
    if name not in table_names():
        raise UnknownTable(name)
    if period_type not in periods.PERIOD_TYPES:
        raise ValueError(f"period must be one of {', '.join(periods.PERIOD_TYPES)}")
    with engine.connect() as conn:
        cells = reader.read_cells(conn, name, period_type, [scope], revised=True)
    return cells[["period", "category", "value", "suppressed", "revised"]].reset_index(drop=True)
