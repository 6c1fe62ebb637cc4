"""The published catalogue: every protected table, built once per data refresh and stored.

Pages, exports and the API read only from `published_cells`; nothing else ever hands a figure
to a user. Building it is the single place where true counts exist outside the store.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import time
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa

from queries.store import codes, periods
from queries.ingest import columns
from queries.catalogue import declarations
from queries.privacy import loss, releases
from queries.accounts.access import NATIONAL
from queries.privacy.audit import AT_LEAST_K, BELOW_K
from queries.store.codes import TOTAL, UNITS
from queries.privacy import Policy
from queries.privacy.linked import KEY
from queries.privacy.protect import Protection, cell_costs, code_digest, protect
from queries.privacy.releases import KEPT_SHOWN
from queries.store.schema import (
    CatalogueRefresh, Contact, IndicatorTarget, ProtectedBlock, PublishedCell, Registration, RegistrationQuestion,
    Session, Survey, WebsiteVisits,
)

REFRESH_LOCK_KEY = 0x4C6F6B6574  # "Loket": the advisory lock that keeps two refreshes apart


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

    A statistic exists wherever its count cell (`counted_by`, or per `by` code that table's
    category) is published, and is shown exactly when at least k clients have a value. `complete`:
    every client of the count cell has a value, so a statistic not shown means the count is below k.
    """

    name: str
    population: str
    value: str
    stats: tuple[str, ...]
    counted_by: tuple[str, str]
    by: str | None = None
    by_table: str | None = None
    by_codes: tuple[str, ...] = ()
    complete: bool = True

    def count_cell(self, by_code: str) -> tuple[str, str]:
        """Return the (table, category) of the count cell under one split of the statistic."""
        return self.counted_by if by_code == TOTAL else (self.by_table, by_code)


def _t(name, population, column=None, codes_=(TOTAL,), parent=None, multi=False):
    return CountTable(name, population, column, tuple(codes_), parent, multi)


YES_NO = ("yes", "no")
TCL_CLASSES = ("not_done", "below_cutoff", "above_cutoff")
# A closed trajectory whose outcome or work status was not recorded (the importer allows it).
NOT_RECORDED = "not_recorded"
COUNT_TABLES: tuple[CountTable, ...] = (
    _t("registrations", "registrations"),
    _t("registrations_by_target_group", "registrations", "target_group", codes.TARGET_GROUPS.values),
    _t("registrations_by_product", "registrations", "product", codes.PRODUCTS.values),
    _t("registrations_by_channel", "registrations", "channel", codes.CHANNELS.values),
    _t("registrations_by_gender", "registrations", "gender", codes.GENDERS.values),
    _t("registrations_by_age_band", "registrations", "age_band", codes.AGE_BANDS.values),
    _t("registrations_by_found_via", "registrations", "found_via", codes.FOUND_VIA.values),
    _t("registrations_by_question_type", "registrations", "question_type", codes.QUESTION_TYPES.values, multi=True),
    _t("registrations_by_anonymity", "registrations", "anonymity", YES_NO),
    _t("registrations_by_anonymity_reason", "registrations", "anonymity_reason", codes.ANONYMITY_REASONS.values,
       parent=("registrations_by_anonymity", "yes")),
    # Intakes in the month of the first intake: a month's figures are final once it is over (a
    # registration still waiting changes no published cell until its intake happens).
    _t("intakes", "intakes"),
    _t("intakes_by_waiting", "intakes", "waiting", ("within_14", "after_14")),
    _t("intakes_by_tcl", "intakes", "tcl", TCL_CLASSES),
    _t("contacts", "contacts"),
    _t("contacts_by_channel", "contacts", "channel", codes.CHANNELS.values),
    _t("contacts_by_time_class", "contacts", "time_class", ("office", "evening", "night", "weekend")),
    _t("contacts_by_registration", "contacts", "led", YES_NO),
    # Closures in the month of closure, with what is known only then: outcome, work status,
    # counsellor changes, the referral of a TCL score above the cut-off, evaluation moments.
    _t("closures", "closures"),
    _t("closures_by_product", "closures", "product", codes.PRODUCTS.values),
    _t("closures_by_referral", "closures", "referral", (*codes.REFERRAL_OUTCOMES.values, NOT_RECORDED)),
    _t("closures_by_work_status", "closures", "work_status", (*codes.WORK_STATUSES.values, NOT_RECORDED)),
    _t("closures_by_counsellor_changes", "closures", "counsellor_changes", ("0", "1", "2plus")),
    _t("closures_by_tcl", "closures", "tcl", TCL_CLASSES),
    _t("closures_by_tcl_referral", "closures", "tcl_referral", ("referred", "not_referred"),
       parent=("closures_by_tcl", "above_cutoff")),
    _t("closures_by_pg_evaluation", "closures", "pg_evaluation", ("evaluated", "not_evaluated"),
       parent=("closures_by_product", "process_guidance")),
    _t("surveys", "surveys"),
    _t("surveys_by_grade", "surveys", "grade_class", ("7plus", "below_7")),
    _t("surveys_by_goals", "surveys", "goals_reached", codes.GOALS_REACHED.values),
    _t("surveys_by_expectations", "surveys", "expectations", YES_NO),
    _t("surveys_by_work_resumed", "surveys", "work_resumed", (*YES_NO, "unknown")),
)
TABLES_BY_NAME = {t.name: t for t in COUNT_TABLES}

MEASURE_TABLES: tuple[MeasureTable, ...] = (
    MeasureTable("waiting_days", "intakes", "wait_days", ("median", "p80"), ("intakes", TOTAL)),
    MeasureTable("throughput_days", "closures", "throughput_days", ("median",), ("closures", TOTAL),
                 "product", "closures_by_product", codes.PRODUCTS.values),
    MeasureTable("sessions_per_trajectory", "closures", "sessions_count", ("mean", "median"), ("closures", TOTAL)),
    MeasureTable("survey_grade", "surveys", "grade", ("mean",), ("surveys", TOTAL)),
    *(MeasureTable(f"survey_rating_{a}", "surveys", f"rating_{a}", ("mean",), ("surveys", TOTAL), complete=False)
      for a in ("reachability", "waiting_time", "expertise", "treatment")),
)
MEASURES_BY_NAME = {m.name: m for m in MEASURE_TABLES}
# The cells users lose most when they are hidden (secondary suppression avoids them): those the
# headline indicators rest on and the counts statistics rest on.
HEADLINE_CELLS = frozenset({
    *(cell for key in (*declarations.OVERVIEW, *declarations.FIRST_CHARTS) for cell in declarations.count_cells(key)),
    *(m.count_cell(code) for m in MEASURE_TABLES for code in (TOTAL, *m.by_codes)),
})
RATE_CELLS = frozenset(cell for key in declarations.INDICATORS for cell in declarations.count_cells(key))
PUBLIC_TABLES = ("website_visits",)


# --- reading the store ---------------------------------------------------------------------
#
# At national scale the store holds millions of rows; they are read column-wise (Arrow) and kept
# as numbers and categoricals: a unit and a month are small integer codes, never Python strings.

def _as_datetime(column: pd.Series) -> pd.Series:
    # SQLite hands dates and timestamps back as ISO text, PostgreSQL as dates and timestamps; a
    # column with no value at all comes back as numbers (SQLite cannot tell its type).
    if pd.api.types.is_datetime64_any_dtype(column):
        return column
    if pd.api.types.is_numeric_dtype(column):
        return pd.Series(pd.NaT, index=column.index, dtype="datetime64[s]")
    return pd.to_datetime(column, format="ISO8601")


def _month_codes(when: pd.Series, months: list[str]) -> np.ndarray:
    """Return each row's position in `months` (complete months from the first on), -1 outside."""
    month = _as_datetime(when).to_numpy(dtype="datetime64[M]")
    offset = month.astype(np.int64) - np.datetime64(months[0], "M").astype(np.int64)
    return np.where(~np.isnat(month) & (offset >= 0) & (offset < len(months)), offset, -1)


def _keyed(df: pd.DataFrame, month: np.ndarray, months: list[str]) -> pd.DataFrame:
    """Keep the rows inside the published months, with the month as a categorical."""
    return df.assign(month=pd.Categorical.from_codes(month, categories=months))[month >= 0].reset_index(drop=True)


def _classes(conditions: list, labels: list[str], default: str | None = None) -> pd.Categorical:
    """Label each row by the first condition it meets; rows that meet none get `default` (or none)."""
    categories = [*labels, default] if default else labels
    codes_ = np.select([np.asarray(c, dtype=bool) for c in conditions], list(range(len(labels))),
                       len(labels) if default else -1)
    return pd.Categorical.from_codes(codes_, categories=categories)


def _filled(column: pd.Series, label: str) -> pd.Series:
    return column.cat.add_categories([label]).fillna(label)


def _flag(column: pd.Series) -> np.ndarray:
    # Booleans arrive as bool, 0/1 or, with NULLs among them, 1.0/0.0/NaN, depending on the database.
    return pd.array(column, dtype="boolean").fillna(False).to_numpy(dtype=bool)


def _days(later: pd.Series, earlier: pd.Series) -> pd.Series:
    return (_as_datetime(later) - _as_datetime(earlier)).dt.days


REGISTRATION_CODES = {
    "unit": UNITS.values, "target_group": codes.TARGET_GROUPS.values, "product": codes.PRODUCTS.values,
    "channel": codes.CHANNELS.values, "gender": codes.GENDERS.values, "age_band": codes.AGE_BANDS.values,
    "found_via": codes.FOUND_VIA.values, "anonymity_reason": codes.ANONYMITY_REASONS.values,
    "referral_outcome": codes.REFERRAL_OUTCOMES.values, "work_status": codes.WORK_STATUSES.values,
}
_r, _c, _s = Registration, Contact, Survey
# What the refresh reads, largest first (they are read two at a time). The evaluation moments are
# joined in pandas: SQLite's outer join to a grouped subquery is slow at millions of rows.
QUERIES = {
    "contacts": sa.select(_c.contacted_at, _c.channel, _c.unit_code, _c.led_to_registration),
    "registrations": sa.select(
        _r.id, _r.registered_on, _r.unit_code.label("unit"), _r.target_group, _r.product, _r.channel, _r.gender,
        _r.age_band, _r.found_via, _r.anonymity_wish, _r.anonymity_reason, _r.first_intake_on, _r.closed_on,
        _r.sessions_count, _r.counsellor_changes, _r.tcl_done, _r.tcl_above_cutoff, _r.referral_outcome,
        _r.work_status),
    "questions": sa.select(RegistrationQuestion.registration_id.label("id"), RegistrationQuestion.question_type),
    "evaluations": sa.select(Session.registration_id.label("id"), sa.func.count().label("n"))
    .where(Session.evaluation_moment.is_(True)).group_by(Session.registration_id),
    "surveys": sa.select(_s.answered_on, _s.grade, _s.goals_reached, _s.expectations_met, _s.work_resumed,
                         _s.rating_reachability, _s.rating_waiting_time, _s.rating_expertise, _s.rating_treatment,
                         sa.func.coalesce(_r.unit_code, codes.UNKNOWN_UNIT).label("unit"))
    .outerjoin(_r, _r.id == _s.registration_id),
}
# Which of those each population is built from.
SOURCES = {"registrations": ("registrations", "evaluations"), "intakes": ("registrations", "evaluations"),
           "closures": ("registrations", "evaluations"),
           "questions": ("registrations", "evaluations", "questions"), "contacts": ("contacts",),
           "surveys": ("surveys",)}


def _registration_frame(table: pa.Table, evaluations: pa.Table) -> pd.DataFrame:
    df = columns.frame(table, REGISTRATION_CODES)
    done = columns.frame(evaluations)
    df["evaluations"] = df["id"].map(done.set_index("id")["n"]).fillna(0)
    wait = _days(df["first_intake_on"], df["registered_on"])
    tcl = _classes([~_flag(df["tcl_done"]), _flag(df["tcl_above_cutoff"])], ["not_done", "above_cutoff"],
                   "below_cutoff")
    outcome = df["referral_outcome"]
    referred = [c.code for c in codes.REFERRAL_OUTCOMES if c.group != "none"]
    above = tcl == "above_cutoff"
    anonymous = _flag(df["anonymity_wish"])
    # An evaluation moment is due every 8 sessions at the latest (the evaluation's recommendation).
    guided = (df["product"] == "process_guidance").to_numpy()
    evaluated = (df["evaluations"] >= df["sessions_count"] // 8).to_numpy()
    return df.assign(
        wait_days=wait,
        throughput_days=_days(df["closed_on"], df["registered_on"]),
        waiting=_classes([wait <= 14, wait > 14], ["within_14", "after_14"]),
        tcl=tcl,
        referral=_filled(outcome, NOT_RECORDED),
        tcl_referral=_classes([above & outcome.isin(referred), above], ["referred", "not_referred"]),
        work_status=_filled(df["work_status"], NOT_RECORDED),
        anonymity=_classes([anonymous], ["yes"], "no"),
        anonymity_reason=df["anonymity_reason"].where(anonymous),
        counsellor_changes=_classes([df["counsellor_changes"] == 0, df["counsellor_changes"] == 1], ["0", "1"],
                                    "2plus"),
        pg_evaluation=_classes([guided & evaluated, guided], ["evaluated", "not_evaluated"]),
    )


def _question_frame(table: pa.Table, registrations: pd.DataFrame) -> pd.DataFrame:
    questions = columns.frame(table, {"question_type": codes.QUESTION_TYPES.values})
    return questions.merge(registrations[["id", "unit", "month"]], on="id")


def _contact_frame(table: pa.Table, months: list[str]) -> pd.DataFrame:
    """Return the contacts counted per unit, month, channel, time of day and outcome (column n)."""
    # Millions of contacts, but a few hundred thousand distinct hours: the month and time of day
    # are worked out once per hour, then handed to the contacts by index.
    at = table["contacted_at"]
    if pa.types.is_timestamp(at.type):
        hour_of = pc.floor_temporal(at, unit="hour")
    else:  # SQLite's ISO text, "YYYY-MM-DD HH:MM:SS": the hour is its first 13 characters
        hour_of = pc.utf8_slice_codeunits(at.cast(pa.string()), 0, 13)
    hour_of = hour_of.combine_chunks().dictionary_encode()
    hours = _as_datetime(pd.Series(hour_of.dictionary.to_pandas()))
    weekend, hour = hours.dt.day_of_week >= 5, hours.dt.hour
    time_of_hour = _classes([weekend, (hour >= 8) & (hour < 18), (hour >= 18) & (hour < 23)],
                            ["weekend", "office", "evening"], "night").codes
    row_hour = hour_of.indices.to_numpy()
    df = pd.DataFrame({
        "unit": columns.coded(table["unit_code"], UNITS.values, null=codes.UNKNOWN_UNIT, name="unit"),
        "month": _month_codes(hours, months)[row_hour],
        "channel": columns.coded(table["channel"], codes.CHANNELS.values, name="channel"),
        "time_class": pd.Categorical.from_codes(time_of_hour[row_hour], ["weekend", "office", "evening", "night"]),
        "led": _classes([_flag(table["led_to_registration"].to_pandas())], ["yes"], "no"),
    })
    df = _keyed(df, df.pop("month").to_numpy(), months)
    return df.groupby(["unit", "month", "channel", "time_class", "led"], observed=True).size().rename("n").reset_index()


def _survey_frame(table: pa.Table) -> pd.DataFrame:
    df = columns.frame(table, {"unit": UNITS.values, "goals_reached": codes.GOALS_REACHED.values})
    resumed = df["work_resumed"]
    return df.assign(
        grade_class=_classes([df["grade"] >= 7], ["7plus"], "below_7"),
        expectations=_classes([_flag(df["expectations_met"])], ["yes"], "no"),
        work_resumed=_classes([resumed.notna() & _flag(resumed), resumed.notna()], ["yes", "no"], "unknown"),
    )


POPULATIONS = tuple(SOURCES)


def read_populations(conn: sa.Connection, last_month: str, only: tuple[str, ...] = POPULATIONS
                     ) -> dict[str, pd.DataFrame]:
    """Return the counted units (registration, question, contact, closure, survey) of the published months."""
    months = periods.complete_periods(periods.FIRST_MONTH, last_month)["month"]
    needed = {source for name in only for source in SOURCES[name]}
    tables = columns.read_tables(conn, {name: query for name, query in QUERIES.items() if name in needed})
    out = {}
    if "registrations" in tables:
        everything = _registration_frame(tables["registrations"], tables["evaluations"])
        out["registrations"] = _keyed(everything, _month_codes(everything["registered_on"], months), months)
        out["intakes"] = _keyed(everything, _month_codes(everything["first_intake_on"], months), months)
        out["closures"] = _keyed(everything, _month_codes(everything["closed_on"], months), months)
    if "questions" in tables:
        out["questions"] = _question_frame(tables["questions"], out["registrations"])
    if "contacts" in tables:
        out["contacts"] = _contact_frame(tables["contacts"], months)
    if "surveys" in tables:
        surveys = _survey_frame(tables["surveys"])
        out["surveys"] = _keyed(surveys, _month_codes(surveys["answered_on"], months), months)
    return {name: out[name] for name in only}


# --- building the cells ----------------------------------------------------------------------

def _cube(rows: pd.DataFrame, column: str | None, categories: tuple[str, ...], months: list[str]) -> pd.DataFrame:
    """Count rows (or sum their `n`) per unit, month and category, with every combination present."""
    unit = rows["unit"].cat.codes.to_numpy().astype(np.int64)
    month = rows["month"].cat.codes.to_numpy().astype(np.int64)
    category = (pd.Categorical(rows[column], categories=list(categories)).codes.astype(np.int64) if column
                else np.zeros(len(rows), dtype=np.int64))
    keep = (unit >= 0) & (category >= 0)
    flat = (unit * len(months) + month) * len(categories) + category
    weights = rows["n"].to_numpy()[keep] if "n" in rows else None
    n = np.bincount(flat[keep], weights=weights, minlength=len(UNITS.values) * len(months) * len(categories))
    full = pd.MultiIndex.from_product([UNITS.values, months, list(categories)], names=["unit", "month", "category"])
    return pd.DataFrame({"n": n.astype(np.int64)}, index=full).reset_index()


def _period_maps(spans: dict[str, list[str]]) -> dict[str, dict[str, str]]:
    # Only complete quarters and years are published.
    return {level: {m: key(m) for m in spans["month"] if key(m) in spans[level]}
            for level, key in (("quarter", periods.quarter_of), ("year", periods.year_of))}


def _periods(month: pd.Series, spans: dict[str, list[str]]) -> dict[str, pd.Categorical]:
    """Return each row's month, quarter and year (missing where the quarter or year is incomplete)."""
    out = {"month": month.array}
    for level, of_month in _period_maps(spans).items():
        position = {label: i for i, label in enumerate(spans[level])}
        lookup = np.array([position.get(of_month.get(m), -1) for m in month.cat.categories] + [-1])
        out[level] = pd.Categorical.from_codes(lookup[month.cat.codes.to_numpy()], categories=spans[level])
    return out


def _expand(cube: pd.DataFrame, spans: dict[str, list[str]]) -> pd.DataFrame:
    """Add the national scope and the quarter and year levels to a unit x month cube."""
    national = cube.groupby(["month", "category"], as_index=False)["n"].sum().assign(unit=NATIONAL)
    both = pd.concat([cube, national], ignore_index=True).rename(columns={"unit": "scope"})
    frames = [both.rename(columns={"month": "period"}).assign(period_type="month")]
    for level, of_month in _period_maps(spans).items():
        up = both.assign(period=both["month"].map(of_month)).dropna(subset=["period"])
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


def build_counts(populations: dict[str, pd.DataFrame], last_month: str,
                 tables: tuple[CountTable, ...] = COUNT_TABLES) -> pd.DataFrame:
    """Return the true counts of every count table (they never leave this module unprotected)."""
    spans = periods.complete_periods(periods.FIRST_MONTH, last_month)
    frames = []
    for table in tables:
        rows = populations["questions" if table.column == "question_type" else table.population]
        cells = _expand(_cube(rows, table.column, table.codes, spans["month"]), spans)
        frames.append(cells[published_for_units(cells, table)].assign(table_name=table.name))
    out = pd.concat(frames, ignore_index=True)
    out["n"] = out["n"].astype(np.int64)
    return out


def _statistics(rows: pd.DataFrame, keys: list[str], stats: tuple[str, ...]) -> pd.DataFrame:
    # Medians and percentiles are order statistics ("lower" interpolation): always one client's own
    # whole number, so neither a .5 (an even count) nor an interpolated fraction says anything
    # about how many clients there are.
    grouped = rows.groupby(keys, observed=True)["value"]
    out = pd.DataFrame({stat: grouped.quantile(QUANTILES[stat], interpolation="lower") if stat in QUANTILES
                        else grouped.agg(stat) for stat in stats})
    out["clients"] = grouped.size()
    return out.reset_index()


QUANTILES = {"median": 0.5, "p80": 0.8}


def _measure_cells(rows: pd.DataFrame, value: str, stats: tuple[str, ...], spans: dict[str, list[str]]) -> pd.DataFrame:
    """Return a statistic of `value` per scope (each unit, national), and per month, quarter and year."""
    rows = rows[rows[value].notna()]
    frames = []
    for level, period in _periods(rows["month"], spans).items():
        keyed = pd.DataFrame({"value": rows[value].astype(float).to_numpy(), "scope": rows["unit"].array,
                              "period": period})
        for frame in (_statistics(keyed, ["scope", "period"], stats),
                      _statistics(keyed, ["period"], stats).assign(scope=NATIONAL)):
            frames.append(frame.astype({"scope": str, "period": str}).assign(period_type=level))
    return pd.concat(frames, ignore_index=True)


def build_measures(populations: dict[str, pd.DataFrame], last_month: str, counts: pd.DataFrame,
                   policy: Policy) -> pd.DataFrame:
    """Return medians, percentiles and means, each shown exactly where at least k clients underlie it.

    Whether a statistic is shown then tells an attacker only "its count is at least k" (or, when it
    is not shown, "below k"); the attacker check knows both (`statistic_facts`). A statistic exists
    wherever its count cell is published, whatever that cell's own status.
    """
    spans = periods.complete_periods(periods.FIRST_MONTH, last_month)
    where = ["scope", "period_type", "period"]
    frames = []
    for m in MEASURE_TABLES:
        rows = populations[m.population]
        for by_code in (TOTAL, *m.by_codes):
            part = rows if by_code == TOTAL else rows[rows[m.by] == by_code]
            count_table, count_category = m.count_cell(by_code)
            exists = counts.loc[(counts["table_name"] == count_table) & (counts["category"] == count_category), where]
            stats = exists.merge(_measure_cells(part, m.value, m.stats, spans), on=where, how="left")
            ok = stats["clients"].fillna(0).to_numpy() >= policy.k
            for stat in m.stats:
                value = stats[stat].round(policy.mean_decimals) if stat not in QUANTILES else stats[stat]
                frames.append(stats[where].assign(
                    value=np.where(ok, value, np.nan), table_name=m.name,
                    category=by_code if m.by else stat, suppressed=~ok))
    return pd.concat(frames, ignore_index=True)


def statistic_facts(measures: pd.DataFrame) -> pd.DataFrame:
    """Return, per count cell that statistics rest on, what they tell of it: AT_LEAST_K, BELOW_K or nothing (0)."""
    where = ["scope", "period_type", "period"]
    frames = []
    for m in MEASURE_TABLES:
        for by_code in (TOTAL, *m.by_codes):
            count_table, count_category = m.count_cell(by_code)
            category = by_code if m.by else m.stats[0]
            shown = measures.loc[(measures["table_name"] == m.name) & (measures["category"] == category),
                                 [*where, "suppressed"]]
            hidden = shown["suppressed"].to_numpy(dtype=bool)
            fact = np.where(hidden, BELOW_K if m.complete else 0, AT_LEAST_K)
            frames.append(shown[where].assign(table_name=count_table, category=count_category, fact=fact))
    facts = pd.concat(frames, ignore_index=True)
    # Several statistics may rest on one cell; any shown one says at least k.
    return facts.groupby([*where, "table_name", "category"], as_index=False)["fact"].max()


# --- protecting and storing ------------------------------------------------------------------

def publish(counts: pd.DataFrame, policy: Policy, *, known: dict | None = None,
            history: dict | None = None) -> tuple[pd.DataFrame, Protection]:
    """Turn true counts into published cells: hidden, exact or rounded, decided by the protection.

    A cell an earlier release fixed (`fixed`, `fixed_value`) keeps what that release published.
    """
    counts = counts.reset_index(drop=True)
    protection = protect(counts, TABLES_BY_NAME, policy, known=known, history=history)
    n = counts["n"].to_numpy()
    value = np.where(protection.exact, n, policy.round(n)).astype(float)
    if "fixed_value" in counts:
        value = np.where(counts["fixed"].to_numpy() == KEPT_SHOWN, counts["fixed_value"].to_numpy(dtype=float), value)
    value[protection.suppressed] = np.nan
    published = counts[KEY].assign(value=value, suppressed=protection.suppressed)
    return published, protection


def prepare_counts(populations: dict[str, pd.DataFrame], last_month: str, policy: Policy
                   ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the true counts with what protects them (statistics' facts, costs) and the statistics."""
    counts = build_counts(populations, last_month)
    measures = build_measures(populations, last_month, counts, policy)
    facts = statistic_facts(measures)
    counts = counts.merge(facts, on=KEY, how="left").fillna({"fact": 0})
    counts["fact"] = counts["fact"].astype(np.int64)
    return counts.assign(cost=cell_costs(counts, TABLES_BY_NAME, HEADLINE_CELLS, RATE_CELLS)), measures


def _history(conn: sa.Connection, counts: pd.DataFrame) -> dict[tuple[str, str], list[pd.DataFrame]]:
    """Return, for each block with a revised cell, every earlier release of it (what the revision must stay safe with)."""
    revised = counts[counts["revised"]]
    if revised.empty:
        return {}
    blocks = {(TABLES_BY_NAME[t].population, p[:4]) for t, p in zip(revised["table_name"], revised["period"])}
    truth = releases.truths(conn)
    facts = _ledger_facts(conn)
    out: dict[tuple[str, str], list[pd.DataFrame]] = {}
    for release_id, state in releases.states(conn, list(TABLES_BY_NAME)):
        state = _with_truth_and_facts(state, truth, facts.get(release_id))
        block_of = list(zip(state["table_name"].map(lambda t: TABLES_BY_NAME[t].population), state["period"].str[:4]))
        for key in blocks:
            part = state[[b == key for b in block_of]]
            if len(part):
                out.setdefault(key, []).append(part.reset_index(drop=True))
    return out


def _ledger_facts(conn: sa.Connection) -> dict[int, pd.DataFrame]:
    """Return, per release, what its statistics told of their count cells."""
    return {release_id: statistic_facts(state) for release_id, state in releases.states(conn, list(MEASURES_BY_NAME))}


def _with_truth_and_facts(state: pd.DataFrame, truth: pd.DataFrame, facts: pd.DataFrame | None) -> pd.DataFrame:
    state = state.merge(truth, on=[*KEY, "version"], how="left")
    if facts is not None:
        state = state.merge(facts, on=KEY, how="left")
    return state.assign(fact=state.get("fact", 0)).fillna({"fact": 0})


def release_history(engine: sa.Engine) -> list[tuple[int, pd.DataFrame]]:
    """Return every release's count cells as published, with true counts and statistics' facts (for the audit only)."""
    with engine.connect() as conn:
        truth = releases.truths(conn)
        facts = _ledger_facts(conn)
        return [(release_id, _with_truth_and_facts(state, truth, facts.get(release_id)))
                for release_id, state in releases.states(conn, list(TABLES_BY_NAME))]


def _website_cells(conn: sa.Connection, last_month: str) -> pd.DataFrame:
    # Website visits are not about clients; they are published as counted.
    visits = pd.read_sql(sa.select(WebsiteVisits.month, WebsiteVisits.visits, WebsiteVisits.new_visits,
                                   WebsiteVisits.returning_visits), conn)
    visits["month"] = _as_datetime(visits["month"]).dt.strftime("%Y-%m")
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


def _protected_blocks(conn: sa.Connection) -> dict[str, tuple[np.ndarray, int]]:
    rows = conn.execute(sa.select(ProtectedBlock.digest, ProtectedBlock.hidden, ProtectedBlock.cells,
                                  ProtectedBlock.rounds))
    return {r.digest: (np.unpackbits(np.frombuffer(r.hidden, np.uint8), count=r.cells).astype(bool), r.rounds)
            for r in rows}


def _store_protected_blocks(conn: sa.Connection, blocks: dict[str, tuple[np.ndarray, int]]) -> None:
    # Only the current blocks are kept: a block whose counts changed will not come back.
    conn.execute(sa.delete(ProtectedBlock))
    conn.execute(sa.insert(ProtectedBlock), [
        {"digest": digest, "hidden": np.packbits(hidden).tobytes(), "cells": len(hidden), "rounds": rounds}
        for digest, (hidden, rounds) in blocks.items()])


@contextlib.contextmanager
def _refresh_lock(conn: sa.Connection):
    """Let one refresh at a time run against a store; a second one waits for the first.

    Several app hosts share one PostgreSQL store, so the lock lives there (a transaction-level
    advisory lock, released at commit). An SQLite store lives on one host: a file lock beside it.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": REFRESH_LOCK_KEY})
        yield
        return
    database = conn.engine.url.database
    if not database or database == ":memory:":
        yield
        return
    with open(f"{database}.refresh-lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def refresh(engine: sa.Engine, policy: Policy, *, today: dt.date | None = None) -> CatalogueRefresh:
    """Publish a new release of the catalogue from the store in one transaction, keeping the past stable."""
    from queries.catalogue import refresh_due

    started = time.perf_counter()
    last_month = periods.last_complete_month(today or dt.date.today())
    with engine.begin() as conn, _refresh_lock(conn):
        due = refresh_due.seen(conn)  # the loads this refresh publishes: read before the store is
        populations = read_populations(conn, last_month)
        counts, measures = prepare_counts(populations, last_month, policy)
        latest = latest_refresh(conn)
        previous = releases.previous_state(conn)
        stable = latest is not None and json.loads(latest.policy) == asdict(policy)
        counts = releases.carry_forward(counts, previous, stable=stable)
        published, protection = publish(counts, policy, known=_protected_blocks(conn), history=_history(conn, counts))
        _store_protected_blocks(conn, protection.blocks)
        cells = pd.concat([published, measures, _website_cells(conn, last_month)], ignore_index=True)
        compared = releases.against(cells[[*KEY, "value", "suppressed"]], previous, counts)
        counted = counts[[*KEY, "n"]].assign(suppressed=published["suppressed"].to_numpy())
        report = {"overall": loss.cells_lost(counted, policy.k, TABLES_BY_NAME),
                  "indicators": loss.as_records(loss.information_loss(counted, measures, policy.k, TABLES_BY_NAME,
                                                                      MEASURES_BY_NAME))}
        run = dict(
            refreshed_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
            data_until=last_month,
            policy=json.dumps(asdict(policy)),
            cells=len(published),
            primary_suppressed=int(protection.primary.sum()),
            secondary_suppressed=int(protection.secondary.sum()),
            blocks=len(protection.blocks),
            blocks_protected=protection.protected,
            code_digest=code_digest(),
            loss=json.dumps(report),
            seconds=0.0,
        )
        release_id = conn.execute(sa.insert(CatalogueRefresh).returning(CatalogueRefresh.id), run).scalar_one()
        revised = releases.record(conn, release_id, compared, counts)
        conn.execute(sa.delete(PublishedCell))
        cells = compared[[*KEY, "value", "suppressed", "revised"]]
        records = cells.astype(object).where(cells.notna(), None).to_dict("records")
        for start in range(0, len(records), 50_000):
            conn.execute(sa.insert(PublishedCell), records[start:start + 50_000])
        run.update(id=release_id, revised_cells=revised, seconds=round(time.perf_counter() - started, 3))
        conn.execute(sa.update(CatalogueRefresh).where(CatalogueRefresh.id == release_id)
                     .values(revised_cells=revised, seconds=run["seconds"]))
        refresh_due.clear(conn, due)
    return CatalogueRefresh(**run)


def latest_refresh(conn: sa.Connection) -> CatalogueRefresh | None:
    """Return the newest catalogue refresh, or None when the catalogue was never built."""
    row = conn.execute(sa.select(CatalogueRefresh.__table__).order_by(CatalogueRefresh.id.desc()).limit(1)).first()
    return CatalogueRefresh(**row._mapping) if row else None


def targets_state(conn: sa.Connection) -> tuple:
    """Return what changes whenever an expected value is recorded or retired (rows are never edited otherwise)."""
    t = IndicatorTarget
    return tuple(conn.execute(sa.select(sa.func.count(), sa.func.max(t.id), sa.func.max(t.retired_at))).one())


def data_version(engine: sa.Engine) -> str:
    """Return what every published page depends on: the latest refresh and the state of the expected values."""
    with engine.connect() as conn:
        refresh_id = conn.execute(sa.select(sa.func.max(CatalogueRefresh.id))).scalar()
        targets = targets_state(conn)
    return f"{refresh_id}:{targets[0]}:{targets[1]}:{targets[2]}"


CELL_FIELDS = ("scope", "period", "category", "value", "suppressed")


def cell_rows(conn: sa.Connection, table_name: str, period_type: str, scopes: list[str], *,
              start: str | None = None, end: str | None = None, revised: bool = False) -> list[sa.Row]:
    """Return the protected cells of one table for some scopes (within a period range), in period order."""
    c = PublishedCell.__table__.c
    # One index slice (table, period type, scope, period); the periods of one type sort as text.
    query = (
        sa.select(c.scope, c.period, c.category, c.value, c.suppressed, *([c.revised] if revised else []))
        .where(c.table_name == table_name, c.period_type == period_type, c.scope.in_(scopes))
        .order_by(c.scope, c.period, c.category)
    )
    if start:
        query = query.where(c.period >= start)
    if end:
        query = query.where(c.period <= end)
    return conn.execute(query).all()


def periods_of(conn: sa.Connection, table_name: str, period_type: str, scope: str) -> list[str]:
    """Return the periods one table has published cells for in one scope, in order (read from the index)."""
    c = PublishedCell.__table__.c
    query = (sa.select(c.period).distinct()
             .where(c.table_name == table_name, c.period_type == period_type, c.scope == scope).order_by(c.period))
    return list(conn.execute(query).scalars())


def read_cells(conn: sa.Connection, table_name: str, period_type: str, scopes: list[str], *,
               start: str | None = None, end: str | None = None, revised: bool = False) -> pd.DataFrame:
    """Return the protected cells of one table for some scopes (within a period range), in period order."""
    rows = cell_rows(conn, table_name, period_type, scopes, start=start, end=end, revised=revised)
    return pd.DataFrame.from_records(rows, columns=[*CELL_FIELDS, *(["revised"] if revised else [])])


def counts_beside_publication(engine: sa.Engine) -> tuple[pd.DataFrame, str]:
    """Return the latest release's count cells with their true counts and statistics' facts, for the attacker check only."""
    history = release_history(engine)
    with engine.connect() as conn:
        latest = latest_refresh(conn)
        if latest is None or not history:
            raise LookupError("the catalogue has not been built yet: run `loket refresh`")
        counts = build_counts(read_populations(conn, latest.data_until), latest.data_until)
    cells = history[-1][1]
    merged = counts.merge(cells, on=KEY, how="outer", indicator=True, suffixes=("_store", ""))
    if (merged["_merge"] != "both").any() or (merged["n_store"] != merged["n"]).any():
        raise RuntimeError("the catalogue does not match the store: refresh it before auditing")
    return cells, latest.data_until
