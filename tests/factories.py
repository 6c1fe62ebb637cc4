"""Small, explicit rows for tests that need a handful of registrations rather than the demo store."""
from __future__ import annotations

import datetime as dt
import itertools

import sqlalchemy as sa

from queries.store.codes import UNITS
from queries.store.schema import Registration, RegistrationQuestion, Unit

_ids = itertools.count(1)


def add_units(conn: sa.Connection) -> None:
    conn.execute(sa.insert(Unit), [
        {"code": c.code, "name_nl": c.nl, "name_en": c.en, "headcount": 5000, "rollout_on": dt.date(2012, 5, 1)}
        for c in UNITS
    ])


def registration(day: dt.date, unit: str = "NN", **overrides) -> dict:
    n = next(_ids)
    row = dict(
        id=n, source_id=f"T{n:07d}", registered_on=day, target_group="current_staff", unit_code=unit,
        gender="male", age_band="35_44", channel="phone", found_via="colleague", anonymity_wish=False,
        anonymity_reason=None, product="short_term", first_intake_on=day + dt.timedelta(days=7),
        closed_on=None, sessions_count=0, counsellor_changes=0, tcl_done=False, tcl_above_cutoff=None,
        referral_outcome=None, work_status=None,
    )
    row.update(overrides)
    return row


def add_registrations(conn: sa.Connection, rows: list[dict], question: str = "workload") -> None:
    conn.execute(sa.insert(Registration), rows)
    conn.execute(sa.insert(RegistrationQuestion), [{"registration_id": r["id"], "question_type": question} for r in rows])
