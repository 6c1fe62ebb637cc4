"""Replay a store's history: the store as it held its data on a given day, for simulating monthly releases."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import sqlalchemy as sa

from queries.store.schema import Contact, Registration, RegistrationQuestion, Session, Survey, Unit, WebsiteVisits

# Parents before children (inserts), children before parents (deletes).
TABLES = (Unit, Registration, RegistrationQuestion, Session, Survey, Contact, WebsiteVisits)
DATES = {"registrations": ("registered_on", "first_intake_on", "closed_on"), "sessions": ("held_on",),
         "surveys": ("answered_on",), "website_visits": ("month",), "units": ("rollout_on",)}


def _read(conn: sa.Connection, model) -> pd.DataFrame:
    frame = pd.read_sql(sa.select(model.__table__), conn)
    for column in DATES.get(model.__tablename__, ()):
        frame[column] = pd.to_datetime(frame[column]).dt.date
    if model is Contact:
        frame["contacted_at"] = pd.to_datetime(frame["contacted_at"])
    return frame


def as_held_on(source: sa.Engine, target: sa.Engine, day: dt.date) -> None:
    """Replace the target's data with the source's as recorded before `day`: no later registrations,
    intakes, closures, sessions, surveys, contacts or website months."""
    with source.connect() as conn:
        data = {model.__tablename__: _read(conn, model) for model in TABLES}
    regs = data["registrations"]
    regs = regs[regs["registered_on"] < day].copy()
    late_intake = regs["first_intake_on"].notna() & (regs["first_intake_on"] >= day)
    regs.loc[late_intake, ["first_intake_on", "tcl_above_cutoff"]] = None
    regs.loc[late_intake, "tcl_done"] = False
    open_ = regs["closed_on"].notna() & (regs["closed_on"] >= day)
    regs.loc[open_, ["closed_on", "referral_outcome", "work_status"]] = None
    sessions = data["sessions"]
    sessions = sessions[(sessions["held_on"] < day) & sessions["registration_id"].isin(regs["id"])]
    regs["sessions_count"] = regs["id"].map(sessions.groupby("registration_id").size()).fillna(0).astype(int)
    questions = data["registration_questions"]
    surveys = data["surveys"]
    surveys = surveys[(surveys["answered_on"] < day)
                      & (surveys["registration_id"].isna() | surveys["registration_id"].isin(regs["id"]))]
    contacts = data["contacts"]
    kept = {
        "units": data["units"], "registrations": regs,
        "registration_questions": questions[questions["registration_id"].isin(regs["id"])],
        "sessions": sessions, "surveys": surveys,
        "contacts": contacts[contacts["contacted_at"] < pd.Timestamp(day)],
        "website_visits": data["website_visits"][data["website_visits"]["month"] < day.replace(day=1)],
    }
    with target.begin() as conn:
        for model in reversed(TABLES):
            conn.execute(model.__table__.delete())
        for model in TABLES:
            frame = kept[model.__tablename__]
            if frame.empty:
                continue
            records = frame.astype(object).where(frame.notna(), None).to_dict("records")
            conn.execute(sa.insert(model.__table__), records)
