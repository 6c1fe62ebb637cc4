"""Small, explicit rows for tests that need a handful of registrations rather than the demo store."""
from __future__ import annotations

import contextlib
import datetime as dt
import functools
import itertools

import pytest
import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from dashboard import create_app
from queries.accounts import users
from queries.store.codes import UNITS
from queries.store.schema import Registration, RegistrationQuestion, Unit
from tests.http_client import basic_auth_header

_ids = itertools.count(1)


@contextlib.contextmanager
def cheap_hashes():
    """Hash passwords cheaply inside: scrypt (the default, tested in tests/dashboard/web) costs ~0.15 s a hash."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(users, "generate_password_hash",
                      functools.partial(generate_password_hash, method="pbkdf2:sha256:1000"))
        yield


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


# Accounts of the embedded login, one per role and one without a role.
ACCOUNTS = {
    "programme": ("t-programme", "programme-pass-001", "programme", None),
    "unit": ("t-unit-nn", "unit-nn-pass-00001", "unit", "NN"),
    "admin": ("t-admin", "admin-pass-0000001", "admin", None),
}
NO_ROLE = ("t-norole", "norole-pass-000001")


def add_accounts(engine) -> None:
    for name, password, role, unit in ACCOUNTS.values():
        users.add_user(engine, name, password, role, unit)
    users.add_user(engine, *NO_ROLE, None)


def headers(role: str, password: str | None = None, **extra) -> dict:
    """Return the request headers of an account's Basic login (with another password: a failed one)."""
    name, own, *_ = ACCOUNTS[role]
    return {"Authorization": basic_auth_header(name, password or own), **extra}


def make_app(engine: sa.Engine | str, **overrides):
    """Build the app on a test store: demo mode off and Flask's testing on, unless a test says otherwise."""
    url = engine if isinstance(engine, str) else engine.url.render_as_string(hide_password=False)
    return create_app({"DATABASE_URL": url, "DEMO_MODE": False, "TESTING": True, **overrides})
