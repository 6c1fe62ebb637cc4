"""The published catalogue: every protected table, built once per data refresh and stored.

Pages, exports and the API read only from `published_cells`; nothing else ever hands a figure
to a user. Building it is the single place where true counts exist outside the store.
"""
from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
import sqlalchemy as sa

from queries import codes, periods
from queries.access import NATIONAL
from queries.codes import UNITS
from queries.privacy import Policy
from queries.schema import (
    CatalogueRefresh, Contact, PublishedCell, Registration, RegistrationQuestion, Session, Survey, WebsiteVisits,
)

TOTAL = "_total"


@dataclass(frozen=True)
class CountTable:
    """A published table of counts: one population broken down by one category column.

    The categories add up to `parent` (a cell of another table, by default the population's
    total); a `multi` table's categories overlap (one registration can have several).
    """

    name: str
    population: str
    column: str | None = None
    codes: tuple[str, ...] = (TOTAL,)
    parent: tuple[str, str] | None = None
    multi: bool = False

    @property
    def parent_cell(self) -> tuple[str, str] | None:
        """Return the (table, category) its categories add up to; None for a population total."""
        if self.column is None:
            return None
        return self.parent or (self.population, TOTAL)


@dataclass(frozen=True)
class MeasureTable:
    """A published table of statistics (medians, percentiles, means) over the clients of one count cell.

    A statistic is shown only where its count cell (`counted_by`, or per `by` code that table's
    category) is itself published: that count is then at least k, and whether the statistic is
    shown tells an attacker nothing the counts do not.
    """

    name: str
    population: str
    value: str
    stats: tuple[str, ...]
    counted_by: tuple[str, str]
    by: str | None = None
    by_table: str | None = None
    by_codes: tuple[str, ...] = ()

    def count_cell(self, by_code: str) -> tuple[str, str]:
        """Return the (table, category) of the count cell under one split of the statistic."""
        return self.counted_by if by_code == TOTAL else (self.by_table, by_code)


def _t(name, population, column=None, codes_=(TOTAL,), parent=None, multi=False):
    return CountTable(name, population, column, tuple(codes_), parent, multi)


YES_NO = ("yes", "no")
COUNT_TABLES: tuple[CountTable, ...] = (
    _t("registrations", "registrations"),
    _t("registrations_by_target_group", "registrations", "target_group", codes.TARGET_GROUPS.values),
    _t("registrations_by_product", "registrations", "product", codes.PRODUCTS.values),
    _t("registrations_by_channel", "registrations", "channel", codes.CHANNELS.values),
    _t("registrations_by_gender", "registrations", "gender", codes.GENDERS.values),
    _t("registrations_by_age_band", "registrations", "age_band", codes.AGE_BANDS.values),
    _t("registrations_by_found_via", "registrations", "found_via", codes.FOUND_VIA.values),
    _t("registrations_by_question_type", "registrations", "question_type", codes.QUESTION_TYPES.values, multi=True),
    _t("registrations_by_referral", "registrations", "referral", (*codes.REFERRAL_OUTCOMES.values, "open")),
    _t("registrations_by_anonymity", "registrations", "anonymity", YES_NO),
    _t("registrations_by_anonymity_reason", "registrations", "anonymity_reason", codes.ANONYMITY_REASONS.values,
       parent=("registrations_by_anonymity", "yes")),
    _t("registrations_by_work_status", "registrations", "work_status", (*codes.WORK_STATUSES.values, "open")),
    _t("registrations_by_intake", "registrations", "intake", YES_NO),
    _t("registrations_by_waiting", "registrations", "waiting", ("within_14", "after_14"),
       parent=("registrations_by_intake", "yes")),
    _t("registrations_by_tcl", "registrations", "tcl", ("not_done", "below_cutoff", "above_cutoff")),
    _t("registrations_by_tcl_referral", "registrations", "tcl_referral", ("referred", "not_referred", "open"),
       parent=("registrations_by_tcl", "above_cutoff")),
    _t("registrations_by_counsellor_changes", "registrations", "counsellor_changes", ("0", "1", "2plus")),
    _t("registrations_by_pg_evaluation", "registrations", "pg_evaluation", ("evaluated", "not_evaluated"),
       parent=("registrations_by_product", "process_guidance")),
    _t("contacts", "contacts"),
    _t("contacts_by_channel", "contacts", "channel", codes.CHANNELS.values),
    _t("contacts_by_time_class", "contacts", "time_class", ("office", "evening", "night", "weekend")),
    _t("contacts_by_registration", "contacts", "led", YES_NO),
    _t("closures", "closures"),
    _t("closures_by_product", "closures", "product", codes.PRODUCTS.values),
    _t("surveys", "surveys"),
    _t("surveys_by_grade", "surveys", "grade_class", ("7plus", "below_7")),
    _t("surveys_by_goals", "surveys", "goals_reached", codes.GOALS_REACHED.values),
    _t("surveys_by_expectations", "surveys", "expectations", YES_NO),
    _t("surveys_by_work_resumed", "surveys", "work_resumed", (*YES_NO, "unknown")),
)
TABLES_BY_NAME = {t.name: t for t in COUNT_TABLES}

MEASURE_TABLES: tuple[MeasureTable, ...] = (
    MeasureTable("waiting_days", "registrations", "wait_days", ("median", "p80"), ("registrations_by_intake", "yes")),
    MeasureTable("throughput_days", "closures", "throughput_days", ("median",), ("closures", TOTAL),
                 "product", "closures_by_product", codes.PRODUCTS.values),
    MeasureTable("sessions_per_trajectory", "closures", "sessions_count", ("mean", "median"), ("closures", TOTAL)),
    MeasureTable("survey_grade", "surveys", "grade", ("mean",), ("surveys", TOTAL)),
    *(MeasureTable(f"survey_rating_{a}", "surveys", f"rating_{a}", ("mean",), ("surveys", TOTAL))
      for a in ("reachability", "waiting_time", "expertise", "treatment")),
)
MEASURES_BY_NAME = {m.name: m for m in MEASURE_TABLES}
PUBLIC_TABLES = ("website_visits",)


# --- reading the store ---------------------------------------------------------------------

def _month(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series).dt.strftime("%Y-%m")


def _days(later: pd.Series, earlier: pd.Series) -> pd.Series:
    return (pd.to_datetime(later) - pd.to_datetime(earlier)).dt.days


def _yes_no(flag: pd.Series) -> pd.Series:
    return flag.map({True: "yes", False: "no", 1: "yes", 0: "no"})


def _registration_frame(conn: sa.Connection) -> pd.DataFrame:
    r = Registration
    evaluations = (
        sa.select(Session.registration_id, sa.func.count().label("evaluations"))
        .where(Session.evaluation_moment.is_(True)).group_by(Session.registration_id).subquery()
    )
    query = sa.select(
        r.id, r.registered_on, r.unit_code.label("unit"), r.target_group, r.product, r.channel, r.gender,
        r.age_band, r.found_via, r.anonymity_wish, r.anonymity_reason, r.first_intake_on, r.closed_on,
        r.sessions_count, r.counsellor_changes, r.tcl_done, r.tcl_above_cutoff, r.referral_outcome, r.work_status,
        sa.func.coalesce(evaluations.c.evaluations, 0).label("evaluations"),
    ).outerjoin(evaluations, evaluations.c.registration_id == r.id)
    df = pd.read_sql(query, conn)
    df["month"] = _month(df["registered_on"])
    df["wait_days"] = _days(df["first_intake_on"], df["registered_on"])
    df["throughput_days"] = _days(df["closed_on"], df["registered_on"])
    df["intake"] = np.where(df["wait_days"].notna(), "yes", "no")
    df["waiting"] = pd.Series(np.where(df["wait_days"] <= 14, "within_14", "after_14"),
                              index=df.index).where(df["wait_days"].notna())
    df["tcl"] = np.select([~df["tcl_done"].astype(bool), df["tcl_above_cutoff"].fillna(False).astype(bool)],
                          ["not_done", "above_cutoff"], "below_cutoff")
    referred = df["referral_outcome"].map({c.code: "referred" if c.group != "none" else "not_referred"
                                           for c in codes.REFERRAL_OUTCOMES})
    df["referral"] = df["referral_outcome"].fillna("open")
    df["tcl_referral"] = referred.fillna("open").where(df["tcl"] == "above_cutoff")
    df["work_status"] = df["work_status"].fillna("open")
    df["anonymity"] = _yes_no(df["anonymity_wish"].astype(bool))
    df["anonymity_reason"] = df["anonymity_reason"].where(df["anonymity"] == "yes")
    df["counsellor_changes"] = np.select([df["counsellor_changes"] == 0, df["counsellor_changes"] == 1], ["0", "1"], "2plus")
    # An evaluation moment is due every 8 sessions at the latest (the evaluation's recommendation).
    due = df["sessions_count"] // 8
    df["pg_evaluation"] = pd.Series(np.where(df["evaluations"] >= due, "evaluated", "not_evaluated"),
                                    index=df.index).where(df["product"] == "process_guidance")
    return df


def _question_frame(conn: sa.Connection, registrations: pd.DataFrame) -> pd.DataFrame:
    q = pd.read_sql(sa.select(RegistrationQuestion.registration_id.label("id"), RegistrationQuestion.question_type), conn)
    return q.merge(registrations[["id", "month", "unit"]], on="id")


def _contact_frame(conn: sa.Connection) -> pd.DataFrame:
    c = Contact
    df = pd.read_sql(sa.select(c.contacted_at, c.channel, c.unit_code.label("unit"), c.led_to_registration), conn)
    at = pd.to_datetime(df["contacted_at"])
    hour, weekend = at.dt.hour, at.dt.day_of_week >= 5
    df["month"] = at.dt.strftime("%Y-%m")
    df["unit"] = df["unit"].fillna(codes.UNKNOWN_UNIT)
    df["time_class"] = np.select(
        [weekend, (hour >= 8) & (hour < 18), (hour >= 18) & (hour < 23)], ["weekend", "office", "evening"], "night")
    df["led"] = _yes_no(df["led_to_registration"].astype(bool))
    return df


def _survey_frame(conn: sa.Connection) -> pd.DataFrame:
    s = Survey
    query = sa.select(s.answered_on, s.grade, s.goals_reached, s.expectations_met, s.work_resumed,
                      s.rating_reachability, s.rating_waiting_time, s.rating_expertise, s.rating_treatment,
                      sa.func.coalesce(Registration.unit_code, codes.UNKNOWN_UNIT).label("unit"))
    df = pd.read_sql(query.outerjoin(Registration, Registration.id == s.registration_id), conn)
    df["month"] = _month(df["answered_on"])
    df["grade_class"] = np.where(df["grade"] >= 7, "7plus", "below_7")
    df["expectations"] = _yes_no(df["expectations_met"].astype(bool))
    df["work_resumed"] = df["work_resumed"].map({True: "yes", False: "no", 1: "yes", 0: "no"}).fillna("unknown")
    return df


def read_populations(conn: sa.Connection, last_month: str) -> dict[str, pd.DataFrame]:
    """Return one row per counted unit (registration, question, contact, closure, survey)."""
    reg = _registration_frame(conn)
    closures = reg[reg["closed_on"].notna()].assign(month=lambda d: _month(d["closed_on"]))
    frames = {
        "registrations": reg,
        "questions": _question_frame(conn, reg),
        "contacts": _contact_frame(conn),
        "closures": closures,
        "surveys": _survey_frame(conn),
    }
    return {name: df[(df["month"] >= periods.FIRST_MONTH) & (df["month"] <= last_month)] for name, df in frames.items()}


# --- building the cells ----------------------------------------------------------------------

def _cube(rows: pd.DataFrame, column: str | None, categories: tuple[str, ...], months: list[str]) -> pd.DataFrame:
    """Count rows per unit, month and category, with every combination present (zeros too)."""
    category = rows[column] if column else pd.Series(TOTAL, index=rows.index)
    counts = rows.assign(category=category).dropna(subset=["category"]).groupby(["unit", "month", "category"]).size()
    full = pd.MultiIndex.from_product([UNITS.values, months, list(categories)], names=["unit", "month", "category"])
    return counts.reindex(full, fill_value=0).rename("n").reset_index()


def _expand(cube: pd.DataFrame, spans: dict[str, list[str]]) -> pd.DataFrame:
    """Add the national scope and the quarter and year levels to a unit x month cube."""
    national = cube.groupby(["month", "category"], as_index=False)["n"].sum().assign(unit=NATIONAL)
    both = pd.concat([cube, national], ignore_index=True).rename(columns={"unit": "scope"})
    frames = [both.rename(columns={"month": "period"}).assign(period_type="month")]
    for level, key in (("quarter", periods.quarter_of), ("year", periods.year_of)):
        up = both.assign(period=both["month"].map(key))
        up = up[up["period"].isin(spans[level])]
        frames.append(up.groupby(["scope", "period", "category"], as_index=False)["n"].sum().assign(period_type=level))
    return pd.concat(frames, ignore_index=True)[["scope", "period_type", "period", "category", "n"]]


def published_for_units(cells: pd.DataFrame, table: CountTable) -> pd.Series:
    """Mark the cells published: units get totals per quarter and year, breakdowns per year only.

    A unit's monthly figures, and its quarterly breakdowns, are almost all below k (a unit sees a
    handful of registrations a month); publishing them as hidden cells gives users nothing and
    gives an attacker more linked sums to difference (see PRIVACY.md, "fewer linked publications").
    """
    national = cells["scope"] == NATIONAL
    levels = ("quarter", "year") if table.column is None else ("year",)
    return national | cells["period_type"].isin(levels)


def build_counts(populations: dict[str, pd.DataFrame], last_month: str) -> pd.DataFrame:
    """Return the true counts of every count table (they never leave this module unprotected)."""
    spans = periods.complete_periods(periods.FIRST_MONTH, last_month)
    frames = []
    for table in COUNT_TABLES:
        rows = populations["questions" if table.column == "question_type" else table.population]
        cells = _expand(_cube(rows, table.column, table.codes, spans["month"]), spans)
        frames.append(cells[published_for_units(cells, table)].assign(table_name=table.name))
    out = pd.concat(frames, ignore_index=True)
    out["n"] = out["n"].astype(np.int64)
    return out


def _period_keys(df: pd.DataFrame, spans: dict[str, list[str]]) -> pd.DataFrame:
    both = pd.concat([df, df.assign(unit=NATIONAL)], ignore_index=True).rename(columns={"unit": "scope"})
    frames = [both.assign(period_type="month", period=both["month"])]
    for level, key in (("quarter", periods.quarter_of), ("year", periods.year_of)):
        up = both.assign(period_type=level, period=both["month"].map(key))
        frames.append(up[up["period"].isin(spans[level])])
    return pd.concat(frames, ignore_index=True)


def build_measures(populations: dict[str, pd.DataFrame], last_month: str, published: pd.DataFrame) -> pd.DataFrame:
    """Return medians, percentiles and means, each shown only where its count cell is published."""
    spans = periods.complete_periods(periods.FIRST_MONTH, last_month)
    cell_keys = ["table_name", "scope", "period_type", "period", "category"]
    shown = published.loc[~published["suppressed"], cell_keys]
    published_keys = published[cell_keys]
    frames = []
    for m in MEASURE_TABLES:
        rows = populations[m.population]
        keyed = _period_keys(rows[rows[m.value].notna()], spans)
        splits = [(TOTAL, keyed)] + [(code, keyed[keyed[m.by] == code]) for code in m.by_codes]
        for by_code, part in splits:
            stats = part.groupby(["scope", "period_type", "period"])[m.value].agg(
                mean="mean", median="median", p80=lambda s: s.quantile(0.8))
            count_table, count_category = m.count_cell(by_code)
            allowed = shown[(shown["table_name"] == count_table) & (shown["category"] == count_category)]
            # A statistic exists exactly where its count cell is published, hidden or not.
            exists = published_keys[(published_keys["table_name"] == count_table)
                                    & (published_keys["category"] == count_category)]
            stats = stats.reset_index().merge(exists[["scope", "period_type", "period"]]).set_index(
                ["scope", "period_type", "period"])
            for stat in m.stats:
                frame = stats[[stat]].rename(columns={stat: "value"}).reset_index()
                frame = frame.merge(allowed[["scope", "period_type", "period"]], how="left", indicator=True)
                ok = (frame.pop("_merge") == "both").to_numpy()
                frames.append(frame.assign(
                    table_name=m.name, category=by_code if m.by else stat,
                    value=np.where(ok, frame["value"].round(1), np.nan), suppressed=~ok))
    return pd.concat(frames, ignore_index=True)


# --- protecting and storing ------------------------------------------------------------------

def publish(counts: pd.DataFrame, policy: Policy) -> tuple[pd.DataFrame, "Protection"]:
    """Turn true counts into published cells: hidden, exact or rounded, decided by the protection."""
    from queries.protect import protect

    counts = counts.reset_index(drop=True)
    protection = protect(counts, TABLES_BY_NAME, policy)
    n = counts["n"].to_numpy()
    value = np.where(protection.exact, n, policy.round(n)).astype(float)
    value[protection.suppressed] = np.nan
    published = counts.drop(columns="n").assign(value=value, suppressed=protection.suppressed)
    return published, protection


def _website_cells(conn: sa.Connection, last_month: str) -> pd.DataFrame:
    # Website visits are not about clients; they are published as counted.
    visits = pd.read_sql(sa.select(WebsiteVisits.month, WebsiteVisits.visits, WebsiteVisits.new_visits,
                                   WebsiteVisits.returning_visits), conn)
    visits["month"] = _month(visits["month"])
    visits = visits[(visits["month"] >= periods.FIRST_MONTH) & (visits["month"] <= last_month)]
    spans = periods.complete_periods(periods.FIRST_MONTH, last_month)
    long = visits.melt(id_vars="month", var_name="category", value_name="n").assign(unit=NATIONAL)
    frames = [long.rename(columns={"month": "period"}).assign(period_type="month")]
    for level, key in (("quarter", periods.quarter_of), ("year", periods.year_of)):
        up = long.assign(period=long["month"].map(key))
        up = up[up["period"].isin(spans[level])]
        frames.append(up.groupby(["period", "category"], as_index=False)["n"].sum().assign(period_type=level))
    out = pd.concat(frames, ignore_index=True)
    return out.assign(table_name="website_visits", scope=NATIONAL, value=out["n"].astype(float),
                      suppressed=False).drop(columns=["n", "month", "unit"], errors="ignore")


def refresh(engine: sa.Engine, policy: Policy, *, today: dt.date | None = None) -> CatalogueRefresh:
    """Rebuild the whole published catalogue from the store in one transaction."""
    started = time.perf_counter()
    last_month = periods.last_complete_month(today or dt.date.today())
    with engine.begin() as conn:
        populations = read_populations(conn, last_month)
        counts = build_counts(populations, last_month)
        published, protection = publish(counts, policy)
        measures = build_measures(populations, last_month, published)
        cells = pd.concat([published, measures, _website_cells(conn, last_month)], ignore_index=True)
        cells = cells[["table_name", "scope", "period_type", "period", "category", "value", "suppressed"]]
        conn.execute(sa.delete(PublishedCell))
        records = cells.astype(object).where(cells.notna(), None).to_dict("records")
        for start in range(0, len(records), 50_000):
            conn.execute(sa.insert(PublishedCell), records[start:start + 50_000])
        run = dict(
            refreshed_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
            data_until=last_month,
            policy=json.dumps(asdict(policy)),
            cells=len(published),
            primary_suppressed=int(protection.primary.sum()),
            secondary_suppressed=int(protection.secondary.sum()),
            seconds=round(time.perf_counter() - started, 3),
        )
        conn.execute(sa.insert(CatalogueRefresh), run)
    return CatalogueRefresh(**run)


def latest_refresh(conn: sa.Connection) -> CatalogueRefresh | None:
    """Return the newest catalogue refresh, or None when the catalogue was never built."""
    row = conn.execute(sa.select(CatalogueRefresh.__table__).order_by(CatalogueRefresh.id.desc()).limit(1)).first()
    return CatalogueRefresh(**row._mapping) if row else None


def read_cells(conn: sa.Connection, table_name: str, period_type: str, scopes: list[str]) -> pd.DataFrame:
    """Return the protected cells of one table for some scopes, in period order."""
    c = PublishedCell.__table__.c
    query = (
        sa.select(c.scope, c.period, c.category, c.value, c.suppressed)
        .where(c.table_name == table_name, c.period_type == period_type, c.scope.in_(scopes))
        .order_by(c.scope, c.period, c.category)
    )
    return pd.read_sql(query, conn)


def counts_beside_publication(engine: sa.Engine) -> tuple[pd.DataFrame, str]:
    """Return every published count cell with its true count beside it, for the attacker check only."""
    with engine.connect() as conn:
        latest = latest_refresh(conn)
        if latest is None:
            raise LookupError("the catalogue has not been built yet: run `loket refresh`")
        counts = build_counts(read_populations(conn, latest.data_until), latest.data_until)
        c = PublishedCell.__table__.c
        published = pd.read_sql(
            sa.select(c.table_name, c.scope, c.period_type, c.period, c.category, c.value, c.suppressed)
            .where(c.table_name.in_(list(TABLES_BY_NAME))), conn)
    merged = counts.merge(published, on=["table_name", "scope", "period_type", "period", "category"],
                          how="outer", indicator=True)
    if (merged["_merge"] != "both").any():
        raise RuntimeError("the catalogue does not match the store: refresh it before auditing")
    merged["suppressed"] = merged["suppressed"].astype(bool)
    return merged.drop(columns="_merge"), latest.data_until
