"""Loading the demo into the store: replace its data, generate chunk by chunk, write each with COPY or executemany."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable

import numpy as np
import sqlalchemy as sa

from queries.demo import generate, timeline
from queries.demo.calibration import (
    AGE_BANDS, CHANNELS, FOUND_VIA, GENDERS, GOALS, MODES, PRODUCTS, QUESTIONS, REASONS, REFERRALS, START, TG,
    UNIT_CODES, UNIT_SETUP, WORK,
)
from queries.store import codes
from queries.store.schema import (
    Contact, ImportBatch, Registration, RegistrationQuestion, Session, Survey, Unit, WebsiteVisits,
)

INSERT_ROWS = 25_000          # rows per executemany

# Tables the demo owns, children first (the FK-safe delete order); units are updated in place.
DEMO_TABLES = (Survey, Session, RegistrationQuestion, Contact, Registration, WebsiteVisits, ImportBatch)


@dataclass(frozen=True)
class DemoSummary:
    """What `load_demo` wrote."""

    registrations: int
    contacts: int
    sessions: int
    surveys: int
    website_months: int
    question_types: int = 0
    first_month: dt.date | None = None
    last_month: dt.date | None = None

    @property
    def rows(self) -> int:
        """Return the number of data rows written (units excluded)."""
        return (self.registrations + self.contacts + self.sessions + self.surveys
                + self.website_months + self.question_types)

    def __str__(self) -> str:
        period = ""
        if self.first_month and self.last_month:
            period = f" ({self.first_month:%Y-%m} to {self.last_month:%Y-%m})"
        return (f"{self.registrations:,} registrations, {self.contacts:,} contacts, "
                f"{self.sessions:,} sessions, {self.surveys:,} survey responses, "
                f"{self.website_months:,} month{'s' if self.website_months != 1 else ''} of website visits{period}")


class _Writer:
    """Inserts column arrays in the caller's transaction: raw executemany on SQLite, binary COPY on
    PostgreSQL through psycopg 3, Core insert() executemany elsewhere.

    COPY is given the same Python values the Core path would be (dates as date, timestamps as
    datetime, bools, None), dumped by psycopg in the binary format of the table's own column types.
    """

    use_copy = True  # False: Core insert() on PostgreSQL too (the older, slower path; benchmarks)

    def __init__(self, conn: sa.Connection):
        self.conn = conn
        self.sqlite = conn.dialect.name == "sqlite"
        self.copy = (self.use_copy and conn.dialect.name == "postgresql"
                     and conn.dialect.driver == "psycopg")
        self._oids: dict[str, dict[str, int]] = {}  # table -> column -> type oid, for binary COPY

    def _date(self, days: np.ndarray) -> list:
        null = days < 0
        d = days.astype("datetime64[D]")
        if self.sqlite:
            out = np.datetime_as_string(d, unit="D").astype(object)
        else:
            out = d.astype(object)
        out[null] = None
        return out.tolist()

    def _timestamp(self, seconds: np.ndarray) -> list:
        t = seconds.astype("datetime64[s]").astype("datetime64[us]")
        if self.sqlite:
            return np.strings.replace(np.datetime_as_string(t, unit="us"), "T", " ").tolist()
        return t.astype(object).tolist()

    @staticmethod
    def _code(values: list[str], idx: np.ndarray) -> list:
        table = np.array(list(values) + [None], dtype=object)
        return table[idx].tolist()  # -1 -> None

    @staticmethod
    def _nullable(values: np.ndarray, as_bool: bool = False) -> list:
        out = (values.astype(bool) if as_bool else values).astype(object)
        out[values < 0] = None
        return out.tolist()

    def insert(self, table: sa.Table, columns: dict[str, Callable[[slice], list]], n: int) -> None:
        names = list(columns)
        for start in range(0, n, INSERT_ROWS):
            s = slice(start, min(n, start + INSERT_ROWS))
            cols = [columns[c](s) for c in names]
            if self.sqlite:
                q = self.conn.dialect.identifier_preparer.quote
                sql = (f"INSERT INTO {q(table.name)} ({', '.join(q(c) for c in names)}) "
                       f"VALUES ({', '.join('?' * len(names))})")
                self.conn.exec_driver_sql(sql, list(zip(*cols)))
            elif self.copy:
                self._copy(table, names, cols)
            else:
                self.conn.execute(table.insert(), [dict(zip(names, row)) for row in zip(*cols)])

    def _copy(self, table: sa.Table, names: list[str], cols: list[list]) -> None:
        """COPY ... FROM STDIN (FORMAT BINARY) on the psycopg connection of our transaction."""
        q = self.conn.dialect.identifier_preparer.quote
        sql = f"COPY {q(table.name)} ({', '.join(q(c) for c in names)}) FROM STDIN (FORMAT BINARY)"
        with self.conn.connection.driver_connection.cursor() as cur:
            oids = self._oids.get(table.name)
            if oids is None:  # binary COPY must send each column in the type the database has
                cur.execute("SELECT attname, atttypid::int FROM pg_attribute "
                            "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
                            (q(table.name),))
                oids = self._oids[table.name] = dict(cur.fetchall())
            with cur.copy(sql) as copy:
                copy.set_types([oids[c] for c in names])
                for row in zip(*cols):
                    copy.write_row(row)


def _source_ids(prefix: str, ids: np.ndarray) -> list[str]:
    return [f"{prefix}{i:07d}" for i in ids.tolist()]


def _write_chunk(w: _Writer, r: dict, contacts: dict, surveys: dict) -> tuple[int, int, int, int, int]:
    n = len(r["id"])
    w.insert(Registration.__table__, {
        "id": lambda s: r["id"][s].tolist(),
        "source_id": lambda s: _source_ids("R", r["id"][s]),
        "registered_on": lambda s: w._date(r["reg"][s]),
        "target_group": lambda s: w._code(TG, r["tg"][s]),
        "unit_code": lambda s: w._code(UNIT_CODES, r["unit"][s]),
        "gender": lambda s: w._code(GENDERS, r["gender"][s]),
        "age_band": lambda s: w._code(AGE_BANDS, r["age"][s]),
        "channel": lambda s: w._code(CHANNELS, r["channel"][s]),
        "found_via": lambda s: w._code(FOUND_VIA, r["found"][s]),
        "anonymity_wish": lambda s: r["anon"][s].tolist(),
        "anonymity_reason": lambda s: w._code(REASONS, r["reason"][s]),
        "product": lambda s: w._code(PRODUCTS, r["product"][s]),
        "first_intake_on": lambda s: w._date(r["intake"][s]),
        "closed_on": lambda s: w._date(r["closed"][s]),
        "sessions_count": lambda s: r["sessions_count"][s].tolist(),
        "counsellor_changes": lambda s: r["changes"][s].tolist(),
        "tcl_done": lambda s: r["tcl_done"][s].tolist(),
        "tcl_above_cutoff": lambda s: w._nullable(r["tcl_above"][s], as_bool=True),
        "referral_outcome": lambda s: w._code(REFERRALS, r["referral"][s]),
        "work_status": lambda s: w._code(WORK, r["work"][s]),
    }, n)
    q_rows, q_types = r["questions"]
    q_ids = r["id"][q_rows]
    w.insert(RegistrationQuestion.__table__, {
        "registration_id": lambda s: q_ids[s].tolist(),
        "question_type": lambda s: w._code(QUESTIONS, q_types[s]),
    }, len(q_rows))
    ss = r["sessions"]
    n_s = len(ss["held_on"])
    s_ids = r["session_id0"] + 1 + np.arange(n_s)
    w.insert(Session.__table__, {
        "id": lambda s: s_ids[s].tolist(),
        "source_id": lambda s: _source_ids("S", s_ids[s]),
        "registration_id": lambda s: ss["registration_id"][s].tolist(),
        "held_on": lambda s: w._date(ss["held_on"][s]),
        "mode": lambda s: w._code(MODES, ss["mode"][s]),
        "counsellor_id": lambda s: [f"C{i + 1:03d}" for i in ss["counsellor"][s].tolist()],
        "evaluation_moment": lambda s: ss["evaluation_moment"][s].tolist(),
    }, n_s)
    c = contacts
    n_c = len(c["id"])
    w.insert(Contact.__table__, {
        "id": lambda s: c["id"][s].tolist(),
        "source_id": lambda s: _source_ids("C", c["id"][s]),
        "contacted_at": lambda s: w._timestamp(c["contacted_at"][s]),
        "channel": lambda s: w._code(CHANNELS, c["channel"][s]),
        "unit_code": lambda s: w._code(UNIT_CODES, c["unit_code"][s]),
        "target_group": lambda s: w._code(TG, c["target_group"][s]),
        "led_to_registration": lambda s: c["led_to_registration"][s].tolist(),
    }, n_c)
    v = surveys
    n_v = len(v["id"])
    w.insert(Survey.__table__, {
        "id": lambda s: v["id"][s].tolist(),
        "source_id": lambda s: _source_ids("Q", v["id"][s]),
        "registration_id": lambda s: v["registration_id"][s].tolist(),
        "answered_on": lambda s: w._date(v["answered_on"][s]),
        "grade": lambda s: v["grade"][s].tolist(),
        "goals_reached": lambda s: w._code(GOALS, v["goals_reached"][s]),
        "expectations_met": lambda s: v["expectations_met"][s].tolist(),
        "work_resumed": lambda s: w._nullable(v["work_resumed"][s], as_bool=True),
        **{col: (lambda s, col=col: w._nullable(v[col][s]))
           for col in ("rating_reachability", "rating_waiting_time", "rating_expertise",
                       "rating_treatment")},
        "found_via": lambda s: w._code(FOUND_VIA, v["found_via"][s]),
    }, n_v)
    return n, n_c, n_s, n_v, len(q_rows)


def _replace_units(conn: sa.Connection) -> None:
    """Put the code list's units in place, updating rows other tables may still reference."""
    units = Unit.__table__
    existing = set(conn.execute(sa.select(units.c.code)).scalars())
    wanted = list(UNIT_CODES)
    extra = existing - set(wanted)
    if extra:
        conn.execute(units.delete().where(units.c.code.in_(extra)))
    for code in wanted:
        headcount, rollout = UNIT_SETUP[code]
        values = dict(name_nl=codes.UNITS.label(code, "nl"), name_en=codes.UNITS.label(code, "en"),
                      headcount=headcount, rollout_on=rollout)
        if code in existing:
            conn.execute(units.update().where(units.c.code == code).values(**values))
        else:
            conn.execute(units.insert().values(code=code, **values))


def _reset_sequences(conn: sa.Connection) -> None:
    """On PostgreSQL, move id sequences past the explicit ids the demo inserted."""
    if conn.dialect.name != "postgresql":
        return
    for model in DEMO_TABLES:
        table = model.__table__
        col = table.autoincrement_column
        if col is None:
            continue
        conn.execute(
            sa.text("SELECT setval(pg_get_serial_sequence(:t, :c), "
                    f"COALESCE((SELECT MAX({col.name}) FROM {table.name}), 0) + 1, false)"),
            {"t": table.name, "c": col.name},
        )


def load_demo(engine: sa.Engine, *, seed: int = 2014, registrations: int | None = None,
              until: dt.date | None = None,
              progress: Callable[[int, int], None] | None = None) -> DemoSummary:
    """Replace the store's data with deterministic demo data and return what was written.

    Data runs from May 2012 to the last complete month before `until` (default: today).
    `registrations=None` gives the calibrated history (429 registrations up to March 2014, then
    growth); an integer spreads that many registrations over the same timeline with the same
    shapes. `progress(done, total)` is called after every batch.
    """
    until = until or dt.date.today()
    root = np.random.default_rng(seed)
    plan_rng, web_rng, gen_rng = root.spawn(3)
    plan = timeline.plan(plan_rng, until, registrations)
    total = int(plan.counts.sum())
    ids = generate.Ids()
    written = np.zeros(5, dtype=np.int64)
    with engine.begin() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            conn.exec_driver_sql("PRAGMA cache_size=-65536")  # 64 MB page cache while loading
        try:
            for model in DEMO_TABLES:
                conn.execute(model.__table__.delete())
            _replace_units(conn)
            w = _Writer(conn)
            web = generate.website(web_rng, plan)
            w.insert(WebsiteVisits.__table__, {
                "month": lambda s: w._date(web["month"][s]),
                **{c: (lambda s, c=c: web[c][s].tolist())
                   for c in ("visits", "new_visits", "returning_visits")},
            }, len(web["month"]))
            if progress:
                progress(0, total)
            for a, b in timeline.chunks(plan):
                calibration_chunk = plan.calibrated and a == 0
                r = generate.registrations(gen_rng, plan, a, b, ids)
                if not r:
                    continue
                r["session_id0"] = ids.session
                ids.session += len(r["sessions"]["held_on"])
                contacts = generate.contacts(gen_rng, plan, r, a, b, calibration_chunk, ids)
                surveys = generate.surveys(gen_rng, plan, r, calibration_chunk, ids)
                written += _write_chunk(w, r, contacts, surveys)
                if progress:
                    progress(int(written[0]), total)
            _reset_sequences(conn)
        finally:
            if sqlite:
                conn.exec_driver_sql("PRAGMA cache_size=-2000")  # SQLite's default
    return DemoSummary(
        registrations=int(written[0]), contacts=int(written[1]), sessions=int(written[2]),
        surveys=int(written[3]), website_months=len(web["month"]), question_types=int(written[4]),
        first_month=START, last_month=plan.months[-1].astype("datetime64[D]").astype(dt.date),
    )
