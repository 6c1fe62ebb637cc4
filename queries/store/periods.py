"""The fixed periods of the catalogue: calendar months, quarters and years, nothing else."""
from __future__ import annotations

import datetime as dt

PERIOD_TYPES = ("month", "quarter", "year")
FIRST_MONTH = "2012-05"  # the Loket opened in May 2012


def month_of(day: dt.date) -> str:
    """Return the month key (YYYY-MM) of a date."""
    return f"{day.year:04d}-{day.month:02d}"


def quarter_of(month: str) -> str:
    """Return the quarter key (YYYY-Qn) of a month key."""
    return f"{month[:4]}-Q{(int(month[5:7]) - 1) // 3 + 1}"


def year_of(month: str) -> str:
    """Return the year key (YYYY) of a month key."""
    return month[:4]


def parent_of(period: str, period_type: str) -> str | None:
    """Return the period one level up (month -> quarter -> year), or None for a year."""
    if period_type == "month":
        return quarter_of(period)
    if period_type == "quarter":
        return period[:4]
    return None


def months_between(first: str, last: str) -> list[str]:
    """Return every month key from first to last inclusive."""
    y, m = int(first[:4]), int(first[5:7])
    out = []
    while f"{y:04d}-{m:02d}" <= last:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def last_complete_month(today: dt.date) -> str:
    """Return the month before today's month: the newest month that can be complete."""
    first = today.replace(day=1) - dt.timedelta(days=1)
    return month_of(first)


def complete_periods(first: str, last: str) -> dict[str, list[str]]:
    """Return the months, quarters and years whose every month lies in first..last.

    The first year and quarter count as complete from the Loket's opening month, since no
    earlier month can hold data.
    """
    months = months_between(first, last)
    quarters = sorted({quarter_of(m) for m in months if _quarter_end(quarter_of(m)) <= last})
    years = sorted({year_of(m) for m in months if f"{year_of(m)}-12" <= last})
    return {"month": months, "quarter": quarters, "year": years}


def _quarter_end(quarter: str) -> str:
    return f"{quarter[:4]}-{int(quarter[-1]) * 3:02d}"


def type_of(period: str) -> str:
    """Return the period type of a period key (2014-03: month, 2014-Q1: quarter, 2014: year)."""
    return "quarter" if "-Q" in period else "month" if len(period) == 7 else "year"


def months_in(period: str, period_type: str) -> tuple[str, str]:
    """Return the first and last month key of a period."""
    if period_type == "month":
        return period, period
    if period_type == "quarter":
        q = int(period[-1])
        return f"{period[:4]}-{q * 3 - 2:02d}", f"{period[:4]}-{q * 3:02d}"
    return f"{period}-01", f"{period}-12"
