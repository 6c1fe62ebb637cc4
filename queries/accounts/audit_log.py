"""The audit log: who looked at what, when (page views, downloads, exports, API calls, refusals).

It records names of things, never figures: `target` is a page path, an export's name or an API
path with its filters. Only administrators read it.
"""
from __future__ import annotations

import datetime as dt
import io
import re

import pandas as pd
import sqlalchemy as sa

from queries.store import csvfile
from queries.accounts.access import Access, AccessDenied
from queries.store.schema import AuditEntry

# The actions the app itself records; other code may record its own (e.g. "download").
ACTIONS = ("page_view", "api", "download", "export", "import", "target_set", "target_retire", "subscribe",
           "unsubscribe", "denied", "login", "login_failed", "bad_request", "event_add", "event_retire")
COLUMNS = ["at", "username", "role", "unit_code", "action", "target", "scope", "status"]
DEFAULT_LIMIT = 500
MAX_LIMIT = 100_000

_ACTION = re.compile(r"^[a-z][a-z_]{0,31}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _clean(text: object, length: int) -> str:
    return _CONTROL.sub(" ", str(text))[:length]


def record(engine: sa.Engine, access: Access, action: str, target: str, scope: str | None = None,
           *, status: int | None = None, conn: sa.Connection | None = None) -> None:
    """Record that a caller did something (`action`) with something (`target`) for a scope.

    `target` names what was looked at (a page path, an export's name, an API path); it must never
    hold a figure. `scope` is the slice asked for (NL or a unit code) when there is one. With
    `conn`, the entry is written in that transaction (a change and its record commit together).
    """
    if not _ACTION.match(action or ""):
        raise ValueError(f"an action is a short lower-case name, got {action!r}")
    row = {
        "at": dt.datetime.now(dt.UTC).replace(tzinfo=None),
        "username": _clean(access.user or "-", 80),
        "role": access.role,
        "unit_code": access.unit,
        "action": action,
        "target": _clean(target, 255),
        "scope": None if scope is None else _clean(scope, 32),
        "status": status,
    }
    if conn is not None:
        conn.execute(sa.insert(AuditEntry), [row])
        return
    with engine.begin() as new_conn:
        new_conn.execute(sa.insert(AuditEntry), [row])


def _require_admin(access: Access) -> None:
    if access.role != "admin":
        raise AccessDenied(f"{access.user or 'anonymous'} may not read the audit log")


def _query(action: str | None, user: str | None):
    query = sa.select(*(getattr(AuditEntry, c) for c in COLUMNS)).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if action:
        query = query.where(AuditEntry.action == action)
    if user:
        query = query.where(AuditEntry.username == user)
    return query


def entries(engine: sa.Engine, access: Access, *, action: str | None = None, user: str | None = None,
            limit: int = DEFAULT_LIMIT) -> pd.DataFrame:
    """Return the newest audit entries (newest first), optionally for one action or user; admins only."""
    _require_admin(access)
    limit = max(1, min(int(limit), MAX_LIMIT))
    with engine.connect() as conn:
        rows = conn.execute(_query(action, user).limit(limit)).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=COLUMNS)


def users_in_log(engine: sa.Engine, access: Access) -> list[str]:
    """Return every user name that appears in the log, sorted; admins only."""
    _require_admin(access)
    with engine.connect() as conn:
        return list(conn.execute(sa.select(AuditEntry.username).distinct().order_by(AuditEntry.username)).scalars())


def _csv_cell(value):
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if isinstance(value, dt.datetime) else value


def export_csv(engine: sa.Engine, access: Access, *, action: str | None = None, user: str | None = None) -> str:
    """Return the audit log (newest first, times in UTC) as CSV text; admins only.

    Written by the one CSV writer of every download (`queries.store.csvfile`): user names and targets
    come from outside (a failed login's name is whatever was typed), so `x;=1+1;y` must stay one
    text cell in a Dutch Excel too, although this file is ','-separated.
    """
    _require_admin(access)
    out = io.StringIO()
    writer = csvfile.Writer(out, sep=",", decimal=".")
    writer.writerow(["at_utc", *COLUMNS[1:]])
    with engine.connect() as conn:
        for row in conn.execute(_query(action, user).limit(MAX_LIMIT)):
            writer.writerow([_csv_cell(v) for v in row])
    return out.getvalue()
