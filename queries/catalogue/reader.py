"""The one reader of the published catalogue: every figure a page, export or the API shows is read here.

The published cells are written only by the refresh (`queries.catalogue.release`); everything
else reads them through these functions, which hand out protected figures only. The release
metadata (`latest_refresh`) and the state the pages' caches depend on (`data_version`) are read
here too.
"""
from __future__ import annotations

import functools

import pandas as pd
import sqlalchemy as sa

from queries import events
from queries.privacy.linked import KEY
from queries.store.schema import CatalogueRefresh, Event as EventRow, IndicatorTarget, PublishedCell

def latest_refresh(conn: sa.Connection) -> CatalogueRefresh | None:
    """Return the newest catalogue refresh, or None when the catalogue was never built."""
    row = conn.execute(sa.select(CatalogueRefresh.__table__).order_by(CatalogueRefresh.id.desc()).limit(1)).first()
    return CatalogueRefresh(**row._mapping) if row else None


def _changes_of(model) -> list:
    # Rows of these tables are only added or retired: count, newest id and newest retirement say when either happened.
    return [sa.select(sa.func.count()).select_from(model).scalar_subquery(),
            sa.select(sa.func.max(model.id)).scalar_subquery(), sa.select(sa.func.max(model.retired_at)).scalar_subquery()]


def targets_state(conn: sa.Connection) -> tuple:
    """Return what changes whenever an expected value is recorded or retired (rows are never edited otherwise)."""
    return tuple(conn.execute(sa.select(*_changes_of(IndicatorTarget))).one())


def data_version(engine: sa.Engine) -> str:
    """Return what every published page depends on: the latest refresh and the state of the expected values and
    of the events on the timeline."""
    # One statement (and the few units' roll-out dates): every page view of a cached page asks this.
    # The refresh's time as well as its id: a store built again (a new demo) counts from 1 again, and a page cache
    # kept in a folder outlives the store it was filled from.
    columns = [sa.select(sa.func.max(CatalogueRefresh.id)).scalar_subquery(),
               sa.select(sa.func.max(CatalogueRefresh.refreshed_at)).scalar_subquery(), *_changes_of(IndicatorTarget),
               *_changes_of(EventRow)]
    with engine.connect() as conn:
        state = conn.execute(sa.select(*columns)).one()
        rollouts = events.rollout_digest(conn)
    return ":".join(map(str, (*state, rollouts)))


CELL_FIELDS = ("scope", "period", "category", "value", "suppressed")


def _within(query: sa.Select, start: bool, end: bool) -> sa.Select:
    # The periods of one type sort as text; the bounds are bound parameters, given by `_bounds`.
    period = PublishedCell.__table__.c.period
    if start:
        query = query.where(period >= sa.bindparam("start"))
    if end:
        query = query.where(period <= sa.bindparam("end"))
    return query


def _bounds(start: str | None, end: str | None) -> dict:
    return {name: bound for name, bound in (("start", start), ("end", end)) if bound}


# Statements are built once per shape with bound parameters: a page reads some forty slices, and building a
# statement costs more than reading one.
@functools.cache
def _cells_query(revised: bool, start: bool, end: bool) -> sa.Select:
    c = PublishedCell.__table__.c
    # One index slice (table, period type, scope, period).
    query = (
        sa.select(c.scope, c.period, c.category, c.value, c.suppressed, *([c.revised] if revised else []))
        .where(c.table_name == sa.bindparam("table_name"), c.period_type == sa.bindparam("period_type"),
               c.scope.in_(sa.bindparam("scopes", expanding=True)))
        .order_by(c.scope, c.period, c.category)
    )
    return _within(query, start, end)


def cell_rows(conn: sa.Connection, table_name: str, period_type: str, scopes: list[str], *,
              start: str | None = None, end: str | None = None, revised: bool = False) -> list[sa.Row]:
    """Return the protected cells of one table for some scopes (within a period range), in period order."""
    params = {"table_name": table_name, "period_type": period_type, "scopes": list(scopes), **_bounds(start, end)}
    return conn.execute(_cells_query(revised, bool(start), bool(end)), params).all()


@functools.cache
def _revised_query(start: bool, end: bool) -> sa.Select:
    c = PublishedCell.__table__.c
    # Every table at once: a page's cards share their range and scopes, and revised cells are few (a partial index).
    query = (sa.select(c.table_name, c.period).distinct()
             .where(c.period_type == sa.bindparam("period_type"), c.scope.in_(sa.bindparam("scopes", expanding=True)),
                    c.revised)
             .order_by(c.table_name, c.period))
    return _within(query, start, end)


def revised_periods(conn: sa.Connection, period_type: str, scopes: list[str], *,
                    start: str | None = None, end: str | None = None) -> list[tuple[str, str]]:
    """Return the (table, period) pairs in a range where a cell was revised after it was first published."""
    params = {"period_type": period_type, "scopes": list(scopes), **_bounds(start, end)}
    return [(row.table_name, row.period) for row in conn.execute(_revised_query(bool(start), bool(end)), params)]


def periods_of(conn: sa.Connection, table_name: str, period_type: str, scope: str) -> list[str]:
    """Return the periods one table has published cells for in one scope, in order (read from the index)."""
    c = PublishedCell.__table__.c
    query = (sa.select(c.period).distinct()
             .where(c.table_name == table_name, c.period_type == period_type, c.scope == scope).order_by(c.period))
    return list(conn.execute(query).scalars())


def read_cells(conn: sa.Connection, table_name: str, period_type: str, scopes: list[str], *,
               start: str | None = None, end: str | None = None, revised: bool = False) -> pd.DataFrame:
    """Return the protected cells of one table for some scopes (within a period range), in period order."""
    rows = cell_rows(conn, table_name, period_type, scopes, start=start, end=end, revised=revised)
    return pd.DataFrame.from_records(rows, columns=[*CELL_FIELDS, *(["revised"] if revised else [])])



STATE = [*KEY, "value", "suppressed", "revised"]  # what the next refresh compares with


def published_state(conn: sa.Connection) -> pd.DataFrame:
    """Return every published cell as the latest release published it (value, status, revised), for the next refresh."""
    c = PublishedCell.__table__.c
    published = pd.read_sql(sa.select(*[c[name] for name in STATE]), conn)
    return published.astype({"suppressed": bool, "revised": bool})


def published_layout(conn: sa.Connection, scopes: list[str]) -> pd.DataFrame:
    """Return which (table, period type, period, category) have published cells in some scopes (the API's listing)."""
    c = PublishedCell.__table__.c
    return pd.read_sql(sa.select(c.table_name, c.period_type, c.period, c.category).distinct()
                       .where(c.scope.in_(scopes)), conn)
