"""Expected values (streefwaarden) the commissioner recorded per indicator: reference lines, never verdicts.

This module records, retires and reads them; `target_rules` says which value applies to which
months (pure functions over the reference lines).

An expected value is agreed for an indicator, optionally for one product or one target group,
and never for a unit (the evaluation warns that norms per unit would hurt the Loket's
independence). It applies from its valid-from month. Nothing is ever overwritten: a change is a
new row that supersedes the older one (same indicator, product and target group) from its own
valid-from month on, and retiring a value keeps its row, which then applies up to the month
before it was retired. A row that never applied (superseded or retired before its first month)
supersedes nothing.
"""
from __future__ import annotations

import datetime as dt
import math
import re
import weakref

import pandas as pd
import sqlalchemy as sa

from queries.accounts import audit_log
from queries.catalogue import indicators, reader
from queries.store import periods
from queries.accounts.access import NATIONAL, Access, AccessDenied
from queries.store.codes import PRODUCTS, TARGET_GROUPS
from queries.store.schema import IndicatorTarget

COLUMNS = ["indicator", "expected_value", "valid_from"]
HISTORY_COLUMNS = ["id", "indicator", "product", "target_group", "expected_value", "valid_from", "rationale",
                   "set_by", "set_at", "retired_at", "retired_by", "start", "end", "status"]
LINE_COLUMNS = ["id", "indicator", "product", "target_group", "expected_value", "start", "end"]
PART_COLUMNS = ["value", "suppressed", "numerator", "numerator_suppressed", "denominator", "denominator_suppressed"]
SETTERS = ("programme", "admin")
RANGES = {"percent": (0.0, 100.0), "grade": (1.0, 10.0), "rating": (1.0, 10.0)}
MAX_VALUE = 1e9
MAX_RATIONALE = 2000
MAX_ID = 2**31 - 1  # the id column's range: a larger number is no id (and would overflow the driver)
_MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")
_ID = re.compile(r"[0-9]{1,10}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # all but tab and line breaks; PostgreSQL refuses NUL
# status of a row in the history
CURRENT, PLANNED, SUPERSEDED, RETIRED, NEVER = "current", "planned", "superseded", "retired", "never"


class TargetError(ValueError):
    """Raised when an expected value cannot be recorded or retired (the message says why, in English;
    `key` and `params` let the page say it in the caller's language)."""

    def __init__(self, key: str, message: str, **params):
        super().__init__(message)
        self.key, self.params = key, params


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _require_setter(access: Access) -> None:
    if access.role not in SETTERS:
        raise AccessDenied(f"{access.user or 'anonymous'} may not set expected values")


def _first_month_without(retired_at: dt.datetime | None) -> str | None:
    """Return the first month a retired value no longer applies to: the month it was retired in."""
    if retired_at is None or pd.isna(retired_at):
        return None
    return periods.month_of(pd.Timestamp(retired_at).date())


# --- validation -------------------------------------------------------------------------------

def _parse_month(text) -> str:
    """Return a month key (YYYY-MM) from text, or raise TargetError."""
    if not isinstance(text, str) or not _MONTH.fullmatch(text.strip()):
        raise TargetError("month", f"not a month (YYYY-MM): {str(text)[:40]!r}", value=str(text)[:40])
    month = text.strip()
    if month < periods.FIRST_MONTH[:4] + "-01" or month > "2100-12":
        raise TargetError("month_range", f"month out of range (2012-01 to 2100-12): {month}", value=month)
    return month


def _code(code_list, value, what: str) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    found = code_list.lookup(value) if isinstance(value, str) else None
    if found is None:
        raise TargetError(code_list.name, f"unknown {what}: {str(value)[:40]!r} (one of {', '.join(code_list.values)})",
                          value=str(value)[:40])
    return found


def _validate(*, indicator, value, valid_from, product=None, target_group=None, rationale="", unit=None) -> dict:
    """Return a checked row for a new expected value, or raise TargetError (a unit is always refused)."""
    if unit is not None:
        raise TargetError("unit", "an expected value is never set per unit: it would hurt the Loket's independence")
    if not isinstance(indicator, str) or indicator not in indicators.INDICATORS:
        raise TargetError("indicator", f"unknown indicator: {str(indicator)[:40]!r}", value=str(indicator)[:40])
    if isinstance(value, bool):
        raise TargetError("number", "the expected value is not a number", value=str(value))
    try:
        number = float(value.replace(",", ".") if isinstance(value, str) else value)
    except (TypeError, ValueError):
        raise TargetError("number", f"the expected value is not a number: {str(value)[:40]!r}",
                          value=str(value)[:40]) from None
    measure = indicators.INDICATORS[indicator].measure
    low, high = RANGES.get(measure, (0.0, MAX_VALUE))
    if not math.isfinite(number) or not low <= number <= high:
        raise TargetError("range", f"the expected value of {indicator} ({measure}) must lie between {low:g} and {high:g}",
                          low=f"{low:g}", high=f"{high:g}")
    text = rationale.strip() if isinstance(rationale, str) else ""
    if not text:
        raise TargetError("rationale", "give a short rationale")
    if len(text) > MAX_RATIONALE:
        raise TargetError("rationale_long", f"the rationale is longer than {MAX_RATIONALE} characters",
                          n=MAX_RATIONALE)
    if _CONTROL.search(text):
        raise TargetError("rationale_chars", "the rationale holds a control character")
    month = _parse_month(valid_from)
    return {"indicator": indicator, "expected_value": number, "valid_from": dt.date(int(month[:4]), int(month[5:]), 1),
            "product": _code(PRODUCTS, product, "product"), "target_group": _code(TARGET_GROUPS, target_group,
                                                                                    "target group"),
            "rationale": text}


def _parse_id(value) -> int:
    """Return an expected value's id from a number or its digits, or raise TargetError."""
    if type(value) is int:  # not bool; a huge number is no id (and no text: Python limits int to str)
        text = str(value) if abs(value) <= MAX_ID else "(out of range)"
    else:
        text = value.strip() if isinstance(value, str) else ""
    if not _ID.fullmatch(text) or not 0 < int(text) <= MAX_ID:
        shown = _CONTROL.sub("?", text[:40]) if text else str(type(value).__name__)
        raise TargetError("id", f"not an expected value's id: {shown!r}", value=shown)
    return int(text)


def _describe(row: dict) -> str:
    parts = [row["indicator"]]
    if row.get("product"):
        parts.append(f"product={row['product']}")
    if row.get("target_group"):
        parts.append(f"target_group={row['target_group']}")
    return " ".join(parts)


# --- commands ---------------------------------------------------------------------------------

def record(engine: sa.Engine, access: Access, *, indicator: str | None = None, value=None,
           valid_from: str | None = None, rationale: str = "", product: str | None = None,
           target_group: str | None = None, unit: str | None = None) -> int:
    """Record a new expected value (a change is a new row; older rows stay) and audit it; return its id."""
    _require_setter(access)
    row = _validate(indicator=indicator, value=value, valid_from=valid_from, product=product,
                   target_group=target_group, rationale=rationale, unit=unit)
    with engine.begin() as conn:
        new_id = conn.execute(sa.insert(IndicatorTarget).values(
            **row, set_by=(access.user or "-")[:80], set_at=_now()).returning(IndicatorTarget.id)).scalar_one()
        audit_log.record(engine, access, "target_set",
                         f"target {new_id}: {_describe(row)} from {row['valid_from']:%Y-%m}", conn=conn, status=200)
    return new_id


def retire(engine: sa.Engine, access: Access, *, target_id=None) -> None:
    """Retire an expected value from this month on (its row and earlier months stay) and audit it."""
    _require_setter(access)
    target_id = _parse_id(target_id)
    t = IndicatorTarget
    with engine.begin() as conn:
        row = conn.execute(sa.select(t.indicator, t.product, t.target_group, t.retired_at).where(t.id == target_id)
                           ).mappings().first()
        if row is None:
            raise TargetError("no_id", f"no expected value with id {target_id}", id=target_id)
        if row["retired_at"] is not None:
            raise TargetError("retired", f"expected value {target_id} was already retired", id=target_id)
        conn.execute(sa.update(t).where(t.id == target_id, t.retired_at.is_(None))
                     .values(retired_at=_now(), retired_by=(access.user or "-")[:80]))
        audit_log.record(engine, access, "target_retire", f"target {target_id}: {_describe(dict(row))}",
                         conn=conn, status=200)


# --- reading ----------------------------------------------------------------------------------

def _applying_months(rows: pd.DataFrame) -> pd.DataFrame:
    """Return rows with the months each applies to, [start, end) (end None: open), and its status today."""
    out = rows.copy()
    if out.empty:
        return out.assign(start=pd.Series(dtype=object), end=pd.Series(dtype=object), status=pd.Series(dtype=object))
    out["start"] = pd.Series([periods.month_of(pd.Timestamp(d).date()) for d in out["valid_from"]], index=out.index,
                             dtype=object)
    out["end"] = pd.Series([_first_month_without(r) for r in out["retired_at"]], index=out.index, dtype=object)
    key = ["indicator", "product", "target_group"]
    ends = dict(zip(out["id"], out["end"]))
    for _, group in out.fillna({"product": "", "target_group": ""}).groupby(key, sort=False):
        # the newest row of a month wins; a row that never applied supersedes nothing
        ordered = group.sort_values(["start", "id"], ascending=[False, False])
        following = None
        for row in ordered.itertuples():
            end = None if pd.isna(ends[row.id]) else ends[row.id]
            if following is not None and (end is None or following < end):
                end = following
            ends[row.id] = end
            if end is None or row.start < end:
                following = row.start
    out["end"] = out["id"].map(ends)
    this_month = periods.month_of(_now().date())
    never = out["end"].notna() & (out["end"].fillna("") <= out["start"])
    retired = out["retired_at"].notna()
    superseded = out["end"].notna() & ~retired
    status = pd.Series(CURRENT, index=out.index)
    status[out["start"] > this_month] = PLANNED
    status[superseded & (out["end"].fillna("9999") <= this_month)] = SUPERSEDED
    status[retired] = RETIRED
    status[never & ~retired] = NEVER
    out["status"] = status
    return out


def _read(conn: sa.Connection) -> pd.DataFrame:
    t = IndicatorTarget
    query = sa.select(t.id, t.indicator, t.product, t.target_group, t.expected_value, t.valid_from, t.rationale,
                      t.set_by, t.set_at, t.retired_at, t.retired_by).order_by(t.indicator, t.valid_from, t.id)
    df = pd.read_sql(query, conn)
    df["product"] = df["product"].astype(object).where(df["product"].notna(), None)
    df["target_group"] = df["target_group"].astype(object).where(df["target_group"].notna(), None)
    return df


def history(engine: sa.Engine, access: Access, *, include_past: bool = True) -> pd.DataFrame:
    """Return every recorded expected value with the months it applies to and its status (all roles)."""
    access.check(NATIONAL)  # targets are no client data, but only callers with a role see them
    with engine.connect() as conn:
        rows = _read(conn)
    df = _applying_months(rows)[HISTORY_COLUMNS]
    if not include_past:
        df = df[df["status"].isin([CURRENT, PLANNED])]
    return df.reset_index(drop=True)


_LINES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # per engine: the targets' state and lines


def reference_lines(engine: sa.Engine, access: Access) -> pd.DataFrame:
    """Return every expected value that applies to at least one month, with its months [start, end)."""
    access.check(NATIONAL)
    # Every monitor page draws these lines; they change only when a value is recorded or retired.
    with engine.connect() as conn:
        state = reader.targets_state(conn)
        known = _LINES.get(engine)
        if known is None or known[0] != state:
            df = _applying_months(_read(conn))
            applied = df["end"].isna() | (df["end"].fillna("") > df["start"])
            known = _LINES[engine] = (state, df.loc[applied, LINE_COLUMNS].reset_index(drop=True))
    return known[1].copy()


def expected_values(engine: sa.Engine, access: Access, *, on: dt.date | None = None) -> pd.DataFrame:
    """Return the overall expected value per indicator that is valid on a day (today by default)."""
    month = periods.month_of(on or _now().date())
    lines = reference_lines(engine, access)
    overall = lines[lines["product"].isna() & lines["target_group"].isna()]
    valid = overall[(overall["start"] <= month) & (overall["end"].isna() | (overall["end"].fillna("") > month))]
    out = valid.assign(valid_from=[dt.date(int(s[:4]), int(s[5:]), 1) for s in valid["start"]])
    return out.sort_values(["indicator", "start", "id"], ascending=[True, False, False]).drop_duplicates(
        "indicator")[COLUMNS].reset_index(drop=True)


def latest_with_parts(engine: sa.Engine, access: Access, *, indicator: str, scope: str, period_type: str,
                      period: str) -> dict:
    """Return an indicator's published value for one period and scope with the published counts it rests on."""
    df = indicators.with_parts(engine, access, indicator, scopes=[scope], period_type=period_type,
                               start=period, end=period)
    if df.empty:
        return {"value": None, "suppressed": False, "numerator": None, "numerator_suppressed": False,
                "denominator": None, "denominator_suppressed": False}
    row = df.iloc[0]
    return {c: (None if pd.isna(row[c]) else float(row[c])) if c in ("value", "numerator", "denominator")
            else bool(row[c]) for c in PART_COLUMNS}
