"""The demo store: calibrated to the 2014 evaluation, deterministic, consistent, and scalable."""
from __future__ import annotations

import datetime as dt
import os
import statistics
import time

import pytest
import sqlalchemy as sa

from queries.store import codes
from queries import store
from queries.demo import DemoSummary, load_demo
from queries.store.schema import (
    Base, Contact, ImportBatch, IndicatorTarget, Registration, RegistrationQuestion, Session, Survey,
    Unit, WebsiteVisits,
)

UNTIL = dt.date(2026, 11, 28)
PERIOD = (dt.date(2012, 5, 1), dt.date(2014, 3, 31))  # the evaluation's period, inclusive
IN_PERIOD = Registration.registered_on.between(*PERIOD)


def _sqlite_store(path) -> sa.Engine:
    engine = store.get_engine(f"sqlite:///{path}")
    store.migrate(engine)
    return engine


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """One default demo store for the module, with the load's time and progress calls."""
    engine = _sqlite_store(tmp_path_factory.mktemp("demo") / "s.sqlite")
    calls = []
    started = time.perf_counter()
    summary = load_demo(engine, until=UNTIL, progress=lambda done, total: calls.append((done, total)))
    elapsed = time.perf_counter() - started
    yield engine, summary, elapsed, calls
    engine.dispose()


@pytest.fixture(scope="module")
def db(demo):
    engine = demo[0]
    with engine.connect() as conn:
        yield conn


def _scalar(conn, stmt):
    return conn.execute(stmt).scalar_one()


def _count(conn, model, *where):
    return _scalar(conn, sa.select(sa.func.count()).select_from(model).where(*where))


def _shares(conn, column, *where) -> dict[str, float]:
    rows = conn.execute(sa.select(column, sa.func.count()).where(*where).group_by(column)).all()
    total = sum(n for _, n in rows)
    return {code: 100 * n / total for code, n in rows}


# --------------------------------------------------------------------------------------------
# calibration to the evaluation, May 2012 - March 2014


def test_registrations_in_period_429_within_5pct(db):
    n = _count(db, Registration, IN_PERIOD)
    assert abs(n - 429) <= 0.05 * 429, n


@pytest.mark.parametrize("group, expected", [
    ("current_staff", 71), ("former_staff", 10), ("manager", 8), ("family", 6), ("trainee", 5),
])
def test_target_group_share_within_3_points(db, group, expected):
    shares = _shares(db, Registration.target_group, IN_PERIOD)
    assert abs(shares.get(group, 0) - expected) <= 3, shares


def test_other_target_groups_below_1pct_in_period(db):
    shares = _shares(db, Registration.target_group, IN_PERIOD)
    other = sum(v for k, v in shares.items() if k in ("volunteer", "peer_supporter", "care_professional"))
    assert other < 1, shares
    assert set(shares) <= set(codes.TARGET_GROUPS.values)


def test_unit_shares_nn_15_within_3_on_3_within_2(db):
    shares = _shares(db, Registration.unit_code, IN_PERIOD)
    assert abs(shares["NN"] - 15) <= 3, shares
    assert abs(shares["ON"] - 3) <= 2, shares
    assert 3 <= shares["UNK"] <= 7, shares  # about 5% do not say
    # every other unit lies between Oost- and Noord-Nederland
    others = {k: v for k, v in shares.items() if k not in ("NN", "ON", "UNK")}
    assert all(shares["ON"] <= v <= shares["NN"] for v in others.values()), shares


def test_referral_back_to_unit_25_within_4_points_of_closed(db):
    closed = (IN_PERIOD, Registration.closed_on.is_not(None))
    shares = _shares(db, Registration.referral_outcome, *closed)
    assert abs(shares["back_to_unit"] - 25) <= 4, shares
    external = sum(v for k, v in shares.items() if k.startswith("external_"))
    assert abs(external - 30) <= 5, shares  # about 30% external, over all four external codes
    assert all(shares.get(c, 0) > 0 for c in codes.REFERRAL_OUTCOMES.values), shares


def test_exactly_16_surveys_in_period_14_graded_7_or_more(db):
    in_period = Survey.answered_on.between(*PERIOD)
    assert _count(db, Survey, in_period) == 16
    assert _count(db, Survey, in_period, Survey.grade >= 7) == 14


def test_website_visits_in_period_exact(db):
    in_period = WebsiteVisits.month.between(*PERIOD)
    visits, new, returning, months = db.execute(
        sa.select(sa.func.sum(WebsiteVisits.visits), sa.func.sum(WebsiteVisits.new_visits),
                  sa.func.sum(WebsiteVisits.returning_visits), sa.func.count()).where(in_period)
    ).one()
    assert (visits, new, returning, months) == (13_973, 11_372, 2_601, 23)
    bad = _count(db, WebsiteVisits, WebsiteVisits.new_visits + WebsiteVisits.returning_visits
                 != WebsiteVisits.visits)
    assert bad == 0
    assert _count(db, WebsiteVisits, WebsiteVisits.returning_visits < 0) == 0


def test_phone_contacts_in_period_2500_within_5pct(db):
    in_period = (Contact.contacted_at >= dt.datetime(2012, 5, 1),
                 Contact.contacted_at < dt.datetime(2014, 4, 1))
    phone = _count(db, Contact, *in_period, Contact.channel == "phone")
    assert abs(phone - 2500) <= 0.05 * 2500, phone
    email = _count(db, Contact, *in_period, Contact.channel == "email")
    assert 300 <= email <= 500, email


def test_contacts_outside_office_hours_over_30pct(db):
    stamps = db.execute(sa.select(Contact.contacted_at)).scalars().all()
    outside = sum(t.weekday() >= 5 or not 9 <= t.hour < 17 for t in stamps)
    share = 100 * outside / len(stamps)
    assert 30 < share < 50, share  # brief: more than a 9-to-5 desk, about 35-45%
    night = sum(t.hour < 7 or t.hour >= 22 for t in stamps) / len(stamps)
    assert night > 0.03  # the 24/7 line is used at night too


def test_contacts_led_to_registration_one_per_registration(db):
    led = _count(db, Contact, Contact.led_to_registration.is_(True))
    assert led == _count(db, Registration)
    known = _count(db, Contact, Contact.unit_code.is_not(None)) / _count(db, Contact)
    assert 0.5 <= known <= 0.7, known  # unit known for about 60% of contacts


def test_waiting_time_median_5_to_9_days_10_to_25pct_beyond_14(db):
    rows = db.execute(sa.select(Registration.registered_on, Registration.first_intake_on)
                      .where(IN_PERIOD, Registration.first_intake_on.is_not(None))).all()
    waits = [(intake - reg).days for reg, intake in rows]
    assert 5 <= statistics.median(waits) <= 9
    beyond = sum(w > 14 for w in waits) / len(waits)
    assert 0.10 <= beyond <= 0.25, beyond
    no_intake = _count(db, Registration, IN_PERIOD, Registration.first_intake_on.is_(None))
    assert 0.05 <= no_intake / _count(db, Registration, IN_PERIOD) <= 0.15


# --------------------------------------------------------------------------------------------
# units and the timeline


def test_units_headcount_and_rollout(db):
    units = {u.code: u for u in db.execute(sa.select(Unit)).all()}
    assert set(units) == set(codes.UNITS.values)
    assert units["UNK"].headcount is None
    total = sum(u.headcount for u in units.values() if u.headcount)
    assert 60_000 <= total <= 66_000, total
    assert units["NN"].rollout_on == dt.date(2012, 5, 1)
    assert units["AM"].rollout_on == units["ZWB"].rollout_on == dt.date(2013, 11, 1)
    others = [u.rollout_on for c, u in units.items() if c not in ("NN", "AM", "ZWB", "UNK")]
    assert all(dt.date(2012, 6, 1) <= d <= dt.date(2013, 9, 30) for d in others), others


def test_no_registration_or_contact_before_unit_rollout(db):
    early_reg = _count(db, Registration.__table__.join(Unit.__table__),
                       Registration.registered_on < Unit.rollout_on)
    early_contact = _count(db, Contact.__table__.join(Unit.__table__),
                           Contact.contacted_at < sa.cast(Unit.rollout_on, sa.DateTime))
    assert (early_reg, early_contact) == (0, 0)
    # but each unit does start in its roll-out month
    first = dict(db.execute(sa.select(Registration.unit_code, sa.func.min(Registration.registered_on))
                            .group_by(Registration.unit_code)).all())
    assert first["NN"] < dt.date(2012, 6, 1)
    assert first["AM"] >= dt.date(2013, 11, 1)


def test_last_month_is_2026_10_with_registrations(db):
    last = _scalar(db, sa.select(sa.func.max(Registration.registered_on)))
    assert dt.date(2026, 10, 1) <= last <= dt.date(2026, 10, 31)
    assert _count(db, Registration, Registration.registered_on >= dt.date(2026, 10, 1)) > 20
    assert _scalar(db, sa.select(sa.func.max(Contact.contacted_at))) < dt.datetime(2026, 11, 1)
    for column in (Registration.first_intake_on, Registration.closed_on, Session.held_on,
                   Survey.answered_on, WebsiteVisits.month):
        assert _scalar(db, sa.select(sa.func.max(column))) <= dt.date(2026, 10, 31)


def test_growth_after_2014(db):
    def per_month(year):
        n = _count(db, Registration, Registration.registered_on.between(dt.date(year, 1, 1), dt.date(year, 12, 31)))
        return n / 12
    assert 25 <= per_month(2015) <= 45
    assert 40 <= per_month(2025) <= 65
    visits = dict(db.execute(sa.select(WebsiteVisits.month, WebsiteVisits.visits)).all())
    assert visits[dt.date(2026, 10, 1)] > 2 * visits[dt.date(2014, 3, 1)]


def test_recent_registrations_mostly_open(db):
    recent = Registration.registered_on >= dt.date(2026, 9, 1)
    open_ = _count(db, Registration, recent, Registration.closed_on.is_(None))
    assert open_ / _count(db, Registration, recent) > 0.6
    # referral outcome and work status exist exactly for the closed registrations
    closed = Registration.closed_on.is_not(None)
    assert _count(db, Registration, closed, Registration.referral_outcome.is_(None)) == 0
    assert _count(db, Registration, ~closed, Registration.referral_outcome.is_not(None)) == 0
    assert _count(db, Registration, ~closed, Registration.work_status.is_not(None)) == 0
    assert _count(db, Registration, closed, Registration.work_status.is_(None)) == 0


def test_survey_response_rate_improves(db):
    def rate(first, last):
        closed = _count(db, Registration, Registration.closed_on.between(first, last))
        answered = _count(db, Survey.__table__.join(Registration.__table__),
                          Registration.closed_on.between(first, last))
        return answered / closed
    assert rate(dt.date(2012, 5, 1), dt.date(2014, 3, 31)) < 0.08
    assert 0.2 <= rate(dt.date(2023, 1, 1), dt.date(2025, 12, 31)) <= 0.4


# --------------------------------------------------------------------------------------------
# shapes and consistency


def test_process_guidance_median_sessions_at_least_10(db):
    counts = db.execute(sa.select(Registration.sessions_count).where(
        Registration.product == "process_guidance", Registration.closed_on.is_not(None))).scalars().all()
    assert statistics.median(counts) >= 10
    assert sum(c >= 15 for c in counts) / len(counts) > 0.4  # "15 or more sessions possible"
    info = db.execute(sa.select(sa.func.max(Registration.sessions_count))
                      .where(Registration.product == "info_advice")).scalar_one()
    short = db.execute(sa.select(sa.func.max(Registration.sessions_count))
                       .where(Registration.product == "short_term")).scalar_one()
    assert (info, short) == (2, 6)


def test_product_shares(db):
    shares = _shares(db, Registration.product)
    assert abs(shares["info_advice"] - 40) <= 4
    assert abs(shares["short_term"] - 35) <= 4
    assert abs(shares["process_guidance"] - 18) <= 3
    assert set(shares) == set(codes.PRODUCTS.values)  # the whole offer is visible


def test_mean_question_types_between_1_5_and_2_2(db):
    per_reg = _count(db, RegistrationQuestion) / _count(db, Registration)
    assert 1.5 <= per_reg <= 2.2, per_reg
    most = _scalar(db, sa.select(sa.func.max(sa.select(sa.func.count()).select_from(RegistrationQuestion)
                                             .group_by(RegistrationQuestion.registration_id).subquery().c[0])))
    assert most == 4
    types = set(db.execute(sa.select(RegistrationQuestion.question_type).distinct()).scalars())
    assert types == set(codes.QUESTION_TYPES.values)
    without = _count(db, Registration, ~sa.exists().where(RegistrationQuestion.registration_id == Registration.id))
    assert without == 0


def test_sessions_match_sessions_count_and_lie_between_intake_and_closure(db):
    held = sa.select(sa.func.count()).where(Session.registration_id == Registration.id).scalar_subquery()
    assert _count(db, Registration, Registration.sessions_count != held) == 0
    outside = _count(db, Session.__table__.join(Registration.__table__),
                     sa.or_(Session.held_on < sa.func.coalesce(Registration.first_intake_on, Registration.registered_on),
                            Session.held_on > Registration.closed_on))
    assert outside == 0
    assert _count(db, Registration, Registration.closed_on < Registration.first_intake_on) == 0
    ids = db.execute(sa.select(Session.counsellor_id).distinct()).scalars().all()
    assert all(len(i) >= 4 and i[0] == "C" and i[1:].isdigit() for i in ids)


def test_evaluation_moments_in_process_guidance_mostly_but_not_always(db):
    long_pg = sa.and_(Registration.product == "process_guidance", Registration.sessions_count >= 10)
    with_eval = _count(db, Registration, long_pg, sa.exists().where(
        Session.registration_id == Registration.id, Session.evaluation_moment.is_(True)))
    share = with_eval / _count(db, Registration, long_pg)
    assert 0.5 <= share <= 0.95, share
    assert _count(db, Session.__table__.join(Registration.__table__),
                  Registration.product.in_(["info_advice", "short_term"]),
                  Session.evaluation_moment.is_(True)) == 0


def test_counsellor_changes_mostly_zero(db):
    zero = _count(db, Registration, Registration.counsellor_changes == 0)
    assert zero / _count(db, Registration) > 0.8
    assert _count(db, Registration, Registration.counsellor_changes >= Registration.sessions_count,
                  Registration.counsellor_changes > 0) == 0


def test_anonymity_and_tcl_nulls_are_consistent(db):
    n = _count(db, Registration)
    anon = _count(db, Registration, Registration.anonymity_wish.is_(True))
    assert 0.25 <= anon / n <= 0.35
    assert _count(db, Registration, Registration.anonymity_wish.is_(True),
                  Registration.anonymity_reason.is_(None)) == 0
    assert _count(db, Registration, Registration.anonymity_wish.is_(False),
                  Registration.anonymity_reason.is_not(None)) == 0
    done = _count(db, Registration, Registration.tcl_done.is_(True))
    above = _count(db, Registration, Registration.tcl_above_cutoff.is_(True))
    assert 0.5 <= done / n <= 0.7
    assert 0.25 <= above / done <= 0.45
    assert _count(db, Registration, Registration.tcl_done.is_(False),
                  Registration.tcl_above_cutoff.is_not(None)) == 0
    assert _count(db, Registration, Registration.tcl_done.is_(True),
                  Registration.tcl_above_cutoff.is_(None)) == 0


@pytest.mark.parametrize("column, code_list", [
    (Registration.target_group, codes.TARGET_GROUPS), (Registration.gender, codes.GENDERS),
    (Registration.age_band, codes.AGE_BANDS), (Registration.channel, codes.CHANNELS),
    (Registration.found_via, codes.FOUND_VIA), (Registration.product, codes.PRODUCTS),
    (Registration.anonymity_reason, codes.ANONYMITY_REASONS),
    (Registration.referral_outcome, codes.REFERRAL_OUTCOMES),
    (Registration.work_status, codes.WORK_STATUSES), (Contact.channel, codes.CHANNELS),
    (Contact.target_group, codes.TARGET_GROUPS), (Session.mode, codes.SESSION_MODES),
    (Survey.goals_reached, codes.GOALS_REACHED), (Survey.found_via, codes.FOUND_VIA),
])
def test_every_code_is_in_its_code_list(db, column, code_list):
    used = set(db.execute(sa.select(column).distinct()).scalars()) - {None}
    assert used and used <= set(code_list.values), used - set(code_list.values)


def test_phone_is_the_main_channel(db):
    shares = _shares(db, Registration.channel, IN_PERIOD)
    assert 75 <= shares["phone"] <= 95, shares


def test_summary_matches_tables_and_progress_reaches_total(demo, db):
    _, summary, _, calls = demo
    assert isinstance(summary, DemoSummary)
    assert summary.registrations == _count(db, Registration)
    assert summary.contacts == _count(db, Contact)
    assert summary.sessions == _count(db, Session)
    assert summary.surveys == _count(db, Survey)
    assert summary.website_months == _count(db, WebsiteVisits) == 174
    assert f"{summary.registrations:,} registrations" in str(summary)
    assert calls and calls[-1] == (summary.registrations, summary.registrations)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    source_ids = db.execute(sa.select(Registration.source_id).order_by(Registration.id).limit(2)).scalars().all()
    assert source_ids == ["R0000001", "R0000002"]


def test_default_load_is_fast(demo):
    assert demo[2] < 20, f"default demo load took {demo[2]:.1f} s"


# --------------------------------------------------------------------------------------------
# determinism and replacement


def _registration_rows(engine):
    with engine.connect() as conn:
        return conn.execute(sa.select(Registration.__table__).order_by(Registration.id)).all()


def test_same_seed_same_rows_other_seed_differs_and_other_tables_survive(demo, tmp_path):
    first = _registration_rows(demo[0])
    engine = _sqlite_store(tmp_path / "again.sqlite")
    try:
        with engine.begin() as conn:
            conn.execute(sa.insert(IndicatorTarget), dict(
                indicator="waiting_median", expected_value=7.0, valid_from=dt.date(2014, 1, 1)))
            conn.execute(sa.insert(ImportBatch), dict(
                kind="registrations", filename="x.csv", file_hash="0" * 64, imported_by="t",
                started_at=dt.datetime(2026, 1, 1), status="done"))
        load_demo(engine, seed=7, until=UNTIL)
        other = _registration_rows(engine)
        assert other != first
        load_demo(engine, until=UNTIL)  # the default seed again, over a filled store
        assert _registration_rows(engine) == first
        with engine.connect() as conn:
            assert _count(conn, IndicatorTarget) == 1   # not demo data: left alone
            assert _count(conn, ImportBatch) == 0       # demo replaces the import history
    finally:
        engine.dispose()


def test_scale_mode_gives_exact_count(tmp_path):
    engine = _sqlite_store(tmp_path / "scale.sqlite")
    try:
        summary = load_demo(engine, registrations=3_000, until=UNTIL)
        with engine.connect() as conn:
            assert summary.registrations == _count(conn, Registration) == 3_000
            ratio = _count(conn, Contact) / 3_000
            assert 4 <= ratio <= 8, ratio
            shares = _shares(conn, Registration.product)
            assert abs(shares["info_advice"] - 40) <= 3
    finally:
        engine.dispose()


# --------------------------------------------------------------------------------------------
# PostgreSQL


@pytest.fixture
def pg_engine():
    url = os.environ.get("LOKET_TEST_PG_URL")
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail("LOKET_TEST_PG_URL must be set when CI=true")
        pytest.skip("LOKET_TEST_PG_URL not set")
    engine = store.get_engine(url)
    try:
        store.migrate(engine)
    except Exception:  # tables from another revision: start over
        with engine.begin() as conn:
            Base.metadata.drop_all(conn)
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        store.migrate(engine)
    yield engine
    engine.dispose()


def test_postgresql_5000_registrations_and_reload_replaces(pg_engine):
    for _ in range(2):
        summary = load_demo(pg_engine, registrations=5_000, until=UNTIL)
        with pg_engine.connect() as conn:
            assert summary.registrations == _count(conn, Registration) == 5_000
            assert summary.contacts == _count(conn, Contact)
            assert _count(conn, Unit) == len(codes.UNITS.values)
    with pg_engine.begin() as conn:  # sequences moved past the explicit ids
        new_id = conn.execute(sa.insert(Contact).returning(Contact.id), dict(
            source_id="TEST-1", contacted_at=dt.datetime(2026, 11, 1), channel="phone")).scalar_one()
        assert new_id == summary.contacts + 1
        conn.execute(sa.delete(Contact).where(Contact.id == new_id))
