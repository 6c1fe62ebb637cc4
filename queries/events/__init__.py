"""Events on the timeline: what happened that explains a trend (a unit's roll-out, a mailing campaign, a change
of product), shown as markers on every time chart of its scope.

Programme managers and administrators record an event (a day, a scope: national `NL` or one unit,
and a short text) and retire it; retiring keeps its row, so the record of who said what stays. A
unit's roll-out date is no recorded event: it comes from `units.rollout_on` by itself and cannot
be retired here (it changes with the units' import).

Who sees what follows the figures' own rule (`Access`): a unit user sees the national events and
its own unit's, never another unit's (a mailing "in Limburg" would tell it about Limburg);
programme managers and administrators see all. Event texts are no client data and must never
describe a client: the form says so, and a text is at most 200 characters.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass

import sqlalchemy as sa

from queries.accounts import audit_log
from queries.accounts.access import NATIONAL, Access, AccessDenied
from queries.store import periods
from queries.store.codes import UNITS, UNKNOWN_UNIT
from queries.store.schema import Event as EventRow
from queries.store.schema import Unit

MAX_TEXT = 200
MAX_DAYS_AHEAD = 366  # a planned campaign may be recorded up to a year ahead; later is a typing error
MAX_ID = 2**31 - 1
RECORDERS = ("programme", "admin")
RECORDED, ROLLOUT = "recorded", "rollout"
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_DUTCH = re.compile(r"(\d{1,2})-(\d{1,2})-(\d{4})")
_ID = re.compile(r"[0-9]{1,10}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_NATIONAL_NAMES = {"nl", "landelijk", "national"}  # what the page's suggestions and people call the national scope


class EventError(ValueError):
    """Raised when an event cannot be recorded or retired; `key` (with `params`) names the reason for the page's
    own words, the message says it in English."""

    def __init__(self, key: str, message: str, **params):
        super().__init__(message)
        self.key, self.params = key, params


@dataclass(frozen=True)
class Event:
    """One event a caller may see: recorded (with an id) or a unit's roll-out (no id, text empty: the interface
    names it in the caller's language)."""

    day: dt.date
    scope: str
    text: str
    kind: str = RECORDED
    id: int | None = None
    created_by: str | None = None
    created_at: dt.datetime | None = None

    @property
    def retirable(self) -> bool:
        """Tell whether the event can be retired (recorded ones; a roll-out comes from the units' data)."""
        return self.kind == RECORDED


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _require_recorder(access: Access) -> None:
    if access.role not in RECORDERS:
        raise AccessDenied(f"{access.user or 'anonymous'} may not record or retire events")


# --- validation -------------------------------------------------------------------------------

def first_day() -> dt.date:
    """Return the first day an event may have: the first day of the monitor's span (the Loket's opening month)."""
    return dt.date(int(periods.FIRST_MONTH[:4]), int(periods.FIRST_MONTH[5:7]), 1)


def last_day(today: dt.date | None = None) -> dt.date:
    """Return the last day an event may have: a year ahead (a planned campaign), no further."""
    return (today or _now().date()) + dt.timedelta(days=MAX_DAYS_AHEAD)


def parse_day(value, *, today: dt.date | None = None) -> dt.date:
    """Return an event's day from a date or its text (2014-03-01 or 1-3-2014), within the monitor's span."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        day = value
    else:
        text = value.strip() if isinstance(value, str) else ""
        iso, dutch = _ISO.fullmatch(text), _DUTCH.fullmatch(text)
        parts = (iso.group(1, 2, 3) if iso else dutch.group(3, 2, 1) if dutch else None)
        shown = _CONTROL.sub("?", text[:40])
        if parts is None:
            raise EventError("date", f"not a date (YYYY-MM-DD): {shown!r}", value=shown)
        try:
            day = dt.date(*(int(p) for p in parts))
        except ValueError:
            raise EventError("date", f"not a date (YYYY-MM-DD): {shown!r}", value=shown) from None
    if not first_day() <= day <= last_day(today):
        raise EventError("date_range", f"the date lies outside the monitor's span ({first_day()} to "
                         f"{last_day(today)}): {day}", first=first_day().isoformat(), last=last_day(today).isoformat(),
                         value=day.isoformat())
    return day


def parse_scope(value) -> str:
    """Return an event's scope from NL (or 'landelijk', 'national') or a unit's code or name; never the unknown unit,
    which no event can be about."""
    text = value.strip() if isinstance(value, str) else ""
    if text.casefold() in _NATIONAL_NAMES:
        return NATIONAL
    code = UNITS.lookup(text) if text else None
    if code is not None and code != UNKNOWN_UNIT:
        return code
    shown = _CONTROL.sub("?", str(value)[:40]) if value is not None else ""
    raise EventError("scope", f"not a scope (NL or a unit code): {shown!r}", value=shown)


def clean_text(value) -> str:
    """Return an event's text on one line (runs of white space made one space), or raise EventError."""
    text = " ".join(value.split()) if isinstance(value, str) else ""
    if not text:
        raise EventError("text", "give a short text")
    if len(text) > MAX_TEXT:
        raise EventError("text_long", f"the text is longer than {MAX_TEXT} characters ({len(text)})", n=MAX_TEXT,
                         length=len(text))
    if _CONTROL.search(text):
        raise EventError("text_chars", "the text holds a control character")
    return text


def parse_id(value) -> int:
    """Return an event's id from a number or its digits, or raise EventError."""
    if type(value) is int:  # not bool; a huge number is no id (and would overflow the driver)
        text = str(value) if abs(value) <= MAX_ID else "(out of range)"
    else:
        text = value.strip() if isinstance(value, str) else ""
    if not _ID.fullmatch(text) or not 0 < int(text) <= MAX_ID:
        shown = _CONTROL.sub("?", text[:40]) if text else type(value).__name__
        raise EventError("id", f"not an event's id: {shown!r}", value=shown)
    return int(text)


# --- commands ---------------------------------------------------------------------------------

def record(engine: sa.Engine, actor: Access, *, day, scope, text, today: dt.date | None = None) -> int:
    """Record an event (programme managers and administrators), audit it in the same transaction; return its id."""
    _require_recorder(actor)
    row = {"day": parse_day(day, today=today), "scope": parse_scope(scope), "text": clean_text(text)}
    with engine.begin() as conn:
        new_id = conn.execute(sa.insert(EventRow).values(
            **row, created_by=(actor.user or "-")[:80], created_at=_now()).returning(EventRow.id)).scalar_one()
        # The text stays out of the log: the log names things, and the event's row keeps the text.
        audit_log.record(engine, actor, "event_add", f"event {new_id}: {row['day']:%Y-%m-%d}", row["scope"],
                         status=200, conn=conn)
    return new_id


def retire(engine: sa.Engine, actor: Access, event_id) -> None:
    """Retire a recorded event (its row stays, with who retired it and when) and audit it."""
    _require_recorder(actor)
    event_id = parse_id(event_id)
    e = EventRow
    with engine.begin() as conn:
        row = conn.execute(sa.select(e.day, e.scope, e.retired_at).where(e.id == event_id)).first()
        if row is None:
            raise EventError("no_id", f"no event with id {event_id}", id=event_id)
        if row.retired_at is not None:
            raise EventError("retired", f"event {event_id} was already retired", id=event_id)
        conn.execute(sa.update(e).where(e.id == event_id, e.retired_at.is_(None))
                     .values(retired_at=_now(), retired_by=(actor.user or "-")[:80]))
        audit_log.record(engine, actor, "event_retire", f"event {event_id}: {row.day:%Y-%m-%d}", row.scope,
                         status=200, conn=conn)


# --- reading ----------------------------------------------------------------------------------

def _scopes_for(access: Access, scopes) -> list[str]:
    """Return the scopes asked for, each one the caller may see (AccessDenied otherwise); None: all it sees."""
    if scopes is None:
        return access.visible_scopes()
    return [access.check(s) for s in dict.fromkeys(scopes)]


def events_for(engine: sa.Engine, access: Access, scopes=None, start: dt.date | None = None,
               end: dt.date | None = None) -> list[Event]:
    """Return the active events of some scopes the caller may see (roll-outs included), by day, within start..end."""
    wanted = _scopes_for(access, scopes)
    if not wanted:
        return []
    e = EventRow
    query = sa.select(e.id, e.day, e.scope, e.text, e.created_by, e.created_at).where(
        e.scope.in_(wanted), e.retired_at.is_(None))
    # The unknown unit is no place the Loket was rolled out to.
    units = sa.select(Unit.code, Unit.rollout_on).where(Unit.code.in_(wanted), Unit.code != UNKNOWN_UNIT,
                                                        Unit.rollout_on.is_not(None))
    if start is not None:
        query, units = query.where(e.day >= start), units.where(Unit.rollout_on >= start)
    if end is not None:
        query, units = query.where(e.day <= end), units.where(Unit.rollout_on <= end)
    with engine.connect() as conn:
        recorded = [Event(r.day, r.scope, r.text, RECORDED, r.id, r.created_by, r.created_at)
                    for r in conn.execute(query)]
        rollouts = [Event(r.rollout_on, r.code, "", ROLLOUT) for r in conn.execute(units)]
    # Roll-outs first on the same day: the Loket's arrival explains what was recorded around it.
    return sorted(rollouts + recorded, key=lambda ev: (ev.day, ev.kind != ROLLOUT, ev.scope, ev.id or 0))


def rollout_digest(conn: sa.Connection) -> str:
    """Return a digest of the units' roll-out dates (the timeline shows them; events themselves are only added or
    retired, which `queries.catalogue.data_version` counts)."""
    rollouts = conn.execute(sa.select(Unit.code, Unit.rollout_on).order_by(Unit.code)).all()
    # A digest, not hash(): every app process (sharing one Redis) must compute the same page key.
    return hashlib.sha256(repr([tuple(r) for r in rollouts]).encode()).hexdigest()[:16]
