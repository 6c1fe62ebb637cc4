"""A small, explicit store for the monitor pages' tests, built once per test session and copied per module.

2013 and the first quarter of 2014, published as of 2 April 2014: Noord-Nederland (NN) has 5
registrations a month, Limburg (LB) 3 and Amsterdam (AM) 2, with intakes, closures, referrals,
screening, anonymity wishes, contacts (office hours, evenings, weekends) and survey answers; the
website has visits every month. The commissioner recorded an expected waiting time.
"""
from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import plotly.graph_objects as go
import sqlalchemy as sa

from queries import catalogue
from queries.accounts import users
from queries.privacy import Policy
from queries.store.schema import Contact, IndicatorTarget, Survey, WebsiteVisits
from tests.stores import built_once, copy_store
from tests.factories import add_registrations, add_units, cheap_hashes, registration

TODAY = dt.date(2014, 4, 2)
PROGRAMME = ("m-programme", "programme-pass-001")
UNIT = ("m-unit-nn", "unit-nn-pass-00001")
PER_MONTH = {"NN": 5, "LB": 3, "AM": 2}
EXPECTED_WAITING = 10.0

PRODUCTS = ("short_term", "info_advice", "process_guidance", "short_term", "info_advice")
GROUPS = ("current_staff", "current_staff", "former_staff", "manager", "current_staff")
WAIT_DAYS = (5, 10, 20, 7, 12)
REFERRALS = ("back_to_unit", "none_needed", "external_gp", "back_to_unit", "none_needed")
SESSIONS = (3, 1, 16, 4, 2)
_contact_ids = itertools.count(1)


def _months() -> list[tuple[int, int]]:
    return [(2013, m) for m in range(1, 13)] + [(2014, m) for m in range(1, 4)]


def _registrations() -> list[dict]:
    rows = []
    for (year, month), (unit, n) in itertools.product(_months(), PER_MONTH.items()):
        for i in range(n):
            day = dt.date(year, month, 1 + 5 * i + list(PER_MONTH).index(unit))
            closed = (year, month) <= (2013, 10)
            rows.append(registration(
                day, unit, product=PRODUCTS[i], target_group=GROUPS[i], gender="female" if i % 2 else "male",
                first_intake_on=day + dt.timedelta(days=WAIT_DAYS[i]),
                closed_on=day + dt.timedelta(days=60) if closed else None,
                referral_outcome=REFERRALS[i] if closed else None, work_status="working" if closed else None,
                sessions_count=SESSIONS[i], counsellor_changes=1 if i == 2 else 0,
                tcl_done=i % 2 == 0, tcl_above_cutoff=(i == 0) if i % 2 == 0 else None,
                anonymity_wish=i in (1, 2), anonymity_reason={1: "career", 2: "private"}.get(i),
            ))
    return rows


def _contacts(rows: list[dict]) -> list[dict]:
    out = []
    for r in rows:
        day = r["registered_on"]
        for hour, channel in ((10, "phone"), (21, "phone"), (14, "email")):
            n = next(_contact_ids)
            out.append({"id": n, "source_id": f"C{n:07d}", "contacted_at": dt.datetime.combine(day, dt.time(hour)),
                        "channel": channel, "unit_code": r["unit_code"], "led_to_registration": hour == 10})
    return out


def _surveys(rows: list[dict]) -> list[dict]:
    out = []
    for n, r in enumerate(r for r in rows if r["closed_on"] is not None):
        out.append({"id": n + 1, "source_id": f"S{n + 1:07d}", "registration_id": r["id"],
                    "answered_on": r["closed_on"] + dt.timedelta(days=5), "grade": (8, 6, 9, 7)[n % 4],
                    "goals_reached": ("yes", "partly", "yes", "no")[n % 4], "expectations_met": n % 4 != 1,
                    "work_resumed": n % 3 != 0, "rating_reachability": 8, "rating_waiting_time": 7,
                    "rating_expertise": 9, "rating_treatment": 8})
    return out


def fill(engine: sa.Engine) -> None:
    """Write the registrations, contacts, surveys, website visits and an expected value, then publish."""
    rows = _registrations()
    with engine.begin() as conn:
        add_units(conn)
        add_registrations(conn, rows)
        conn.execute(sa.insert(Contact), _contacts(rows))
        conn.execute(sa.insert(Survey), _surveys(rows))
        months = [(2012, m) for m in range(5, 13)] + _months()
        conn.execute(sa.insert(WebsiteVisits), [
            {"month": dt.date(y, m, 1), "visits": 600 + m, "new_visits": 480 + m, "returning_visits": 120}
            for y, m in months])
        conn.execute(sa.insert(IndicatorTarget), [  # every row with every key: executemany takes the first's
            {"indicator": "waiting_median", "expected_value": EXPECTED_WAITING, "valid_from": dt.date(2013, 1, 1),
             "retired_at": None, "product": None},
            {"indicator": "waiting_median", "expected_value": 99.0, "valid_from": dt.date(2012, 1, 1),
             "retired_at": dt.datetime(2012, 12, 31), "product": None},
            {"indicator": "grade_mean", "expected_value": 7.5, "valid_from": dt.date(2013, 1, 1),
             "retired_at": None, "product": "short_term"},
        ])
    catalogue.refresh(engine, Policy(), today=TODAY)


def _fill_with_accounts(engine: sa.Engine) -> None:
    fill(engine)
    with cheap_hashes():
        users.add_user(engine, *PROGRAMME, "programme")
        users.add_user(engine, *UNIT, "unit", "NN")


def template(tmp_path_factory) -> Path:
    """Return the path of the filled store with its accounts, building it on first use in the session."""
    return built_once(tmp_path_factory, "monitor", _fill_with_accounts)


def fresh_copy(tmp_path_factory, name: str) -> sa.Engine:
    """Return an engine on a new copy of the session's template store, in a folder of its own."""
    return copy_store(template(tmp_path_factory), tmp_path_factory.mktemp(name))


def walk(component):
    """Yield every component of a layout tree."""
    yield component
    children = getattr(component, "children", None)
    if isinstance(children, (list, tuple)):
        for child in children:
            yield from walk(child)
    elif children is not None and hasattr(children, "to_plotly_json"):
        yield from walk(children)


def figure_of(graph_or_spec) -> go.Figure:
    """Return a chart (a dcc.Graph's figure, or a builder's spec) as plotly's validated figure object.

    The builders return plain plotly.js specs; plotly.graph_objects raises on any property plotly.js
    does not know, so every test that reads a chart also checks the spec is valid.
    """
    return go.Figure(getattr(graph_or_spec, "figure", graph_or_spec))
