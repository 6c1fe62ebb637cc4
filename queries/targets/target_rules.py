"""Which expected value applies to which months: pure functions over `targets.reference_lines` frames.

A reference line is one recorded expected value with the months it applies to, `start` up to but
not including `end` (month keys; `end` None: still applies).
"""
from __future__ import annotations

import pandas as pd

from queries.store import periods


def _months_of(period: str) -> list[str]:
    first, last = periods.months_in(period, periods.type_of(period))
    return periods.months_between(first, last)


def _for_key(lines: pd.DataFrame, indicator: str, product: str | None, target_group: str | None) -> pd.DataFrame:
    product_ok = lines["product"].isna() if product is None else lines["product"] == product
    group_ok = lines["target_group"].isna() if target_group is None else lines["target_group"] == target_group
    return lines[(lines["indicator"] == indicator) & product_ok & group_ok]


def overall(lines: pd.DataFrame | None, indicator: str) -> pd.DataFrame:
    """Return the reference lines of an indicator that hold for all clients (no product or target group)."""
    if lines is None or lines.empty:
        return pd.DataFrame(columns=["indicator", "product", "target_group", "expected_value", "start", "end"])
    return _for_key(lines, indicator, None, None)


def applies(start: str, end: str | None, month: str) -> bool:
    """Tell whether a value applying to months [start, end) applies to a month."""
    return start <= month and (end is None or pd.isna(end) or month < end)


def last_month(start: str, end: str | None) -> str | None:
    """Return the last month a value applying to [start, end) applied to (None: still applies; "": never)."""
    if end is None or pd.isna(end):
        return None
    if end <= start:
        return ""
    y, m = int(end[:4]), int(end[5:7])
    return f"{y - 1:04d}-12" if m == 1 else f"{y:04d}-{m - 1:02d}"


def value_throughout(lines: pd.DataFrame | None, indicator: str, period: str, *, product: str | None = None,
                     target_group: str | None = None) -> float | None:
    """Return the expected value that applied to every month of a period, or None (none, or it changed)."""
    if lines is None or lines.empty:
        return None
    first, last = periods.months_in(period, periods.type_of(period))
    rows = _for_key(lines, indicator, product, target_group)
    whole = [float(r.expected_value) for r in rows.itertuples() if applies(r.start, r.end, first)
             and applies(r.start, r.end, last)]
    return whole[0] if len(whole) == 1 else None


def value_at_end(lines: pd.DataFrame | None, indicator: str, period: str, *, product: str | None = None,
                 target_group: str | None = None) -> float | None:
    """Return the expected value that applied to the last month of a period, or None."""
    if lines is None or lines.empty:
        return None
    last = _months_of(period)[-1]
    rows = _for_key(lines, indicator, product, target_group)
    found = [float(r.expected_value) for r in rows.itertuples() if applies(r.start, r.end, last)]
    return found[0] if found else None


def segments(lines: pd.DataFrame, periods_: list[str]) -> list[dict]:
    """Return where each reference line lies on a category axis of periods, month by month.

    Period i spans i - 0.5 .. i + 0.5 and each of its n months a 1/n part of that, so a value drawn
    for the months it applied to starts and stops inside a quarter or year when it changed there.
    One segment per line and run of consecutive periods: {x0, x1, value, id}.
    """
    out = []
    for row in lines.itertuples():
        current = None
        for i, period in enumerate(periods_):
            months = _months_of(period)
            inside = [k for k, m in enumerate(months) if applies(row.start, row.end, m)]
            if not inside:
                if current is not None:
                    out.append(current)
                    current = None
                continue
            x0 = i - 0.5 + inside[0] / len(months)
            x1 = i - 0.5 + (inside[-1] + 1) / len(months)
            if current is not None and abs(current["x1"] - x0) < 1e-9:
                current["x1"] = x1
            else:
                if current is not None:
                    out.append(current)
                current = {"x0": x0, "x1": x1, "value": float(row.expected_value), "id": row.id}
        if current is not None:
            out.append(current)
    return out
