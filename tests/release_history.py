"""Replay a store's history: the store as it held its data on a given day, for simulating monthly releases."""
from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3

import sqlalchemy as sa

from queries.store.schema import (
    Contact, ProtectedBlock, Registration, RegistrationQuestion, Session, Survey, Unit, WebsiteVisits,
)

# Parents before children (inserts), children before parents (deletes).
TABLES = (Unit, Registration, RegistrationQuestion, Session, Survey, Contact, WebsiteVisits)
KEPT = "main.registrations"  # the registrations already copied, which the other rows must belong to
# Per table: which of the source's rows it held on the cut day (`:cut`, `:month`), in SQLite.
WHERE = {
    "units": "1",
    "registrations": "registered_on < :cut",
    "registration_questions": f"registration_id IN (SELECT id FROM {KEPT})",
    "sessions": f"held_on < :cut AND registration_id IN (SELECT id FROM {KEPT})",
    "surveys": f"answered_on < :cut AND (registration_id IS NULL OR registration_id IN (SELECT id FROM {KEPT}))",
    "contacts": "contacted_at < :cut",
    "website_visits": "month < :month",
}
# What was not yet known on the cut day: a later intake (and its screening), a later closure.
NOT_YET = (
    "UPDATE registrations SET first_intake_on = NULL, tcl_above_cutoff = NULL, tcl_done = 0 "
    "WHERE first_intake_on >= :cut",
    "UPDATE registrations SET closed_on = NULL, referral_outcome = NULL, work_status = NULL WHERE closed_on >= :cut",
    "UPDATE registrations SET sessions_count = "
    "(SELECT count(*) FROM sessions WHERE sessions.registration_id = registrations.id)",
)


def _path(engine: sa.Engine) -> str:
    if engine.dialect.name != "sqlite":
        raise ValueError("the history replays SQLite stores only")
    return engine.url.database


def as_held_on(source: sa.Engine, target: sa.Engine, day: dt.date) -> None:
    """Replace the target's data with the source's as recorded before `day`: no later registrations,
    intakes, closures, sessions, surveys, contacts or website months (the target's catalogue stays)."""
    # In SQL, between the two files: a demo store holds hundreds of thousands of rows.
    params = {"cut": day.isoformat(), "month": day.replace(day=1).isoformat()}
    target.dispose()  # no pooled connection holds the file while this one writes
    with contextlib.closing(sqlite3.connect(_path(target), timeout=60, isolation_level=None)) as con:
        con.execute("PRAGMA foreign_keys = ON")
        con.execute("ATTACH DATABASE ? AS src", (_path(source),))
        con.execute("BEGIN")
        for model in reversed(TABLES):
            con.execute(f"DELETE FROM main.{model.__tablename__}")
        for model in TABLES:
            name = model.__tablename__
            columns = ", ".join(c.name for c in model.__table__.columns)
            con.execute(f"INSERT INTO main.{name} ({columns}) SELECT {columns} FROM src.{name} WHERE {WHERE[name]}",
                        {k: v for k, v in params.items() if f":{k}" in WHERE[name]})
            if model is Registration:
                for statement in NOT_YET[:2]:
                    con.execute(statement, params)
        con.execute(NOT_YET[2])
        con.execute("COMMIT")


def reuse_protection(source: sa.Engine, target: sa.Engine) -> None:
    """Give the target the source's protected blocks, so that its refresh protects only the blocks whose counts
    differ: a block's digest covers its counts, the policy and the privacy code, so an equal one is the same block."""
    table = ProtectedBlock.__table__
    with source.connect() as conn:
        rows = [dict(row._mapping) for row in conn.execute(sa.select(table))]
    with target.begin() as conn:
        conn.execute(table.delete())
        if rows:
            conn.execute(sa.insert(table), rows)
