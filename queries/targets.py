"""Expected values (streefwaarden) the commissioner recorded per indicator: reference lines, never verdicts."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import sqlalchemy as sa

from queries.access import NATIONAL, Access
from queries.schema import IndicatorTarget

COLUMNS = ["indicator", "expected_value", "valid_from"]


def expected_values(engine: sa.Engine, access: Access, *, on: dt.date | None = None) -> pd.DataFrame:
    """Return the overall expected value per indicator that is valid on a day (today by default)."""
    access.check(NATIONAL)  # targets are no client data, but only callers with a role see them
    day = on or dt.date.today()
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None) if on is None else dt.datetime.combine(day, dt.time.max)
    t = IndicatorTarget
    query = (
        sa.select(t.indicator, t.expected_value, t.valid_from)
        .where(t.valid_from <= day, sa.or_(t.retired_at.is_(None), t.retired_at > now),
               t.product.is_(None), t.target_group.is_(None))
        .order_by(t.indicator, t.valid_from.desc(), t.id.desc())
    )
    with engine.connect() as conn:
        df = pd.read_sql(query, conn)
    return df.drop_duplicates("indicator", keep="first")[COLUMNS].reset_index(drop=True)
