"""Query functions for reach and 24/7 use: contacts, channels, out-of-hours share, website visits."""
from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from queries.catalogue import indicators
from queries.accounts.access import NATIONAL, Access


def contacts_over_time(engine: sa.Engine, access: Access, *, scopes: list[str], period_type: str,
                       start: str | None = None, end: str | None = None) -> pd.DataFrame:
    """Return the number of contacts (phone, e-mail, web) per period."""
    return indicators.trends(engine, access, ["contacts"], scopes=scopes, period_type=period_type,
                             start=start, end=end)


def contacts_by_channel(engine: sa.Engine, access: Access, *, scopes: list[str], period_type: str,
                        period: str) -> pd.DataFrame:
    """Return one period's contacts by channel, with shares."""
    return indicators.shares(engine, access, "contacts_by_channel", scopes=scopes, period_type=period_type,
                             period=period)


def out_of_hours(engine: sa.Engine, access: Access, *, scopes: list[str], period_type: str,
                 start: str | None = None, end: str | None = None) -> pd.DataFrame:
    """Return the shares of contacts outside office hours, in evenings, at night and in weekends."""
    keys = ["outside_office_hours", "evening_share", "night_share", "weekend_share"]
    return indicators.trends(engine, access, keys, scopes=scopes, period_type=period_type, start=start, end=end)


def website_visits(engine: sa.Engine, access: Access, *, period_type: str, start: str | None = None,
                   end: str | None = None) -> pd.DataFrame:
    """Return the Blauwe Veerkracht website's visits, new and returning, per period (national only)."""
    keys = ["website_visits", "website_new_visits", "website_returning_visits"]
    return indicators.trends(engine, access, keys, scopes=[NATIONAL], period_type=period_type, start=start, end=end)
